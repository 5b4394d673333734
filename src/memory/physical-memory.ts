import { PagewalkError, hex } from '../errors.js';
import { wordsToBigInt } from '../arch/words.js';
import { checkOptions } from '../options.js';
import { BLOCK_DATA, BLOCK_EXCLUDED, pageStateName, type BlockState, type PageSource, type PageState } from './page-source.js';

/** A run of RAM at a physical base address. */
export interface RamRegion {
  base: number;
  size: number;
}

/** One region held in memory. */
export interface MemoryRegion {
  readonly base: number;
  readonly size: number;
  /** The bytes (a view of the buffer the image was built from, or of its own zeroed buffer). */
  readonly bytes: Uint8Array;
}

/**
 * A region too big to hold (a 64 GiB vmcore), read on demand: `load` reads
 * `length` bytes at `offset` into the region. It is called for whole cache
 * blocks; an image with such regions is read-only.
 */
export interface OnDemandRegion {
  readonly base: number;
  readonly size: number;
  readonly load: (offset: number, length: number) => Uint8Array;
}

/** Options of readBytes() and mm.read(). */
export interface ReadOptions {
  /** 'zero': bytes of pages the dump level excluded read as zeros instead of failing (absent pages still fail). */
  fillExcluded?: 'zero';
}

type AnyRegion = {
  readonly base: number;
  readonly size: number;
  readonly bytes?: Uint8Array;
  readonly load?: (offset: number, length: number) => Uint8Array;
  /** A dump read in blocks (kdump-compressed): the region starts at 0 and spans its blocks. */
  readonly pages?: PageSource;
};

/** A dump read in blocks: see PhysicalMemory.fromPages(). */
export interface PagedRegion {
  readonly base: number;
  readonly size: number;
  readonly pages: PageSource;
}

/** Bytes read at once from an on-demand region; tables (at most 64 KiB, size-aligned) never straddle one. */
const BLOCK = 65536;
/**
 * In-memory regions are looked up in pieces that never cross a 1 GiB
 * physical boundary, so a word index into a piece always fits a small
 * integer: the walker keeps it in int32 arrays and V8 never boxes it.
 */
const PIECE = 2 ** 30;

const MAX_PHYS = 2 ** 53;

// Entries are read through Int32Array views, which use the host's byte order.
// Page tables are little-endian on all four arches; so are all hosts Node and
// browsers run on in practice. Refuse loudly rather than misread on another.
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * A physical-memory image: one or more RAM regions at physical base
 * addresses, holding 64-bit little-endian entries read as two 32-bit words.
 *
 * The hot path (the walker) resolves a whole table once with `tableWords()`
 * and then indexes the returned Int32Array; single entries go through
 * `read()`/`write()`. None of these allocate, and none throw for an address
 * outside the image: they return null/false and the caller decides what that
 * means (a corrupt pointer, a hole in a dump).
 */
export class PhysicalMemory {
  /** Output of `read()`: the low and high words of the entry, as signed int32. */
  lo = 0;
  hi = 0;
  /** Output of `tableWords()`: the word index in the returned array where the table starts. */
  wordBase = 0;

  readonly writable: boolean;
  /** The regions as given (sorted). */
  private readonly originals: AnyRegion[];
  /** What lookups search: in-memory regions cut at 1 GiB boundaries, on-demand regions whole. */
  private readonly regionList: AnyRegion[];
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  /** Per region: its words, or null for an on-demand region. */
  private readonly words: (Int32Array | null)[];
  private last = 0;
  /** On-demand regions: loaded blocks by the physical address they start at, least recently used first. */
  private readonly blocks = new Map<number, Int32Array>();
  private readonly maxBlocks: number;
  /** A dump read in blocks (the image's one region), or null. */
  private readonly pages: PageSource | null;
  /** Its decompressed blocks by block number, least recently used first; the last one hit, memoised. */
  private readonly pageCache = new Map<number, Int32Array>();
  private readonly maxPages: number;
  private lastPage = -1;
  private lastPageWords: Int32Array = new Int32Array(0);
  /** Tables spanning several blocks (a block smaller than the table), assembled, by address. */
  private readonly spans = new Map<number, Int32Array>();

  /** Use PhysicalMemory.create / fromRaw / fromElfCore. */
  constructor(regions: readonly (MemoryRegion | OnDemandRegion | PagedRegion)[], writable: boolean, options: { cacheBytes?: number } = {}) {
    if (!HOST_LITTLE_ENDIAN) {
      throw new PagewalkError('EINVAL', 'pagewalk needs a little-endian host (typed arrays use host byte order)');
    }
    const sorted = [...regions].sort((a, b) => a.base - b.base) as AnyRegion[];
    for (let i = 0; i < sorted.length; i++) {
      const r = sorted[i];
      if (!Number.isInteger(r.base) || r.base < 0 || r.base % 8 !== 0 || r.base + r.size > MAX_PHYS) {
        throw new PagewalkError('EINVAL', `RAM region base ${hex(r.base)} must be an 8-byte aligned physical address below 2^53`);
      }
      if (!Number.isInteger(r.size) || r.size <= 0) {
        throw new PagewalkError('EINVAL', `RAM region at ${hex(r.base)} has size ${r.size}: must be a positive integer`);
      }
      if (i > 0 && sorted[i - 1].base + sorted[i - 1].size > r.base) {
        const p = sorted[i - 1];
        throw new PagewalkError(
          'EINVAL',
          `RAM regions overlap: [${hex(p.base)}, ${hex(p.base + p.size)}) and [${hex(r.base)}, ${hex(r.base + r.size)})`,
        );
      }
    }
    this.pages = sorted.find((r) => r.pages !== undefined)?.pages ?? null;
    const lazy = sorted.some((r) => r.bytes === undefined);
    if (lazy && writable) throw new PagewalkError('EINVAL', 'an image read on demand cannot be writable');
    this.writable = writable;
    this.originals = sorted.map((r) => {
      if (r.bytes !== undefined) return { base: r.base, size: r.size, bytes: wordAligned(r.bytes) };
      if (r.pages !== undefined) {
        if (sorted.length !== 1 || r.base !== 0) throw new PagewalkError('EINVAL', 'a dump read in blocks must be the image\'s only region, at physical 0');
        return { base: 0, size: r.size, pages: r.pages };
      }
      if (typeof r.load !== 'function') throw new PagewalkError('EINVAL', `RAM region at ${hex(r.base)} has neither bytes nor a loader`);
      return { base: r.base, size: r.size, load: r.load };
    });
    this.regionList = this.originals.flatMap((r) => {
      if (r.bytes === undefined) return [r];
      const pieces: AnyRegion[] = [];
      for (let start = r.base; start < r.base + r.size; ) {
        const end = Math.min(r.base + r.size, (Math.floor(start / PIECE) + 1) * PIECE);
        pieces.push({ base: start, size: end - start, bytes: r.bytes.subarray(start - r.base, end - r.base) });
        start = end;
      }
      return pieces;
    });
    this.starts = Float64Array.from(this.regionList, (r) => r.base);
    this.ends = Float64Array.from(this.regionList, (r) => r.base + r.size);
    this.words = this.regionList.map((r) =>
      r.bytes === undefined ? null : new Int32Array(r.bytes.buffer, r.bytes.byteOffset, Math.floor(r.bytes.byteLength / 4)),
    );
    const cacheBytes = options.cacheBytes ?? 64 * 1024 * 1024;
    this.maxBlocks = Math.max(16, Math.ceil(cacheBytes / BLOCK));
    this.maxPages = this.pages === null ? 0 : Math.max(16, Math.ceil(cacheBytes / this.pages.blockSize));
  }

  /**
   * A dump read in blocks (a kdump-compressed file, or a split set): each
   * block is decompressed when first read and kept in a bounded cache
   * (`cacheBytes`, default 64 MiB). Read-only. The image spans
   * [0, blocks * blockSize); pageState() says what each page is.
   */
  static fromPages(pages: PageSource, options: { cacheBytes?: number } = {}): PhysicalMemory {
    checkOptions(options, ['cacheBytes'], 'PhysicalMemory.fromPages() options');
    const size = Math.max(1, pages.blocks) * pages.blockSize;
    return new PhysicalMemory([{ base: 0, size, pages }], false, options);
  }

  /** Zeroed, writable RAM regions (e.g. [{ base: 0x40000000, size: 64 << 20 }] for arm64 virt). */
  static create(regions: readonly RamRegion[]): PhysicalMemory {
    if (!Array.isArray(regions) || regions.length === 0) {
      throw new PagewalkError('EINVAL', 'physical memory needs at least one RAM region { base, size }');
    }
    return new PhysicalMemory(
      regions.map((r) => {
        checkOptions(r, ['base', 'size'], 'RAM region');
        if (!Number.isInteger(r.size) || r.size <= 0 || r.size % 8 !== 0) {
          throw new PagewalkError('EINVAL', `RAM region size ${r.size} must be a positive multiple of 8 bytes`);
        }
        return { base: r.base, size: r.size, bytes: new Uint8Array(r.size) };
      }),
      true,
    );
  }

  /**
   * A raw memory dump placed at physical address `base`. The image shares
   * `bytes` (no copy). Read-only unless `writable` is set: a dump is evidence.
   */
  static fromRaw(bytes: Uint8Array, base = 0, options: { writable?: boolean } = {}): PhysicalMemory {
    if (!(bytes instanceof Uint8Array) || bytes.byteLength === 0) {
      throw new PagewalkError('EINVAL', 'raw image must be a non-empty Uint8Array');
    }
    checkOptions(options, ['writable'], 'PhysicalMemory.fromRaw() options');
    return new PhysicalMemory([{ base, size: bytes.byteLength, bytes }], options.writable === true);
  }

  /** The regions held in memory (not those read on demand). */
  get regions(): readonly MemoryRegion[] {
    return this.originals.filter((r): r is MemoryRegion => r.bytes !== undefined);
  }

  /** Every region's physical range (a dump read in blocks: the span it describes; pageState() says what is in it). */
  get ranges(): readonly RamRegion[] {
    return this.originals.map((r) => ({ base: r.base, size: r.size }));
  }

  /** Total bytes of RAM in the image. */
  get size(): number {
    let n = 0;
    for (const r of this.originals) n += r.size;
    return n;
  }

  /** Index of the region holding [pa, pa + len), or -1. */
  private find(pa: number, len: number): number {
    const starts = this.starts;
    const ends = this.ends;
    let i = this.last;
    if (pa >= starts[i] && pa + len <= ends[i]) return i;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (pa < starts[mid]) hi = mid - 1;
      else if (pa >= ends[mid]) lo = mid + 1;
      else {
        i = mid;
        if (pa + len > ends[i]) return -1;
        this.last = i;
        return i;
      }
    }
    return -1;
  }

  /** True when [pa, pa + len) lies inside one region. */
  contains(pa: number, len = 1): boolean {
    if (!(pa >= 0) || this.find(pa, len) < 0) return false;
    return this.pages === null || this.firstMissing(pa, len) === null;
  }

  /**
   * The words of the table at `pa` spanning `bytes` bytes: returns the
   * region's Int32Array and sets `wordBase` to the table's first word, or
   * returns null when the table is not wholly inside the image or `pa` is
   * not 8-byte aligned.
   */
  tableWords(pa: number, bytes: number): Int32Array | null {
    if (pa < 0 || pa % 8 !== 0) return null;
    const i = this.find(pa, bytes);
    if (i < 0) return null;
    const words = this.words[i];
    if (words === null) return this.pages === null ? this.blockWords(i, pa, bytes) : this.pageWords(pa, bytes);
    // `| 0`: a piece is at most 1 GiB, and an integer-typed value keeps this
    // field (and the walker's copies of it) small integers for V8.
    this.wordBase = ((pa - this.starts[i]) / 4) | 0;
    return words;
  }

  /** The cached block of an on-demand region holding [pa, pa + bytes), loading it if needed. */
  private blockWords(i: number, pa: number, bytes: number): Int32Array | null {
    const block = Math.floor(pa / BLOCK);
    const blockStart = Math.max(block * BLOCK, this.starts[i]);
    if (pa + bytes > Math.min((block + 1) * BLOCK, this.ends[i])) return null; // straddles a block: never for aligned tables
    // Keyed by where the loaded bytes start: two regions can share a 64 KiB physical block.
    let words = this.blocks.get(blockStart);
    if (words === undefined) {
      const length = Math.min((block + 1) * BLOCK, this.ends[i]) - blockStart;
      const data = this.regionList[i].load!(blockStart - this.starts[i], length);
      // A fresh buffer per block: a view handed out earlier stays valid after eviction.
      const copy = new Uint8Array(Math.ceil(length / 8) * 8);
      copy.set(data.subarray(0, length));
      words = new Int32Array(copy.buffer);
      if (this.blocks.size >= this.maxBlocks) this.blocks.delete(this.blocks.keys().next().value as number);
    } else {
      this.blocks.delete(blockStart);
    }
    this.blocks.set(blockStart, words);
    this.wordBase = ((pa - blockStart) / 4) | 0;
    return words;
  }

  /** The cached block of a dump read in blocks holding [pa, pa + bytes), decompressing it if needed; null when it has no data. */
  private pageWords(pa: number, bytes: number): Int32Array | null {
    const bs = this.pages!.blockSize;
    const block = Math.floor(pa / bs);
    const start = block * bs;
    if (pa + bytes > start + bs) return this.spanWords(pa, bytes);
    let words: Int32Array | null;
    if (block === this.lastPage) words = this.lastPageWords;
    else {
      words = this.pageBlock(block);
      if (words === null) return null;
    }
    this.wordBase = ((pa - start) / 4) | 0;
    return words;
  }

  /** A block's words from the cache or the dump (null: not data); it becomes the most recently used. */
  private pageBlock(block: number): Int32Array | null {
    let words = this.pageCache.get(block);
    if (words !== undefined) {
      this.pageCache.delete(block);
    } else {
      const bs = this.pages!.blockSize;
      // A fresh buffer per block: a view handed out earlier stays valid after eviction.
      const bytes = new Uint8Array(bs);
      if (this.pages!.load(block, bytes) !== BLOCK_DATA) return null;
      words = new Int32Array(bytes.buffer);
      if (this.pageCache.size >= this.maxPages) this.pageCache.delete(this.pageCache.keys().next().value as number);
    }
    this.pageCache.set(block, words);
    this.lastPage = block;
    this.lastPageWords = words;
    return words;
  }

  /** A table larger than a block (e.g. a 64 KiB table in a dump of 4 KiB blocks), assembled from its blocks. */
  private spanWords(pa: number, bytes: number): Int32Array | null {
    let words = this.spans.get(pa);
    if (words === undefined || words.length * 4 < bytes) {
      const bs = this.pages!.blockSize;
      const out = new Uint8Array(Math.ceil(bytes / 8) * 8);
      for (let at = pa; at < pa + bytes; ) {
        const block = Math.floor(at / bs);
        const w = this.pageBlock(block);
        if (w === null) return null;
        const from = at - block * bs;
        const n = Math.min(bs - from, pa + bytes - at);
        out.set(new Uint8Array(w.buffer, from, n), at - pa);
        at += n;
      }
      words = new Int32Array(out.buffer);
      if (this.spans.size >= 64) this.spans.delete(this.spans.keys().next().value as number);
      this.spans.set(pa, words);
    }
    this.wordBase = 0;
    return words;
  }

  /**
   * Why [pa, pa + len) could not be read (after tableWords()/read() said
   * null/false): 'excluded' when the image knows the page as RAM that a
   * dump left out by its dump level, else 'outside' (not RAM, not in this
   * image, cut short). Cold path: call it only after a miss.
   */
  missingReason(pa: number, len: number): 'outside' | 'excluded' {
    const miss = this.pages !== null && pa >= 0 ? this.firstMissing(pa, len) : null;
    return miss !== null && miss.state === BLOCK_EXCLUDED ? 'excluded' : 'outside';
  }

  /** The first block of a dump read in blocks in [pa, pa + len) that is not data, or null. */
  private firstMissing(pa: number, len: number): { block: number; state: BlockState } | null {
    const src = this.pages!;
    const bs = src.blockSize;
    const last = Math.floor((pa + Math.max(len, 1) - 1) / bs);
    for (let b = Math.floor(pa / bs); b <= last; b++) {
      if (b === this.lastPage || this.pageCache.has(b)) continue;
      const state = src.state(b);
      if (state !== BLOCK_DATA) return { block: b, state };
    }
    return null;
  }

  /**
   * What the image holds at physical `pa`: 'data'; 'excluded' (RAM a dump
   * left out by its dump level: makedumpfile's filtering); or 'absent' (not
   * RAM, not in this image or in any part given, or not written: an
   * incomplete dump).
   */
  pageState(pa: number | bigint): PageState {
    const at = physAddress(pa, 'pa');
    if (this.find(at, 1) < 0) return 'absent';
    if (this.pages === null) return 'data';
    const block = Math.floor(at / this.pages.blockSize);
    return block === this.lastPage || this.pageCache.has(block) ? 'data' : pageStateName(this.pages.state(block));
  }

  /** Reads the 64-bit entry at `pa` into `lo`/`hi`. False when `pa` is outside the image or misaligned. */
  read(pa: number): boolean {
    if (!(pa >= 0 && Number.isInteger(pa))) throw badAddress(pa);
    const w = this.tableWords(pa, 8);
    if (w === null) return false;
    const b = this.wordBase;
    this.lo = w[b];
    this.hi = w[b + 1];
    return true;
  }

  /**
   * Writes the 64-bit entry at `pa`. False when `pa` is outside the image or
   * misaligned. Throws EROFS on a read-only image (a programming error, not a
   * data condition).
   */
  write(pa: number, lo: number, hi: number): boolean {
    if (!(pa >= 0 && Number.isInteger(pa))) throw badAddress(pa);
    if (!this.writable) this.refuseWrite(pa);
    const w = this.tableWords(pa, 8);
    if (w === null) return false;
    const b = this.wordBase;
    w[b] = lo;
    w[b + 1] = hi;
    return true;
  }

  /** The entry at `pa` as a bigint, or null when outside the image. Allocates: convenience only. */
  readU64(pa: number): bigint | null {
    return this.read(pa) ? wordsToBigInt(this.lo, this.hi) : null;
  }

  /**
   * Copies `length` bytes at physical `pa` out of the image, across
   * regions and blocks. Throws PagewalkError EFAULT naming the first
   * address that cannot be read and why: not in the image, absent from the
   * dump (not RAM, incomplete, a split part not given), or excluded by the
   * dump level, unless `fillExcluded: 'zero'` asks for zeros there.
   */
  readBytes(pa: number | bigint, length: number, options: ReadOptions = {}): Uint8Array {
    checkOptions(options, ['fillExcluded'], 'readBytes() options');
    if (options.fillExcluded !== undefined && options.fillExcluded !== 'zero') {
      throw new PagewalkError('EINVAL', `fillExcluded ${JSON.stringify(options.fillExcluded)}: the only choice is 'zero'`);
    }
    const start = physAddress(pa, 'pa');
    if (!Number.isSafeInteger(length) || length < 0 || start + length > MAX_PHYS) {
      throw new PagewalkError('EINVAL', `length ${String(length)} must be an integer >= 0 with pa + length below 2^53`);
    }
    const out = new Uint8Array(length);
    for (let done = 0; done < length; ) done += this.copyOut(start + done, out, done, length - done, options.fillExcluded === 'zero');
    return out;
  }

  /** Copies what one region or block holds from `at` into out[to...]; returns the bytes copied, or throws EFAULT. */
  private copyOut(at: number, out: Uint8Array, to: number, want: number, zeroExcluded: boolean): number {
    const i = this.find(at, 1);
    if (i < 0) throw memoryFault(at, 'absent: not in the image (no region holds it)');
    const r = this.regionList[i];
    const off = at - this.starts[i];
    if (this.pages !== null) {
      const bs = this.pages.blockSize;
      const block = Math.floor(at / bs);
      const n = Math.min(want, (block + 1) * bs - at);
      const words = this.pageBlock(block);
      if (words !== null) {
        out.set(new Uint8Array(words.buffer, at - block * bs, n), to);
        return n;
      }
      const state = this.pages.state(block);
      if (state === BLOCK_EXCLUDED && zeroExcluded) return n; // out is zero-filled
      throw memoryFault(at, this.pages.explain(block, state));
    }
    const n = Math.min(want, this.ends[i] - at, 1 << 20);
    out.set(r.bytes !== undefined ? r.bytes.subarray(off, off + n) : r.load!(off, n).subarray(0, n), to);
    return n;
  }

  /** Writes bytes at `pa` (inside one region). Throws EROFS / EFAULT. */
  writeBytes(pa: number, data: Uint8Array): void {
    if (!(pa >= 0 && Number.isInteger(pa))) throw badAddress(pa);
    if (!(data instanceof Uint8Array)) throw new PagewalkError('EINVAL', `writeBytes() data must be a Uint8Array, got ${data === null ? 'null' : typeof data}`);
    if (!this.writable) this.refuseWrite(pa);
    const i = this.find(pa, data.byteLength);
    if (i < 0) {
      throw new PagewalkError('EFAULT', `physical range [${hex(pa)}, ${hex(pa + data.byteLength)}) is not inside the memory image`);
    }
    this.regionList[i].bytes!.set(data, pa - this.starts[i]);
  }

  /** Fills `bytes` bytes at `pa` with the 64-bit pattern (lo, hi). Throws EROFS / EFAULT. */
  fill(pa: number, bytes: number, lo: number, hi: number): void {
    if (!(pa >= 0 && Number.isInteger(pa))) throw badAddress(pa);
    if (!(bytes > 0 && Number.isInteger(bytes) && bytes % 8 === 0)) throw new PagewalkError('EINVAL', `fill() length ${String(bytes)} must be a positive multiple of 8 bytes`);
    if (!this.writable) this.refuseWrite(pa);
    const w = this.tableWords(pa, bytes);
    if (w === null) {
      throw new PagewalkError('EFAULT', `physical range [${hex(pa)}, ${hex(pa + bytes)}) is not inside the memory image`);
    }
    const b = this.wordBase;
    if (lo === 0 && hi === 0) {
      w.fill(0, b, b + bytes / 4);
      return;
    }
    for (let j = b; j < b + bytes / 4; j += 2) {
      w[j] = lo;
      w[j + 1] = hi;
    }
  }

  private refuseWrite(pa: number): never {
    throw new PagewalkError(
      'EROFS',
      `write at physical ${hex(pa)} refused: this image was loaded read-only (a dump is evidence); load it with { writable: true } to change it`,
    );
  }
}

/** A physical address given to read()/write()/fill()/writeBytes() that is not one (NaN, fractional, negative, not a number). */
function badAddress(pa: unknown): PagewalkError {
  return new PagewalkError('EINVAL', `physical address ${typeof pa === 'number' ? String(pa) : `(a ${typeof pa})`} must be an integer >= 0`);
}

/** A read that stopped: EFAULT naming the physical address and why; `fault` says the same for code (mm.read() names the virtual address). */
export type MemoryFault = PagewalkError & { fault: { physical: number; reason: string } };

function memoryFault(physical: number, reason: string): MemoryFault {
  return Object.assign(new PagewalkError('EFAULT', `physical ${hex(physical)}: ${reason}`), { fault: { physical, reason } });
}

/** A physical address (number or bigint) as an exact number below 2^53, or EINVAL. */
function physAddress(value: number | bigint, what: string): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0 || (typeof value === 'bigint' && BigInt(n) !== value)) {
    throw new PagewalkError('EINVAL', `${what} ${typeof value === 'bigint' || typeof value === 'number' ? hex(value) : `(a ${typeof value})`} must be a physical address: an integer in [0, 2^53)`);
  }
  return n;
}

/** Int32Array views need a 4-byte aligned offset; copy the rare view that is not. */
function wordAligned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
}
