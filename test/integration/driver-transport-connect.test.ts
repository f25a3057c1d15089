/**
 * ExecuteStatement is never retried once it may have reached the server (a retry could run the
 * statement twice), but a connection that failed while being set up never carried it: that
 * one is retried like any other call. Real sockets: a TLS server behind a TCP front that can
 * reset a connection before the handshake, or after the request arrived.
 */
import assert from 'node:assert/strict';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { generate } from 'selfsigned';
import { RequestError } from '../../src/errors.js';
import { HttpTransport } from '../../src/transport/http-transport.js';

describe('HTTP transport: connections that fail before or after the request', () => {
  let https: HttpsServer;
  let front: TcpServer;
  let ca: string;
  let url: URL;
  /** What the front does with each new connection, in order; then it hands them to https. */
  let plan: Array<'reset-before-handshake' | 'reset-after-request'> = [];
  let requests = 0;

  before(async () => {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keySize: 2048,
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    ca = pems.cert;
    https = createHttpsServer({ key: pems.private, cert: pems.cert }, (request, response) => {
      request.resume();
      request.on('end', () => {
        requests += 1;
        if (request.socket.listenerCount('reset-after-request') > 0) {
          request.socket.emit('reset-after-request');
          return;
        }
        response.end('ok');
      });
    });
    front = createTcpServer((socket: Socket) => {
      const step = plan.shift();
      if (step === 'reset-before-handshake') {
        socket.resetAndDestroy();
        return;
      }
      https.emit('connection', socket);
      if (step === 'reset-after-request') {
        // The TLS socket https made for this connection is the one its request arrives on.
        https.once('secureConnection', (tlsSocket: Socket) => {
          tlsSocket.once('reset-after-request', () => socket.resetAndDestroy());
        });
      }
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    url = new URL(`https://127.0.0.1:${(front.address() as AddressInfo).port}/sql/1.0/warehouses/test`);
  });

  after(async () => {
    https.closeAllConnections();
    await new Promise<void>((resolve) => front.close(() => resolve()));
  });

  beforeEach(() => {
    plan = [];
    requests = 0;
  });

  function transport(): HttpTransport {
    return new HttpTransport({
      url,
      ca,
      credentials: { kind: 'bearer', token: 'dapi-connect-test' },
      userAgent: 'ua',
      requestTimeoutMs: 10_000,
      retry: { minDelayMs: 10, maxDelayMs: 10, totalTimeoutMs: 30_000, maxAttempts: 3 },
    });
  }

  it('sends ExecuteStatement again when the connection was reset before the TLS handshake', async () => {
    plan = ['reset-before-handshake'];
    const http = transport();
    try {
      const reply = await http.post(Buffer.from('statement'), { label: 'ExecuteStatement', idempotent: false });
      assert.equal(reply.toString(), 'ok');
      assert.equal(requests, 1, 'the server got the statement exactly once');
      assert.equal(plan.length, 0, 'the reset connection was used');
    } finally {
      await http.close();
    }
  });

  it('does not send ExecuteStatement again when the connection was reset after the request arrived', async () => {
    plan = ['reset-after-request'];
    const http = transport();
    try {
      await assert.rejects(
        http.post(Buffer.from('statement'), { label: 'ExecuteStatement', idempotent: false }),
        (error: unknown) => error instanceof RequestError && /ECONNRESET|other side closed/.test(error.message),
      );
      assert.equal(requests, 1, 'the server got the statement once, and no retry');
    } finally {
      await http.close();
    }
  });

  it('retries an idempotent call whichever way its connection failed', async () => {
    plan = ['reset-before-handshake', 'reset-after-request'];
    const http = transport();
    try {
      const reply = await http.post(Buffer.from('poll'), { label: 'GetOperationStatus', idempotent: true });
      assert.equal(reply.toString(), 'ok');
      assert.equal(requests, 2);
    } finally {
      await http.close();
    }
  });
});
