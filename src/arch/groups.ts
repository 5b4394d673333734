import { PTE, type Depth, type ModeGeometry } from './types.js';

/**
 * A real table level and the folded levels that share its slots: the unit
 * the hardware walks. `top` is where the table starts (the kernel indexes it
 * there), `real` is where the kernel checks its entries (the lowest level of
 * the group, e.g. riscv Sv39's top table is checked as pud).
 */
export interface LevelGroup {
  top: Depth;
  real: Depth;
  shift: number;
  /** Bytes one entry maps. */
  size: number;
  entries: number;
  /** Bytes of the table. */
  tableBytes: number;
  /** map() may put a leaf here. */
  leafOk: boolean;
}

export function levelGroups(geo: ModeGeometry): LevelGroup[] {
  const groups: LevelGroup[] = [];
  for (let d = 0 as Depth; d <= PTE; d++) {
    if (!geo.tableAt[d]) continue;
    let real = d;
    while (real < PTE && !geo.tableAt[real + 1]) real = (real + 1) as Depth;
    groups.push({
      top: d,
      real,
      shift: geo.shift[d],
      size: 2 ** geo.shift[d],
      entries: geo.entries[d],
      tableBytes: geo.entries[d] * 8,
      leafOk: real === PTE || geo.leafDepths.includes(real),
    });
  }
  return groups;
}

/** Page sizes map() accepts in this mode, smallest first, with their group index. */
export function leafSizes(groups: readonly LevelGroup[]): { size: number; group: number }[] {
  const out: { size: number; group: number }[] = [];
  groups.forEach((g, i) => {
    if (g.leafOk) out.push({ size: g.size, group: i });
  });
  return out.sort((a, b) => a.size - b.size);
}
