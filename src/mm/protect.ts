import { resolveProt } from '../arch/prot.js';
import type { Prot } from '../arch/types.js';
import { childTable, isTableEntry, readSlot, slotIndex, splitLeaf, type MmCore } from './table-ops.js';
import type { Transaction } from './transaction.js';

/**
 * The first address in [start, end) that no present leaf maps, or -1 when
 * the whole range is mapped. Reads only.
 */
export function firstUnmapped(mm: MmCore, gi: number, table: number, start: number, end: number): number {
  const g = mm.groups[gi];
  const codec = mm.codec;
  let cur = start;
  while (cur < end) {
    const stop = Math.min(end, Math.floor(cur / g.size) * g.size + g.size);
    const slot = table + slotIndex(g, cur) * 8;
    if (!mm.memory.read(slot)) return cur;
    const lo = mm.memory.lo;
    const hi = mm.memory.hi;
    if (codec.none(g.real, lo, hi) || !codec.present(g.real, lo, hi)) return cur;
    if (isTableEntry(mm, gi, lo, hi)) {
      const child = codec.tablePa(g.real, lo, hi);
      if (child < 0 || mm.memory.tableWords(child, mm.groups[gi + 1].tableBytes) === null) return cur;
      const hole = firstUnmapped(mm, gi + 1, child, cur, stop);
      if (hole >= 0) return hole;
    }
    cur = stop;
  }
  return -1;
}

/**
 * Changes the protection of every leaf in [start, end) (all mapped: the
 * caller checked with firstUnmapped). Fields `prot` leaves out keep each
 * leaf's current value; a huge leaf the range only partly covers is split
 * first, as change_protection() splits a THP.
 */
export function protectRange(mm: MmCore, tx: Transaction, gi: number, table: number, start: number, end: number, prot: Prot): void {
  const g = mm.groups[gi];
  const codec = mm.codec;
  const mem = mm.memory;
  let cur = start;
  while (cur < end) {
    const slotStart = Math.floor(cur / g.size) * g.size;
    const slotEnd = slotStart + g.size;
    const stop = Math.min(end, slotEnd);
    const slot = table + slotIndex(g, cur) * 8;
    readSlot(mm, slot, g);
    const lo = mem.lo;
    const hi = mem.hi;
    if (isTableEntry(mm, gi, lo, hi)) {
      const child = childTable(mm, gi, slot);
      protectRange(mm, tx, gi + 1, child, cur, stop, prot);
    } else if (cur === slotStart && stop === slotEnd) {
      const old = codec.leafProt(g.real, lo, hi);
      // Attributes that follow from the permissions (arm64 PXN/UXN/DBM, ...) are derived anew.
      for (const key of codec.permAttrs) delete old.attrs[key];
      const full = resolveProt(prot, old);
      const pa = codec.outputPa(g.real, lo, hi);
      codec.leafTemplate(g.real, full);
      codec.encodeLeaf(g.real, pa, codec.lo, codec.hi);
      tx.write(slot, codec.lo, codec.hi);
    } else {
      const child = splitLeaf(mm, tx, gi, slot, lo, hi);
      protectRange(mm, tx, gi + 1, child, cur, stop, prot);
    }
    cur = stop;
  }
}
