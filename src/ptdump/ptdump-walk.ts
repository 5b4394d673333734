import type { AddressSpace } from '../mm/address-space.js';
import { hex } from '../errors.js';
import { walkPageRangeDebug } from '../walk/debug-walk.js';
import { walkArgsProblem, type WalkBudget } from '../walk/walk-args.js';
import { walkFailure } from '../walk/walk-error.js';
import type { MmWalk } from '../walk/mm-walk.js';
import type { MmWalkOps } from '../walk/ops.js';
import type { ArchDumper, PtdumpRange } from './types.js';

/**
 * The mm_walk_ops of mm/ptdump.c: effective_prot() sees every entry;
 * note_page() gets a leaf at any level (as the kernel's pXd_leaf() sees it:
 * never at a level folded into another), every pte, and each hole at the
 * depth the walker reports. The ptes of a table come in one pteRange call
 * whose loop does for each what ptdump_pte_entry() does.
 */
export function ptdumpOps(mm: AddressSpace): MmWalkOps<ArchDumper> {
  const realAt = mm.arch.realAt;
  const pageSize = 2 ** mm.arch.pageShift;
  const entry = (level: number) => (e: number, w: MmWalk<ArchDumper>): number => {
    const s = w.private;
    const lo = w.lo(e);
    const hi = w.hi(e);
    s.effectiveProt?.(level, lo, hi);
    if (realAt[level] && w.leaf(e)) s.notePage(w.addr, level, lo, hi);
    return 0;
  };
  return {
    pgdEntry: entry(0),
    p4dEntry: entry(1),
    pudEntry: entry(2),
    pmdEntry: entry(3),
    pteRange: (_first, count, w) => {
      const s = w.private;
      const words = w.ptes;
      const prot = s.effectiveProt !== undefined;
      let wi = w.pteWord;
      let addr = +w.addr;
      for (let i = 0; i < count; i++, wi += 2, addr += pageSize) {
        const lo = words[wi];
        const hi = words[wi + 1];
        // ptdump_pte_entry(): effective_prot(st, 4, val) then note_page(st, addr, 4, val)
        if (prot) s.effectiveProt!(4, lo, hi);
        s.notePage(addr, 4, lo, hi);
      }
      return 0;
    },
    pteHole: (depth, w) => {
      w.private.notePage(w.addr, depth, 0, 0);
      return 0;
    },
  };
}

/** Walks [start, end) into the dumper's state (one piece of ptdump_walk_pgd(); no flush). */
export function ptdumpWalkRange(
  mm: AddressSpace,
  st: ArchDumper,
  ops: MmWalkOps<ArchDumper>,
  range: PtdumpRange,
  pgd?: number,
  budget?: WalkBudget,
): void {
  const options: { pgd?: number; private: ArchDumper; budget?: WalkBudget } = { private: st };
  if (pgd !== undefined) options.pgd = pgd;
  if (budget !== undefined) options.budget = budget;
  const rc = walkPageRangeDebug(mm, range.start, range.end, ops, options);
  if (rc !== 0) {
    throw walkFailure(`ptdump cannot walk [${hex(range.start)}, ${hex(range.end)})`, rc, () => walkArgsProblem(mm, range.start, range.end, ops, options, 'debug'), budget);
  }
}

/**
 * ptdump_walk_pgd() of mm/ptdump.c: walks each range (the dumper's own, or
 * `ranges`) with walk_page_range_debug(), then flushes the last range
 * (note_page(0, -1, 0)). `budget` bounds the entries of all the ranges
 * together (PagewalkError E2BIG when it runs out).
 */
export function ptdumpWalkPgd(mm: AddressSpace, st: ArchDumper, pgd?: number, ranges: readonly PtdumpRange[] = st.ranges, budget?: WalkBudget): void {
  const ops = ptdumpOps(mm);
  for (const r of ranges) ptdumpWalkRange(mm, st, ops, r, pgd, budget);
  st.notePage(0, -1, 0, 0);
}
