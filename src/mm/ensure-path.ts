import { PagewalkError, hex } from '../errors.js';
import { LEVEL_NAMES } from '../arch/types.js';
import { sizeName } from '../units.js';
import {
  childTable,
  isTableEntry,
  linkTable,
  newTable,
  readSlot,
  refuseBad,
  slotIndex,
  splitLeaf,
  type MmCore,
} from './table-ops.js';
import type { Transaction } from './transaction.js';

/**
 * What to do with a huge leaf or a non-present entry found above the level
 * being changed: 'map' refuses (EEXIST), 'replace' splits the leaf or
 * overwrites the entry, 'split' splits a leaf and refuses anything else.
 */
export type PathMode = 'map' | 'replace' | 'split';

/**
 * Walks from the root to the table of group `target` that holds `va`,
 * creating missing tables (as __pmd_alloc() and friends do) and handling
 * huge leaves on the way per `mode`. Returns the table's physical address.
 */
export function ensurePath(mm: MmCore, tx: Transaction, target: number, va: number, mode: PathMode): number {
  const codec = mm.codec;
  const mem = mm.memory;
  let table = mm.root;
  for (let gi = 0; gi < target; gi++) {
    const g = mm.groups[gi];
    const slot = table + slotIndex(g, va) * 8;
    readSlot(mm, slot, g);
    const lo = mem.lo;
    const hi = mem.hi;
    if (codec.none(g.real, lo, hi)) {
      const child = newTable(mm, tx, gi + 1);
      linkTable(mm, tx, gi, slot, child);
      table = child;
      continue;
    }
    refuseBad(mm, g, slot);
    if (isTableEntry(mm, gi, lo, hi)) {
      table = childTable(mm, gi, slot);
      continue;
    }
    const what = codec.leaf(g.real, lo, hi) && codec.present(g.real, lo, hi) ? `${sizeName(g.size)} ${LEVEL_NAMES[g.real]} leaf` : `non-present ${LEVEL_NAMES[g.real]} entry`;
    const leafStart = Math.floor(va / g.size) * g.size;
    if (mode === 'map') {
      throw new PagewalkError(
        'EEXIST',
        `${hex(va)} is inside an existing ${what} [${hex(leafStart)}, ${hex(leafStart + g.size)}); pass { replace: true } to replace it`,
      );
    }
    if (what.startsWith('non-present')) {
      if (mode === 'split') {
        throw new PagewalkError('EINVAL', `cannot split the ${what} at physical ${hex(slot)} covering ${hex(leafStart)}`);
      }
      const child = newTable(mm, tx, gi + 1);
      linkTable(mm, tx, gi, slot, child);
      table = child;
      continue;
    }
    table = splitLeaf(mm, tx, gi, slot, lo, hi);
  }
  return table;
}
