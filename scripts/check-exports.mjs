#!/usr/bin/env node
// After `npm run build`: imports every entry of package.json "exports" by the package's own
// name (Node resolves a package's self-reference through its exports map), as a user would.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
let failed = 0;
for (const subpath of Object.keys(pkg.exports)) {
  const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
  try {
    const names = Object.keys(await import(specifier));
    if (names.length === 0) throw new Error('exports nothing');
    console.log(`ok ${specifier} (${names.length} exports)`);
  } catch (error) {
    failed++;
    console.error(`FAILED ${specifier}: ${error instanceof Error ? error.message : error}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
