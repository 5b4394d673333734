/**
 * Which of pagewalk's arches a dump is of, when no ELF header says:
 * `utsname.machine` of the kdump header (as `uname -m` prints it), or else
 * a VMCOREINFO entry only one arch's kernel writes (its
 * arch_crash_save_vmcoreinfo()): x86-64 `SYMBOL(init_top_pgt)`, arm64
 * `NUMBER(kimage_voffset)`, riscv64 `NUMBER(va_kernel_pa_offset)`.
 */
import type { ArchName } from '../arch/types.js';

const BY_MACHINE: ReadonlyMap<string, ArchName> = new Map<string, ArchName>([
  ['x86_64', 'x86-64'],
  ['aarch64', 'arm64'],
  ['arm64', 'arm64'],
  ['riscv64', 'riscv64'],
  ['loongarch64', 'loongarch64'],
]);

export function archFromMachine(machine: string): ArchName | null {
  return BY_MACHINE.get(machine) ?? null;
}

export function archFromVmcoreinfo(info: ReadonlyMap<string, string>): ArchName | null {
  if (info.has('SYMBOL(init_top_pgt)')) return 'x86-64';
  if (info.has('NUMBER(kimage_voffset)')) return 'arm64';
  if (info.has('NUMBER(va_kernel_pa_offset)')) return 'riscv64';
  return null;
}
