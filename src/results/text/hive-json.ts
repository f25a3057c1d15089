/**
 * Reads nested values (ARRAY/MAP/STRUCT) sent as text, the way Spark's Thrift server writes
 * them: JSON, except that map keys may be bare numbers (`{1:"a"}`) and NaN/Infinity appear
 * unquoted. Numbers are kept as their text so that BIGINT and DECIMAL stay exact.
 */
import { TextValueError } from './hive-text.js';

/** A number as written in the text. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/** An object (map or struct) with its entries in text order; keys may be any value. */
export class JsonObject {
  constructor(readonly entries: ReadonlyArray<readonly [JsonValue, JsonValue]>) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonObject | JsonValue[];

const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|-?Infinity|NaN/y;
const WHITESPACE = /[ \t\r\n]*/y;

export function parseHiveJson(text: string): JsonValue {
  const parser = new Parser(text);
  const value = parser.value();
  parser.skipWhitespace();
  if (parser.pos !== text.length) parser.fail('unexpected text after the value');
  return value;
}

class Parser {
  pos = 0;

  constructor(private readonly text: string) {}

  value(): JsonValue {
    this.skipWhitespace();
    const c = this.text[this.pos];
    if (c === '[') return this.array();
    if (c === '{') return this.object();
    if (c === '"') return this.string();
    if (this.text.startsWith('null', this.pos)) return this.word('null', null);
    if (this.text.startsWith('true', this.pos)) return this.word('true', true);
    if (this.text.startsWith('false', this.pos)) return this.word('false', false);
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null) this.fail('expected a value');
    this.pos = NUMBER.lastIndex;
    return new JsonNumber(match[0]);
  }

  private array(): JsonValue[] {
    const items: JsonValue[] = [];
    this.pos++;
    if (this.peekAfterWhitespace() === ']') {
      this.pos++;
      return items;
    }
    for (;;) {
      items.push(this.value());
      if (this.separator(']')) return items;
    }
  }

  private object(): JsonObject {
    const entries: Array<readonly [JsonValue, JsonValue]> = [];
    this.pos++;
    if (this.peekAfterWhitespace() === '}') {
      this.pos++;
      return new JsonObject(entries);
    }
    for (;;) {
      const key = this.value();
      if (this.peekAfterWhitespace() !== ':') this.fail("expected ':'");
      this.pos++;
      entries.push([key, this.value()]);
      if (this.separator('}')) return new JsonObject(entries);
    }
  }

  private string(): string {
    // JSON.parse does the unescaping; we only find where the string ends.
    let end = this.pos + 1;
    while (end < this.text.length && this.text[end] !== '"') end += this.text[end] === '\\' ? 2 : 1;
    if (end >= this.text.length) this.fail('unterminated string');
    const literal = this.text.slice(this.pos, end + 1);
    this.pos = end + 1;
    return JSON.parse(literal) as string;
  }

  private word<T>(word: string, value: T): T {
    this.pos += word.length;
    return value;
  }

  /** Consumes ',' (returns false) or the closing bracket (returns true). */
  private separator(close: string): boolean {
    const c = this.peekAfterWhitespace();
    this.pos++;
    if (c === close) return true;
    if (c !== ',') this.fail(`expected ',' or '${close}'`);
    return false;
  }

  private peekAfterWhitespace(): string | undefined {
    this.skipWhitespace();
    return this.text[this.pos];
  }

  skipWhitespace(): void {
    WHITESPACE.lastIndex = this.pos;
    WHITESPACE.exec(this.text);
    this.pos = WHITESPACE.lastIndex;
  }

  fail(reason: string): never {
    throw new TextValueError(`'${excerpt(this.text)}' is not a valid nested value: ${reason} at character ${this.pos}`);
  }
}

/** A value's text cut to 80 characters, for messages. */
export function excerpt(text: string): string {
  return text.length > 80 ? text.slice(0, 77) + '...' : text;
}
