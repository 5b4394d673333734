/**
 * One kdump-compressed file: its headers, its two bitmaps with prefix
 * counts, and its page descriptors, read on demand. The descriptor of pfn
 * p is number rank(p) of the array at `descOffset` (the count of dumped
 * pfns from the file's start_pfn up to p: crash's pfn_to_pos()), 24 bytes
 * each (`struct page_desc`: int64 offset, uint32 size, uint32 flags,
 * uint64 page_flags, in the dumped machine's byte order).
 */
import { PagewalkError, hex } from '../errors.js';
import { RankedBitmap } from './bitmap.js';
import { badDump, type ByteSource } from './byte-source.js';
import { compressionOfFlags, type Compression, type PageDecoder } from './compression.js';
import { DUMP_DH_COMPRESSED_INCOMPLETE, parseKdumpHeader, type KdumpHeader } from './kdump-header.js';
import { BLOCK_ABSENT, BLOCK_DATA, BLOCK_EXCLUDED, BLOCK_INCOMPLETE, type BlockState } from '../memory/page-source.js';

const DESC_SIZE = 24;
/** Descriptors read at once, and chunks kept. */
const CHUNK = 256;
const CHUNKS_KEPT = 64;
/** What the decoder's messages start with, replaced by the page's own words when one fails. */
const PAGE_WHERE = '\u0000page';

/** Counts over every descriptor of a file (a full scan: for `info`). */
export interface DescriptorCensus {
  data: number;
  incomplete: number;
  /** Data pages by how they are stored. */
  byCompression: Partial<Record<Compression | 'none', number>>;
}

export class KdumpPart {
  readonly header: KdumpHeader;
  readonly source: ByteSource;
  /** 1st bitmap: the pfns the dumped machine had as memory. */
  readonly memory: RankedBitmap;
  /** 2nd bitmap: the pfns dumped (with a page descriptor). */
  readonly dumped: RankedBitmap;
  /** The header says INCOMPLETE, or the (flattened) stream ends before its end marker. */
  readonly incomplete: boolean;
  /** Pfns below this have their dumped bit in the file (all of them unless an incomplete file ends in its bitmaps). */
  readonly dumpedKnown: number;
  /** Descriptors this file holds: dumped pfns in [startPfn, endPfn). */
  readonly descriptors: number;
  /** No page data may lie before this offset. */
  private readonly dataStart: number;
  private readonly decoder: PageDecoder;
  private readonly chunks = new Map<number, DataView>();
  private lastChunk = -1;
  private lastView: DataView = new DataView(new ArrayBuffer(0));
  private readonly le: boolean;

  constructor(source: ByteSource, decoder: PageDecoder) {
    this.source = source;
    this.decoder = decoder;
    const h = (this.header = parseKdumpHeader(source));
    this.le = h.littleEndian;
    this.incomplete = (h.status & DUMP_DH_COMPRESSED_INCOMPLETE) !== 0 || source.truncated;
    this.memory = new RankedBitmap(this.bitmapBytes(h.bitmap1Offset, '1st bitmap'), h.maxMapnr, true);
    this.dumped = h.bitmap2Offset === h.bitmap1Offset ? this.memory : new RankedBitmap(this.bitmapBytes(h.bitmap2Offset, '2nd bitmap'), h.maxMapnr, true);
    // In an incomplete file the bitmaps may end early: past what it holds, whether a pfn was dumped is not known.
    this.dumpedKnown = Math.min(h.maxMapnr, Math.max(0, this.source.size - h.bitmap2Offset) * 8);
    this.descriptors = this.dumped.countRange(h.startPfn, h.endPfn);
    this.dataStart = h.descOffset + this.descriptors * DESC_SIZE;
    if (!this.incomplete && this.dataStart > source.size) {
      throw badDump(
        source,
        h.descOffset,
        `the ${this.descriptors} page descriptors [${hex(h.descOffset)}, ${hex(this.dataStart)}) run past the end of the file (${hex(source.size)} bytes), and the header does not say the dump is incomplete`,
      );
    }
  }

  /** A bitmap's bytes; in an incomplete file, the part past the end is left out (its bits read as clear). */
  private bitmapBytes(offset: number, what: string): Uint8Array {
    const want = this.header.bitmapBytes;
    const have = Math.max(0, Math.min(want, this.source.size - offset));
    if (have < want && !this.incomplete) {
      throw badDump(this.source, offset, `${what} [${hex(offset)}, ${hex(offset + want)}) runs past the end of the file (${hex(this.source.size)} bytes): truncated`);
    }
    // Only what the file holds is allocated, whatever the header claims (bits past it read as clear).
    const out = new Uint8Array(Math.ceil(have / 4) * 4);
    if (have > 0) out.set(this.source.read(offset, have));
    return out;
  }

  /** The pfn's state from the bitmaps alone (a dumped pfn is BLOCK_DATA here). */
  bitmapState(pfn: number): BlockState {
    if (pfn >= this.header.maxMapnr || !this.memory.test(pfn)) return BLOCK_ABSENT;
    if (this.dumped.test(pfn)) return BLOCK_DATA;
    return pfn < this.dumpedKnown ? BLOCK_EXCLUDED : BLOCK_INCOMPLETE;
  }

  /** The state of a pfn in [startPfn, endPfn): reads its descriptor when it was dumped. */
  state(pfn: number): BlockState {
    const s = this.bitmapState(pfn);
    if (s !== BLOCK_DATA) return s;
    return this.locate(pfn) === null ? BLOCK_INCOMPLETE : BLOCK_DATA;
  }

  /** Fills dst with the page of a pfn in [startPfn, endPfn), or says why it cannot. */
  load(pfn: number, dst: Uint8Array): BlockState {
    const s = this.bitmapState(pfn);
    if (s !== BLOCK_DATA) return s;
    const d = this.locate(pfn);
    if (d === null) return BLOCK_INCOMPLETE;
    const src = this.source.read(d.offset, d.size);
    if (d.kind === 'none') dst.set(src);
    else {
      try {
        this.decoder(d.kind, src, dst, PAGE_WHERE);
      } catch (e) {
        // The message names the page only when there is one to give: no string is built per page read.
        if (!(e instanceof PagewalkError) || !e.message.startsWith(PAGE_WHERE)) throw e;
        throw new PagewalkError(e.code, `kdump: ${d.kind} page data of pfn ${hex(pfn)} at offset ${this.source.locate(d.offset)} (${d.size} bytes)${e.message.slice(PAGE_WHERE.length)}`);
      }
    }
    return BLOCK_DATA;
  }

  /**
   * Where a dumped pfn's data is: checked against the file and the block
   * size, or null when the dump does not hold it (a zero descriptor; in an
   * incomplete dump also a descriptor or data past the end). Throws
   * EBADIMAGE for a descriptor no writer produces.
   */
  private locate(pfn: number): { offset: number; size: number; kind: Compression | 'none' } | null {
    return this.descriptor(this.dumped.countRange(this.header.startPfn, pfn), pfn);
  }

  /** Descriptor number `index` (that of `pfn`), checked as locate() says. */
  private descriptor(index: number, pfn: number): { offset: number; size: number; kind: Compression | 'none' } | null {
    const h = this.header;
    const at = h.descOffset + index * DESC_SIZE;
    if (at + DESC_SIZE > this.source.size) {
      if (this.incomplete) return null;
      throw badDump(this.source, at, `page descriptor of pfn ${hex(pfn)} runs past the end of the file`);
    }
    // A stream cut short may have written part of a descriptor, or none of its page: not there yet.
    if (this.incomplete && this.source.covered?.(at, DESC_SIZE) === false) return null;
    const view = this.chunk(index);
    const o = (index % CHUNK) * DESC_SIZE;
    const offset = view.getBigInt64(o, this.le);
    const size = view.getUint32(o + 8, this.le);
    const flags = view.getUint32(o + 12, this.le);
    if (offset === 0n) return null; // never written (crash: PAGE_INCOMPLETE)
    const where = `page descriptor of pfn ${hex(pfn)}`;
    if (offset < BigInt(this.dataStart) || offset > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw badDump(this.source, at, `${where}: data offset ${hex(offset)} is not in the page data area (from ${hex(this.dataStart)})`);
    }
    const kind = compressionOfFlags(flags);
    if (kind === null) throw badDump(this.source, at + 12, `${where}: unknown compression flags ${hex(flags)}`);
    if (size === 0 || size > h.blockSize) throw badDump(this.source, at + 8, `${where}: size ${size} is not in 1..block_size (${h.blockSize})`);
    if (kind === 'none' && size !== h.blockSize) throw badDump(this.source, at + 8, `${where}: an uncompressed page of ${size} bytes, not block_size (${h.blockSize})`);
    const off = Number(offset);
    if (this.incomplete && this.source.covered?.(off, size) === false) return null;
    if (off + size > this.source.size) {
      if (this.incomplete) return null;
      throw badDump(this.source, at, `${where}: data [${hex(off)}, ${hex(off + size)}) runs past the end of the file (${hex(this.source.size)} bytes), and the header does not say the dump is incomplete`);
    }
    return { offset: off, size, kind };
  }

  /** The chunk of descriptors holding `index`, least recently used dropped first. */
  private chunk(index: number): DataView {
    const c = Math.floor(index / CHUNK);
    if (c === this.lastChunk) return this.lastView;
    let view = this.chunks.get(c);
    if (view !== undefined) {
      this.chunks.delete(c);
    } else {
      const start = this.header.descOffset + c * CHUNK * DESC_SIZE;
      const length = Math.min(CHUNK * DESC_SIZE, this.source.size - start);
      const bytes = new Uint8Array(CHUNK * DESC_SIZE);
      bytes.set(this.source.read(start, length));
      view = new DataView(bytes.buffer);
      if (this.chunks.size >= CHUNKS_KEPT) this.chunks.delete(this.chunks.keys().next().value as number);
    }
    this.chunks.set(c, view);
    this.lastChunk = c;
    this.lastView = view;
    return view;
  }

  /** Reads every descriptor (checking each as a read would) and counts them. */
  census(): DescriptorCensus {
    const out: DescriptorCensus = { data: 0, incomplete: 0, byCompression: {} };
    const h = this.header;
    let pfn = this.dumped.nextSet(h.startPfn);
    for (let index = 0; pfn >= 0 && pfn < h.endPfn; index++) {
      const d = this.descriptor(index, pfn);
      if (!this.memory.test(pfn)) {
        // Dumped but not memory: absent, as a read finds it (its descriptor still counts for the index).
      } else if (d === null) out.incomplete++;
      else {
        out.data++;
        out.byCompression[d.kind] = (out.byCompression[d.kind] ?? 0) + 1;
      }
      pfn = this.dumped.nextSet(pfn + 1);
    }
    return out;
  }
}
