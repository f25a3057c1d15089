/**
 * What the server can do, from the protocol version it answered OpenSession with
 * (docs/protocol.md: Arrow results from Spark V5, LZ4 from V6, native parameters from V8; a HIVE
 * version means HiveServer2 or the Spark Thrift server, with none of the Databricks extensions).
 */
import { TProtocolVersion } from '../thrift/index.js';

export interface ServerCapabilities {
  /** The server speaks the Databricks (Spark) extensions at all: direct results, row offsets. */
  spark: boolean;
  arrowResults: boolean;
  lz4Compression: boolean;
  nativeParameters: boolean;
}

/** The highest version this driver asks for. */
export const REQUESTED_PROTOCOL_VERSION: number = TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8;

/** The HIVE version offered to a server that refused the Spark one. */
export const FALLBACK_HIVE_PROTOCOL_VERSION: number = TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10;

/** Versions are compared as numbers: a server may answer one newer than this driver's enum. */
const SPARK_V1: number = TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V1;
const ARROW_FROM: number = TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V5;
const LZ4_FROM: number = TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V6;
const NATIVE_PARAMETERS_FROM: number = TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8;

export function isSparkProtocol(version: number): boolean {
  return version >= SPARK_V1;
}

export function capabilitiesOf(version: number): ServerCapabilities {
  const spark = isSparkProtocol(version);
  return {
    spark,
    arrowResults: spark && version >= ARROW_FROM,
    lz4Compression: spark && version >= LZ4_FROM,
    nativeParameters: spark && version >= NATIVE_PARAMETERS_FROM,
  };
}
