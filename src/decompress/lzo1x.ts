/**
 * LZO1X decompression, written from the stream description in the Linux
 * kernel's Documentation/staging/lzo.rst ("LZO stream format as understood by
 * Linux's LZO decompressor"), version 0 of the bitstream: what
 * `lzo1x_1_compress()` writes, and so what makedumpfile's `-l` pages are
 * (bare LZO1X-1 output, no header, no length). `lzo1x_999_compress()` writes
 * the same instruction set. The zram "lzo-rle" extension (version 1) is not
 * accepted: makedumpfile does not write it.
 *
 * The stream is a sequence of instructions; each copies literals from the
 * input or a match from the output already written, and most say how many
 * literals (0-3) follow. That number, the `state` of lzo.rst, changes the
 * meaning of the next instruction when it is below 16. The stream ends with
 * a 0001HLLL copy whose distance is 16384 (`11 00 00` as the compressor
 * writes it).
 */
import { copyMatch } from './copy-match.js';
import { corrupt, overflowMessage } from './corrupt.js';

/**
 * Decompresses a bare LZO1X stream (as `lzo1x_decompress_safe()` reads it)
 * into `dst`. Returns the number of bytes written (at most `dst.length`).
 *
 * Throws PagewalkError('EBADIMAGE', `${where}: lzo: ...`) for input that
 * ends before the end-of-stream marker, input left after it, a literal run
 * or match that would write past `dst`, a match reaching before the start of
 * the output, and a match from an empty output (first byte 16 or 17 not
 * followed by the end marker).
 */
export function decompressLzo1x(src: Uint8Array, dst: Uint8Array, where: string): number {
  const ipEnd = src.length;
  const opEnd = dst.length;
  let ip = 0;
  let op = 0;
  // Literals copied by the previous instruction: 0, 1-3, or 4 for "4 or more" (lzo.rst "state").
  let state = 0;

  if (ipEnd === 0) throw corrupt(where, 'lzo', 'empty input: no end-of-stream marker');
  // First byte (lzo.rst "First byte encoding"): 18..255 copy byte - 17 literals; 0..17 are ordinary instructions.
  if (src[0] > 17) {
    const n = src[0] - 17;
    ip = 1;
    if (ip + n > ipEnd) throw truncated(where, ip, n, ipEnd);
    if (n > opEnd) throw corrupt(where, 'lzo', overflowMessage(opEnd));
    for (let i = 0; i < n; i++) dst[i] = src[ip + i];
    ip += n;
    op = n;
    state = n < 4 ? n : 4;
  }

  for (;;) {
    if (ip >= ipEnd) throw corrupt(where, 'lzo', `truncated: input ends at offset ${ipEnd} without the end-of-stream marker`);
    const at = ip;
    const inst = src[ip++];
    let len: number;
    let dist: number;
    let next: number; // literals after the match (the S bits)

    if (inst < 16) {
      if (state === 0) {
        // 0000LLLL after no literals: a run of 4 or more literals, length 3 + (L ?: 15 + extension).
        len = inst;
        if (len === 0) {
          len = extendedLength(src, ip, 15, where);
          ip = extIp;
        }
        len += 3;
        if (ip + len > ipEnd) throw truncated(where, at, len, ipEnd);
        if (op + len > opEnd) throw corrupt(where, 'lzo', overflowMessage(opEnd));
        copyLiterals(src, ip, dst, op, len);
        ip += len;
        op += len;
        state = 4;
        continue;
      }
      if (ip >= ipEnd) throw truncated(where, at, 1, ipEnd);
      const h = src[ip++];
      if (state < 4) {
        // 0000DDSS after 1-3 literals: 2 bytes from at most 1 KiB back.
        len = 2;
        dist = (h << 2) + ((inst >>> 2) & 3) + 1;
      } else {
        // 0000DDSS after 4 or more literals: 3 bytes from 2049..3072 back.
        len = 3;
        dist = (h << 2) + ((inst >>> 2) & 3) + 2049;
      }
      next = inst & 3;
    } else if (inst < 32) {
      // 0001HLLL: length 2 + (L ?: 7 + extension), distance 16384 + (H << 14) + D, D from an LE16.
      len = inst & 7;
      if (len === 0) {
        len = extendedLength(src, ip, 7, where);
        ip = extIp;
      }
      len += 2;
      if (ip + 2 > ipEnd) throw truncated(where, at, 2, ipEnd);
      const le16 = src[ip] | (src[ip + 1] << 8);
      ip += 2;
      dist = 16384 + ((inst & 8) << 11) + (le16 >>> 2);
      if (dist === 16384) {
        // End of stream. Nothing may follow: makedumpfile stores the exact compressed size.
        if (ip !== ipEnd) throw corrupt(where, 'lzo', `${ipEnd - ip} bytes after the end-of-stream marker at offset ${at}`);
        return op;
      }
      next = le16 & 3;
    } else if (inst < 64) {
      // 001LLLLL: length 2 + (L ?: 31 + extension), distance D + 1 (at most 16 KiB), D from an LE16.
      len = inst & 31;
      if (len === 0) {
        len = extendedLength(src, ip, 31, where);
        ip = extIp;
      }
      len += 2;
      if (ip + 2 > ipEnd) throw truncated(where, at, 2, ipEnd);
      const le16 = src[ip] | (src[ip + 1] << 8);
      ip += 2;
      dist = (le16 >>> 2) + 1;
      next = le16 & 3;
    } else {
      // 01LDDDSS: 3-4 bytes; 1LLDDDSS: 5-8 bytes; both from at most 2 KiB back, (H << 3) + D + 1.
      if (ip >= ipEnd) throw truncated(where, at, 1, ipEnd);
      const h = src[ip++];
      len = inst < 128 ? 3 + ((inst >>> 5) & 1) : 5 + ((inst >>> 5) & 3);
      dist = (h << 3) + ((inst >>> 2) & 7) + 1;
      next = inst & 3;
    }

    if (dist > op) throw corrupt(where, 'lzo', `match at input offset ${at} reaches ${dist} bytes back, only ${op} written`);
    if (op + len > opEnd) throw corrupt(where, 'lzo', overflowMessage(opEnd));
    if (len > 32) {
      copyMatch(dst, op, dist, len);
      op += len;
    } else {
      // Byte by byte: a match may overlap the bytes it produces (distance < length repeats them).
      let from = op - dist;
      const stop = op + len;
      while (op < stop) dst[op++] = dst[from++];
    }

    // Then 0-3 literals, the instruction's S bits.
    if (next !== 0) {
      if (ip + next > ipEnd) throw truncated(where, ip, next, ipEnd);
      if (op + next > opEnd) throw corrupt(where, 'lzo', overflowMessage(opEnd));
      dst[op++] = src[ip++];
      if (next > 1) dst[op++] = src[ip++];
      if (next > 2) dst[op++] = src[ip++];
    }
    state = next;
  }
}

/** Where {@link extendedLength} stopped reading. */
let extIp = 0;

/**
 * A length that did not fit its instruction's bits (lzo.rst "variable length
 * encoding"): `base` + 255 per zero byte + the first non-zero byte. Sets
 * {@link extIp} past the bytes read.
 */
function extendedLength(src: Uint8Array, ip: number, base: number, where: string): number {
  let len = base;
  const start = ip;
  while (ip < src.length && src[ip] === 0) {
    len += 255;
    ip++;
  }
  if (ip >= src.length) throw truncated(where, start, ip - start + 1, src.length);
  len += src[ip++];
  extIp = ip;
  return len;
}

function copyLiterals(src: Uint8Array, ip: number, dst: Uint8Array, op: number, len: number): void {
  if (len > 32) {
    dst.set(src.subarray(ip, ip + len), op);
    return;
  }
  for (let i = 0; i < len; i++) dst[op + i] = src[ip + i];
}

function truncated(where: string, at: number, need: number, end: number): Error {
  return corrupt(where, 'lzo', `truncated: the instruction at input offset ${at} needs ${need} more bytes than the ${end} there are`);
}
