/**
 * The driver's LZ4 frame decoder: frames from lz4-napi (the warehouse's encoder, lz4_flex)
 * decode to the original bytes, and the parts of the frame format other encoders use
 * (content size, block checksums, uncompressed blocks, skippable and concatenated frames,
 * 4 MiB blocks) are read; malformed frames fail with an error, never a wrong answer.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { compressFrameSync } from 'lz4-napi';
import { decodeLz4Frames } from '../../src/results/arrow/lz4-frame.js';

/** Text-like bytes with repeats near and far, long runs and literals: every sequence shape. */
function sample(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let at = 0;
  for (let i = 0; at < bytes; i++) {
    const piece = i % 5 === 0 ? randomBytes(1 + (i % 40)) : Buffer.from(`row ${i % 997},${'x'.repeat(i % 300)};`);
    at += piece.copy(out, at);
  }
  return out;
}

/** A frame by hand: FLG/BD as given, blocks as [uncompressed?, bytes]. */
function frame(flags: number, bd: number, blocks: Array<[boolean, Uint8Array]>, contentSize?: number): Buffer {
  const parts: Buffer[] = [Buffer.from([0x04, 0x22, 0x4d, 0x18, flags, bd])];
  if (contentSize !== undefined) {
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(contentSize));
    parts.push(size);
  }
  parts.push(Buffer.from([0])); // header checksum (not verified)
  for (const [raw, bytes] of blocks) {
    const header = Buffer.alloc(4);
    header.writeUInt32LE((bytes.length | (raw ? 0x80000000 : 0)) >>> 0);
    parts.push(header, Buffer.from(bytes));
    if (flags & 0x10) parts.push(Buffer.alloc(4)); // block checksum
  }
  parts.push(Buffer.alloc(4));
  if (flags & 0x04) parts.push(Buffer.alloc(4)); // content checksum
  return Buffer.concat(parts);
}

/** A hand-made LZ4 block: literals "abcd", then a match of 12 at offset 4 (overlapping), then "!". */
const BLOCK = Uint8Array.from([0x48, 0x61, 0x62, 0x63, 0x64, 0x04, 0x00, 0x10, 0x21]);
const BLOCK_TEXT = 'abcd' + 'abcd'.repeat(3) + '!';

describe('LZ4 frame decoding', () => {
  for (const bytes of [0, 1, 100, 70_000, 3_000_000]) {
    it(`decodes lz4-napi's frame of ${bytes} bytes to the original`, () => {
      const original = sample(bytes);
      assert.deepEqual(Buffer.from(decodeLz4Frames(compressFrameSync(original))), original);
    });
  }

  it('reads content size, block checksums, uncompressed blocks and 4 MiB blocks', () => {
    const raw = Buffer.from('plain bytes');
    const flags = 0x40 | 0x20 | 0x10 | 0x08 | 0x04;
    const decoded = decodeLz4Frames(
      frame(
        flags,
        0x70,
        [
          [false, BLOCK],
          [true, raw],
        ],
        BLOCK_TEXT.length + raw.length,
      ),
    );
    assert.equal(Buffer.from(decoded).toString(), BLOCK_TEXT + 'plain bytes');
  });

  it('decodes concatenated frames and skips skippable ones', () => {
    const skippable = Buffer.from([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
    const input = Buffer.concat([frame(0x60, 0x40, [[false, BLOCK]]), skippable, frame(0x60, 0x40, [[true, Buffer.from('xy')]])]);
    assert.equal(Buffer.from(decodeLz4Frames(input)).toString(), BLOCK_TEXT + 'xy');
  });

  it('fails on malformed frames, naming the problem', () => {
    const good = frame(0x60, 0x40, [[false, BLOCK]]);
    assert.throws(() => decodeLz4Frames(Buffer.from('not lz4 at all')), /LZ4: bad frame magic/);
    assert.throws(() => decodeLz4Frames(good.subarray(0, good.length - 6)), /LZ4: (truncated|a block runs past)/);
    const badOffset = frame(0x60, 0x40, [[false, Uint8Array.from([0x10, 0x61, 0x09, 0x00, 0x00])]]);
    assert.throws(() => decodeLz4Frames(badOffset), /LZ4: a match refers before the start/);
    assert.throws(
      () => decodeLz4Frames(frame(0x68, 0x40, [[false, BLOCK]], 3)),
      /LZ4: literals run past the block or the output/,
    );
    assert.throws(() => decodeLz4Frames(Buffer.from([0x04, 0x22, 0x4d, 0x18, 0x80, 0x40, 0])), /unsupported frame version/);
    assert.throws(() => decodeLz4Frames(new Uint8Array(0)), /no frame/);
  });
});
