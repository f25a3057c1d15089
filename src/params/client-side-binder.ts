/**
 * Binds parameters into the SQL text, for servers without native parameters (HiveServer2 and
 * the Spark Thrift server answer with a HIVE protocol version). Values become SQL literals with
 * Spark/Hive escaping; placeholders inside string literals, quoted identifiers, comments and
 * `::` casts are left alone.
 */
import { InvalidArgumentError } from '../errors.js';
import { parseSparkTypeName } from '../spark-types/index.js';
import { type NormalizedParam, type SqlParams, isPositional, normalizeParam } from './values.js';

/** Returns `sql` with every `:name` (named params) or `?` (positional params) replaced by a literal. */
export function bindParametersClientSide(sql: string, params: SqlParams): string {
  const positional = isPositional(params);
  let out = '';
  let nextPositional = 0;
  let i = 0;
  while (i < sql.length) {
    const skipped = skipInert(sql, i);
    if (skipped > i) {
      out += sql.slice(i, skipped);
      i = skipped;
      continue;
    }
    const ch = sql[i];
    if (positional && ch === '?') {
      if (nextPositional >= params.length) {
        throw new InvalidArgumentError(
          'params',
          `the statement has more '?' placeholders than the ${params.length} parameters given`,
        );
      }
      const label = `?${nextPositional + 1}`;
      out += toLiteral(normalizeParam(params[nextPositional], label));
      nextPositional++;
      i++;
      continue;
    }
    if (!positional && ch === ':' && isNameStart(sql[i + 1]) && !isNamePart(sql[i - 1])) {
      let end = i + 2;
      while (end < sql.length && isNamePart(sql[end])) end++;
      const name = sql.slice(i + 1, end);
      const named = params;
      if (!Object.prototype.hasOwnProperty.call(named, name)) {
        throw new InvalidArgumentError(name, `the statement uses :${name} but no parameter named '${name}' was given`);
      }
      out += toLiteral(normalizeParam(named[name], `:${name}`));
      i = end;
      continue;
    }
    out += ch;
    i++;
  }
  if (positional && nextPositional < params.length) {
    throw new InvalidArgumentError(
      'params',
      `${params.length} parameters were given but the statement has ${nextPositional} '?' placeholders`,
    );
  }
  return out;
}

/** Index just past a string literal, quoted identifier, comment or `::` starting at `i`; `i` if none. */
function skipInert(sql: string, i: number): number {
  const ch = sql[i];
  if (ch === "'" || ch === '"' || ch === '`') return skipQuoted(sql, i, ch);
  if (ch === '-' && sql[i + 1] === '-') {
    const end = sql.indexOf('\n', i);
    return end === -1 ? sql.length : end + 1;
  }
  if (ch === '/' && sql[i + 1] === '*') {
    const end = sql.indexOf('*/', i + 2);
    return end === -1 ? sql.length : end + 2;
  }
  if (ch === ':' && sql[i + 1] === ':') return i + 2;
  return i;
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === '\\' && quote !== '`') {
      i += 2;
      continue;
    }
    if (ch === quote) {
      // A doubled quote is an escaped quote inside the literal.
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

function isNameStart(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z_]/.test(ch);
}

function isNamePart(ch: string | undefined): boolean {
  return ch !== undefined && /[A-Za-z0-9_]/.test(ch);
}

/** A Spark/Hive SQL literal for a normalized parameter. */
function toLiteral(param: NormalizedParam): string {
  const { type, text, bytes, elements } = param;
  if (elements !== undefined) return complexLiteral(type, elements);
  if (bytes) return type === 'BINARY' ? `X'${bytes.toString('hex')}'` : `CAST(X'${bytes.toString('hex')}' AS ${type})`;
  if (text === undefined) return type === 'VOID' ? 'NULL' : `CAST(NULL AS ${type})`;
  switch (type) {
    case 'STRING':
      return quote(text);
    case 'INT':
      return text;
    case 'BIGINT':
      return `CAST(${text} AS BIGINT)`;
    case 'DOUBLE':
      return `CAST(${quote(text)} AS DOUBLE)`;
    case 'BOOLEAN':
      return text === 'true' ? 'TRUE' : 'FALSE';
    default:
      return `CAST(${quote(text)} AS ${type})`;
  }
}

/** array(...), map(k, v, ...) or named_struct('field', v, ...), cast to the full type. */
function complexLiteral(type: string, elements: readonly NormalizedParam[]): string {
  const items = elements.map(toLiteral);
  if (type.startsWith('STRUCT')) {
    const names = parseSparkTypeName(type).fields!.map((f) => quote(f.name));
    return `CAST(named_struct(${items.map((item, i) => `${names[i]}, ${item}`).join(', ')}) AS ${type})`;
  }
  return `CAST(${type.startsWith('MAP') ? 'map' : 'array'}(${items.join(', ')}) AS ${type})`;
}

/** A single-quoted literal: backslash and quote are escaped with a backslash (Spark and Hive rules). */
function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
