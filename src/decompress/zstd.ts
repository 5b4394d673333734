/**
 * Zstandard decompression (RFC 8878) of frames without dictionaries: what
 * makedumpfile's `-z` pages are (one `ZSTD_compress()` frame a page, content
 * size in the header, no checksum), and what the zstd tool writes.
 *
 * Supported: Zstandard frames (section 3.1.1) with or without
 * Single_Segment, window descriptor, Frame_Content_Size (checked against the
 * output) and Content_Checksum (XXH64, verified); several frames one after
 * another (their outputs concatenated) and skippable frames (3.1.2,
 * skipped); raw, RLE and compressed blocks; raw, RLE, Huffman-compressed
 * (1 or 4 streams) and treeless literals; sequences with predefined, RLE,
 * FSE-compressed and repeat tables; repeat offsets.
 *
 * Refused: a frame with a non-zero Dictionary_ID (pagewalk has no
 * dictionaries), the reserved header bit, reserved block and literals
 * types, anything the RFC calls corrupt, and output larger than the
 * destination. Output is written straight into the destination, which is
 * also the window: no window buffer is allocated, whatever Window_Size says.
 */
import { copyMatch } from './copy-match.js';
import { corrupt, overflowMessage } from './corrupt.js';
import { xxh64Low32 } from './xxhash64.js';
import {
  backwardBits,
  decodeHuffmanStream,
  fseEnd,
  huffEnd,
  newFseTable,
  peekBackwardSlow,
  predefinedFseTable,
  readFseTable,
  readHuffmanTable,
  rleFseTable,
  type FseTable,
} from './zstd-entropy.js';

const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames: 0x184D2A50..0x184D2A5F (section 3.1.2). */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** Block_Maximum_Size is at most 128 KiB (section 3.1.1.2.4). */
const MAX_BLOCK = 128 * 1024;

/** Literals length codes 16..35: baselines and extra bits (section 3.1.1.3.2.1.1). Codes 0..15 are themselves. */
const LL_BASE = Int32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536);
const LL_BITS = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
/** Match length codes 32..52 (codes 0..31 are lengths 3..34). */
const ML_BASE = new Int32Array(53);
const ML_BITS = new Uint8Array(53);
{
  const base = [35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539];
  const bits = [1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
  for (let c = 0; c < 32; c++) ML_BASE[c] = c + 3;
  for (let c = 32; c < 53; c++) {
    ML_BASE[c] = base[c - 32];
    ML_BITS[c] = bits[c - 32];
  }
}
const LL_MAX_SYMBOL = 35;
const ML_MAX_SYMBOL = 52;
const OF_MAX_SYMBOL = 31;

/** Default distributions (section 3.1.1.3.2.2.1-3): accuracy 6, 6 and 5. */
const LL_DEFAULT = [4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1];
const ML_DEFAULT = [1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1];
const OF_DEFAULT = [1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1];

/** Predefined tables, built on first use. */
let llDefault: FseTable | null = null;
let mlDefault: FseTable | null = null;
let ofDefault: FseTable | null = null;

/** Tables read from blocks (FSE_Compressed_Mode) and set by RLE_Mode, one each per symbol type. */
const llRead = newFseTable(9);
const mlRead = newFseTable(9);
const ofRead = newFseTable(8);
const llRle = newFseTable(0);
const mlRle = newFseTable(0);
const ofRle = newFseTable(0);

/** Decoded literals of the current block (Huffman or RLE; raw literals are read in place). */
let literalScratch: Uint8Array | null = null;

/** Per-frame decoding state: the tables Repeat_Mode and treeless literals reuse, and the repeat offsets. */
let llTable: FseTable | null = null;
let mlTable: FseTable | null = null;
let ofTable: FseTable | null = null;
let haveHuffman = false;
let rep1 = 1;
let rep2 = 4;
let rep3 = 8;
/** Where the last frame or block ended in the input. */
let inputEnd = 0;

/** The predefined tables, built on first use (exported for the test against RFC 8878 Appendix A). */
export function predefinedTables(): { ll: FseTable; ml: FseTable; of: FseTable } {
  if (llDefault === null) {
    llDefault = predefinedFseTable(LL_DEFAULT, 6);
    mlDefault = predefinedFseTable(ML_DEFAULT, 6);
    ofDefault = predefinedFseTable(OF_DEFAULT, 5);
  }
  return { ll: llDefault, ml: mlDefault!, of: ofDefault! };
}

function le32(src: Uint8Array, p: number): number {
  return (src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24)) >>> 0;
}

/**
 * Decompresses Zstandard data (one or more frames, skippable frames allowed)
 * into `dst`. Returns the number of bytes written (at most `dst.length`).
 *
 * Throws PagewalkError('EBADIMAGE', `${where}: zstd: ...`) for empty input,
 * an unknown magic number, a frame that needs a dictionary, a reserved bit
 * or type, a truncated frame, corrupt entropy tables or bitstreams, a match
 * reaching before the start of its frame, output beyond `dst` or beyond the
 * frame's Frame_Content_Size or a block's maximum size, a content size
 * mismatch and a checksum mismatch.
 */
export function decompressZstd(src: Uint8Array, dst: Uint8Array, where: string): number {
  if (src.length === 0) throw corrupt(where, 'zstd', 'empty input: no frame');
  let ip = 0;
  let op = 0;
  while (ip < src.length) {
    if (ip + 4 > src.length) throw corrupt(where, 'zstd', `truncated: ${src.length - ip} bytes at input offset ${ip}, a frame needs a 4-byte magic number`);
    const magic = le32(src, ip);
    if (((magic & SKIPPABLE_MASK) >>> 0) === SKIPPABLE_MAGIC) {
      if (ip + 8 > src.length) throw corrupt(where, 'zstd', `truncated: skippable frame at input offset ${ip} has no size`);
      const size = le32(src, ip + 4);
      if (ip + 8 + size > src.length) throw corrupt(where, 'zstd', `truncated: skippable frame at input offset ${ip} declares ${size} bytes, ${src.length - ip - 8} follow`);
      ip += 8 + size;
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw corrupt(where, 'zstd', `not a zstd frame at input offset ${ip} (magic 0x${magic.toString(16).padStart(8, '0')}, need 0xfd2fb528)`);
    op = decodeFrame(src, ip + 4, dst, op, where);
    ip = inputEnd;
  }
  return op;
}

/** Decodes the frame whose header starts at src[p] (after the magic) into dst[op...]; returns the new op. */
function decodeFrame(src: Uint8Array, p: number, dst: Uint8Array, op: number, where: string): number {
  const frameAt = p - 4;
  if (p >= src.length) throw truncatedFrame(where, frameAt);
  const fhd = src[p];
  const fcsFlag = fhd >>> 6;
  const single = (fhd >>> 5) & 1;
  const checksum = (fhd >>> 2) & 1;
  const didFlag = fhd & 3;
  if (fhd & 8) throw corrupt(where, 'zstd', `frame at input offset ${frameAt}: reserved bit of the frame header descriptor is set`);
  const didSize = didFlag === 3 ? 4 : didFlag;
  const fcsSize = fcsFlag === 0 ? single : 1 << fcsFlag;
  const headerSize = 1 + (single ? 0 : 1) + didSize + fcsSize;
  if (p + headerSize > src.length) throw truncatedFrame(where, frameAt);
  let q = p + 1;
  let windowSize = 0;
  if (!single) {
    // Window_Descriptor (3.1.1.1.2): 2^(10 + exponent) plus mantissa eighths of it.
    const wd = src[q++];
    const base = 2 ** (10 + (wd >>> 3));
    windowSize = base + (base / 8) * (wd & 7);
  }
  if (didSize !== 0) {
    let id = 0;
    for (let i = didSize - 1; i >= 0; i--) id = id * 256 + src[q + i];
    q += didSize;
    if (id !== 0) throw corrupt(where, 'zstd', `frame at input offset ${frameAt} needs dictionary ${id}; dictionaries are not supported`);
  }
  let contentSize = -1; // unknown
  if (fcsSize !== 0) {
    contentSize = 0;
    for (let i = fcsSize - 1; i >= 0; i--) contentSize = contentSize * 256 + src[q + i];
    if (fcsSize === 2) contentSize += 256; // the 2-byte form starts at 256 (3.1.1.1.4)
    q += fcsSize;
    if (single) windowSize = contentSize;
    if (contentSize > dst.length - op) {
      throw corrupt(where, 'zstd', `frame at input offset ${frameAt} declares ${contentSize} bytes of content: ${overflowMessage(dst.length)}`);
    }
  }
  const blockMax = Math.min(windowSize, MAX_BLOCK);

  // A frame starts afresh: no tables to repeat, repeat offsets 1, 4, 8 (3.1.1.5).
  llTable = mlTable = ofTable = null;
  haveHuffman = false;
  rep1 = 1;
  rep2 = 4;
  rep3 = 8;
  const frameStart = op;
  for (;;) {
    if (q + 3 > src.length) throw truncatedFrame(where, frameAt);
    const bh = src[q] | (src[q + 1] << 8) | (src[q + 2] << 16);
    const blockAt = q;
    q += 3;
    const last = bh & 1;
    const type = (bh >>> 1) & 3;
    const size = bh >>> 3;
    if (type === 3) throw corrupt(where, 'zstd', `block at input offset ${blockAt}: reserved block type`);
    if (size > blockMax) throw corrupt(where, 'zstd', `block at input offset ${blockAt}: size ${size} exceeds the frame's maximum block size ${blockMax}`);
    if (type === 1) {
      // RLE_Block: one byte, repeated Block_Size times.
      if (q + 1 > src.length) throw truncatedFrame(where, frameAt);
      if (op + size > dst.length) throw corrupt(where, 'zstd', overflowMessage(dst.length));
      dst.fill(src[q], op, op + size);
      op += size;
      q += 1;
    } else {
      if (q + size > src.length) throw truncatedFrame(where, frameAt);
      if (type === 0) {
        if (op + size > dst.length) throw corrupt(where, 'zstd', overflowMessage(dst.length));
        dst.set(src.subarray(q, q + size), op);
        op += size;
      } else {
        const before = op;
        op = decodeCompressedBlock(src, q, q + size, dst, op, frameStart, blockMax, where);
        if (op - before > blockMax) throw corrupt(where, 'zstd', `block at input offset ${blockAt} decodes to ${op - before} bytes, more than the maximum block size ${blockMax}`);
      }
      q += size;
    }
    if (contentSize >= 0 && op - frameStart > contentSize) {
      throw corrupt(where, 'zstd', `frame at input offset ${frameAt} decodes to more than its declared ${contentSize} bytes`);
    }
    if (last) break;
  }
  if (contentSize >= 0 && op - frameStart !== contentSize) {
    throw corrupt(where, 'zstd', `frame at input offset ${frameAt} declares ${contentSize} bytes of content, its blocks give ${op - frameStart}`);
  }
  if (checksum) {
    if (q + 4 > src.length) throw truncatedFrame(where, frameAt);
    const stored = le32(src, q);
    const actual = xxh64Low32(dst, frameStart, op);
    if (stored !== actual) throw corrupt(where, 'zstd', `frame at input offset ${frameAt}: content checksum 0x${stored.toString(16)} does not match 0x${actual.toString(16)} (XXH64 of the ${op - frameStart} bytes decoded)`);
    q += 4;
  }
  inputEnd = q;
  return op;
}

function truncatedFrame(where: string, frameAt: number): Error {
  return corrupt(where, 'zstd', `truncated: the frame at input offset ${frameAt} runs past the end of the input`);
}

/** Literals of the current block: in `litBuf[litStart, litEnd)`. */
let litBuf: Uint8Array = new Uint8Array(0);
let litStart = 0;
let litEnd = 0;

/**
 * Decodes the Literals_Section at src[p] (section 3.1.1.3.1) into
 * litBuf/litStart/litEnd and returns where the Sequences_Section starts.
 */
function decodeLiterals(src: Uint8Array, p: number, end: number, blockMax: number, where: string): number {
  const at = p;
  const b0 = src[p];
  const type = b0 & 3;
  const sizeFormat = (b0 >>> 2) & 3;
  if (type < 2) {
    // Raw or RLE: only Regenerated_Size, in 5, 12 or 20 bits.
    let regen: number;
    if (sizeFormat === 0 || sizeFormat === 2) {
      regen = b0 >>> 3;
      p += 1;
    } else if (sizeFormat === 1) {
      if (p + 2 > end) throw truncatedLiterals(where, at);
      regen = (b0 >>> 4) | (src[p + 1] << 4);
      p += 2;
    } else {
      if (p + 3 > end) throw truncatedLiterals(where, at);
      regen = (b0 >>> 4) | (src[p + 1] << 4) | (src[p + 2] << 12);
      p += 3;
    }
    if (regen > blockMax) throw corrupt(where, 'zstd', `literals at input offset ${at}: ${regen} bytes exceed the maximum block size ${blockMax}`);
    if (type === 0) {
      if (p + regen > end) throw truncatedLiterals(where, at);
      litBuf = src;
      litStart = p;
      litEnd = p + regen;
      return p + regen;
    }
    if (p + 1 > end) throw truncatedLiterals(where, at);
    const scratch = literals();
    scratch.fill(src[p], 0, regen);
    litBuf = scratch;
    litStart = 0;
    litEnd = regen;
    return p + 1;
  }
  // Compressed or treeless: Regenerated_Size and Compressed_Size, 1 or 4 streams.
  let regen: number;
  let compressed: number;
  let streams = 4;
  if (sizeFormat < 2) {
    if (p + 3 > end) throw truncatedLiterals(where, at);
    const h = b0 | (src[p + 1] << 8) | (src[p + 2] << 16);
    regen = (h >>> 4) & 1023;
    compressed = (h >>> 14) & 1023;
    if (sizeFormat === 0) streams = 1;
    p += 3;
  } else if (sizeFormat === 2) {
    if (p + 4 > end) throw truncatedLiterals(where, at);
    const h = le32(src, p);
    regen = (h >>> 4) & 16383;
    compressed = h >>> 18;
    p += 4;
  } else {
    if (p + 5 > end) throw truncatedLiterals(where, at);
    const h = le32(src, p);
    regen = (h >>> 4) & 262143;
    compressed = (h >>> 22) + src[p + 4] * 1024;
    p += 5;
  }
  if (regen > blockMax) throw corrupt(where, 'zstd', `literals at input offset ${at}: ${regen} bytes exceed the maximum block size ${blockMax}`);
  const stop = p + compressed;
  if (stop > end) throw truncatedLiterals(where, at);
  if (type === 2) {
    readHuffmanTable(src, p, stop, where);
    p = huffEnd;
    haveHuffman = true;
  } else if (!haveHuffman) {
    throw corrupt(where, 'zstd', `literals at input offset ${at}: treeless literals with no previous Huffman table in the frame`);
  }
  const out = literals();
  if (streams === 1) {
    decodeHuffmanStream(src, p, stop, out, 0, regen, where);
  } else {
    // Jump table (3.1.1.3.1.6): sizes of streams 1-3; stream 4 takes the rest.
    if (p + 6 > stop) throw corrupt(where, 'zstd', `literals at input offset ${at}: no room for the 4-stream jump table`);
    const s1 = src[p] | (src[p + 1] << 8);
    const s2 = src[p + 2] | (src[p + 3] << 8);
    const s3 = src[p + 4] | (src[p + 5] << 8);
    const start1 = p + 6;
    const start2 = start1 + s1;
    const start3 = start2 + s2;
    const start4 = start3 + s3;
    if (start4 >= stop) throw corrupt(where, 'zstd', `literals at input offset ${at}: jump table streams (${s1} + ${s2} + ${s3} bytes) leave nothing for stream 4`);
    const seg = (regen + 3) >>> 2;
    const lastSeg = regen - 3 * seg;
    if (lastSeg < 0) throw corrupt(where, 'zstd', `literals at input offset ${at}: ${regen} literals cannot fill 4 streams`);
    decodeHuffmanStream(src, start1, start2, out, 0, seg, where);
    decodeHuffmanStream(src, start2, start3, out, seg, seg, where);
    decodeHuffmanStream(src, start3, start4, out, 2 * seg, seg, where);
    decodeHuffmanStream(src, start4, stop, out, 3 * seg, lastSeg, where);
  }
  litBuf = out;
  litStart = 0;
  litEnd = regen;
  return stop;
}

function literals(): Uint8Array {
  if (literalScratch === null) literalScratch = new Uint8Array(MAX_BLOCK);
  return literalScratch;
}

function truncatedLiterals(where: string, at: number): Error {
  return corrupt(where, 'zstd', `truncated: the literals section at input offset ${at} runs past its block`);
}

/**
 * Picks the table of one symbol type from its Compression_Mode
 * (3.1.1.3.2.1): predefined, RLE (one byte), FSE_Compressed (a description)
 * or Repeat. Returns where the next description starts.
 */
const TABLE_NAMES = ['literals lengths', 'offsets', 'match lengths'];

function selectTable(mode: number, src: Uint8Array, p: number, end: number, kind: 0 | 1 | 2, where: string): number {
  const names = TABLE_NAMES;
  const maxSymbol = kind === 0 ? LL_MAX_SYMBOL : kind === 1 ? OF_MAX_SYMBOL : ML_MAX_SYMBOL;
  let table: FseTable;
  if (mode === 0) {
    const d = predefinedTables();
    table = kind === 0 ? d.ll : kind === 1 ? d.of : d.ml;
  } else if (mode === 1) {
    if (p >= end) throw corrupt(where, 'zstd', `truncated: the ${names[kind]} RLE symbol at input offset ${p} is missing`);
    const symbol = src[p++];
    if (symbol > maxSymbol) throw corrupt(where, 'zstd', `${names[kind]} RLE symbol ${symbol} at input offset ${p - 1} exceeds ${maxSymbol}`);
    table = kind === 0 ? llRle : kind === 1 ? ofRle : mlRle;
    rleFseTable(table, symbol);
  } else if (mode === 2) {
    table = kind === 0 ? llRead : kind === 1 ? ofRead : mlRead;
    readFseTable(src, p, end, kind === 1 ? 8 : 9, maxSymbol, table, where, names[kind]);
    p = fseEnd;
  } else {
    const previous = kind === 0 ? llTable : kind === 1 ? ofTable : mlTable;
    if (previous === null) throw corrupt(where, 'zstd', `${names[kind]} table in Repeat_Mode at input offset ${p} with no previous table in the frame`);
    table = previous;
  }
  if (kind === 0) llTable = table;
  else if (kind === 1) ofTable = table;
  else mlTable = table;
  return p;
}

/**
 * Decodes one Compressed_Block, src[p, end), into dst[op...]; matches may
 * reach back to `frameStart`. Returns the new op.
 */
function decodeCompressedBlock(src: Uint8Array, p: number, end: number, dst: Uint8Array, op: number, frameStart: number, blockMax: number, where: string): number {
  if (p >= end) throw corrupt(where, 'zstd', `empty compressed block at input offset ${p}`);
  p = decodeLiterals(src, p, end, blockMax, where);
  const lits = litBuf;
  let lp = litStart;
  const lend = litEnd;

  // Sequences_Section_Header (3.1.1.3.2.1): Number_of_Sequences in 1-3 bytes.
  if (p >= end) throw corrupt(where, 'zstd', `truncated: no sequences section header at input offset ${p}`);
  const seqAt = p;
  let nbSeq = src[p++];
  if (nbSeq >= 128) {
    if (nbSeq < 255) {
      if (p >= end) throw truncatedSequences(where, seqAt);
      nbSeq = ((nbSeq - 128) << 8) + src[p++];
    } else {
      if (p + 2 > end) throw truncatedSequences(where, seqAt);
      nbSeq = src[p] + (src[p + 1] << 8) + 0x7f00;
      p += 2;
    }
  }
  const dstEnd = dst.length;
  if (nbSeq === 0) {
    // No sequences: the section ends here and the block is its literals (tables are not updated).
    if (p !== end) throw corrupt(where, 'zstd', `sequences section at input offset ${seqAt}: ${end - p} bytes after a count of 0`);
    return copyLiterals(lits, lp, lend - lp, dst, op, where);
  }
  if (p >= end) throw truncatedSequences(where, seqAt);
  const modes = src[p++];
  if (modes & 3) throw corrupt(where, 'zstd', `sequences section at input offset ${seqAt}: reserved bits of the compression modes are set`);
  p = selectTable(modes >>> 6, src, p, end, 0, where);
  p = selectTable((modes >>> 4) & 3, src, p, end, 1, where);
  p = selectTable((modes >>> 2) & 3, src, p, end, 2, where);
  const ll = llTable!.cells;
  const of = ofTable!.cells;
  const ml = mlTable!.cells;

  // The bitstream (3.1.1.3.2.2) is read backwards from its end mark.
  const bitStart = p;
  let pos = backwardBits(src, p, end, where, 'sequences');
  const fastLimit = (end - bitStart - 4) * 8; // below it, bytes i..i+3 of a read lie in the stream
  // Initial states: literals lengths, offsets, match lengths.
  let llState = peekBackwardSlow(src, bitStart, pos, llTable!.log);
  pos -= llTable!.log;
  let ofState = peekBackwardSlow(src, bitStart, pos, ofTable!.log);
  pos -= ofTable!.log;
  let mlState = peekBackwardSlow(src, bitStart, pos, mlTable!.log);
  pos -= mlTable!.log;
  if (pos < 0) throw corrupt(where, 'zstd', `sequences bitstream at input offset ${bitStart} is too short for its initial states`);

  for (let n = nbSeq; n > 0; n--) {
    const llCell = ll[llState];
    const mlCell = ml[mlState];
    const ofCell = of[ofState];
    const ofCode = ofCell & 0xff;
    const mlCode = mlCell & 0xff;
    const llCode = llCell & 0xff;
    // Extra bits: offset, then match length, then literals length (3.1.1.3.2.1.3, "Decoding a sequence").
    let ofValue: number;
    if (ofCode <= 24) {
      const low = pos - ofCode;
      if (low >= 0 && low < fastLimit) {
        const i = bitStart + (low >>> 3);
        ofValue = (1 << ofCode) + (((src[i] | (src[i + 1] << 8) | (src[i + 2] << 16) | (src[i + 3] << 24)) >>> (low & 7)) & ((1 << ofCode) - 1));
      } else {
        ofValue = (1 << ofCode) + peekBackwardSlow(src, bitStart, pos, ofCode);
      }
      pos = low;
    } else {
      // Offset codes above 24 (distances of 16 MiB and more): read the bits in two parts.
      const hi = peekBackwardSlow(src, bitStart, pos, ofCode - 16);
      pos -= ofCode - 16;
      const lo = peekBackwardSlow(src, bitStart, pos, 16);
      pos -= 16;
      ofValue = 2 ** ofCode + hi * 65536 + lo;
    }
    let mlBits = ML_BITS[mlCode];
    let matchLength = ML_BASE[mlCode];
    if (mlBits !== 0) {
      const low = pos - mlBits;
      if (low >= 0 && low < fastLimit) {
        const i = bitStart + (low >>> 3);
        matchLength += ((src[i] | (src[i + 1] << 8) | (src[i + 2] << 16) | (src[i + 3] << 24)) >>> (low & 7)) & ((1 << mlBits) - 1);
      } else {
        matchLength += peekBackwardSlow(src, bitStart, pos, mlBits);
      }
      pos = low;
    }
    let llBits = LL_BITS[llCode];
    let litLength = LL_BASE[llCode];
    if (llBits !== 0) {
      const low = pos - llBits;
      if (low >= 0 && low < fastLimit) {
        const i = bitStart + (low >>> 3);
        litLength += ((src[i] | (src[i + 1] << 8) | (src[i + 2] << 16) | (src[i + 3] << 24)) >>> (low & 7)) & ((1 << llBits) - 1);
      } else {
        litLength += peekBackwardSlow(src, bitStart, pos, llBits);
      }
      pos = low;
    }

    // Repeat offsets (3.1.1.5): values 1-3 name recent offsets, shifted by one when there are no literals.
    let offset: number;
    if (ofValue > 3) {
      offset = ofValue - 3;
      rep3 = rep2;
      rep2 = rep1;
      rep1 = offset;
    } else {
      const index = ofValue - 1 + (litLength === 0 ? 1 : 0);
      if (index === 0) {
        offset = rep1;
      } else {
        offset = index === 1 ? rep2 : index === 2 ? rep3 : rep1 - 1;
        if (offset === 0) throw corrupt(where, 'zstd', `sequence at input offset ${bitStart}: repeat offset 1 minus 1 is 0`);
        if (index !== 1) rep3 = rep2;
        rep2 = rep1;
        rep1 = offset;
      }
    }

    // Execute: literals, then the match (3.1.1.4).
    if (lp + litLength > lend) throw corrupt(where, 'zstd', `sequences at input offset ${bitStart} use more literals than the block's ${lend - litStart}`);
    if (op + litLength + matchLength > dstEnd) throw corrupt(where, 'zstd', overflowMessage(dstEnd));
    if (litLength > 64) {
      dst.set(lits.subarray(lp, lp + litLength), op);
      op += litLength;
      lp += litLength;
    } else {
      for (let i = litLength; i > 0; i--) dst[op++] = lits[lp++];
    }
    if (offset > op - frameStart) throw corrupt(where, 'zstd', `sequence at input offset ${bitStart}: offset ${offset} reaches before the start of the frame (${op - frameStart} bytes written)`);
    if (matchLength > 32) {
      copyMatch(dst, op, offset, matchLength);
      op += matchLength;
    } else {
      // Byte by byte: an offset shorter than the length repeats the bytes just written.
      let from = op - offset;
      for (let i = matchLength; i > 0; i--) dst[op++] = dst[from++];
    }

    if (n > 1) {
      // State updates: literals lengths, match lengths, then offsets.
      let nb = (llCell >>> 8) & 0xff;
      llState = (llCell >>> 16) + (nb === 0 ? 0 : peekBackwardFast(src, bitStart, pos, nb, fastLimit));
      pos -= nb;
      nb = (mlCell >>> 8) & 0xff;
      mlState = (mlCell >>> 16) + (nb === 0 ? 0 : peekBackwardFast(src, bitStart, pos, nb, fastLimit));
      pos -= nb;
      nb = (ofCell >>> 8) & 0xff;
      ofState = (ofCell >>> 16) + (nb === 0 ? 0 : peekBackwardFast(src, bitStart, pos, nb, fastLimit));
      pos -= nb;
    }
    if (pos < 0) throw corrupt(where, 'zstd', `sequences bitstream at input offset ${bitStart} needs more bits than it has (sequence ${nbSeq - n + 1} of ${nbSeq})`);
  }
  if (pos !== 0) throw corrupt(where, 'zstd', `sequences bitstream at input offset ${bitStart}: ${pos} bits left after ${nbSeq} sequences`);
  // The literals no sequence used end the block.
  return copyLiterals(lits, lp, lend - lp, dst, op, where);
}

/** The `n` bits (1 <= n <= 24) below bit `pos`: four whole bytes when they lie in the stream. */
function peekBackwardFast(src: Uint8Array, start: number, pos: number, n: number, fastLimit: number): number {
  const low = pos - n;
  if (low >= 0 && low < fastLimit) {
    const i = start + (low >>> 3);
    return ((src[i] | (src[i + 1] << 8) | (src[i + 2] << 16) | (src[i + 3] << 24)) >>> (low & 7)) & ((1 << n) - 1);
  }
  return peekBackwardSlow(src, start, pos, n);
}

function copyLiterals(lits: Uint8Array, from: number, n: number, dst: Uint8Array, op: number, where: string): number {
  if (op + n > dst.length) throw corrupt(where, 'zstd', overflowMessage(dst.length));
  dst.set(lits.subarray(from, from + n), op);
  return op + n;
}

function truncatedSequences(where: string, at: number): Error {
  return corrupt(where, 'zstd', `truncated: the sequences section at input offset ${at} runs past its block`);
}
