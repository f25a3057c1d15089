#!/usr/bin/env node
// Installs the locked dependencies when they are missing or were installed from another
// package-lock.json, so that `npm test` and `npm run demo` work on a fresh clone with nothing
// installed by hand. Uses only Node built-ins: it runs before node_modules exists.
//
// It runs `npm install`, not `npm ci`: both install the versions in package-lock.json, but
// `npm ci` refuses a lock file that lacks other platforms' optional binaries (DuckDB's and
// SWC's), and registries that do not serve those leave them out of every lock file made.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockFile = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.temporal-dbsql-lock-hash');
const lockHash = () => createHash('sha256').update(readFileSync(lockFile)).digest('hex');

if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash()) {
  process.stderr.write('temporal-dbsql: installing the locked dependencies (npm install)...\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) {
    process.stderr.write(`temporal-dbsql: npm install failed (exit ${result.status ?? result.signal})\n`);
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, lockHash());
}
