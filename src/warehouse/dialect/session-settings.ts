/**
 * The SET parameters the warehouse applies, under the names Databricks SQL documents
 * (`ANSI_MODE`, `TIMEZONE`, any case) and Spark's (`spark.sql.ansi.enabled`,
 * `spark.sql.session.timeZone`):
 * - ANSI mode off: an invalid CAST gives NULL and division by zero NULL, as Spark without ANSI.
 * - the time zone: each statement's DuckDB connection runs in it (`current_timezone()`,
 *   TIMESTAMP WITH TIME ZONE rendering and conversions). Databricks' default is UTC.
 * Other keys are kept and answered, not applied.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { SqlStatementError } from '../errors.js';

/** What the applied settings are for one session. */
export interface AppliedSettings {
  ansi: boolean;
  timeZone: string;
}

export const DEFAULT_SETTINGS: Readonly<AppliedSettings> = { ansi: true, timeZone: 'Etc/UTC' };

type SettingName = keyof AppliedSettings;

/** Lower-case key -> setting; the first key of each is the one `SET` lists. */
const KEYS = new Map<string, SettingName>([
  ['spark.sql.ansi.enabled', 'ansi'],
  ['ansi_mode', 'ansi'],
  ['spark.sql.session.timezone', 'timeZone'],
  ['timezone', 'timeZone'],
]);

/** The keys `SET` with no key lists, with the applied settings' values. */
export function listedSettings(settings: AppliedSettings): [string, string][] {
  return [
    ['spark.sql.ansi.enabled', String(settings.ansi)],
    ['spark.sql.session.timeZone', settings.timeZone],
  ];
}

/** The value of an applied setting named `key`, or undefined for a key the warehouse only keeps. */
export function settingValue(settings: AppliedSettings, key: string): string | undefined {
  const name = KEYS.get(key.toLowerCase());
  return name === undefined ? undefined : String(settings[name]);
}

/**
 * Applies `SET key = value` when `key` names an applied setting (checked on `connection`);
 * returns false for a key that is only kept. Throws [INVALID_CONF_VALUE] (22022) for a bad value.
 */
export async function applySetting(
  connection: DuckDBConnection,
  settings: AppliedSettings,
  key: string,
  value: string,
): Promise<boolean> {
  const name = KEYS.get(key.toLowerCase());
  if (name === undefined) return false;
  if (name === 'ansi') {
    const flag = value.trim().toLowerCase();
    if (flag !== 'true' && flag !== 'false') {
      throw new SqlStatementError(
        `[INVALID_CONF_VALUE.TYPE_MISMATCH] The value '${value}' in the config "${key}" is invalid: it must be true or false.`,
        '22022',
      );
    }
    settings.ansi = flag === 'true';
    return true;
  }
  const zone = value.trim().toUpperCase() === 'LOCAL' ? DEFAULT_SETTINGS.timeZone : value.trim();
  try {
    await connection.run(`SET TimeZone = ${literal(duckDbZone(zone))}`);
  } catch {
    throw new SqlStatementError(
      `[INVALID_CONF_VALUE.TIME_ZONE] The value '${value}' in the config "${key}" is invalid: cannot resolve the given timezone.`,
      '22022',
    );
  }
  settings.timeZone = zone;
  return true;
}

/** Puts a statement's connection in the session's time zone. */
export async function enterTimeZone(connection: DuckDBConnection, settings: AppliedSettings): Promise<void> {
  await connection.run(`SET TimeZone = ${literal(duckDbZone(settings.timeZone))}`);
}

/**
 * DuckDB's name of a zone: a region name as it is; Spark's whole-hour offsets ('+08:00', '-5')
 * as the IANA `Etc/GMT-8` zones, whose sign is inverted.
 */
function duckDbZone(zone: string): string {
  const offset = /^([+-])(\d{1,2})(?::00)?$/.exec(zone);
  if (!offset) return zone;
  const hours = Number(offset[2]);
  return hours === 0 ? 'Etc/UTC' : `Etc/GMT${offset[1] === '+' ? '-' : '+'}${hours}`;
}

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
