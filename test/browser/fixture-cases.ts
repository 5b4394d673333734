import { FIXTURES } from '../support/fixtures.js';

/**
 * The real fixtures as `pagewalk view` opens them, with the roots and
 * options each fixture's root.txt gives (test/fixtures/README.md): a kernel
 * root and a process root side by side where the fixture has both.
 */
export interface ViewCase {
  name: string;
  image: string;
  /** Target and ptdump options common to every column. */
  common: string[];
  /** One column per root; `user` for arm64 TTBR0 / loongarch PGDL. */
  roots: { root: string; user?: boolean }[];
}

export const DEBIAN: ViewCase = {
  name: 'x86-64 Debian 6.1 (CR3 0x6330000, 131,335 ranges)',
  image: FIXTURES + 'x86-64-4level/tables.elf.gz',
  common: [],
  roots: [{ root: '0x6330000' }],
};

export const KERNEL_CASES: ViewCase[] = [
  {
    name: 'x86-64 6.1.192: init_top_pgt and CR3',
    image: FIXTURES + 'kernel-6.1-x86-64-4level/tables.elf.gz',
    common: ['--config', FIXTURES + 'kernel-6.1-x86-64-4level/config.gz'],
    roots: [{ root: '0x181e000' }, { root: '0x1b0000' }],
  },
  {
    name: 'arm64 4k-48 6.1.192: TTBR1 swapper_pg_dir and the process TTBR0',
    image: FIXTURES + 'kernel-6.1-arm64-4k-48/tables.elf.gz',
    common: ['--arch', 'arm64', '--mode', '4k-48', '--config', FIXTURES + 'kernel-6.1-arm64-4k-48/config.gz'],
    roots: [{ root: '0x40472000' }, { root: '0x40c80000', user: true }],
  },
  {
    name: 'riscv64 Sv39 6.1.192: swapper_pg_dir and satp',
    image: FIXTURES + 'kernel-6.1-riscv-sv39/tables.elf.gz',
    common: ['--arch', 'riscv64', '--mode', 'sv39', '--config', FIXTURES + 'kernel-6.1-riscv-sv39/config.gz', '--base', '_end=0xffffffff80acf000'],
    roots: [{ root: '0x80c9e000' }, { root: '0x812d1000' }],
  },
  {
    name: 'loongarch64 16k-3level 6.12.118: PGDH and the process PGDL',
    image: FIXTURES + 'kernel-6.12-loongarch64-16k-3level/tables.elf.gz',
    common: ['--arch', 'loongarch64', '--mode', '16k-3level', '--invalid-tables', '0x90000000005dc000,0x90000000005d8000'],
    roots: [{ root: '0x5d0000' }, { root: '0x6274000', user: true }],
  },
];

/** `pagewalk view` arguments for a case (without -o). */
export function viewArgs(c: ViewCase): string[] {
  return ['view', ...c.common, ...c.roots.flatMap((r) => [r.user ? '--user-root' : '--root', r.root]), c.image];
}

/**
 * `pagewalk ptdump --format json` / `translate` arguments for one column:
 * the same options and root. A user root of arm64, whose dumper walks only
 * the kernel half, is dumped over the user half (as the view does).
 */
export function columnArgs(c: ViewCase, column: number, marker = true): string[] {
  const r = c.roots[column];
  const args = [...c.common, '--root', r.root, ...(r.user ? ['--user'] : [])];
  if (r.user && c.common.includes('arm64')) args.push('--range', '0x0-0x1000000000000');
  return marker ? args : args.filter((a, i) => !['--config', '--base'].includes(a) && !['--config', '--base'].includes(args[i - 1]));
}
