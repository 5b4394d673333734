import { LEVEL_NAMES, PTE, type DecodedEntry, type LevelName, type Perms } from '../arch/types.js';
import { lowerHalfEnd, upperHalfEnd, upperHalfStart } from '../arch/va.js';
import { hex } from '../errors.js';
import { walkPageRangeDebug } from '../walk/debug-walk.js';
import type { MmWalk } from '../walk/mm-walk.js';
import type { MmWalkOps } from '../walk/ops.js';
import { walkArgsProblem, type WalkBudget } from '../walk/walk-args.js';
import { walkFailure } from '../walk/walk-error.js';
import type { AddressSpace } from './address-space.js';
import { effectivePerms } from './effective-perms.js';

/** One present leaf, as QEMU's `info tlb` lists them (but for every arch). */
export interface Leaf {
  va: number;
  size: number;
  pa: number;
  level: LevelName;
  /** The leaf entry's value. */
  raw: bigint;
  /** Permissions after every directory entry above (x86 RW/US/NX, arm64 APTable/XNTable). */
  perms: Perms;
  entry: DecodedEntry;
}

/** The canonical ranges an address space translates: both halves, or its own half. */
export function spanRanges(mm: AddressSpace): { start: number; end: number }[] {
  const lower = { start: 0, end: lowerHalfEnd(mm.arch) };
  const upper = { start: upperHalfStart(mm.arch), end: upperHalfEnd(mm.arch) };
  return mm.span === 'both' ? [lower, upper] : mm.span === 'lower' ? [lower] : [upper];
}

interface LeafWalk {
  /** LIMIT_* bits the directory entries above each depth impose. */
  limits: Int32Array;
  onLeaf: (leaf: Leaf) => void;
}

/**
 * Calls `onLeaf` for every leaf the hardware would translate through, in
 * address order, over `ranges` (default: all the address space
 * translates). Uses the internal debug walker (any address space, user ones
 * too), tracking the directory entries' permission limits on the way down;
 * ptes go through the walker's batch op (pteRange). `budget` bounds the
 * entries visited over all the ranges (WalkBudget): when it runs out,
 * forEachLeaf throws PagewalkError E2BIG.
 */
export function forEachLeaf(
  mm: AddressSpace,
  onLeaf: (leaf: Leaf) => void,
  options: { ranges?: { start: number; end: number }[]; pgd?: number; budget?: WalkBudget } = {},
): void {
  const codec = mm.codec;
  const { checkDepth, realAt, size } = mm.plan;
  const pageSize = size[PTE];
  const leafAt = (s: LeafWalk, d: number, va: number, lo: number, hi: number, above: number): void => {
    const cd = checkDepth[d] as 0;
    const decoded = codec.decode(cd, lo, hi);
    s.onLeaf({
      va,
      size: size[d],
      pa: codec.outputPa(cd, lo, hi),
      level: LEVEL_NAMES[cd],
      raw: decoded.raw,
      perms: effectivePerms(decoded.perms, above),
      entry: decoded,
    });
  };
  const entry = (d: number) => (e: number, w: MmWalk<LeafWalk>): number => {
    const s = w.private;
    const lo = w.lo(e);
    const hi = w.hi(e);
    const cd = checkDepth[d] as 0;
    const above = d === 0 ? 0 : s.limits[d - 1];
    if (!(realAt[d] === 1 && codec.leaf(cd, lo, hi))) {
      s.limits[d] = above | (codec.valid(cd, lo, hi) && !codec.none(cd, lo, hi) ? codec.tableLimits(cd, lo, hi) : 0);
      return 0;
    }
    if (codec.valid(cd, lo, hi)) leafAt(s, d, w.addr, lo, hi, above);
    return 0;
  };
  const ops: MmWalkOps<LeafWalk> = {
    pgdEntry: entry(0),
    p4dEntry: entry(1),
    pudEntry: entry(2),
    pmdEntry: entry(3),
    pteRange: (_first, count, w) => {
      const s = w.private;
      const words = w.ptes;
      const above = s.limits[PTE - 1];
      let wi = w.pteWord;
      let va = +w.addr;
      for (let i = 0; i < count; i++, wi += 2, va += pageSize) {
        const lo = words[wi];
        const hi = words[wi + 1];
        if (codec.valid(PTE, lo, hi)) leafAt(s, PTE, va, lo, hi, above);
      }
      return 0;
    },
  };
  const state: LeafWalk = { limits: new Int32Array(5), onLeaf };
  for (const r of options.ranges ?? spanRanges(mm)) {
    const walkOptions: { pgd?: number; private: LeafWalk; budget?: WalkBudget } = { private: state };
    if (options.pgd !== undefined) walkOptions.pgd = options.pgd;
    if (options.budget !== undefined) walkOptions.budget = options.budget;
    const rc = walkPageRangeDebug(mm, r.start, r.end, ops, walkOptions);
    if (rc !== 0) {
      throw walkFailure(`cannot walk [${hex(r.start)}, ${hex(r.end)})`, rc, () => walkArgsProblem(mm, r.start, r.end, ops, walkOptions, 'debug'), options.budget);
    }
  }
}
