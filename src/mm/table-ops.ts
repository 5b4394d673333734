import { PagewalkError, hex } from '../errors.js';
import type { LevelGroup } from '../arch/groups.js';
import { LEVEL_NAMES, P4D, type ArchMode, type EntryCodec } from '../arch/types.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import type { Transaction } from './transaction.js';

/** What the table operations need of an address space. */
export interface MmCore {
  readonly arch: ArchMode;
  readonly codec: EntryCodec;
  readonly memory: PhysicalMemory;
  readonly groups: readonly LevelGroup[];
  readonly root: number;
  /** Tables are written as user tables (x86 _PAGE_TABLE with US) when true. */
  readonly isUser: boolean;
}

/** The base page size of the mode. */
export function pageBytes(mm: MmCore): number {
  return 2 ** mm.arch.pageShift;
}

/** Index of `va` in a table of group g. */
export function slotIndex(g: LevelGroup, va: number): number {
  return Math.floor(va / g.size) % g.entries;
}

/** Reads the entry at `slot` into memory.lo/hi, or throws EFAULT naming the level. */
export function readSlot(mm: MmCore, slot: number, g: LevelGroup): void {
  if (!mm.memory.read(slot)) {
    throw new PagewalkError('EFAULT', `${LEVEL_NAMES[g.real]} entry at physical ${hex(slot)} is outside the memory image`);
  }
}

/** The table a directory entry (in memory.lo/hi) points at, checked to lie in the image; throws EFAULT. */
export function childTable(mm: MmCore, gi: number, slot: number): number {
  const g = mm.groups[gi];
  const child = mm.codec.tablePa(g.real, mm.memory.lo, mm.memory.hi);
  const next = mm.groups[gi + 1];
  if (child < 0 || mm.memory.tableWords(child, next.tableBytes) === null) {
    throw new PagewalkError(
      'EFAULT',
      `corrupt ${LEVEL_NAMES[g.real]} entry at physical ${hex(slot)}: its ${LEVEL_NAMES[next.top]} table ` +
        `${child < 0 ? 'address cannot be decoded' : `at ${hex(child)} is outside the memory image`}`,
    );
  }
  return child;
}

/** Throws EFAULT when a pgd/p4d entry (in memory.lo/hi) fails the kernel's *_bad() test. */
export function refuseBad(mm: MmCore, g: LevelGroup, slot: number): void {
  if (g.real <= P4D && mm.codec.bad(g.real, mm.memory.lo, mm.memory.hi)) {
    throw new PagewalkError(
      'EFAULT',
      `bad ${LEVEL_NAMES[g.real]} entry ${hex(mm.memory.lo >>> 0)} hi ${hex(mm.memory.hi >>> 0)} at physical ${hex(slot)} (fails ${LEVEL_NAMES[g.real]}_bad())`,
    );
  }
}

/** A new, empty table for group gi, its entries set to that level's none value. */
export function newTable(mm: MmCore, tx: Transaction, gi: number): number {
  const g = mm.groups[gi];
  mm.codec.encodeNone(g.real);
  return tx.allocTable(Math.max(g.tableBytes, pageBytes(mm)), mm.codec.lo, mm.codec.hi);
}

/**
 * Writes into `slot` (group gi) a directory entry pointing at `child`, as
 * Linux writes it for this address space: a user table in a user address
 * space, a kernel table in the kernel's (whatever the pages below are, as
 * pmd_populate() / pmd_populate_kernel() choose by address space).
 */
export function linkTable(mm: MmCore, tx: Transaction, gi: number, slot: number, child: number): void {
  mm.codec.encodeTable(mm.groups[gi].real, child, mm.isUser);
  tx.write(slot, mm.codec.lo, mm.codec.hi);
}

/** Writes the none value into `slot` of group gi. */
export function clearSlot(mm: MmCore, tx: Transaction, gi: number, slot: number): void {
  mm.codec.encodeNone(mm.groups[gi].real);
  tx.write(slot, mm.codec.lo, mm.codec.hi);
}

/**
 * Replaces the huge leaf in `slot` (group gi, value in lo/hi) by a table of
 * group gi+1 whose leaves map the same physical range with the same
 * attributes, as split_huge_pmd() does. Returns the new table.
 */
export function splitLeaf(mm: MmCore, tx: Transaction, gi: number, slot: number, lo: number, hi: number): number {
  const g = mm.groups[gi];
  const c = mm.groups[gi + 1];
  if (!c.leafOk) {
    throw new PagewalkError(
      'EINVAL',
      `cannot split the ${LEVEL_NAMES[g.real]} leaf at physical ${hex(slot)}: ${mm.arch.arch} ${mm.arch.mode} has no ${LEVEL_NAMES[c.real]} leaves`,
    );
  }
  const codec = mm.codec;
  const base = codec.outputPa(g.real, lo, hi);
  const prot = codec.leafProt(g.real, lo, hi);
  codec.leafTemplate(c.real, prot);
  const tLo = codec.lo;
  const tHi = codec.hi;
  const child = newTable(mm, tx, gi + 1);
  const words = mm.memory.tableWords(child, c.tableBytes)!;
  const b = mm.memory.wordBase;
  for (let i = 0; i < c.entries; i++) {
    codec.encodeLeaf(c.real, base + i * c.size, tLo, tHi);
    words[b + 2 * i] = codec.lo;
    words[b + 2 * i + 1] = codec.hi;
  }
  linkTable(mm, tx, gi, slot, child);
  return child;
}

/** True when every entry of the table of group gi is none. */
export function tableEmpty(mm: MmCore, gi: number, table: number): boolean {
  const g = mm.groups[gi];
  const words = mm.memory.tableWords(table, g.tableBytes);
  if (words === null) return false;
  const b = mm.memory.wordBase;
  for (let i = 0; i < g.entries; i++) {
    if (!mm.codec.none(g.real, words[b + 2 * i], words[b + 2 * i + 1])) return false;
  }
  return true;
}

/** Whether the entry (lo, hi) of group gi is a pointer to a lower table (present, not a leaf). */
export function isTableEntry(mm: MmCore, gi: number, lo: number, hi: number): boolean {
  const g = mm.groups[gi];
  if (gi === mm.groups.length - 1) return false;
  // The hardware's view, at every level: a present entry that is not a leaf
  // (riscv allows leaves even in the top table).
  return mm.codec.present(g.real, lo, hi) && !mm.codec.leaf(g.real, lo, hi);
}

/**
 * Visits the tables below a directory entry (depth-first, children before
 * parents) without changing anything; `onTable(pa, gi)` sees each one.
 * Returns false if any leaf or non-none entry other than a table is found
 * when `requireEmpty` is set (then it stops early).
 */
export function forEachSubtable(
  mm: MmCore,
  gi: number,
  table: number,
  requireEmpty: boolean,
  onTable: (pa: number, gi: number) => void,
): boolean {
  const g = mm.groups[gi];
  const words = mm.memory.tableWords(table, g.tableBytes);
  if (words === null) return !requireEmpty;
  const b = mm.memory.wordBase;
  for (let i = 0; i < g.entries; i++) {
    const lo = words[b + 2 * i];
    const hi = words[b + 2 * i + 1];
    if (mm.codec.none(g.real, lo, hi)) continue;
    if (gi < mm.groups.length - 1 && isTableEntry(mm, gi, lo, hi)) {
      const child = mm.codec.tablePa(g.real, lo, hi);
      if (child < 0 || mm.memory.tableWords(child, mm.groups[gi + 1].tableBytes) === null) {
        if (requireEmpty) return false;
        continue;
      }
      if (!forEachSubtable(mm, gi + 1, child, requireEmpty, onTable) && requireEmpty) return false;
      // The recursion moved memory.wordBase; this table's own words/b stay valid (arrays are never reused).
      continue;
    }
    if (requireEmpty) return false;
  }
  onTable(table, gi);
  return true;
}

/** Frees every table under (and including) `table` of group gi. */
export function freeSubtree(mm: MmCore, tx: Transaction, gi: number, table: number): void {
  forEachSubtable(mm, gi, table, false, (pa) => tx.freeTable(pa));
}
