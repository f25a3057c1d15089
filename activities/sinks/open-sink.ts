/** Opens the `ResultSink` that serves a `resultSink.url` on this worker. */
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { fileURLToPath } from 'node:url';
import { DirectorySink } from './directory-sink.js';
import { ResultSinkError, type ResultSink, type ResultSinkFactory } from './result-sink.js';
import { S3Sink } from './s3-sink.js';

export interface SinkSettings {
  /** Sinks for further URL schemes, e.g. `{ blob: (url) => new BlobSink(url) }`; may override 's3' and 'file'. */
  schemes?: Record<string, ResultSinkFactory>;
  /** S3 client settings of the built-in s3:// sink; default: the AWS SDK's default chain. */
  s3?: S3ClientConfig;
}

export async function openResultSink(url: string, settings: SinkSettings = {}): Promise<ResultSink> {
  const scheme = url.startsWith('/') ? 'file' : (/^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase() ?? '');
  const custom = settings.schemes?.[scheme];
  if (custom) return custom(url);
  if (scheme === 'file') return new DirectorySink(url.startsWith('/') ? url : fileURLToPath(url));
  if (scheme === 's3') return new S3Sink(url, settings.s3);
  throw new ResultSinkError(
    `resultSink.url: this worker has no sink for "${scheme}:" URLs (it has file, s3${Object.keys(settings.schemes ?? {})
      .map((s) => `, ${s}`)
      .join('')})`,
  );
}
