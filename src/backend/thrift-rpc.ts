/**
 * Glue between the generated `TCLIServiceClient` and our HTTP transport.
 *
 * The generated client writes a call into its output transport and registers a callback under
 * the call's sequence id (`_reqs[seqid]`); it expects someone to feed the reply to its
 * `recv_<Method>(input, mtype, seqid)`, which resolves the call's promise. Here the output
 * transport's flush posts the written bytes with the HTTP transport, and the reply body is read
 * back through a binary protocol into that `recv_` method. A failed post rejects the call through
 * the same registered callback.
 */
import thrift from 'thrift';
import { RequestError } from '../errors.js';
import type { HttpTransport } from '../transport/http-transport.js';
import { TCLIServiceClient } from '../thrift/index.js';

/** What the generated client keeps out of its type declarations. */
interface GeneratedClientInternals {
  _reqs: Record<number, (error: unknown, result?: unknown) => void>;
  [recv: `recv_${string}`]: ((input: thrift.TProtocol, mtype: number, seqid: number) => void) | undefined;
}

/** Calls that must not be repeated after an ambiguous failure: they could run a statement twice. */
const NOT_IDEMPOTENT = new Set(['ExecuteStatement']);

export class ThriftRpc {
  readonly client: TCLIServiceClient;

  constructor(private readonly http: HttpTransport) {
    const output = new thrift.TBufferedTransport(undefined, (message?: Buffer) => {
      if (message) this.onFlush(message);
    });
    this.client = new TCLIServiceClient(output, thrift.TBinaryProtocol);
  }

  private onFlush(message: Buffer): void {
    const { fname: method, rseqid: seqid } = readMessageHeader(message);
    const internals = this.client as unknown as GeneratedClientInternals;
    const post = this.http.post(message, { label: method, idempotent: !NOT_IDEMPOTENT.has(method) });
    post.then(
      (reply) => this.deliver(method, seqid, reply),
      (error: unknown) => settle(internals, seqid, error),
    );
  }

  /** Feeds a reply body to the generated `recv_` method of the call it answers. */
  private deliver(method: string, seqid: number, reply: Buffer): void {
    const internals = this.client as unknown as GeneratedClientInternals;
    try {
      const input = inputProtocol(reply);
      const header = input.readMessageBegin();
      const receive = internals[`recv_${method}`];
      if (header.fname !== method || receive === undefined) {
        throw new Error(`expected a reply to ${method}, got ${JSON.stringify(header.fname)}`);
      }
      // Route by our own sequence id: a server that does not echo ids still answers this call.
      receive.call(this.client, input, header.mtype, seqid);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      settle(internals, seqid, new RequestError(`unreadable reply to ${method}: ${message}`, { retryable: false, cause: error }));
    }
  }
}

/** Rejects a pending call (no-op if it already settled). */
function settle(internals: GeneratedClientInternals, seqid: number, error: unknown): void {
  const callback = internals._reqs[seqid];
  if (callback === undefined) return;
  delete internals._reqs[seqid];
  callback(error);
}

function inputProtocol(bytes: Buffer): thrift.TProtocol {
  let protocol: thrift.TProtocol | undefined;
  thrift.TBufferedTransport.receiver((transport) => {
    protocol = new thrift.TBinaryProtocol(transport);
  }, 0)(bytes);
  if (protocol === undefined) throw new Error('no reply body');
  return protocol;
}

function readMessageHeader(message: Buffer): thrift.TMessage {
  return inputProtocol(message).readMessageBegin();
}
