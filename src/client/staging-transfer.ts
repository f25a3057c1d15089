/**
 * Our side of a staging statement (PUT, GET, REMOVE on a volume): the warehouse answers one row
 * with a presigned URL and the headers to send with it; the file moves between this machine
 * and that URL. The request carries the row's headers and nothing else: never the warehouse's
 * token, which the storage host must not see. Local files only under the allowed directories.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { InvalidArgumentError, StagingOperationError } from '../errors.js';
import type { ResultSet } from './result-set.js';

/** The one row a staging statement answers. */
interface StagingRow {
  operation: 'PUT' | 'GET' | 'REMOVE';
  presignedUrl: string;
  localFile?: string;
  headers: Record<string, string>;
}

export interface StagingTransferOptions {
  /** Directories local files may be in; none: only REMOVE (no local file) is allowed. */
  allowedLocalPaths: readonly string[];
  /** Extra trusted CA certificate(s) in PEM, for a storage host with a private CA. */
  ca?: string | Buffer;
  /** Limit for the transfer's headers and for each pause in its body. @format milliseconds */
  timeoutMs: number;
}

/** Checks `stagingAllowedLocalPath` as given to connect() or execute(): a directory or a list of them. */
export function allowedLocalPaths(value: unknown, argument: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((p) => typeof p !== 'string' || p.trim() === '')) {
    throw new InvalidArgumentError(
      argument,
      `${argument} must be a directory path or an array of them, got ${JSON.stringify(value)}`,
    );
  }
  return (list as string[]).map((p) => resolve(p));
}

/**
 * Reads the staging row from `resultSet` (and closes it) and moves the file.
 * @throws StagingOperationError naming the local file or the HTTP status.
 */
export async function transferStagedFile(resultSet: ResultSet, options: StagingTransferOptions): Promise<void> {
  const row = stagingRowOf(await resultSet.fetchAll());
  const localFile = row.operation === 'REMOVE' ? undefined : allowedFile(row, options.allowedLocalPaths);
  const agent = new Agent({
    connect: options.ca === undefined ? undefined : { ca: options.ca },
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });
  try {
    if (row.operation === 'PUT') await upload(row, localFile!, agent);
    else if (row.operation === 'GET') await download(row, localFile!, agent);
    else await remove(row, agent);
  } finally {
    await agent.close();
  }
}

function stagingRowOf(rows: Record<string, unknown>[]): StagingRow {
  const row = rows[0];
  if (rows.length !== 1 || !row) {
    throw new StagingOperationError(`a staging statement answers one row; the warehouse sent ${rows.length}`);
  }
  const operation = String(row['operation']).toUpperCase();
  if (operation !== 'PUT' && operation !== 'GET' && operation !== 'REMOVE') {
    throw new StagingOperationError(`unknown staging operation ${JSON.stringify(row['operation'])} (PUT, GET or REMOVE)`);
  }
  if (typeof row['presignedUrl'] !== 'string') throw new StagingOperationError('the staging row has no presignedUrl');
  const localFile = typeof row['localFile'] === 'string' ? row['localFile'] : undefined;
  return { operation, presignedUrl: row['presignedUrl'], localFile, headers: headersOf(row['headers']) };
}

/**
 * The row's headers: Databricks sends a MAP<STRING, STRING> (a Map here), as JSON text to a
 * client that asks for complex types as text; none is an empty object.
 */
function headersOf(value: unknown): Record<string, string> {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = value === '' ? {} : JSON.parse(value);
    } catch {
      throw new StagingOperationError("the staging row's headers are neither a MAP nor JSON text");
    }
  }
  const entries = parsed instanceof Map ? [...parsed.entries()] : parsed == null ? [] : Object.entries(parsed);
  if (
    typeof parsed !== 'object' ||
    Array.isArray(parsed) ||
    entries.some(([k, v]) => typeof k !== 'string' || typeof v !== 'string')
  ) {
    throw new StagingOperationError("the staging row's headers are not a map of strings to strings");
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/**
 * Whether `file` lies inside `dir` (both absolute): compared by path segments, so a file named
 * `..x` in the directory is inside, and `dir/../x` is not.
 */
export function isInsideDirectory(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

/** The row's local file, resolved, if it lies in one of the allowed directories. */
function allowedFile(row: StagingRow, allowed: readonly string[]): string {
  if (row.localFile === undefined) throw new StagingOperationError(`${row.operation} needs a local file; the row has none`);
  const file = resolve(row.localFile);
  if (allowed.length === 0) {
    throw new StagingOperationError(
      `${row.operation} of local file ${row.localFile} needs stagingAllowedLocalPath (in connect() or execute() options) naming a directory that holds it`,
      row.localFile,
    );
  }
  const inside = allowed.some((dir) => isInsideDirectory(dir, file));
  if (!inside) {
    throw new StagingOperationError(
      `local file ${row.localFile} is not under stagingAllowedLocalPath (${allowed.join(', ')}); the ${row.operation} was refused`,
      row.localFile,
    );
  }
  return file;
}

async function upload(row: StagingRow, file: string, agent: Agent): Promise<void> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new StagingOperationError(
      `cannot read local file ${row.localFile} for PUT: ${(error as Error).message}`,
      row.localFile,
    );
  }
  const response = await request(row.presignedUrl, {
    method: 'PUT',
    headers: { ...row.headers, 'content-length': String(size) },
    body: createReadStream(file),
    dispatcher: agent,
  });
  await response.body.dump();
  if (response.statusCode >= 300) throw httpError(row, response.statusCode);
}

/** Written aside and renamed, so a failed download leaves no partial file under the local name. */
async function download(row: StagingRow, file: string, agent: Agent): Promise<void> {
  const response = await request(row.presignedUrl, { method: 'GET', headers: { ...row.headers }, dispatcher: agent });
  if (response.statusCode !== 200) {
    await response.body.dump();
    throw httpError(row, response.statusCode);
  }
  const aside = join(dirname(file), `.${randomUUID()}.staging`);
  try {
    await pipeline(response.body, createWriteStream(aside));
    await rename(aside, file);
  } catch (error) {
    await rm(aside, { force: true });
    throw new StagingOperationError(
      `cannot write local file ${row.localFile} for GET: ${(error as Error).message}`,
      row.localFile,
    );
  }
}

/** A file already gone counts as removed (some storage answers 404, some 200), as in the official clients. */
async function remove(row: StagingRow, agent: Agent): Promise<void> {
  const response = await request(row.presignedUrl, { method: 'DELETE', headers: { ...row.headers }, dispatcher: agent });
  await response.body.dump();
  if (response.statusCode >= 300 && response.statusCode !== 404) throw httpError(row, response.statusCode);
}

function httpError(row: StagingRow, status: number): StagingOperationError {
  const what = row.localFile === undefined ? row.operation : `${row.operation} of local file ${row.localFile}`;
  // The URL is left out: its signature is a credential for that file.
  return new StagingOperationError(`${what} failed: the storage answered HTTP ${status}`, row.localFile, status);
}
