/**
 * ARRAY, MAP and STRUCT parameters: a JS array of one scalar kind is an ARRAY of that kind;
 * any other array, a Map or a plain object needs an explicit type ('ARRAY<DECIMAL(10,2)>',
 * 'MAP<STRING, INT>', 'STRUCT<id: BIGINT, tags: ARRAY<STRING>>'). Each element becomes one
 * typed argument of the parameter (a MAP's alternate key, value), as the official Python
 * connector sends them; labels in errors name the element (`:p[2]`, `:p.id`, `:p['k']`).
 */
import { InvalidArgumentError } from '../errors.js';
import { parseSparkTypeName, SparkTypeError, SqlType, type SqlTypeDesc } from '../spark-types/index.js';
import type { NormalizedParam } from './values.js';

/** Normalizes a scalar element given its SQL type name. */
type ScalarNormalizer = (type: string, value: unknown, label: string) => NormalizedParam;

/** A complex type from its name, or undefined when the name is not ARRAY<..>, MAP<..> or STRUCT<..>. */
export function complexTypeOf(typeName: string, label: string): SqlTypeDesc | undefined {
  if (!/^\s*(ARRAY|MAP|STRUCT)\s*</i.test(typeName)) return undefined;
  try {
    return parseSparkTypeName(typeName);
  } catch (error) {
    if (!(error instanceof SparkTypeError)) throw error;
    throw new InvalidArgumentError(
      label,
      `parameter ${label} has an invalid SQL type name ${JSON.stringify(typeName)}: ${error.message}`,
    );
  }
}

/** An ARRAY whose element type is inferred from a JS array of one scalar kind. */
export function inferredArray(values: readonly unknown[], label: string, scalar: ScalarNormalizer): NormalizedParam {
  const kinds = new Set(values.filter((v) => v !== null && v !== undefined).map(kindOf));
  const hint = `give it an explicit type, e.g. { type: 'ARRAY<STRING>', value: [...] }`;
  if (kinds.size === 0) {
    throw new InvalidArgumentError(
      label,
      `parameter ${label} is an array with no non-null element to infer its type from; ${hint}`,
    );
  }
  if (kinds.size > 1) {
    throw new InvalidArgumentError(label, `parameter ${label} is an array of mixed kinds (${[...kinds].join(', ')}); ${hint}`);
  }
  const [kind] = kinds;
  const element = ELEMENT_TYPES[kind!]?.(values);
  if (element === undefined) {
    throw new InvalidArgumentError(
      label,
      `parameter ${label} is an array of ${kind} values, whose element type cannot be inferred; ${hint}`,
    );
  }
  return complexParam(parseSparkTypeName(`ARRAY<${element}>`), values, label, scalar);
}

/** An ARRAY, MAP or STRUCT value of the given type, each element typed by it. */
export function complexParam(type: SqlTypeDesc, value: unknown, label: string, scalar: ScalarNormalizer): NormalizedParam {
  switch (type.typeId) {
    case SqlType.ARRAY: {
      if (!Array.isArray(value)) throw wrongShape(label, type, 'an array', value);
      const elements = value.map((v: unknown, i) => elementParam(type.element!, v, `${label}[${i}]`, scalar));
      return { type: type.typeName, text: undefined, elements };
    }
    case SqlType.MAP: {
      const entries = mapEntries(value);
      if (entries === undefined) throw wrongShape(label, type, 'a Map or a plain object', value);
      const elements = entries.flatMap(([k, v]) => {
        const at = `${label}[${JSON.stringify(typeof k === 'bigint' ? k.toString() : k)}]`;
        if (k === null || k === undefined)
          throw new InvalidArgumentError(label, `parameter ${label} has a null MAP key, which SQL maps cannot hold`);
        return [elementParam(type.key!, k, at, scalar), elementParam(type.value!, v, at, scalar)];
      });
      return { type: type.typeName, text: undefined, elements };
    }
    case SqlType.STRUCT: {
      if (!isPlainObject(value)) throw wrongShape(label, type, 'a plain object', value);
      const fields = type.fields!;
      const unknown = Object.keys(value).filter((k) => !fields.some((f) => f.name === k));
      if (unknown.length > 0) {
        throw new InvalidArgumentError(
          label,
          `parameter ${label} has field ${unknown.map((k) => `'${k}'`).join(', ')} that ${type.typeName} does not declare`,
        );
      }
      // A field left out is NULL, as in a struct built with NULL for it.
      const elements = fields.map((f) => elementParam(f.type, value[f.name], `${label}.${f.name}`, scalar));
      return { type: type.typeName, text: undefined, elements };
    }
    default:
      return scalar(type.typeName, value, label);
  }
}

function elementParam(type: SqlTypeDesc, value: unknown, label: string, scalar: ScalarNormalizer): NormalizedParam {
  if (value === null || value === undefined) return { type: type.typeName, text: undefined };
  return complexParam(type, value, label, scalar);
}

/** Spark element types by JS kind, from the values (numbers widen to BIGINT or DOUBLE as needed). */
const ELEMENT_TYPES: Record<string, (values: readonly unknown[]) => string> = {
  string: () => 'STRING',
  boolean: () => 'BOOLEAN',
  bigint: () => 'BIGINT',
  Date: () => 'TIMESTAMP',
  number: (values) => {
    const numbers = values.filter((v): v is number => typeof v === 'number');
    if (!numbers.every(Number.isSafeInteger)) return 'DOUBLE';
    return numbers.every((n) => n >= -(2 ** 31) && n < 2 ** 31) ? 'INT' : 'BIGINT';
  },
};

function kindOf(value: unknown): string {
  if (value instanceof Date) return 'Date';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

function mapEntries(value: unknown): Array<[unknown, unknown]> | undefined {
  if (value instanceof Map) return [...(value as Map<unknown, unknown>).entries()];
  if (isPlainObject(value)) return Object.entries(value);
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function wrongShape(label: string, type: SqlTypeDesc, wanted: string, value: unknown): InvalidArgumentError {
  return new InvalidArgumentError(
    label,
    `parameter ${label} is a ${type.typeName}, which takes ${wanted}, but got ${kindOf(value)}`,
  );
}
