/**
 * Workflow files run in Temporal's deterministic sandbox: they must not import Node built-ins,
 * the driver, or activity code (only `import type` from activities).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const WORKFLOWS = fileURLToPath(new URL('../../workflows/', import.meta.url));
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

it('workflow modules import only deterministic code', async () => {
  const files = (await readdir(WORKFLOWS)).filter((f) => f.endsWith('.ts'));
  assert.ok(files.includes('sql-query.ts'));
  for (const file of files) {
    const source = await readFile(`${WORKFLOWS}${file}`, 'utf8');
    for (const match of source.matchAll(/^import\s+(type\s+)?[^'"]*from\s+['"]([^'"]+)['"]/gm)) {
      const [statement, typeOnly, specifier] = match as unknown as [string, string | undefined, string];
      assert.ok(!BUILTINS.has(specifier), `${file}: Node built-in in a workflow: ${statement}`);
      assert.ok(!specifier.includes('/src/'), `${file}: driver code in a workflow: ${statement}`);
      if (specifier.includes('activities')) assert.ok(typeOnly, `${file}: activities must be imported as types: ${statement}`);
      assert.ok(
        specifier.startsWith('./') ||
          specifier.startsWith('../activities') ||
          specifier.startsWith('@temporalio/workflow') ||
          specifier === '@temporalio/common',
        `${file}: unexpected import in a workflow: ${statement}`,
      );
    }
  }
});
