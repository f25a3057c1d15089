/**
 * The Arrow type of each Spark type: the one schema the driver decodes every result to,
 * whatever the wire format, and the one the warehouse builds its results in.
 *
 * | SQL type  | Arrow type                      |
 * |-----------|---------------------------------|
 * | BOOLEAN   | Bool                            |
 * | TINYINT   | Int8                            |
 * | SMALLINT  | Int16                           |
 * | INT       | Int32                           |
 * | BIGINT    | Int64                           |
 * | FLOAT     | Float32                         |
 * | DOUBLE    | Float64                         |
 * | DECIMAL   | Decimal128(p, s)                |
 * | STRING    | Utf8                            |
 * | BINARY    | Binary                          |
 * | DATE      | DateDay                         |
 * | TIMESTAMP | Timestamp(MICROSECOND, 'UTC')   |
 * | ARRAY     | List<element>                   |
 * | MAP       | Map<key, value>                 |
 * | STRUCT    | Struct                          |
 * | ARRAY, MAP, STRUCT with unknown parts | Utf8 (the server's JSON text) |
 * | NULL      | Null                            |
 * | INTERVAL  | Utf8 (the server's text)        |
 *
 * Decimal128 is kept (rather than text) because it is what Databricks sends natively and
 * arrow-js reads and writes it; formatDecimal (value-text.ts) turns it into exact text.
 * Every field is nullable; map keys are not (the Arrow spec requires it).
 *
 * A complex type is opaque when the server named only its family (Spark's Thrift server's
 * column-based results: ARRAY_TYPE and JSON text, no element types); no Arrow type can be
 * built without the element types, so the column keeps the JSON text exactly as sent, and
 * the driver reads it by its JSON types.
 */
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  Map_,
  Null,
  Schema,
  Struct,
  TimeUnit,
  Timestamp,
  Utf8,
  type DataType,
} from 'apache-arrow';
import { SparkTypeError, SqlType, type SqlTypeDesc } from './sql-type.js';
import { isOpaqueComplex } from './type-name.js';

/**
 * Arrow field metadata key holding the Spark type name ('DECIMAL(10,2)', 'ARRAY<INT>'), as
 * Databricks writes it: Arrow alone cannot tell TIMESTAMP precision, or a DECIMAL or complex
 * value sent as text, from a string.
 */
export const SPARK_TYPE_METADATA = 'Spark:DataType:SqlName';

/** Time zone of canonical timestamps: values are instants, stored as UTC. */
const TIMESTAMP_TIME_ZONE = 'UTC';
/** Name of the element field of canonical lists (Spark's name). */
const LIST_ELEMENT_NAME = 'element';

/** The canonical Arrow type of a Spark type. */
export function arrowTypeOf(type: SqlTypeDesc): DataType {
  if (isOpaqueComplex(type)) return new Utf8();
  switch (type.typeId) {
    case SqlType.BOOLEAN:
      return new Bool();
    case SqlType.TINYINT:
      return new Int8();
    case SqlType.SMALLINT:
      return new Int16();
    case SqlType.INT:
      return new Int32();
    case SqlType.BIGINT:
      return new Int64();
    case SqlType.FLOAT:
      return new Float32();
    case SqlType.DOUBLE:
      return new Float64();
    case SqlType.DECIMAL:
      // arrow-js takes (scale, precision, bitWidth).
      return new Decimal(type.scale ?? 0, type.precision ?? 38, 128);
    case SqlType.STRING:
    case SqlType.INTERVAL:
      return new Utf8();
    case SqlType.BINARY:
      return new Binary();
    case SqlType.DATE:
      return new DateDay();
    case SqlType.TIMESTAMP:
      return new Timestamp(TimeUnit.MICROSECOND, TIMESTAMP_TIME_ZONE);
    case SqlType.ARRAY:
      return new List(new Field(LIST_ELEMENT_NAME, arrowTypeOf(part(type.element, type)), true));
    case SqlType.MAP: {
      const entries = new Struct<{ key: DataType; value: DataType }>([
        new Field('key', arrowTypeOf(part(type.key, type)), false),
        new Field('value', arrowTypeOf(part(type.value, type)), true),
      ]);
      return new Map_(new Field('entries', entries, false), false);
    }
    case SqlType.STRUCT:
      return new Struct((type.fields ?? []).map((f) => new Field(f.name, arrowTypeOf(f.type), true)));
    case SqlType.NULL:
      return new Null();
  }
}

/** The canonical schema of a result's columns; every field is nullable. */
export function arrowSchemaOf(columns: ReadonlyArray<{ readonly name: string; readonly type: SqlTypeDesc }>): Schema {
  return new Schema(columns.map((column) => new Field(column.name, arrowTypeOf(column.type), true)));
}

function part(inner: SqlTypeDesc | undefined, outer: SqlTypeDesc): SqlTypeDesc {
  if (inner === undefined) throw new SparkTypeError(`Type ${outer.typeName} lacks its element type.`);
  return inner;
}
