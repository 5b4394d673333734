import { PagewalkError, hex } from '../errors.js';
import { LEVEL_NAMES, type ArchMode, type DecodedEntry, type EntryCodec, type LevelName } from '../arch/types.js';
import { bigIntHi, bigIntLo, wordsToBigInt } from '../arch/words.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import { ACTION_SUBTREE } from './actions.js';
import type { EntryHandles } from './entry-handles.js';
import type { MmWalkOps } from './ops.js';
import { WalkState } from './walk-state.js';
import type { WalkTarget } from './walk-target.js';

const EMPTY = new Int32Array(2);
const SLOW_LO = 0;
const SLOW_HI = 1;
const SLOW_NONE = 2;
const SLOW_PRESENT = 3;
const SLOW_LEAF = 4;
const SLOW_PHYS = 5;

/**
 * Why the walker did not follow an entry (set in `walk.badReason` before
 * ops.badEntry runs; see MmWalkOps.badEntry): 'bad' (*_bad()), 'outside'
 * (its table is not in the image), 'excluded' (its table's page was left
 * out of the dump), 'loop' (its table is on the current path).
 */
export type BadEntryReason = 'bad' | 'outside' | 'excluded' | 'loop';

/**
 * The walk in progress: the kernel's `struct mm_walk`, plus the cursor
 * (`addr`, `next`) the callbacks read, plus accessors for entry handles.
 *
 * An entry handle names a slot of a table; for a folded level's callback it
 * is the same slot as the level it folds into, and the accessors read it as
 * that real level (what the hardware sees). Handles stay valid after the
 * walk (`mm.entries` knows their tables); the accessors are fastest for the
 * table the walk is in.
 *
 * One walk object per address space (and nesting level) serves every walk:
 * it is reset when a walk starts, so keep entry handles, not the object,
 * beyond the walk that handed it to you. (Reuse keeps V8 on one object
 * shape, and a walk allocation-free.)
 */
export class MmWalk<P = unknown> {
  /** The callbacks of the walk in progress. */
  ops: MmWalkOps<P>;
  /** The address space walked. */
  // `declare`: no class-field definition (which would create the field holding
  // undefined); the constructor's assignment creates it with its object, so
  // V8 records the object's map as the field's type and the accessors need no
  // map check of the codec they call.
  declare readonly mm: WalkTarget;
  declare readonly arch: ArchMode;
  /** The address space's entry codec: decodes the words of `ptes` (at depth PTE) and any entry's lo/hi. */
  declare readonly codec: EntryCodec;
  /** Base page size in bytes: what one pte maps. */
  // Number fields start as a double (NaN) in their declaration: a field declared without a value is
  // created holding undefined (ES2022 class fields), and V8 then keeps it as a tagged value that every
  // read must check (Smi or heap number); a double-from-the-start field is read as a plain double.
  readonly pageSize: number = NaN;
  /** The caller's data (`walk->private`). */
  'private': P;
  /** Physical address of the top-level table being walked (mm's root, or the pgd override). */
  pgd = NaN; // a double from the start, whatever the root: one map for every walk object
  /** ACTION_SUBTREE / ACTION_CONTINUE / ACTION_AGAIN, read after pud and pmd callbacks. */
  action: number = ACTION_SUBTREE;
  // addr and next start as doubles (NaN: not set) so that the object's
  // first map already stores them as doubles (they hold kernel addresses):
  // a Smi-to-double field change on every walk object would cost a map
  // transition per walk.
  /** Start of the current entry's (or hole's, or pte run's) range. */
  addr = NaN;
  /** End (exclusive) of the current entry's (or hole's, or pte run's) range. */
  next = NaN;
  /** Entries the walk could not follow (see MmWalkOps.badEntry). */
  badEntries = 0;
  /** Why the last entry reported to badEntry was not followed; null before any. */
  badReason: BadEntryReason | null = null;
  /**
   * During ops.pteRange: the words of the pte table the run is in (read
   * only; write entries with writeWords()). Pte i of the run is
   * `ptes[pteWord + 2 * i]` (low 32 bits, signed) and `ptes[pteWord + 2 * i + 1]` (high).
   */
  ptes: Int32Array = EMPTY;
  /** During ops.pteRange: the index in `ptes` of the run's first pte's low word. */
  pteWord = 0;

  /** @internal the table the walk is in: its words, first word, first handle, entries, check depth. */
  cWords: Int32Array = EMPTY;
  /** @internal Word index of the table's first entry: a small integer (memory pieces are at most 1 GiB). */ cWord0 = 0;
  /** @internal */ cHandle0 = -1;
  /** @internal */ cEntries = 0;
  /** @internal */ cDepth = 0;
  /** @internal The iterator's per-depth state (allocated once per walk object). */
  readonly st: WalkState = new WalkState();

  declare private readonly memory: PhysicalMemory;
  declare private readonly handles: EntryHandles;
  /** 1 / page size: exact (a power of two), and a multiplication is cheaper than `/`. */
  private readonly invPageSize: number = NaN;

  /** @internal Made for an address space by the walk entry points, then reused (reset()). */
  constructor(mm: WalkTarget, ops: MmWalkOps<P>, priv: P, pgd: number) {
    this.mm = mm;
    this.ops = ops;
    this.arch = mm.arch;
    this.codec = mm.codec;
    this.pageSize = 2 ** mm.arch.pageShift;
    this.private = priv;
    this.pgd = pgd;
    this.memory = mm.memory;
    this.handles = mm.entries;
    this.invPageSize = 2 ** -mm.arch.pageShift;
  }

  /** @internal Prepares the object for a new walk. */
  reset(ops: MmWalkOps<P>, priv: P, pgd: number): void {
    this.ops = ops;
    this.private = priv;
    this.pgd = pgd;
    this.action = ACTION_SUBTREE;
    this.addr = NaN;
    this.next = NaN;
    this.badEntries = 0;
    this.badReason = null;
    this.ptes = EMPTY;
    this.pteWord = 0;
    this.cWords = EMPTY;
    this.cWord0 = 0;
    this.cHandle0 = -1;
    this.cEntries = 0;
    this.cDepth = 0;
  }

  // The accessors below are small on purpose: a callback V8 inlines into the
  // walker's loop shares one inlining budget with every accessor it calls,
  // and an accessor left out of line returns its double boxed (16 bytes a
  // call). So each keeps only the current-table read here and sends every
  // other handle to one out-of-line method (slow()).

  /** Low 32 bits of the entry (signed). */
  lo(entry: number): number {
    const i = entry - this.cHandle0;
    if (i >= 0 && i < this.cEntries) return this.cWords[this.cWord0 + 2 * i];
    return this.slow(entry, SLOW_LO) as number;
  }

  /** High 32 bits of the entry (signed). */
  hi(entry: number): number {
    const i = entry - this.cHandle0;
    if (i >= 0 && i < this.cEntries) return this.cWords[this.cWord0 + 2 * i + 1];
    return this.slow(entry, SLOW_HI) as number;
  }

  /** The kernel's `*_none()` for the entry's level. */
  none(entry: number): boolean {
    const i = entry - this.cHandle0;
    if (i >= 0 && i < this.cEntries) return this.codec.none(this.cDepth as 0, this.cWords[this.cWord0 + 2 * i], this.cWords[this.cWord0 + 2 * i + 1]);
    return this.slow(entry, SLOW_NONE) as boolean;
  }

  /** The kernel's `*_present()` for the entry's level. */
  present(entry: number): boolean {
    const i = entry - this.cHandle0;
    if (i >= 0 && i < this.cEntries) return this.codec.present(this.cDepth as 0, this.cWords[this.cWord0 + 2 * i], this.cWords[this.cWord0 + 2 * i + 1]);
    return this.slow(entry, SLOW_PRESENT) as boolean;
  }

  /** `pud_leaf()` / `pmd_leaf()` (a huge page or block); at pte level, present. */
  leaf(entry: number): boolean {
    const i = entry - this.cHandle0;
    if (i >= 0 && i < this.cEntries) return this.codec.leaf(this.cDepth as 0, this.cWords[this.cWord0 + 2 * i], this.cWords[this.cWord0 + 2 * i + 1]);
    return this.slow(entry, SLOW_LEAF) as boolean;
  }

  /** Page frame number the entry maps (output address / base page size). */
  pfn(entry: number): number {
    return this.phys(entry) * this.invPageSize;
  }

  /** Physical address of the page or block a leaf maps. */
  phys(entry: number): number {
    const i = entry - this.cHandle0;
    if (i >= 0 && i < this.cEntries) return this.codec.outputPa(this.cDepth as 0, this.cWords[this.cWord0 + 2 * i], this.cWords[this.cWord0 + 2 * i + 1]);
    return this.slow(entry, SLOW_PHYS) as number;
  }

  /** The accessors for a handle outside the current table: read through the registry (throws for a bad handle). */
  private slow(entry: number, what: number): number | boolean {
    const d = this.load(entry) as 0;
    const lo = this.memory.lo;
    const hi = this.memory.hi;
    switch (what) {
      case SLOW_LO:
        return lo;
      case SLOW_HI:
        return hi;
      case SLOW_NONE:
        return this.codec.none(d, lo, hi);
      case SLOW_PRESENT:
        return this.codec.present(d, lo, hi);
      case SLOW_LEAF:
        return this.codec.leaf(d, lo, hi);
      default:
        return this.codec.outputPa(d, lo, hi);
    }
  }

  /** The entry's 64-bit value. Allocates a bigint. */
  value(entry: number): bigint {
    return wordsToBigInt(this.lo(entry), this.hi(entry));
  }

  /** The entry decoded (allocates). */
  decode(entry: number): DecodedEntry {
    const lo = this.lo(entry);
    const hi = this.hi(entry);
    return this.codec.decode(this.handles.depth(entry) as 0, lo, hi);
  }

  /** The level the entry is checked at: for a folded level's callback, the level it folds into. */
  level(entry: number): LevelName {
    this.check(entry);
    return LEVEL_NAMES[this.handles.depth(entry)];
  }

  /** Physical address of the entry's slot. */
  address(entry: number): number {
    this.check(entry);
    return this.handles.address(entry);
  }

  /**
   * Writes the entry (allowed during a walk, as a pte_entry callback may
   * set_pte; tables cannot be allocated or freed until the walk ends).
   */
  write(entry: number, value: bigint): void {
    if (typeof value !== 'bigint' || value < 0n || value >= 1n << 64n) {
      throw new PagewalkError('EINVAL', `entry value ${String(value)} must be a bigint in [0, 2^64)`);
    }
    this.writeWords(entry, bigIntLo(value), bigIntHi(value));
  }

  /** Writes the entry from its two 32-bit halves (no bigint). */
  writeWords(entry: number, lo: number, hi: number): void {
    this.check(entry);
    this.memory.write(this.handles.address(entry), lo | 0, hi | 0);
  }

  /** Reads an entry outside the current table into memory.lo/hi; returns its check depth. */
  private load(entry: number): number {
    this.check(entry);
    const pa = this.handles.address(entry);
    if (!this.memory.read(pa)) throw new PagewalkError('EFAULT', `entry ${entry} at physical ${hex(pa)} is outside the memory image`);
    return this.handles.depth(entry);
  }

  private check(entry: number): void {
    if (!this.handles.valid(entry)) throw new PagewalkError('EINVAL', `${String(entry)} is not an entry handle of this address space`);
  }
}
