/**
 * Snappy decompression of one raw block, written from google/snappy's
 * format_description.txt: a varint of the uncompressed length, then literal
 * and copy elements. This is what makedumpfile's `-p` pages are
 * (`snappy_compress()` output); the framing format (`.sz` streams with
 * chunk headers and CRCs) is a different thing and is not accepted.
 */
import { copyMatch } from './copy-match.js';
import { corrupt, overflowMessage } from './corrupt.js';

/**
 * Decompresses a raw snappy block into `dst`. Returns the uncompressed length
 * the block declares, which is the number of bytes written (at most
 * `dst.length`).
 *
 * Throws PagewalkError('EBADIMAGE', `${where}: snappy: ...`) for a bad or
 * over-long length varint, a declared length larger than `dst`, an element
 * that runs past the input, a copy with offset 0 or reaching before the start
 * of the output, output beyond the declared length, and a block that ends
 * before producing the declared length.
 */
export function decompressSnappy(src: Uint8Array, dst: Uint8Array, where: string): number {
  const ipEnd = src.length;
  // Preamble (section 1): little-endian base-128 varint, at most 5 bytes, below 2^32.
  let length = 0;
  let ip = 0;
  for (let shift = 0; ; shift += 7) {
    if (ip >= ipEnd) throw corrupt(where, 'snappy', 'truncated: input ends inside the length varint');
    if (shift === 35) throw corrupt(where, 'snappy', 'length varint longer than 5 bytes');
    const b = src[ip++];
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (length > 0xffffffff) throw corrupt(where, 'snappy', `declared length ${length} exceeds 2^32 - 1`);
  if (length > dst.length) throw corrupt(where, 'snappy', `declares ${length} bytes, ${overflowMessage(dst.length)}`);

  let op = 0;
  while (ip < ipEnd) {
    const at = ip;
    const tag = src[ip++];
    let len: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        // Literal (2.1): (len - 1) in the upper 6 bits, or 60..63 = it follows in 1..4 bytes.
        len = (tag >>> 2) + 1;
        if (len > 60) {
          const n = len - 60;
          if (ip + n > ipEnd) throw truncated(where, at);
          len = src[ip];
          if (n > 1) len |= src[ip + 1] << 8;
          if (n > 2) len |= src[ip + 2] << 16;
          if (n > 3) len = (len | (src[ip + 3] << 24)) >>> 0;
          len += 1;
          ip += n;
        }
        if (ip + len > ipEnd) throw truncated(where, at);
        if (op + len > length) throw tooLong(where, at, length);
        if (len > 32) dst.set(src.subarray(ip, ip + len), op);
        else for (let i = 0; i < len; i++) dst[op + i] = src[ip + i];
        ip += len;
        op += len;
        continue;
      }
      case 1:
        // Copy with 1-byte offset (2.2.1): length 4..11 in bits 2-4, offset bits 8-10 in bits 5-7.
        if (ip + 1 > ipEnd) throw truncated(where, at);
        len = 4 + ((tag >>> 2) & 7);
        offset = ((tag >>> 5) << 8) | src[ip];
        ip += 1;
        break;
      case 2:
        // Copy with 2-byte offset (2.2.2): length 1..64, offset a little-endian 16-bit value.
        if (ip + 2 > ipEnd) throw truncated(where, at);
        len = (tag >>> 2) + 1;
        offset = src[ip] | (src[ip + 1] << 8);
        ip += 2;
        break;
      default:
        // Copy with 4-byte offset (2.2.3).
        if (ip + 4 > ipEnd) throw truncated(where, at);
        len = (tag >>> 2) + 1;
        offset = (src[ip] | (src[ip + 1] << 8) | (src[ip + 2] << 16) | (src[ip + 3] << 24)) >>> 0;
        ip += 4;
        break;
    }
    // Offset 0, or one reaching before the output, "is not allowed" (2.2).
    if (offset === 0) throw corrupt(where, 'snappy', `copy with offset 0 at input offset ${at}`);
    if (offset > op) throw corrupt(where, 'snappy', `copy at input offset ${at} reaches ${offset} bytes back, only ${op} written`);
    if (op + len > length) throw tooLong(where, at, length);
    if (len > 32) {
      copyMatch(dst, op, offset, len);
      op += len;
    } else {
      // Byte by byte: length may exceed offset, repeating the bytes just written.
      let from = op - offset;
      const stop = op + len;
      while (op < stop) dst[op++] = dst[from++];
    }
  }
  if (op !== length) throw corrupt(where, 'snappy', `truncated: the block declares ${length} bytes, its elements give ${op}`);
  return length;
}

function truncated(where: string, at: number): Error {
  return corrupt(where, 'snappy', `truncated: the element at input offset ${at} runs past the end of the input`);
}

function tooLong(where: string, at: number, length: number): Error {
  return corrupt(where, 'snappy', `the element at input offset ${at} goes past the declared length of ${length} bytes`);
}
