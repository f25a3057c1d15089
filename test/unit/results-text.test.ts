/**
 * The text forms of values (Spark's DECIMAL, DATE, TIMESTAMP text and nested JSON) and the
 * calendar arithmetic behind DATE, checked against JS Date as an independent oracle.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { coerceValue } from '../../src/results/text/coerce.js';
import { JsonNumber, JsonObject, parseHiveJson } from '../../src/results/text/hive-json.js';
import { parseDate, parseDecimal, parseTimestamp } from '../../src/results/text/hive-text.js';
import {
  daysFromCivil,
  formatDate as formatDays,
  formatDecimal,
  formatTimestamp,
  SqlType,
  type SqlTypeDesc,
} from '../../src/spark-types/index.js';

const MS_PER_DAY = 86_400_000;

describe('calendar', () => {
  it('agrees with JS Date from year 1 to 9999, before 1970 included', () => {
    const start = Math.round(new Date('0001-01-01T00:00:00Z').getTime() / MS_PER_DAY);
    const end = Math.round(new Date('9999-12-31T00:00:00Z').getTime() / MS_PER_DAY);
    assert.equal(formatDays(start), '0001-01-01');
    for (let days = start; days <= end; days += 97) {
      const iso = new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
      assert.equal(formatDays(days), iso);
      const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
      assert.equal(daysFromCivil(y, m, d), days);
    }
    assert.equal(formatDays(-1), '1969-12-31');
    assert.equal(formatDays(0), '1970-01-01');
    assert.equal(daysFromCivil(2024, 2, 29), 19782);
  });
});

describe('Spark text values', () => {
  it('reads decimals exactly at the column scale', () => {
    assert.equal(parseDecimal('12.3', 2), 1230n);
    assert.equal(parseDecimal('-0.05', 2), -5n);
    assert.equal(parseDecimal('42', 0), 42n);
    assert.equal(parseDecimal('+7.', 1), 70n);
    assert.equal(parseDecimal('1.5E+3', 0), 1500n);
    assert.equal(parseDecimal('1.25', 1), 13n); // half away from zero
    assert.equal(parseDecimal('-1.25', 1), -13n);
    assert.equal(parseDecimal('-1.24', 1), -12n);
    assert.equal(parseDecimal('99999999999999999999999999999999999999', 0), 10n ** 38n - 1n);
    assert.throws(() => parseDecimal('12,3', 2), /'12,3' is not a decimal number/);
    assert.throws(() => parseDecimal('', 2), /not a decimal/);
  });

  it('writes decimals with exactly the scale digits', () => {
    assert.equal(formatDecimal(1230n, 2), '12.30');
    assert.equal(formatDecimal(-5n, 2), '-0.05');
    assert.equal(formatDecimal(0n, 3), '0.000');
    assert.equal(formatDecimal(-42n, 0), '-42');
    assert.equal(formatDecimal(-(10n ** 38n - 1n), 38), '-0.' + '9'.repeat(38));
  });

  it('reads dates and timestamps, keeping microseconds and pre-1970 instants', () => {
    assert.equal(parseDate('1969-12-31'), -1);
    assert.equal(parseDate('0001-01-01'), daysFromCivil(1, 1, 1));
    assert.equal(parseTimestamp('1970-01-01 00:00:00'), 0n);
    assert.equal(parseTimestamp('1969-12-31 23:59:59.999999'), -1n);
    assert.equal(parseTimestamp('2024-01-02 03:04:05.123456'), 1704164645123456n);
    assert.equal(parseTimestamp('2024-01-02T03:04:05.1234569Z'), 1704164645123456n);
    assert.equal(parseTimestamp('2024-01-02 05:04:05+02:00'), 1704164645000000n);
    assert.equal(parseTimestamp('2024-01-02'), 1704153600000000n);
    assert.equal(parseTimestamp('9999-12-31 23:59:59.999999'), 253402300799999999n); // beyond 2^53 micros
    assert.equal(parseTimestamp('0001-01-01 00:00:00.5'), -62135596800000000n + 500000n);
    assert.throws(() => parseDate('2024/01/02'), /'2024\/01\/02' is not a date/);
    assert.throws(() => parseTimestamp('yesterday'), /'yesterday' is not a timestamp/);
  });

  it('reads timestamps like JS Date does, across centuries and fraction lengths', () => {
    for (let k = 0; k < 2000; k++) {
      const ms = Math.round((k / 2000 - 0.3) * 1e13); // about 1875 to 2287
      const extraMicros = (k * 7919) % 1000;
      const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
      const digits = String(extraMicros).padStart(3, '0');
      const fraction = (iso.slice(20, 23) + digits).slice(0, 1 + (k % 6)); // 1 to 6 digits
      const text = `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${fraction}`;
      const expected = BigInt(Math.floor(ms / 1000)) * 1_000_000n + BigInt(fraction.padEnd(6, '0'));
      assert.equal(parseTimestamp(text), expected, text);
    }
  });

  it('writes timestamps as Spark casts them and reads its own text back exactly', () => {
    assert.equal(formatTimestamp(0n), '1970-01-01 00:00:00');
    assert.equal(formatTimestamp(-1n), '1969-12-31 23:59:59.999999');
    assert.equal(formatTimestamp(1704164645120000n), '2024-01-02 03:04:05.12');
    for (let k = 0; k < 2000; k++) {
      const micros = BigInt(Math.round((k / 2000 - 0.5) * 2e17)) + BigInt(k * 7919); // years ~-1200 to 5100
      assert.equal(parseTimestamp(formatTimestamp(micros)), micros, String(micros));
    }
  });
});

describe('nested values as text', () => {
  it('keeps numbers as written and accepts bare map keys', () => {
    const parsed = parseHiveJson(' {1: [9007199254740993, -1.50e2, NaN], "k" : {"a":null,"b":true}} ');
    assert.ok(parsed instanceof JsonObject);
    const [[key, list], [name, inner]] = parsed.entries as [[JsonNumber, JsonNumber[]], [string, JsonObject]];
    assert.equal(key.text, '1');
    assert.deepEqual(
      list.map((n) => n.text),
      ['9007199254740993', '-1.50e2', 'NaN'],
    );
    assert.equal(name, 'k');
    assert.deepEqual(inner.entries, [
      ['a', null],
      ['b', true],
    ]);
    assert.deepEqual(parseHiveJson('"a \\"q\\" \\u00e9"'), 'a "q" é');
  });

  it('names what is wrong in malformed text', () => {
    assert.throws(() => parseHiveJson('[1,2'), /'\[1,2' is not a valid nested value: expected ',' or '\]'/);
    assert.throws(() => parseHiveJson('{"a" 1}'), /expected ':'/);
    assert.throws(() => parseHiveJson('[1] x'), /unexpected text after the value/);
    assert.throws(() => parseHiveJson('"open'), /unterminated string/);
  });

  it('converts nested text to the values of its type', () => {
    const int: SqlTypeDesc = { typeId: SqlType.INT, typeName: 'INT' };
    const type: SqlTypeDesc = {
      typeId: SqlType.MAP,
      typeName: 'MAP<INT,STRUCT<b:BINARY,x:DOUBLE>>',
      key: int,
      value: {
        typeId: SqlType.STRUCT,
        typeName: 'STRUCT<b:BINARY,x:DOUBLE>',
        fields: [
          { name: 'b', type: { typeId: SqlType.BINARY, typeName: 'BINARY' } },
          { name: 'x', type: { typeId: SqlType.DOUBLE, typeName: 'DOUBLE' } },
        ],
      },
    };
    // Map keys quoted (to_json) or bare (Hive), binary as base64, non-finite floats as strings.
    assert.deepStrictEqual(coerceValue('{"1":{"b":"AAH/","x":"NaN"},2:{"x":-Infinity}}', type), [
      [1, { b: Buffer.from([0, 1, 255]), x: NaN }],
      [2, { b: null, x: -Infinity }],
    ]);
    assert.throws(() => coerceValue('[1]', type), /expected an object for MAP<INT,STRUCT<b:BINARY,x:DOUBLE>>/);
    assert.throws(() => coerceValue('{"one":null}', type), /'one' is not a INT/);
  });
});
