/**
 * Parameters as the server binds them (Spark protocol V8 and later): one TSparkParameter each,
 * the value as `stringValue` with the SQL type name in `type`, as the official clients send them.
 * An ARRAY or MAP goes as the Python connector sends it: type 'ARRAY' or 'MAP' and one typed
 * argument per element (a MAP's keys and values alternating). A STRUCT, which that connector
 * cannot send, goes alike with its full type ('STRUCT<a:INT,b:STRING>'), which names its fields.
 */
import { isUtf8 } from 'node:buffer';
import { TSparkParameter, TSparkParameterValue, TSparkParameterValueArg } from '../thrift/index.js';
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
  checkText(param, label);
  return param;
}

function checkText(param: NormalizedParam, label: string): void {
  param.elements?.forEach((element) => checkText(element, label));
  if (param.bytes && !isUtf8(param.bytes)) {
    throw new InvalidArgumentError(
      label,
      `parameter ${label} is a Buffer that is not valid UTF-8, which a native parameter cannot carry; ` +
        "pass { type: 'STRING', value: buffer.toString('hex') } and unhex() it in SQL",
    );
  }
}

function sparkParameter(param: NormalizedParam, position: { name?: string; ordinal?: number }): TSparkParameter {
  if (param.elements !== undefined) {
    return new TSparkParameter({ ...position, type: wireType(param.type), arguments: param.elements.map(valueArg) });
  }
  return new TSparkParameter({
    ...position,
    type: param.type,
    value: param.text === undefined ? undefined : new TSparkParameterValue({ stringValue: param.text }),
  });
}

function valueArg(param: NormalizedParam): TSparkParameterValueArg {
  if (param.elements !== undefined) {
    return new TSparkParameterValueArg({ type: wireType(param.type), arguments: param.elements.map(valueArg) });
  }
  return new TSparkParameterValueArg({ type: param.type, value: param.text });
}

/** 'ARRAY<INT>' goes as 'ARRAY' (its elements carry their types), a STRUCT with its field names. */
function wireType(type: string): string {
  return /^(ARRAY|MAP)\b/.exec(type)?.[1] ?? type;
}
