import { LEVEL_NAMES, PTE, type DecodedEntry, type LevelName, type Perms } from '../arch/types.js';
import { lowerHalfEnd, upperHalfEnd, upperHalfStart } from '../arch/va.js';
import { PagewalkError, hex } from '../errors.js';
import { walkPageRangeDebug } from '../walk/debug-walk.js';
import type { MmWalk } from '../walk/mm-walk.js';
import type { MmWalkOps } from '../walk/ops.js';
import { walkArgsProblem } from '../walk/walk-args.js';
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
  limits: Int32Array;
  onLeaf: (leaf: Leaf) => void;
}

/**
 * Calls `onLeaf` for every leaf the hardware would translate through, in
 * address order, over `ranges` (default: all the address space
 * translates). Uses the internal debug walker (any address space, user ones
 * too), tracking the directory entries' permission limits on the way down.
 */
export function forEachLeaf(
  mm: AddressSpace,
  onLeaf: (leaf: Leaf) => void,
  options: { ranges?: { start: number; end: number }[]; pgd?: number } = {},
): void {
  const codec = mm.codec;
  const { checkDepth, realAt, size } = mm.plan;
  const entry = (d: number) => (e: number, w: MmWalk<LeafWalk>): number => {
    const s = w.private;
    const lo = w.lo(e);
    const hi = w.hi(e);
    const cd = checkDepth[d] as 0;
    const above = d === 0 ? 0 : s.limits[d - 1];
    const isLeaf = d === PTE || (realAt[d] === 1 && codec.leaf(cd, lo, hi));
    if (!isLeaf) {
      s.limits[d] = above | (codec.valid(cd, lo, hi) && !codec.none(cd, lo, hi) ? codec.tableLimits(cd, lo, hi) : 0);
      return 0;
    }
    if (!codec.valid(cd, lo, hi)) return 0;
    const decoded = codec.decode(cd, lo, hi);
    s.onLeaf({
      va: w.addr,
      size: size[d],
      pa: codec.outputPa(cd, lo, hi),
      level: LEVEL_NAMES[cd],
      raw: w.value(e),
      perms: effectivePerms(decoded.perms, above),
      entry: decoded,
    });
    return 0;
  };
  const ops: MmWalkOps<LeafWalk> = { pgdEntry: entry(0), p4dEntry: entry(1), pudEntry: entry(2), pmdEntry: entry(3), pteEntry: entry(4) };
  const state: LeafWalk = { limits: new Int32Array(5), onLeaf };
  for (const r of options.ranges ?? spanRanges(mm)) {
    const walkOptions = options.pgd === undefined ? { private: state } : { pgd: options.pgd, private: state };
    const rc = walkPageRangeDebug(mm, r.start, r.end, ops, walkOptions);
    if (rc !== 0) {
      throw new PagewalkError(rc === -16 ? 'EBUSY' : 'EINVAL', `cannot walk [${hex(r.start)}, ${hex(r.end)}): ${walkArgsProblem(mm, r.start, r.end, ops, walkOptions, 'debug') ?? 'the address space is held by another walk'}`);
    }
  }
}
