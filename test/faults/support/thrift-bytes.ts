/**
 * Hand-made Thrift binary-protocol bytes, so a test can send the warehouse what no Thrift
 * library would write (wrong message types, lying lengths, trailing bytes), and read the
 * kind of answer it got.
 */

/** Thrift binary-protocol type ids. */
export const T = {
  STOP: 0,
  BOOL: 2,
  BYTE: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
} as const;

/** Message types: CALL 1, REPLY 2, EXCEPTION 3, ONEWAY 4. */
export const MESSAGE = { CALL: 1, REPLY: 2, EXCEPTION: 3, ONEWAY: 4 } as const;

/** Appends binary-protocol values. */
export class ThriftWriter {
  private readonly parts: Buffer[] = [];

  message(name: string, type: number = MESSAGE.CALL, seqid = 1): this {
    return this.i32((0x80010000 | type) >> 0)
      .string(name)
      .i32(seqid);
  }
  field(type: number, id: number): this {
    return this.byte(type).i16(id);
  }
  stop(): this {
    return this.byte(T.STOP);
  }
  byte(value: number): this {
    return this.push(Buffer.from([value & 0xff]));
  }
  i16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    return this.push(b);
  }
  i32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    return this.push(b);
  }
  i64(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(value);
    return this.push(b);
  }
  string(value: string | Buffer): this {
    const bytes = typeof value === 'string' ? Buffer.from(value) : value;
    return this.i32(bytes.length).push(bytes);
  }
  raw(bytes: Buffer): this {
    return this.push(bytes);
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
  private push(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
}

/** A THandleIdentifier (guid, secret) inside a T*Handle struct at field `id`. */
export function writeHandle(w: ThriftWriter, id: number, guid: Buffer, secret: Buffer, operation = false): ThriftWriter {
  w.field(T.STRUCT, id).field(T.STRUCT, 1).field(T.STRING, 1).string(guid).field(T.STRING, 2).string(secret).stop();
  if (operation) w.field(T.I32, 2).i32(0).field(T.BOOL, 3).byte(1); // operationType EXECUTE_STATEMENT, hasResultSet
  return w.stop();
}

/** What the warehouse answered: an HTTP status, and for 200 the Thrift message type and exception text. */
export interface ThriftAnswer {
  status: number;
  /** 2 for a REPLY, 3 for an EXCEPTION (TApplicationException). */
  messageType?: number;
  /** The TApplicationException's message, or the HTTP reason header. */
  message?: string;
  body: Buffer;
}

export function readAnswer(status: number, body: Buffer, reason: string | null): ThriftAnswer {
  if (status !== 200) return { status, message: reason ?? body.toString('utf8'), body };
  const messageType = body.length >= 4 ? body.readUInt8(3) : undefined;
  if (messageType !== MESSAGE.EXCEPTION) return { status, messageType, body };
  // version+type, name, seqid, then the exception struct: field 1 (message) is a string.
  const nameLength = body.readInt32BE(4);
  let at = 8 + nameLength + 4;
  let message: string | undefined;
  while (at < body.length && body[at] !== T.STOP) {
    const type = body[at]!;
    const id = body.readInt16BE(at + 1);
    at += 3;
    if (type === T.STRING) {
      const length = body.readInt32BE(at);
      if (id === 1) message = body.toString('utf8', at + 4, at + 4 + length);
      at += 4 + length;
    } else if (type === T.I32) {
      at += 4;
    } else {
      break;
    }
  }
  return { status, messageType, message, body };
}

/** Words of a JavaScript runtime error: a client must never see them. */
export const INTERNALS = /Cannot read|undefined|null|is not a function|outside Int64|Infinity|NaN|TypeError|RangeError/;

/** POSTs a body to the warehouse's Thrift endpoint with its token. */
export async function post(warehouse: { url: string; accessToken: string }, body: Buffer): Promise<ThriftAnswer> {
  const response = await fetch(warehouse.url, {
    method: 'POST',
    headers: { authorization: `Bearer ${warehouse.accessToken}`, 'content-type': 'application/x-thrift' },
    body,
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  return readAnswer(response.status, bytes, response.headers.get('x-thriftserver-error-message'));
}
