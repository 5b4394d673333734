import type { AddressSpace } from '../mm/address-space.js';
import { PagewalkError } from '../errors.js';
import { walkPageRangeDebug } from '../walk/debug-walk.js';
import { walkArgsProblem } from '../walk/walk-args.js';
import type { MmWalk } from '../walk/mm-walk.js';
import type { MmWalkOps } from '../walk/ops.js';
import type { ArchDumper } from './types.js';

/**
 * ptdump_walk_pgd() of mm/ptdump.c: walks each of the dumper's ranges with
 * walk_page_range_debug() and feeds note_page(): a leaf at any level (as
 * the kernel's pXd_leaf() sees it: never at a folded level), every pte,
 * and each hole at the depth the walker reports; effective_prot() sees
 * every entry. Then flushes the last range (note_page(0, -1, 0)).
 */
export function ptdumpWalkPgd(mm: AddressSpace, st: ArchDumper, pgd?: number): void {
  const realAt = mm.arch.realAt;
  const entry = (level: number) => (e: number, w: MmWalk<ArchDumper>): number => {
    const s = w.private;
    const lo = w.lo(e);
    const hi = w.hi(e);
    s.effectiveProt?.(level, lo, hi);
    // pgd_leaf()/p4d_leaf()/... of a level folded into another is the generic 0.
    if (level === 4 || (realAt[level] && w.leaf(e))) s.notePage(w.addr, level, lo, hi);
    return 0;
  };
  const ops: MmWalkOps<ArchDumper> = {
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
  const options = pgd === undefined ? { private: st } : { pgd, private: st };
  for (const r of st.ranges) {
    const rc = walkPageRangeDebug(mm, r.start, r.end, ops, options);
    if (rc !== 0) {
      throw new PagewalkError(rc === -16 ? 'EBUSY' : 'EINVAL', `ptdump cannot walk [${r.start}, ${r.end}): ${walkArgsProblem(mm, r.start, r.end, ops, options) ?? 'the address space is held by another walk'}`);
    }
  }
  st.notePage(0, -1, 0, 0);
}
