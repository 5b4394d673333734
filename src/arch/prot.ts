import { PagewalkError } from '../errors.js';
import type { FullProt, Perms, Prot } from './types.js';

const PERM_KEYS = ['read', 'write', 'exec', 'user', 'global', 'accessed', 'dirty'] as const;

/**
 * Defaults for what a caller leaves out of a Prot: a readable, accessed,
 * dirty page, kernel-only, not global, not writable, not executable. Accessed
 * and dirty are on because that is how kernels build their own mappings
 * (x86 __PAGE_KERNEL, riscv PAGE_KERNEL, arm64 PROT_NORMAL with AF).
 */
export const DEFAULT_PERMS: Readonly<Perms> = Object.freeze({
  read: true,
  write: false,
  exec: false,
  user: false,
  global: false,
  accessed: true,
  dirty: true,
});

/** Fills the defaults in and rejects keys that are not permissions (a misspelt key must not vanish). */
export function resolveProt(prot: Prot, base: FullProt | Readonly<Perms> = DEFAULT_PERMS): FullProt {
  if (prot === null || typeof prot !== 'object') {
    throw new PagewalkError('EINVAL', `prot must be an object like { read: true, write: true }, got ${String(prot)}`);
  }
  for (const key of Object.keys(prot)) {
    if (key !== 'attrs' && !(PERM_KEYS as readonly string[]).includes(key)) {
      throw new PagewalkError(
        'EINVAL',
        `unknown prot key "${key}": expected one of ${PERM_KEYS.join(', ')} or attrs`,
      );
    }
  }
  const out: FullProt = { ...DEFAULT_PERMS, attrs: {} };
  for (const key of PERM_KEYS) {
    const v = prot[key] ?? base[key];
    if (typeof v !== 'boolean') {
      throw new PagewalkError('EINVAL', `prot.${key} must be a boolean, got ${String(v)}`);
    }
    out[key] = v;
  }
  const baseAttrs = 'attrs' in base ? base.attrs : {};
  out.attrs = { ...baseAttrs, ...(prot.attrs ?? {}) };
  return out;
}
