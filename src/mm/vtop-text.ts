import type { Perms } from '../arch/types.js';
import { hex16 } from '../hex.js';
import { sizeName } from '../units.js';
import type { Translation } from './translate.js';

/**
 * A translation as text, the way `pagewalk translate` prints it. It lives
 * below the CLI so that the view's page (in a browser) prints the very same
 * lines from the very same code.
 */

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
