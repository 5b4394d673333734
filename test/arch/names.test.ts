/**
 * The literal types of arch and mode names (src/arch/names.ts) and the
 * registry the run-time lookups use name the same modes: a name the types
 * accept always resolves, and every mode the registry has is typed.
 */
import { describe, expect, it } from 'vitest';
import { ARCH_ALIASES, ARM64_MODE_NAMES, LOONGARCH64_MODE_NAMES, RISCV64_MODE_NAMES, X86_64_MODE_NAMES } from '../../src/arch/names.js';
import { ARCH_NAMES, allModes, createMachine, getArchMode } from '../../src/index.js';

const TYPED: Record<string, readonly string[]> = {
  'x86-64': X86_64_MODE_NAMES,
  riscv64: RISCV64_MODE_NAMES,
  arm64: ARM64_MODE_NAMES,
  loongarch64: LOONGARCH64_MODE_NAMES,
};

describe('arch and mode names: types and registry agree', () => {
  it('every mode and alias of the registry is a typed name, and nothing more', () => {
    for (const arch of ARCH_NAMES) {
      const names = allModes()
        .filter((m) => m.arch === arch)
        .flatMap((m) => [m.mode, ...(m.aliases ?? [])]);
      expect([...names].sort()).toEqual([...TYPED[arch]].sort());
    }
  });

  it('every arch alias resolves to its arch', () => {
    for (const [alias, arch] of Object.entries(ARCH_ALIASES)) expect(getArchMode(alias, TYPED[arch][0]).arch).toBe(arch);
  });

  it('a typo is a compile error (checked by tsc over this file) and EINVAL at run time', () => {
    // @ts-expect-error 'arm46' is not an arch name
    expect(() => createMachine({ arch: 'arm46', mode: '4k-48' })).toThrow(/unknown arch "arm46"/);
    // @ts-expect-error 'sv39' is not an arm64 mode (each arch takes its own modes)
    expect(() => createMachine({ arch: 'arm64', mode: 'sv39' })).toThrow(/unknown mode "sv39" for arm64/);
  });
});
