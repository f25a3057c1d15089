/**
 * With no `temporal` binary and no Go, the dev-server launcher falls back to the Temporal
 * SDK's own download of the CLI. Without internet (as in CI here) that download fails, and
 * the error must name both what was missing and why the download failed; with internet the
 * server must come up and answer.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { Connection } from '@temporalio/client';
import { startTemporalDevServer, TemporalDevServerError } from '../../src/temporal/dev-server.js';

test('falls back to the SDK download when no CLI and no Go can be found', { timeout: 180_000 }, async () => {
  const emptyCache = await mkdtemp(join(tmpdir(), 'temporal-dbsql-nocli-'));
  const saved = {
    PATH: process.env.PATH,
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
    TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH,
  };
  // Only node's and the shell's directories: no `temporal`, no `go`.
  process.env.PATH = [dirname(process.execPath), '/usr/bin', '/bin'].join(':');
  process.env.XDG_CACHE_HOME = emptyCache;
  delete process.env.TEMPORAL_CLI_PATH;
  try {
    const server = await startTemporalDevServer().catch((error: unknown) => error);
    if (server instanceof Error) {
      assert.ok(server instanceof TemporalDevServerError, `unexpected error type: ${server.name}`);
      assert.match(server.message, /no Temporal CLI could be provisioned/);
      assert.match(server.message, /SDK's download failed/);
      return;
    }
    try {
      const connection = await Connection.connect({ address: (server as { address: string }).address });
      const namespace = await connection.workflowService.describeNamespace({ namespace: 'default' });
      assert.equal(namespace.namespaceInfo?.name, 'default');
      await connection.close();
    } finally {
      await (server as { stop(): Promise<void> }).stop();
    }
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await rm(emptyCache, { recursive: true, force: true });
  }
});
