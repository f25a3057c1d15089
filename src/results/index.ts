/**
 * Results layer: Thrift row sets to canonical Arrow record batches and plain JS rows,
 * independent of the transport. This index is the one way in. Inside, a file's folder says
 * which form it decodes:
 *
 * - decoder.ts: RowSetDecoder, which picks the path for each row set.
 * - arrow/: Arrow-based row sets (IPC batches, their schema's Spark type metadata).
 * - column-based/: HiveServer2 column-based row sets and the TTableSchema.
 * - text/: values sent as text (DECIMAL, DATE, TIMESTAMP) or JSON text (nested types).
 * - rows/: canonical Arrow batches to JS rows (the JS type of each SQL type is listed there).
 * - cloud-fetch/: result files behind links: parallel, ordered, retried, refreshed downloads.
 *
 * The types themselves, their Arrow mapping and text forms are shared with the local
 * warehouse in src/spark-types.
 */
export { RowSetDecoder } from './decoder.js';
export { batchToRows, rowReader } from './rows/batch-to-rows.js';
export { parseTableSchema } from './column-based/table-schema.js';
export { CloudFetchDownloadError, ResultDecodeError, ResultTooLargeError } from './errors.js';
export { DownloadWindow, LinkHttpError, type DownloadWindowOptions, type LinkSupply } from './cloud-fetch/download-window.js';
export { downloadLink } from './cloud-fetch/link-download.js';
export { resultLinksOf, type ResultLink } from './cloud-fetch/result-link.js';
export { SqlType, type ColumnInfo, type Row, type SqlTypeDesc, type SqlValue } from './types.js';
