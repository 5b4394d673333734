import { PagewalkError } from '../errors.js';
import { ARM64_MODES } from './arm64.js';
import { LOONGARCH64_MODES } from './loongarch64.js';
import { RISCV64_MODES } from './riscv64.js';
import type { ArchMode, ArchName } from './types.js';
import { X86_64_MODES } from './x86_64.js';
import { ARCH_ALIASES, type ArchAlias } from './names.js';

const ARCHES: Record<ArchName, readonly ArchMode[]> = {
  'x86-64': X86_64_MODES,
  riscv64: RISCV64_MODES,
  arm64: ARM64_MODES,
  loongarch64: LOONGARCH64_MODES,
};


export const ARCH_NAMES = Object.keys(ARCHES) as ArchName[];

/** Every supported arch and mode, for tables and the CLI. */
export function allModes(): ArchMode[] {
  return ARCH_NAMES.flatMap((a) => [...ARCHES[a]]);
}

/** The arch name for a spelling, or EINVAL listing the names. */
export function resolveArchName(arch: string): ArchName {
  const alias = String(arch).toLowerCase();
  const name = (arch in ARCHES ? arch : Object.hasOwn(ARCH_ALIASES, alias) ? ARCH_ALIASES[alias as ArchAlias] : undefined) as ArchName | undefined;
  if (name === undefined) {
    throw new PagewalkError('EINVAL', `unknown arch ${JSON.stringify(arch)}: expected one of ${ARCH_NAMES.join(', ')}`);
  }
  return name;
}

/** Looks up an arch and mode by name (or alias); EINVAL lists what exists. */
export function getArchMode(arch: string, mode: string): ArchMode {
  const name = resolveArchName(arch);
  const modes = ARCHES[name];
  const key = String(mode).toLowerCase();
  const found = modes.find((m) => m.mode === key || (m.aliases ?? []).includes(key));
  if (found === undefined) {
    throw new PagewalkError(
      'EINVAL',
      `unknown mode ${JSON.stringify(mode)} for ${name}: expected one of ${modes.map((m) => m.mode).join(', ')}`,
    );
  }
  return found;
}
