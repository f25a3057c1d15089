/**
 * DuckDB's errors as Databricks words them: the Databricks error class in brackets first
 * (`[CAST_INVALID_INPUT] ...`), DuckDB's own text after it, the SQLSTATE Databricks gives.
 * DuckDB's "LINE 1: ..." excerpt is dropped: it shows the translated text, not the user's.
 */
import { SqlStatementError, sqlStateOf } from '../errors.js';

/** [pattern on DuckDB's message, Databricks error class, SQLSTATE]; the first match wins. */
const CLASSES: readonly [RegExp, string, string][] = [
  [/^Conversion Error: .*(?:convert|cast)/i, 'CAST_INVALID_INPUT', '22018'],
  // A string that is no date or timestamp: Databricks' CAST (and to_date, to_timestamp without a
  // pattern) says CAST_INVALID_INPUT, 22018; parsing with a pattern says CANNOT_PARSE_TIMESTAMP.
  [
    /^Conversion Error: (?:date|timestamp|time)\b.*field|^Conversion Error: invalid (?:date|timestamp|time)/i,
    'CAST_INVALID_INPUT',
    '22018',
  ],
  [/^Invalid Input Error: Could not parse string .* according to format specifier/i, 'CANNOT_PARSE_TIMESTAMP', '22007'],
  [/^Out of Range Error: .*(?:overflow|out of range)/i, 'ARITHMETIC_OVERFLOW', '22003'],
  [/Division by zero|DIVIDE_BY_ZERO/i, 'DIVIDE_BY_ZERO', '22012'],
  [/^Catalog Error: (?:Table|View) with name/i, 'TABLE_OR_VIEW_NOT_FOUND', '42P01'],
  [/^Catalog Error: Schema with name/i, 'SCHEMA_NOT_FOUND', '3F000'],
  [/^Catalog Error: (?:Scalar |Aggregate |Table )?Function with name/i, 'UNRESOLVED_ROUTINE', '42883'],
  [/^Catalog Error: .*already exists/i, 'TABLE_OR_VIEW_ALREADY_EXISTS', '42P07'],
  [/^Binder Error: Referenced column .* not found/i, 'UNRESOLVED_COLUMN', '42703'],
  [/^Binder Error: .*must appear in the GROUP BY/i, 'MISSING_AGGREGATION', '42803'],
  [/^Parser Error/i, 'PARSE_SYNTAX_ERROR', '42601'],
  [/^Not implemented Error/i, 'UNSUPPORTED_FEATURE', '0A000'],
  [/^Constraint Error/i, 'CONSTRAINT_VIOLATION', '23000'],
  [/^Interrupt/i, 'OPERATION_CANCELED', '57014'],
  [/Current transaction is aborted/i, 'TRANSACTION_ROLLBACK_REQUIRED_AFTER_ABORT', '40000'],
];

/** The SqlStatementError a client sees for a DuckDB error (or the error itself if it is one). */
export function databricksErrorOf(error: unknown): SqlStatementError {
  if (error instanceof SqlStatementError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw.replace(/\n+LINE \d+:[\s\S]*$/, '').trim();
  if (/^\[[A-Z_]+\]/.test(message)) return new SqlStatementError(message, sqlStateOf(message));
  for (const [pattern, errorClass, sqlState] of CLASSES) {
    if (pattern.test(message)) return new SqlStatementError(`[${errorClass}] ${message}`, sqlState);
  }
  return new SqlStatementError(message, sqlStateOf(message));
}
