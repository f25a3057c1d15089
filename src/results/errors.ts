/**
 * Errors of the results layer; the package entry (src/index.ts) exports them. They extend the
 * driver's DatabaseError (src/errors.ts has no dependencies), so one `catch` of DatabaseError
 * covers every error the driver throws.
 */
import { DatabaseError } from '../errors.js';

/** Thrown when a row set or its metadata cannot be decoded (corrupt bytes, unexpected types). */
export class ResultDecodeError extends DatabaseError {
  override readonly name: string = 'ResultDecodeError';
  /** Name of the result column that could not be decoded, when one column is at fault. */
  readonly column?: string;

  constructor(message: string, options?: { cause?: unknown; column?: string }) {
    super(message, options);
    if (options?.column !== undefined) this.column = options.column;
  }
}

/**
 * Thrown when the server answers with cloud-fetch links (URL_BASED_SET). We never ask for
 * them (canDownloadResult is not sent), so this means a server that ignored the request.
 */
export class CloudFetchNotSupportedError extends ResultDecodeError {
  override readonly name: string = 'CloudFetchNotSupportedError';

  constructor() {
    super(
      'The server returned the result as cloud-fetch links (URL_BASED_SET), which temporal-dbsql ' +
        'does not support; it only reads Arrow and column-based results sent inline.',
    );
  }
}
