/**
 * The checksums of the zlib and gzip containers: Adler-32 (RFC 1950 section
 * 9) and the CRC-32 of ISO 3309 / ITU-T V.42 (RFC 1952 section 8).
 */

/** Adler-32's modulus, the largest prime below 2^16. */
const ADLER_BASE = 65521;
/**
 * Bytes summed before the sums are reduced. zlib's NMAX (5552) keeps `b`
 * below 2^32; 2048 keeps it below 2^30 (n BASE + 255 n (n + 1) / 2 < 2^30), so
 * the optimizing compiler's int32 arithmetic never overflows into doubles.
 */
const ADLER_NMAX = 2048;

/** Adler-32 of `data[start, end)`, continuing from `adler` (1 for a new stream). */
export function adler32(data: Uint8Array, start: number, end: number, adler = 1): number {
  let a = adler & 0xffff;
  let b = adler >>> 16;
  let i = start;
  while (i < end) {
    const stop = Math.min(end, i + ADLER_NMAX);
    // Eight bytes a step: b gains 8 a plus the bytes weighted 8..1, a gains their sum.
    for (const stop8 = stop - 7; i < stop8; i += 8) {
      const d0 = data[i], d1 = data[i + 1], d2 = data[i + 2], d3 = data[i + 3];
      const d4 = data[i + 4], d5 = data[i + 5], d6 = data[i + 6], d7 = data[i + 7];
      b += 8 * a + 8 * d0 + 7 * d1 + 6 * d2 + 5 * d3 + 4 * d4 + 3 * d5 + 2 * d6 + d7;
      a += d0 + d1 + d2 + d3 + d4 + d5 + d6 + d7;
    }
    for (; i < stop; i++) {
      a += data[i];
      b += a;
    }
    a %= ADLER_BASE;
    b %= ADLER_BASE;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * CRC-32 lookup tables for slicing by 4 (four bytes per step): CRC_TABLES[k][n]
 * is the CRC of byte n followed by k zero bytes. Built on first use.
 */
let crcTables: Int32Array | null = null;

function crcTable(): Int32Array {
  if (crcTables !== null) return crcTables;
  const t = new Int32Array(4 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; // reflected polynomial
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let k = 1; k < 4; k++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  crcTables = t;
  return t;
}

/** CRC-32 of `data[start, end)`, continuing from `crc` (0 for a new stream). */
export function crc32(data: Uint8Array, start: number, end: number, crc = 0): number {
  const t = crcTable();
  let c = ~crc;
  let i = start;
  for (const stop = end - 3; i < stop; i += 4) {
    c ^= data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    c = t[768 + (c & 0xff)] ^ t[512 + ((c >>> 8) & 0xff)] ^ t[256 + ((c >>> 16) & 0xff)] ^ t[c >>> 24];
  }
  for (; i < end; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
