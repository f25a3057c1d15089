/** Handle identifiers: 16 random bytes, shown as dashed UUIDs. */
import { randomUUID } from 'node:crypto';

/** The dashed UUID form of 16 bytes. */
export function uuidOf(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex').padEnd(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * 16 random bytes laid out as a version 4 UUID: clients print handles as UUIDs and some
 * (the official Node.js client) refuse bytes that are not a valid one.
 */
export function newHandleBytes(): Buffer {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex');
}

/** The map key of a handle's guid. */
export function keyOf(guid: Uint8Array): string {
  return Buffer.from(guid).toString('hex');
}
