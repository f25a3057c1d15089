/**
 * The one door to the generated Thrift code (./generated, never edited by hand).
 *
 * The generator emits CommonJS. Node's ESM loader finds its classes as named exports but not
 * its enums (they are assigned through an alias of `module.exports`), so the enums are taken
 * from a CommonJS `require` here and re-exported with their types. Everything else in the
 * package imports the protocol from this file.
 */
import { createRequire } from 'node:module';
import type * as Generated from './generated/databricks_types.js';

export * from './generated/databricks_types.js';
export { Client as TCLIServiceClient, Processor as TCLIServiceProcessor } from './generated/TCLIService.js';

const generated = createRequire(import.meta.url)('./generated/databricks_types.js') as typeof Generated;

export const TProtocolVersion = generated.TProtocolVersion;
export type TProtocolVersion = Generated.TProtocolVersion;
export const TTypeId = generated.TTypeId;
export type TTypeId = Generated.TTypeId;
export const TStatusCode = generated.TStatusCode;
export type TStatusCode = Generated.TStatusCode;
export const TOperationState = generated.TOperationState;
export type TOperationState = Generated.TOperationState;
export const TOperationType = generated.TOperationType;
export type TOperationType = Generated.TOperationType;
export const TSparkRowSetType = generated.TSparkRowSetType;
export type TSparkRowSetType = Generated.TSparkRowSetType;
export const TFetchOrientation = generated.TFetchOrientation;
export type TFetchOrientation = Generated.TFetchOrientation;
export const TGetInfoType = generated.TGetInfoType;
export type TGetInfoType = Generated.TGetInfoType;
