import { PGD, PTE, type ModeGeometry } from '../arch/types.js';

/**
 * A mode's geometry flattened into typed arrays for the hot iterator, with
 * what mm/pagewalk.c derives at compile time worked out once: the depth the
 * kernel reports for a hole at each level (real_depth()) and, for each
 * depth, the depth whose codec checks its entries.
 */
export interface WalkPlan {
  /** 1 where a table starts at the depth. */
  tableAt: Uint8Array;
  /** 1 where the kernel's none/present/leaf checks are real (the lowest level of a folded group). */
  realAt: Uint8Array;
  /** Bytes one entry of the depth's table maps (folded depths: their group's). */
  size: Float64Array;
  /** 1 / size: exact (powers of two), so `addr * invSize` is `addr / size` without a division in the loop. */
  invSize: Float64Array;
  /** Entries of the table starting at the depth. */
  entries: Int32Array;
  /** Bytes of the table starting at the depth. */
  tableBytes: Int32Array;
  /** pte_hole() depth for a none entry at each depth: 0 at pgd, real_depth(d) below. */
  holeDepth: Int32Array;
  /** For each depth, the depth its group's entries are checked at (the codec's d). */
  checkDepth: Int32Array;
  /** Most entries in any table of the mode (for entry handles). */
  maxEntries: number;
}

/** real_depth() of mm/pagewalk.c: a folded level's hole is reported at the level it folds into. */
export function realDepth(geo: ModeGeometry, depth: number): number {
  let d = depth;
  if (d === 3 && geo.kernelPtrs[3] === 1) d = 2;
  if (d === 2 && geo.kernelPtrs[2] === 1) d = 1;
  if (d === 1 && geo.kernelPtrs[1] === 1) d = 0;
  return d;
}

export function makeWalkPlan(geo: ModeGeometry): WalkPlan {
  const plan: WalkPlan = {
    tableAt: new Uint8Array(5),
    realAt: new Uint8Array(5),
    size: new Float64Array(5),
    invSize: new Float64Array(5),
    entries: new Int32Array(5),
    tableBytes: new Int32Array(5),
    holeDepth: new Int32Array(5),
    checkDepth: new Int32Array(5),
    maxEntries: 0,
  };
  let groupTop = PGD;
  for (let d = PGD; d <= PTE; d++) {
    if (geo.tableAt[d]) groupTop = d;
    plan.tableAt[d] = geo.tableAt[d] ? 1 : 0;
    plan.realAt[d] = geo.realAt[d] ? 1 : 0;
    plan.size[d] = 2 ** geo.shift[groupTop];
    plan.invSize[d] = 2 ** -geo.shift[groupTop];
    plan.entries[d] = geo.entries[groupTop];
    plan.tableBytes[d] = geo.entries[groupTop] * 8;
    plan.holeDepth[d] = d === PGD ? 0 : realDepth(geo, d);
    plan.maxEntries = Math.max(plan.maxEntries, geo.entries[d]);
  }
  for (let d = PTE; d >= PGD; d--) {
    plan.checkDepth[d] = geo.realAt[d] ? d : plan.checkDepth[d + 1];
  }
  return plan;
}
