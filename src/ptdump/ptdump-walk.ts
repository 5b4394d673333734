import type { AddressSpace } from '../mm/address-space.js';
import { PagewalkError, hex } from '../errors.js';
import { walkPageRangeDebug } from '../walk/debug-walk.js';
import { walkArgsProblem } from '../walk/walk-args.js';
import type { MmWalk } from '../walk/mm-walk.js';
import type { MmWalkOps } from '../walk/ops.js';
import type { ArchDumper, PtdumpRange } from './types.js';

/**
 * The mm_walk_ops of mm/ptdump.c: effective_prot() sees every entry;
 * note_page() gets a leaf at any level (as the kernel's pXd_leaf() sees it:
 * never at a level folded into another), every pte, and each hole at the
 * depth the walker reports.
 */
export function ptdumpOps(mm: AddressSpace): MmWalkOps<ArchDumper> {
  const realAt = mm.arch.realAt;
  const entry = (level: number) => (e: number, w: MmWalk<ArchDumper>): number => {
    const s = w.private;
    const lo = w.lo(e);
    const hi = w.hi(e);
    s.effectiveProt?.(level, lo, hi);
    if (level === 4 || (realAt[level] && w.leaf(e))) s.notePage(w.addr, level, lo, hi);
    return 0;
  };
  return {
    pgdEntry: entry(0),
    p4dEntry: entry(1),
    pudEntry: entry(2),
    pmdEntry: entry(3),
    pteEntry: entry(4),
    pteHole: (depth, w) => {
      w.private.notePage(w.addr, depth, 0, 0);
      return 0;
    },
  };
}

/** Walks [start, end) into the dumper's state (one piece of ptdump_walk_pgd(); no flush). */
export function ptdumpWalkRange(mm: AddressSpace, st: ArchDumper, ops: MmWalkOps<ArchDumper>, range: PtdumpRange, pgd?: number): void {
  const options = pgd === undefined ? { private: st } : { pgd, private: st };
  const rc = walkPageRangeDebug(mm, range.start, range.end, ops, options);
  if (rc !== 0) {
    const why = walkArgsProblem(mm, range.start, range.end, ops, options, 'debug') ?? 'the address space is held by another walk';
    throw new PagewalkError(rc === -16 ? 'EBUSY' : 'EINVAL', `ptdump cannot walk [${hex(range.start)}, ${hex(range.end)}): ${why}`);
  }
}

/**
 * ptdump_walk_pgd() of mm/ptdump.c: walks each range (the dumper's own, or
 * `ranges`) with walk_page_range_debug(), then flushes the last range
 * (note_page(0, -1, 0)).
 */
export function ptdumpWalkPgd(mm: AddressSpace, st: ArchDumper, pgd?: number, ranges: readonly PtdumpRange[] = st.ranges): void {
  const ops = ptdumpOps(mm);
  for (const r of ranges) ptdumpWalkRange(mm, st, ops, r, pgd);
  st.notePage(0, -1, 0, 0);
}
