/**
 * Arrow types named as pyarrow prints them (`str(pa.DataType)`), so an Arrow schema from our
 * driver (apache-arrow JS) can be compared with the one the Python connector built.
 */
import { DataType, DateUnit, Precision, TimeUnit, type Field } from 'apache-arrow';
import { arrowTypeName, typeOf } from '../../../src/spark-types/arrow-typing.js';

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
  if (DataType.isList(type)) return `list<${fieldName(type.children[0]!)}>`;
  if (DataType.isStruct(type)) return `struct<${type.children.map(fieldName).join(', ')}>`;
  if (DataType.isMap(type)) {
    const [key, value] = typeOf(type.children[0]!).children as [Field, Field];
    return `map<${pyarrowTypeName(typeOf(key))}, ${pyarrowTypeName(typeOf(value))}>`;
  }
  return arrowTypeName(type);
}

function fieldName(field: Field): string {
  return `${field.name}: ${pyarrowTypeName(typeOf(field))}`;
}

/** An unscaled decimal integer's digits with the point put back `scale` places from the right. */
function scaled(unscaled: string, scale: number): string {
  const negative = unscaled.startsWith('-');
  const digits = (negative ? unscaled.slice(1) : unscaled).padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

/**
 * A value read from an apache-arrow vector, with DECIMALs as exact text (apache-arrow hands
 * them out as unscaled big integers) and nested values as plain arrays, Maps and objects.
 */
export function plainArrowValue(value: unknown, type: DataType): unknown {
  if (value === null || value === undefined) return null;
  if (DataType.isDecimal(type)) return scaled((value as { toString(): string }).toString(), type.scale);
  if (DataType.isList(type)) return [...(value as Iterable<unknown>)].map((v) => plainArrowValue(v, typeOf(type.children[0]!)));
  if (DataType.isStruct(type)) {
    const row = value as Record<string, unknown>;
    return Object.fromEntries(type.children.map((f) => [f.name, plainArrowValue(row[f.name], typeOf(f))]));
  }
  if (DataType.isMap(type)) {
    const [key, val] = typeOf(type.children[0]!).children as [Field, Field];
    const entries = [...(value as Iterable<[unknown, unknown]>)];
    return new Map(entries.map(([k, v]) => [plainArrowValue(k, typeOf(key)), plainArrowValue(v, typeOf(val))]));
  }
  return value;
}
