/**
 * `npm run demo`: builds the embedded demo address space of every arch and
 * shows it the ways a kernel developer looks at page tables: the kernel's
 * own ptdump text, a W^X check, how addresses translate level by level (as
 * crash's `vtop` does) and what the kernel walker counts.
 */
import { buildDemo } from './demo-layout.js';
import { checkWx, ptdump } from './ptdump/ptdump.js';
import { upperHalfEnd, upperHalfStart } from './arch/va.js';
import { hex } from './errors.js';
import { vtopLines } from './cli/format.js';
import { hex16 } from './hex.js';
import { sizeName } from './units.js';
import type { Translation } from './mm/translate.js';
import { walkKernelPageTableRange } from './walk/kernel-walk.js';
import type { MmWalk } from './walk/mm-walk.js';

const pad = (s: string, n: number) => s.padEnd(n);

function printVtop(t: Translation): void {
  for (const line of vtopLines(t)) console.log(`  ${line}`);
}

/** Counts the leaves the kernel walker hands to each level's callback over the kernel half. */
function countLeaves(kernel: ReturnType<typeof buildDemo>['machine']['initMm']): string {
  const counts = { pud: 0, pmd: 0, pte: 0, holes: 0 };
  const leafAt = (level: 'pud' | 'pmd') => (e: number, w: MmWalk<typeof counts>) => {
    if (w.present(e) && w.leaf(e)) w.private[level]++;
    return 0;
  };
  const rc = walkKernelPageTableRange(
    kernel,
    upperHalfStart(kernel.arch),
    upperHalfEnd(kernel.arch),
    {
      pudEntry: leafAt('pud'),
      pmdEntry: leafAt('pmd'),
      pteEntry: (e, w) => {
        if (w.present(e)) w.private.pte++;
        return 0;
      },
      pteHole: (_depth, w) => {
        w.private.holes++;
        return 0;
      },
    },
    { private: counts },
  );
  return `walk_kernel_page_table_range() = ${rc}: ${counts.pud} pud, ${counts.pmd} pmd and ${counts.pte} pte leaves, ${counts.holes} holes`;
}

for (const arch of ['x86-64', 'riscv64', 'arm64', 'loongarch64']) {
  const { machine, user, layout } = buildDemo(arch);
  console.log(`\n=== ${arch} ${layout.mode}: ${machine.arch.description}`);
  for (const m of [...layout.kernel, ...layout.user]) {
    console.log(`  ${pad(m.name, 16)} ${hex16(m.va)}-${hex16(m.va + m.size)} ${sizeName(m.size).padStart(5)} -> ${hex(m.pa)}`);
  }
  console.log(`  --- ptdump of init_mm (the kernel's debugfs text for ${arch}) ---`);
  ptdump(machine.initMm, (line) => console.log(`  ${line}`));
  console.log(`  --- W^X: ${checkWx(machine.initMm).message}`);
  const text = layout.kernel.find((m) => m.name === 'kernel text') ?? layout.kernel[0];
  printVtop(machine.initMm.translate(BigInt(text.va) + 0x1234n));
  printVtop(user.translate(BigInt(layout.user[2].va) + 0x10n));
  const vm = layout.kernel.find((m) => m.name === 'vmalloc area 0')!;
  printVtop(machine.initMm.translate(vm.va + vm.size)); // the guard page after a vmalloc area
  console.log(`  ${countLeaves(machine.initMm)}`);
  console.log(`  table pages in use: ${machine.tablePages}`);
}
