/**
 * The text forms Spark gives values that travel as strings: DECIMAL, DATE and TIMESTAMP in
 * column-based sets (and in Arrow when the client does not take them natively), complex
 * types as JSON.
 */
import type { Cell } from './arrow-data.js';
import type { SparkType } from './types.js';

const MICROS_PER_DAY = 86_400_000_000n;

function pad(n: number | bigint, width: number): string {
  return String(n).padStart(width, '0');
}

/** 'YYYY-MM-DD' for days since 1970-01-01. */
function formatDate(days: number): string {
  const date = new Date(days * 86_400_000);
  const year = date.getUTCFullYear();
  const y = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
  return `${y}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}`;
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC, fraction without trailing zeros, as Spark casts). */
function formatTimestamp(micros: bigint): string {
  let days = micros / MICROS_PER_DAY;
  let inDay = micros % MICROS_PER_DAY;
  if (inDay < 0n) {
    inDay += MICROS_PER_DAY;
    days -= 1n;
  }
  const seconds = Number(inDay / 1_000_000n);
  const fraction = Number(inDay % 1_000_000n);
  const time = `${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}`;
  const frac = fraction === 0 ? '' : `.${pad(fraction, 6).replace(/0+$/, '')}`;
  return `${formatDate(Number(days))} ${time}${frac}`;
}

/** The exact decimal text of an unscaled value: (1230n, 2) -> '12.30'. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale === 0) return (negative ? '-' : '') + digits;
  const padded = digits.padStart(scale + 1, '0');
  const text = `${padded.slice(0, -scale)}.${padded.slice(-scale)}`;
  return (negative ? '-' : '') + text;
}

/** The text a scalar or complex cell travels as when not sent natively. */
export function cellToText(cell: Cell, type: SparkType): string | null {
  if (cell === null) return null;
  switch (type.kind) {
    case 'DECIMAL':
      return formatDecimal(cell as bigint, type.scale);
    case 'DATE':
      return formatDate(cell as number);
    case 'TIMESTAMP':
      return formatTimestamp(cell as bigint);
    case 'ARRAY':
    case 'MAP':
    case 'STRUCT':
      return toJsonText(cell, type);
    case 'BINARY':
      return Buffer.from(cell as Uint8Array).toString('base64');
    default:
      return String(cell);
  }
}

/** JSON text of a cell as Spark's to_json writes it (BIGINT and DECIMAL exact). */
function toJsonText(cell: Cell, type: SparkType): string {
  if (cell === null) return 'null';
  switch (type.kind) {
    case 'ARRAY':
      return `[${(cell as Cell[]).map((c) => toJsonText(c, type.element)).join(',')}]`;
    case 'MAP':
      return `{${(cell as [Cell, Cell][])
        .map(([k, v]) => `${JSON.stringify(cellToText(k, type.key) ?? 'null')}:${toJsonText(v, type.value)}`)
        .join(',')}}`;
    case 'STRUCT':
      return `{${type.fields
        .map((f, i) => `${JSON.stringify(f.name)}:${toJsonText((cell as Cell[])[i] ?? null, f.type)}`)
        .join(',')}}`;
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return String(cell);
    case 'DECIMAL':
      return formatDecimal(cell as bigint, type.scale);
    case 'FLOAT':
    case 'DOUBLE':
      return Number.isFinite(cell) ? String(cell) : JSON.stringify(String(cell));
    default:
      return JSON.stringify(cellToText(cell, type));
  }
}
