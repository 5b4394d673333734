import { P4D } from '../arch/types.js';
import { PagewalkError } from '../errors.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import type { AddressSpace } from '../mm/address-space.js';

/** A physically contiguous run of page-table bytes. */
export interface TableRun {
  base: number;
  bytes: Uint8Array;
}

/**
 * Every table translate() can read from these roots (all in one image), as
 * contiguous runs of bytes: what the view's page needs to translate any
 * address exactly as the CLI does, without the rest of a dump (a vmcore's
 * data pages stay out of the HTML).
 *
 * It follows a directory entry exactly when translateAddress()
 * (src/mm/translate.ts) would: not none, not *_bad() at pgd/p4d, valid, not
 * a leaf, not the last level, a table address that decodes and lies in the
 * image. Each table is visited once per level, so shared subtables (KASAN's
 * early shadow) and loops cost one visit.
 */
export function reachableTables(spaces: readonly AddressSpace[]): TableRun[] {
  if (spaces.length === 0) throw new PagewalkError('EINVAL', 'reachableTables needs at least one address space');
  const seen = new Map<number, number>(); // table address -> its bytes
  const visited = new Set<string>(); // table@level: a crafted image may use one table at two levels
  for (const mm of spaces) {
    const { codec, memory: mem, groups } = mm;
    if (visited.has(`${mm.root}@0`)) continue;
    visited.add(`${mm.root}@0`);
    seen.set(mm.root, Math.max(seen.get(mm.root) ?? 0, groups[0].tableBytes));
    const stack: { table: number; gi: number }[] = [{ table: mm.root, gi: 0 }];
    while (stack.length > 0) {
      const { table, gi } = stack.pop()!;
      const g = groups[gi];
      if (gi === groups.length - 1) continue; // a pte table: its entries are leaves or nothing
      const d = g.real;
      for (let i = 0; i < g.entries; i++) {
        if (!mem.read(table + i * 8)) break;
        const lo = mem.lo;
        const hi = mem.hi;
        if (codec.none(d, lo, hi) || (d <= P4D && codec.bad(d, lo, hi))) continue;
        if (!codec.valid(d, lo, hi) || codec.leaf(d, lo, hi)) continue;
        const next = codec.tablePa(d, lo, hi);
        const bytes = groups[gi + 1].tableBytes;
        if (next < 0 || mem.tableWords(next, bytes) === null || visited.has(`${next}@${gi + 1}`)) continue;
        visited.add(`${next}@${gi + 1}`);
        seen.set(next, Math.max(seen.get(next) ?? 0, bytes));
        stack.push({ table: next, gi: gi + 1 });
      }
    }
  }
  return runs(spaces[0].memory, seen);
}

/** The tables' bytes, merged where they touch or overlap and the image holds the whole run in one region. */
function runs(mem: PhysicalMemory, tables: Map<number, number>): TableRun[] {
  const spans: { base: number; end: number }[] = [];
  for (const [base, size] of [...tables].sort((a, b) => a[0] - b[0])) {
    const last = spans[spans.length - 1];
    const end = base + size;
    if (last !== undefined && base <= last.end && mem.contains(last.base, Math.max(last.end, end) - last.base)) {
      last.end = Math.max(last.end, end);
    } else {
      spans.push({ base, end });
    }
  }
  return spans.map(({ base, end }) => ({ base, bytes: mem.readBytes(base, end - base)! }));
}
