/**
 * Arrow types named as pyarrow prints them (`str(pa.DataType)`), so an Arrow schema from our
 * driver (apache-arrow JS) can be compared with the one the Python connector built.
 */
import { DataType, DateUnit, Precision, TimeUnit, type Field } from 'apache-arrow';

const UNIT: Record<number, string> = {
  [TimeUnit.SECOND]: 's',
  [TimeUnit.MILLISECOND]: 'ms',
  [TimeUnit.MICROSECOND]: 'us',
  [TimeUnit.NANOSECOND]: 'ns',
};

export function pyarrowTypeName(type: DataType): string {
  if (DataType.isNull(type)) return 'null';
  if (DataType.isBool(type)) return 'bool';
  if (DataType.isInt(type)) return `${type.isSigned ? '' : 'u'}int${type.bitWidth}`;
  if (DataType.isFloat(type)) {
    return type.precision === Precision.HALF ? 'halffloat' : type.precision === Precision.SINGLE ? 'float' : 'double';
  }
  if (DataType.isDecimal(type)) return `decimal${type.bitWidth}(${type.precision}, ${type.scale})`;
  if (DataType.isUtf8(type)) return 'string';
  if (DataType.isLargeUtf8(type)) return 'large_string';
  if (DataType.isBinary(type)) return 'binary';
  if (DataType.isDate(type)) return type.unit === DateUnit.DAY ? 'date32[day]' : 'date64[ms]';
  if (DataType.isTimestamp(type)) {
    const unit = UNIT[type.unit];
    return type.timezone ? `timestamp[${unit}, tz=${type.timezone}]` : `timestamp[${unit}]`;
  }
  if (DataType.isList(type)) return `list<${fieldName(type.children[0])}>`;
  if (DataType.isStruct(type)) return `struct<${type.children.map(fieldName).join(', ')}>`;
  if (DataType.isMap(type)) {
    const [key, value] = type.children[0].type.children as Field[];
    return `map<${pyarrowTypeName(key.type)}, ${pyarrowTypeName(value.type)}>`;
  }
  return String(type);
}

function fieldName(field: Field): string {
  return `${field.name}: ${pyarrowTypeName(field.type)}`;
}
