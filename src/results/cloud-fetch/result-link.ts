/**
 * Cloud-fetch links (TSparkArrowResultLink) in plain JS numbers. A link names one file of the
 * result: Arrow IPC data (LZ4-frame compressed when the result metadata says so) holding
 * `rowCount` rows from `startRowOffset`, downloadable until `expiryTime` with `httpHeaders`
 * and nothing else (docs/protocol.md).
 */
import type { TRowSet, TSparkArrowResultLink } from '../../thrift/index.js';
import { ResultDecodeError } from '../errors.js';

export interface ResultLink {
  /** The file's URL; its query string may hold a signature, so it is never logged whole. */
  readonly url: string;
  /** When the link stops working. @format milliseconds since the epoch */
  readonly expiryTimeMs: number;
  /** Row offset of the file's first row in the result. */
  readonly startRowOffset: number;
  readonly rowCount: number;
  /** Size of the file as stored (compressed when LZ4). @format bytes */
  readonly bytes: number;
  /** Headers the link host requires; the only ones sent to it. */
  readonly httpHeaders: Readonly<Record<string, string>>;
}

/** The links of a row set, in row order; empty when it holds none. */
export function resultLinksOf(rowSet: TRowSet): ResultLink[] {
  const links = (rowSet.resultLinks ?? []).map(linkOf);
  return links.sort((a, b) => a.startRowOffset - b.startRowOffset);
}

function linkOf(link: TSparkArrowResultLink, index: number): ResultLink {
  if (!link.fileLink) throw new ResultDecodeError(`Cloud-fetch link ${index} has no fileLink.`);
  return {
    url: link.fileLink,
    expiryTimeMs: link.expiryTime?.toNumber() ?? Number.POSITIVE_INFINITY,
    startRowOffset: link.startRowOffset?.toNumber() ?? 0,
    rowCount: link.rowCount?.toNumber() ?? 0,
    bytes: link.bytesNum?.toNumber() ?? 0,
    httpHeaders: { ...(link.httpHeaders ?? {}) },
  };
}

/** The link's host and path, without the query string (which may hold a signature). */
export function linkLocation(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}
