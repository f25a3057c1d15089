/**
 * Catalog metadata through our driver against the local warehouse: what a BI tool or a
 * pipeline asking "which tables and columns are there" sees, with HiveServer2's result columns.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConnectionClosedError, InvalidArgumentError, type Connection, type ResultSet } from '../../src/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { connectTo } from '../support/driver-fixtures.js';

type Row = Record<string, unknown>;

async function rowsOf(result: Promise<ResultSet>): Promise<Row[]> {
  const rs = await result;
  return await rs.fetchAll();
}

/** Only the named columns of each row, for compact comparisons. */
function pick(rows: Row[], ...names: string[]): unknown[][] {
  return rows.map((row) => names.map((n) => row[n]));
}

describe('catalog metadata against the local warehouse', () => {
  let warehouse: LocalWarehouse;
  let db: Connection;

  before(async () => {
    warehouse = await startLocalWarehouse();
    db = await connectTo(warehouse);
    for (const sql of [
      'CREATE SCHEMA sales',
      `CREATE TABLE sales.orders (id BIGINT NOT NULL, amount DECIMAL(10,2), placed TIMESTAMP, day DATE, tags ARRAY<STRING>,
         attrs MAP<STRING, INT>, who STRUCT<name: STRING, age: INT>, ok BOOLEAN, note STRING, ratio DOUBLE)`,
      'CREATE TABLE sales.t_1 (x INT)',
      'CREATE TABLE sales.tx1 (x INT)',
      'CREATE VIEW sales.big_orders AS SELECT id FROM sales.orders WHERE amount > 100',
      'CREATE TABLE customers (id INT PRIMARY KEY, name STRING)',
      'CREATE TABLE invoices (n INT, customer INT, FOREIGN KEY (customer) REFERENCES customers(id))',
      'CREATE TEMPORARY VIEW recent AS SELECT 1 AS one',
    ]) {
      await (await db.execute(sql)).fetchAll();
    }
  });

  after(async () => {
    await db?.close();
    await warehouse?.close();
  });

  test('getCatalogs lists the catalog main, in a TABLE_CAT column', async () => {
    const rs = await db.getCatalogs();
    assert.deepEqual(
      rs.columns.map((c) => [c.name, c.typeName]),
      [['TABLE_CAT', 'STRING']],
    );
    assert.deepEqual(await rs.fetchAll(), [{ TABLE_CAT: 'main' }]);
  });

  test('getSchemas matches patterns ignoring case; DuckDB system schemas are not shown', async () => {
    assert.deepEqual(pick(await rowsOf(db.getSchemas()), 'TABLE_CATALOG', 'TABLE_SCHEM'), [
      ['main', 'default'],
      ['main', 'sales'],
    ]);
    assert.deepEqual(pick(await rowsOf(db.getSchemas({ schemaName: 'SAL%' })), 'TABLE_SCHEM'), [['sales']]);
    assert.deepEqual(pick(await rowsOf(db.getSchemas({ schemaName: 'de_ault' })), 'TABLE_SCHEM'), [['default']]);
    assert.deepEqual(await rowsOf(db.getSchemas({ catalogName: 'nowhere' })), []);
  });

  test('getTables lists tables and views with their type, and filters by pattern and type', async () => {
    const sales = await rowsOf(db.getTables({ catalogName: 'main', schemaName: 'sales' }));
    assert.deepEqual(pick(sales, 'TABLE_CAT', 'TABLE_SCHEM', 'TABLE_NAME', 'TABLE_TYPE'), [
      ['main', 'sales', 'big_orders', 'VIEW'],
      ['main', 'sales', 'orders', 'TABLE'],
      ['main', 'sales', 't_1', 'TABLE'],
      ['main', 'sales', 'tx1', 'TABLE'],
    ]);
    assert.deepEqual(Object.keys(sales[0]!), [
      'TABLE_CAT',
      'TABLE_SCHEM',
      'TABLE_NAME',
      'TABLE_TYPE',
      'REMARKS',
      'TYPE_CAT',
      'TYPE_SCHEM',
      'TYPE_NAME',
      'SELF_REFERENCING_COL_NAME',
      'REF_GENERATION',
    ]);
    const views = await rowsOf(db.getTables({ catalogName: 'main', tableTypes: ['VIEW'] }));
    assert.deepEqual(pick(views, 'TABLE_NAME'), [['big_orders']]);
    // `_` is any character unless escaped
    assert.deepEqual(pick(await rowsOf(db.getTables({ tableName: 't_1' })), 'TABLE_NAME'), [['t_1'], ['tx1']]);
    assert.deepEqual(pick(await rowsOf(db.getTables({ tableName: 't\\_1' })), 'TABLE_NAME'), [['t_1']]);
  });

  test("the session's temporary views are listed without catalog or schema, and only to that session", async () => {
    const mine = await rowsOf(db.getTables({ tableName: 'recent' }));
    assert.deepEqual(pick(mine, 'TABLE_CAT', 'TABLE_SCHEM', 'TABLE_NAME', 'TABLE_TYPE'), [[null, null, 'recent', 'VIEW']]);
    const columns = await rowsOf(db.getColumns({ tableName: 'recent' }));
    assert.deepEqual(pick(columns, 'TABLE_NAME', 'COLUMN_NAME', 'TYPE_NAME'), [['recent', 'one', 'INT']]);
    // a catalog asked for by name holds no temporary views
    assert.deepEqual(await rowsOf(db.getTables({ catalogName: 'main', tableName: 'recent' })), []);
    const other = await connectTo(warehouse);
    try {
      assert.deepEqual(await rowsOf(other.getTables({ tableName: 'recent' })), []);
    } finally {
      await other.close();
    }
  });

  test('getColumns gives Spark type names, java.sql.Types codes, sizes, nullability and 0-based positions', async () => {
    const rows = await rowsOf(db.getColumns({ schemaName: 'sales', tableName: 'orders' }));
    assert.deepEqual(
      pick(rows, 'COLUMN_NAME', 'TYPE_NAME', 'DATA_TYPE', 'COLUMN_SIZE', 'DECIMAL_DIGITS', 'NUM_PREC_RADIX', 'ORDINAL_POSITION'),
      [
        ['id', 'BIGINT', -5, 8, null, 10, 0],
        ['amount', 'DECIMAL(10,2)', 3, 8, 2, 10, 1],
        ['placed', 'TIMESTAMP', 93, 8, 6, null, 2],
        ['day', 'DATE', 91, 4, null, null, 3],
        ['tags', 'ARRAY<STRING>', 2003, null, null, null, 4],
        ['attrs', 'MAP<STRING, INT>', 2000, null, null, null, 5],
        ['who', 'STRUCT<name: STRING, age: INT>', 2002, null, null, null, 6],
        ['ok', 'BOOLEAN', 16, 1, 0, null, 7],
        ['note', 'STRING', 12, null, null, null, 8],
        ['ratio', 'DOUBLE', 8, 8, 15, 10, 9],
      ],
    );
    assert.deepEqual(pick(rows.slice(0, 2), 'NULLABLE', 'IS_NULLABLE'), [
      [0, 'NO'],
      [1, 'YES'],
    ]);
    const one = await rowsOf(db.getColumns({ schemaName: 'sales', tableName: 'orders', columnName: 'AM%' }));
    assert.deepEqual(pick(one, 'TABLE_CAT', 'TABLE_SCHEM', 'TABLE_NAME', 'COLUMN_NAME'), [['main', 'sales', 'orders', 'amount']]);
    const rs = await db.getColumns({ tableName: 'nothing_like_this' });
    assert.equal(rs.columns.length, 23);
    assert.deepEqual(
      rs.columns.filter((c) => c.typeName !== 'STRING').map((c) => `${c.name}:${c.typeName}`),
      [
        'DATA_TYPE:INT',
        'COLUMN_SIZE:INT',
        'BUFFER_LENGTH:TINYINT',
        'DECIMAL_DIGITS:INT',
        'NUM_PREC_RADIX:INT',
        'NULLABLE:INT',
        'SQL_DATA_TYPE:INT',
        'SQL_DATETIME_SUB:INT',
        'CHAR_OCTET_LENGTH:INT',
        'ORDINAL_POSITION:INT',
        'SOURCE_DATA_TYPE:SMALLINT',
      ],
    );
    assert.deepEqual(await rs.fetchAll(), []);
  });

  test('getTypeInfo and getTableTypes list what the warehouse reports', async () => {
    const types = await rowsOf(db.getTypeInfo());
    const decimal = types.find((t) => t.TYPE_NAME === 'DECIMAL');
    assert.deepEqual(decimal && pick([decimal], 'DATA_TYPE', 'PRECISION', 'NUM_PREC_RADIX', 'SEARCHABLE', 'CASE_SENSITIVE'), [
      [3, 38, 10, 3, false],
    ]);
    assert.ok(types.some((t) => t.TYPE_NAME === 'STRING' && t.DATA_TYPE === 12 && t.CASE_SENSITIVE === true));
    assert.deepEqual(await rowsOf(db.getTableTypes()), [{ TABLE_TYPE: 'TABLE' }, { TABLE_TYPE: 'VIEW' }]);
  });

  test('getFunctions finds built-in and Spark-library functions by pattern', async () => {
    const rows = await rowsOf(db.getFunctions({ functionName: 'pmo_' }));
    assert.deepEqual(pick(rows, 'FUNCTION_CAT', 'FUNCTION_SCHEM', 'FUNCTION_NAME', 'FUNCTION_TYPE'), [[null, null, 'pmod', 1]]);
    const ranges = await rowsOf(db.getFunctions({ functionName: 'range' }));
    assert.deepEqual(pick(ranges, 'FUNCTION_NAME', 'FUNCTION_TYPE'), [['range', 2]]);
  });

  test('getPrimaryKeys and getCrossReference report keys declared in DDL', async () => {
    const keys = await rowsOf(db.getPrimaryKeys({ schemaName: 'default', tableName: 'customers' }));
    assert.deepEqual(pick(keys, 'TABLE_CAT', 'TABLE_SCHEM', 'TABLE_NAME', 'COLUMN_NAME', 'KEQ_SEQ'), [
      ['main', 'default', 'customers', 'id', 1],
    ]);
    assert.deepEqual(await rowsOf(db.getPrimaryKeys({ schemaName: 'sales', tableName: 'orders' })), []);
    const refs = await rowsOf(
      db.getCrossReference({
        parentCatalogName: 'main',
        parentSchemaName: 'default',
        parentTableName: 'customers',
        foreignCatalogName: 'main',
        foreignSchemaName: 'default',
        foreignTableName: 'invoices',
      }),
    );
    assert.deepEqual(pick(refs, 'PKTABLE_NAME', 'PKCOLUMN_NAME', 'FKTABLE_NAME', 'FKCOLUMN_NAME', 'KEQ_SEQ', 'PK_NAME'), [
      ['customers', 'id', 'invoices', 'customer', 1, keys[0]!.PK_NAME],
    ]);
  });

  test('results larger than a direct result are fetched page by page, and the history names the call', async () => {
    const paged = await connectTo(warehouse, { directResults: { maxRows: 2 }, maxRowsPerFetch: 3 });
    try {
      const all = await rowsOf(paged.getColumns({ schemaName: 'sales', tableName: 'orders' }));
      assert.equal(all.length, 10);
    } finally {
      await paged.close();
    }
    const call = warehouse.history().find((q) => q.statement.startsWith('GetColumns('));
    assert.equal(call?.statement, 'GetColumns(schemaName=sales, tableName=orders)');
  });

  test('bad options are InvalidArgumentErrors naming the option; a closed connection says so', async () => {
    await assert.rejects(
      db.getFunctions({} as never),
      (e: unknown) => e instanceof InvalidArgumentError && e.argument === 'functionName',
    );
    await assert.rejects(
      db.getTables({ tableTypes: 'TABLE' } as never),
      (e: unknown) => e instanceof InvalidArgumentError && e.argument === 'tableTypes',
    );
    await assert.rejects(
      db.getSchemas({ schema: 'x' } as never),
      (e: unknown) => e instanceof InvalidArgumentError && e.argument === 'schema',
    );
    await assert.rejects(
      db.getPrimaryKeys({ schemaName: 'default' } as never),
      (e: unknown) => e instanceof InvalidArgumentError && /needs tableName/.test(e.message),
    );
    const closed = await connectTo(warehouse);
    await closed.close();
    await assert.rejects(closed.getCatalogs(), ConnectionClosedError);
  });
});
