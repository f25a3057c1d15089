/**
 * Checks `resultSink` settings before anything runs: the workflow calls it first (a bad field
 * fails the workflow, non-retryably, before any activity), the CLI calls it client-side.
 * Pure code: it runs in the workflow sandbox.
 */
import { RESULT_FORMATS, type ResultFormat, type ResultSinkInput } from './messages.js';

/** `ResultSinkInput` with its defaults filled in. */
export type ResolvedResultSink = Required<ResultSinkInput>;

export const DEFAULT_PART_ROWS = 1_000_000;
const MIN_PART_ROWS = 1_000;
const MAX_PART_ROWS = 100_000_000;

const FIELDS = new Set(['url', 'format', 'partRows']);
const S3_URL = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/;
// Bucket names: 3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit.
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/** A bad field of `resultSink`: `field` is its path, e.g. 'resultSink.format'. */
export class ResultSinkSettingsError extends Error {
  override readonly name = 'ResultSinkSettingsError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

/** The settings with defaults, or a `ResultSinkSettingsError` naming the first bad field. */
export function resolveResultSink(value: unknown): ResolvedResultSink {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ResultSinkSettingsError('resultSink', 'must be an object like { url, format }');
  }
  for (const key of Object.keys(value)) {
    if (!FIELDS.has(key)) {
      throw new ResultSinkSettingsError(`resultSink.${key}`, `is not a setting (known: ${[...FIELDS].join(', ')})`);
    }
  }
  const input = value as Partial<Record<keyof ResultSinkInput, unknown>>;
  return { url: checkUrl(input.url), format: checkFormat(input.format), partRows: checkPartRows(input.partRows) };
}

function checkUrl(url: unknown): string {
  const field = 'resultSink.url';
  if (typeof url !== 'string' || url.trim() === '') {
    throw new ResultSinkSettingsError(
      field,
      'must be a non-empty string: s3://bucket/prefix, an absolute directory or file:///dir',
    );
  }
  if (url.startsWith('/')) return url;
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (!scheme) {
    throw new ResultSinkSettingsError(
      field,
      'must be s3://bucket/prefix, an absolute directory path, file:///dir or scheme://...',
    );
  }
  // Never echo the URL here: a user may have pasted credentials into it.
  const authority = url.slice(scheme.length + 3).split('/')[0] ?? '';
  if (authority.includes('@')) {
    throw new ResultSinkSettingsError(field, 'must not hold credentials (user:secret@): workers use their own');
  }
  if (scheme === 'file') {
    if (!url.startsWith('file:///')) throw new ResultSinkSettingsError(field, 'must be file:///absolute/dir (no host)');
    return url;
  }
  if (scheme === 's3') {
    const match = S3_URL.exec(url);
    const bucket = match?.[1] ?? '';
    if (!BUCKET.test(bucket) || bucket.includes('..')) {
      throw new ResultSinkSettingsError(field, `names bucket "${bucket}", which is not a valid S3 bucket name`);
    }
    return url;
  }
  return url; // a sink a worker registered for this scheme; the worker checks the rest
}

function checkFormat(format: unknown): ResultFormat {
  if (format === undefined) return 'parquet';
  if (typeof format === 'string' && (RESULT_FORMATS as readonly string[]).includes(format)) return format as ResultFormat;
  throw new ResultSinkSettingsError(
    'resultSink.format',
    `must be one of ${RESULT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`,
  );
}

function checkPartRows(partRows: unknown): number {
  if (partRows === undefined) return DEFAULT_PART_ROWS;
  if (typeof partRows === 'number' && Number.isInteger(partRows) && partRows >= MIN_PART_ROWS && partRows <= MAX_PART_ROWS) {
    return partRows;
  }
  throw new ResultSinkSettingsError(
    'resultSink.partRows',
    `must be an integer from ${MIN_PART_ROWS} to ${MAX_PART_ROWS}, got ${JSON.stringify(partRows)}`,
  );
}
