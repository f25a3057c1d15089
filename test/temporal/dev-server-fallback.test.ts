/**
 * With no `temporal` binary and no Go, the dev-server launcher falls back to the Temporal
 * SDK's own download of the CLI. The test makes that download fail for certain (an empty
 * temporary directory, so no earlier download is reused, and an HTTP proxy nobody listens on),
 * and checks the error names both what was missing and why the download failed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { findFreePort, startTemporalDevServer, TemporalDevServerError } from '../../src/temporal/dev-server.js';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

test(
  'falls back to the SDK download when no CLI and no Go can be found, and says why it failed',
  { timeout: 180_000 },
  async () => {
    const emptyDir = await mkdtemp(join(tmpdir(), 'temporal-dbsql-nocli-'));
    const deadProxy = `http://127.0.0.1:${await findFreePort()}`;
    const names = ['PATH', 'XDG_CACHE_HOME', 'TEMPORAL_CLI_PATH', 'TMPDIR', 'NO_PROXY', 'no_proxy', ...PROXY_VARIABLES];
    const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
    // Only node's and the shell's directories: no `temporal`, no `go`.
    process.env.PATH = [dirname(process.execPath), '/usr/bin', '/bin'].join(':');
    process.env.XDG_CACHE_HOME = emptyDir;
    process.env.TMPDIR = emptyDir; // where the SDK keeps its downloads: none here
    for (const name of PROXY_VARIABLES) process.env[name] = deadProxy;
    delete process.env.TEMPORAL_CLI_PATH;
    delete process.env.NO_PROXY;
    delete process.env.no_proxy;
    try {
      await assert.rejects(startTemporalDevServer(), (error: unknown) => {
        assert.ok(error instanceof TemporalDevServerError, `unexpected error: ${String(error)}`);
        assert.match(error.message, /no Temporal CLI could be provisioned/);
        assert.match(error.message, /SDK's download failed/);
        return true;
      });
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await rm(emptyDir, { recursive: true, force: true });
    }
  },
);
