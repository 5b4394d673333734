import { PagewalkError, hex } from '../errors.js';
import { LEVEL_NAMES } from '../arch/types.js';
import {
  childTable,
  clearSlot,
  isTableEntry,
  readSlot,
  refuseBad,
  slotIndex,
  splitLeaf,
  tableEmpty,
  type MmCore,
} from './table-ops.js';
import type { Transaction } from './transaction.js';

/**
 * Unmaps [start, end) below `table` (group gi): clears leaves, splits a huge
 * leaf the range only partly covers, and frees tables left empty (as
 * free_pgd_range() does for user space). Returns the bytes that were mapped.
 */
export function unmapRange(mm: MmCore, tx: Transaction, gi: number, table: number, start: number, end: number): number {
  const g = mm.groups[gi];
  const last = gi === mm.groups.length - 1;
  const codec = mm.codec;
  const mem = mm.memory;
  if (last) return clearPtes(mm, tx, gi, table, start, end);
  let unmapped = 0;
  let cur = start;
  while (cur < end) {
    const slotStart = Math.floor(cur / g.size) * g.size;
    const slotEnd = slotStart + g.size;
    const stop = Math.min(end, slotEnd);
    const slot = table + slotIndex(g, cur) * 8;
    readSlot(mm, slot, g);
    const lo = mem.lo;
    const hi = mem.hi;
    if (!codec.none(g.real, lo, hi)) {
      refuseBad(mm, g, slot);
      if (!last && isTableEntry(mm, gi, lo, hi)) {
        const child = childTable(mm, gi, slot);
        unmapped += unmapRange(mm, tx, gi + 1, child, cur, stop);
        if (tableEmpty(mm, gi + 1, child)) {
          clearSlot(mm, tx, gi, slot);
          tx.freeTable(child);
        }
      } else if (cur === slotStart && stop === slotEnd) {
        if (codec.present(g.real, lo, hi)) unmapped += g.size;
        clearSlot(mm, tx, gi, slot);
      } else if (codec.present(g.real, lo, hi) && codec.leaf(g.real, lo, hi)) {
        const child = splitLeaf(mm, tx, gi, slot, lo, hi);
        unmapped += unmapRange(mm, tx, gi + 1, child, cur, stop);
      } else {
        throw new PagewalkError(
          'EINVAL',
          `cannot unmap part of the non-present ${LEVEL_NAMES[g.real]} entry covering [${hex(slotStart)}, ${hex(slotEnd)}); unmap all of it`,
        );
      }
    }
    cur = stop;
  }
  return unmapped;
}

/** The last level, in one pass: a run of page entries set to none. */
function clearPtes(mm: MmCore, tx: Transaction, gi: number, table: number, start: number, end: number): number {
  const g = mm.groups[gi];
  const codec = mm.codec;
  const idx = slotIndex(g, start);
  const n = (end - start) / g.size;
  tx.save(table + idx * 8, n * 8);
  const words = mm.memory.tableWords(table, g.tableBytes)!;
  const b = mm.memory.wordBase + 2 * idx;
  codec.encodeNone(g.real);
  const noneLo = codec.lo;
  const noneHi = codec.hi;
  let unmapped = 0;
  for (let i = 0; i < n; i++) {
    const lo = words[b + 2 * i];
    const hi = words[b + 2 * i + 1];
    if (codec.none(g.real, lo, hi)) continue;
    if (codec.present(g.real, lo, hi)) unmapped += g.size;
    words[b + 2 * i] = noneLo;
    words[b + 2 * i + 1] = noneHi;
  }
  return unmapped;
}
