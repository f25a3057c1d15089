/**
 * One comparable form for rows from any client (ours, @databricks/sql, the Python connector),
 * so peers compare with a plain deepStrictEqual. The Python script prints this same form
 * (test/peers/python/peer_python.py); here it is built from JS values, guided by the SQL type
 * of the column (our driver's ColumnInfo.typeName), since JS alone cannot tell an INT from a
 * DOUBLE or a DATE from a TIMESTAMP.
 *
 *   integers -> { int: '123' }       DECIMAL -> { decimal: '12.30' }   BINARY -> { binary: hex }
 *   DATE -> { date: 'YYYY-MM-DD' }   TIMESTAMP -> { timestamp: 'YYYY-MM-DDTHH:MM:SS.ffffffZ' }
 *   MAP -> { map: [[k, v], ...] }    STRUCT -> { struct: {...} }      ARRAY -> [...]
 *   FLOAT/DOUBLE -> number, STRING -> string, BOOLEAN -> boolean, NULL -> null
 */

export type Canonical =
  | null
  | boolean
  | number
  | string
  | Canonical[]
  | { int: string }
  | { decimal: string }
  | { binary: string }
  | { date: string }
  | { timestamp: string }
  | { map: Array<[Canonical, Canonical]> }
  | { struct: Record<string, Canonical> };

/** A parsed Spark type name such as 'MAP<STRING,ARRAY<INT>>'. */
export interface TypeTree {
  name: string; // upper-case family: INT, DECIMAL, ARRAY, ...
  args: TypeTree[]; // ARRAY: [element]; MAP: [key, value]; STRUCT: field types
  fieldNames: string[]; // STRUCT only
}

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INT', 'INTEGER', 'BIGINT', 'BYTE', 'SHORT', 'LONG']);

/** Parses a Spark type name; a bare 'ARRAY' (as Spark's Thrift server reports) has no args. */
export function parseTypeName(typeName: string): TypeTree {
  let pos = 0;
  const text = typeName.trim();
  function parse(): TypeTree {
    const match = /^[A-Za-z_]+/.exec(text.slice(pos));
    if (!match) throw new Error(`cannot parse type name '${typeName}' at ${pos}`);
    pos += match[0].length;
    const name = match[0].toUpperCase();
    const tree: TypeTree = { name, args: [], fieldNames: [] };
    if (text[pos] === '(') pos = text.indexOf(')', pos) + 1; // DECIMAL(p,s): scale lives in the value
    if (text[pos] !== '<') return tree;
    pos += 1;
    for (;;) {
      if (name === 'STRUCT') {
        const colon = text.indexOf(':', pos);
        tree.fieldNames.push(text.slice(pos, colon).trim().replace(/^`|`$/g, ''));
        pos = colon + 1;
      }
      while (text[pos] === ' ') pos += 1;
      tree.args.push(parse());
      while (text[pos] === ' ') pos += 1;
      const sep = text[pos];
      pos += 1;
      if (sep === '>') return tree;
      if (sep !== ',') throw new Error(`cannot parse type name '${typeName}' at ${pos}`);
      while (text[pos] === ' ') pos += 1;
    }
  }
  return parse();
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** JS Dates carry milliseconds only; the canonical timestamp carries microseconds. */
function timestampText(value: unknown): string {
  if (value instanceof Date) return value.toISOString().replace('Z', '000Z');
  // apache-arrow's toJSON() gives epoch milliseconds for Timestamp(us) columns
  if (typeof value === 'number') return timestampText(new Date(value));
  if (typeof value === 'string') {
    // 'YYYY-MM-DD HH:MM:SS[.f]' as text (column-based sets): read as UTC
    const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?/.exec(value);
    if (m) return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(6, '0')}Z`;
  }
  throw new Error(`not a timestamp: ${String(value)}`);
}

function dateText(value: unknown): string {
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'string') return value.slice(0, 10);
  // apache-arrow gives Date32 values as epoch milliseconds
  if (typeof value === 'number') return new Date(value).toISOString().slice(0, 10);
  throw new Error(`not a date: ${String(value)}`);
}

function entriesOf(value: unknown): Array<[unknown, unknown]> {
  if (value instanceof Map) return [...value.entries()];
  if (Array.isArray(value)) {
    return value.map((e: unknown) => {
      if (Array.isArray(e)) return [e[0], e[1]];
      const entry = e as { key: unknown; value: unknown };
      return [entry.key, entry.value];
    });
  }
  if (value && typeof value === 'object') return Object.entries(value);
  throw new Error(`not a map: ${String(value)}`);
}

/** Canonical form of one value; `type` undefined means "guess from the JS value". */
export function canonicalValue(value: unknown, type?: TypeTree): Canonical {
  if (value === null || value === undefined) return null;
  const name = type?.name;
  if (name && INTEGER_TYPES.has(name)) return { int: BigInt(value as number | bigint | string).toString() };
  if (name === 'DECIMAL') return { decimal: (value as { toString(): string }).toString() };
  if (name === 'FLOAT' || name === 'DOUBLE') return Number(value);
  if (name === 'DATE') return { date: dateText(value) };
  if (name === 'TIMESTAMP') return { timestamp: timestampText(value) };
  if (name === 'BINARY') return { binary: hex(value as Uint8Array) };
  if (name === 'ARRAY' && type && type.args.length === 1) {
    return [...(value as Iterable<unknown>)].map((v) => canonicalValue(v, type.args[0]));
  }
  if (name === 'MAP' && type && type.args.length === 2) {
    const [k, v] = type.args;
    return { map: entriesOf(value).map(([key, val]) => [canonicalValue(key, k), canonicalValue(val, v)]) };
  }
  if (name === 'STRUCT' && type && type.args.length > 0) {
    const struct: Record<string, Canonical> = {};
    const obj = value as Record<string, unknown>;
    type.fieldNames.forEach((field, i) => (struct[field] = canonicalValue(obj[field], type.args[i])));
    return { struct };
  }
  return guess(value);
}

/** Without a type (nested values of a bare 'ARRAY' from Spark): go by the JS value. */
function guess(value: unknown): Canonical {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return { int: value.toString() };
  if (typeof value === 'number') return Number.isInteger(value) ? { int: String(value) } : value;
  if (value instanceof Date) return { timestamp: timestampText(value) };
  if (value instanceof Uint8Array) return { binary: hex(value) };
  if (value instanceof Map) return { map: [...value.entries()].map(([k, v]) => [guess(k), guess(v)]) };
  if (Array.isArray(value)) return value.map(guess);
  if (typeof value === 'object') {
    const struct: Record<string, Canonical> = {};
    for (const [k, v] of Object.entries(value)) struct[k] = guess(v);
    return { struct };
  }
  throw new Error(`no canonical form for ${typeof value}`);
}

/** Rows (objects keyed by column name) to arrays of canonical values, in column order. */
export function canonicalRows(
  rows: ReadonlyArray<Record<string, unknown>>,
  columns: ReadonlyArray<{ name: string; typeName: string }>,
): Canonical[][] {
  const types = columns.map((c) => parseTypeName(c.typeName));
  return rows.map((row) => columns.map((c, i) => canonicalValue(row[c.name], types[i])));
}
