/** Operations by guid, the secret check that guards them, and their idle expiry. */
import { timingSafeEqual } from 'node:crypto';
import { UnknownHandleError } from '../errors.js';
import { keyOf, uuidOf } from './handles.js';
import type { Operation } from './operation.js';

export class OperationRegistry {
  private readonly operations = new Map<string, Operation>();

  add(operation: Operation): void {
    this.operations.set(keyOf(operation.guid), operation);
  }

  /**
   * The operation of a handle, marked as used. A wrong secret answers exactly as an unknown
   * guid does, so a guid alone reveals nothing.
   */
  find(guid: Uint8Array | undefined, secret: Uint8Array | undefined): Operation {
    const operation = guid ? this.operations.get(keyOf(guid)) : undefined;
    if (!operation || !secret || secret.length !== 16 || !timingSafeEqual(operation.secret, secret)) {
      throw new UnknownHandleError('operation', uuidOf(guid ?? new Uint8Array(0)));
    }
    operation.touch();
    return operation;
  }

  /** Forgets the operation and frees its result. */
  remove(operation: Operation): void {
    this.operations.delete(keyOf(operation.guid));
    operation.close();
  }

  /** Frees ended operations nobody touched for `idleMs`; running ones never expire. */
  expireIdle(idleMs: number, now = Date.now()): void {
    for (const operation of [...this.operations.values()]) {
      if (operation.isIdle(idleMs, now)) this.remove(operation);
    }
  }

  /** Cancels and frees every operation. */
  clear(): void {
    for (const operation of [...this.operations.values()]) this.remove(operation);
  }
}
