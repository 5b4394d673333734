/**
 * A deliberately plain reference for the hot iterator: mm/pagewalk.c's
 * walk_pgd_range() -> walk_p4d_range() -> walk_pud_range() ->
 * walk_pmd_range() -> walk_pte_range() written out as five recursive
 * functions in the kernel's own shape (torvalds/linux mm/pagewalk.c after
 * the walk_kernel_page_table_range()/walk_page_range_debug() split), with
 * the folding rules of include/asm-generic/pgtable-nop4d.h / -nopud.h /
 * -nopmd.h:
 *
 * - a folded level's pXd_offset(parent, addr) returns the parent's slot;
 * - a folded level's none()/bad() are 0, present() is 1, leaf() is 0
 *   (the real checks happen at the lowest level of a folded group);
 * - a folded level's pXd_addr_end(addr, end) is `end`, i.e. the parent's next.
 *
 * It uses only the geometry (tableAt / realAt / shift / entries /
 * kernelPtrs) and the codec's predicates (none / bad / present / leaf /
 * tablePa); nothing from src/walk. It allocates freely.
 *
 * pagewalk's additions (src/walk/walk-pgd-range.ts, src/walk/ops.ts):
 * - a pgd/p4d entry failing *_bad() is not cleared: walk.badEntries++,
 *   badEntry(entry) with walk.badReason 'bad', then pte_hole(depth) for its
 *   range;
 * - a table pointer that leaves the image (or that the codec cannot decode,
 *   tablePa() < 0: 'outside'), or names a table on the current path (the
 *   one holding the entry or one above it, overlapping: 'loop'), is not
 *   followed: where the kernel would call the next walk_*_range(),
 *   walk.badEntries++, badEntry(entry), pte_hole(depth of the entry). At a
 *   pmd this stands in for walk_pte_range(), so walk_pmd_range() then reads
 *   walk->action as after walk_pte_range() (AGAIN: "goto again");
 * - a user pmd that pte_offset_map() refuses (pmd_bad()) is reported as
 *   the kernel's sequence would have it after pmd_clear_bad(): see
 *   walkPmdRange();
 * - an entry budget: one count per directory entry visit (the top of each
 *   level's loop, "again:" included), a pte run's length when it starts;
 *   more than `maxEntries` ends the walk with E2BIG (-7).
 */
import { LEVEL_NAMES, type DecodedEntry, type EntryCodec, type ModeGeometry } from '../../src/arch/types.js';
import type { PhysicalMemory } from '../../src/memory/physical-memory.js';

const PGD = 0;
const P4D = 1;
const PUD = 2;
const PMD = 3;
const PTE = 4;

/** enum page_walk_action (include/linux/pagewalk.h). */
export const REF_ACTION_SUBTREE = 0;
export const REF_ACTION_CONTINUE = 1;
export const REF_ACTION_AGAIN = 2;
/** pagewalk's E2BIG: the budget ran out. */
export const REF_E2BIG = -7;

/** What a test callback may use of a walk: MmWalk and RefWalk both satisfy it. */
export interface WalkLike {
  addr: number;
  next: number;
  action: number;
  badEntries: number;
  badReason: string | null;
  readonly private: unknown;
  address(entry: number): number;
  lo(entry: number): number;
  hi(entry: number): number;
  level(entry: number): string;
  none(entry: number): boolean;
  present(entry: number): boolean;
  leaf(entry: number): boolean;
  decode(entry: number): DecodedEntry;
  writeWords(entry: number, lo: number, hi: number): void;
}

export type RefEntryCallback = (entry: number, walk: WalkLike) => number;
export type RefHoleCallback = (depth: number, walk: WalkLike) => number;

export interface RefOps {
  pgdEntry?: RefEntryCallback;
  p4dEntry?: RefEntryCallback;
  pudEntry?: RefEntryCallback;
  pmdEntry?: RefEntryCallback;
  pteEntry?: RefEntryCallback;
  pteHole?: RefHoleCallback;
  badEntry?: RefEntryCallback;
}

/** What the reference needs of an address space (an AddressSpace has all of it). */
export interface RefMm {
  arch: ModeGeometry;
  codec: EntryCodec;
  memory: PhysicalMemory;
  root: number;
  /** 'user' address spaces reach pte tables below TASK_SIZE through pte_offset_map(). */
  kind?: 'kernel' | 'user';
}

/** A pointer to an entry slot: the kernel's pgd_t * / p4d_t * / ... */
interface Ptr {
  /** Physical address of the table. */
  table: number;
  index: number;
}

export class RefWalk implements WalkLike {
  addr = 0;
  next = 0;
  action = REF_ACTION_SUBTREE;
  badEntries = 0;
  badReason: string | null = null;
  readonly private: unknown;
  readonly ops: RefOps;
  readonly mm: RefMm;
  readonly pgd: number;
  /** Handles: index into these (slot address, the depth its value is checked at). */
  private readonly slotPa: number[] = [];
  private readonly slotDepth: number[] = [];

  constructor(mm: RefMm, ops: RefOps, pgd: number, priv: unknown) {
    this.mm = mm;
    this.ops = ops;
    this.pgd = pgd;
    this.private = priv;
  }

  handle(ptr: Ptr, checkDepth: number): number {
    this.slotPa.push(ptr.table + ptr.index * 8);
    this.slotDepth.push(checkDepth);
    return this.slotPa.length - 1;
  }

  address(entry: number): number {
    return this.slotPa[entry];
  }

  private read(entry: number): [number, number] {
    const m = this.mm.memory;
    if (!m.read(this.slotPa[entry])) throw new Error(`reference: slot ${this.slotPa[entry]} outside the image`);
    return [m.lo, m.hi];
  }

  lo(entry: number): number {
    return this.read(entry)[0];
  }

  hi(entry: number): number {
    return this.read(entry)[1];
  }

  level(entry: number): string {
    return LEVEL_NAMES[this.slotDepth[entry]];
  }

  none(entry: number): boolean {
    const [lo, hi] = this.read(entry);
    return this.mm.codec.none(this.slotDepth[entry] as 0, lo, hi);
  }

  present(entry: number): boolean {
    const [lo, hi] = this.read(entry);
    return this.mm.codec.present(this.slotDepth[entry] as 0, lo, hi);
  }

  leaf(entry: number): boolean {
    const [lo, hi] = this.read(entry);
    return this.mm.codec.leaf(this.slotDepth[entry] as 0, lo, hi);
  }

  decode(entry: number): DecodedEntry {
    const [lo, hi] = this.read(entry);
    return this.mm.codec.decode(this.slotDepth[entry] as 0, lo, hi);
  }

  writeWords(entry: number, lo: number, hi: number): void {
    this.mm.memory.write(this.slotPa[entry], lo | 0, hi | 0);
  }
}

/** real_depth() of mm/pagewalk.c, on the kernel's PTRS_PER_*. */
export function refRealDepth(geo: ModeGeometry, depth: number): number {
  const ptrs = geo.kernelPtrs;
  if (depth === 3 && ptrs[PMD] === 1) depth = 2;
  if (depth === 2 && ptrs[PUD] === 1) depth = 1;
  if (depth === 1 && ptrs[P4D] === 1) depth = 0;
  return depth;
}

/** The walker: one object per walk, the five level functions as methods. */
class Reference {
  private readonly geo: ModeGeometry;
  private readonly codec: EntryCodec;
  private readonly memory: PhysicalMemory;
  /** TASK_SIZE for a user mm (walk_pte_range() uses pte_offset_map() below it), else 0. */
  private readonly taskSize: number;
  /** The tables of the current path, as [start, end) physical ranges (the kernel's stack of walk_*_range() frames). */
  private readonly path: [number, number][] = [];
  /** Entries counted against the budget, and the budget's limit. */
  counted = 0;
  private readonly maxEntries: number;

  constructor(
    private readonly w: RefWalk,
    mm: RefMm,
    maxEntries = Infinity,
  ) {
    this.maxEntries = maxEntries;
    this.geo = mm.arch;
    this.codec = mm.codec;
    this.memory = mm.memory;
    this.taskSize = mm.kind === 'user' ? (mm.arch.roots === 'shared' ? 2 ** (mm.arch.vaBits - 1) : 2 ** mm.arch.vaBits) : 0;
  }

  // ---- geometry helpers ----

  /** The depth at which the slot a pointer at depth d names is checked: the lowest level of its folded group. */
  private checkDepth(d: number): number {
    let r = d;
    while (r < PTE && !this.geo.tableAt[r + 1]) r++;
    return r;
  }

  private index(d: number, addr: number): number {
    return Math.floor(addr / 2 ** this.geo.shift[d]) % this.geo.entries[d];
  }

  /** pXd_addr_end(): the boundary of the entry at depth d, or `end` for a folded level. */
  private addrEnd(d: number, addr: number, end: number): number {
    if (!this.geo.tableAt[d]) return end;
    const size = 2 ** this.geo.shift[d];
    const boundary = (Math.floor(addr / size) + 1) * size;
    return boundary < end ? boundary : end;
  }

  private value(p: Ptr): [number, number] {
    const m = this.memory;
    if (!m.read(p.table + p.index * 8)) throw new Error('reference: read outside the image');
    return [m.lo, m.hi];
  }

  private none(d: number, p: Ptr): boolean {
    if (!this.geo.realAt[d]) return false;
    const [lo, hi] = this.value(p);
    return this.codec.none(d as 0, lo, hi);
  }

  private bad(d: number, p: Ptr): boolean {
    if (!this.geo.realAt[d]) return false;
    const [lo, hi] = this.value(p);
    return this.codec.bad(d as 0, lo, hi);
  }

  private present(d: number, p: Ptr): boolean {
    if (!this.geo.realAt[d]) return true;
    const [lo, hi] = this.value(p);
    return this.codec.present(d as 0, lo, hi);
  }

  private leaf(d: number, p: Ptr): boolean {
    if (!this.geo.realAt[d]) return false;
    const [lo, hi] = this.value(p);
    return this.codec.leaf(d as 0, lo, hi);
  }

  /** One more entry visited; true when that exceeds the budget. */
  private over(n = 1): boolean {
    this.counted += n;
    return this.counted > this.maxEntries;
  }

  /**
   * pXd_offset(parent, addr) for the level d below a parent at d - 1: the
   * parent's slot when d is folded, else the table its value names, or why
   * it cannot be followed ('outside': not wholly in the image or no table
   * address; 'loop': it overlaps a table of the current path).
   */
  private offset(d: number, parent: Ptr, addr: number): Ptr | 'outside' | 'loop' {
    if (!this.geo.tableAt[d]) return parent;
    const [lo, hi] = this.value(parent);
    const pa = this.codec.tablePa(this.checkDepth(d - 1) as 0, lo, hi);
    const bytes = this.geo.entries[d] * 8;
    if (pa < 0) return 'outside';
    if (this.path.some(([s, e]) => pa < e && s < pa + bytes)) return 'loop';
    if (!(pa % 8 === 0 && this.memory.contains(pa, bytes))) return 'outside';
    return { table: pa, index: this.index(d, addr) };
  }

  /** Runs a lower walk_*_range() with its table on the path (a folded level adds none). */
  private inTable<T>(d: number, p: Ptr, body: () => T): T {
    if (!this.geo.tableAt[d]) return body();
    this.path.push([p.table, p.table + this.geo.entries[d] * 8]);
    try {
      return body();
    } finally {
      this.path.pop();
    }
  }

  private entryCb(d: number, p: Ptr, addr: number, next: number): number {
    const cb = [this.w.ops.pgdEntry, this.w.ops.p4dEntry, this.w.ops.pudEntry, this.w.ops.pmdEntry, this.w.ops.pteEntry][d]!;
    const h = this.w.handle(p, this.checkDepth(d));
    this.w.addr = addr;
    this.w.next = next;
    return cb(h, this.w);
  }

  private hole(depth: number, addr: number, next: number): number {
    if (!this.w.ops.pteHole) return 0;
    this.w.addr = addr;
    this.w.next = next;
    return this.w.ops.pteHole(depth, this.w);
  }

  /** pagewalk: an entry that could not be followed (bad pgd/p4d, table outside the image, a loop). */
  private report(d: number, p: Ptr, addr: number, next: number, depth: number, reason: string): number {
    this.w.badEntries++;
    this.w.badReason = reason;
    if (this.w.ops.badEntry) {
      const h = this.w.handle(p, this.checkDepth(d));
      this.w.addr = addr;
      this.w.next = next;
      const err = this.w.ops.badEntry(h, this.w);
      if (err) return err;
    }
    return this.hole(depth, addr, next);
  }

  /**
   * Calls the walk_*_range() of level d + 1 for the entry p at depth d, or
   * reports p when its table cannot be followed (pagewalk's addition).
   */
  private descend(d: number, p: Ptr, addr: number, next: number, holeDepth: number): number {
    const child = this.offset(d + 1, p, addr);
    if (typeof child === 'string') return this.report(d, p, addr, next, holeDepth, child);
    return this.inTable(d + 1, child, () => {
      switch (d + 1) {
        case P4D:
          return this.walkP4dRange(child, addr, next);
        case PUD:
          return this.walkPudRange(child, addr, next);
        case PMD:
          return this.walkPmdRange(child, addr, next);
        default:
          return this.walkPteRange(child, addr, next);
      }
    });
  }

  // ---- the kernel's five functions ----

  /** walk_pte_range_inner(): pte_entry for every pte of [addr, end), none or not. */
  walkPteRange(pte: Ptr, addr: number, end: number): number {
    const page = 2 ** this.geo.pageShift;
    let err = 0;
    let p = { ...pte };
    if (this.over((end - addr) / page)) return REF_E2BIG;
    for (;;) {
      err = this.entryCb(PTE, p, addr, addr + page);
      if (err) break;
      if (addr >= end - page) break;
      addr += page;
      p = { table: p.table, index: p.index + 1 };
    }
    return err;
  }

  /** walk_pmd_range() */
  walkPmdRange(first: Ptr, addr: number, end: number): number {
    const ops = this.w.ops;
    const hasHandler = !!ops.pteEntry;
    const depth = refRealDepth(this.geo, 3);
    let pmd = { ...first };
    let err = 0;
    do {
      // again:
      for (;;) {
        const next = this.addrEnd(PMD, addr, end);
        if (this.over()) return REF_E2BIG;
        if (this.none(PMD, pmd)) {
          err = this.hole(depth, addr, next);
          if (err) return err;
          break; // continue
        }
        this.w.action = REF_ACTION_SUBTREE;
        if (ops.pmdEntry) err = this.entryCb(PMD, pmd, addr, next);
        if (err) return err;
        if (this.w.action === REF_ACTION_AGAIN) continue; // goto again
        if (this.w.action === REF_ACTION_CONTINUE) break;
        if (!hasHandler) break;
        if (this.leaf(PMD, pmd) || !this.present(PMD, pmd)) break; // no vma: nothing to do
        if (addr < this.taskSize) {
          // walk_pte_range(): pte_offset_map() for a user mm below TASK_SIZE. Its
          // ___pte_offset_map() (mm/pgtable-generic.c) does pmd_clear_bad() and returns
          // NULL for a pmd_bad() entry; walk_pte_range() then sets walk->action =
          // ACTION_AGAIN ("if (!pte) walk->action = ACTION_AGAIN;"), walk_pmd_range()
          // goes "again", finds pmd_none() and calls pte_hole(depth), then "continue":
          // the action is not read on that path. pagewalk reports the entry (it never
          // clears a dump) and then gives that hole.
          const [lo, hi] = this.value(pmd);
          if (this.codec.bad(this.checkDepth(PMD) as 0, lo, hi)) {
            this.w.action = REF_ACTION_AGAIN;
            err = this.report(PMD, pmd, addr, next, depth, 'bad');
            if (err) return err;
            break;
          }
        }
        err = this.descend(PMD, pmd, addr, next, depth);
        if (err) return err;
        // After walk_pte_range() (or the report standing in for it): AGAIN re-runs the pmd.
        if (this.w.action === REF_ACTION_AGAIN) continue; // goto again
        break;
      }
      pmd = this.geo.tableAt[PMD] ? { table: pmd.table, index: pmd.index + 1 } : pmd;
      addr = this.addrEnd(PMD, addr, end);
    } while (addr !== end);
    return err;
  }

  /** walk_pud_range() */
  walkPudRange(first: Ptr, addr: number, end: number): number {
    const ops = this.w.ops;
    const hasHandler = !!(ops.pmdEntry || ops.pteEntry);
    const depth = refRealDepth(this.geo, 2);
    let pud = { ...first };
    let err = 0;
    do {
      // again:
      for (;;) {
        const next = this.addrEnd(PUD, addr, end);
        if (this.over()) return REF_E2BIG;
        if (this.none(PUD, pud)) {
          err = this.hole(depth, addr, next);
          if (err) return err;
          break;
        }
        this.w.action = REF_ACTION_SUBTREE;
        if (ops.pudEntry) err = this.entryCb(PUD, pud, addr, next);
        if (err) return err;
        if (this.w.action === REF_ACTION_AGAIN) continue;
        if (this.w.action === REF_ACTION_CONTINUE) break;
        if (!hasHandler) break;
        if (this.leaf(PUD, pud) || !this.present(PUD, pud)) break;
        if (this.none(PUD, pud)) continue; // goto again
        err = this.descend(PUD, pud, addr, next, depth);
        if (err) return err;
        break;
      }
      pud = this.geo.tableAt[PUD] ? { table: pud.table, index: pud.index + 1 } : pud;
      addr = this.addrEnd(PUD, addr, end);
    } while (addr !== end);
    return err;
  }

  /** walk_p4d_range() */
  walkP4dRange(first: Ptr, addr: number, end: number): number {
    const ops = this.w.ops;
    const hasHandler = !!(ops.pudEntry || ops.pmdEntry || ops.pteEntry);
    const depth = refRealDepth(this.geo, 1);
    let p4d = { ...first };
    let err = 0;
    do {
      const next = this.addrEnd(P4D, addr, end);
      if (this.over()) return REF_E2BIG;
      // p4d_none_or_clear_bad(), without the clearing
      if (this.none(P4D, p4d)) {
        err = this.hole(depth, addr, next);
        if (err) return err;
      } else if (this.bad(P4D, p4d)) {
        err = this.report(P4D, p4d, addr, next, depth, 'bad');
        if (err) return err;
      } else {
        if (ops.p4dEntry) {
          err = this.entryCb(P4D, p4d, addr, next);
          if (err) return err;
        }
        if (hasHandler) err = this.descend(P4D, p4d, addr, next, depth);
        if (err) return err;
      }
      p4d = this.geo.tableAt[P4D] ? { table: p4d.table, index: p4d.index + 1 } : p4d;
      addr = next;
    } while (addr !== end);
    return err;
  }

  /** Runs `body` with the top-level table on the path. */
  inTableAt<T>(pa: number, bytes: number, body: () => T): T {
    this.path.push([pa, pa + bytes]);
    try {
      return body();
    } finally {
      this.path.pop();
    }
  }

  /** walk_pgd_range() */
  walkPgdRange(addr: number, end: number): number {
    const ops = this.w.ops;
    const hasHandler = !!(ops.p4dEntry || ops.pudEntry || ops.pmdEntry || ops.pteEntry);
    // walk->pgd + pgd_index(addr)
    let pgd: Ptr = { table: this.w.pgd, index: this.index(PGD, addr) };
    let err = 0;
    do {
      const next = this.addrEnd(PGD, addr, end);
      if (this.over()) return REF_E2BIG;
      if (this.none(PGD, pgd)) {
        err = this.hole(0, addr, next);
        if (err) return err;
      } else if (this.bad(PGD, pgd)) {
        err = this.report(PGD, pgd, addr, next, 0, 'bad');
        if (err) return err;
      } else {
        if (ops.pgdEntry) {
          err = this.entryCb(PGD, pgd, addr, next);
          if (err) return err;
        }
        if (hasHandler) err = this.descend(PGD, pgd, addr, next, 0);
        if (err) return err;
      }
      pgd = { table: pgd.table, index: pgd.index + 1 };
      addr = next;
    } while (addr !== end);
    return err;
  }
}

/**
 * Walks [start, end) of `mm` (or of the table at `options.pgd`) the way the
 * kernel's walk_pgd_range() does, with pagewalk's additions. No argument
 * checks: callers pass what the library would accept.
 */
export function referenceWalk(
  mm: RefMm,
  start: number,
  end: number,
  ops: RefOps,
  options: { pgd?: number; private?: unknown; maxEntries?: number } = {},
): { result: number; walk: RefWalk; counted: number } {
  const walk = new RefWalk(mm, ops, options.pgd ?? mm.root, options.private);
  const ref = new Reference(walk, mm, options.maxEntries);
  const pgd = walk.pgd;
  const rootBytes = mm.arch.entries[PGD] * 8;
  const result = ref.inTableAt(pgd, rootBytes, () => ref.walkPgdRange(start, end));
  return { result, walk, counted: ref.counted };
}
