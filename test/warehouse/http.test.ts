/**
 * The HTTP surface: authentication, bad bodies, unknown paths, the history page and its JSON,
 * TLS with the self-signed certificate, and the warehouse serving on after every bad request.
 */
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { after, before, describe, it } from 'node:test';
import thrift from 'thrift';
import { TCLIServiceClient, TOpenSessionReq, TProtocolVersion } from '../../src/thrift/index.js';
import { startLocalWarehouse, type LocalWarehouse } from '../../src/warehouse/index.js';
import { executeRequest, HttpStatusError, postRaw, WarehouseTestClient } from '../support/warehouse-client.js';

/** The bytes a real client sends for OpenSession. */
function openSessionBytes(): Buffer {
  let bytes: Buffer = Buffer.alloc(0);
  const transport = new thrift.TBufferedTransport(undefined, (out?: Buffer) => {
    bytes = out ?? Buffer.alloc(0);
  });
  const client = new TCLIServiceClient(transport, thrift.TBinaryProtocol);
  void client.OpenSession(new TOpenSessionReq({ client_protocol: TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8 }));
  return bytes;
}

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (part: string) => (body += part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('local warehouse: HTTP', () => {
  let warehouse: LocalWarehouse;
  let client: WarehouseTestClient;

  before(async () => {
    warehouse = await startLocalWarehouse({ token: 'test-token-do-not-leak', directResultsWaitMs: 1000 });
    client = new WarehouseTestClient(warehouse.url, warehouse.accessToken);
  });
  after(async () => {
    await warehouse.close();
  });

  it('answers 401 without a token or with a wrong one, and accepts Bearer and Basic token auth', async () => {
    const body = openSessionBytes();
    assert.equal((await postRaw(warehouse.url, body, {})).status, 401);
    assert.equal((await postRaw(warehouse.url, body, { Authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await postRaw(warehouse.url, body, { Authorization: 'Bearer ' })).status, 401);
    const wrongBasic = Buffer.from('token:wrong').toString('base64');
    assert.equal((await postRaw(warehouse.url, body, { Authorization: `Basic ${wrongBasic}` })).status, 401);
    const unauthorized = await postRaw(warehouse.url, body, { Authorization: 'Bearer wrong' });
    assert.doesNotMatch(unauthorized.body.toString(), /test-token-do-not-leak/);

    assert.equal((await postRaw(warehouse.url, body, { Authorization: 'Bearer test-token-do-not-leak' })).status, 200);
    const basic = Buffer.from('token:test-token-do-not-leak').toString('base64');
    assert.equal((await postRaw(warehouse.url, body, { Authorization: `Basic ${basic}` })).status, 200);
    await assert.rejects(
      new WarehouseTestClient(warehouse.url, 'nope').openSession(),
      (e: unknown) => e instanceof HttpStatusError && e.status === 401,
    );
  });

  it('answers 400 to bodies that are not Thrift, truncated or empty, and keeps serving', async () => {
    const auth = { Authorization: `Bearer ${warehouse.accessToken}` };
    const valid = openSessionBytes();
    const bodies = [
      Buffer.from('this is not thrift at all'),
      valid.subarray(0, valid.length - 3),
      valid.subarray(0, 5),
      Buffer.alloc(0),
      Buffer.from([0x80, 0x01, 0x00, 0x01, 0x7f, 0xff, 0xff, 0xff]),
    ];
    for (const body of bodies) {
      const response = await postRaw(warehouse.url, body, auth);
      assert.equal(response.status, 400, `body ${body.toString('hex').slice(0, 40)}`);
    }
    // After every bad body, a well-formed request is served as usual.
    const session = await client.openSession();
    const result = await client.call('ExecuteStatement', executeRequest(session, 'SELECT 1 AS one', { direct: { maxRows: 10 } }));
    assert.equal(result.directResults?.resultSet?.hasMoreRows, false);
  });

  it('answers 404 elsewhere and 405 to a GET on the endpoint', async () => {
    assert.equal(
      (
        await postRaw(`${warehouse.serverHostname}/sql/1.0/warehouses/other`, openSessionBytes(), {
          Authorization: `Bearer ${warehouse.accessToken}`,
        })
      ).status,
      404,
    );
    assert.equal((await get(`${warehouse.serverHostname}/nothing-here`)).status, 404);
    assert.equal((await get(warehouse.url)).status, 405);
  });

  it("keeps an idle keep-alive connection open past node's 5 s default, as a cloud endpoint does", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const reused = (): Promise<boolean> =>
        new Promise((resolve, reject) => {
          const req = request(`${warehouse.serverHostname}/api/queries`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve(req.reusedSocket));
          });
          req.on('error', reject).end();
        });
      assert.equal(await reused(), false);
      // Longer than node's default server keep-alive (5 s), after which this socket was closed.
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      assert.equal(await reused(), true, "the second request went out on the first one's socket and was answered");
    } finally {
      agent.destroy();
    }
  });

  it('lists recent queries on the history page and as JSON, newest first', async () => {
    const session = await client.openSession();
    await client.call('ExecuteStatement', executeRequest(session, "SELECT '<b>markup</b>' AS html", { runAsync: false }));
    await client.call('ExecuteStatement', executeRequest(session, 'SELECT * FROM RANGE(7)', { runAsync: false }));
    const json = await get(`${warehouse.serverHostname}/api/queries`);
    assert.equal(json.status, 200);
    assert.match(json.type, /application\/json/);
    const records = JSON.parse(json.body) as {
      queryId: string;
      statement: string;
      state: string;
      rowCount?: number;
      submittedAt: string;
    }[];
    assert.equal(records[0]!.statement, 'SELECT * FROM RANGE(7)');
    assert.equal(records[0]!.state, 'FINISHED');
    assert.equal(records[0]!.rowCount, 7);
    assert.match(records[0]!.queryId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(
      records.map((r) => r.queryId),
      warehouse.history().map((r) => r.queryId),
    );

    const page = await get(`${warehouse.serverHostname}/`);
    assert.equal(page.status, 200);
    assert.match(page.type, /text\/html/);
    assert.ok(page.body.includes(records[0]!.queryId));
    assert.ok(page.body.includes('&#60;b&#62;markup&#60;/b&#62;'), 'statements are escaped');
    assert.ok(!page.body.includes('<b>markup</b>'));
    assert.ok(!page.body.includes(warehouse.accessToken));
  });
});

/** This machine's first non-loopback IPv4 address, if it has one. */
function externalAddress(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
}

describe('local warehouse: history from another machine', () => {
  const address = externalAddress();
  it(
    'needs the access token for the history when the client is not on this machine',
    { skip: address ? false : 'no non-loopback IPv4 address' },
    async () => {
      const warehouse = await startLocalWarehouse({ host: '0.0.0.0' });
      try {
        const port = new URL(warehouse.serverHostname).port;
        for (const path of ['/', '/api/queries']) {
          const url = `http://${address}:${port}${path}`;
          assert.equal((await get(url)).status, 401, path);
          const basic = Buffer.from(`token:${warehouse.accessToken}`).toString('base64');
          assert.equal((await get(url, { Authorization: `Basic ${basic}` })).status, 200, path);
          assert.equal((await get(`${warehouse.serverHostname}${path}`)).status, 200, `${path} from loopback`);
        }
      } finally {
        await warehouse.close();
      }
    },
  );
});

describe('local warehouse: TLS', () => {
  let warehouse: LocalWarehouse;
  before(async () => {
    warehouse = await startLocalWarehouse({ tls: true });
  });
  after(async () => {
    await warehouse.close();
  });

  it('serves HTTPS with a self-signed certificate that clients can trust', async () => {
    assert.match(warehouse.serverHostname, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(warehouse.caCertificate ?? '', /BEGIN CERTIFICATE/);
    const trusting = new WarehouseTestClient(warehouse.url, warehouse.accessToken, warehouse.caCertificate);
    const session = await trusting.openSession();
    const result = await trusting.call(
      'ExecuteStatement',
      executeRequest(session, 'SELECT 1 AS one', { direct: { maxRows: 10 } }),
    );
    assert.equal(result.directResults?.resultSet?.hasMoreRows, false);
    await assert.rejects(new WarehouseTestClient(warehouse.url, warehouse.accessToken).openSession(), /self.signed|certificate/i);
  });
});
