/**
 * Test helpers for the results layer: the Thrift pieces a server would send (type
 * descriptions, column-based and Arrow-based row sets), made with the real generated Thrift
 * classes, apache-arrow's IPC writer and lz4-napi.
 */
import Int64 from 'node-int64';
import thrift from 'thrift';
import { RecordBatchStreamWriter, type RecordBatch, type Schema } from 'apache-arrow';
import { compressFrameSync } from 'lz4-napi';
import {
  TArrayTypeEntry,
  TColumn,
  TColumnDesc,
  TGetResultSetMetadataResp,
  TMapTypeEntry,
  TPrimitiveTypeEntry,
  TRowSet,
  TSparkArrowBatch,
  TSparkRowSetType,
  TStatus,
  TStatusCode,
  TStructTypeEntry,
  TTableSchema,
  TTypeDesc,
  TTypeEntry,
  TTypeId,
  TTypeQualifierValue,
  TTypeQualifiers,
} from '../../src/thrift/index.js';

/** A SQL type as a tree, flattened into a TTypeDesc by typeDesc(). */
export type TypeSpec =
  | { id: TTypeId }
  | { decimal: [precision: number, scale: number] }
  | { array: TypeSpec }
  | { map: [TypeSpec, TypeSpec] }
  | { struct: Array<[string, TypeSpec]> };

export const prim = (id: TTypeId): TypeSpec => ({ id });

/** The TTypeDesc of a type: entry 0 is the type, nested parts are pointed at by index. */
export function typeDesc(spec: TypeSpec): TTypeDesc {
  const types: TTypeEntry[] = [];
  const add = (s: TypeSpec): number => {
    const at = types.length;
    types.push(new TTypeEntry());
    let entry: TTypeEntry;
    if ('id' in s) {
      entry = new TTypeEntry({ primitiveEntry: new TPrimitiveTypeEntry({ type: s.id }) });
    } else if ('decimal' in s) {
      const qualifiers = new TTypeQualifiers({
        qualifiers: {
          precision: new TTypeQualifierValue({ i32Value: s.decimal[0] }),
          scale: new TTypeQualifierValue({ i32Value: s.decimal[1] }),
        },
      });
      entry = new TTypeEntry({
        primitiveEntry: new TPrimitiveTypeEntry({ type: TTypeId.DECIMAL_TYPE, typeQualifiers: qualifiers }),
      });
    } else if ('array' in s) {
      entry = new TTypeEntry({ arrayEntry: new TArrayTypeEntry({ objectTypePtr: add(s.array) }) });
    } else if ('map' in s) {
      const keyTypePtr = add(s.map[0]);
      entry = new TTypeEntry({ mapEntry: new TMapTypeEntry({ keyTypePtr, valueTypePtr: add(s.map[1]) }) });
    } else {
      const nameToTypePtr: Record<string, number> = {};
      for (const [name, field] of s.struct) nameToTypePtr[name] = add(field);
      entry = new TTypeEntry({ structEntry: new TStructTypeEntry({ nameToTypePtr }) });
    }
    types[at] = entry;
    return at;
  };
  add(spec);
  return new TTypeDesc({ types });
}

export function tableSchema(columns: Array<[string, TypeSpec]>): TTableSchema {
  return new TTableSchema({
    columns: columns.map(([columnName, spec], i) => new TColumnDesc({ columnName, typeDesc: typeDesc(spec), position: i + 1 })),
  });
}

const OK = () => new TStatus({ statusCode: TStatusCode.SUCCESS_STATUS });

export function columnMetadata(schema: TTableSchema): TGetResultSetMetadataResp {
  return new TGetResultSetMetadataResp({ status: OK(), schema, resultFormat: TSparkRowSetType.COLUMN_BASED_SET });
}

export function arrowMetadata(schema: TTableSchema, arrowSchema: Uint8Array, lz4: boolean): TGetResultSetMetadataResp {
  return new TGetResultSetMetadataResp({
    status: OK(),
    schema,
    resultFormat: TSparkRowSetType.ARROW_BASED_SET,
    arrowSchema: Buffer.from(arrowSchema),
    lz4Compressed: lz4,
  });
}

/** LSB-first NULL bitmap (bit set = NULL) of the null entries of `values`. */
export function nullBitmap(values: readonly unknown[]): Buffer {
  const bits = Buffer.alloc((values.length + 7) >> 3);
  values.forEach((v, i) => {
    if (v === null) bits[i >> 3]! |= 1 << (i & 7);
  });
  return bits;
}

type ColumnKind = 'boolVal' | 'byteVal' | 'i16Val' | 'i32Val' | 'i64Val' | 'doubleVal' | 'stringVal' | 'binaryVal';

/** A TColumn of one kind; NULL slots hold a placeholder as real servers send. */
export function column(kind: ColumnKind, values: readonly unknown[]): TColumn {
  const placeholder = {
    boolVal: false,
    byteVal: 0,
    i16Val: 0,
    i32Val: 0,
    i64Val: 0n,
    doubleVal: 0,
    stringVal: '',
    binaryVal: Buffer.alloc(0),
  }[kind];
  const filled = values.map((v) => {
    const value = v ?? placeholder;
    return kind === 'i64Val' ? int64(value as bigint) : value;
  });
  return new TColumn({ [kind]: { values: filled, nulls: nullBitmap(values) } });
}

/** node-int64 value of a bigint (8 big-endian bytes, as the Thrift reader produces). */
export function int64(value: bigint): Int64 {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(value);
  return new Int64(bytes);
}

export function columnRowSet(columns: TColumn[]): TRowSet {
  return new TRowSet({ startRowOffset: new Int64(0), rows: [], columns });
}

export interface ArrowWire {
  schemaMessage: Uint8Array;
  rowSet: TRowSet;
}

/**
 * Arrow IPC bytes as a Databricks server sends them, made with apache-arrow's stream writer:
 * the schema message alone, then each group of record batches as one TSparkArrowBatch.
 */
export function arrowWire(schema: Schema, groups: RecordBatch[][], lz4: boolean): ArrowWire {
  const writer = new RecordBatchStreamWriter();
  writer.reset(undefined, schema);
  // The writer's output is cumulative: each message is what was added since the last look.
  let seen = writer.toUint8Array(true);
  const schemaMessage = seen.slice();
  const arrowBatches = groups.map((group) => {
    for (const batch of group) writer.write(batch);
    const all = writer.toUint8Array(true);
    const bytes = Buffer.from(all.subarray(seen.length));
    seen = all;
    const rowCount = group.reduce((sum, b) => sum + b.numRows, 0);
    return new TSparkArrowBatch({ batch: lz4 ? compressFrameSync(bytes) : bytes, rowCount: new Int64(rowCount) });
  });
  return { schemaMessage, rowSet: new TRowSet({ startRowOffset: new Int64(0), rows: [], arrowBatches }) };
}

interface ThriftStruct {
  write(output: thrift.TProtocol): void;
  read(input: thrift.TProtocol): void;
}

/**
 * `value` after a trip through the Thrift binary protocol, i.e. exactly what the driver's
 * reader hands the decoder (node-int64 values, Buffers for binary, signed bytes).
 */
export function throughThrift<T extends object>(value: T, make: () => T): T {
  // The generated declarations leave out read/write, which every generated struct has.
  const chunks: Buffer[] = [];
  const output = new thrift.TBufferedTransport(undefined, (bytes?: Buffer) => {
    if (bytes) chunks.push(bytes);
  });
  (value as unknown as ThriftStruct).write(new thrift.TBinaryProtocol(output));
  output.flush();
  const result = make();
  thrift.TBufferedTransport.receiver((input: thrift.TTransport) => {
    (result as unknown as ThriftStruct).read(new thrift.TBinaryProtocol(input));
  }, 0)(Buffer.concat(chunks));
  return result;
}
