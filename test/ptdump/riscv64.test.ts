/**
 * The riscv64 dumper (arch/riscv/mm/ptdump.c) against the kernel's own text
 * (test/fixtures/kernel-6.1-riscv-sv39: Linux 6.1.192 in Sv39 under
 * QEMU 7.2), QEMU's `info mem` of the same tables, and layouts and lines
 * worked out by hand from the 6.1 headers (pgtable.h, kasan.h, page.h,
 * Documentation/riscv/vm-layout.rst) and from mainline's ptdump.c.
 */
import { describe, expect, it } from 'vitest';
import { createMachine, openImage } from '../../src/machine.js';
import { loadElfCore } from '../../src/memory/load-image.js';
import type { AddressSpace } from '../../src/mm/address-space.js';
import { KernelConfig, parseKernelConfig } from '../../src/ptdump/kernel-config.js';
import { ptdumpWalkPgd } from '../../src/ptdump/ptdump-walk.js';
import {
  createRiscv64Dumper,
  riscv64Layout,
  riscv64LevelNames,
  type Riscv64PtdumpOptions,
} from '../../src/ptdump/riscv64.js';
import type { DumpedRange } from '../../src/ptdump/types.js';
import { fixtureBytes, fixtureText } from '../support/fixtures.js';

const DIR = 'kernel-6.1-riscv-sv39/';
/** root.txt: swapper_pg_dir VA 0xffffffff80a9e000 - _start + load address 0x80200000. */
const SWAPPER = 0x80c9e000;
/** system-map-selected.txt: `ffffffff80acf000 B _end`. */
const END_SYMBOL = 0xffffffff80acf000;
const TWO64 = 2 ** 64;

const config = parseKernelConfig(fixtureText(DIR + 'config.gz'));
const kernelText = fixtureText(DIR + 'kernel-ptdump-kernel_page_tables.txt');
let fixtureMm: AddressSpace | undefined;

function fixture(): AddressSpace {
  if (fixtureMm === undefined) {
    const { memory } = loadElfCore(fixtureBytes(DIR + 'tables.elf.gz'));
    fixtureMm = openImage(memory, { arch: 'riscv64', mode: 'sv39', root: SWAPPER }).initMm;
  }
  return fixtureMm;
}

function dump(mm: AddressSpace, options: Riscv64PtdumpOptions = {}) {
  const lines: string[] = [];
  const ranges: DumpedRange[] = [];
  const st = createRiscv64Dumper(mm, options, { line: (l) => lines.push(l), range: (r) => ranges.push(r) });
  ptdumpWalkPgd(mm, st);
  return { lines, ranges, text: lines.join('\n') + '\n', st };
}

function kernelMm(mode: 'sv39' | 'sv48' | 'sv57'): AddressSpace {
  return createMachine({ arch: 'riscv64', mode }).initMm;
}

const hex = (v: number) => '0x' + v.toString(16).padStart(16, '0');

describe('riscv64 ptdump: the 6.1.192 Sv39 fixture', () => {
  it('reproduces /sys/kernel/debug/kernel_page_tables byte for byte', () => {
    expect(dump(fixture(), { config }).text).toBe(kernelText);
  });

  it("prints the same text with mainline's level names: Sv39 has only PMD and PTE leaves here", () => {
    // mainline ptdump_init(): pg_level[1] = l5 ? "P4D" : "PGD", pg_level[2] = l4 ? "PUD" : "PGD";
    // pg_level[3] stays "PMD" (CONFIG_PGTABLE_LEVELS 5 > 2), pg_level[4] "PTE".
    expect(riscv64LevelNames('sv39', 'in-use', config)).toEqual(['PGD', 'PGD', 'PGD', 'PMD', 'PTE']);
    const { text, ranges } = dump(fixture(), { config, levelNames: 'in-use' });
    expect(text).toBe(kernelText);
    expect(new Set(ranges.filter((r) => r.present).map((r) => r.levelName))).toEqual(new Set(['PMD', 'PTE']));
  });

  it("mainline's flag columns (N, MT, RSW(n)) on the first fixture line", () => {
    const { lines } = dump(fixture(), { config, flagColumns: 'current' });
    // " %s" of N "." , MT "  ..  ", RSW "  ..  ", then D A G U X W R V.
    expect(lines[1]).toBe('0xffffffc6fec00000-0xffffffc6ff000000    0x000000008fe00000         4M PMD .   ..     ..   D A G . . W R V');
    expect(lines.length).toBe(kernelText.split('\n').length - 1);
  });

  it('reports every closed range, present or not, tiling [KERN_VIRT_START, 2^64)', () => {
    const { ranges, lines } = dump(fixture(), { config });
    expect(ranges[0].start).toBe(0xffffffc000000000);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i].start).toBe(ranges[i - 1].end);
    expect(ranges[ranges.length - 1].end).toBe(TWO64);
    const printed = ranges.filter((r) => r.flags.length > 0);
    expect(printed.length).toBe(lines.filter((l) => l.startsWith('0x')).length);
    const text = printed.find((r) => r.start === 0xffffffff80000000)!;
    expect(text).toEqual({
      start: 0xffffffff80000000,
      end: 0xffffffff80200000,
      level: 3,
      levelName: 'PMD',
      present: true,
      user: false,
      read: true,
      write: false,
      exec: true,
      global: true,
      phys: 0x80200000,
      flags: ['D', 'A', 'G', 'X', 'R', 'V'],
    });
  });

  it('does not split a line where physical addresses stop being contiguous; phys is null there', () => {
    const { ranges, lines } = dump(fixture(), { config });
    // QEMU info mem: ffffffc800638000 -> 81033000 (3 pages), ffffffc80063b000 -> 81044000 (1 page).
    expect(lines).toContain('0xffffffc800638000-0xffffffc80063c000    0x0000000081033000        16K PTE     D A G . . W R V');
    expect(ranges.find((r) => r.start === 0xffffffc800638000)!.phys).toBeNull();
    expect(ranges.find((r) => r.start === 0xffffffc800630000)!.phys).toBe(0x8102d000);
  });

  it("agrees with QEMU's info mem of the satp root, whose kernel half is swapper's", () => {
    // target/riscv/monitor.c mem_info_svxx: "vaddr paddr size attr", attr = r w x u g a d;
    // a QEMU line also ends at every page-table boundary and at every physical discontinuity.
    const qemu = fixtureText(DIR + 'qemu-info-mem.txt.gz')
      .split('\n')
      .slice(2)
      .filter((l) => l.trim() !== '')
      .map((l) => {
        const [va, pa, size, attr] = l.trim().split(/\s+/);
        return { va: Number('0x' + va), pa: Number('0x' + pa), size: Number('0x' + size), attr };
      })
      .filter((q) => q.va >= 0xffffffc000000000);
    const { ranges } = dump(fixture(), { config });
    const present = ranges.filter((r) => r.present);
    const letters = (r: DumpedRange) =>
      [['R', 'r'], ['W', 'w'], ['X', 'x'], ['U', 'u'], ['G', 'g'], ['A', 'a'], ['D', 'd']]
        .map(([f, l]) => (r.flags.includes(f) ? l : '-'))
        .join('');
    let q = 0;
    for (const r of present) {
      const line = kernelText.split('\n').find((l) => l.startsWith(hex(r.start) + '-'))!;
      const printedPa = Number(line.split(/\s+/)[1]);
      expect(qemu[q].va).toBe(r.start);
      expect(qemu[q].pa).toBe(printedPa);
      let va = r.start;
      let contiguous = true;
      while (va < r.end) {
        const e = qemu[q++];
        expect(e.va).toBe(va);
        expect(e.attr).toBe(letters(r));
        if (e.pa !== printedPa + (va - r.start)) contiguous = false;
        va += e.size;
      }
      expect(va).toBe(r.end);
      expect(r.phys).toBe(contiguous ? printedPa : null);
    }
    expect(q).toBe(qemu.length);
  });

  it('W+X check passes on the fixture, in ptdump_check_wx() words', () => {
    const st = createRiscv64Dumper(fixture(), { config, checkWx: true }, {});
    ptdumpWalkPgd(fixture(), st);
    expect(st.wx()).toEqual({ passed: true, wxPages: 0, message: 'Checked W+X mappings: passed, no W+X pages found', warnings: [], warningsOmitted: 0 });
  });
});

describe('riscv64 ptdump: markers of ptdump_init(), by hand from the 6.1 headers', () => {
  it('Sv39 with the fixture config (FLATMEM, no KASAN) and System.map _end', () => {
    const l = riscv64Layout('sv39', { config, bases: { _end: END_SYMBOL } });
    expect(l.ranges).toEqual([{ start: 0xffffffc000000000, end: TWO64 }]);
    expect(l.markers).toEqual([
      { start: 0xffffffc6fea00000, name: 'Fixmap start' }, // PCI_IO_START - (PMD_SIZE + FIX_FDT_SIZE 4M)
      { start: 0xffffffc6ff000000, name: 'Fixmap end' },
      { start: 0xffffffc6ff000000, name: 'PCI I/O start' },
      { start: 0xffffffc700000000, name: 'PCI I/O end' }, // VMEMMAP_START = VMALLOC_START - 2^(39-12-1+6)
      { start: 0xffffffc800000000, name: 'vmalloc() area' }, // PAGE_OFFSET_L3 - (256 * 1G / 2) / 2
      { start: 0xffffffd800000000, name: 'vmalloc() end' },
      { start: 0xffffffd800000000, name: 'Linear mapping' },
      { start: 0xffffffff00acf000, name: 'Modules/BPF mapping' }, // PFN_ALIGN(_end) - 2G
      { start: 0xffffffff80000000, name: 'Kernel mapping' },
    ]);
  });

  it('Sv48 with SPARSEMEM_VMEMMAP and KASAN (vm-layout.rst: kasan at ffffef8000000000)', () => {
    const cfg = parseKernelConfig('CONFIG_64BIT=y\nCONFIG_SPARSEMEM_VMEMMAP=y\nCONFIG_KASAN=y\n');
    const l = riscv64Layout('sv48', { config: cfg });
    expect(l.ranges).toEqual([{ start: 0xffff800000000000, end: TWO64 }]); // -2^48 + 2^47
    expect(l.markers.map((m) => [hex(m.start), m.name])).toEqual([
      ['0xffff8d7ffea00000', 'Fixmap start'],
      ['0xffff8d7fff000000', 'Fixmap end'],
      ['0xffff8d7fff000000', 'PCI I/O start'],
      ['0xffff8d8000000000', 'PCI I/O end'],
      ['0xffff8d8000000000', 'vmemmap start'], // VMALLOC_START - 2^(48-12-1+6) = - 2T
      ['0xffff8f8000000000', 'vmemmap end'],
      ['0xffff8f8000000000', 'vmalloc() area'], // PAGE_OFFSET_L4 - 32T
      ['0xffffaf8000000000', 'vmalloc() end'],
      ['0xffffaf8000000000', 'Linear mapping'],
      ['0xffffef8000000000', 'Kasan shadow start'], // (0xffffffff00000000 - 2^44) & ~(512G - 1)
      ['0xffffffff00000000', 'Kasan shadow end'],
      ['0xffffffff00000000', 'Modules/BPF mapping'], // default _end: the kernel's start
      ['0xffffffff80000000', 'Kernel mapping'],
    ]);
  });

  it('Sv57 with SPARSEMEM_VMEMMAP and KASAN (vm-layout.rst: kasan at ffdf000000000000)', () => {
    const cfg = parseKernelConfig('CONFIG_SPARSEMEM_VMEMMAP=y\nCONFIG_KASAN=y\n');
    const l = riscv64Layout('sv57', { config: cfg, bases: { 'kernel_map.virt_addr': 0xffffffff80200000 } });
    expect(l.ranges).toEqual([{ start: 0xff00000000000000, end: TWO64 }]); // -2^57 + 2^56
    expect(l.markers.map((m) => hex(m.start))).toEqual([
      '0xff1bfffffea00000',
      '0xff1bffffff000000',
      '0xff1bffffff000000',
      '0xff1c000000000000', // VMALLOC_START - 2^(57-12-1+6) = - 1P
      '0xff1c000000000000',
      '0xff20000000000000', // PAGE_OFFSET_L5 - 16P
      '0xff20000000000000',
      '0xff60000000000000',
      '0xff60000000000000',
      '0xffdf000000000000', // (0xffffffff00000000 - 2^53) & ~(256T - 1)
      '0xffffffff00000000',
      '0xffffffff00200000', // PFN_ALIGN(_end = virt_addr) - 2G
      '0xffffffff80200000',
    ]);
  });

  it('without a config: the defconfig assumption (vmemmap pair, no KASAN); bases by marker name; options.markers', () => {
    expect(riscv64Layout('sv39').markers.map((m) => m.name)).toEqual([
      'Fixmap start', 'Fixmap end', 'PCI I/O start', 'PCI I/O end', 'vmemmap start', 'vmemmap end',
      'vmalloc() area', 'vmalloc() end', 'Linear mapping', 'Modules/BPF mapping', 'Kernel mapping',
    ]);
    const l = riscv64Layout('sv39', { bases: { 'Kernel mapping': 0xffffffff90000000, PAGE_OFFSET: 0xffffffe000000000 } });
    expect(l.markers.find((m) => m.name === 'Kernel mapping')!.start).toBe(0xffffffff90000000);
    expect(l.markers.find((m) => m.name === 'vmalloc() area')!.start).toBe(0xffffffd000000000); // derived from PAGE_OFFSET
    const { lines } = dump(kernelMm('sv39'), { markers: [{ start: 0, name: 'Everything' }] });
    expect(lines).toEqual(['---[ Everything ]---']);
  });

  it('rejects unknown bases, empty markers and unknown level namings', () => {
    const mm = kernelMm('sv39');
    expect(() => createRiscv64Dumper(mm, { bases: { page_offset_base: 0 } }, {})).toThrow(/unknown base "page_offset_base"/);
    expect(() => createRiscv64Dumper(mm, { bases: { PAGE_OFFSET: -1 } }, {})).toThrow(/must be an integer address/);
    expect(() => createRiscv64Dumper(mm, { markers: [] }, {})).toThrow(/non-empty/);
    expect(() => createRiscv64Dumper(mm, { levelNames: 'linux-5' as 'in-use' }, {})).toThrow(/levelNames/);
  });
});

describe('riscv64 ptdump: hand-built tables', () => {
  it('Sv48: markers as the walk passes them; the flush (address 0) prints no more markers', () => {
    const mm = kernelMm('sv48');
    mm.map(0xffff8f8000000000, 0x80001000, 0x1000, { write: true, global: true });
    mm.map(0xffffaf8000000000, 0x40000000, '1G', { write: true, global: true }, { pageSize: '1G' });
    expect(dump(mm).lines).toEqual([
      '---[ Fixmap start ]---',
      '---[ Fixmap end ]---',
      '---[ PCI I/O start ]---',
      '---[ PCI I/O end ]---',
      '---[ vmemmap start ]---',
      '---[ vmemmap end ]---',
      '---[ vmalloc() area ]---',
      '0xffff8f8000000000-0xffff8f8000001000    0x0000000080001000         4K PTE     D A G . . W R V',
      '---[ vmalloc() end ]---',
      '---[ Linear mapping ]---',
      '0xffffaf8000000000-0xffffaf8040000000    0x0000000040000000         1G PUD     D A G . . W R V',
    ]);
  });

  it('level names of an Sv39 1G leaf: PUD in 6.1.0 (5-level table), PGD after e59e5e2754bf', () => {
    const mm = kernelMm('sv39');
    mm.map(0xffffffd800000000, 0x80000000, '1G', { write: true, global: true }, { pageSize: '1G' });
    const line = (naming: 'five-level' | 'in-use') => dump(mm, { levelNames: naming }).lines.find((l) => l.startsWith('0x'));
    expect(line('five-level')).toBe('0xffffffd800000000-0xffffffd840000000    0x0000000080000000         1G PUD     D A G . . W R V');
    expect(line('in-use')).toBe('0xffffffd800000000-0xffffffd840000000    0x0000000080000000         1G PGD     D A G . . W R V');
    expect(riscv64LevelNames('sv48', 'in-use')).toEqual(['PGD', 'PGD', 'PUD', 'PMD', 'PTE']);
    expect(riscv64LevelNames('sv57', 'in-use')).toEqual(['PGD', 'P4D', 'PUD', 'PMD', 'PTE']);
    expect(riscv64LevelNames('sv39', 'five-level')).toEqual(['PGD', 'P4D', 'PUD', 'PMD', 'PTE']);
  });

  it('W+X fails on an RWX kernel mapping; one warning although a marker splits the lines', () => {
    const mm = kernelMm('sv39');
    mm.map(0xffffffff7fffe000, 0x80400000, 0x4000, { write: true, exec: true, global: true });
    const lines: string[] = [];
    const st = createRiscv64Dumper(mm, { checkWx: true }, { line: (l) => lines.push(l) });
    ptdumpWalkPgd(mm, st);
    expect(lines.slice(-3)).toEqual([
      '0xffffffff7fffe000-0xffffffff80000000    0x0000000080400000         8K PTE     D A G . X W R V',
      '---[ Kernel mapping ]---',
      '0xffffffff80000000-0xffffffff80002000    0x0000000080402000         8K PTE     D A G . X W R V',
    ]);
    expect(st.wx()).toEqual({
      passed: false,
      warningsOmitted: 0,
      wxPages: 4,
      message: 'Checked W+X mappings: failed, 4 W+X pages found',
      warnings: ['riscv/mm: Found insecure W+X mapping at address ffffffff7fffe000/0xffffffff7fffe000'],
    });
  });

  it("RSW, Svpbmt and Svnapot bits: 6.1's columns and compare mask, then mainline's", () => {
    const mm = kernelMm('sv39');
    const k = { write: true, global: true };
    mm.map(0xffffffc800000000, 0x10000000, 0x1000, { ...k, attrs: { pbmt: 'IO' } });
    mm.map(0xffffffc800001000, 0x80001000, 0x1000, { ...k, attrs: { rsw: 1 } });
    mm.map(0xffffffc800002000, 0x80002000, 0x1000, { ...k, attrs: { rsw: 3 } });
    mm.map(0xffffffc800010000, 0x80010000, 0x10000, { ...k, attrs: { napot: true } });
    const data = (o: Riscv64PtdumpOptions) => dump(mm, o).lines.filter((l) => l.startsWith('0x'));
    // 6.1: RSW only when both bits are set (.val == mask), else 3 spaces; MT and N neither printed
    // nor compared; pte_pfn() keeps the NAPOT size bit (ppn 0x80010 | 0b1000).
    expect(data({})).toEqual([
      '0xffffffc800000000-0xffffffc800001000    0x0000000010000000         4K PTE     D A G . . W R V',
      '0xffffffc800001000-0xffffffc800002000    0x0000000080001000         4K PTE     D A G . . W R V',
      '0xffffffc800002000-0xffffffc800003000    0x0000000080002000         4K PTE RSW D A G . . W R V',
      '0xffffffc800010000-0xffffffc800020000    0x0000000080018000        64K PTE     D A G . . W R V',
    ]);
    // mainline: N, MT(%s) with NC/IO/??, RSW(%d); pte_pfn() of a NAPOT pte is res & (res - 1).
    expect(data({ flagColumns: 'current' })).toEqual([
      '0xffffffc800000000-0xffffffc800001000    0x0000000010000000         4K PTE . MT(IO)   ..   D A G . . W R V',
      '0xffffffc800001000-0xffffffc800002000    0x0000000080001000         4K PTE .   ..   RSW(1) D A G . . W R V',
      '0xffffffc800002000-0xffffffc800003000    0x0000000080002000         4K PTE .   ..   RSW(3) D A G . . W R V',
      '0xffffffc800010000-0xffffffc800020000    0x0000000080010000        64K PTE N   ..     ..   D A G . . W R V',
    ]);
  });

  it('an empty config object behaves as a .config with nothing set (no vmemmap, no KASAN)', () => {
    expect(riscv64Layout('sv39', { config: new KernelConfig() }).markers.map((m) => m.name)).not.toContain('vmemmap start');
  });
});
