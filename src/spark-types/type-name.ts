/**
 * Spark SQL type names, both ways: parses the text a server puts in the Arrow field metadata
 * `Spark:DataType:SqlName` ('ARRAY<INT>', 'MAP<STRING, BIGINT>', 'STRUCT<`a b`: INT, c: STRING>')
 * into a full type, and writes the one canonical name every ColumnInfo.typeName uses, so a
 * type reads the same whether it came from the Thrift type tree or from that metadata.
 *
 * Accepted: any case, whitespace anywhere between tokens, Spark's aliases (INTEGER, LONG,
 * DEC, TIMESTAMP_NTZ, ...), DECIMAL with 0, 1 or 2 arguments, VARCHAR(n)/CHAR(n) as STRING,
 * INTERVAL qualifiers, struct fields as `name: T` or `name T`, backticked names (`` doubles a
 * backtick), and a trailing NOT NULL or COMMENT '...' on a field.
 */
import { SCALAR, SparkTypeError, SqlType, type SqlTypeDesc } from './sql-type.js';

/** Spark's DECIMAL without arguments. */
export const DEFAULT_DECIMAL_PRECISION = 10;
export const DEFAULT_DECIMAL_SCALE = 0;

const SIMPLE = new Map<string, SqlTypeDesc>([
  ['BOOLEAN', SCALAR.BOOLEAN],
  ['TINYINT', SCALAR.TINYINT],
  ['BYTE', SCALAR.TINYINT],
  ['SMALLINT', SCALAR.SMALLINT],
  ['SHORT', SCALAR.SMALLINT],
  ['INT', SCALAR.INT],
  ['INTEGER', SCALAR.INT],
  ['BIGINT', SCALAR.BIGINT],
  ['LONG', SCALAR.BIGINT],
  ['FLOAT', SCALAR.FLOAT],
  ['REAL', SCALAR.FLOAT],
  ['DOUBLE', SCALAR.DOUBLE],
  ['STRING', SCALAR.STRING],
  ['VARCHAR', SCALAR.STRING],
  ['CHAR', SCALAR.STRING],
  ['BINARY', SCALAR.BINARY],
  ['DATE', SCALAR.DATE],
  ['TIMESTAMP', SCALAR.TIMESTAMP],
  ['TIMESTAMP_LTZ', SCALAR.TIMESTAMP],
  ['TIMESTAMP_NTZ', SCALAR.TIMESTAMP],
  ['VOID', SCALAR.VOID],
  ['NULL', SCALAR.VOID],
]);

const DECIMAL_NAMES = new Set(['DECIMAL', 'DEC', 'NUMERIC']);
const INTERVAL_UNITS = new Set(['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'TO']);

/**
 * The full type a Spark type name denotes.
 * @throws SparkTypeError naming the text when it is not a type name.
 */
export function parseSparkTypeName(text: string): SqlTypeDesc {
  const parser = new TypeNameParser(text);
  const type = parser.type();
  parser.end();
  return type;
}

/** DECIMAL(p,s) with its checks. */
export function decimalType(precision: number, scale: number): SqlTypeDesc {
  if (!(
    Number.isInteger(precision) &&
    Number.isInteger(scale) &&
    precision >= 1 &&
    precision <= 38 &&
    scale >= 0 &&
    scale <= precision
  )) {
    throw new SparkTypeError(`DECIMAL(${precision},${scale}) is not a valid decimal type.`);
  }
  return { typeId: SqlType.DECIMAL, typeName: `DECIMAL(${precision},${scale})`, precision, scale };
}

export function arrayType(element: SqlTypeDesc): SqlTypeDesc {
  return { typeId: SqlType.ARRAY, typeName: `ARRAY<${element.typeName}>`, element };
}

export function mapType(key: SqlTypeDesc, value: SqlTypeDesc): SqlTypeDesc {
  return { typeId: SqlType.MAP, typeName: `MAP<${key.typeName},${value.typeName}>`, key, value };
}

export function structType(fields: ReadonlyArray<{ name: string; type: SqlTypeDesc }>): SqlTypeDesc {
  const inner = fields.map((f) => `${quoteFieldName(f.name)}:${f.type.typeName}`).join(',');
  return { typeId: SqlType.STRUCT, typeName: `STRUCT<${inner}>`, fields };
}

/** A field name as it appears in a type name: backticked (as Spark does) unless a plain identifier. */
function quoteFieldName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : '`' + name.replaceAll('`', '``') + '`';
}

/**
 * An ARRAY, MAP or STRUCT whose parts the server did not say (Spark's Thrift server describes
 * them with a bare ARRAY_TYPE/MAP_TYPE/STRUCT_TYPE id); its values stay the server's JSON text.
 */
export function isOpaqueComplex(type: SqlTypeDesc): boolean {
  switch (type.typeId) {
    case SqlType.ARRAY:
      return type.element === undefined;
    case SqlType.MAP:
      return type.key === undefined || type.value === undefined;
    case SqlType.STRUCT:
      return type.fields === undefined;
    default:
      return false;
  }
}

class TypeNameParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  type(): SqlTypeDesc {
    const word = this.word().toUpperCase();
    if (word === 'ARRAY') {
      this.expect('<');
      const element = this.type();
      this.expect('>');
      return arrayType(element);
    }
    if (word === 'MAP') {
      this.expect('<');
      const key = this.type();
      this.expect(',');
      const value = this.type();
      this.expect('>');
      return mapType(key, value);
    }
    if (word === 'STRUCT') return this.struct();
    if (DECIMAL_NAMES.has(word)) {
      const args = this.arguments();
      if (args.length > 2) this.fail('DECIMAL takes at most two arguments');
      return decimalType(args[0] ?? DEFAULT_DECIMAL_PRECISION, args[1] ?? DEFAULT_DECIMAL_SCALE);
    }
    if (word === 'INTERVAL') return this.interval();
    const simple = SIMPLE.get(word);
    if (simple === undefined) this.fail(`unknown type '${word}'`);
    if (word === 'VARCHAR' || word === 'CHAR') this.arguments();
    return { ...simple };
  }

  end(): void {
    this.skipSpaces();
    if (this.pos !== this.text.length) this.fail('unexpected text after the type');
  }

  private struct(): SqlTypeDesc {
    this.expect('<');
    const fields: Array<{ name: string; type: SqlTypeDesc }> = [];
    if (this.peek() === '>') {
      this.pos++;
      return structType(fields);
    }
    for (;;) {
      const name = this.fieldName();
      if (this.peek() === ':') this.pos++;
      fields.push({ name, type: this.type() });
      this.fieldOptions();
      if (this.peek() === '>') {
        this.pos++;
        return structType(fields);
      }
      this.expect(',');
    }
  }

  /** Skips NOT NULL and COMMENT '...' after a struct field's type. */
  private fieldOptions(): void {
    for (;;) {
      const rest = this.text.slice(this.pos);
      const notNull = /^\s*NOT\s+NULL\b/i.exec(rest);
      const comment = /^\s*COMMENT\s+'(?:[^'\\]|\\.)*'/i.exec(rest);
      const match = notNull ?? comment;
      if (match === null) return;
      this.pos += match[0].length;
    }
  }

  private fieldName(): string {
    this.skipSpaces();
    if (this.text[this.pos] === '`') {
      let name = '';
      for (let i = this.pos + 1; i < this.text.length; i++) {
        if (this.text[i] !== '`') {
          name += this.text[i];
        } else if (this.text[i + 1] === '`') {
          name += '`';
          i++;
        } else {
          this.pos = i + 1;
          return name;
        }
      }
      this.fail('unterminated backticked field name');
    }
    const match = /^[^\s:`<>,()]+/.exec(this.text.slice(this.pos));
    if (match === null) this.fail('expected a field name');
    this.pos += match[0].length;
    return match[0];
  }

  /** INTERVAL with its unit words, e.g. 'INTERVAL DAY TO SECOND'. */
  private interval(): SqlTypeDesc {
    const units: string[] = [];
    for (;;) {
      const save = this.pos;
      const unit = /^\s*([A-Za-z]+)/.exec(this.text.slice(this.pos));
      if (unit === null || !INTERVAL_UNITS.has(unit[1]!.toUpperCase())) {
        this.pos = save;
        break;
      }
      units.push(unit[1]!.toUpperCase());
      this.pos += unit[0].length;
    }
    return { typeId: SqlType.INTERVAL, typeName: ['INTERVAL', ...units].join(' ') };
  }

  /** '(n, m)' after a type word, or nothing. */
  private arguments(): number[] {
    if (this.peek() !== '(') return [];
    this.pos++;
    const args: number[] = [];
    for (;;) {
      this.skipSpaces();
      const digits = /^\d+/.exec(this.text.slice(this.pos));
      if (digits === null) this.fail('expected a number');
      args.push(Number(digits[0]));
      this.pos += digits[0].length;
      if (this.peek() === ')') {
        this.pos++;
        return args;
      }
      this.expect(',');
    }
  }

  private word(): string {
    this.skipSpaces();
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (match === null) this.fail('expected a type');
    this.pos += match[0].length;
    return match[0];
  }

  private expect(token: string): void {
    if (this.peek() !== token) this.fail(`expected '${token}'`);
    this.pos++;
  }

  private peek(): string | undefined {
    this.skipSpaces();
    return this.text[this.pos];
  }

  private skipSpaces(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private fail(reason: string): never {
    throw new SparkTypeError(`'${this.text}' is not a Spark type name: ${reason} at character ${this.pos}.`);
  }
}
