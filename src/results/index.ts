/**
 * Results layer: Thrift row sets (Arrow-based or column-based) to canonical Arrow record
 * batches and plain JS rows. Independent of the transport; see rows.ts for the JS type of
 * each SQL type and canonical-schema.ts for the Arrow type.
 */
export { RowSetDecoder } from './decoder.js';
export { batchToRows } from './rows.js';
export { parseTableSchema } from './table-schema.js';
export { CloudFetchNotSupportedError, ResultDecodeError } from './errors.js';
export { SqlType, type ColumnInfo, type Row, type SqlTypeDesc, type SqlValue } from './types.js';
