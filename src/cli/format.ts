
import type { Leaf } from '../mm/leaves.js';
import type { Translation } from '../mm/translate.js';
import type { Perms } from '../arch/types.js';
import { sizeName } from '../units.js';

import { hex16 } from '../hex.js';

/** "urwx-g"-style summary of effective permissions. */
export function permString(p: Perms): string {
  return `${p.user ? 'u' : '-'}${p.read ? 'r' : '-'}${p.write ? 'w' : '-'}${p.exec ? 'x' : '-'}${p.global ? 'g' : '-'}${p.accessed ? 'a' : '-'}${p.dirty ? 'd' : '-'}`;
}

/** A translation as crash's `vtop` lays it out: each level's table, index, entry and flags, then the result. */
export function vtopLines(t: Translation): string[] {
  const out = [`VIRTUAL ${hex16(t.va)}`];
  for (const s of t.trace) {
    const missing = t.fault === 'excluded' ? '(table in a page excluded by the dump level)' : '(table outside the image)';
    const entry = s.raw === null ? missing : `${hex16(s.raw)}  ${s.entry!.flags.join(' ')}`;
    out.push(`  ${s.level.toUpperCase().padEnd(3)}: table ${hex16(s.table)} [${String(s.index).padStart(4)}] at ${hex16(s.entryAddress)} = ${entry}`);
  }
  out.push(
    t.mapped
      ? `  PHYSICAL ${hex16(t.phys!)}  ${sizeName(t.pageSize!)} ${t.level} leaf, effective ${permString(t.perms!)}`
      : `  not mapped (${t.fault})`,
  );
  return out;
}

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
  return `${hex16(l.va)}: ${hex16(l.pa)} ${sizeName(l.size).padStart(4)} ${l.level} ${permString(l.perms)} ${l.entry.flags.join(' ')}`;
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


