/**
 * Parses the text forms in which Spark's Thrift server (and Databricks, when Arrow-native
 * types are off) sends DECIMAL, DATE and TIMESTAMP values.
 */
import { daysFromCivil } from '../../spark-types/index.js';

const DECIMAL_TEXT = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;
const DATE_TEXT = /^\s*([+-]?\d{4,})-(\d{1,2})-(\d{1,2})\s*$/;
// 'YYYY-MM-DD HH:MM:SS[.f{1,9}]', optionally with 'T' and a 'Z' or ±HH[:MM] offset.
const TIMESTAMP_TEXT =
  /^\s*([+-]?\d{4,})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$/i;

/** Why a text value could not be read; the caller names the column. */
export class TextValueError extends Error {
  override readonly name: string = 'TextValueError';
}

/**
 * The unscaled value of a decimal text at `scale` digits after the point: '12.3' at scale 2
 * is 1230n. Extra digits are rounded half away from zero, as Spark does.
 */
export function parseDecimal(text: string, scale: number): bigint {
  const match = DECIMAL_TEXT.exec(text);
  const [, sign, whole = '', fraction = '', exponent] = match ?? [];
  if (!match || whole.length + fraction.length === 0) throw new TextValueError(`'${text}' is not a decimal number`);
  const digits = BigInt(whole + fraction);
  const shift = scale - fraction.length + (exponent === undefined ? 0 : Number(exponent));
  let unscaled: bigint;
  if (shift >= 0) {
    unscaled = digits * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    unscaled = digits / divisor;
    if ((digits % divisor) * 2n >= divisor) unscaled += 1n;
  }
  return sign === '-' ? -unscaled : unscaled;
}

/** Days since 1970-01-01 of 'YYYY-MM-DD'. */
export function parseDate(text: string): number {
  const match = DATE_TEXT.exec(text);
  if (!match) throw new TextValueError(`'${text}' is not a date (YYYY-MM-DD)`);
  return daysFromCivil(Number(match[1]), Number(match[2]), Number(match[3]));
}

/**
 * Microseconds since the epoch of 'YYYY-MM-DD HH:MM:SS[.ffffff]'. Text without an offset is
 * read as UTC; digits beyond microseconds are dropped.
 */
export function parseTimestamp(text: string): bigint {
  const fast = parseCommonTimestamp(text);
  if (fast !== undefined) return fast;
  const match = TIMESTAMP_TEXT.exec(text);
  if (!match) throw new TextValueError(`'${text}' is not a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff])`);
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', offset] = match;
  const days = daysFromCivil(Number(year), Number(month), Number(day));
  let seconds = days * 86400 + Number(hour) * 3600 + Number(minute) * 60 + Number(second);
  if (offset !== undefined && offset.toUpperCase() !== 'Z') {
    const [hh = '0', mm = '0'] = offset
      .slice(1)
      .replace(':', '')
      .match(/^(\d{2})(\d{2})?$/)!
      .slice(1);
    seconds -= (offset[0] === '-' ? -1 : 1) * (Number(hh) * 3600 + Number(mm) * 60);
  }
  return BigInt(seconds) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
}

const ZERO = 48;
/** Seconds within this bound times 1e6 plus micros stay exact in a double. */
const SAFE_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / 1_000_000) - 1;

function digitsAt(text: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The exact 'YYYY-MM-DD HH:MM:SS[.f{1,9}]' form Spark writes, read without a regex or bigint
 * arithmetic: most timestamps come this way. Anything else returns undefined.
 */
function parseCommonTimestamp(text: string): bigint | undefined {
  const n = text.length;
  if (n < 19 || n > 29 || text[4] !== '-' || text[7] !== '-' || text[13] !== ':' || text[16] !== ':') return undefined;
  if (text[10] !== ' ' && text[10] !== 'T') return undefined;
  const days = daysFromCivil(digitsAt(text, 0, 4), digitsAt(text, 5, 2), digitsAt(text, 8, 2));
  const seconds = days * 86400 + digitsAt(text, 11, 2) * 3600 + digitsAt(text, 14, 2) * 60 + digitsAt(text, 17, 2);
  let micros = 0;
  if (n > 19) {
    if (text[19] !== '.' || n === 20) return undefined;
    const fraction = digitsAt(text, 20, Math.min(n - 20, 6));
    micros = fraction * 10 ** (6 - Math.min(n - 20, 6));
    if (n > 26 && Number.isNaN(digitsAt(text, 26, n - 26))) return undefined;
  }
  if (!Number.isFinite(seconds) || !Number.isFinite(micros) || Math.abs(seconds) > SAFE_SECONDS) return undefined;
  return BigInt(seconds * 1_000_000 + micros);
}
