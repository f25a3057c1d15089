/**
 * `ResultSink`: where `fetchQueryResults` puts a result's files. The built-in sinks are a local
 * directory and S3-compatible storage; register your own on the worker for another store
 * (see the README, "Result sinks").
 *
 * The protocol that makes a result exactly once and resumable lives in the part writer, not in
 * the sinks; a sink only has to store named objects whole: an object that `write` did not
 * finish must never be visible under its name, and writing a name again replaces it.
 */

/** A sink for one result (one `url`); made by a `ResultSinkFactory` for each fetch attempt. */
export interface ResultSink {
  /** Where the result is, for people and the manifest: e.g. 's3://bucket/prefix' or '/data/out'. */
  readonly location: string;
  /**
   * Stores `body` under `name` (a file name such as 'part-000000000000.parquet' or
   * 'manifest.json'), replacing any object of that name. Resolves once the object is whole
   * and durable; if it rejects, or the process dies first, `name` holds its old content or
   * nothing, never a partial object.
   */
  write(name: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void>;
  /** The size in bytes of `name`, or undefined when absent. Lets a retry check the parts it resumes after. */
  size(name: string): Promise<number | undefined>;
  /** Removes `name`; absent is fine. */
  remove(name: string): Promise<void>;
  /** Releases clients or handles (called once per fetch attempt). */
  close?(): Promise<void>;
}

/** Makes the sink of a result from its URL (e.g. 'table://reports/nightly'). */
export type ResultSinkFactory = (url: string) => ResultSink | Promise<ResultSink>;

/** A sink setting that the worker cannot serve (unknown scheme, missing bucket...). */
export class ResultSinkError extends Error {
  override readonly name = 'ResultSinkError';
}
