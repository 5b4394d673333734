import { effectivePerms } from './effective-perms.js';
import {
  LEVEL_NAMES,
  P4D,
  type DecodedEntry,
  type LevelName,
  type Perms,
} from '../arch/types.js';
import { wordsToBigInt } from '../arch/words.js';
import { slotIndex, type MmCore } from './table-ops.js';

/** One level of a translation, as crash's `vtop` prints it. */
export interface TranslationStep {
  /** The table's level (its top level when levels are folded into it: x86 4-level's first table is the pgd). */
  level: LevelName;
  /** Physical address of the table. */
  table: number;
  index: number;
  /** Physical address of the entry (table + index * 8). */
  entryAddress: number;
  /** The entry's value, or null when the table lies outside the image. */
  raw: bigint | null;
  entry: DecodedEntry | null;
}

/**
 * Why an address does not translate: no entry ('none'), an entry not
 * present, a bad entry, or a table the image does not hold: 'excluded' when
 * its page is RAM a dump left out by its dump level, 'outside-image' when it
 * is absent (not in the image, not RAM, an incomplete dump). The table is
 * the last step of the trace.
 */
export type TranslationFault = 'none' | 'not-present' | 'bad' | 'outside-image' | 'excluded';

export interface Translation {
  va: bigint;
  mapped: boolean;
  /** The physical address `va` translates to (with the offset inside the page). */
  phys: bigint | null;
  /** Bytes the leaf maps (4096, 2 MiB, 1 GiB, ...). */
  pageSize: number | null;
  /** Level of the leaf. */
  level: LevelName | null;
  /** Effective permissions: the leaf's, limited by every directory entry above it as the hardware combines them. */
  perms: Perms | null;
  leaf: DecodedEntry | null;
  trace: TranslationStep[];
  fault: TranslationFault | null;
}

/**
 * Translates one address the way the MMU does, from `root`, recording each
 * level. `page` is the page-aligned part of the address, `offset` the rest.
 */
export function translateAddress(mm: MmCore, root: number, page: number, offset: number, full: bigint): Translation {
  const codec = mm.codec;
  const mem = mm.memory;
  const trace: TranslationStep[] = [];
  let limits = 0;
  let table = root;
  const result = (fault: TranslationFault): Translation => ({
    va: full,
    mapped: false,
    phys: null,
    pageSize: null,
    level: null,
    perms: null,
    leaf: null,
    trace,
    fault,
  });
  for (let gi = 0; gi < mm.groups.length; gi++) {
    const g = mm.groups[gi];
    const index = slotIndex(g, page);
    const entryAddress = table + index * 8;
    const step: TranslationStep = { level: LEVEL_NAMES[g.top], table, index, entryAddress, raw: null, entry: null };
    trace.push(step);
    if (mem.tableWords(table, g.tableBytes) === null || !mem.read(entryAddress)) {
      return result(mem.missingReason(table, g.tableBytes) === 'excluded' ? 'excluded' : 'outside-image');
    }
    const lo = mem.lo;
    const hi = mem.hi;
    const entry = codec.decode(g.real, lo, hi);
    step.raw = wordsToBigInt(lo, hi);
    step.entry = entry;
    const d = g.real;
    if (codec.none(d, lo, hi)) return result('none');
    if (d <= P4D && codec.bad(d, lo, hi)) return result('bad');
    const last = gi === mm.groups.length - 1;
    if (!codec.valid(d, lo, hi)) return result(last || codec.leaf(d, lo, hi) || !codec.present(d, lo, hi) ? 'not-present' : 'bad');
    if (last || codec.leaf(d, lo, hi)) {
      const phys = codec.outputPa(d, lo, hi);
      return {
        va: full,
        mapped: true,
        phys: BigInt(phys) + BigInt(page % g.size) + BigInt(offset),
        pageSize: g.size,
        level: LEVEL_NAMES[d],
        perms: effectivePerms(entry.perms, limits),
        leaf: entry,
        trace,
        fault: null,
      };
    }
    limits |= codec.tableLimits(d, lo, hi);
    const next = codec.tablePa(d, lo, hi);
    if (next < 0) return result('bad');
    table = next;
  }
  return result('bad');
}
