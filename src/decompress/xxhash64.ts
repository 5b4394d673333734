/**
 * XXH64 with seed 0, the checksum of zstd frames (RFC 8878 section 3.1.1:
 * the low 32 bits of XXH64 of the decoded content). Written from the xxHash
 * specification (doc/xxhash_spec.md in Cyan4973/xxHash).
 *
 * 64-bit words are kept as two uint32 halves in local numbers; results of
 * the helpers come back through the module-level `rh`/`rl`, so nothing is
 * allocated per byte (BigInt would allocate for every operation).
 */

// The five primes, high and low halves.
const P1H = 0x9e3779b1, P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d, P2L = 0x27d4eb4f;
const P3H = 0x165667b1, P3L = 0x9e3779f9;
const P4H = 0x85ebca77, P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f, P5L = 0x165667c5;

/** Result of the last helper call: high and low 32 bits. */
let rh = 0;
let rl = 0;

/** (ah:al) * (bh:bl) mod 2^64 into rh:rl. */
function mul(ah: number, al: number, bh: number, bl: number): void {
  // al * bl exactly, from 16-bit pieces (each partial product stays below 2^32).
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  let t = a0 * b0;
  const w0 = t & 0xffff;
  t = a1 * b0 + (t >>> 16);
  const w1 = t & 0xffff;
  const w2 = t >>> 16;
  t = a0 * b1 + w1;
  rl = ((t << 16) | w0) >>> 0;
  const high = a1 * b1 + w2 + (t >>> 16);
  // The cross terms only reach the high word, modulo 2^32.
  rh = (high + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

/** (ah:al) + (bh:bl) mod 2^64 into rh:rl. */
function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl;
  rl = lo >>> 0;
  rh = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

/** Rotate (h:l) left by r, 0 < r < 32, into rh:rl. */
function rotl(h: number, l: number, r: number): void {
  rh = ((h << r) | (l >>> (32 - r))) >>> 0;
  rl = ((l << r) | (h >>> (32 - r))) >>> 0;
}

/** XXH64 round: acc = rotl(acc + input * P2, 31) * P1, into rh:rl. */
function round(acch: number, accl: number, ih: number, il: number): void {
  mul(ih, il, P2H, P2L);
  add(acch, accl, rh, rl);
  rotl(rh, rl, 31);
  mul(rh, rl, P1H, P1L);
}

/** mergeRound: acc = (acc ^ round(0, val)) * P1 + P4, into rh:rl. */
function mergeRound(acch: number, accl: number, vh: number, vl: number): void {
  round(0, 0, vh, vl);
  mul((acch ^ rh) >>> 0, (accl ^ rl) >>> 0, P1H, P1L);
  add(rh, rl, P4H, P4L);
}

function le32(d: Uint8Array, i: number): number {
  return (d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (d[i + 3] << 24)) >>> 0;
}

/** The low 32 bits of XXH64(data[start, end), seed 0). */
export function xxh64Low32(data: Uint8Array, start: number, end: number): number {
  const len = end - start;
  let p = start;
  let hh: number;
  let hl: number;
  if (len >= 32) {
    // Four accumulators over 32-byte stripes: v1 = P1 + P2, v2 = P2, v3 = 0, v4 = -P1.
    add(P1H, P1L, P2H, P2L);
    let v1h = rh, v1l = rl;
    let v2h = P2H, v2l = P2L;
    let v3h = 0, v3l = 0;
    let v4h = ~P1H >>> 0, v4l = -P1L >>> 0; // two's complement; no carry as P1L is not 0
    for (const limit = end - 32; p <= limit; p += 32) {
      round(v1h, v1l, le32(data, p + 4), le32(data, p));
      v1h = rh; v1l = rl;
      round(v2h, v2l, le32(data, p + 12), le32(data, p + 8));
      v2h = rh; v2l = rl;
      round(v3h, v3l, le32(data, p + 20), le32(data, p + 16));
      v3h = rh; v3l = rl;
      round(v4h, v4l, le32(data, p + 28), le32(data, p + 24));
      v4h = rh; v4l = rl;
    }
    rotl(v1h, v1l, 1);
    hh = rh; hl = rl;
    rotl(v2h, v2l, 7);
    add(hh, hl, rh, rl);
    hh = rh; hl = rl;
    rotl(v3h, v3l, 12);
    add(hh, hl, rh, rl);
    hh = rh; hl = rl;
    rotl(v4h, v4l, 18);
    add(hh, hl, rh, rl);
    mergeRound(rh, rl, v1h, v1l);
    mergeRound(rh, rl, v2h, v2l);
    mergeRound(rh, rl, v3h, v3l);
    mergeRound(rh, rl, v4h, v4l);
    hh = rh; hl = rl;
  } else {
    hh = P5H; hl = P5L;
  }
  add(hh, hl, Math.floor(len / 4294967296), len >>> 0);
  hh = rh; hl = rl;
  // The remaining 8-byte lanes, then a 4-byte one, then single bytes.
  for (; p + 8 <= end; p += 8) {
    round(0, 0, le32(data, p + 4), le32(data, p));
    rotl((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, 27);
    mul(rh, rl, P1H, P1L);
    add(rh, rl, P4H, P4L);
    hh = rh; hl = rl;
  }
  if (p + 4 <= end) {
    mul(0, le32(data, p), P1H, P1L);
    rotl((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, 23);
    mul(rh, rl, P2H, P2L);
    add(rh, rl, P3H, P3L);
    hh = rh; hl = rl;
    p += 4;
  }
  for (; p < end; p++) {
    mul(0, data[p], P5H, P5L);
    rotl((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, 11);
    mul(rh, rl, P1H, P1L);
    hh = rh; hl = rl;
  }
  // Avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32.
  hl = (hl ^ (hh >>> 1)) >>> 0;
  mul(hh, hl, P2H, P2L);
  hh = rh; hl = rl;
  hl = (hl ^ ((hl >>> 29) | (hh << 3))) >>> 0;
  hh = (hh ^ (hh >>> 29)) >>> 0;
  mul(hh, hl, P3H, P3L);
  return (rl ^ rh) >>> 0;
}
