/**
 * decompressLzo1x: streams assembled by hand from Documentation/staging/lzo.rst,
 * each checked with liblzo2 2.10's lzo1x_decompress_safe (python3-lzo 1.14,
 * `lzo.decompress(data, False, 64)`): it gives the same output, or refuses
 * the same streams (-6 LOOKBEHIND_OVERRUN, -8 INPUT_NOT_CONSUMED).
 */
import { describe, expect, it } from 'vitest';
import { decompressLzo1x } from '../../src/decompress/lzo1x.js';
import { expectCorrupt } from './vectors.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));

describe('decompressLzo1x', () => {
  it('first byte 20: 3 literals; then 0000DDSS after 1-3 literals: 2 bytes from D + 1 back; then the end marker (liblzo: "abcab")', () => {
    const dst = new Uint8Array(8);
    expect(decompressLzo1x(hex('14 616263 08 00 110000'), dst, 'w')).toBe(5);
    expect(new TextDecoder().decode(dst.subarray(0, 5))).toBe('abcab');
  });
  it('the end marker alone is an empty stream (liblzo: b"")', () => {
    expect(decompressLzo1x(hex('110000'), new Uint8Array(0), 'w')).toBe(0);
  });
  it('a match reaching before the output (liblzo: -6 lookbehind overrun)', () => {
    expectCorrupt(() => decompressLzo1x(hex('14 616263 0c 00 110000'), new Uint8Array(8), 'w'), 'w', /lzo: match at input offset 4 reaches 4 bytes back, only 3 written/);
  });
  it('bytes after the end marker (liblzo: -8 input not consumed)', () => {
    expectCorrupt(() => decompressLzo1x(hex('11000000'), new Uint8Array(8), 'w'), 'w', /1 bytes after the end-of-stream marker/);
  });
  it('no end marker, empty input', () => {
    expectCorrupt(() => decompressLzo1x(hex('14 616263'), new Uint8Array(8), 'w'), 'w', /without the end-of-stream marker/);
    expectCorrupt(() => decompressLzo1x(new Uint8Array(0), new Uint8Array(8), 'w'), 'w', /empty input/);
  });
  it('a huge literal run (many zero length bytes) is refused before any copy', () => {
    // 0000 0000, then 300 zero bytes and 0xff: 3 + 15 + 255 * 300 + 255 literals, far more than the input holds.
    const src = new Uint8Array(302);
    src[301] = 0xff;
    expectCorrupt(() => decompressLzo1x(src, new Uint8Array(4096), 'w'), 'w', /truncated/);
  });
  it('output larger than the destination', () => {
    expectCorrupt(() => decompressLzo1x(hex('14 616263 08 00 110000'), new Uint8Array(4), 'w'), 'w', /output would exceed the 4-byte destination/);
  });
});
