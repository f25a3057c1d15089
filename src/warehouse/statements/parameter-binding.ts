/**
 * Binds the parameters a client sends (TSparkParameter) to a prepared DuckDB statement, each
 * with its SQL type: DuckDB itself casts the text to that type, so a bad value fails as a cast
 * would. ARRAY, MAP and STRUCT parameters come as a tree of typed arguments (a MAP's are key,
 * value, key, value, ...); they are built as one DuckDB value from a list, map or struct
 * expression over their cast leaves, then bound like a scalar.
 */
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { parseSparkTypeName, SparkTypeError, SqlType, type SqlTypeDesc } from '../../spark-types/index.js';
import { SqlStatementError, sqlStateOf } from '../errors.js';

/** One element of a complex parameter (TSparkParameterValueArg). */
export interface ParameterArgument {
  /** SQL type name; may be absent on an element, which then takes the declared element type. */
  readonly type?: string;
  /** The value as text; absent for NULL or for a nested complex value. */
  readonly value?: string;
  /** The elements of a nested ARRAY, MAP or STRUCT. */
  readonly arguments?: readonly ParameterArgument[];
}

/** A statement parameter as a client sends it (TSparkParameter). */
export interface StatementParameter {
  /** Set for a named `:name` marker. */
  readonly name?: string;
  /** SQL type name: STRING, INT, DECIMAL(p,s), VOID, ... or ARRAY, MAP, STRUCT (bare or in full). */
  readonly type: string;
  /** The value as text; null for NULL (and for a complex value, which has `arguments`). */
  readonly value: string | null;
  /** The elements of an ARRAY, MAP or STRUCT parameter. */
  readonly arguments?: readonly ParameterArgument[];
}

/** Spark type names that DuckDB spells differently. */
const DUCKDB_TYPE_NAMES: Record<string, string> = {
  STRING: 'VARCHAR',
  BINARY: 'BLOB',
  TIMESTAMP_NTZ: 'TIMESTAMP',
  TIMESTAMP_LTZ: 'TIMESTAMPTZ',
  BYTE: 'TINYINT',
  SHORT: 'SMALLINT',
  LONG: 'BIGINT',
  INTEGER: 'INTEGER',
  INT: 'INTEGER',
  REAL: 'FLOAT',
};

const COMPLEX = /^(ARRAY|MAP|STRUCT)\b/;

export async function bindParameters(
  connection: DuckDBConnection,
  prepared: DuckDBPreparedStatement,
  parameters: readonly StatementParameter[],
): Promise<void> {
  const byMarker = parametersByMarker(parameters);
  for (let index = 1; index <= prepared.parameterCount; index++) {
    const marker = prepared.parameterName(index);
    const parameter = byMarker.get(marker);
    if (parameter === undefined) {
      const shown = /^\d+$/.test(marker) ? `positional parameter ${marker}` : `parameter :${marker}`;
      throw new SqlStatementError(`No value was given for ${shown}.`, '42P02');
    }
    await bindOne(connection, prepared, index, parameter);
  }
}

/**
 * Named parameters by name, the others by their place in the list ('1', '2', ...), as DuckDB
 * names its markers. `ordinal` is ignored: the Python connector sends it as a flag (1 on every
 * positional parameter).
 */
function parametersByMarker(parameters: readonly StatementParameter[]): Map<string, StatementParameter> {
  const byMarker = new Map<string, StatementParameter>();
  let position = 0;
  for (const p of parameters) {
    if (p.name !== undefined && p.name !== '') byMarker.set(p.name, p);
    else byMarker.set(String(++position), p);
  }
  return byMarker;
}

/**
 * The DuckDB type of each parameter that is a NULL of a named type (STRING, DATE,
 * ARRAY<INT>, ...), by marker. DuckDB's Node bindings bind only an untyped NULL, which DuckDB
 * then types as it likes (INTEGER); the translated statement casts these markers instead.
 * A bare ARRAY, MAP or STRUCT, VOID and NULL stay untyped.
 */
export function typedNullTypes(parameters: readonly StatementParameter[]): Map<string, string> {
  const types = new Map<string, string>();
  for (const [marker, parameter] of parametersByMarker(parameters)) {
    const typeName = parameter.type.trim();
    if (parameter.value !== null || parameter.arguments !== undefined) continue;
    if (typeName === '' || /^(VOID|NULL|ARRAY|MAP|STRUCT)$/i.test(typeName)) continue;
    types.set(marker, duckTypeOf(parsedType(typeName, parameter.name || marker)));
  }
  return types;
}

/** Binds one parameter: its value built by a one-row SELECT, then bound with that row's type. */
async function bindOne(
  connection: DuckDBConnection,
  prepared: DuckDBPreparedStatement,
  index: number,
  parameter: StatementParameter,
): Promise<void> {
  const label = parameter.name || String(index);
  const typeName = parameter.type.trim() || 'STRING';
  const complex = COMPLEX.test(typeName.toUpperCase()) || (parameter.arguments !== undefined && parameter.arguments.length > 0);
  // A NULL binds untyped; one with a type has its marker cast in the statement (typedNullTypes).
  if ((parameter.value === null && parameter.arguments === undefined) || (!complex && /^(VOID|NULL)$/i.test(typeName))) {
    prepared.bindNull(index);
    return;
  }
  const values: string[] = [];
  const expression = complex
    ? complexExpression({ type: typeName, arguments: parameter.arguments }, undefined, values, label)
    : scalarExpression(typeName.toUpperCase(), parameter.value, values, label);
  try {
    const cast = await connection.run(`SELECT ${expression}`, values);
    const chunk = await cast.fetchChunk();
    const value = chunk!.getColumnVector(0).getItem(0);
    prepared.bindValue(index, value, cast.columnType(0));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // DuckDB adds the internal SELECT with a caret under it, which names nothing the client sent.
    const reason = message.split('\n')[0];
    const what = complex
      ? `Parameter ${label} (${typeName.replace(/<.*/s, '').toUpperCase()}) has an element that is not valid: ${reason}`
      : `Parameter ${label} ('${parameter.value}') is not a valid ${typeName}: ${reason}`;
    throw new SqlStatementError(what, sqlStateOf(message) === '42601' ? '42704' : '22018');
  }
}

/** `CAST($n AS type)` with the text appended to `values` as $n; a typed NULL for no text. */
function scalarExpression(typeName: string, text: string | null | undefined, values: string[], label: string): string {
  if (typeName === 'VOID' || typeName === 'NULL') return 'NULL';
  const duckType = duckScalarType(typeName, label);
  if (text === null || text === undefined) return `CAST(NULL AS ${duckType})`;
  values.push(text);
  return `CAST($${values.length} AS ${duckType})`;
}

function duckScalarType(typeName: string, label: string): string {
  const match = /^([A-Z_]+)\s*(\(\s*\d+\s*(,\s*\d+\s*)?\))?$/.exec(typeName);
  if (!match) throw new SqlStatementError(`Parameter ${label} has an unsupported type '${typeName}'.`, '42704');
  return (DUCKDB_TYPE_NAMES[match[1]!] ?? match[1]!) + (match[2] ?? '');
}

/**
 * The DuckDB expression of one argument. `declared` is the type its container declares for it
 * (from a full type name such as ARRAY<INT>), used where the argument names none.
 */
function argumentExpression(
  argument: ParameterArgument,
  declared: SqlTypeDesc | undefined,
  values: string[],
  label: string,
): string {
  const typeName = (argument.type ?? declared?.typeName ?? 'STRING').trim();
  if (COMPLEX.test(typeName.toUpperCase()) || (argument.arguments !== undefined && argument.arguments.length > 0)) {
    return complexExpression({ ...argument, type: typeName }, declared, values, label);
  }
  return scalarExpression(typeName.toUpperCase(), argument.value, values, label);
}

/** An ARRAY, MAP or STRUCT built from its arguments, cast to its full type when that is known. */
function complexExpression(
  argument: ParameterArgument,
  declared: SqlTypeDesc | undefined,
  values: string[],
  label: string,
): string {
  const typeName = argument.type!;
  const kind = COMPLEX.exec(typeName.toUpperCase())?.[1] ?? declared?.typeId;
  const full = fullType(typeName, label) ?? declared;
  // No arguments at all (not an empty list) is a NULL of the type.
  if (argument.arguments === undefined) return withCast('NULL', full);
  const args = argument.arguments;
  switch (kind) {
    case 'ARRAY': {
      const items = args.map((a) => argumentExpression(a, full?.element, values, label));
      return withCast(`[${items.join(', ')}]`, full);
    }
    case 'MAP': {
      if (args.length % 2 !== 0) {
        throw new SqlStatementError(
          `Parameter ${label} is a MAP with ${args.length} arguments; keys and values alternate, so it needs an even number.`,
          '22023',
        );
      }
      const keys = args.filter((_, i) => i % 2 === 0).map((a) => argumentExpression(a, full?.key, values, label));
      const items = args.filter((_, i) => i % 2 === 1).map((a) => argumentExpression(a, full?.value, values, label));
      const map = args.length === 0 ? 'MAP()' : `MAP([${keys.join(', ')}], [${items.join(', ')}])`;
      return withCast(map, full);
    }
    case 'STRUCT': {
      const fields = full?.fields;
      if (fields !== undefined && fields.length !== args.length) {
        throw new SqlStatementError(
          `Parameter ${label} is a ${full!.typeName} with ${fields.length} fields but ${args.length} values were given.`,
          '22023',
        );
      }
      if (args.length === 0) throw new SqlStatementError(`Parameter ${label} is a STRUCT with no fields.`, '22023');
      // Without a declared type the fields are named as Spark's struct() names them: col1, col2, ...
      const parts = args.map((a, i) => {
        const name = fields?.[i]?.name ?? `col${i + 1}`;
        return `"${name.replaceAll('"', '""')}" := ${argumentExpression(a, fields?.[i]?.type, values, label)}`;
      });
      return `struct_pack(${parts.join(', ')})`;
    }
    default:
      throw new SqlStatementError(
        `Parameter ${label} has arguments but its type '${typeName}' is not ARRAY, MAP or STRUCT.`,
        '42704',
      );
  }
}

/** The full type of a name like ARRAY<INT>; undefined for a bare ARRAY, MAP or STRUCT. */
function fullType(typeName: string, label: string): SqlTypeDesc | undefined {
  return typeName.includes('<') ? parsedType(typeName, label) : undefined;
}

/** The type a Spark type name denotes, or an error naming the parameter. */
function parsedType(typeName: string, label: string): SqlTypeDesc {
  try {
    return parseSparkTypeName(typeName);
  } catch (error) {
    if (!(error instanceof SparkTypeError)) throw error;
    throw new SqlStatementError(`Parameter ${label} has an unsupported type '${typeName}': ${error.message}`, '42704');
  }
}

function withCast(expression: string, type: SqlTypeDesc | undefined): string {
  return type === undefined ? expression : `CAST(${expression} AS ${duckTypeOf(type)})`;
}

/** DuckDB's spelling of a full Spark type. */
function duckTypeOf(type: SqlTypeDesc): string {
  switch (type.typeId) {
    case SqlType.ARRAY:
      return `${duckTypeOf(type.element!)}[]`;
    case SqlType.MAP:
      return `MAP(${duckTypeOf(type.key!)}, ${duckTypeOf(type.value!)})`;
    case SqlType.STRUCT:
      return `STRUCT(${type.fields!.map((f) => `"${f.name.replaceAll('"', '""')}" ${duckTypeOf(f.type)}`).join(', ')})`;
    case SqlType.NULL:
      return 'INTEGER';
    case SqlType.INTERVAL:
      return 'INTERVAL';
    default:
      return duckScalarType(type.typeName, '');
  }
}
