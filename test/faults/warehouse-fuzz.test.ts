/**
 * The warehouse fuzzed with a fixed seed: random bytes, valid messages cut short or with bytes
 * flipped, random argument structs with lying lengths (up to 2^31 - 1: they must allocate
 * nothing) and nesting. Every case gets HTTP 400 or a Thrift answer (reply or exception) with
 * no internals in its text; meanwhile another client's queries finish correctly.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { Connection } from '../../src/index.js';
import type { LocalWarehouse } from '../../src/warehouse/index.js';
import { INTERNALS, MESSAGE, T, ThriftWriter, post, writeHandle } from './support/thrift-bytes.js';
import { startWarehouseWithQuery, type WarehouseWithQuery } from './support/warehouse-with-query.js';

const SEED = 20261129;
const CASES = 3_000;

const METHODS = [
  'OpenSession',
  'CloseSession',
  'GetInfo',
  'ExecuteStatement',
  'GetOperationStatus',
  'CancelOperation',
  'CloseOperation',
  'GetResultSetMetadata',
  'FetchResults',
  'GetTables',
  'GetColumns',
  'NoSuchCall',
];

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the warehouse fuzzed with malformed Thrift', () => {
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

  it(`answers ${CASES} malformed requests (seed ${SEED}) with 400 or a clean Thrift answer, serving others meanwhile`, async () => {
    const next = random(SEED);
    const int = (n: number): number => Math.floor(next() * n);
    const pick = <X>(xs: readonly X[]): X => xs[int(xs.length)]!;
    const length = (): number => pick([0, 1, 7, 64, 0x7fffffff, -1, -0x80000000, 0x10000000]);

    const randomValue = (w: ThriftWriter, type: number, depth: number): void => {
      switch (type) {
        case T.BOOL:
        case T.BYTE:
          w.byte(int(256));
          return;
        case T.I16:
          w.i16(int(65536) - 32768);
          return;
        case T.I32:
          w.i32(int(2 ** 32) - 2 ** 31);
          return;
        case T.I64:
        case T.DOUBLE:
          w.i64(BigInt(int(2 ** 32)) * BigInt(int(2 ** 32)) - 2n ** 63n);
          return;
        case T.STRING: {
          const n = next() < 0.2 ? length() : int(40);
          w.i32(n).raw(Buffer.from(Array.from({ length: Math.max(0, Math.min(n, 40)) }, () => int(256))));
          return;
        }
        case T.LIST:
        case T.SET: {
          const element = pick([T.I32, T.STRING, T.STRUCT, T.I64, 99]);
          const n = next() < 0.3 ? length() : int(4);
          w.byte(element).i32(n);
          for (let i = 0; i < Math.min(Math.max(n, 0), 4); i++) randomValue(w, element, depth + 1);
          return;
        }
        case T.MAP: {
          w.byte(T.STRING)
            .byte(T.STRING)
            .i32(next() < 0.3 ? length() : 1);
          randomValue(w, T.STRING, depth + 1);
          randomValue(w, T.STRING, depth + 1);
          return;
        }
        default:
          randomStruct(w, depth + 1);
      }
    };
    const randomStruct = (w: ThriftWriter, depth: number): void => {
      const fields = depth > 6 ? 0 : int(5);
      for (let i = 0; i < fields; i++) {
        const type = pick([T.BOOL, T.BYTE, T.I16, T.I32, T.I64, T.STRING, T.STRUCT, T.MAP, T.LIST, T.SET, 1, 99]);
        w.field(type, pick([1, 2, 3, 4, 5, 1281, 1282, -1, 32767]));
        randomValue(w, type, depth);
      }
      if (next() < 0.95) w.stop();
    };
    const validGetStatus = (): Buffer => {
      const w = new ThriftWriter().message('GetOperationStatus').field(T.STRUCT, 1);
      return writeHandle(w, 1, operation.guid, operation.secret, true).stop().stop().bytes();
    };
    const validExecute = (): Buffer => {
      const w = new ThriftWriter().message('ExecuteStatement').field(T.STRUCT, 1);
      writeHandle(w, 1, randomBytes(16), randomBytes(16)).field(T.STRING, 2).string('SELECT 1');
      return w.stop().stop().bytes();
    };
    const randomBytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));

    const makeCase = (): { kind: string; body: Buffer } => {
      const kind = pick(['random', 'truncated', 'flipped', 'struct', 'struct', 'type']);
      switch (kind) {
        case 'random':
          return { kind, body: randomBytes(int(300)) };
        case 'truncated': {
          const body = pick([validGetStatus, validExecute])();
          return { kind, body: body.subarray(0, int(body.length)) };
        }
        case 'flipped': {
          const body = Buffer.from(pick([validGetStatus, validExecute])());
          for (let i = 0; i < 1 + int(3); i++) body[int(body.length)] = int(256);
          return { kind, body };
        }
        case 'type': {
          const w = new ThriftWriter().message(pick(METHODS), pick([0, 2, 3, 4, 5, 7, 127]));
          randomStruct(w, 0);
          return { kind, body: w.bytes() };
        }
        default: {
          const w = new ThriftWriter().message(pick(METHODS)).field(T.STRUCT, 1);
          randomStruct(w, 0);
          w.stop();
          if (next() < 0.1) w.raw(randomBytes(1 + int(8)));
          return { kind, body: w.bytes() };
        }
      }
    };

    // Another client's queries, all through the fuzz.
    let otherQueries = 0;
    let fuzzing = true;
    const other = (async () => {
      while (fuzzing) {
        const rows = await (await connection.execute('SELECT count(*) AS n FROM RANGE(1000)')).fetchAll();
        assert.equal(Number(rows[0]!.n), 1000);
        otherQueries += 1;
        await delay(100); // steady company for the fuzz, not a second load on this small machine
      }
    })();

    const answers = new Map<string, number>();
    try {
      for (let i = 0; i < CASES; i++) {
        const { kind, body } = makeCase();
        const answer = await post(warehouse, body);
        const where = `case ${i} (${kind}, ${body.length} bytes: ${body.subarray(0, 48).toString('hex')})`;
        assert.ok(answer.status === 400 || answer.status === 200, `${where}: HTTP ${answer.status}`);
        if (answer.status === 200) {
          assert.ok(
            answer.messageType === MESSAGE.REPLY || answer.messageType === MESSAGE.EXCEPTION,
            `${where}: type ${answer.messageType}`,
          );
        }
        if (answer.status === 400 || answer.messageType === MESSAGE.EXCEPTION) {
          assert.doesNotMatch(answer.message ?? '', INTERNALS, where);
        }
        const key = answer.status === 400 ? '400' : answer.messageType === MESSAGE.REPLY ? 'reply' : 'exception';
        answers.set(key, (answers.get(key) ?? 0) + 1);
      }
    } finally {
      fuzzing = false;
    }
    await other;
    process.stdout.write(
      `fuzz answers: ${JSON.stringify(Object.fromEntries(answers))}; other client's queries meanwhile: ${otherQueries}\n`,
    );
    assert.ok(otherQueries > 0);
    assert.ok(
      (answers.get('400') ?? 0) > 0 && (answers.get('exception') ?? 0) > 0,
      'the cases reach both the framing and the calls',
    );
  });
});
