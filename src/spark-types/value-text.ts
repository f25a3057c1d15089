/**
 * The text forms of DECIMAL, DATE and TIMESTAMP values, as Spark writes them when they travel
 * as strings (column-based sets, Arrow without native types) and as the driver shows them in
 * rows. The driver parses them back in results/text/hive-text.ts.
 */
import { formatDays } from './calendar.js';

const MICROS_PER_DAY = 86_400_000_000n;

/** '12.30' for (1230n, 2); '-0.05' for (-5n, 2); '42' for (42n, 0): exact, `scale` decimals. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (scale === 0) return negative ? '-' + digits : digits;
  const padded = digits.padStart(scale + 1, '0');
  const text = padded.slice(0, padded.length - scale) + '.' + padded.slice(padded.length - scale);
  return negative ? '-' + text : text;
}

/** 'YYYY-MM-DD' of a day count since 1970-01-01. */
export function formatDate(days: number): string {
  return formatDays(days);
}

/**
 * 'YYYY-MM-DD HH:MM:SS[.ffffff]' of microseconds since the epoch, in UTC, the fraction without
 * trailing zeros (as Spark casts a timestamp to a string).
 */
export function formatTimestamp(micros: bigint): string {
  let days = micros / MICROS_PER_DAY;
  let inDay = micros % MICROS_PER_DAY;
  if (inDay < 0n) {
    inDay += MICROS_PER_DAY;
    days -= 1n;
  }
  const seconds = Number(inDay / 1_000_000n);
  const fraction = Number(inDay % 1_000_000n);
  const time = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
  const frac = fraction === 0 ? '' : '.' + String(fraction).padStart(6, '0').replace(/0+$/, '');
  return `${formatDays(Number(days))} ${time}${frac}`;
}

function pad(n: number): string {
  return n < 10 ? '0' + n : String(n);
}
