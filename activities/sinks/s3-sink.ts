/**
 * A result sink in S3-compatible object storage (AWS S3, MinIO, Ceph, moto...), through the
 * AWS SDK v3. An object appears only when its upload completes (one PutObject, or a multipart
 * upload of 8 MiB parts via @aws-sdk/lib-storage, which aborts itself on failure); uploads
 * left open by a worker that died are aborted before the same name is written again.
 *
 * Credentials and region come from the worker: the SDK's default chain (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_REGION, profiles, instance roles) and AWS_ENDPOINT_URL_S3 /
 * AWS_ENDPOINT_URL for S3-compatible servers, or the worker's `s3` option. Never the workflow.
 */
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import type { ResultSink } from './result-sink.js';
import { ResultSinkError } from './result-sink.js';

const UPLOAD_PART_BYTES = 8 * 1024 * 1024;
/**
 * Upload parts in flight per object: bounds memory to about 2 x 8 MiB. Two keep the upload
 * ahead of the Parquet writer (~25 MB/s per core) on any store; four held 16 MiB more.
 */
const UPLOAD_QUEUE = 2;

/**
 * The AWS SDK, loaded on first use: a worker that never writes to S3 does not hold its
 * ~20 MB of modules.
 */
async function loadSdk() {
  const [s3, storage] = await Promise.all([import('@aws-sdk/client-s3'), import('@aws-sdk/lib-storage')]);
  return { ...s3, Upload: storage.Upload };
}
type S3Sdk = Awaited<ReturnType<typeof loadSdk>>;

export class S3Sink implements ResultSink {
  readonly location: string;
  readonly #config: S3ClientConfig;
  #opened?: Promise<{ sdk: S3Sdk; client: S3Client }>;
  readonly #bucket: string;
  readonly #prefix: string;

  /** @param url `s3://bucket/prefix`; @param config S3 client settings (default: the SDK's chain). */
  constructor(url: string, config: S3ClientConfig = {}) {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(url);
    if (!match) throw new ResultSinkError(`${url} is not an s3://bucket/prefix URL`);
    this.#bucket = match[1]!;
    this.#prefix = match[2]!.replace(/\/+$/, '');
    this.location = `s3://${this.#bucket}${this.#prefix ? `/${this.#prefix}` : ''}`;
    const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    // S3-compatible servers on a custom endpoint rarely resolve bucket host names.
    this.#config = { forcePathStyle: Boolean(config.endpoint ?? endpoint), ...config };
  }

  async write(name: string, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
    const key = this.key(name);
    await this.abortOpenUploads(key);
    const { sdk, client } = await this.open();
    const upload = new sdk.Upload({
      client,
      params: { Bucket: this.#bucket, Key: key, Body: Readable.from(body, { objectMode: false }) },
      partSize: UPLOAD_PART_BYTES,
      queueSize: UPLOAD_QUEUE,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async size(name: string): Promise<number | undefined> {
    try {
      const { sdk, client } = await this.open();
      const head = await client.send(new sdk.HeadObjectCommand({ Bucket: this.#bucket, Key: this.key(name) }));
      return head.ContentLength;
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
      throw error;
    }
  }

  async remove(name: string): Promise<void> {
    const { sdk, client } = await this.open();
    await client.send(new sdk.DeleteObjectCommand({ Bucket: this.#bucket, Key: this.key(name) }));
  }

  async close(): Promise<void> {
    const opened = this.#opened;
    this.#opened = undefined;
    if (opened) (await opened).client.destroy();
  }

  private open(): Promise<{ sdk: S3Sdk; client: S3Client }> {
    this.#opened ??= loadSdk().then((sdk) => ({ sdk, client: new sdk.S3Client(this.#config) }));
    return this.#opened;
  }

  private key(name: string): string {
    return this.#prefix ? `${this.#prefix}/${name}` : name;
  }

  /** Aborts multipart uploads of `key` that a dead worker left open (their parts cost storage). */
  private async abortOpenUploads(key: string): Promise<void> {
    const { sdk, client } = await this.open();
    const open = await client.send(new sdk.ListMultipartUploadsCommand({ Bucket: this.#bucket, Prefix: key }));
    for (const upload of open.Uploads ?? []) {
      if (upload.Key !== key || !upload.UploadId) continue;
      await client.send(new sdk.AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: key, UploadId: upload.UploadId }));
    }
  }
}
