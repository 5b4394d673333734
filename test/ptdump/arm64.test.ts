/**
 * arm64 ptdump (arch/arm64/mm/ptdump.c, Linux 6.1). Expected values come
 * from the kernel's own output or are worked out by hand from the 6.1
 * sources, named next to them:
 * - the fixture kernel-6.1-arm64-4k-48 (Linux 6.1.192, 4K pages, 48-bit VA,
 *   CONFIG_RANDOMIZE_BASE=y booted with nokaslr, kpti=0): its
 *   /sys/kernel/debug/kernel_page_tables text, root.txt (swapper_pg_dir,
 *   TCR_EL1), system-map-selected.txt;
 * - arch/arm64/include/asm/memory.h (6.1): PAGE_OFFSET, _PAGE_END(),
 *   VA_BITS_MIN, MODULES_VADDR/END, VMEMMAP_START/SIZE, PCI_IO_START/END,
 *   FIXADDR_TOP, KASAN_SHADOW_END, PAGE_END;
 * - arch/arm64/include/asm/pgtable.h: VMALLOC_START = MODULES_END,
 *   VMALLOC_END = VMEMMAP_START - SZ_256M; asm/kasan.h: _KASAN_SHADOW_START();
 * - arch/arm64/include/asm/fixmap.h (6.1): enum fixed_addresses;
 * - Documentation/arm64/memory.rst (6.1): the 4K/48-bit and 64K/52-bit tables;
 * - arch/arm64/mm/ptdump.c (6.1): pte_bits[], pg_level[], the line format, the
 *   W+X messages.
 */
import { describe, expect, it } from 'vitest';
import { createMachine, openImage } from '../../src/machine.js';
import { loadElfCore } from '../../src/memory/load-image.js';
import type { AddressSpace } from '../../src/mm/address-space.js';
import { PagewalkError } from '../../src/errors.js';
import { arm64AddressMarkers, arm64KernelLayout, createArm64Dumper } from '../../src/ptdump/arm64.js';
import { parseKernelConfig } from '../../src/ptdump/kernel-config.js';
import { ptdumpWalkPgd } from '../../src/ptdump/ptdump-walk.js';
import type { DumpedRange, PtdumpOptions } from '../../src/ptdump/types.js';
import { getArchMode } from '../../src/arch/registry.js';
import { fixtureBytes, fixtureText } from '../support/fixtures.js';

const DIR = 'kernel-6.1-arm64-4k-48/';
const TWO64 = 2 ** 64;

function rootTxt(): { root: number; t1sz: number } {
  const text = fixtureText(DIR + 'root.txt');
  const root = Number(/^root_ttbr1=(0x[0-9a-f]+)/m.exec(text)![1]);
  // TCR_EL1.T1SZ is bits [21:16]; the kernel's vabits_actual = 64 - T1SZ.
  const tcr = BigInt(/TCR_EL1=(0x[0-9a-f]+)/.exec(text)![1]);
  return { root, t1sz: Number((tcr >> 16n) & 0x3fn) };
}

let cached: { mm: AddressSpace; text: string; config: ReturnType<typeof parseKernelConfig> } | undefined;
function fixture() {
  if (cached === undefined) {
    const { memory } = loadElfCore(fixtureBytes(DIR + 'tables.elf.gz'));
    const m = openImage(memory, { arch: 'arm64', mode: '4k-48', root: rootTxt().root });
    const config = parseKernelConfig(fixtureText(DIR + 'config.gz'));
    cached = { mm: m.initMm, text: fixtureText(DIR + 'kernel-ptdump-kernel_page_tables.txt'), config };
  }
  return cached;
}

function dump(mm: AddressSpace, options: PtdumpOptions = {}): { lines: string[]; ranges: DumpedRange[] } {
  const lines: string[] = [];
  const ranges: DumpedRange[] = [];
  const st = createArm64Dumper(mm, options, { line: (l) => lines.push(l), range: (r) => ranges.push(r) });
  ptdumpWalkPgd(mm, st);
  return { lines, ranges };
}

describe('the fixture kernel (6.1.192, 4k-48): kernel_page_tables byte for byte', () => {
  it('root.txt: swapper_pg_dir at 0x40472000, T1SZ 16 (vabits_actual 48)', () => {
    expect(rootTxt()).toEqual({ root: 0x40472000, t1sz: 16 });
  });

  it('reproduces the debugfs text exactly with the kernel .config', () => {
    const { mm, text, config } = fixture();
    const { lines } = dump(mm, { config });
    expect(lines.join('\n') + '\n').toBe(text);
  });

  it('the same with vabits_actual derived from TCR_EL1.T1SZ (the only run-time input of 6.1 markers)', () => {
    const { mm, text, config } = fixture();
    const { t1sz } = rootTxt();
    expect(dump(mm, { config, bases: { TCR_EL1_T1SZ: t1sz } }).lines.join('\n') + '\n').toBe(text);
    expect(dump(mm, { config, bases: { vabits_actual: 64 - t1sz } }).lines.join('\n') + '\n').toBe(text);
  });

  it('nokaslr: the kernel image (_text in System.map) sits at KIMAGE_VADDR = MODULES_END, the start of vmalloc', () => {
    const map = fixtureText(DIR + 'system-map-selected.txt');
    const text = Number('0x' + /^([0-9a-f]+) T _text$/m.exec(map)![1]);
    const layout = arm64KernelLayout(fixture().mm.arch, fixture().config);
    expect(text).toBe(layout.MODULES_END);
    expect(text).toBe(layout.VMALLOC_START);
  });

  it('walks only the TTBR1 half from PAGE_OFFSET: ranges = [{0xffff000000000000, 2^64}]', () => {
    const { mm, config } = fixture();
    const st = createArm64Dumper(mm, { config }, {});
    expect(st.ranges).toEqual([{ start: 0xffff000000000000, end: TWO64 }]);
  });

  it('every line of the text is a marker or one DumpedRange, with the same flags and level name', () => {
    const { mm, config, text } = fixture();
    const { lines, ranges } = dump(mm, { config });
    const rangeLines = lines.filter((l) => !l.startsWith('---['));
    expect(rangeLines.length).toBe(ranges.length);
    expect(text.split('\n').filter((l) => l.startsWith('0x')).length).toBe(ranges.length);
    // The ranges tile [PAGE_OFFSET, 2^64).
    expect(ranges[0].start).toBe(0xffff000000000000);
    expect(ranges[ranges.length - 1].end).toBe(TWO64);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i].start).toBe(ranges[i - 1].end);
    for (let i = 0; i < ranges.length; i++) {
      const cols = rangeLines[i].slice(50).trim().split(/\s+/);
      expect(cols[0]).toBe(ranges[i].levelName);
      expect(cols.slice(1)).toEqual(ranges[i].flags);
    }
    // First line: 2112K of linear map, RW NX SHD AF UXN MEM/NORMAL-TAGGED, at physical 0x40000000 (memstart_addr).
    expect(ranges[0]).toEqual({
      start: 0xffff000000000000,
      end: 0xffff000000210000,
      level: 4,
      levelName: 'PTE',
      present: true,
      user: false,
      read: true,
      write: true,
      exec: false,
      global: true,
      phys: 0x40000000,
      flags: ['RW', 'NX', 'SHD', 'AF', 'UXN', 'MEM/NORMAL-TAGGED'],
    });
    // Last line: the unmapped 2T after vmemmap, printed as ending at 0x0000000000000000.
    expect(ranges[ranges.length - 1]).toMatchObject({ start: 0xfffffe0000000000, end: TWO64, level: 0, levelName: 'PGD', present: false, flags: [] });
  });

  it('DumpedRange permissions and phys agree with translate() at both ends of every range', () => {
    const { mm, config } = fixture();
    const { ranges } = dump(mm, { config });
    let present = 0;
    for (const r of ranges) {
      const first = mm.translate(r.start);
      const last = mm.translate(r.end - 4096);
      if (!r.present) {
        expect(first.mapped).toBe(false);
        continue;
      }
      present++;
      for (const t of [first, last]) {
        expect(t.mapped).toBe(true);
        const p = t.perms!;
        expect({ user: p.user, read: p.read, write: p.write, exec: p.exec, global: p.global }).toEqual({
          user: r.user,
          read: r.read,
          write: r.write,
          exec: r.exec,
          global: r.global,
        });
      }
      if (r.phys !== null) {
        expect(first.phys).toBe(BigInt(r.phys));
        expect(last.phys).toBe(BigInt(r.phys + (r.end - 4096 - r.start)));
      }
    }
    // As many as the kernel's text has lines with flag columns.
    expect(present).toBe(fixture().text.split('\n').filter((l) => /^0x\S+\s+\d+[KMGTPE] \w+ /.test(l)).length);
    // The kernel text, "ro x  SHD AF    CON     UXN    MEM/NORMAL": executable, read-only.
    const textRange = ranges.find((r) => r.start === 0xffff800008010000)!;
    expect(textRange).toMatchObject({ exec: true, write: false, read: true, flags: ['ro', 'x', 'SHD', 'AF', 'CON', 'UXN', 'MEM/NORMAL'] });
    // The fixmap's 2M block: "ro NX SHD AF        BLK UXN    MEM/NORMAL" at the PMD level.
    expect(ranges.find((r) => r.start === 0xfffffbfffdc00000)).toMatchObject({ level: 3, levelName: 'PMD', flags: ['ro', 'NX', 'SHD', 'AF', 'BLK', 'UXN', 'MEM/NORMAL'] });
  });

  it('ptdump_check_wx() of the fixture passes with 6.1\'s boot message, and prints no text', () => {
    const { mm, config } = fixture();
    const lines: string[] = [];
    const ranges: DumpedRange[] = [];
    const st = createArm64Dumper(mm, { config, checkWx: true }, { line: (l) => lines.push(l), range: (r) => ranges.push(r) });
    ptdumpWalkPgd(mm, st);
    expect(st.wx()).toEqual({
      passed: true,
      warningsOmitted: 0,
      wxPages: 0,
      nonUxnPages: 0,
      message: 'Checked W+X mappings: passed, no W+X pages found',
      warnings: [],
    });
    expect(lines).toEqual([]);
    // check_wx's markers are { 0 }, { -1 }: no splits at the layout's markers, so fewer ranges.
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.length).toBeLessThan(dump(mm, { config }).ranges.length);
  });
});

describe('a hand-built kernel address space (createMachine arm64 4k-48)', () => {
  const KERNEL = { read: true, global: true, accessed: true, dirty: true };
  function machine() {
    const m = createMachine({ arch: 'arm64', mode: '4k-48' });
    const mm = m.initMm;
    // Two pages at the start of vmalloc (VMALLOC_START = MODULES_END = 0xffff800008000000):
    // one RW + executable (PXN clear, UXN set as for every kernel page), one read-only with UXN clear.
    mm.map(0xffff800008000000, 0x48000000, 4096, { ...KERNEL, write: true, exec: true });
    mm.map(0xffff800008001000, 0x48001000, 4096, { ...KERNEL, attrs: { uxn: false } });
    return mm;
  }

  it('ptdump_check_wx() fails with 6.1\'s warning text and counts', () => {
    const mm = machine();
    const st = createArm64Dumper(mm, { checkWx: true }, {});
    ptdumpWalkPgd(mm, st);
    expect(st.wx()).toEqual({
      passed: false,
      warningsOmitted: 0,
      wxPages: 1,
      nonUxnPages: 1,
      message: 'Checked W+X mappings: FAILED, 1 W+X pages found, 1 non-UXN pages found',
      warnings: [
        'arm64/mm: Found insecure W+X mapping at address ffff800008000000/0xffff800008000000',
        'arm64/mm: Found non-UXN mapping at address ffff800008001000/0xffff800008001000',
      ],
    });
  });

  it('the text shows the W+X page as "RW x " and the non-UXN page without UXN, in pte_bits[] columns', () => {
    const { lines, ranges } = dump(machine());
    // Format: "0x%016lx-0x%016lx   " "%9lu%c %s" then " %s" per pte_bits[] entry (set/clear strings).
    expect(lines).toContain('0xffff800008000000-0xffff800008001000           4K PTE       RW x  SHD AF            UXN    MEM/NORMAL');
    expect(lines).toContain('0xffff800008001000-0xffff800008002000           4K PTE       ro NX SHD AF                   MEM/NORMAL');
    expect(ranges.find((r) => r.start === 0xffff800008000000)).toMatchObject({ read: true, write: true, exec: true, user: false, global: true, phys: 0x48000000 });
    // Without a .config: the defconfig-like fixmap (GHES 2 slots, KPTI 3 + RELOCATABLE 1): 1 + 1024 + 2 + 2 + 4 = 1033 pages.
    expect(arm64KernelLayout(getArchMode('arm64', '4k-48')).FIXADDR_START).toBe(0xfffffbfffe000000 - 1033 * 4096);
  });

  it('a clean address space passes', () => {
    const m = createMachine({ arch: 'arm64', mode: '4k-48' });
    m.initMm.map(0xffff000000000000, 0x40000000, 4096, { ...KERNEL, write: true });
    const st = createArm64Dumper(m.initMm, { checkWx: true }, {});
    ptdumpWalkPgd(m.initMm, st);
    expect(st.wx()).toMatchObject({ passed: true, message: 'Checked W+X mappings: passed, no W+X pages found' });
  });

  it('the markers print even in a completely empty table, with PGD holes between them', () => {
    const m = createMachine({ arch: 'arm64', mode: '4k-48' });
    const { lines } = dump(m.initMm);
    expect(lines.slice(0, 4)).toEqual([
      '---[ Linear Mapping start ]---',
      // 2^47 bytes = 128T, one hole at the pgd level.
      '0xffff000000000000-0xffff800000000000         128T PGD',
      '---[ Linear Mapping end ]---',
      '---[ Modules start ]---',
    ]);
    // note_page() passes at most two markers per call (one when it closes a range, one after):
    // a 512G pgd hole that crosses three markers leaves the third for the next call.
    const i = lines.indexOf('---[ vmalloc() end ]---');
    expect(lines.slice(i - 1, i + 4)).toEqual([
      '0xffff808000000000-0xfffffc0000000000      126464G PGD',
      '---[ vmalloc() end ]---',
      '---[ Fixmap start ]---',
      '0xfffffc0000000000-0xfffffc8000000000         512G PGD',
      '---[ Fixmap end ]---',
    ]);
    expect(lines[lines.length - 1]).toBe('0xfffffe0000000000-0x0000000000000000           2T PGD');
  });
});

describe('6.1 layouts of the other modes, from the headers', () => {
  const layout = (mode: string, config?: string, bases?: Record<string, number>) =>
    arm64KernelLayout(getArchMode('arm64', mode), config === undefined ? undefined : parseKernelConfig(config), bases);

  it('4k-48 matches Documentation/arm64/memory.rst (6.1, 4KB pages, 4 levels, 48-bit)', () => {
    const l = layout('4k-48');
    expect(l.PAGE_OFFSET).toBe(0xffff000000000000); // kernel logical memory map
    expect(l.MODULES_VADDR).toBe(0xffff800000000000); // modules ffff800000000000..ffff800007ffffff
    expect(l.MODULES_END).toBe(0xffff800008000000);
    expect(l.VMALLOC_START).toBe(0xffff800008000000); // vmalloc ..fffffbffefffffff
    expect(l.VMALLOC_END).toBe(0xfffffbfff0000000); // fixed mappings (top down) from here
    expect(l.FIXADDR_TOP).toBe(0xfffffbfffe000000); // fixed mappings end at fffffbfffdffffff
    expect(l.PCI_IO_START).toBe(0xfffffbfffe800000); // PCI I/O space
    expect(l.PCI_IO_END).toBe(0xfffffbffff800000);
    expect(l.VMEMMAP_START).toBe(0xfffffc0000000000); // vmemmap ..fffffdffffffffff
    expect(l.VMEMMAP_END).toBe(0xfffffe0000000000);
  });

  it('4k-48 fixmap: __end_of_permanent_fixed_addresses of the fixture config is 1031 pages', () => {
    // FIX_HOLE 1 + FDT (MAX_FDT_SIZE + SZ_2M) / 4K = 1024 + EARLYCON + TEXT_POKE0
    // + (no ACPI_APEI_GHES) + UNMAP_KERNEL_AT_EL0 3 + RELOCATABLE 1 = 1031; the text's "Fixmap start".
    const l = arm64KernelLayout(fixture().mm.arch, fixture().config);
    expect(l.fixmapPages).toBe(1031);
    expect(l.FIXADDR_START).toBe(0xfffffbfffdbf9000);
    expect(fixture().text).toContain('---[ Fixmap start ]---\n0xfffffbfffdbf9000-');
  });

  it('64k-52 matches memory.rst (6.1, 64KB pages, 3 levels, 52-bit with 52-bit hardware support)', () => {
    const l = layout('64k-52');
    expect(l.PAGE_OFFSET).toBe(0xfff0000000000000); // kernel logical memory map, ~4PB
    expect(l.PAGE_END).toBe(0xffff800000000000); // _PAGE_END(VA_BITS_MIN = 48)
    expect(l.MODULES_VADDR).toBe(0xffff800000000000);
    expect(l.VMALLOC_START).toBe(0xffff800008000000);
    expect(l.VMALLOC_END).toBe(0xfffffbfff0000000);
    expect(l.PCI_IO_START).toBe(0xfffffbfffe800000);
    expect(l.VMEMMAP_START).toBe(0xfffffc0000000000);
    expect(l.VMEMMAP_END).toBe(0xffffffe000000000); // vmemmap ..ffffffdfffffffff, then a 128GB guard
  });

  it('16k-47 by hand', () => {
    // VA_BITS 47, PAGE_SHIFT 14: PAGE_OFFSET = -(2^47); _PAGE_END(47) = -(2^46);
    // VMEMMAP_SHIFT = 14 - 6 = 8, VMEMMAP_START = -(2^39), VMEMMAP_SIZE = 2^46 >> 8 = 2^38;
    // fixmap without a .config: 1 + 4M/16K (256) + 2 + GHES 2 + KPTI 3 + RELOCATABLE 1 = 265 pages = 0x424000.
    const l = layout('16k-47');
    expect(l.CONFIG_PGTABLE_LEVELS).toBe(3);
    expect(arm64AddressMarkers(l).map((m) => [m.name, '0x' + m.start.toString(16)])).toEqual([
      ['Linear Mapping start', '0xffff800000000000'],
      ['Linear Mapping end', '0xffffc00000000000'],
      ['Modules start', '0xffffc00000000000'],
      ['Modules end', '0xffffc00008000000'],
      ['vmalloc() area', '0xffffc00008000000'],
      ['vmalloc() end', '0xffffff7ff0000000'],
      ['Fixmap start', '0xffffff7ffdbdc000'],
      ['Fixmap end', '0xffffff7ffe000000'],
      ['PCI I/O start', '0xffffff7ffe800000'],
      ['PCI I/O end', '0xffffff7fff800000'],
      ['vmemmap start', '0xffffff8000000000'],
      ['vmemmap end', '0xffffffc000000000'],
    ]);
  });

  it('64k-42 by hand', () => {
    // VA_BITS 42, PAGE_SHIFT 16: PAGE_OFFSET = -(2^42); _PAGE_END(42) = -(2^41);
    // VMEMMAP_SHIFT = 10, VMEMMAP_START = -(2^32), VMEMMAP_SIZE = 2^41 >> 10 = 2^31;
    // fixmap: 1 + 4M/64K (64) + 2 + 2 + 4 = 73 pages = 0x490000.
    const l = layout('64k-42');
    expect(l.CONFIG_PGTABLE_LEVELS).toBe(2);
    expect(arm64AddressMarkers(l).map((m) => '0x' + m.start.toString(16))).toEqual([
      '0xfffffc0000000000',
      '0xfffffe0000000000',
      '0xfffffe0000000000',
      '0xfffffe0008000000',
      '0xfffffe0008000000',
      '0xfffffffef0000000',
      '0xfffffffefdb70000',
      '0xfffffffefe000000',
      '0xfffffffefe800000',
      '0xfffffffeff800000',
      '0xffffffff00000000',
      '0xffffffff80000000',
    ]);
  });

  it('every mode gives markers in ascending order inside the kernel half', () => {
    for (const mode of ['4k-39', '4k-48', '4k-52', '16k-36', '16k-47', '16k-48', '16k-52', '64k-42', '64k-48', '64k-52']) {
      const geo = getArchMode('arm64', mode);
      const markers = arm64AddressMarkers(arm64KernelLayout(geo));
      expect(markers[0].start).toBe(TWO64 - 2 ** geo.vaBits);
      for (let i = 1; i < markers.length; i++) expect(markers[i].start).toBeGreaterThanOrEqual(markers[i - 1].start);
    }
  });

  it('KASAN_GENERIC / KASAN_SW_TAGS add the shadow markers (memory.rst: [ffff600000000000 ffff7fffffffffff] 32TB)', () => {
    // KASAN_SHADOW_END = 2^61 + 0xdfff800000000000 = 0xffff800000000000;
    // PAGE_END = KASAN_SHADOW_START = KASAN_SHADOW_END - 2^(48 - 3).
    const generic = arm64AddressMarkers(layout('4k-48', 'CONFIG_KASAN=y\nCONFIG_KASAN_GENERIC=y\nCONFIG_KASAN_SHADOW_OFFSET=0xdfff800000000000\n'));
    expect(generic.slice(0, 5).map((m) => [m.name, '0x' + m.start.toString(16)])).toEqual([
      ['Linear Mapping start', '0xffff000000000000'],
      ['Linear Mapping end', '0xffff600000000000'],
      ['Kasan shadow start', '0xffff600000000000'],
      ['Kasan shadow end', '0xffff800000000000'],
      ['Modules start', '0xffff800000000000'],
    ]);
    // SW_TAGS: scale 4, offset default 0xefff800000000000 (Kconfig): end 2^60 + offset, start end - 2^44.
    const tags = arm64AddressMarkers(layout('4k-48', 'CONFIG_KASAN=y\nCONFIG_KASAN_SW_TAGS=y\n'));
    expect(tags[2]).toEqual({ start: 0xffff700000000000, name: 'Kasan shadow start' });
    expect(tags[3]).toEqual({ start: 0xffff800000000000, name: 'Kasan shadow end' });
  });

  it('64k-52 KASAN depends on vabits_actual (memory.rst: [fffd800000000000 ffff7fffffffffff] 512TB; 48-bit hardware: 32TB)', () => {
    const cfg = 'CONFIG_KASAN=y\nCONFIG_KASAN_GENERIC=y\n';
    expect(layout('64k-52', cfg).KASAN_SHADOW_START).toBe(0xfffd800000000000);
    expect(layout('64k-52', cfg, { vabits_actual: 48 }).KASAN_SHADOW_START).toBe(0xffff600000000000);
    expect(layout('64k-52', cfg, { TCR_EL1_T1SZ: 16 }).PAGE_END).toBe(0xffff600000000000);
  });

  it('bases override a macro (and what derives from it) or a marker by name', () => {
    const l = layout('4k-48', undefined, { VMEMMAP_START: 0xfffffc0000000000 - 2 ** 30 });
    expect(l.VMALLOC_END).toBe(0xfffffc0000000000 - 2 ** 30 - 2 ** 28);
    const m = arm64AddressMarkers(layout('4k-48'), { 'vmemmap start': 0xfffffc0000100000 });
    expect(m.find((x) => x.name === 'vmemmap start')!.start).toBe(0xfffffc0000100000);
    expect(() => layout('4k-48', undefined, { memstart_addr: 0x40000000 })).toThrow(PagewalkError);
  });

  it('a .config of another VA size is refused', () => {
    expect(() => layout('16k-47', 'CONFIG_ARM64_VA_BITS=48\nCONFIG_ARM64_PAGE_SHIFT=12\n')).toThrow(/not arm64 16k-47/);
  });
});

describe('pg_level[] names of 6.1: folded levels named as the level they fold into', () => {
  const RW = { read: true, write: true, global: true, accessed: true, dirty: true };

  it('4k-39 (3 levels): a 1G block in the top table is noted at level 2 and printed "PGD"', () => {
    const m = createMachine({ arch: 'arm64', mode: '4k-39' });
    m.initMm.map(0xffffff8000000000, 0x40000000, '1G', RW, { pageSize: '1G' });
    const { lines, ranges } = dump(m.initMm);
    expect(lines.slice(0, 3)).toEqual([
      '---[ Linear Mapping start ]---',
      '0xffffff8000000000-0xffffff8040000000           1G PGD       RW NX SHD AF        BLK UXN    MEM/NORMAL',
      // A hole in the same table is reported at depth 0: another line, also "PGD".
      '0xffffff8040000000-0xffffffc000000000         255G PGD',
    ]);
    expect(ranges[0]).toMatchObject({ level: 2, levelName: 'PGD', phys: 0x40000000 });
    expect(ranges[1]).toMatchObject({ level: 0, levelName: 'PGD', present: false });
  });

  it('64k-42 (2 levels): a 512M block at the pmd level prints "PGD", a page "PTE"', () => {
    const m = createMachine({ arch: 'arm64', mode: '64k-42' });
    m.initMm.map(0xfffffc0000000000, 0x40000000, '512M', RW, { pageSize: '512M' });
    m.initMm.map(0xfffffe0008000000, 0x48000000, '64K', { ...RW, write: false });
    const { lines } = dump(m.initMm);
    expect(lines[1]).toBe('0xfffffc0000000000-0xfffffc0020000000         512M PGD       RW NX SHD AF        BLK UXN    MEM/NORMAL');
    expect(lines).toContain('0xfffffe0008000000-0xfffffe0008010000          64K PTE       ro NX SHD AF            UXN    MEM/NORMAL');
  });

  it('16k-48 (4 levels): PUD and PMD names', () => {
    const m = createMachine({ arch: 'arm64', mode: '16k-48' });
    m.initMm.map(0xffff000000000000, 0x40000000, '32M', RW, { pageSize: '32M' });
    const { ranges } = dump(m.initMm);
    expect(ranges[0]).toMatchObject({ level: 3, levelName: 'PMD', end: 0xffff000002000000 });
    expect(ranges.some((r) => r.levelName === 'PUD')).toBe(true);
  });
});

describe('options', () => {
  it('options.markers replaces address_markers[]', () => {
    const m = createMachine({ arch: 'arm64', mode: '4k-48' });
    const { lines } = dump(m.initMm, { markers: [{ start: 0xffff000000000000, name: 'all' }, { start: 0xffff800000000000, name: 'upper' }] });
    expect(lines).toEqual([
      '---[ all ]---',
      '0xffff000000000000-0xffff800000000000         128T PGD',
      '---[ upper ]---',
      '0xffff800000000000-0x0000000000000000         128T PGD',
    ]);
  });

  it('refuses an address space of another arch', () => {
    const m = createMachine({ arch: 'x86-64', mode: '4level' });
    expect(() => createArm64Dumper(m.initMm, {}, {})).toThrow(PagewalkError);
  });
});
