export type { SqlParam, SqlParams, TypedSqlParam } from './values.js';
export { toSparkParameters } from './native.js';
export { bindParametersClientSide } from './client-side-binder.js';
