
import type { Leaf } from '../mm/leaves.js';
import type { Translation } from '../mm/translate.js';
import { permString } from '../mm/vtop-text.js';
import { sizeName } from '../units.js';

import { hex16 } from '../hex.js';

// The trace text moved below the CLI, for the view's page; the CLI keeps its names.
export { permString, vtopLines } from '../mm/vtop-text.js';

export function translationJson(t: Translation): string {
  return JSON.stringify({
    va: hex16(t.va),
    mapped: t.mapped,
    pa: t.phys === null ? null : hex16(t.phys),
    size: t.pageSize === null ? null : hex16(t.pageSize),
    level: t.level,
    fault: t.fault,
    ...(t.perms ?? {}),
    trace: t.trace.map((s) => ({
      level: s.level,
      table: hex16(s.table),
      index: s.index,
      entry: hex16(s.entryAddress),
      raw: s.raw === null ? null : hex16(s.raw),
      flags: s.entry?.flags ?? null,
    })),
  });
}

/** One leaf as text: `va: pa size level perms flags` (QEMU `info tlb`-like, every arch). */
export function leafText(l: Leaf): string {
  return `${hex16(l.va)}: ${hex16(l.pa)} ${leafTail(l)}`;
}

/**
 * Everything of a leaf's line after its addresses, remembered per kind of
 * leaf (forEachLeaf shares one flags array among leaves alike, and a
 * direct map is millions of them).
 */
const TAILS = new WeakMap<readonly string[], string>();
function leafTail(l: Leaf): string {
  let tail = TAILS.get(l.flags);
  if (tail === undefined) {
    tail = `${sizeName(l.size).padStart(4)} ${l.level} ${permString(l.perms)} ${l.flags.join(' ')}`;
    TAILS.set(l.flags, tail);
  }
  return tail;
}

export function leafJson(l: Leaf): string {
  const p = l.perms;
  return JSON.stringify({
    va: hex16(l.va),
    size: hex16(l.size),
    pa: hex16(l.pa),
    level: l.level,
    raw: hex16(l.raw),
    user: p.user,
    read: p.read,
    write: p.write,
    exec: p.exec,
    global: p.global,
    accessed: p.accessed,
    dirty: p.dirty,
  });
}


