/**
 * The Spark type-name parser that reads `Spark:DataType:SqlName` from Arrow field metadata:
 * what it accepts (Databricks' and Spark's spellings), the canonical name it gives back, and
 * the errors for text that is not a type.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isOpaqueComplex, parseSparkTypeName, SparkTypeError, SqlType, type SqlTypeDesc } from '../../src/spark-types/index.js';
import { ALL_TYPES } from '../support/results-all-types.js';

/** The type as a compact tree, to compare structure and not only the name. */
function shape(type: SqlTypeDesc): unknown {
  switch (type.typeId) {
    case SqlType.ARRAY:
      return { array: shape(type.element!) };
    case SqlType.MAP:
      return { map: [shape(type.key!), shape(type.value!)] };
    case SqlType.STRUCT:
      return { struct: type.fields!.map((f) => [f.name, shape(f.type)]) };
    case SqlType.DECIMAL:
      return `DECIMAL ${type.precision} ${type.scale}`;
    default:
      return type.typeId;
  }
}

describe('parseSparkTypeName', () => {
  it('reads every type name the decoder itself writes back to the same name', () => {
    for (const { typeName } of ALL_TYPES) {
      assert.equal(parseSparkTypeName(typeName).typeName, typeName);
    }
  });

  it('reads simple types and Spark aliases in any case', () => {
    const cases: Array<[string, string, SqlType]> = [
      ['boolean', 'BOOLEAN', SqlType.BOOLEAN],
      ['byte', 'TINYINT', SqlType.TINYINT],
      ['Short', 'SMALLINT', SqlType.SMALLINT],
      ['integer', 'INT', SqlType.INT],
      ['LONG', 'BIGINT', SqlType.BIGINT],
      ['real', 'FLOAT', SqlType.FLOAT],
      ['double', 'DOUBLE', SqlType.DOUBLE],
      ['VARCHAR(10)', 'STRING', SqlType.STRING],
      ['char(3)', 'STRING', SqlType.STRING],
      ['binary', 'BINARY', SqlType.BINARY],
      ['date', 'DATE', SqlType.DATE],
      ['TIMESTAMP_NTZ', 'TIMESTAMP', SqlType.TIMESTAMP],
      ['void', 'VOID', SqlType.NULL],
      ['interval day to second', 'INTERVAL DAY TO SECOND', SqlType.INTERVAL],
      ['  INT  ', 'INT', SqlType.INT],
    ];
    for (const [text, typeName, typeId] of cases) {
      assert.deepEqual(
        { typeName: parseSparkTypeName(text).typeName, typeId: parseSparkTypeName(text).typeId },
        { typeName, typeId },
        text,
      );
    }
  });

  it('reads DECIMAL with zero, one or two arguments (Spark defaults to 10,0)', () => {
    assert.deepEqual(shape(parseSparkTypeName('DECIMAL')), 'DECIMAL 10 0');
    assert.deepEqual(shape(parseSparkTypeName('decimal(5)')), 'DECIMAL 5 0');
    assert.deepEqual(shape(parseSparkTypeName('DECIMAL( 38 , 6 )')), 'DECIMAL 38 6');
    assert.equal(parseSparkTypeName('NUMERIC(12,3)').typeName, 'DECIMAL(12,3)');
  });

  it('reads nested types with whitespace, giving the canonical name', () => {
    const type = parseSparkTypeName('array< map< string , array<decimal(10, 2)> > >');
    assert.equal(type.typeName, 'ARRAY<MAP<STRING,ARRAY<DECIMAL(10,2)>>>');
    assert.deepEqual(shape(type), { array: { map: [SqlType.STRING, { array: 'DECIMAL 10 2' }] } });
  });

  it('reads struct fields written `name: T` or `name T`, backticked names, NOT NULL and COMMENT', () => {
    const type = parseSparkTypeName("STRUCT<`a b`: INT, `c``d`:STRING NOT NULL, e DOUBLE COMMENT 'x, y>', f:STRUCT<g:BIGINT>>");
    assert.deepEqual(shape(type), {
      struct: [
        ['a b', SqlType.INT],
        ['c`d', SqlType.STRING],
        ['e', SqlType.DOUBLE],
        ['f', { struct: [['g', SqlType.BIGINT]] }],
      ],
    });
    assert.equal(type.typeName, 'STRUCT<`a b`:INT,`c``d`:STRING,e:DOUBLE,f:STRUCT<g:BIGINT>>');
    assert.deepEqual(shape(parseSparkTypeName('STRUCT<>')), { struct: [] });
  });

  it('gives full types, never the opaque family-only form', () => {
    for (const text of ['ARRAY<INT>', 'MAP<STRING,INT>', 'STRUCT<>'])
      assert.equal(isOpaqueComplex(parseSparkTypeName(text)), false, text);
  });

  it('rejects text that is not a type name, quoting it', () => {
    for (const text of [
      '',
      'ARRAY<INT',
      'ARRAY',
      'MAP<INT>',
      'FOO',
      'INT extra',
      'STRUCT<a:INT,>',
      'DECIMAL(40,2)',
      'DECIMAL(1,2,3)',
      'STRUCT<`a:INT>',
    ]) {
      assert.throws(
        () => parseSparkTypeName(text),
        (error: unknown) => error instanceof SparkTypeError && error.message.includes(text),
        text,
      );
    }
  });
});
