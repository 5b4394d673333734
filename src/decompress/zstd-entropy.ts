/**
 * The entropy coders of Zstandard (RFC 8878 section 4): FSE tables
 * (4.1: the table description and the decoding table built from it) and
 * Huffman literal tables (4.2.1: the weights, direct or FSE-compressed, and
 * the prefix codes they give), plus the backward bit reading both use.
 *
 * Tables live in preallocated typed arrays that are rebuilt in place, so a
 * block allocates nothing. Every function that can fail throws
 * PagewalkError('EBADIMAGE') through `corrupt`, naming the input offset.
 */
import { corrupt } from './corrupt.js';

/**
 * An FSE decoding table (section 4.1.1): 2^log cells, each packed as
 * `baseline << 16 | numberOfBits << 8 | symbol`.
 */
export interface FseTable {
  log: number;
  readonly cells: Int32Array;
}

/** A table with room for `2^maxLog` cells. */
export function newFseTable(maxLog: number): FseTable {
  return { log: 0, cells: new Int32Array(1 << maxLog) };
}

/** Normalized counts of the table being read (-1 is "less than 1"), and each symbol's next state. */
const norm = new Int16Array(256);
const symbolNext = new Uint16Array(256);

/** Where {@link readFseTable} stopped: the offset after the table description. */
export let fseEnd = 0;

/**
 * Reads an FSE table description (section 4.1.1) at `src[p]`, which must end
 * before `end`, and builds `table` from it. `maxLog` and `maxSymbol` are the
 * limits of its use (9 and 35 for literals lengths, 8 and 31 for offsets,
 * 9 and 52 for match lengths, 6 and 255 for Huffman weights). Sets
 * {@link fseEnd}.
 */
export function readFseTable(src: Uint8Array, p: number, end: number, maxLog: number, maxSymbol: number, table: FseTable, where: string, what: string): void {
  if (p >= end) throw corrupt(where, 'zstd', `truncated: the ${what} table description at input offset ${p} is missing`);
  const bitEnd = (end - p) * 8;
  const log = (src[p] & 15) + 5;
  let bit = 4; // bits consumed from src[p]: the accuracy log's 4 so far
  if (log > maxLog) throw corrupt(where, 'zstd', `${what} table at input offset ${p}: accuracy log ${log} exceeds ${maxLog}`);
  const size = 1 << log;
  let remaining = size + 1;
  let threshold = size;
  let nbBits = log + 1;
  let s = 0;
  let previous0 = false;
  while (remaining > 1 && s <= maxSymbol) {
    if (previous0) {
      // After a zero probability: 2-bit counts of further zeros, 3 meaning "3, and another count follows".
      let n0 = s;
      for (;;) {
        if (bit + 2 > bitEnd) throw truncatedTable(where, what, p);
        const r = peekForward(src, p, end, bit, 2);
        bit += 2;
        n0 += r;
        if (n0 > maxSymbol) throw corrupt(where, 'zstd', `${what} table at input offset ${p}: zero run past symbol ${maxSymbol}`);
        if (r !== 3) break;
      }
      while (s < n0) norm[s++] = 0;
    }
    // Values 0..remaining need nbBits bits, the smallest `max` of them one bit fewer.
    const max = 2 * threshold - 1 - remaining;
    const v = peekForward(src, p, end, bit, nbBits);
    let count: number;
    if ((v & (threshold - 1)) < max) {
      count = v & (threshold - 1);
      bit += nbBits - 1;
    } else {
      count = v & (2 * threshold - 1);
      if (count >= threshold) count -= max;
      bit += nbBits;
    }
    if (bit > bitEnd) throw truncatedTable(where, what, p);
    count--; // probability = value - 1; -1 means "less than 1" and takes one cell
    remaining -= count < 0 ? -count : count;
    norm[s++] = count;
    previous0 = count === 0;
    while (remaining < threshold) {
      nbBits--;
      threshold >>= 1;
    }
  }
  if (remaining !== 1) throw corrupt(where, 'zstd', `${what} table at input offset ${p}: probabilities do not add up to ${size}`);
  fseEnd = p + ((bit + 7) >>> 3);
  buildFseTable(s, log, table, where, what, p);
}

function truncatedTable(where: string, what: string, p: number): Error {
  return corrupt(where, 'zstd', `truncated: the ${what} table description at input offset ${p} runs past its section`);
}

/** `n` bits (n <= 16) at bit offset `bit` from src[p], little-endian; bytes at or past `end` read as 0. */
function peekForward(src: Uint8Array, p: number, end: number, bit: number, n: number): number {
  const i = p + (bit >>> 3);
  const v = (i < end ? src[i] : 0) | (i + 1 < end ? src[i + 1] << 8 : 0) | (i + 2 < end ? src[i + 2] << 16 : 0);
  return (v >>> (bit & 7)) & ((1 << n) - 1);
}

/**
 * Builds the decoding table for `norm[0, symbols)` at accuracy `log`
 * (section 4.1.1, "From normalized distribution to decoding tables").
 */
export function buildFseTable(symbols: number, log: number, table: FseTable, where: string, what: string, at: number): void {
  const size = 1 << log;
  const cells = table.cells;
  // "Less than 1" symbols take one cell each from the end of the table and reset the state fully.
  let high = size - 1;
  for (let s = 0; s < symbols; s++) {
    if (norm[s] === -1) {
      cells[high--] = s;
      symbolNext[s] = 1;
    } else {
      symbolNext[s] = norm[s];
    }
  }
  // The others are spread with the fixed step, skipping the cells just taken.
  const step = (size >>> 1) + (size >>> 3) + 3;
  const mask = size - 1;
  let pos = 0;
  for (let s = 0; s < symbols; s++) {
    for (let i = norm[s]; i > 0; i--) {
      cells[pos] = s;
      do pos = (pos + step) & mask;
      while (pos > high);
    }
  }
  if (pos !== 0) throw corrupt(where, 'zstd', `${what} table at input offset ${at}: the distribution does not fill the table`);
  // Each symbol's states, in increasing order, count up from its probability; lower states read one bit more.
  for (let u = 0; u < size; u++) {
    const s = cells[u] & 0xff;
    const next = symbolNext[s]++;
    const nb = log - (31 - Math.clz32(next));
    cells[u] = (((next << nb) - size) << 16) | (nb << 8) | s;
  }
  table.log = log;
}

/** Builds the decoding table of a predefined distribution (section 3.1.1.3.2.2, "Default Distributions"). */
export function predefinedFseTable(distribution: readonly number[], log: number): FseTable {
  const table = newFseTable(log);
  for (let s = 0; s < distribution.length; s++) norm[s] = distribution[s];
  buildFseTable(distribution.length, log, table, 'predefined table', 'predefined', 0);
  return table;
}

/** Sets `table` to RLE mode: one symbol, zero-bit states (section 3.1.1.3.2.1, "RLE_Mode"). */
export function rleFseTable(table: FseTable, symbol: number): void {
  table.cells[0] = symbol;
  table.log = 0;
}

// ------------------------------------------------------------- bits read backwards

/**
 * The number of useful bits in the backward bitstream `src[start, end)`: all
 * bits below the highest set bit of the last byte, which marks the end
 * (sections 3.1.1.3.2.2 and 4.2.2). Throws when the last byte is 0.
 */
export function backwardBits(src: Uint8Array, start: number, end: number, where: string, what: string): number {
  if (end <= start) throw corrupt(where, 'zstd', `empty ${what} bitstream at input offset ${start}`);
  const last = src[end - 1];
  if (last === 0) throw corrupt(where, 'zstd', `${what} bitstream ending at input offset ${end} has no end mark (last byte 0)`);
  return (end - start) * 8 - (Math.clz32(last) - 23);
}

/**
 * The `n` bits (n <= 25) just below bit `pos` of the stream at `src[start]`,
 * the bit at `pos - 1` the most significant; bits below the stream's start
 * read as 0 (section 4.2.2: "extra bits are 0"). For the paths the hot loops
 * leave to it: near the start of a stream.
 */
export function peekBackwardSlow(src: Uint8Array, start: number, pos: number, n: number): number {
  let v = 0;
  for (let k = 1; k <= n; k++) {
    const b = pos - k;
    v = (v << 1) | (b >= 0 ? (src[start + (b >>> 3)] >>> (b & 7)) & 1 : 0);
  }
  return v;
}

// ------------------------------------------------------------- Huffman literals

/** The literal decoding table: `numberOfBits << 8 | symbol`, indexed by the next maxBits bits. */
export const huffTable = new Uint16Array(1 << 11);
/** maxBits of the current Huffman table (section 4.2.1: at most 11). */
export let huffMaxBits = 0;

const weights = new Uint8Array(256);
const rankStart = new Uint32Array(13);
const weightTable = newFseTable(6);

/** Where {@link readHuffmanTable} stopped. */
export let huffEnd = 0;

/**
 * Reads a Huffman_Tree_Description (section 4.2.1) at `src[p]`, ending before
 * `end`, and builds {@link huffTable}. Sets {@link huffEnd}.
 */
export function readHuffmanTable(src: Uint8Array, p: number, end: number, where: string): void {
  if (p >= end) throw corrupt(where, 'zstd', `truncated: Huffman tree description at input offset ${p} is missing`);
  const header = src[p];
  let n: number; // weights listed; the last symbol's weight is implied
  if (header >= 128) {
    // Direct representation: 4 bits a weight, first weight in the high nibble.
    n = header - 127;
    const bytes = (n + 1) >>> 1;
    if (p + 1 + bytes > end) throw corrupt(where, 'zstd', `truncated: Huffman weights at input offset ${p} run past the literals section`);
    for (let i = 0; i < n; i++) {
      const b = src[p + 1 + (i >>> 1)];
      weights[i] = i & 1 ? b & 15 : b >>> 4;
    }
    huffEnd = p + 1 + bytes;
  } else {
    // FSE-compressed weights: `header` bytes holding a table description and a bitstream with two states.
    const stop = p + 1 + header;
    if (stop > end) throw corrupt(where, 'zstd', `truncated: Huffman weights at input offset ${p} (${header} bytes) run past the literals section`);
    readFseTable(src, p + 1, stop, 6, 255, weightTable, where, 'Huffman weights');
    n = decodeWeights(src, fseEnd, stop, where);
    huffEnd = stop;
  }
  buildHuffmanTable(n, where, p);
}

/** Decodes the FSE-compressed weights in src[start, end) with two interleaved states; returns how many. */
function decodeWeights(src: Uint8Array, start: number, end: number, where: string): number {
  const cells = weightTable.cells;
  const log = weightTable.log;
  let pos = backwardBits(src, start, end, where, 'Huffman weights');
  let s1 = peekBackwardSlow(src, start, pos, log);
  pos -= log;
  let s2 = peekBackwardSlow(src, start, pos, log);
  pos -= log;
  if (pos < 0) throw corrupt(where, 'zstd', `truncated: Huffman weights bitstream at input offset ${start} is too short for its states`);
  let n = 0;
  // Decode a symbol from each state in turn; when an update needs more bits than the stream has
  // left (they read as 0), the other state's symbol is the last weight (section 4.2.1.2).
  for (;;) {
    if (n >= 255) throw tooManyWeights(where, start);
    let c = cells[s1];
    weights[n++] = c & 0xff;
    let nb = (c >>> 8) & 0xff;
    s1 = (c >>> 16) + peekBackwardSlow(src, start, pos, nb);
    pos -= nb;
    if (pos < 0) {
      if (n >= 255) throw tooManyWeights(where, start);
      weights[n++] = cells[s2] & 0xff;
      break;
    }
    if (n >= 255) throw tooManyWeights(where, start);
    c = cells[s2];
    weights[n++] = c & 0xff;
    nb = (c >>> 8) & 0xff;
    s2 = (c >>> 16) + peekBackwardSlow(src, start, pos, nb);
    pos -= nb;
    if (pos < 0) {
      if (n >= 255) throw tooManyWeights(where, start);
      weights[n++] = cells[s1] & 0xff;
      break;
    }
  }
  return n;
}

function tooManyWeights(where: string, at: number): Error {
  return corrupt(where, 'zstd', `Huffman weights at input offset ${at}: more than 255 weights`);
}

/**
 * Completes the weights (the last one is what makes the total a power of 2)
 * and fills {@link huffTable}: symbols by increasing weight, then value, take
 * consecutive runs of 2^(weight - 1) cells (section 4.2.1.3).
 */
function buildHuffmanTable(n: number, where: string, at: number): void {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (w > 11) throw corrupt(where, 'zstd', `Huffman tree at input offset ${at}: weight ${w} exceeds 11`);
    if (w !== 0) total += 1 << (w - 1);
  }
  if (total === 0) throw corrupt(where, 'zstd', `Huffman tree at input offset ${at}: all weights are 0`);
  const maxBits = 32 - Math.clz32(total); // the next power of 2 above total is 2^maxBits
  if (maxBits > 11) throw corrupt(where, 'zstd', `Huffman tree at input offset ${at}: codes longer than 11 bits`);
  const rest = (1 << maxBits) - total;
  if ((rest & (rest - 1)) !== 0) throw corrupt(where, 'zstd', `Huffman tree at input offset ${at}: weights do not complete to a power of 2`);
  const symbols = n + 1;
  if (symbols > 256) throw corrupt(where, 'zstd', `Huffman tree at input offset ${at}: more than 256 symbols`);
  weights[n] = 32 - Math.clz32(rest); // log2(rest) + 1

  rankStart.fill(0);
  for (let s = 0; s < symbols; s++) rankStart[weights[s]] += weights[s] === 0 ? 0 : 1 << (weights[s] - 1);
  let next = 0;
  for (let w = 1; w <= maxBits; w++) {
    const cellsOfWeight = rankStart[w];
    rankStart[w] = next;
    next += cellsOfWeight;
  }
  for (let s = 0; s < symbols; s++) {
    const w = weights[s];
    if (w === 0) continue;
    const cells = 1 << (w - 1);
    const entry = ((maxBits + 1 - w) << 8) | s;
    const from = rankStart[w];
    huffTable.fill(entry, from, from + cells);
    rankStart[w] = from + cells;
  }
  huffMaxBits = maxBits;
}

/**
 * Decodes `count` literals from the Huffman-coded stream src[start, end)
 * into out[op...] with {@link huffTable} (section 4.2.2). The stream must be
 * consumed exactly.
 */
export function decodeHuffmanStream(src: Uint8Array, start: number, end: number, out: Uint8Array, op: number, count: number, where: string): void {
  let pos = backwardBits(src, start, end, where, 'Huffman literals');
  const mb = huffMaxBits;
  const mask = (1 << mb) - 1;
  const table = huffTable;
  const stop = op + count;
  // The next maxBits (<= 11) bits lie in three bytes from the one holding bit `low`; near either end
  // of the stream (bits below its start read as 0, bytes past its end are not read) go the slow way.
  const lastFast = end - 3;
  while (op < stop) {
    const low = pos - mb;
    let e: number;
    if (low >= 0 && start + (low >>> 3) <= lastFast) {
      const i = start + (low >>> 3);
      e = table[((src[i] | (src[i + 1] << 8) | (src[i + 2] << 16)) >>> (low & 7)) & mask];
    } else {
      e = table[peekBackwardSlow(src, start, pos, mb)];
    }
    out[op++] = e;
    pos -= e >>> 8;
  }
  if (pos !== 0) {
    throw corrupt(where, 'zstd', `Huffman literals stream at input offset ${start}: ${pos < 0 ? 'needs more bits than it has' : `${pos} bits left over`} after ${count} literals`);
  }
}
