/**
 * Provisioning of the peers (scripts/peers/*.sh) with one rule: a peer test is skipped only
 * when provisioning is impossible here (no network to the registry, tool not installed), and
 * then with a message that says so. Any other provisioning failure fails the test.
 */
import { join } from 'node:path';
import { REPO_ROOT, run } from './processes.js';

/**
 * Failure text of pip, Maven and the JVM when the registry cannot be reached at all (a quiet
 * pip says only "from versions: none" for a pinned version that exists on the index).
 */
const UNREACHABLE =
  /from versions: none|Temporary failure in name resolution|Name or service not known|Network is unreachable|No route to host|Failed to establish a new connection|UnknownHostException|Connection refused|Connection timed out|connect timed out|Could not transfer artifact|Could not resolve host/i;

export type Provisioned = { ok: true; value: string; elapsedMs: number } | { ok: false; skipReason: string };

export class ProvisioningError extends Error {
  override name = 'ProvisioningError';
}

async function hasTool(tool: string): Promise<boolean> {
  const result = await run('bash', ['-c', `command -v ${tool}`]);
  return result.code === 0;
}

/**
 * Runs a provisioning script; its last stdout line is the value (a path). Returns a skip
 * reason when provisioning is genuinely impossible, throws ProvisioningError otherwise.
 */
export async function provision(script: string, args: string[], tools: string[]): Promise<Provisioned> {
  for (const tool of tools) {
    if (!(await hasTool(tool))) return { ok: false, skipReason: `'${tool}' is not installed on this machine` };
  }
  const result = await run('bash', [join(REPO_ROOT, 'scripts/peers', script), ...args], { timeoutMs: 20 * 60_000 });
  if (result.code === 0) {
    const value = result.stdout.trim().split('\n').pop() ?? '';
    return { ok: true, value, elapsedMs: result.elapsedMs };
  }
  if (UNREACHABLE.test(result.stderr)) {
    return { ok: false, skipReason: `${script} cannot reach its package registry: ${lastLines(result.stderr)}` };
  }
  throw new ProvisioningError(`${script} failed (exit ${result.code}): ${lastLines(result.stderr)}`);
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-5).join('\n');
}
