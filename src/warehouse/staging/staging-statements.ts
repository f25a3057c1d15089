/**
 * Databricks' staging (volume ingestion) statements:
 *   PUT 'local file' INTO '/Volumes/catalog/schema/volume/path' [OVERWRITE]
 *   GET '/Volumes/catalog/schema/volume/path' TO 'local file'
 *   REMOVE '/Volumes/catalog/schema/volume/path'
 * The local file is the client's: the warehouse only hands it back, with a presigned URL the
 * client then uploads to, downloads from or deletes.
 */
import { SqlStatementError } from '../errors.js';

export type StagingStatement =
  | { readonly operation: 'PUT'; readonly localFile: string; readonly volumePath: VolumePath; readonly overwrite: boolean }
  | { readonly operation: 'GET'; readonly localFile: string; readonly volumePath: VolumePath }
  | { readonly operation: 'REMOVE'; readonly volumePath: VolumePath };

/** A file in a volume: `/Volumes/<catalog>/<schema>/<volume>/<path>`, split and checked. */
export interface VolumePath {
  /** As the statement wrote it. */
  readonly text: string;
  /** catalog, schema, volume, then the file's path segments (at least one). */
  readonly segments: readonly string[];
}

const STRING = String.raw`'((?:[^'\\]|\\.|'')*)'`;

/** The staging statement `sql` is, or undefined for any other statement. */
export function stagingStatementOf(sql: string): StagingStatement | undefined {
  const text = sql.trim().replace(/;\s*$/, '');
  if (!/^(PUT|GET|REMOVE)\s+'/i.test(text)) return undefined;
  let m = new RegExp(String.raw`^PUT\s+${STRING}\s+INTO\s+${STRING}(\s+OVERWRITE)?$`, 'is').exec(text);
  if (m) {
    return {
      operation: 'PUT',
      localFile: unquote(m[1]!),
      volumePath: volumePathOf(unquote(m[2]!)),
      overwrite: m[3] !== undefined,
    };
  }
  m = new RegExp(String.raw`^GET\s+${STRING}\s+TO\s+${STRING}$`, 'is').exec(text);
  if (m) return { operation: 'GET', volumePath: volumePathOf(unquote(m[1]!)), localFile: unquote(m[2]!) };
  m = new RegExp(String.raw`^REMOVE\s+${STRING}$`, 'is').exec(text);
  if (m) return { operation: 'REMOVE', volumePath: volumePathOf(unquote(m[1]!)) };
  throw new SqlStatementError(
    "[PARSE_SYNTAX_ERROR] A staging statement is PUT 'local file' INTO '/Volumes/...' [OVERWRITE], GET '/Volumes/...' TO 'local file' or REMOVE '/Volumes/...'.",
    '42601',
  );
}

function unquote(literal: string): string {
  return literal.replace(/''/g, "'").replace(/\\(.)/g, '$1');
}

/** Splits and checks a volume path; [INVALID_VOLUME_PATH]-like 42K05 error naming it otherwise. */
function volumePathOf(text: string): VolumePath {
  const segments = text
    .replace(/^dbfs:/i, '')
    .split('/')
    .filter((s) => s !== '');
  const bad = (why: string): SqlStatementError =>
    new SqlStatementError(`[INVALID_VOLUME_PATH] '${text}' is not a file in a volume: ${why}.`, '42K05');
  if (segments[0] !== 'Volumes') throw bad("it must start with '/Volumes/'");
  const rest = segments.slice(1);
  if (rest.length < 4) throw bad('it needs /Volumes/<catalog>/<schema>/<volume>/<file>');
  if (rest.some((s) => s === '.' || s === '..' || s.includes('\\') || s.includes('\0'))) {
    throw bad("'.', '..', backslashes and NUL are not allowed in its segments");
  }
  return { text, segments: rest };
}
