/**
 * Values as Databricks prints them in its documentation (the spark-sql shell's form): NULL,
 * true, 1.0 for a DOUBLE, 2016-07-30 for a DATE, [1,2,null] for an ARRAY, {1:"a"} for a MAP,
 * {"a":1} for a STRUCT (strings quoted inside complex values only).
 */
import { parseSparkTypeName } from '../../src/spark-types/type-name.js';
import type { SqlTypeDesc, SqlValue } from '../../src/results/types.js';
import type { Canonical } from '../peers/support/canonical.js';

/** The display text of a top-level value of Spark type `typeName`. */
export function sparkDisplay(value: SqlValue, typeName: string): string {
  return display(value, parseSparkTypeName(typeName), true);
}

function display(value: SqlValue, type: SqlTypeDesc, top: boolean): string {
  if (value === null || value === undefined) return top ? 'NULL' : 'null';
  const text = (): string => (typeof value === 'object' ? JSON.stringify(value) : String(value));
  switch (type.typeName.replace(/[<(].*$/, '')) {
    case 'FLOAT':
    case 'DOUBLE':
      return doubleDisplay(value as number);
    case 'DATE':
      return value instanceof Date ? value.toISOString().slice(0, 10) : text();
    case 'TIMESTAMP':
    case 'TIMESTAMP_NTZ': {
      const shown = value instanceof Date ? value.toISOString().replace('T', ' ').replace('Z', '') : text();
      return shown.replace(/\.0+$/, '').replace(/(\.\d*?)0+$/, '$1');
    }
    case 'STRING':
      return top ? text() : JSON.stringify(text());
    case 'BINARY':
      return `[${[...(value as Buffer)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ')}]`;
    case 'ARRAY':
      return `[${(value as SqlValue[]).map((v) => display(v, type.element!, false)).join(',')}]`;
    case 'MAP':
      return `{${[...(value as Map<SqlValue, SqlValue>).entries()].map(([k, v]) => `${display(k, type.key!, false)}:${display(v, type.value!, false)}`).join(',')}}`;
    case 'STRUCT': {
      const record = value as Record<string, SqlValue>;
      return `{${type.fields!.map((f) => `${JSON.stringify(f.name)}:${display(record[f.name] ?? null, f.type, false)}`).join(',')}}`;
    }
    default:
      return text();
  }
}

/**
 * The display text of a value the Python connector gave, in the peers' canonical form (see
 * test/peers/support/canonical.ts), whose column the connector types `typeCode` ('int',
 * 'array', ...): the canonical form tells an integer from a float, so no element types are
 * needed. A FLOAT comes as the nearest double and is shown at float precision, as Java does.
 */
export function canonicalDisplay(value: Canonical, typeCode: string): string {
  return shown(value, typeCode.toLowerCase(), true);
}

function shown(value: Canonical | { nan: true } | { float: string }, typeCode: string, top: boolean): string {
  if (value === null) return top ? 'NULL' : 'null';
  if (typeof value === 'number') return typeCode === 'float' ? floatDisplay(value) : doubleDisplay(value);
  if (typeof value === 'string') return top ? value : JSON.stringify(value);
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (top && typeCode === 'map' && value.length === 0) return '{}';
    return `[${value.map((v) => shown(v, '', false)).join(',')}]`;
  }
  if ('nan' in value) return 'NaN';
  if ('float' in value) return value.float;
  if ('int' in value) return value.int;
  if ('decimal' in value) return value.decimal;
  if ('date' in value) return value.date;
  if ('timestamp' in value)
    return value.timestamp
      .replace('T', ' ')
      .replace('Z', '')
      .replace(/\.0+$/, '')
      .replace(/(\.\d*?)0+$/, '$1');
  if ('binary' in value) return `[${(value.binary.match(/../g) ?? []).map((b) => b.toUpperCase()).join(' ')}]`;
  if ('map' in value) return `{${value.map.map(([k, v]) => `${shown(k, '', false)}:${shown(v, '', false)}`).join(',')}}`;
  return `{${Object.entries(value.struct)
    .map(([k, v]) => `${JSON.stringify(k)}:${shown(v, '', false)}`)
    .join(',')}}`;
}

function doubleDisplay(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity';
  return Number.isInteger(n) && Math.abs(n) < 1e7 ? n.toFixed(1) : javaDouble(n);
}

/** The shortest decimal that reads back as the same 32-bit float (Java's Float.toString digits). */
function floatDisplay(n: number): string {
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(n.toPrecision(digits));
    if (Math.fround(candidate) === Math.fround(n)) return doubleDisplay(candidate);
  }
  return doubleDisplay(n);
}

/** Java's Double.toString for the values the corpus meets: 1.0E10, 0.001, 3.14. */
function javaDouble(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) return String(n);
  const [mantissa, exponent] = n.toExponential().split('e');
  return `${mantissa!.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}
