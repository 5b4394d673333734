/**
 * DEFLATE decompression (RFC 1951) and the zlib container (RFC 1950): what
 * makedumpfile's `-c` pages are (`compress2()` output, a zlib stream per
 * page), and the body of a gzip member (see gunzip.ts).
 *
 * The decoder writes straight into the caller's buffer, which doubles as the
 * LZ77 window (RFC 1951 section 2: distances refer back into the output).
 * Huffman codes are decoded with two-level lookup tables rebuilt in
 * module-level scratch arrays for every dynamic block: nothing is allocated
 * per block or per byte. All state of the hot loop lives in local variables.
 *
 * Input is never read past its end: the bit buffer is topped up with zero
 * bits instead, and a stream that consumes any of those is reported as
 * truncated. Output is never written past the destination: a stream that
 * needs more is refused (or, for gunzip, the buffer grows up to its limit).
 */
import { adler32 } from './checksums.js';
import { copyMatch } from './copy-match.js';
import { corrupt, overflowMessage, type CodecName } from './corrupt.js';

/** Base lengths of length symbols 257..285 (RFC 1951 section 3.2.5). */
const LEN_BASE = Uint16Array.of(3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258);
/** Extra bits of length symbols 257..285. */
const LEN_EXTRA = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0);
/** Base distances of distance symbols 0..29 (section 3.2.5). */
const DIST_BASE = Uint16Array.of(1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577);
/** Extra bits of distance symbols 0..29. */
const DIST_EXTRA = Uint8Array.of(0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13);
/** The order in which a dynamic block lists the code length code lengths (section 3.2.7). */
const CL_ORDER = Uint8Array.of(16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15);

/** Longest Huffman code DEFLATE allows (section 3.2.7). */
const MAX_BITS = 15;
/** Bits resolved by the first-level table (longer codes go through a second level). */
const LIT_ROOT = 9;
const DIST_ROOT = 8;
/** Code length codes are at most 7 bits: one level. */
const CL_ROOT = 7;

/*
 * Decoding tables (Int32Array). An entry is `symbol << 4 | length` for a code
 * of `length` bits (1..15); `offset << 4` (low nibble 0) links a first-level
 * entry to the second-level table at `offset`, indexed by the code's next
 * bits; 0 marks a bit pattern no code uses (an incomplete code).
 */
const litTable = new Int32Array((1 << LIT_ROOT) + 288 * (1 << (MAX_BITS - LIT_ROOT)));
const distTable = new Int32Array((1 << DIST_ROOT) + 32 * (1 << (MAX_BITS - DIST_ROOT)));
const clTable = new Int32Array(1 << CL_ROOT);
/** Code lengths of a dynamic block: literal/length codes, then distance codes. */
const codeLengths = new Uint8Array(286 + 30);
const clLengths = new Uint8Array(19);
const lengthCount = new Uint16Array(MAX_BITS + 1);
const lengthStart = new Uint16Array(MAX_BITS + 2);
const sortedSymbols = new Uint16Array(288);
/** Bit reversal of a byte: DEFLATE sends Huffman codes most significant bit first. */
const REVERSE8 = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let r = 0;
  for (let b = 0; b < 8; b++) r |= ((i >>> b) & 1) << (7 - b);
  REVERSE8[i] = r;
}

const OVERSUBSCRIBED = -1;
const INCOMPLETE = -2;

/**
 * Fills `table` for the canonical Huffman code with code lengths
 * `lens[start, start + n)` (RFC 1951 section 3.2.2). Returns the first-level
 * bits in the low nibble and the second-level bits above them, or
 * OVERSUBSCRIBED / INCOMPLETE. An incomplete code is accepted only when
 * `allowSingle` and it is a single one-bit code, as zlib's inflate accepts it
 * (a block that uses one distance, or none); a code with no lengths at all
 * gives a table where every pattern is invalid (a block with no distances).
 */
function buildTable(lens: Uint8Array, start: number, n: number, table: Int32Array, maxRoot: number, allowSingle: boolean): number {
  lengthCount.fill(0);
  for (let i = 0; i < n; i++) lengthCount[lens[start + i]]++;
  lengthCount[0] = 0;
  let maxLen = MAX_BITS;
  while (maxLen > 0 && lengthCount[maxLen] === 0) maxLen--;
  if (maxLen === 0) {
    table[0] = 0;
    table[1] = 0;
    return 1;
  }
  // Kraft: each length doubles the code space; a code may not use more than all of it.
  let left = 1;
  for (let len = 1; len <= MAX_BITS; len++) {
    left = (left << 1) - lengthCount[len];
    if (left < 0) return OVERSUBSCRIBED;
  }
  if (left > 0 && !(allowSingle && maxLen === 1)) return INCOMPLETE;

  // Symbols sorted by code length, then by value: the order canonical codes are assigned in.
  lengthStart[1] = 0;
  for (let len = 1; len < MAX_BITS; len++) lengthStart[len + 1] = lengthStart[len] + lengthCount[len];
  for (let sym = 0; sym < n; sym++) {
    const len = lens[start + sym];
    if (len !== 0) sortedSymbols[lengthStart[len]++] = sym;
  }

  const root = maxLen < maxRoot ? maxLen : maxRoot;
  const rootSize = 1 << root;
  const sub = maxLen - root;
  const subSize = 1 << sub;
  if (left > 0) table.fill(0, 0, rootSize);
  let next = rootSize; // where the next second-level table goes
  let subBase = 0;
  let subPrefix = -1;
  let code = 0; // the canonical code, most significant bit first
  let k = 0;
  for (let len = 1; len <= maxLen; len++) {
    for (let c = lengthCount[len]; c > 0; c--) {
      const entry = (sortedSymbols[k++] << 4) | len;
      const rev = ((REVERSE8[code & 0xff] << 8) | REVERSE8[code >>> 8]) >>> (16 - len);
      if (len <= root) {
        for (let i = rev; i < rootSize; i += 1 << len) table[i] = entry;
      } else {
        // Canonical codes increase in this order, so codes sharing their first
        // `root` bits come one after another: one second-level table each.
        const prefix = code >>> (len - root);
        if (prefix !== subPrefix) {
          subPrefix = prefix;
          subBase = next;
          next += subSize;
          table[rev & (rootSize - 1)] = subBase << 4;
        }
        for (let i = rev >>> root; i < subSize; i += 1 << (len - root)) table[subBase + i] = entry;
      }
      code++;
    }
    code <<= 1;
  }
  return root | (sub << 4);
}

/** Fixed Huffman tables (section 3.2.6), built on first use. */
let fixedLit: Int32Array | null = null;
let fixedDist: Int32Array | null = null;
let fixedLitBits = 0;
let fixedDistBits = 0;

function buildFixedTables(): void {
  const lens = new Uint8Array(288);
  lens.fill(8, 0, 144);
  lens.fill(9, 144, 256);
  lens.fill(7, 256, 280);
  lens.fill(8, 280, 288);
  fixedLit = new Int32Array(1 << 9);
  fixedLitBits = buildTable(lens, 0, 288, fixedLit, 9, false);
  // 32 five-bit codes: 30 and 31 are codes but not distances, refused when they appear.
  lens.fill(5, 0, 32);
  fixedDist = new Int32Array(1 << 5);
  fixedDistBits = buildTable(lens, 0, 32, fixedDist, 5, false);
}

/**
 * Where output goes. `buf` is written from the caller's start offset; when a
 * write would pass `buf.length`, `grow` is asked for a larger buffer holding
 * the same bytes (gunzip), or is null and the stream is refused (pages).
 */
export interface InflateSink {
  buf: Uint8Array;
  grow: ((needed: number) => Uint8Array) | null;
}

/** The bit reader between the hot loop and the block header readers. */
let bitBuf = 0;
let bitCnt = 0;
let bitPos = 0;
let litBits = 0;
let distBits = 0;
/** Set by {@link inflateInto}: the offset just past the DEFLATE stream's last byte. */
export let inflateEnd = 0;

function truncated(where: string, codec: CodecName, end: number): Error {
  return corrupt(where, codec, `truncated: the DEFLATE stream needs more than the ${end} bytes of input`);
}

/**
 * Reads a dynamic block's code lengths (RFC 1951 section 3.2.7) from the bit
 * reader state and builds litTable/distTable.
 */
function readDynamicTables(src: Uint8Array, end: number, where: string, codec: CodecName): void {
  let buf = bitBuf;
  let cnt = bitCnt;
  let pos = bitPos;
  while (cnt < 14) {
    if (pos < end) buf |= src[pos] << cnt;
    else if (pos >= end + 4) throw truncated(where, codec, end);
    pos++;
    cnt += 8;
  }
  const nlen = (buf & 31) + 257;
  const ndist = ((buf >>> 5) & 31) + 1;
  const ncode = ((buf >>> 10) & 15) + 4;
  buf >>>= 14;
  cnt -= 14;
  // 286 and 287 are literal/length codes but no symbols; likewise distances 30 and 31.
  if (nlen > 286) throw corrupt(where, codec, `dynamic block at input offset ${bitPos} declares ${nlen} literal/length codes (at most 286)`);
  if (ndist > 30) throw corrupt(where, codec, `dynamic block at input offset ${bitPos} declares ${ndist} distance codes (at most 30)`);
  clLengths.fill(0);
  for (let i = 0; i < ncode; i++) {
    while (cnt < 3) {
      if (pos < end) buf |= src[pos] << cnt;
      else if (pos >= end + 4) throw truncated(where, codec, end);
      pos++;
      cnt += 8;
    }
    clLengths[CL_ORDER[i]] = buf & 7;
    buf >>>= 3;
    cnt -= 3;
  }
  const cl = buildTable(clLengths, 0, 19, clTable, CL_ROOT, false);
  if (cl < 0) throw corrupt(where, codec, `dynamic block at input offset ${bitPos}: ${cl === OVERSUBSCRIBED ? 'over-subscribed' : 'incomplete'} code length code`);
  const clMask = (1 << (cl & 15)) - 1;
  const total = nlen + ndist;
  for (let i = 0; i < total; ) {
    // A code (at most 7 bits) and its repeat count (at most 7 bits).
    while (cnt < 14) {
      if (pos < end) buf |= src[pos] << cnt;
      else if (pos >= end + 4) throw truncated(where, codec, end);
      pos++;
      cnt += 8;
    }
    const e = clTable[buf & clMask];
    if (e === 0) throw corrupt(where, codec, `invalid code length code near input offset ${pos}`);
    buf >>>= e & 15;
    cnt -= e & 15;
    const sym = e >>> 4;
    if (sym < 16) {
      codeLengths[i++] = sym;
      continue;
    }
    let value = 0;
    let repeat: number;
    if (sym === 16) {
      if (i === 0) throw corrupt(where, codec, `code length repeat (16) with no previous length near input offset ${pos}`);
      value = codeLengths[i - 1];
      repeat = 3 + (buf & 3);
      buf >>>= 2;
      cnt -= 2;
    } else if (sym === 17) {
      repeat = 3 + (buf & 7);
      buf >>>= 3;
      cnt -= 3;
    } else {
      repeat = 11 + (buf & 127);
      buf >>>= 7;
      cnt -= 7;
    }
    if (i + repeat > total) throw corrupt(where, codec, `code length repeat runs past the ${total} lengths near input offset ${pos}`);
    codeLengths.fill(value, i, i + repeat);
    i += repeat;
  }
  if (codeLengths[256] === 0) throw corrupt(where, codec, `dynamic block near input offset ${pos} has no end-of-block code`);
  const lit = buildTable(codeLengths, 0, nlen, litTable, LIT_ROOT, true);
  if (lit < 0) throw corrupt(where, codec, `dynamic block near input offset ${pos}: ${lit === OVERSUBSCRIBED ? 'over-subscribed' : 'incomplete'} literal/length code`);
  const dist = buildTable(codeLengths, nlen, ndist, distTable, DIST_ROOT, true);
  if (dist < 0) throw corrupt(where, codec, `dynamic block near input offset ${pos}: ${dist === OVERSUBSCRIBED ? 'over-subscribed' : 'incomplete'} distance code`);
  litBits = lit;
  distBits = dist;
  bitBuf = buf;
  bitCnt = cnt;
  bitPos = pos;
}

/**
 * Decodes the DEFLATE stream (RFC 1951) that starts at `src[start]` and ends
 * at or before `src[end]`, writing from `sink.buf[op]`; back-references may
 * reach back to `windowStart`. Returns the output offset after the last byte
 * written and sets {@link inflateEnd} to the input offset after the stream
 * (its last byte, padding bits included).
 */
export function inflateInto(src: Uint8Array, start: number, end: number, sink: InflateSink, op: number, windowStart: number, where: string, codec: CodecName): number {
  if (fixedLit === null) buildFixedTables();
  let out = sink.buf;
  let outEnd = out.length;
  let buf = 0;
  let cnt = 0;
  let pos = start;
  let final = 0;
  do {
    while (cnt < 3) {
      if (pos < end) buf |= src[pos] << cnt;
      else if (pos >= end + 4) throw truncated(where, codec, end);
      pos++;
      cnt += 8;
    }
    final = buf & 1;
    const type = (buf >>> 1) & 3;
    buf >>>= 3;
    cnt -= 3;

    if (type === 0) {
      // Stored block (section 3.2.4): skip to the byte boundary, then LEN and its complement NLEN.
      pos -= cnt >>> 3;
      buf = 0;
      cnt = 0;
      if (pos + 4 > end) throw truncated(where, codec, end);
      const len = src[pos] | (src[pos + 1] << 8);
      const nlen = src[pos + 2] | (src[pos + 3] << 8);
      if (len !== (~nlen & 0xffff)) throw corrupt(where, codec, `stored block at input offset ${pos}: LEN ${len} does not match NLEN ${nlen}`);
      pos += 4;
      if (pos + len > end) throw truncated(where, codec, end);
      if (op + len > outEnd) {
        out = makeRoom(sink, op + len, where, codec);
        outEnd = out.length;
      }
      out.set(src.subarray(pos, pos + len), op);
      op += len;
      pos += len;
      continue;
    }

    let lit: Int32Array;
    let dist: Int32Array;
    let lbits: number;
    let dbits: number;
    if (type === 1) {
      lit = fixedLit!;
      dist = fixedDist!;
      lbits = fixedLitBits;
      dbits = fixedDistBits;
    } else if (type === 2) {
      bitBuf = buf;
      bitCnt = cnt;
      bitPos = pos;
      readDynamicTables(src, end, where, codec);
      buf = bitBuf;
      cnt = bitCnt;
      pos = bitPos;
      lit = litTable;
      dist = distTable;
      lbits = litBits;
      dbits = distBits;
    } else {
      throw corrupt(where, codec, `block type 3 (reserved) near input offset ${pos}`);
    }
    const litRoot = lbits & 15;
    const litMask = (1 << litRoot) - 1;
    const litSubMask = (1 << (lbits >>> 4)) - 1;
    const distRoot = dbits & 15;
    const distMask = (1 << distRoot) - 1;
    const distSubMask = (1 << (dbits >>> 4)) - 1;

    // The hot loop: one literal/length code per iteration (section 3.2.5).
    for (;;) {
      // Enough bits for the longest code (15) and its length's extra bits (5).
      if (cnt < 20) {
        do {
          if (pos < end) buf |= src[pos] << cnt;
          else if (pos >= end + 4) throw truncated(where, codec, end);
          pos++;
          cnt += 8;
        } while (cnt <= 24);
      }
      let e = lit[buf & litMask];
      if ((e & 15) === 0) {
        if (e === 0) throw invalidCode(where, codec, 'literal/length', pos, cnt, end);
        e = lit[(e >>> 4) + ((buf >>> litRoot) & litSubMask)];
        if (e === 0) throw invalidCode(where, codec, 'literal/length', pos, cnt, end);
      }
      buf >>>= e & 15;
      cnt -= e & 15;
      let sym = e >>> 4;
      if (sym < 256) {
        if (op >= outEnd) {
          out = makeRoom(sink, op + 1, where, codec, pos, cnt, end);
          outEnd = out.length;
        }
        out[op++] = sym;
        continue;
      }
      if (sym === 256) break;
      sym -= 257;
      if (sym >= 29) throw corrupt(where, codec, `invalid literal/length symbol ${sym + 257} near input offset ${pos - (cnt >>> 3)}`);
      let len = LEN_BASE[sym];
      const lx = LEN_EXTRA[sym];
      if (lx !== 0) {
        len += buf & ((1 << lx) - 1);
        buf >>>= lx;
        cnt -= lx;
      }
      if (cnt < 15) {
        do {
          if (pos < end) buf |= src[pos] << cnt;
          else if (pos >= end + 4) throw truncated(where, codec, end);
          pos++;
          cnt += 8;
        } while (cnt <= 24);
      }
      let d = dist[buf & distMask];
      if ((d & 15) === 0) {
        if (d === 0) throw invalidCode(where, codec, 'distance', pos, cnt, end);
        d = dist[(d >>> 4) + ((buf >>> distRoot) & distSubMask)];
        if (d === 0) throw invalidCode(where, codec, 'distance', pos, cnt, end);
      }
      buf >>>= d & 15;
      cnt -= d & 15;
      const dsym = d >>> 4;
      if (dsym >= 30) throw corrupt(where, codec, `invalid distance symbol ${dsym} near input offset ${pos - (cnt >>> 3)}`);
      let distance = DIST_BASE[dsym];
      const dx = DIST_EXTRA[dsym];
      if (dx !== 0) {
        if (cnt < dx) {
          do {
            if (pos < end) buf |= src[pos] << cnt;
            else if (pos >= end + 4) throw truncated(where, codec, end);
            pos++;
            cnt += 8;
          } while (cnt <= 24);
        }
        distance += buf & ((1 << dx) - 1);
        buf >>>= dx;
        cnt -= dx;
      }
      if (distance > op - windowStart) {
        if (pos - (cnt >>> 3) > end) throw truncated(where, codec, end);
        throw corrupt(where, codec, `distance ${distance} reaches before the start of the output (${op - windowStart} bytes written) near input offset ${pos - (cnt >>> 3)}`);
      }
      if (op + len > outEnd) {
        out = makeRoom(sink, op + len, where, codec, pos, cnt, end);
        outEnd = out.length;
      }
      if (len > 32) {
        copyMatch(out, op, distance, len);
        op += len;
      } else {
        // Byte by byte: the source may overlap what is being written (a run).
        let from = op - distance;
        const stop = op + len;
        while (op < stop) out[op++] = out[from++];
      }
    }
  } while (final === 0);
  // The stream ends at the byte holding its last bit; whole bytes still buffered were not used.
  const after = pos - (cnt >>> 3);
  if (after > end) throw truncated(where, codec, end);
  inflateEnd = after;
  return op;
}

function invalidCode(where: string, codec: CodecName, what: string, pos: number, cnt: number, end: number): Error {
  if (pos - (cnt >>> 3) > end) return truncated(where, codec, end);
  return corrupt(where, codec, `invalid ${what} code near input offset ${pos - (cnt >>> 3)}`);
}

/** A buffer of at least `needed` bytes from the sink, or the error that says the output is too large. */
function makeRoom(sink: InflateSink, needed: number, where: string, codec: CodecName, pos = 0, cnt = 0, end = Infinity): Uint8Array {
  // Output produced from the zero bits past the end of the input is a truncated stream, not a long one.
  if (pos - (cnt >>> 3) > end) throw truncated(where, codec, end);
  if (sink.grow === null) throw corrupt(where, codec, overflowMessage(sink.buf.length));
  sink.buf = sink.grow(needed);
  return sink.buf;
}

const pageSink: InflateSink = { buf: new Uint8Array(0), grow: null };

/**
 * Decompresses a raw DEFLATE stream (RFC 1951, no header or trailer) into
 * `dst`. Returns the number of bytes written (at most `dst.length`). The
 * stream must end exactly at the end of `src`.
 *
 * Throws PagewalkError('EBADIMAGE', `${where}: deflate: ...`) for a reserved
 * block type, a stored block whose LEN and NLEN disagree, an over-subscribed
 * or incomplete code (except zlib's single-code case), a missing end-of-block
 * code, invalid symbols (literal/length 286-287, distance 30-31), a distance
 * before the start of the output, output larger than `dst`, truncated input,
 * and bytes after the stream.
 */
export function inflateRaw(src: Uint8Array, dst: Uint8Array, where: string): number {
  const n = inflateToPage(src, 0, src.length, dst, where, 'deflate');
  if (inflateEnd !== src.length) throw trailing(where, 'deflate', inflateEnd, src.length);
  return n;
}

function inflateToPage(src: Uint8Array, start: number, end: number, dst: Uint8Array, where: string, codec: CodecName): number {
  pageSink.buf = dst;
  try {
    return inflateInto(src, start, end, pageSink, 0, 0, where, codec);
  } finally {
    pageSink.buf = EMPTY; // do not keep the caller's buffer alive
  }
}

const EMPTY = new Uint8Array(0);

function trailing(where: string, codec: CodecName, at: number, length: number): Error {
  return corrupt(where, codec, `${length - at} bytes after the end of the stream (at input offset ${at})`);
}

/**
 * Decompresses a zlib stream (RFC 1950) into `dst`: the 2-byte header
 * (CM 8 = deflate, CINFO <= 7, FCHECK making the header a multiple of 31, no
 * preset dictionary), the DEFLATE data, then the big-endian Adler-32 of the
 * output, which is verified. Returns the number of bytes written (at most
 * `dst.length`). The stream must end exactly at the end of `src` (makedumpfile
 * stores the exact compressed size).
 *
 * Throws PagewalkError('EBADIMAGE', `${where}: zlib: ...`) for a bad header,
 * FDICT set (a preset dictionary, which pagewalk does not have), anything
 * {@link inflateRaw} refuses, a missing or wrong Adler-32, and trailing bytes.
 */
export function inflateZlib(src: Uint8Array, dst: Uint8Array, where: string): number {
  if (src.length < 2) throw corrupt(where, 'zlib', `truncated: ${src.length} bytes, a zlib header needs 2`);
  const cmf = src[0];
  const flg = src[1];
  if ((cmf & 15) !== 8) throw corrupt(where, 'zlib', `header byte 0x${hex2(cmf)}: compression method ${cmf & 15}, need 8 (deflate); not a zlib stream`);
  if (cmf >>> 4 > 7) throw corrupt(where, 'zlib', `header byte 0x${hex2(cmf)}: window size 2^${(cmf >>> 4) + 8} exceeds 32 KiB (CINFO ${cmf >>> 4} > 7)`);
  if (((cmf << 8) | flg) % 31 !== 0) throw corrupt(where, 'zlib', `header 0x${hex2(cmf)}${hex2(flg)} fails its check (FCHECK: not a multiple of 31)`);
  if (flg & 0x20) throw corrupt(where, 'zlib', 'header sets FDICT: the stream needs a preset dictionary, which is not supported');
  const n = inflateToPage(src, 2, src.length, dst, where, 'zlib');
  const at = inflateEnd;
  if (at + 4 > src.length) throw corrupt(where, 'zlib', `truncated: the Adler-32 after the DEFLATE data (input offset ${at}) is missing`);
  const stored = ((src[at] << 24) | (src[at + 1] << 16) | (src[at + 2] << 8) | src[at + 3]) >>> 0;
  const actual = adler32(dst, 0, n);
  if (stored !== actual) throw corrupt(where, 'zlib', `Adler-32 mismatch: the stream says 0x${stored.toString(16)}, the ${n} bytes decoded give 0x${actual.toString(16)}`);
  if (at + 4 !== src.length) throw trailing(where, 'zlib', at + 4, src.length);
  return n;
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}
