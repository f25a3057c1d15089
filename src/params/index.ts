export { type SqlParam, type SqlParams, type TypedSqlParam, normalizeParam } from './values.js';
export { toSparkParameters } from './native.js';
export { bindParametersClientSide } from './client-side-binder.js';
