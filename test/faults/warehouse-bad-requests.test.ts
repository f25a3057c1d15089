/**
 * The warehouse's answers to bad Thrift requests: each gets a clear protocol error (HTTP 400, a
 * Thrift exception or an error status) that names the problem, never the warehouse's own
 * internals, and nobody else's query is affected.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import thrift from 'thrift';
import type { Connection } from '../../src/index.js';
import type { LocalWarehouse } from '../../src/warehouse/index.js';
import { TFetchResultsResp, TStatusCode } from '../../src/thrift/index.js';
import { INTERNALS, MESSAGE, T, ThriftWriter, post, writeHandle } from './support/thrift-bytes.js';
import { startWarehouseWithQuery, type WarehouseWithQuery } from './support/warehouse-with-query.js';

/** The TFetchResultsResp in a REPLY to FetchResults. */
function fetchReply(body: Buffer): TFetchResultsResp {
  let decoded: TFetchResultsResp | undefined;
  thrift.TBufferedTransport.receiver((input) => {
    const p = new thrift.TBinaryProtocol(input);
    p.readMessageBegin();
    p.readStructBegin();
    p.readFieldBegin(); // field 0: success
    decoded = new TFetchResultsResp();
    (decoded as unknown as { read(p: thrift.TProtocol): void }).read(p);
  }, 0)(body);
  return decoded!;
}

describe('the warehouse answering bad requests', () => {
  let target: WarehouseWithQuery;
  let warehouse: LocalWarehouse;
  let connection: Connection;
  let operation: WarehouseWithQuery['operation'];
  before(async () => {
    target = await startWarehouseWithQuery();
    ({ warehouse, connection, operation } = target);
  });
  after(async () => {
    await target?.close();
  });

  const fetchResults = (fields: (w: ThriftWriter) => void): Buffer => {
    const w = new ThriftWriter().message('FetchResults').field(T.STRUCT, 1);
    writeHandle(w, 1, operation.guid, operation.secret, true);
    w.field(T.I32, 2).i32(0).field(T.I64, 3).i64(100n);
    fields(w);
    return w.stop().stop().bytes();
  };

  it('a call without its request struct gets a Thrift exception naming it', async () => {
    for (const method of [
      'ExecuteStatement',
      'FetchResults',
      'GetOperationStatus',
      'CloseOperation',
      'CloseSession',
      'OpenSession',
    ]) {
      const answer = await post(warehouse, new ThriftWriter().message(method).stop().bytes());
      assert.equal(answer.status, 200, method);
      assert.equal(answer.messageType, MESSAGE.EXCEPTION, method);
      assert.doesNotMatch(answer.message ?? '', INTERNALS, method);
      assert.match(answer.message ?? '', new RegExp(`${method}.*req`), method);
    }
  });

  it('startRowOffset -1 is refused with an error status naming it', async () => {
    const answer = await post(
      warehouse,
      fetchResults((w) => w.field(T.I64, 1282).i64(-1n)),
    );
    assert.equal(answer.messageType, MESSAGE.REPLY);
    const reply = fetchReply(answer.body);
    assert.equal(reply.status.statusCode, TStatusCode.ERROR_STATUS);
    assert.match(reply.status.errorMessage ?? '', /startRowOffset/);
    assert.doesNotMatch(reply.status.errorMessage ?? '', INTERNALS);
  });

  for (const [field, id] of [
    ['startRowOffset', 1282],
    ['maxBytes', 1281],
  ] as const) {
    it(`an out-of-range ${field} gets a clear error, not the runtime's`, async () => {
      const answer = await post(
        warehouse,
        fetchResults((w) => w.field(T.I64, id).i64(2n ** 62n)),
      );
      assert.equal(answer.status, 200);
      const text =
        answer.messageType === MESSAGE.EXCEPTION ? (answer.message ?? '') : (fetchReply(answer.body).status.errorMessage ?? '');
      assert.doesNotMatch(text, INTERNALS);
      if (answer.messageType === MESSAGE.EXCEPTION) assert.match(text, new RegExp(field));
    });
  }

  for (const [name, type] of [
    ['REPLY', MESSAGE.REPLY],
    ['EXCEPTION', MESSAGE.EXCEPTION],
    ['ONEWAY', MESSAGE.ONEWAY],
  ] as const) {
    it(`a ${name} message is refused as a protocol error`, async () => {
      const body = new ThriftWriter().message('GetOperationStatus', type).field(T.STRUCT, 1);
      writeHandle(body, 1, operation.guid, operation.secret, true).stop();
      const answer = await post(warehouse, body.stop().bytes());
      assert.equal(answer.status, 400);
      assert.match(answer.message ?? '', new RegExp(`${name}.*CALL`));
    });
  }

  it('bytes after the end of a message are refused', async () => {
    const body = new ThriftWriter().message('GetOperationStatus').field(T.STRUCT, 1);
    writeHandle(body, 1, operation.guid, operation.secret, true).stop();
    const answer = await post(warehouse, body.stop().raw(Buffer.from('trailing')).bytes());
    assert.equal(answer.status, 400);
    assert.match(answer.message ?? '', /8 bytes after the end/);
  });

  it('a declared 4 GB string allocates nothing and gets 400; the warehouse serves on', async () => {
    const before = process.memoryUsage().rss;
    const body = new ThriftWriter().message('ExecuteStatement').field(T.STRUCT, 1).field(T.STRING, 2).i32(-1).bytes();
    const huge = new ThriftWriter().message('ExecuteStatement').field(T.STRUCT, 1).field(T.STRING, 2).i32(0x7fffffff).bytes();
    for (const b of [body, huge]) assert.equal((await post(warehouse, b)).status, 400);
    assert.ok(process.memoryUsage().rss - before < 256 * 1024 * 1024, 'no 4 GB buffer');
    const rows = await (await connection.execute('SELECT 1 AS one')).fetchAll();
    assert.deepEqual(rows, [{ one: 1 }]);
  });
});
