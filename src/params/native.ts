/**
 * Parameters as the server binds them (Spark protocol V8 and later): one TSparkParameter each,
 * the value as `stringValue` with the SQL type name in `type`, as the official clients send them.
 */
import { isUtf8 } from 'node:buffer';
import { TSparkParameter, TSparkParameterValue } from '../thrift/index.js';
import { InvalidArgumentError } from '../errors.js';
import { type NormalizedParam, type SqlParams, isPositional, normalizeParam } from './values.js';

/** Builds the Thrift parameters for ExecuteStatement. */
export function toSparkParameters(params: SqlParams): TSparkParameter[] {
  if (isPositional(params)) {
    return params.map((value, index) => sparkParameter(textual(value, `?${index + 1}`), { ordinal: index + 1 }));
  }
  return Object.entries(params).map(([name, value]) => sparkParameter(textual(value, `:${name}`), { name }));
}

function textual(value: Parameters<typeof normalizeParam>[0], label: string): NormalizedParam {
  const param = normalizeParam(value, label);
  if (param.bytes && !isUtf8(param.bytes)) {
    throw new InvalidArgumentError(
      label,
      `parameter ${label} is a Buffer that is not valid UTF-8, which a native parameter cannot carry; ` +
        "pass { type: 'STRING', value: buffer.toString('hex') } and unhex() it in SQL",
    );
  }
  return param;
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
