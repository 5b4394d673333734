import type { ArchAndMode } from './arch/names.js';
import { createMachine, type Machine } from './machine.js';
import type { Prot } from './arch/types.js';

/** One mapping of a demo address space. */
export interface DemoMapping {
  name: string;
  va: number;
  pa: number;
  size: number;
  prot: Prot;
  pageSize: string;
  user?: boolean;
}

export interface DemoLayout {
  arch: string;
  mode: string;
  /** Kernel mappings (init_mm). */
  kernel: DemoMapping[];
  /** Mappings of one user process. */
  user: DemoMapping[];
}

const M = 1024 * 1024;
const TEXT: Prot = { read: true, write: false, exec: true, global: true };
const RO: Prot = { read: true, write: false, exec: false, global: true };
const RW: Prot = { read: true, write: true, exec: false, global: true };
const USER_TEXT: Prot = { read: true, exec: true, user: true };
const USER_DATA: Prot = { read: true, write: true, user: true };

/**
 * A small kernel-like layout per arch, at the addresses the default Linux
 * memory map of that arch uses (Documentation/arch/x86/x86_64/mm.rst,
 * Documentation/arch/riscv/vm-layout.rst, arm64 memory.h, loongarch
 * XKVRANGE): a direct map with huge pages, kernel text and data with
 * different permissions, a vmalloc area in base pages with guard holes,
 * and one user process.
 */
export function demoLayout(arch: string): DemoLayout {
  switch (arch) {
    case 'x86-64':
      return {
        arch,
        mode: '4level',
        kernel: [
          { name: 'direct map', va: 0xffff888000000000, pa: 0, size: 64 * M, prot: RW, pageSize: 'auto' },
          { name: 'kernel text', va: 0xffffffff81000000, pa: 0x1000000, size: 4 * M, prot: TEXT, pageSize: '2M' },
          { name: 'kernel rodata', va: 0xffffffff81400000, pa: 0x1400000, size: 2 * M, prot: RO, pageSize: '2M' },
          { name: 'kernel data', va: 0xffffffff81600000, pa: 0x1600000, size: 64 * 4096, prot: RW, pageSize: '4K' },
          ...vmalloc(0xffffc90000000000, 0x3000000),
        ],
        user: userProcess(0x400000, 0x7ffd04000000, 0x3300000),
      };
    case 'riscv64':
      return {
        arch,
        mode: 'sv39',
        kernel: [
          { name: 'linear mapping', va: 0xffffffd800000000, pa: 0x80000000, size: 64 * M, prot: RW, pageSize: 'auto' },
          { name: 'kernel text', va: 0xffffffff80000000, pa: 0x80200000, size: 2 * M, prot: TEXT, pageSize: '2M' },
          { name: 'kernel rodata', va: 0xffffffff80200000, pa: 0x80400000, size: 2 * M, prot: RO, pageSize: '2M' },
          { name: 'kernel data', va: 0xffffffff80400000, pa: 0x80600000, size: 64 * 4096, prot: RW, pageSize: '4K' },
          ...vmalloc(0xffffffc800000000, 0x83000000),
        ],
        user: userProcess(0x10000, 0x3fffc00000, 0x83300000),
      };
    case 'arm64':
      return {
        arch,
        mode: '4k-48',
        kernel: [
          { name: 'linear map', va: 0xffff000000000000, pa: 0x40000000, size: 64 * M, prot: RW, pageSize: 'auto' },
          { name: 'kernel text', va: 0xffff800008000000, pa: 0x40200000, size: 2 * M, prot: TEXT, pageSize: '2M' },
          { name: 'kernel rodata', va: 0xffff800008200000, pa: 0x40400000, size: 2 * M, prot: RO, pageSize: '2M' },
          { name: 'kernel data', va: 0xffff800008400000, pa: 0x40600000, size: 64 * 4096, prot: RW, pageSize: '4K' },
          ...vmalloc(0xffff800010000000, 0x43000000),
        ],
        user: userProcess(0x400000, 0xfffff0000000, 0x43300000),
      };
    case 'loongarch64':
      // The direct map and the kernel image live in the DMW windows (no tables); page tables
      // cover vmalloc/modules (XKVRANGE) and user space.
      return {
        arch,
        mode: '16k-3level',
        kernel: [
          { name: 'modules', va: 0xffff800000000000, pa: 0x2000000, size: 32 * M, prot: TEXT, pageSize: '32M' },
          ...vmalloc(0xffff800004000000, 0x3000000, 16384),
        ],
        user: userProcess(0x120000000, 0x7ffff0000000, 0x3300000, 16384),
      };
    default:
      throw new Error(`no demo layout for ${arch}`);
  }
}

/** vmalloc-style: 4-page areas separated by one-page guard holes, plus an 8-page area. */
function vmalloc(va: number, pa: number, page = 4096): DemoMapping[] {
  const out: DemoMapping[] = [];
  for (let i = 0; i < 6; i++) {
    out.push({ name: `vmalloc area ${i}`, va: va + i * 8 * page, pa: pa + i * 4 * page, size: 4 * page, prot: RW, pageSize: String(page) });
  }
  out.push({ name: 'vmalloc area 6', va: va + 64 * page, pa: pa + 64 * page, size: 8 * page, prot: RW, pageSize: String(page) });
  return out;
}

function userProcess(text: number, stack: number, pa: number, page = 4096): DemoMapping[] {
  return [
    { name: 'user text', va: text, pa, size: 16 * page, prot: USER_TEXT, pageSize: String(page), user: true },
    { name: 'user data', va: text + 32 * page, pa: pa + 16 * page, size: 8 * page, prot: USER_DATA, pageSize: String(page), user: true },
    { name: 'user stack', va: stack, pa: pa + 32 * page, size: 8 * page, prot: USER_DATA, pageSize: String(page), user: true },
  ];
}

/** Builds the demo machine for an arch: the kernel layout in init_mm and one user address space. */
export function buildDemo(arch: string): { machine: Machine; user: ReturnType<Machine['createUserMm']>; layout: DemoLayout } {
  const layout = demoLayout(arch);
  const machine = createMachine({ arch: layout.arch, mode: layout.mode } as ArchAndMode);
  for (const m of layout.kernel) machine.initMm.map(m.va, m.pa, m.size, m.prot, { pageSize: m.pageSize });
  const user = machine.createUserMm();
  for (const m of layout.user) user.map(m.va, m.pa, m.size, m.prot, { pageSize: m.pageSize });
  return { machine, user, layout };
}
