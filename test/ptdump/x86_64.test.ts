/**
 * x86-64 ptdump (arch/x86/mm/dump_pagetables.c, Linux 6.1) against the
 * kernel's own output: test/fixtures/kernel-6.1-x86-64-4level (the
 * debugfs page_tables texts of a 6.1.192 kernel and its saved tables) and
 * test/fixtures/x86-64-4level (a Debian 6.1 kernel whose boot-time W+X
 * check passed). Other expected values come from the kernel source
 * (pgtable_64_types.h, fixmap.h, kasan.h, Documentation/x86/x86_64/mm.rst).
 */
import { describe, expect, it } from 'vitest';
import { createMachine, openImage, type Machine } from '../../src/machine.js';
import { loadElfCore } from '../../src/memory/load-image.js';
import { parseKernelConfig, type KernelConfig } from '../../src/ptdump/kernel-config.js';
import { ptdumpWalkPgd } from '../../src/ptdump/ptdump-walk.js';
import type { DumpedRange, PtdumpOptions, WxResult } from '../../src/ptdump/types.js';
import { createX86_64Dumper, x86_64AddressMarkers } from '../../src/ptdump/x86_64.js';
import { fixtureBytes, fixtureText } from '../support/fixtures.js';

const K = 'kernel-6.1-x86-64-4level/';
const INIT_TOP_PGT = 0x181e000; // root.txt: root_init_top_pgt
const CR3 = 0x1b0000; // root.txt: root_cr3 (current_kernel / current_user)
const TWO64 = 2 ** 64;

let image: Machine | undefined;
function kernelImage(): Machine {
  if (image === undefined) {
    const { memory } = loadElfCore(fixtureBytes(K + 'tables.elf.gz'));
    image = openImage(memory, { arch: 'x86-64', mode: '4level', root: INIT_TOP_PGT });
  }
  return image;
}
let cfg: KernelConfig | undefined;
function kernelConfig(): KernelConfig {
  cfg ??= parseKernelConfig(fixtureText(K + 'config.gz'));
  return cfg;
}

interface Dump {
  lines: string[];
  ranges: DumpedRange[];
  wx: WxResult;
}
function dump(m: Machine, root: number, options: PtdumpOptions): Dump {
  const mm = root === m.initMm.root ? m.initMm : m.openMm(root);
  const lines: string[] = [];
  const ranges: DumpedRange[] = [];
  const st = createX86_64Dumper(mm, options, { line: (l) => lines.push(l), range: (r) => ranges.push(r) });
  ptdumpWalkPgd(mm, st);
  return { lines, ranges, wx: st.wx() };
}

let kernelDump: Dump | undefined;
function initMmDump(): Dump {
  kernelDump ??= dump(kernelImage(), INIT_TOP_PGT, { config: kernelConfig() });
  return kernelDump;
}

const hex = (v: number) => '0x' + v.toString(16);

describe('x86-64 ptdump of a 6.1.192 kernel (kernel-6.1-x86-64-4level)', () => {
  it('reproduces /sys/kernel/debug/page_tables/kernel byte for byte (init_top_pgt, the kernel .config)', () => {
    const { lines } = initMmDump();
    expect(lines.join('\n') + '\n').toBe(fixtureText(K + 'kernel-ptdump-kernel.txt'));
  });

  it('reproduces the user half of current_user (CR3 0x1b0000) up to the Kernel Space marker', () => {
    const want = fixtureText(K + 'kernel-ptdump-current_user.txt').split('\n');
    const cut = want.indexOf('---[ Kernel Space ]---');
    expect(cut).toBeGreaterThan(1);
    const { lines } = dump(kernelImage(), CR3, { config: kernelConfig() });
    expect(lines.slice(0, cut + 1)).toEqual(want.slice(0, cut + 1));
  });

  it('passes the W+X check of this kernel (CONFIG_DEBUG_WX=y booted without a warning)', () => {
    const { wx } = initMmDump();
    expect(wx).toEqual({ passed: true, wxPages: 0, message: 'x86/mm: Checked W+X mappings: passed, no W+X pages found.', warnings: [], warningsOmitted: 0 });
  });

  it('closes one DumpedRange per printed line plus the 131059 the ESPfix cap skipped', () => {
    const { lines, ranges } = initMmDump();
    const printed = lines.filter((l) => l.startsWith('0x')).length;
    const skipped = lines.filter((l) => l.startsWith('... ')).map((l) => Number(/^\.\.\. (\d+) entries skipped \.\.\. $/.exec(l)![1]));
    expect(skipped).toEqual([131059]);
    expect(ranges.length).toBe(printed + 131059);
  });

  it('DumpedRanges tile [0, 2^64): the walked ranges exactly, plus the non-canonical gap inside the first line', () => {
    const { ranges } = initMmDump();
    expect(ranges[0].start).toBe(0);
    const gaps = ranges.filter((r, i) => i > 0 && r.start !== ranges[i - 1].end);
    expect(gaps).toEqual([]);
    expect(ranges[ranges.length - 1].end).toBe(TWO64);
    // Walked: [0, 2^47) and [GUARD_HOLE_END_ADDR 0xffff880000000000, 2^64).
    const walked = [[0, 2 ** 47], [0xffff880000000000, TWO64]] as const;
    let covered = 0;
    for (const r of ranges) for (const [s, e] of walked) covered += Math.max(0, Math.min(r.end, e) - Math.max(r.start, s));
    expect(covered).toBe(2 ** 47 + (TWO64 - 0xffff880000000000));
    const sum = ranges.reduce((a, r) => a + (r.end - r.start), 0);
    expect(sum).toBe(covered + (0xffff880000000000 - 2 ** 47)); // the first line spans the gap, as the kernel prints it
  });

  it('DumpedRanges agree with the printed lines (sizes, flags, level names); the unprinted ones are the ESPfix cap', () => {
    const { lines, ranges } = initMmDump();
    const printed = new Map(lines.filter((l) => l.startsWith('0x')).map((l) => [l.slice(0, 18), l]));
    let matched = 0;
    const unprinted: DumpedRange[] = [];
    for (const r of ranges) {
      const l = printed.get('0x' + r.start.toString(16).padStart(16, '0'));
      if (l === undefined) {
        unprinted.push(r);
        continue;
      }
      matched++;
      expect(l.slice(19, 37)).toBe('0x' + (r.end % TWO64).toString(16).padStart(16, '0'));
      expect(l.slice(51).trim().split(/\s+/)).toEqual([...r.flags, r.levelName]);
      expect(r.present).toBe(r.flags.length > 0);
    }
    expect(matched).toBe(printed.size);
    expect(unprinted.length).toBe(131059);
    expect(unprinted.every((r) => r.start >= 0xffffff0000000000 && r.end <= 0xffffffff80000000)).toBe(true);
  });

  it("present DumpedRanges' effective user/write/exec and physical address agree with translate() at their first page", () => {
    const m = kernelImage();
    // Every present range, except that of the ~65,500 one-page ESPfix aliases only every 64th is translated (time).
    const espfix = (r: DumpedRange) => r.start >= 0xffffff0000000000 && r.start < 0xffffff8000000000;
    const present = initMmDump().ranges.filter((r, i) => r.present && (!espfix(r) || i % 64 === 0));
    expect(present.length).toBeGreaterThan(100);
    let withPhys = 0;
    for (const r of present) {
      const t = m.initMm.translate(r.start);
      expect(t.mapped, hex(r.start)).toBe(true);
      expect({ user: r.user, write: r.write, exec: r.exec, read: r.read }, hex(r.start)).toEqual({
        user: t.perms!.user,
        write: t.perms!.write,
        exec: t.perms!.exec,
        read: true,
      });
      if (r.phys !== null) {
        withPhys++;
        expect(t.phys, hex(r.start)).toBe(BigInt(r.phys));
      }
    }
    expect(withPhys).toBeGreaterThan(0);
  });

  it('a physically discontiguous run keeps one line (the kernel ignores the pfn) but gets phys null', () => {
    const m = createMachine({ arch: 'x86-64', mode: '4level' });
    m.initMm.map(0xffffc90000000000, 0x100000, '4K', { write: true });
    m.initMm.map(0xffffc90000001000, 0x300000, '8K', { write: true });
    m.initMm.map(0xffffc90000003000, 0x500000, '8K', {}); // read-only: a new line
    const { lines, ranges } = dump(m, m.initMm.root, {});
    expect(lines).toContain('0xffffc90000000000-0xffffc90000003000          12K     RW                     NX pte');
    expect(lines).toContain('0xffffc90000003000-0xffffc90000005000           8K     ro                     NX pte');
    const present = ranges.filter((r) => r.present);
    expect(present.map((r) => [hex(r.start), r.phys])).toEqual([
      ['0xffffc90000000000', null],
      ['0xffffc90000003000', 0x500000],
    ]);
  });

  it('as it happens, the whole current_user text matches too (no late allocation between the read and the stop)', () => {
    const { lines } = dump(kernelImage(), CR3, { config: kernelConfig() });
    expect(lines.join('\n') + '\n').toBe(fixtureText(K + 'kernel-ptdump-current_user.txt'));
  });

  it('the markers of that .config: no KASAN, no EFI; Fixmap at 0xffffffffff77c000 (the break inside a pte hole)', () => {
    const markers = x86_64AddressMarkers('4level', kernelConfig());
    expect(markers.map((x) => [x.name, hex(x.start)])).toEqual([
      ['User Space', '0x0'],
      ['Kernel Space', '0x8000000000000000'],
      ['LDT remap', '0xffff880000000000'],
      ['Low Kernel Mapping', '0xffff888000000000'],
      ['vmalloc() Area', '0xffffc90000000000'],
      ['Vmemmap', '0xffffea0000000000'],
      ['CPU entry Area', '0xfffffe0000000000'],
      ['ESPfix Area', '0xffffff0000000000'],
      ['High Kernel Mapping', '0xffffffff80000000'],
      ['Modules', '0xffffffffc0000000'],
      ['End Modules', '0xffffffffff000000'],
      ['Fixmap Area', '0xffffffffff77c000'],
    ]);
    expect(markers.find((x) => x.name === 'ESPfix Area')!.maxLines).toBe(16);
  });
});

describe('x86-64 W+X check (ptdump_walk_pgd_level_checkwx)', () => {
  it('passes on the Debian 6.1 kernel of x86-64-4level (init_top_pgt 0x2a10000), as its boot-time check said', () => {
    const { memory } = loadElfCore(fixtureBytes('x86-64-4level/tables.elf.gz'));
    const m = openImage(memory, { arch: 'x86-64', mode: '4level', root: 0x2a10000 });
    const st = createX86_64Dumper(m.initMm, { checkWx: true }, {});
    ptdumpWalkPgd(m.initMm, st);
    const wx = st.wx();
    expect(wx.message).toBe('x86/mm: Checked W+X mappings: passed, no W+X pages found.');
    expect(wx.passed).toBe(true);
    expect(wx.wxPages).toBe(0);
    expect(wx.warnings).toEqual([]);
  });

  it('fails on a hand-built write+exec mapping with the page count and the warning at its start', () => {
    const m = createMachine({ arch: 'x86-64', mode: '4level' });
    m.initMm.map(0xffffc90000000000, 0x100000, '12K', { write: true, exec: true }); // 3 W+X pages
    m.initMm.map(0xffffc90000003000, 0x103000, '4K', { write: true }); // W, NX
    m.initMm.map(0xffffc90000004000, 0x104000, '4K', { exec: true }); // X, read-only
    m.initMm.map(0xffffffff81000000, 0x200000, '2M', { write: true, exec: true }); // 512 W+X pages
    const st = createX86_64Dumper(m.initMm, { checkWx: true }, {});
    ptdumpWalkPgd(m.initMm, st);
    expect(st.wx()).toEqual({
      passed: false,
      warningsOmitted: 0,
      wxPages: 515,
      message: 'x86/mm: Checked W+X mappings: FAILED, 515 W+X pages found.',
      warnings: [
        'x86/mm: Found insecure W+X mapping at address 0xffffc90000000000',
        'x86/mm: Found insecure W+X mapping at address 0xffffffff81000000',
      ],
    });
  });

  it('takes NX from any level: a W+X pte under an NX pmd is not W+X', () => {
    const m = createMachine({ arch: 'x86-64', mode: '4level' });
    m.initMm.map(0xffffc90000000000, 0x100000, '4K', { write: true, exec: true });
    const t = m.initMm.translate(0xffffc90000000000);
    const pmd = t.trace[2]; // pgd, pud, pmd, pte tables (p4d folded)
    expect(pmd.level).toBe('pmd');
    const raw = pmd.raw! | (1n << 63n);
    m.memory.writeBytes(pmd.entryAddress, new Uint8Array(new BigUint64Array([raw]).buffer));
    const st = createX86_64Dumper(m.initMm, { checkWx: true }, {});
    ptdumpWalkPgd(m.initMm, st);
    expect(st.wx().wxPages).toBe(0);
  });
});

describe('x86-64 markers (pgtable_64_types.h, fixmap.h, kasan.h; mm.rst)', () => {
  it('default configuration, 4-level: LDT, EFI, ESPfix on, KASAN off, distro fixmap', () => {
    const markers = x86_64AddressMarkers('4level');
    expect(markers.map((x) => [x.name, hex(x.start)])).toEqual([
      ['User Space', '0x0'],
      ['Kernel Space', '0x8000000000000000'],
      ['LDT remap', '0xffff880000000000'],
      ['Low Kernel Mapping', '0xffff888000000000'],
      ['vmalloc() Area', '0xffffc90000000000'],
      ['Vmemmap', '0xffffea0000000000'],
      ['CPU entry Area', '0xfffffe0000000000'],
      ['ESPfix Area', '0xffffff0000000000'],
      ['EFI Runtime Services', '0xffffffef00000000'],
      ['High Kernel Mapping', '0xffffffff80000000'],
      ['Modules', '0xffffffffc0000000'],
      ['End Modules', '0xffffffffff000000'],
      // VSYSCALL_PAGE 511, DBGP, EARLYCON, APIC (514: where Debian's APIC fixmap sits, x86-64-4level info tlb), 128 IO-APICs, PARAVIRT_XXL, 2 GHES: 646 pages below FIXADDR_TOP
      ['Fixmap Area', hex(0xffffffffff7ff000 - 646 * 4096)],
    ]);
  });

  it('5-level: the L5 bases, LDT at -240 << 48, KASAN shadow from the 56-bit mask', () => {
    const config = parseKernelConfig('CONFIG_KASAN=y\nCONFIG_KASAN_SHADOW_OFFSET=0xdffffc0000000000\nCONFIG_MODIFY_LDT_SYSCALL=y\n');
    const markers = x86_64AddressMarkers('5level', config);
    expect(markers.map((x) => [x.name, hex(x.start)])).toEqual([
      ['User Space', '0x0'],
      ['Kernel Space', '0x8000000000000000'],
      ['LDT remap', '0xff10000000000000'],
      ['Low Kernel Mapping', '0xff11000000000000'],
      ['vmalloc() Area', '0xffa0000000000000'],
      ['Vmemmap', '0xffd4000000000000'],
      ['KASAN shadow', '0xffdffc0000000000'],
      ['KASAN shadow end', '0xfffffc0000000000'],
      ['CPU entry Area', '0xfffffe0000000000'],
      ['High Kernel Mapping', '0xffffffff80000000'],
      ['Modules', '0xffffffffa0000000'], // no RANDOMIZE_BASE: KERNEL_IMAGE_SIZE 512M
      ['End Modules', '0xffffffffff000000'],
      ['Fixmap Area', '0xffffffffff7fd000'], // only the unconditional FIX_DBGP_BASE and FIX_EARLYCON_MEM_BASE
    ]);
  });

  it('4-level KASAN shadow is ffffec0000000000..fffffc0000000000 (mm.rst)', () => {
    const markers = x86_64AddressMarkers('4level', parseKernelConfig('CONFIG_KASAN=y\nCONFIG_KASAN_SHADOW_OFFSET=0xdffffc0000000000\n'));
    expect(markers.filter((x) => x.name.startsWith('KASAN')).map((x) => hex(x.start))).toEqual(['0xffffec0000000000', '0xfffffc0000000000']);
  });

  it('bases override page_offset_base / vmalloc_base / vmemmap_base (a KASLR kernel) and reject unknown names', () => {
    const markers = x86_64AddressMarkers('4level', undefined, {
      page_offset_base: 0xffff9d8000000000,
      vmalloc_base: 0xffffb1c000000000,
      vmemmap_base: 0xffffe3a000000000,
    });
    expect(markers.slice(3, 6).map((x) => [x.name, hex(x.start)])).toEqual([
      ['Low Kernel Mapping', '0xffff9d8000000000'],
      ['vmalloc() Area', '0xffffb1c000000000'],
      ['Vmemmap', '0xffffe3a000000000'],
    ]);
    expect(() => x86_64AddressMarkers('4level', undefined, { page_ofset_base: 0 })).toThrow(/unknown x86-64 ptdump base "page_ofset_base"/);
    expect(() => x86_64AddressMarkers('4level', undefined, { vmalloc_base: -1 })).toThrow(/unsigned 64-bit/);
  });

  it('moving a base through options moves where its marker line is printed', () => {
    const { lines } = dump(kernelImage(), INIT_TOP_PGT, { config: kernelConfig(), bases: { vmemmap_base: 0xffffe90000000000 } });
    const want = fixtureText(K + 'kernel-ptdump-kernel.txt').split('\n');
    const i = want.indexOf('---[ Vmemmap ]---');
    // The kernel's text has vmemmap at 0xffffea...: one pgd-hole line then the marker. At 0xffffe9... it comes one line earlier.
    expect(want[i - 1]).toBe('0xffffe90000000000-0xffffea0000000000           1T                               pgd');
    expect(lines[i - 2]).toBe('0xffffc90040000000-0xffffe90000000000       32767G                               pud');
    expect(lines[i - 1]).toBe('---[ Vmemmap ]---');
    expect(lines[i]).toBe('0xffffe90000000000-0xfffffe0000000000          21T                               pgd');
  });
});

describe('x86-64 5-level dump', () => {
  it('walks [0, 2^56) and [0xff10000000000000, 2^64) and names p4d holes', () => {
    const m = createMachine({ arch: 'x86-64', mode: '5level' });
    m.initMm.map(0xffa0000000000000, 0x100000, '4K', { write: true });
    const st = createX86_64Dumper(m.initMm, {}, {});
    expect(st.ranges).toEqual([
      { start: 0, end: 2 ** 56 },
      { start: 0xff10000000000000, end: TWO64 },
    ]);
    const { lines, ranges } = dump(m, m.initMm.root, {});
    expect(lines).toEqual([
      '---[ User Space ]---',
      '0x0000000000000000-0xff10000000000000       16324P                               pgd',
      '---[ Kernel Space ]---',
      '0xff10000000000000-0xff11000000000000         256T                               pgd',
      '---[ LDT remap ]---',
      '0xff11000000000000-0xff12000000000000         256T                               pgd',
      '---[ Low Kernel Mapping ]---',
      '0xff12000000000000-0xffa0000000000000       36352T                               pgd',
      '---[ vmalloc() Area ]---',
      '0xffa0000000000000-0xffa0000000001000           4K     RW                     NX pte',
      '0xffa0000000001000-0xffa0000000200000        2044K                               pte',
      '0xffa0000000200000-0xffa0000040000000        1022M                               pmd',
      '0xffa0000040000000-0xffa0008000000000         511G                               pud',
      '0xffa0008000000000-0xffa1000000000000      261632G                               p4d',
      '0xffa1000000000000-0xffd4000000000000       13056T                               pgd',
      '---[ Vmemmap ]---',
      '0xffd4000000000000-0x0000000000000000          11P                               pgd',
    ]);
    const page = ranges.find((r) => r.present)!;
    expect(page).toEqual({
      start: 0xffa0000000000000,
      end: 0xffa0000000001000,
      level: 4,
      levelName: 'pte',
      present: true,
      user: false,
      read: true,
      write: true,
      exec: false,
      global: false,
      phys: 0x100000,
      flags: ['RW', 'NX'],
    });
    expect(ranges.map((r) => r.levelName)).toContain('p4d');
  });

  it('rejects an address space of another arch', () => {
    const m = createMachine({ arch: 'riscv64', mode: 'sv39' });
    expect(() => createX86_64Dumper(m.initMm, {}, {})).toThrow(/x86-64 address space/);
  });
});
