/**
 * decompressSnappy: blocks assembled by hand from google/snappy's
 * format_description.txt. libsnappy 1.1.9 (python3-snappy 0.5.3) decodes the
 * valid one to the same bytes and refuses every one refused here ("invalid
 * input", or "Can not calculate uncompressed length" for the bad varints).
 */
import { describe, expect, it } from 'vitest';
import { decompressSnappy } from '../../src/decompress/snappy.js';
import { expectCorrupt } from './vectors.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));

describe('decompressSnappy', () => {
  it('literal "abcd", then a copy with a 4-byte offset 4, length 8 (libsnappy: "abcdabcdabcd")', () => {
    const dst = new Uint8Array(12);
    expect(decompressSnappy(hex('0c 0c61626364 1f04000000'), dst, 'w')).toBe(12);
    expect(new TextDecoder().decode(dst)).toBe('abcdabcdabcd');
  });
  it('copy with offset 0', () => {
    expectCorrupt(() => decompressSnappy(hex('05 0061 0100'), new Uint8Array(5), 'w'), 'w', /copy with offset 0/);
  });
  it('copy reaching before the output (1-byte and 2-byte offsets)', () => {
    expectCorrupt(() => decompressSnappy(hex('05 0061 0104'), new Uint8Array(5), 'w'), 'w', /reaches 4 bytes back, only 1 written/);
    expectCorrupt(() => decompressSnappy(hex('05 0061 020200'), new Uint8Array(5), 'w'), 'w', /reaches 2 bytes back, only 1 written/);
  });
  it('length varint longer than 5 bytes, or above 2^32 - 1', () => {
    expectCorrupt(() => decompressSnappy(hex('ffffffffff01'), new Uint8Array(5), 'w'), 'w', /longer than 5 bytes/);
    expectCorrupt(() => decompressSnappy(hex('ffffffff1f00'), new Uint8Array(5), 'w'), 'w', /exceeds 2\^32 - 1/);
  });
  it('declared length larger than the destination: refused before decoding', () => {
    expectCorrupt(() => decompressSnappy(hex('ffffffff0f'), new Uint8Array(4096), 'w'), 'w', /declares 4294967295 bytes/);
  });
  it('elements past the declared length, and a block that ends short', () => {
    expectCorrupt(() => decompressSnappy(hex('01 046162'), new Uint8Array(5), 'w'), 'w', /past the declared length of 1 bytes/);
    expectCorrupt(() => decompressSnappy(hex('03 0061'), new Uint8Array(5), 'w'), 'w', /declares 3 bytes, its elements give 1/);
    expectCorrupt(() => decompressSnappy(new Uint8Array(0), new Uint8Array(5), 'w'), 'w', /inside the length varint/);
  });
});
