/**
 * The transpiler, loaded once on demand: its WebAssembly module is 22 MB and takes about a
 * second to compile, so only a warehouse (never a driver user) pays for it, and only once.
 */
type Polyglot = typeof import('@polyglot-sql/sdk');

let loaded: Polyglot | undefined;
let loading: Promise<Polyglot> | undefined;

/** Loads the transpiler; resolves at once when it already is. */
export async function loadDialect(): Promise<void> {
  loading ??= import('@polyglot-sql/sdk').then((module) => {
    // The first transpile builds the dialects' tables (about a second): pay it here, not on a
    // user's first statement.
    module.transpile('SELECT 1', 'databricks' as never, 'duckdb' as never);
    return (loaded = module);
  });
  await loading;
}

/** The loaded transpiler; `loadDialect()` must have resolved first. */
export function polyglot(): Polyglot {
  if (loaded === undefined) throw new Error('The SQL dialect is not loaded: await loadDialect() first.');
  return loaded;
}
