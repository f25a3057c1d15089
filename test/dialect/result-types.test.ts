/**
 * Result types a client reads from the column metadata, as Databricks types them where
 * DuckDB's function returns another: date parts and datediff are INT, array_position and
 * unix_timestamp BIGINT, months_between DOUBLE (the Databricks SQL function reference).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useLocalWarehouse } from '../support/driver-fixtures.js';

describe('result types of Spark functions', () => {
  const local = useLocalWarehouse();

  it('types date parts, datediff, array_position and unix_timestamp as Databricks does', async () => {
    const result = await local.connection.execute(
      "SELECT year('2016-07-30') y, month('2016-07-30') mo, day('2016-07-30') d, hour('2009-07-30 12:58:59') h, dayofweek('2009-07-30') dow, quarter('2016-08-31') q, datediff('2009-07-31', '2009-07-30') dd, array_position(array(3, 4), 4) pos, unix_timestamp('2016-04-08', 'yyyy-MM-dd') ts, months_between('1997-02-28', '1996-10-30') mb",
    );
    await result.fetchAll();
    assert.deepEqual(Object.fromEntries(result.columns.map((c) => [c.name, c.typeName])), {
      y: 'INT',
      mo: 'INT',
      d: 'INT',
      h: 'INT',
      dow: 'INT',
      q: 'INT',
      dd: 'INT',
      pos: 'BIGINT',
      ts: 'BIGINT',
      mb: 'DOUBLE',
    });
  });
});
