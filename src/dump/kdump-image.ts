/**
 * A kdump dump as pages: one kdump-compressed file, or the parts of a
 * `makedumpfile --split` set given together. Each part has the same
 * disk_dump_header (makedumpfile's --reassemble and crash refuse parts whose
 * headers differ), the bitmaps of the whole dump, and the descriptors of its
 * own pfns [start_pfn_64, end_pfn_64); a pfn is read from the part whose
 * range holds it (crash's read_diskdump()).
 */
import { PagewalkError, hex } from '../errors.js';
import type { ByteSource } from './byte-source.js';
import { defaultPageDecoder, type PageDecoder } from './compression.js';
import type { KdumpHeader } from './kdump-header.js';
import { KdumpPart, type DescriptorCensus } from './kdump-part.js';
import {
  BLOCK_ABSENT,
  BLOCK_DATA,
  BLOCK_EXCLUDED,
  BLOCK_INCOMPLETE,
  BLOCK_OTHER_PART,
  type BlockState,
  type PageSource,
} from '../memory/page-source.js';

/** Counts of a dump's blocks by state, below max_mapnr. */
export interface KdumpCensus {
  data: number;
  excluded: number;
  /** Not data and not excluded: not memory, in a missing part, or incomplete. */
  absent: number;
  /** Of the absent blocks, those the dump meant to hold but does not (incomplete dump). */
  incomplete: number;
  /** Of the absent blocks, those in the range of a part not given. */
  missingParts: number;
  byCompression: DescriptorCensus['byCompression'];
}

export class KdumpImage implements PageSource {
  /** The parts in pfn order (one for a plain file). */
  readonly parts: readonly KdumpPart[];
  readonly blockSize: number;
  readonly blocks: number;
  private last: KdumpPart;
  private census: KdumpCensus | null = null;

  /**
   * Reads the headers and bitmaps of each source (page data stays in the
   * files). Several sources must be parts of one split dump: each with
   * `split` set, the same disk_dump_header (the INCOMPLETE bit aside), and
   * pfn ranges that do not overlap (missing parts are allowed: their pages
   * are absent). Errors name the part: `part N: ...` when `names` is not
   * given.
   */
  constructor(sources: readonly ByteSource[], options: { decoder?: PageDecoder; names?: readonly string[] } = {}) {
    if (sources.length === 0) throw new PagewalkError('EINVAL', 'a kdump image needs at least one file');
    const name = (i: number) => options.names?.[i] ?? `part ${i + 1}`;
    const parts = sources.map((s, i) => {
      try {
        return new KdumpPart(s, options.decoder ?? defaultPageDecoder);
      } catch (e) {
        if (sources.length > 1 && e instanceof PagewalkError) throw new PagewalkError(e.code, `${name(i)}: ${e.message}`);
        throw e;
      }
    });
    if (parts.length > 1) checkSplitSet(parts, name);
    this.parts = parts.map((p, i) => ({ p, i })).sort((a, b) => a.p.header.startPfn - b.p.header.startPfn).map((x) => x.p);
    this.blockSize = parts[0].header.blockSize;
    this.blocks = parts[0].header.maxMapnr;
    this.last = this.parts[0];
  }

  /** The first part's headers (the same in every part but for the split range). */
  get header(): KdumpHeader {
    return this.parts[0].header;
  }

  /** The part whose pfn range holds `pfn`, or null. */
  private partOf(pfn: number): KdumpPart | null {
    const l = this.last.header;
    if (pfn >= l.startPfn && pfn < l.endPfn) return this.last;
    for (const p of this.parts) {
      if (pfn >= p.header.startPfn && pfn < p.header.endPfn) return (this.last = p);
    }
    return null;
  }

  state(block: number): BlockState {
    if (block >= this.blocks) return BLOCK_ABSENT;
    const part = this.partOf(block);
    if (part === null) return this.parts[0].bitmapState(block) === BLOCK_DATA ? BLOCK_OTHER_PART : this.parts[0].bitmapState(block);
    return part.state(block);
  }

  load(block: number, dst: Uint8Array): BlockState {
    if (block >= this.blocks) return BLOCK_ABSENT;
    const part = this.partOf(block);
    if (part === null) return this.state(block);
    return part.load(block, dst);
  }

  explain(block: number, state: BlockState): string {
    const h = this.header;
    switch (state) {
      case BLOCK_EXCLUDED:
        return `excluded by the dump level (makedumpfile -d ${h.dumpLevel ?? '?'} left this page out)`;
      case BLOCK_INCOMPLETE:
        return 'absent: the dump is incomplete (no data was written for this page)';
      case BLOCK_OTHER_PART:
        return 'absent: its pfn is in a part of the split dump that was not given';
      default:
        return block >= this.blocks ? `absent: beyond the dump's last page (max_mapnr ${hex(this.blocks)})` : 'absent: not memory in the dumped machine (clear in the dump\'s memory bitmap)';
    }
  }

  /** Counts of every state (reads every descriptor once, then remembers). */
  countPages(): KdumpCensus {
    if (this.census !== null) return this.census;
    const bitmaps = this.parts[0];
    const memory = bitmaps.memory.count;
    const out: KdumpCensus = { data: 0, excluded: 0, absent: 0, incomplete: 0, missingParts: 0, byCompression: {} };
    let covered = 0;
    let coveredDumped = 0;
    for (const p of this.parts) {
      const c = p.census();
      out.data += c.data;
      out.incomplete += c.incomplete;
      for (const [k, v] of Object.entries(c.byCompression)) out.byCompression[k as keyof typeof c.byCompression] = (out.byCompression[k as keyof typeof c.byCompression] ?? 0) + v;
      covered += p.header.endPfn - p.header.startPfn;
      coveredDumped += p.dumped.countRange(p.header.startPfn, p.header.endPfn);
    }
    // Excluded: memory but not dumped (bits of the 2nd bitmap that are not memory count as absent);
    // memory whose dumped bit an incomplete file lacks is incomplete.
    const unknown = bitmaps.memory.countRange(bitmaps.dumpedKnown, this.blocks);
    out.excluded = memory - unknown - countBoth(bitmaps);
    out.incomplete += unknown;
    out.missingParts = covered < this.blocks ? countBoth(bitmaps) - coveredDumped : 0;
    out.absent = this.blocks - out.data - out.excluded;
    return (this.census = out);
  }
}

/** Pfns set in both bitmaps. */
function countBoth(p: KdumpPart): number {
  if (p.memory === p.dumped) return p.memory.count;
  let n = 0;
  for (let pfn = p.dumped.nextSet(0); pfn >= 0; pfn = p.dumped.nextSet(pfn + 1)) if (p.memory.test(pfn)) n++;
  return n;
}

function checkSplitSet(parts: KdumpPart[], name: (i: number) => string): void {
  const first = parts[0].header;
  parts.forEach((p, i) => {
    if (!p.header.split) throw new PagewalkError('EBADIMAGE', `${name(i)}: not a part of a split dump (its sub-header's split flag is 0): give it alone`);
    const a = stripIncomplete(first.raw, first.littleEndian, first.wordBits);
    const b = stripIncomplete(p.header.raw, p.header.littleEndian, p.header.wordBits);
    const diff = a.length !== b.length ? 0 : a.findIndex((x, k) => x !== b[k]);
    if (a.length !== b.length || diff >= 0) {
      throw new PagewalkError('EBADIMAGE', `${name(i)}: its disk_dump_header differs from ${name(0)}'s at offset ${hex(Math.max(0, diff))}: the parts come from different dumps`);
    }
  });
  const order = parts.map((p, i) => ({ p, i })).sort((x, y) => x.p.header.startPfn - y.p.header.startPfn);
  for (let k = 1; k < order.length; k++) {
    const a = order[k - 1];
    const b = order[k];
    if (b.p.header.startPfn < a.p.header.endPfn) {
      throw new PagewalkError(
        'EBADIMAGE',
        `${name(b.i)}: its pfns [${hex(b.p.header.startPfn)}, ${hex(b.p.header.endPfn)}) overlap those of ${name(a.i)} [${hex(a.p.header.startPfn)}, ${hex(a.p.header.endPfn)})` +
          (b.p.header.startPfn === a.p.header.startPfn ? ' (the same part given twice?)' : ''),
      );
    }
  }
}

/** The header bytes with the status INCOMPLETE bit cleared: one part may have run out of space. */
function stripIncomplete(raw: Uint8Array, le: boolean, bits: 32 | 64): Uint8Array {
  const copy = raw.slice();
  const at = bits === 64 ? 0x1a8 : 0x19c;
  new DataView(copy.buffer).setUint32(at, new DataView(copy.buffer).getUint32(at, le) & ~0x8, le);
  return copy;
}
