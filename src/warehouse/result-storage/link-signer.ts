/**
 * Signs cloud fetch links: HMAC-SHA256 over the file path and expiry, with a key made for
 * this warehouse process (links die with it). A link is good until its expiry only.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class LinkSigner {
  readonly #key = randomBytes(32);

  sign(path: string, expiresAtMs: number): string {
    return createHmac('sha256', this.#key).update(`${path}\n${expiresAtMs}`).digest('base64url');
  }

  /** Whether `signature` is this process's for `path` and `expiresAtMs`, and that time has not come. */
  verify(path: string, expiresAtMs: number, signature: string, now = Date.now()): boolean {
    if (!Number.isSafeInteger(expiresAtMs) || expiresAtMs <= now) return false;
    const expected = Buffer.from(this.sign(path, expiresAtMs));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
