/**
 * The package version, read once from package.json at runtime. The file is found by walking up
 * from this module, so it works from `src/` (run through tsx) and from `dist/src/` alike.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'temporal-dbsql';

function readPackageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      // The generated Thrift folder has its own package.json ({"type":"commonjs"}): skip any other.
      if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}

/** This package's version, e.g. '0.1.0'. */
export const VERSION: string = readPackageVersion();
