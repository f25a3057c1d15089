/**
 * One row maker per column list: a function compiled once that makes a row with an object
 * literal of the columns' names, so every row of a result shares one hidden class and is
 * built in one allocation (keyed stores into `{}` made each row walk the class transitions).
 * Where code cannot be generated (`--disallow-code-generation-from-strings`) a plain loop
 * does the same, slower.
 */
import type { Row, SqlValue } from '../types.js';

/** The value of a column at row `i` of the batch. */
export type CellReader = (i: number) => SqlValue;

/** Given one reader per column, the function that makes row `i` of their batch. */
type RowMaker = (readers: readonly CellReader[]) => (i: number) => Row;

/** Enough for any program's distinct result shapes; beyond it the cache starts over. */
const MAX_SHAPES = 256;
const makers = new Map<string, RowMaker>();

export function rowMaker(names: readonly string[]): RowMaker {
  const key = JSON.stringify(names);
  let maker = makers.get(key);
  if (!maker) {
    if (makers.size >= MAX_SHAPES) makers.clear();
    maker = compile(names) ?? genericMaker(names);
    makers.set(key, maker);
  }
  return maker;
}

function compile(names: readonly string[]): RowMaker | undefined {
  // JSON.stringify makes any name a valid string literal. A literal's "__proto__" key would set
  // the prototype, so that one is a computed key: an own property, as for any other name.
  const fields = names.map((name, c) => `${name === '__proto__' ? '["__proto__"]' : JSON.stringify(name)}: r${c}(i)`);
  const body = `const [${names.map((_, c) => `r${c}`).join(', ')}] = readers;
return (i) => ({ ${fields.join(', ')} });`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the source is built above from JSON string literals only
    return new Function('readers', body) as RowMaker;
  } catch {
    return undefined;
  }
}

function genericMaker(names: readonly string[]): RowMaker {
  return (readers) => (i) => {
    const row: Row = {};
    for (let c = 0; c < names.length; c++) {
      Object.defineProperty(row, names[c]!, { value: readers[c]!(i), enumerable: true, writable: true, configurable: true });
    }
    return row;
  };
}
