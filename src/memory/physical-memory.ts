import { PagewalkError, hex } from '../errors.js';
import { wordsToBigInt } from '../arch/words.js';

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

type AnyRegion = { readonly base: number; readonly size: number; readonly bytes?: Uint8Array; readonly load?: (offset: number, length: number) => Uint8Array };

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

  /** Use PhysicalMemory.create / fromRaw / fromElfCore. */
  constructor(regions: readonly (MemoryRegion | OnDemandRegion)[], writable: boolean, options: { cacheBytes?: number } = {}) {
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
    const lazy = sorted.some((r) => r.bytes === undefined);
    if (lazy && writable) throw new PagewalkError('EINVAL', 'an image read on demand cannot be writable');
    this.writable = writable;
    this.originals = sorted.map((r) => {
      if (r.bytes !== undefined) return { base: r.base, size: r.size, bytes: wordAligned(r.bytes) };
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
    this.maxBlocks = Math.max(16, Math.ceil((options.cacheBytes ?? 64 * 1024 * 1024) / BLOCK));
  }

  /** Zeroed, writable RAM regions (e.g. [{ base: 0x40000000, size: 64 << 20 }] for arm64 virt). */
  static create(regions: readonly RamRegion[]): PhysicalMemory {
    if (!Array.isArray(regions) || regions.length === 0) {
      throw new PagewalkError('EINVAL', 'physical memory needs at least one RAM region { base, size }');
    }
    return new PhysicalMemory(
      regions.map((r) => {
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
    return new PhysicalMemory([{ base, size: bytes.byteLength, bytes }], options.writable === true);
  }

  /** The regions held in memory (not those read on demand). */
  get regions(): readonly MemoryRegion[] {
    return this.originals.filter((r): r is MemoryRegion => r.bytes !== undefined);
  }

  /** Every region's physical range. */
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
    return pa >= 0 && this.find(pa, len) >= 0;
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
    if (words === null) return this.blockWords(i, pa, bytes);
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

  /**
   * Why [pa, pa + len) could not be read (after tableWords()/read() said
   * null/false): 'excluded' when the image knows the page as RAM that a
   * dump left out by its dump level, else 'outside' (not RAM, not in this
   * image, cut short). Cold path: call it only after a miss.
   */
  missingReason(pa: number, len: number): 'outside' | 'excluded' {
    void pa;
    void len;
    return 'outside';
  }

  /** Reads the 64-bit entry at `pa` into `lo`/`hi`. False when `pa` is outside the image or misaligned. */
  read(pa: number): boolean {
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

  /** Copies `len` bytes at `pa` out of the image, or null when they are not inside one region. */
  readBytes(pa: number, len: number): Uint8Array | null {
    const i = this.find(pa, len);
    if (i < 0) return null;
    const off = pa - this.starts[i];
    const r = this.regionList[i];
    return r.bytes !== undefined ? r.bytes.slice(off, off + len) : r.load!(off, len).slice(0, len);
  }

  /** Writes bytes at `pa` (inside one region). Throws EROFS / EFAULT. */
  writeBytes(pa: number, data: Uint8Array): void {
    if (!this.writable) this.refuseWrite(pa);
    const i = this.find(pa, data.byteLength);
    if (i < 0) {
      throw new PagewalkError('EFAULT', `physical range [${hex(pa)}, ${hex(pa + data.byteLength)}) is not inside the memory image`);
    }
    this.regionList[i].bytes!.set(data, pa - this.starts[i]);
  }

  /** Fills `bytes` bytes at `pa` with the 64-bit pattern (lo, hi). Throws EROFS / EFAULT. */
  fill(pa: number, bytes: number, lo: number, hi: number): void {
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

/** Int32Array views need a 4-byte aligned offset; copy the rare view that is not. */
function wordAligned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
}
