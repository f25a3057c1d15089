/**
 * Typed access to arrow-js values its declarations leave as `any`: a `Field`'s type (Field's
 * generic defaults to `any`) and a type's printable name.
 */
import type { DataType, Field } from 'apache-arrow';

/** The type of a field or child field. */
export function typeOf(field: Field): DataType {
  return field.type as DataType;
}

/** Arrow's name for a type ('Int32', 'Timestamp<MICROSECOND>'): every concrete type defines toString. */
export function arrowTypeName(type: DataType): string {
  return (type as DataType & { toString(): string }).toString();
}
