/**
 * The names an arch and its modes go by, as string-literal types, so that a
 * typo (`createMachine({ arch: 'arm46', mode: '4k-48' })`, `mode: '4-levle'`)
 * is a compile error. The registry checks the same names at run time (a
 * test holds the two in step).
 */
import type { ArchName } from './types.js';

export const X86_64_MODE_NAMES = ['4level', '5level', '4-level', 'la48', '5-level', 'la57'] as const;
export const RISCV64_MODE_NAMES = ['sv39', 'sv48', 'sv57', 'no4lvl', 'no5lvl'] as const;
export const ARM64_MODE_NAMES = ['4k-39', '4k-48', '4k-52', '16k-36', '16k-47', '16k-48', '16k-52', '64k-42', '64k-48', '64k-52'] as const;
export const LOONGARCH64_MODE_NAMES = ['4k-3level', '4k-4level', '16k-2level', '16k-3level', '16k', '64k-2level', '64k-3level'] as const;

/** Each arch's mode names and aliases. */
export interface ModeNames {
  'x86-64': (typeof X86_64_MODE_NAMES)[number];
  riscv64: (typeof RISCV64_MODE_NAMES)[number];
  arm64: (typeof ARM64_MODE_NAMES)[number];
  loongarch64: (typeof LOONGARCH64_MODE_NAMES)[number];
}

/** Other spellings of the arch names, and the arch each means. */
export const ARCH_ALIASES = {
  x86_64: 'x86-64',
  amd64: 'x86-64',
  x64: 'x86-64',
  riscv: 'riscv64',
  aarch64: 'arm64',
  loongarch: 'loongarch64',
} as const satisfies Record<string, ArchName>;

export type ArchAlias = keyof typeof ARCH_ALIASES;

/** An arch (or an alias of one) with one of its own modes: `{ arch: 'arm64', mode: '4k-48' }`. */
export type ArchAndMode =
  | { [A in ArchName]: { arch: A; mode: ModeNames[A] } }[ArchName]
  | { [A in ArchAlias]: { arch: A; mode: ModeNames[(typeof ARCH_ALIASES)[A]] } }[ArchAlias];
