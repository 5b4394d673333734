/**
 * The loongarch64 dumper. There is no real loongarch ptdump (mainline has
 * none; the LKML posting's body is not available), so every expected line
 * below is written by hand from the format documented at the top of
 * src/ptdump/loongarch64.ts (riscv 6.1's dump_addr()/dump_prot() shape) and
 * the bit values of arch/loongarch/include/asm/pgtable-bits.h; every marker
 * address is computed by hand from asm/pgtable.h, addrspace.h, fixmap.h,
 * sparsemem.h and kasan.h. Nothing here was pasted from the code's output.
 *
 * Bits (pgtable-bits.h): V 0x1, D 0x2, PLV bits 2-3 (USER 0xc), MAT bits 4-5
 * (SUC 0x00, CC 0x10, WUC 0x20), G / HUGE 0x40, P 0x80, W 0x100,
 * HGLOBAL 0x1000, NR bit 61, NX bit 62, RPLV bit 63.
 *   PAGE_KERNEL     = P|V|D|W|G|KERN|CC = 0x1d3
 *   PAGE_KERNEL_SUC = 0x1c3 (FIXMAP_PAGE_IO, ioremap)
 *   a huge PAGE_KERNEL pmd = 0x1d3 - G + HUGE + HGLOBAL = 0x11d3
 *
 * Layout (VALEN 48: cpu_vabits 47, vm_map_base B = -2^47 = 0xffff800000000000;
 * PALEN 48: cpu_pabits 47), P = PAGE_SIZE:
 *   PCI_IOBASE = B + 2P, PCI_IOSIZE 32M, MODULES_VADDR = B + 32M + 2P,
 *   MODULES_END = VMALLOC_START = MODULES_VADDR + 256M,
 *   VMALLOC_END = B + min(2^VA_BITS, 2^47) - PMD_SIZE - VMEMMAP_SIZE - KFENCE_AREA_SIZE,
 *   VMEMMAP_SIZE = 64 << (48 - PAGE_SHIFT), vmemmap = (VMALLOC_END + PMD_SIZE) & PMD_MASK,
 *   FIXADDR_TOP = 0xfffffffffffe0000, FIXADDR_START = FIXADDR_TOP - 2P.
 */
import { describe, expect, it } from 'vitest';
import { createMachine, type Machine } from '../../src/machine.js';
import { parseKernelConfig } from '../../src/ptdump/kernel-config.js';
import { createLoongarch64Dumper, loongarch64AddressMarkers } from '../../src/ptdump/loongarch64.js';
import { ptdumpWalkPgd } from '../../src/ptdump/ptdump-walk.js';
import type { AddressMarker, DumpedRange, PtdumpOptions } from '../../src/ptdump/types.js';
import { PagewalkError } from '../../src/errors.js';

const TWO64 = 2 ** 64;
const B = 0xffff800000000000;

// Prots as map() takes them; dirty:false keeps _PAGE_MODIFIED out, as PAGE_KERNEL has it.
const PAGE_KERNEL = { read: true, write: true, exec: true, global: true, accessed: true, dirty: false };
const PAGE_KERNEL_NX = { ...PAGE_KERNEL, exec: false };
const PAGE_KERNEL_SUC = { ...PAGE_KERNEL, attrs: { mat: 'SUC' } };
const PAGE_KERNEL_RX = { read: true, write: false, exec: true, global: true, accessed: true, dirty: false };
const PAGE_KERNEL_RO = { ...PAGE_KERNEL_RX, exec: false };

function dump(m: Machine, options: PtdumpOptions = {}) {
  const lines: string[] = [];
  const ranges: DumpedRange[] = [];
  const st = createLoongarch64Dumper(m.initMm, options, { line: (l) => lines.push(l), range: (r) => ranges.push(r) });
  ptdumpWalkPgd(m.initMm, st);
  return { lines, ranges, st };
}

function markers(m: Machine, options: PtdumpOptions = {}): [string, number][] {
  return loongarch64AddressMarkers(m.initMm, options).map((x: AddressMarker) => [x.name, x.start]);
}

function expectEinval(fn: () => unknown, text: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PagewalkError);
    expect((e as PagewalkError).code).toBe('EINVAL');
    expect((e as Error).message).toMatch(text);
    return;
  }
  throw new Error('expected EINVAL');
}

describe('loongarch64 ptdump: 16k-3level (the default layout)', () => {
  // P = 0x4000, PMD_SIZE 32M (PMD_SHIFT 25), PGDIR_SHIFT 36, VA_BITS 47.
  const m = createMachine({ arch: 'loongarch64', mode: '16k-3level' });
  m.initMm.map(0xffff800002008000, 0x1000000, '16K', PAGE_KERNEL_RX); // module text at MODULES_VADDR
  m.initMm.map(0xffff800012008000, 0x400000, '48K', PAGE_KERNEL); // vmalloc() at VMALLOC_START
  m.initMm.map(0xffff800012020000, 0x10000000, '16K', PAGE_KERNEL_SUC); // an ioremap()-style page
  m.initMm.map(0xffff800014000000, 0x2000000, '32M', PAGE_KERNEL_NX, { pageSize: '32M' }); // a huge pmd
  m.initMm.map(0xfffffffffffdc000, 0x1fe00000, '16K', PAGE_KERNEL_SUC); // FIX_EARLYCON_MEM_BASE = FIXADDR_TOP - P

  it('walks the kernel half [vm_map_base, 2^64)', () => {
    const st = createLoongarch64Dumper(m.initMm, {}, {});
    expect(st.ranges).toEqual([{ start: 0xffff800000000000, end: TWO64 }]);
  });

  it('markers from asm/pgtable.h (SPARSEMEM_VMEMMAP on, KFENCE and KASAN off), sorted', () => {
    // VMALLOC_END = 2^64 - 2^25 - 2^40 = 0xfffffefffe000000; vmemmap = 0xffffff0000000000; VMEMMAP_END + 1 = 2^64.
    expect(markers(m)).toEqual([
      ['PCI I/O start', 0xffff800000008000],
      ['PCI I/O end', 0xffff800002008000],
      ['Modules start', 0xffff800002008000],
      ['Modules end', 0xffff800012008000],
      ['vmalloc() area', 0xffff800012008000],
      ['vmalloc() end', 0xfffffefffe000000],
      ['vmemmap start', 0xffffff0000000000],
      ['Fixmap start', 0xfffffffffffd8000],
      ['Fixmap end', 0xfffffffffffe0000],
      ['vmemmap end', TWO64],
    ]);
  });

  it('prints the kernel_page_tables text', () => {
    expect(dump(m).lines).toEqual([
      '---[ PCI I/O start ]---',
      '---[ PCI I/O end ]---',
      '---[ Modules start ]---',
      '0xffff800002008000-0xffff80000200c000    0x0000000001000000        16K PTE V . KERN CC  G P . .. .. .. ....',
      '---[ Modules end ]---',
      '---[ vmalloc() area ]---',
      '0xffff800012008000-0xffff800012014000    0x0000000000400000        48K PTE V D KERN CC  G P W .. .. .. ....',
      '0xffff800012020000-0xffff800012024000    0x0000000010000000        16K PTE V D KERN SUC G P W .. .. .. ....',
      '0xffff800014000000-0xffff800016000000    0x0000000002000000        32M PMD V D KERN CC  H P W HG .. NX ....',
      '---[ vmalloc() end ]---',
      '---[ vmemmap start ]---',
      '---[ Fixmap start ]---',
      '0xfffffffffffdc000-0xfffffffffffe0000    0x000000001fe00000        16K PTE V D KERN SUC G P W .. .. .. ....',
      '---[ Fixmap end ]---',
    ]);
  });

  it('reports every closed range, holes included, with effective permissions', () => {
    const { ranges } = dump(m);
    const present = ranges.filter((r) => r.present);
    expect(present.map((r) => [r.start, r.end])).toEqual([
      [0xffff800002008000, 0xffff80000200c000],
      [0xffff800012008000, 0xffff800012014000],
      [0xffff800012020000, 0xffff800012024000],
      [0xffff800014000000, 0xffff800016000000],
      [0xfffffffffffdc000, 0xfffffffffffe0000],
    ]);
    expect(present[0]).toEqual({
      start: 0xffff800002008000,
      end: 0xffff80000200c000,
      level: 4,
      levelName: 'PTE',
      present: true,
      user: false,
      read: true,
      write: false,
      exec: true,
      global: true,
      phys: 0x1000000,
      flags: ['V', 'KERN', 'CC', 'G', 'P'],
    });
    expect(present[3]).toEqual({
      start: 0xffff800014000000,
      end: 0xffff800016000000,
      level: 3,
      levelName: 'PMD',
      present: true,
      user: false,
      read: true,
      write: true,
      exec: false,
      global: true, // HGLOBAL
      phys: 0x2000000,
      flags: ['V', 'D', 'KERN', 'CC', 'H', 'P', 'W', 'HG', 'NX'],
    });
    // The ranges tile the walk: each starts where the previous ended, from vm_map_base to 2^64.
    expect(ranges[0].start).toBe(B);
    expect(ranges[ranges.length - 1].end).toBe(TWO64);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i].start).toBe(ranges[i - 1].end);
    // Holes carry no permissions and no address.
    for (const r of ranges.filter((x) => !x.present)) {
      expect([r.user, r.read, r.write, r.exec, r.global, r.phys, r.flags.length]).toEqual([false, false, false, false, false, null, 0]);
    }
  });

  it('W+X check fails: PAGE_KERNEL has no NX (3 vmalloc pages + the SUC page + the fixmap page)', () => {
    const { st } = dump(m, { checkWx: true });
    expect(st.wx()).toEqual({
      passed: false,
      warningsOmitted: 0,
      wxPages: 5,
      message: 'Checked W+X mappings: failed, 5 W+X pages found',
      warnings: [
        'loongarch/mm: Found insecure W+X mapping at address ffff800012008000/0xffff800012008000',
        'loongarch/mm: Found insecure W+X mapping at address ffff800012020000/0xffff800012020000',
        'loongarch/mm: Found insecure W+X mapping at address fffffffffffdc000/0xfffffffffffdc000',
      ],
    });
  });

  it('the last range runs to 2^64 and prints its end as 0x0000000000000000', () => {
    const m2 = createMachine({ arch: 'loongarch64', mode: '16k-3level' });
    m2.initMm.map(0xffffffffffffc000, 0x8000, '16K', PAGE_KERNEL_NX);
    const { lines, ranges } = dump(m2);
    expect(lines.slice(-1)).toEqual([
      '0xffffffffffffc000-0x0000000000000000    0x0000000000008000        16K PTE V D KERN CC  G P W .. .. NX ....',
    ]);
    expect(ranges[ranges.length - 1]).toMatchObject({ start: 0xffffffffffffc000, end: TWO64, present: true, phys: 0x8000 });
  });
});

describe('loongarch64 ptdump: 4k-3level (a 2^39 table span; the fixmap through its alias)', () => {
  // P = 0x1000, PMD_SIZE 2M, PGDIR 1G, VA_BITS 39: PGDH translates [B, B + 2^39).
  const m = createMachine({ arch: 'loongarch64', mode: '4k-3level' });
  m.initMm.map(0xffff800012002000, 0x3000000, '4K', PAGE_KERNEL_NX); // VMALLOC_START
  m.initMm.map(0xffff800012200000, 0x400000, '2M', PAGE_KERNEL_RO, { pageSize: '2M' });
  // FIX_EARLYCON_MEM_BASE: FIXADDR_TOP - P = 0xfffffffffffdf000; the tables see bits 38..0 only:
  // B + (0xfffffffffffdf000 - B) mod 2^39 = B + 0x7ffffdf000.
  m.initMm.map(0xffff807ffffdf000, 0x1fe00000, '4K', PAGE_KERNEL_SUC);
  m.initMm.map(0xffff807ffffff000, 0x5000000, '4K', PAGE_KERNEL_NX); // the span's last page

  it('walks [vm_map_base, vm_map_base + 2^39)', () => {
    expect(createLoongarch64Dumper(m.initMm, {}, {}).ranges).toEqual([{ start: B, end: 0xffff808000000000 }]);
  });

  it('markers: no vmemmap (2^42 bytes cannot fit in 2^39), fixmap at its alias', () => {
    // VMALLOC_END = B + 2^39 - 2M; FIXADDR_START 0xfffffffffffde000 -> B + 0x7ffffde000; FIXADDR_TOP -> B + 0x7ffffe0000.
    expect(markers(m)).toEqual([
      ['PCI I/O start', 0xffff800000002000],
      ['PCI I/O end', 0xffff800002002000],
      ['Modules start', 0xffff800002002000],
      ['Modules end', 0xffff800012002000],
      ['vmalloc() area', 0xffff800012002000],
      ['vmalloc() end', 0xffff807fffe00000],
      ['Fixmap start', 0xffff807ffffde000],
      ['Fixmap end', 0xffff807ffffe0000],
    ]);
  });

  it('prints the text; the last range ends at the end of the span', () => {
    expect(dump(m).lines).toEqual([
      '---[ PCI I/O start ]---',
      '---[ PCI I/O end ]---',
      '---[ Modules start ]---',
      '---[ Modules end ]---',
      '---[ vmalloc() area ]---',
      '0xffff800012002000-0xffff800012003000    0x0000000003000000         4K PTE V D KERN CC  G P W .. .. NX ....',
      '0xffff800012200000-0xffff800012400000    0x0000000000400000         2M PMD V . KERN CC  H P . HG .. NX ....',
      '---[ vmalloc() end ]---',
      '---[ Fixmap start ]---',
      '0xffff807ffffdf000-0xffff807ffffe0000    0x000000001fe00000         4K PTE V D KERN SUC G P W .. .. .. ....',
      '---[ Fixmap end ]---',
      '0xffff807ffffff000-0xffff808000000000    0x0000000005000000         4K PTE V D KERN CC  G P W .. .. NX ....',
    ]);
  });

  it('W+X: only the fixmap page', () => {
    const wx = dump(m, { checkWx: true }).st.wx();
    expect([wx.passed, wx.wxPages, wx.message]).toEqual([false, 1, 'Checked W+X mappings: failed, 1 W+X pages found']);
  });

  it('a huge pmd leaf address drops HGLOBAL (bit 12, a pfn bit in a 4K pte)', () => {
    const { ranges } = dump(m);
    expect(ranges.find((r) => r.level === 3 && r.present)).toMatchObject({ phys: 0x400000, global: true, write: false });
  });
});

describe('loongarch64 ptdump: 64k-2level (a huge pmd is a pgd leaf)', () => {
  // P = 0x10000, PGDIR_SHIFT = PMD_SHIFT = 29 (512M), 8192 entries: VA_BITS 42.
  const m = createMachine({ arch: 'loongarch64', mode: '64k-2level' });
  m.initMm.map(0xffff800020000000, 0x20000000, '512M', PAGE_KERNEL, { pageSize: '512M' });

  it('markers: vmemmap (2^38 bytes) fits; fixmap at its alias in the 2^42 span', () => {
    // VMALLOC_END = B + 2^42 - 2^29 - 2^38 = B + 0x3bfe0000000; vmemmap = B + 0x3c000000000; end B + 2^42.
    // FIXADDR_START = 2^64 - 0x40000 -> B + 0x3fffffc0000; FIXADDR_TOP -> B + 0x3fffffe0000.
    expect(markers(m)).toEqual([
      ['PCI I/O start', 0xffff800000020000],
      ['PCI I/O end', 0xffff800002020000],
      ['Modules start', 0xffff800002020000],
      ['Modules end', 0xffff800012020000],
      ['vmalloc() area', 0xffff800012020000],
      ['vmalloc() end', 0xffff83bfe0000000],
      ['vmemmap start', 0xffff83c000000000],
      ['Fixmap start', 0xffff83fffffc0000],
      ['Fixmap end', 0xffff83fffffe0000],
      ['vmemmap end', 0xffff840000000000],
    ]);
  });

  it('prints the 512M leaf as PGD (CONFIG_PGTABLE_LEVELS 2)', () => {
    expect(dump(m).lines).toEqual([
      '---[ PCI I/O start ]---',
      '---[ PCI I/O end ]---',
      '---[ Modules start ]---',
      '---[ Modules end ]---',
      '---[ vmalloc() area ]---',
      '0xffff800020000000-0xffff800040000000    0x0000000020000000       512M PGD V D KERN CC  H P W HG .. .. ....',
      '---[ vmalloc() end ]---',
      '---[ vmemmap start ]---',
    ]);
  });

  it('W+X counts 64K pages: 512M / 64K = 8192', () => {
    expect(dump(m, { checkWx: true }).st.wx().message).toBe('Checked W+X mappings: failed, 8192 W+X pages found');
  });
});

describe('loongarch64 ptdump: markers of the other modes', () => {
  it('4k-4level: VA_BITS 48 capped at 2^cpu_vabits = 2^47, vmemmap 2^42', () => {
    const m = createMachine({ arch: 'loongarch64', mode: '4k-4level' });
    expect(markers(m)).toEqual([
      ['PCI I/O start', 0xffff800000002000],
      ['PCI I/O end', 0xffff800002002000],
      ['Modules start', 0xffff800002002000],
      ['Modules end', 0xffff800012002000],
      ['vmalloc() area', 0xffff800012002000],
      ['vmalloc() end', 0xfffffbffffe00000], // 2^64 - 2^42 - 2M
      ['vmemmap start', 0xfffffc0000000000],
      ['Fixmap start', 0xfffffffffffde000],
      ['Fixmap end', 0xfffffffffffe0000],
      ['vmemmap end', TWO64],
    ]);
    expect(createLoongarch64Dumper(m.initMm, {}, {}).ranges).toEqual([{ start: B, end: TWO64 }]);
  });

  it('16k-2level: VA_BITS 36, no vmemmap (2^40 > 2^36), fixmap aliased', () => {
    const m = createMachine({ arch: 'loongarch64', mode: '16k-2level' });
    expect(markers(m)).toEqual([
      ['PCI I/O start', 0xffff800000008000],
      ['PCI I/O end', 0xffff800002008000],
      ['Modules start', 0xffff800002008000],
      ['Modules end', 0xffff800012008000],
      ['vmalloc() area', 0xffff800012008000],
      ['vmalloc() end', 0xffff800ffe000000], // B + 2^36 - 32M
      ['Fixmap start', 0xffff800ffffd8000], // 0xfffffffffffd8000 mod 2^36
      ['Fixmap end', 0xffff800ffffe0000],
    ]);
    expect(createLoongarch64Dumper(m.initMm, {}, {}).ranges).toEqual([{ start: B, end: 0xffff801000000000 }]);
  });

  it('64k-3level: VA_BITS 55 capped at 2^47, vmemmap 2^38, PMD 512M', () => {
    const m = createMachine({ arch: 'loongarch64', mode: '64k-3level' });
    expect(markers(m)).toEqual([
      ['PCI I/O start', 0xffff800000020000],
      ['PCI I/O end', 0xffff800002020000],
      ['Modules start', 0xffff800002020000],
      ['Modules end', 0xffff800012020000],
      ['vmalloc() area', 0xffff800012020000],
      ['vmalloc() end', 0xffffffbfe0000000], // 2^64 - 2^38 - 2^29
      ['vmemmap start', 0xffffffc000000000],
      ['Fixmap start', 0xfffffffffffc0000],
      ['Fixmap end', 0xfffffffffffe0000],
      ['vmemmap end', TWO64],
    ]);
  });

  it('.config: KFENCE adds ((255 + 1) * 2 + 2) pages after vmemmap', () => {
    const m = createMachine({ arch: 'loongarch64', mode: '16k-3level' });
    const config = parseKernelConfig('CONFIG_16KB_3LEVEL=y\nCONFIG_SPARSEMEM_VMEMMAP=y\nCONFIG_KFENCE=y\n');
    // KFENCE_AREA_SIZE = 514 * 16K = 0x808000; VMALLOC_END = 0xfffffefffe000000 - 0x808000 = 0xfffffefffd7f8000;
    // vmemmap = (VMALLOC_END + 32M) & ~(32M - 1) = 0xfffffefffe000000; KFENCE_AREA_START = vmemmap + 2^40.
    expect(markers(m, { config })).toEqual([
      ['PCI I/O start', 0xffff800000008000],
      ['PCI I/O end', 0xffff800002008000],
      ['Modules start', 0xffff800002008000],
      ['Modules end', 0xffff800012008000],
      ['vmalloc() area', 0xffff800012008000],
      ['vmalloc() end', 0xfffffefffd7f8000],
      ['vmemmap start', 0xfffffefffe000000],
      ['vmemmap end', 0xfffffffffe000000],
      ['kfence start', 0xfffffffffe000000],
      ['kfence end', 0xfffffffffe808000],
      ['Fixmap start', 0xfffffffffffd8000],
      ['Fixmap end', 0xfffffffffffe0000],
    ]);
  });

  it('.config: KASAN halves the vmalloc span and puts the shadow after it (asm/kasan.h)', () => {
    const m = createMachine({ arch: 'loongarch64', mode: '16k-3level' });
    const config = parseKernelConfig('CONFIG_SPARSEMEM_VMEMMAP=y\nCONFIG_KASAN=y\n');
    // VMALLOC_END = B + 2^46 - 32M - 2^40 = 0xffffbefffe000000; vmemmap 0xffffbf0000000000..0xffffc00000000000;
    // KASAN_SHADOW_START = round_up(KFENCE_AREA_END, 2^36) = 0xffffc00000000000;
    // size = 2 * (2^47 >> 3) + (round_up(KFENCE_AREA_END - MODULES_VADDR + 1, 2^36) = 2^46) >> 3 = 0x280000000000;
    // KASAN_SHADOW_END = 0xffffe80000000000.
    expect(markers(m, { config })).toEqual([
      ['PCI I/O start', 0xffff800000008000],
      ['PCI I/O end', 0xffff800002008000],
      ['Modules start', 0xffff800002008000],
      ['Modules end', 0xffff800012008000],
      ['vmalloc() area', 0xffff800012008000],
      ['vmalloc() end', 0xffffbefffe000000],
      ['vmemmap start', 0xffffbf0000000000],
      ['vmemmap end', 0xffffc00000000000],
      ['Kasan shadow start', 0xffffc00000000000],
      ['Kasan shadow end', 0xffffe80000000000],
      ['Fixmap start', 0xfffffffffffd8000],
      ['Fixmap end', 0xfffffffffffe0000],
    ]);
  });

  it('.config without SPARSEMEM_VMEMMAP drops the vmemmap pair', () => {
    const m = createMachine({ arch: 'loongarch64', mode: '16k-3level' });
    const names = markers(m, { config: parseKernelConfig('CONFIG_16KB_3LEVEL=y\n') });
    expect(names.find(([n]) => n === 'vmalloc() end')).toEqual(['vmalloc() end', 0xfffffffffe000000]); // 2^64 - 32M
    expect(names.some(([n]) => n.startsWith('vmemmap'))).toBe(false);
  });

  it('refuses a .config that cannot lay out the kernel half, or that names another mode', () => {
    const m = createMachine({ arch: 'loongarch64', mode: '4k-3level' });
    expectEinval(() => markers(m, { config: parseKernelConfig('CONFIG_4KB_3LEVEL=y\nCONFIG_SPARSEMEM_VMEMMAP=y\n') }), /SPARSEMEM_VMEMMAP.*VMALLOC_END/);
    expectEinval(() => markers(m, { config: parseKernelConfig('CONFIG_16KB_3LEVEL=y\n') }), /CONFIG_16KB_3LEVEL.*4k-3level/);
  });

  it('bases move vm_map_base or one marker; unknown names are refused', () => {
    const m = createMachine({ arch: 'loongarch64', mode: '16k-3level' });
    const moved = markers(m, { bases: { VMALLOC_END: 0xffffa00000000000, 'Fixmap end': 0xfffffffffffe4000 } });
    expect(moved.find(([n]) => n === 'vmalloc() end')).toEqual(['vmalloc() end', 0xffffa00000000000]);
    expect(moved.find(([n]) => n === 'Fixmap end')).toEqual(['Fixmap end', 0xfffffffffffe4000]);
    const based = markers(m, { bases: { vm_map_base: 0xffffc00000000000 } });
    expect(based.slice(0, 2)).toEqual([
      ['PCI I/O start', 0xffffc00000008000],
      ['PCI I/O end', 0xffffc00002008000],
    ]);
    expectEinval(() => markers(m, { bases: { PAGE_OFFSET: 0 } }), /unknown base "PAGE_OFFSET"/);
  });
});

describe('loongarch64 ptdump: note_page()', () => {
  const m = createMachine({ arch: 'loongarch64', mode: '16k-3level' });
  const A = 0xffff800012008000;
  const P = 0x4000;

  function run(calls: [number, number, number, number][]) {
    const lines: string[] = [];
    const ranges: DumpedRange[] = [];
    const st = createLoongarch64Dumper(m.initMm, { markers: [{ start: 0, name: 'all' }] }, { line: (l) => lines.push(l), range: (r) => ranges.push(r) });
    for (const c of calls) st.notePage(...c);
    st.notePage(0, -1, 0, 0);
    return { lines, ranges };
  }

  it('empty kernel ptes (_PAGE_GLOBAL only, kernel_pte_init()) are holes', () => {
    const { lines, ranges } = run([
      [A, 4, 0x40, 0],
      [A + P, 4, 0x40, 0],
      [A + 2 * P, 4, 0x800000 | 0x1d3, 0], // pfn 0x200 (pa 0x800000), PAGE_KERNEL
      [A + 3 * P, 4, 0x40, 0],
    ]);
    expect(lines).toEqual([
      '---[ all ]---',
      '0xffff800012010000-0xffff800012014000    0x0000000000800000        16K PTE V D KERN CC  G P W .. .. .. ....',
    ]);
    expect(ranges.map((r) => [r.start, r.end, r.present])).toEqual([
      [A, A + 2 * P, false],
      [A + 2 * P, A + 3 * P, true],
      [A + 3 * P, A + 4 * P, false],
    ]);
  });

  it('USR, WUC, NR and RPLV columns; a not-present entry with bits left prints with P clear', () => {
    const NR = 1 << 29;
    const RPLV = 1 << 31;
    const { lines, ranges } = run([
      [A, 4, 0x4000 | 0x1 | 0xc | 0x20 | 0x80, NR | RPLV], // V USR WUC P, NR RPLV; pa 0x4000
      [A + P, 4, 0x8000 | 0x2 | 0x100 | 0x40, 0], // kfence-protected: V and P cleared, D W G left
    ]);
    expect(lines).toEqual([
      '---[ all ]---',
      '0xffff800012008000-0xffff80001200c000    0x0000000000004000        16K PTE V . USR  WUC . P . .. NR .. RPLV',
      '0xffff80001200c000-0xffff800012010000    0x0000000000008000        16K PTE . D KERN SUC G . W .. .. .. ....',
    ]);
    expect(ranges[0]).toMatchObject({ user: true, read: false, write: false, exec: true, global: false, flags: ['V', 'USR', 'WUC', 'P', 'NR', 'RPLV'] });
    expect(ranges[1]).toMatchObject({ present: false, write: false, phys: null, flags: ['D', 'KERN', 'SUC', 'G', 'W'] });
  });

  it('the address never splits a range; phys is null when pages are not contiguous', () => {
    const { lines, ranges } = run([
      [A, 4, 0x400000 | 0x1d3, 0],
      [A + P, 4, 0x404000 | 0x1d3, 0],
      [A + 2 * P, 4, 0x900000 | 0x1d3, 0],
    ]);
    expect(lines).toEqual([
      '---[ all ]---',
      '0xffff800012008000-0xffff800012014000    0x0000000000400000        48K PTE V D KERN CC  G P W .. .. .. ....',
    ]);
    expect(ranges[0].phys).toBeNull();
    const contiguous = run([
      [A, 4, 0x400000 | 0x1d3, 0],
      [A + P, 4, 0x404000 | 0x1d3, 0],
    ]);
    expect(contiguous.ranges[0].phys).toBe(0x400000);
  });

  it('sizes go up a unit while divisible by 1024 (%9lu%c)', () => {
    // A 1G run of 32M huge pmds: 0x40000000 >> 10 = 0x100000 K = 1024 M = 1 G.
    const calls: [number, number, number, number][] = [];
    for (let i = 0; i < 32; i++) calls.push([0xffff800040000000 + i * 0x2000000, 3, 0x40000000 + i * 0x2000000 + 0x11d3, 0]);
    calls.push([0xffff800080000000, 3, 0, 0]);
    expect(run(calls).lines[1]).toBe('0xffff800040000000-0xffff800080000000    0x0000000040000000         1G PMD V D KERN CC  H P W HG .. .. ....');
  });
});

describe('loongarch64 ptdump: W+X pass, user address spaces, bad input', () => {
  it('passes when writable pages are NX and executable ones read-only', () => {
    const m = createMachine({ arch: 'loongarch64', mode: '16k-3level' });
    m.initMm.map(0xffff800002008000, 0x1000000, '32K', PAGE_KERNEL_RX);
    m.initMm.map(0xffff800012008000, 0x400000, '64K', PAGE_KERNEL_NX);
    expect(dump(m, { checkWx: true }).st.wx()).toEqual({
      passed: true,
      warningsOmitted: 0,
      wxPages: 0,
      message: 'Checked W+X mappings: passed, no W+X pages found',
      warnings: [],
    });
  });

  it('a user address space (PGDL) walks the lower half', () => {
    const m = createMachine({ arch: 'loongarch64', mode: '16k-3level' });
    const user = m.createUserMm();
    user.map(0x120000000, 0x400000, '16K', { read: true, write: true, user: true, dirty: false, accessed: true });
    const lines: string[] = [];
    const st = createLoongarch64Dumper(user, {}, { line: (l) => lines.push(l) });
    expect(st.ranges).toEqual([{ start: 0, end: 2 ** 47 }]);
    ptdumpWalkPgd(user, st);
    // PLV 3, CC, V D P W, NX (exec false): 0x19f | NX.
    expect(lines).toEqual([
      '---[ User space ]---',
      '0x0000000120000000-0x0000000120004000    0x0000000000400000        16K PTE V D USR  CC  . P W .. .. NX ....',
    ]);
  });

  it('refuses another arch, bad markers and bad bases', () => {
    const rv = createMachine({ arch: 'riscv64', mode: 'sv39' });
    expectEinval(() => createLoongarch64Dumper(rv.initMm, {}, {}), /loongarch64 ptdump on a riscv64 address space/);
    const m = createMachine({ arch: 'loongarch64', mode: '16k-3level' });
    expectEinval(() => createLoongarch64Dumper(m.initMm, { markers: [] }, {}), /non-empty array/);
    expectEinval(() => createLoongarch64Dumper(m.initMm, { markers: [{ start: -1, name: 'x' }] }, {}), /markers\[0\]\.start -1/);
    expectEinval(() => createLoongarch64Dumper(m.initMm, { bases: { FIXADDR_TOP: 1.5 } }, {}), /bases\.FIXADDR_TOP 1\.5/);
  });
});
