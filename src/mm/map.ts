import { PagewalkError, hex } from '../errors.js';
import { LEVEL_NAMES, type FullProt } from '../arch/types.js';
import { leafSizes } from '../arch/groups.js';
import { sizeName } from '../units.js';
import { ensurePath } from './ensure-path.js';
import { forEachSubtable, isTableEntry, slotIndex, type MmCore } from './table-ops.js';
import type { Transaction } from './transaction.js';

/**
 * Maps [va, va + size) to [pa, pa + size) with leaves of `leafGroup` (or,
 * with leafGroup -1, the largest leaf each step's alignment allows). The
 * range has been validated by the caller; this writes, inside `tx`.
 */
export function mapRange(
  mm: MmCore,
  tx: Transaction,
  va: number,
  pa: number,
  size: number,
  prot: FullProt,
  leafGroup: number,
  replace: boolean,
): void {
  const end = va + size;
  const sizes = leafSizes(mm.groups);
  const templates = new Map<number, [number, number]>();
  let cur = va;
  let curPa = pa;
  while (cur < end) {
    let gi = leafGroup;
    if (gi < 0) {
      for (const s of sizes) {
        if (cur % s.size === 0 && curPa % s.size === 0 && end - cur >= s.size) gi = s.group;
      }
    }
    const g = mm.groups[gi];
    let t = templates.get(gi);
    if (t === undefined) {
      mm.codec.leafTemplate(g.real, prot);
      t = [mm.codec.lo, mm.codec.hi];
      templates.set(gi, t);
    }
    const idx = slotIndex(g, cur);
    const n = Math.min(g.entries - idx, Math.floor((end - cur) / g.size));
    const table = ensurePath(mm, tx, gi, cur, replace ? 'replace' : 'map');
    clearRun(mm, tx, gi, table, idx, n, cur, replace);
    writeLeaves(mm, tx, gi, table, idx, n, curPa, t[0], t[1]);
    cur += n * g.size;
    curPa += n * g.size;
  }
}

/**
 * Makes slots [idx, idx + n) of a table of group gi free for new leaves:
 * EEXIST for anything mapped there unless `replace`; tables below a slot
 * are freed (a table whose subtree maps nothing is freed even without
 * `replace`: nothing is lost).
 */
function clearRun(mm: MmCore, tx: Transaction, gi: number, table: number, idx: number, n: number, va: number, replace: boolean): void {
  const g = mm.groups[gi];
  const mem = mm.memory;
  for (let i = idx; i < idx + n; i++) {
    const words = mem.tableWords(table, g.tableBytes)!;
    const b = mem.wordBase;
    const lo = words[b + 2 * i];
    const hi = words[b + 2 * i + 1];
    if (mm.codec.none(g.real, lo, hi)) continue;
    const at = va + (i - idx) * g.size;
    if (isTableEntry(mm, gi, lo, hi)) {
      const child = mm.codec.tablePa(g.real, lo, hi);
      const tables: number[] = [];
      const empty = forEachSubtable(mm, gi + 1, child, !replace, (pa) => tables.push(pa));
      if (!empty && !replace) {
        throw new PagewalkError(
          'EEXIST',
          `[${hex(at)}, ${hex(at + g.size)}) already has mappings below its ${LEVEL_NAMES[g.real]} entry; pass { replace: true } to replace them`,
        );
      }
      for (const pa of tables) tx.freeTable(pa);
      continue;
    }
    if (!replace) {
      const what = mm.codec.present(g.real, lo, hi) ? `${sizeName(g.size)} ${LEVEL_NAMES[g.real]} mapping` : `non-present ${LEVEL_NAMES[g.real]} entry`;
      throw new PagewalkError('EEXIST', `${hex(at)} already has a ${what}; pass { replace: true } to replace it`);
    }
  }
}

/** Writes n leaves into slots [idx, idx + n) of a table of group gi, mapping from `pa` on. */
function writeLeaves(mm: MmCore, tx: Transaction, gi: number, table: number, idx: number, n: number, pa: number, tLo: number, tHi: number): void {
  const g = mm.groups[gi];
  const codec = mm.codec;
  tx.save(table + idx * 8, n * 8);
  const words = mm.memory.tableWords(table, g.tableBytes)!;
  const b = mm.memory.wordBase + 2 * idx;
  const real = g.real;
  const step = g.size;
  for (let i = 0; i < n; i++) {
    codec.encodeLeaf(real, pa + i * step, tLo, tHi);
    words[b + 2 * i] = codec.lo;
    words[b + 2 * i + 1] = codec.hi;
  }
}
