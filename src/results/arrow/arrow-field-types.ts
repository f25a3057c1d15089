/**
 * Completes complex column types from the Arrow schema of an Arrow-based result.
 *
 * Databricks describes an ARRAY/MAP/STRUCT column in the Thrift schema with a bare
 * ARRAY_TYPE/MAP_TYPE/STRUCT_TYPE id; the full type travels in the Arrow schema: each field's
 * `Spark:DataType:SqlName` metadata ('ARRAY<INT>'), and the Arrow type itself when complex
 * types are sent natively. The metadata is preferred (Arrow cannot tell TIMESTAMP precision
 * or DECIMAL text apart from strings); without it a native nested Arrow type is read back
 * into Spark terms. A column sent as Utf8 with no usable metadata stays opaque: its values are
 * the server's JSON text.
 */
import { RecordBatchReader, Type, type DataType, type Decimal, type Field, type Schema } from 'apache-arrow';
import { ResultDecodeError } from '../errors.js';
import {
  arrowTypeName,
  arrayType,
  decimalType,
  isOpaqueComplex,
  mapType,
  parseSparkTypeName,
  SCALAR,
  SPARK_TYPE_METADATA,
  structType,
  typeOf,
} from '../../spark-types/index.js';
import { SqlType, type ColumnInfo, type SqlTypeDesc } from '../types.js';

/** The schema in an IPC schema message (TGetResultSetMetadataResp.arrowSchema). */
export function readSchemaMessage(schemaMessage: Uint8Array): Schema {
  try {
    return RecordBatchReader.from(schemaMessage).open().schema;
  } catch (error) {
    throw new ResultDecodeError(`The result's arrowSchema cannot be read: ${(error as Error).message}`, { cause: error });
  }
}

/** `types` with every opaque complex type replaced by the full type the Arrow field gives. */
export function completeFromArrow(columns: readonly ColumnInfo[], types: readonly SqlTypeDesc[], schema: Schema): SqlTypeDesc[] {
  if (schema.fields.length !== types.length) {
    throw new ResultDecodeError(
      `The arrowSchema has ${schema.fields.length} fields but the result schema has ${types.length} columns.`,
    );
  }
  return types.map((type, i) => (isOpaqueComplex(type) ? fieldType(schema.fields[i]!, type, columns[i]!.name) : type));
}

function fieldType(field: Field, opaque: SqlTypeDesc, columnName: string): SqlTypeDesc {
  const named = typeFromMetadata(field, opaque.typeId);
  if (named !== undefined) return named;
  const arrowType = typeOf(field);
  if (arrowType.typeId === Type.Utf8 || arrowType.typeId === Type.LargeUtf8) return opaque;
  const type = sqlTypeOfArrow(arrowType, columnName);
  if (type.typeId !== opaque.typeId) {
    throw new ResultDecodeError(
      `Column '${columnName}' is an ${opaque.typeName} but its Arrow field is ${arrowTypeName(arrowType)}.`,
    );
  }
  return type;
}

/** The metadata's type, when it parses and is of the family the Thrift schema says. */
function typeFromMetadata(field: Field, family: SqlType): SqlTypeDesc | undefined {
  const text = field.metadata.get(SPARK_TYPE_METADATA);
  if (text === undefined) return undefined;
  try {
    const type = parseSparkTypeName(text);
    return type.typeId === family ? type : undefined;
  } catch {
    // A name we cannot read costs only the element types: fall back to the Arrow type.
    return undefined;
  }
}

/** The Spark type an Arrow type carries (as Databricks maps Spark types to Arrow). */
function sqlTypeOfArrow(type: DataType, columnName: string): SqlTypeDesc {
  switch (type.typeId) {
    case Type.Bool:
      return SCALAR.BOOLEAN;
    case Type.Int: {
      const bits = (type as unknown as { bitWidth: number }).bitWidth;
      if (bits === 8) return SCALAR.TINYINT;
      if (bits === 16) return SCALAR.SMALLINT;
      if (bits === 32) return SCALAR.INT;
      return SCALAR.BIGINT;
    }
    case Type.Float:
      return (type as unknown as { precision: number }).precision === 1 ? SCALAR.FLOAT : SCALAR.DOUBLE;
    case Type.Decimal:
      try {
        return decimalType((type as Decimal).precision, (type as Decimal).scale);
      } catch (error) {
        throw new ResultDecodeError(`Column '${columnName}' holds Arrow ${arrowTypeName(type)}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    case Type.Utf8:
    case Type.LargeUtf8:
      return SCALAR.STRING;
    case Type.Binary:
    case Type.LargeBinary:
      return SCALAR.BINARY;
    case Type.Date:
      return SCALAR.DATE;
    case Type.Timestamp:
      return SCALAR.TIMESTAMP;
    case Type.Null:
      return SCALAR.VOID;
    case Type.List:
      return arrayType(sqlTypeOfArrow(typeOf(type.children[0]!), columnName));
    case Type.Map: {
      const entries = typeOf(type.children[0]!);
      return mapType(
        sqlTypeOfArrow(typeOf(entries.children[0]!), columnName),
        sqlTypeOfArrow(typeOf(entries.children[1]!), columnName),
      );
    }
    case Type.Struct:
      return structType(
        type.children.map((child: Field) => ({ name: child.name, type: sqlTypeOfArrow(typeOf(child), columnName) })),
      );
    default:
      throw new ResultDecodeError(`Column '${columnName}' holds Arrow ${arrowTypeName(type)}, which has no Spark type.`);
  }
}
