import assert from 'node:assert/strict';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { AuthenticationError, RequestError, TimeoutError } from '../../src/errors.js';
import { HttpTransport } from '../../src/transport/http-transport.js';
import { type RetryOptions, backoffDelayMs, classifyStatus, parseRetryAfter } from '../../src/transport/retry-policy.js';

const TOKEN = 'dapi-transport-test-secret-0123456789';

describe('retry policy', () => {
  it('never retries 2xx/3xx, 400, 401, 403, 404, 501; always retries 429/503; other 5xx only when idempotent', () => {
    for (const status of [200, 204]) assert.equal(classifyStatus(status, false), 'success');
    for (const status of [301, 302, 400, 401, 403, 404, 501]) {
      assert.equal(classifyStatus(status, true), 'fail', `status ${status}`);
    }
    for (const status of [429, 503]) {
      assert.equal(classifyStatus(status, false), 'retry');
      assert.equal(classifyStatus(status, true), 'retry');
    }
    for (const status of [500, 502, 504]) {
      assert.equal(classifyStatus(status, true), 'retry');
      assert.equal(classifyStatus(status, false), 'fail');
    }
  });

  it('backs off exponentially between the bounds and lets Retry-After win', () => {
    const options: RetryOptions = { minDelayMs: 1_000, maxDelayMs: 60_000, totalTimeoutMs: 900_000, maxAttempts: 30 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelayMs(n, options)),
      [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000],
    );
    assert.equal(backoffDelayMs(5, options, 3_000), 3_000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    assert.equal(parseRetryAfter('7'), 7_000);
    assert.equal(parseRetryAfter(undefined), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
    const now = Date.parse('2024-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Mon, 01 Jan 2024 00:00:30 GMT', now), 30_000);
  });
});

/** A real HTTP server whose answers the test scripts, one per request. */
type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

describe('HTTP transport against a real server', () => {
  let server: Server;
  let url: URL;
  let script: Reply[] = [];
  let seen: Array<{ headers: IncomingMessage['headers']; body: Buffer }> = [];
  const hanging: ServerResponse[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: Buffer.concat(chunks) });
        const reply = script.shift() ?? { status: 200, body: 'ok' };
        if (reply === 'hang') {
          hanging.push(res);
          return;
        }
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body ?? '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/sql/1.0/warehouses/test`);
  });

  after(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    script = [];
    seen = [];
  });

  function transport(retry: Partial<RetryOptions> = {}, requestTimeoutMs = 5_000): HttpTransport {
    return new HttpTransport({
      url,
      credentials: { kind: 'bearer', token: TOKEN },
      userAgent: 'temporal-dbsql/9.9.9 (test)',
      requestTimeoutMs,
      retry: { minDelayMs: 10, maxDelayMs: 100, totalTimeoutMs: 10_000, maxAttempts: 10, ...retry },
    });
  }

  it('posts the body with Thrift content type, bearer token and User-Agent', async () => {
    const http = transport();
    try {
      const reply = await http.post(Buffer.from('hello'), { label: 'GetOperationStatus', idempotent: true });
      assert.equal(reply.toString(), 'ok');
      assert.equal(seen.length, 1);
      assert.equal(seen[0]?.body.toString(), 'hello');
      assert.equal(seen[0]?.headers['content-type'], 'application/x-thrift');
      assert.equal(seen[0]?.headers.authorization, `Bearer ${TOKEN}`);
      assert.equal(seen[0]?.headers['user-agent'], 'temporal-dbsql/9.9.9 (test)');
    } finally {
      await http.close();
    }
  });

  it('sends HTTP Basic credentials when configured', async () => {
    const http = new HttpTransport({
      url,
      credentials: { kind: 'basic', username: 'spark', password: 'pw' },
      userAgent: 'ua',
      requestTimeoutMs: 5_000,
      retry: { minDelayMs: 10, maxDelayMs: 10, totalTimeoutMs: 1_000, maxAttempts: 1 },
    });
    try {
      await http.post(Buffer.from('x'), { label: 'OpenSession', idempotent: true });
      assert.equal(seen[0]?.headers.authorization, `Basic ${Buffer.from('spark:pw').toString('base64')}`);
    } finally {
      await http.close();
    }
  });

  it('rides out a 503 storm, even for ExecuteStatement, honouring Retry-After', async () => {
    script = [
      { status: 503, headers: { 'retry-after': '0' } },
      { status: 429, headers: { 'retry-after': '0' } },
      { status: 503, headers: { 'retry-after': '1' } },
      { status: 200, body: 'done' },
    ];
    const http = transport();
    try {
      const started = Date.now();
      const reply = await http.post(Buffer.from('stmt'), { label: 'ExecuteStatement', idempotent: false });
      assert.equal(reply.toString(), 'done');
      assert.equal(seen.length, 4);
      assert.ok(Date.now() - started >= 950, 'waited the 1 s the server asked for');
    } finally {
      await http.close();
    }
  });

  it('does not retry ExecuteStatement on a 500 but retries an idempotent call', async () => {
    const http = transport();
    try {
      script = [{ status: 500, body: 'boom' }];
      await assert.rejects(http.post(Buffer.from('s'), { label: 'ExecuteStatement', idempotent: false }), (error: unknown) => {
        assert.ok(error instanceof RequestError);
        assert.equal(error.httpStatus, 500);
        assert.equal(error.retryable, false);
        assert.match(error.message, /ExecuteStatement .* HTTP 500: boom/);
        return true;
      });
      assert.equal(seen.length, 1);
      seen = [];
      script = [{ status: 500 }, { status: 502 }, { status: 200, body: 'ok' }];
      assert.equal((await http.post(Buffer.from('s'), { label: 'FetchResults', idempotent: true })).toString(), 'ok');
      assert.equal(seen.length, 3);
    } finally {
      await http.close();
    }
  });

  it('maps 401 and 403 to AuthenticationError without retrying and never shows the token', async () => {
    const http = transport();
    try {
      for (const status of [401, 403]) {
        seen = [];
        script = [{ status, body: `bad token ${TOKEN}` }];
        await assert.rejects(http.post(Buffer.from('s'), { label: 'OpenSession', idempotent: true }), (error: unknown) => {
          assert.ok(error instanceof AuthenticationError);
          assert.equal(error.httpStatus, status);
          assert.ok(!error.message.includes(TOKEN), error.message);
          assert.ok(!JSON.stringify(error).includes(TOKEN));
          return true;
        });
        assert.equal(seen.length, 1);
      }
    } finally {
      await http.close();
    }
  });

  it('does not retry 404 or 501', async () => {
    const http = transport();
    try {
      for (const status of [404, 501]) {
        seen = [];
        script = [{ status }];
        await assert.rejects(http.post(Buffer.from('s'), { label: 'CloseOperation', idempotent: true }), (error: unknown) => {
          return error instanceof RequestError && error.httpStatus === status && !error.retryable;
        });
        assert.equal(seen.length, 1);
      }
    } finally {
      await http.close();
    }
  });

  it('times out one request and retries it when idempotent; a non-idempotent call fails with TimeoutError', async () => {
    const http = transport({}, 200);
    try {
      script = ['hang', { status: 200, body: 'second' }];
      assert.equal((await http.post(Buffer.from('s'), { label: 'GetOperationStatus', idempotent: true })).toString(), 'second');
      seen = [];
      script = ['hang'];
      await assert.rejects(http.post(Buffer.from('s'), { label: 'ExecuteStatement', idempotent: false }), TimeoutError);
      assert.equal(seen.length, 1);
    } finally {
      await http.close();
    }
  });

  it('gives up within the total timeout', async () => {
    const http = transport({ minDelayMs: 50, maxDelayMs: 50, totalTimeoutMs: 400, maxAttempts: 100 });
    try {
      script = Array.from({ length: 100 }, () => ({ status: 503 }));
      const started = Date.now();
      await assert.rejects(http.post(Buffer.from('s'), { label: 'FetchResults', idempotent: true }), (error: unknown) => {
        assert.ok(error instanceof RequestError);
        assert.equal(error.httpStatus, 503);
        assert.match(error.message, /gave up after \d+ attempts/);
        return true;
      });
      assert.ok(Date.now() - started < 1_500);
      assert.ok(seen.length >= 3 && seen.length <= 10, `attempts: ${seen.length}`);
    } finally {
      await http.close();
    }
  });

  it('stops after maxAttempts', async () => {
    const http = transport({ maxAttempts: 3 });
    try {
      script = Array.from({ length: 10 }, () => ({ status: 503, headers: { 'retry-after': '0' } }));
      await assert.rejects(http.post(Buffer.from('s'), { label: 'FetchResults', idempotent: true }), /gave up after 3 attempts/);
      assert.equal(seen.length, 3);
    } finally {
      await http.close();
    }
  });

  it('reports a refused connection as a RequestError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const http = new HttpTransport({
      url: new URL(`http://127.0.0.1:${port}/x`),
      credentials: { kind: 'bearer', token: TOKEN },
      userAgent: 'ua',
      requestTimeoutMs: 1_000,
      retry: { minDelayMs: 10, maxDelayMs: 10, totalTimeoutMs: 1_000, maxAttempts: 2 },
    });
    try {
      await assert.rejects(http.post(Buffer.from('s'), { label: 'OpenSession', idempotent: true }), (error: unknown) => {
        assert.ok(error instanceof RequestError);
        assert.equal(error.httpStatus, undefined);
        assert.match(error.message, /ECONNREFUSED/);
        return true;
      });
    } finally {
      await http.close();
    }
  });
});
