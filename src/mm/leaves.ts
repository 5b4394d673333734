import { LEVEL_NAMES, PTE, type DecodedEntry, type Depth, type EntryCodec, type LevelName, type Perms } from '../arch/types.js';
import { wordsToBigInt } from '../arch/words.js';
import { lowerHalfEnd, upperHalfEnd, upperHalfStart } from '../arch/va.js';
import { PagewalkError, hex } from '../errors.js';
import { walkPageRangeDebug } from '../walk/debug-walk.js';
import type { MmWalk } from '../walk/mm-walk.js';
import type { MmWalkOps } from '../walk/ops.js';
import { walkArgsProblem, type WalkBudget } from '../walk/walk-args.js';
import { walkFailure } from '../walk/walk-error.js';
import type { AddressSpace } from './address-space.js';
import { checkOptions } from '../options.js';
import { effectivePerms } from './effective-perms.js';

/** One present leaf, as QEMU's `info tlb` lists them (but for every arch). */
export interface Leaf {
  va: number;
  size: number;
  pa: number;
  level: LevelName;
  /** The leaf entry's value (computed when read). */
  readonly raw: bigint;
  /** Permissions after every directory entry above (x86 RW/US/NX, arm64 APTable/XNTable). Shared by leaves alike: read-only. */
  perms: Readonly<Perms>;
  /** The names of the entry's set bits (entry.flags). Shared by leaves alike: read-only. */
  flags: readonly string[];
  /** The entry decoded (computed when read). */
  readonly entry: DecodedEntry;
}

/**
 * A leaf as forEachLeaf hands it out: what every consumer reads is a
 * field; the bigint value and the full decoding are made only when asked
 * for (a 16 GiB direct map in 4K pages is 4 Mi leaves).
 */
class WalkedLeaf implements Leaf {
  constructor(
    readonly va: number,
    readonly size: number,
    readonly pa: number,
    readonly level: LevelName,
    readonly perms: Readonly<Perms>,
    readonly flags: readonly string[],
    private readonly codec: EntryCodec,
    private readonly depth: Depth,
    private readonly lo: number,
    private readonly hi: number,
  ) {}

  get raw(): bigint {
    return wordsToBigInt(this.lo, this.hi);
  }

  get entry(): DecodedEntry {
    return this.codec.decode(this.depth, this.lo, this.hi);
  }
}

/** What leaves alike share: their level, effective permissions and flag names. */
export interface LeafKind {
  level: LevelName;
  perms: Readonly<Perms>;
  flags: readonly string[];
}

const KIND_SLOTS = 256;

/**
 * Leaves that differ only in their address bits decode alike (a direct map
 * is millions of one kind), so each kind is decoded once. Which bits hold
 * the address is learnt from the codec itself, per level: encodeLeaf() of
 * each single address bit the level's leaves can have shows where that bit
 * goes (the arches' encodings map address bits to entry bits one to one,
 * split fields such as arm64's LPA2 bits included). A leaf's kind is its
 * value without those bits, with its level and the limits from above.
 */
class LeafKinds {
  private readonly keyLo = new Int32Array(KIND_SLOTS);
  private readonly keyHi = new Int32Array(KIND_SLOTS);
  /** depth * 2^16 + the limits from above, or -1 for an empty slot. */
  private readonly keyCtx = new Int32Array(KIND_SLOTS).fill(-1);
  private readonly kinds: (LeafKind | undefined)[] = new Array<LeafKind | undefined>(KIND_SLOTS);
  /** Per depth: the entry bits that hold the address (0/0 with `learnt` 2: none learnable, decode every leaf). */
  private readonly addrLo = new Int32Array(5);
  private readonly addrHi = new Int32Array(5);
  /** Per depth: 0 not yet, 1 learnt, 2 the codec refused a probe. */
  private readonly learnt = new Uint8Array(5);

  constructor(
    private readonly codec: EntryCodec,
    private readonly geometry: { shift: readonly number[]; physBits: number; pageShift: number },
  ) {}

  kindOf(d: Depth, lo: number, hi: number, above: number): LeafKind {
    if (this.learnt[d] !== 1 && !this.learn(d)) return this.decode(d, lo, hi, above);
    const kLo = lo & ~this.addrLo[d];
    const kHi = hi & ~this.addrHi[d];
    const ctx = d * 65536 + above;
    const slot = (Math.imul(kLo ^ Math.imul(kHi, 0x9e3779b1), 0x85ebca6b) ^ ctx) >>> 24;
    if (this.keyCtx[slot] === ctx && this.keyLo[slot] === kLo && this.keyHi[slot] === kHi) return this.kinds[slot]!;
    const kind = this.decode(d, lo, hi, above);
    this.keyLo[slot] = kLo;
    this.keyHi[slot] = kHi;
    this.keyCtx[slot] = ctx;
    this.kinds[slot] = kind;
    return kind;
  }

  /** Learns the address bits of depth d's leaves; false when the codec refuses (then every leaf is decoded). */
  private learn(d: Depth): boolean {
    if (this.learnt[d] === 2) return false;
    const g = this.geometry;
    const align = d === PTE ? g.pageShift : g.shift[d];
    let mLo = 0;
    let mHi = 0;
    try {
      for (let bit = align; bit < g.physBits; bit++) {
        this.codec.encodeLeaf(d, 2 ** bit, 0, 0);
        mLo |= this.codec.lo;
        mHi |= this.codec.hi;
      }
    } catch {
      this.learnt[d] = 2;
      return false;
    }
    this.addrLo[d] = mLo;
    this.addrHi[d] = mHi;
    this.learnt[d] = 1;
    return true;
  }

  private decode(d: Depth, lo: number, hi: number, above: number): LeafKind {
    const decoded = this.codec.decode(d, lo, hi);
    return { level: LEVEL_NAMES[d], perms: Object.freeze(effectivePerms(decoded.perms, above)), flags: Object.freeze(decoded.flags) };
  }
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
}

/** Where a leaf goes in the walk underneath forEachLeaf(): its addresses, size, kind and entry words. */
export type LeafSink = (va: number, pa: number, size: number, kind: LeafKind, depth: Depth, lo: number, hi: number) => void;

/** What forEachLeaf() takes besides the callback. */
export interface LeafWalkOptions {
  ranges?: { start: number; end: number }[];
  pgd?: number;
  budget?: WalkBudget;
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
export function forEachLeaf(mm: AddressSpace, onLeaf: (leaf: Leaf) => void, options: LeafWalkOptions = {}): void {
  if (typeof onLeaf !== 'function') throw new PagewalkError('EINVAL', `forEachLeaf() needs an onLeaf callback, got ${typeof onLeaf}`);
  const codec = mm.codec;
  walkLeaves(mm, (va, pa, size, kind, depth, lo, hi) => onLeaf(new WalkedLeaf(va, size, pa, kind.level, kind.perms, kind.flags, codec, depth, lo, hi)), options);
}

/**
 * @internal forEachLeaf() without the Leaf objects, for bulk consumers in
 * the package (the CLI's `leaves` writes millions of lines): every present
 * leaf in address order with its kind (shared by leaves alike).
 */
export function walkLeaves(mm: AddressSpace, sink: LeafSink, options: LeafWalkOptions = {}): void {
  checkOptions(options, ['ranges', 'pgd', 'budget'], 'forEachLeaf() options');
  const codec = mm.codec;
  const { checkDepth, realAt, size } = mm.plan;
  const pageSize = size[PTE];
  const kinds = new LeafKinds(codec, mm.arch);
  const leafAt = (d: number, va: number, lo: number, hi: number, above: number): void => {
    const cd = checkDepth[d] as Depth;
    const pa = codec.outputPa(cd, lo, hi);
    sink(va, pa, size[d], kinds.kindOf(cd, lo, hi, above), cd, lo, hi);
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
    if (codec.valid(cd, lo, hi)) leafAt(d, w.addr, lo, hi, above);
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
        if (codec.valid(PTE, lo, hi)) leafAt(PTE, va, lo, hi, above);
      }
      return 0;
    },
  };
  const state: LeafWalk = { limits: new Int32Array(5) };
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
