/**
 * Parameters as the server binds them (Spark protocol V8 and later): one TSparkParameter each,
 * the value as `stringValue` with the SQL type name in `type`, as the official clients send them.
 */
import { TSparkParameter, TSparkParameterValue } from '../thrift/index.js';
import { type SqlParams, isPositional, normalizeParam } from './values.js';

/** Builds the Thrift parameters for ExecuteStatement. */
export function toSparkParameters(params: SqlParams): TSparkParameter[] {
  if (isPositional(params)) {
    return params.map((value, index) => sparkParameter(normalizeParam(value, `?${index + 1}`), { ordinal: index + 1 }));
  }
  return Object.entries(params).map(([name, value]) => sparkParameter(normalizeParam(value, `:${name}`), { name }));
}

function sparkParameter(
  param: { type: string; text: string | undefined },
  position: { name?: string; ordinal?: number },
): TSparkParameter {
  return new TSparkParameter({
    ...position,
    type: param.type,
    value: param.text === undefined ? undefined : new TSparkParameterValue({ stringValue: param.text }),
  });
}
