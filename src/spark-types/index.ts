/**
 * The Spark SQL type system, the one both sides of this package use: the driver's results
 * layer (src/results/) to describe and decode what a server sends, the local warehouse
 * (src/warehouse/) to describe and encode its DuckDB results. A new type, an Arrow mapping or
 * a text format is one edit here.
 *
 * - sql-type.ts: the type tree (SqlType, SqlTypeDesc) and the scalar types.
 * - type-name.ts: canonical type names, both ways, and the composite type constructors.
 * - arrow-type.ts: the Arrow type of each Spark type, and the field metadata naming it.
 * - arrow-build.ts: Arrow data from plain JS values.
 * - arrow-typing.ts: typed access to what arrow-js leaves `any` (a field's type, a type's name).
 * - value-text.ts, calendar.ts: the text forms of DECIMAL, DATE and TIMESTAMP values.
 */
export { SCALAR, SparkTypeError, SqlType, type SqlTypeDesc } from './sql-type.js';
export {
  arrayType,
  decimalType,
  DEFAULT_DECIMAL_PRECISION,
  DEFAULT_DECIMAL_SCALE,
  isOpaqueComplex,
  mapType,
  parseSparkTypeName,
  structType,
} from './type-name.js';
export { arrowSchemaOf, arrowTypeOf, SPARK_TYPE_METADATA } from './arrow-type.js';
export { buildData } from './arrow-build.js';
export { arrowTypeName, typeOf } from './arrow-typing.js';
export { daysFromCivil } from './calendar.js';
export { formatDate, formatDecimal, formatTimestamp } from './value-text.js';
