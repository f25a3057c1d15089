/**
 * Brings an Arrow column the server sent into the canonical type of its SQL type
 * (src/spark-types/arrow-type.ts), so that results look the same however the server encoded them.
 *
 * Same physical layout (only names, nullability, decimal precision or time zone differ): the
 * buffers are reused under the canonical type. Otherwise (timestamps, decimals or nested
 * values sent as text, other units or widths) the values are read and rebuilt.
 */
import { Type, type Data, type DataType, type Decimal, type Int, type Float, type Timestamp } from 'apache-arrow';
import { buildData, typeOf } from '../../spark-types/index.js';
import { coerceValue } from '../text/coerce.js';
import { applyValidity, dataToValues, floorDiv } from '../rows/batch-to-rows.js';
import type { SqlTypeDesc } from '../types.js';

export function normaliseColumn(data: Data, target: DataType, type: SqlTypeDesc): Data {
  if (sameLayout(data.type, target)) return retype(data, target);
  if (data.type.typeId === Type.Timestamp && target.typeId === Type.Timestamp) return rescaleTimestamps(data, target);
  const values = dataToValues(data).map((value) => coerceValue(value, type));
  return buildData(target, values);
}

function sameLayout(a: DataType, b: DataType): boolean {
  if (a.typeId !== b.typeId) return false;
  switch (a.typeId) {
    case Type.Int:
      return (a as Int).bitWidth === (b as Int).bitWidth && (a as Int).isSigned === (b as Int).isSigned;
    case Type.Float:
      return (a as Float).precision === (b as Float).precision;
    case Type.Decimal:
      return (a as Decimal).scale === (b as Decimal).scale && (a as Decimal).bitWidth === (b as Decimal).bitWidth;
    case Type.Date:
    case Type.Timestamp:
      return (a as Timestamp).unit === (b as Timestamp).unit;
    case Type.List:
    case Type.Map:
    case Type.Struct:
      return (
        a.children.length === b.children.length &&
        a.children.every((field, i) => sameLayout(typeOf(field), typeOf(b.children[i]!)))
      );
    case Type.Bool:
    case Type.Utf8:
    case Type.Binary:
    case Type.Null:
      return true;
    default:
      return false;
  }
}

/** The same buffers under the canonical type (children too). */
function retype(data: Data, target: DataType): Data {
  const children = data.children.map((child, i) => retype(child, typeOf(target.children[i]!)));
  return data.clone(target, data.offset, data.length, data.nullCount, data.buffers, children);
}

const TICKS_PER_SECOND = [1n, 1_000n, 1_000_000n, 1_000_000_000n];

/** Timestamps in another unit, as canonical microseconds (finer units are floored). */
function rescaleTimestamps(data: Data, target: DataType): Data {
  const from = TICKS_PER_SECOND[(data.type as Timestamp).unit]!;
  const to = TICKS_PER_SECOND[(target as Timestamp).unit]!;
  const ticks = data.values as BigInt64Array;
  const values = new Array<bigint | null>(data.length);
  for (let i = 0; i < data.length; i++) values[i] = floorDiv(ticks[i]! * to, from);
  return buildData(target, applyValidity(data, values));
}
