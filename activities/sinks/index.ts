/** Result sinks: the interface to plug your own, the built-in directory and S3 sinks. */
export { ResultSinkError, type ResultSink, type ResultSinkFactory } from './result-sink.js';
export { DirectorySink } from './directory-sink.js';
export { S3Sink } from './s3-sink.js';
export type { SinkSettings } from './open-sink.js';
export type { SinkProgress } from './part-writer.js';
