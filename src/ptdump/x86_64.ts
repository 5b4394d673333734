/**
 * x86-64 ptdump: arch/x86/mm/dump_pagetables.c of Linux 6.1 (its
 * `struct pg_state`, note_page(), effective_prot(), printk_prot(),
 * note_wx(), address_markers[] and pt_dump_init()), for 4-level (LA48) and
 * 5-level (LA57) paging, driven by the generic walk of mm/ptdump.c
 * (ptdumpWalkPgd).
 *
 * Sources read (6.1 era; the file's generic-ptdump form, 5.8..6.9, is the
 * same in 6.1 and 6.6): arch/x86/mm/dump_pagetables.c,
 * arch/x86/include/asm/pgtable_64_types.h (GUARD_HOLE_*, LDT_BASE_ADDR,
 * __VMALLOC_BASE_L4/L5, __VMEMMAP_BASE_L4/L5, MODULES_VADDR/END,
 * ESPFIX_BASE_ADDR, CPU_ENTRY_AREA_BASE, EFI_VA_END), page_64_types.h
 * (__PAGE_OFFSET_BASE_L4/L5, __START_KERNEL_map, KERNEL_IMAGE_SIZE),
 * fixmap.h (FIXADDR_TOP, enum fixed_addresses, FIXADDR_START), kasan.h
 * (KASAN_SHADOW_START/END), Documentation/x86/x86_64/mm.rst.
 *
 * What the text reproduces, byte for byte, as the kernel's debugfs files
 * (/sys/kernel/debug/page_tables/{kernel,current_kernel,current_user}) show:
 * - a line ends where `val & PTE_FLAGS_MASK` changes (so A, D and software
 *   bits split lines although no column shows them), where the effective
 *   protection (RW and USR ANDed, NX ORed down the levels) changes, where
 *   the level changes, or where the address reaches the next marker;
 * - markers are advanced one per break, so `---[ name ]---` comes after the
 *   line that crossed the marker's address (the first line runs from 0
 *   across the non-canonical hole to the first kernel-half break);
 * - unmapped ranges print with blank flag columns; PSE shows at pud/pmd (and
 *   would at pgd/p4d), PAT only at pte (PAT_LARGE, bit 12, is cut off by
 *   PTE_FLAGS_MASK before printk_prot() tests it, so a 2M/1G leaf never
 *   shows PAT); the level name is lowercase;
 * - "ESPfix Area" stops after 16 lines, then `... N entries skipped ... `;
 * - the last line ends at 2^64, printed as 0x0000000000000000 (the flush is
 *   note_page(st, 0, -1, 0) and the kernel's unsigned long wraps).
 *
 * W+X (ptdump_walk_pgd_level_checkwx() -> note_wx()): a closed range whose
 * effective protection has RW and not NX counts (end - start) / PAGE_SIZE
 * pages. The kernel's WARN_ONCE prints "x86/mm: Found insecure W+X mapping
 * at address %pS" for the first such range only; WxResult.warnings has that
 * text for every W+X range, the address printed as `0x` + hex because there
 * are no symbols (what %pS prints for an address it cannot resolve). The
 * final message is the kernel's pr_info(). 6.1 skips nothing on x86-64:
 * note_wx()'s PCI BIOS exemption is CONFIG_PCI_BIOS, which is X86_32 only.
 * 6.1 checks init_mm's pgd (init_top_pgt); with PTI
 * (ptdump_walk_user_pgd_level_checkwx(), run from pti_finalize()) it also
 * checks the user copy, kernel_to_user_pgdp(init_top_pgt) = the next 4K
 * page (X86_PTI_USER_PGD_OFFSET), after printing "x86/mm: Checking user space
 * page tables" (X86_CHECKWX_USER_MESSAGE): walk that root with a second
 * dumper to do the same.
 *
 * Not modelled: KASAN's shortcut in mm/ptdump.c (note_kasan_page_table(),
 * which notes a table that points at kasan_early_shadow_* as one pte without
 * walking it; the walk here descends instead), and the SME/TDX encryption
 * bit in __PHYSICAL_MASK (taken as 52 bits).
 */

import { TWO64 } from '../arch/va.js';
import { ulongHex } from '../hex.js';
import { PagewalkError, hex } from '../errors.js';
import type { Depth } from '../arch/types.js';
import type { AddressSpace } from '../mm/address-space.js';
import type { KernelConfig } from './kernel-config.js';
import type {
  AddressMarker,
  ArchDumper,
  DumpedRange,
  PtdumpOptions,
  PtdumpOutput,
  PtdumpRange,
  WxResult,
} from './types.js';
import { WxWarnings } from './wx-warnings.js';

const TWO63 = 2 ** 63;
const PAGE_SIZE = 4096;

// ---- entry bits (pgtable_types.h), low word ----
const _PAGE_PRESENT = 0x001;
const _PAGE_RW = 0x002;
const _PAGE_USER = 0x004;
const _PAGE_PWT = 0x008;
const _PAGE_PCD = 0x010;
const _PAGE_PSE = 0x080;
const _PAGE_PAT = 0x080;
const _PAGE_GLOBAL = 0x100;
const _PAGE_PAT_LARGE = 0x1000;
/** _PAGE_NX, bit 63, in the high word (as int32). */
const HI_NX = 0x80000000 | 0;
/** PTE_FLAGS_MASK = ~PTE_PFN_MASK (__PHYSICAL_MASK_SHIFT 52): bits 0..11 and 52..63. */
const FLAGS_LO = 0x00000fff;
const FLAGS_HI = 0xfff00000 | 0;

/** printk_prot()'s level_name[]. */
const LEVEL_NAME = ['pgd', 'p4d', 'pud', 'pmd', 'pte'] as const;
const UNITS = 'BKMGTPE';

/** pr_info() of ptdump_walk_user_pgd_level_checkwx() before it walks the PTI user pgd. */
export const X86_CHECKWX_USER_MESSAGE = 'x86/mm: Checking user space page tables';
/** kernel_to_user_pgdp(): the PTI user pgd is the 4K page after the kernel one (PTI_PGTABLE_SWITCH_BIT 12). */
export const X86_PTI_USER_PGD_OFFSET = 4096;

// ---- the layout (pgtable_64_types.h, page_64_types.h), as unsigned values ----
/** -n << shift as an unsigned 64-bit value (exact: multiples of large powers of two). */
const neg = (n: number, shift: number): number => TWO64 - n * 2 ** shift;

interface ModeLayout {
  /** PGDIR_SHIFT (pgdir_shift at run time). */
  pgdirShift: number;
  /** __VIRTUAL_MASK_SHIFT. */
  virtualMaskShift: number;
  pageOffsetBase: number;
  vmallocBase: number;
  vmemmapBase: number;
}

const LAYOUTS: Record<'4level' | '5level', ModeLayout> = {
  '4level': {
    pgdirShift: 39,
    virtualMaskShift: 47,
    pageOffsetBase: 0xffff888000000000, // __PAGE_OFFSET_BASE_L4
    vmallocBase: 0xffffc90000000000, // __VMALLOC_BASE_L4
    vmemmapBase: 0xffffea0000000000, // __VMEMMAP_BASE_L4
  },
  '5level': {
    pgdirShift: 48,
    virtualMaskShift: 56,
    pageOffsetBase: 0xff11000000000000, // __PAGE_OFFSET_BASE_L5
    vmallocBase: 0xffa0000000000000, // __VMALLOC_BASE_L5
    vmemmapBase: 0xffd4000000000000, // __VMEMMAP_BASE_L5
  },
};
/** P4D_SHIFT: 39 in both modes (pgtable-nop4d.h makes it PGDIR_SHIFT = 39 without 5-level). */
const P4D_SHIFT = 39;
/** __START_KERNEL_map. */
const START_KERNEL_MAP = 0xffffffff80000000;
/** VSYSCALL_ADDR = -10UL << 20. */
const VSYSCALL_ADDR = neg(10, 20);
/** FIXADDR_TOP = round_up(VSYSCALL_ADDR + PAGE_SIZE, 1 << PMD_SHIFT) - PAGE_SIZE = 0xffffffffff7ff000. */
const FIXADDR_TOP = Math.ceil((VSYSCALL_ADDR + PAGE_SIZE) / 2 ** 21) * 2 ** 21 - PAGE_SIZE;
/** MAX_IO_APICS on x86-64 (asm/mpspec_def.h). */
const MAX_IO_APICS = 128;

/** GUARD_HOLE_END_ADDR = (GUARD_HOLE_PGD_ENTRY << PGDIR_SHIFT) + (16UL << PGDIR_SHIFT), GUARD_HOLE_PGD_ENTRY = -256. */
function guardHoleEnd(l: ModeLayout): number {
  return neg(256, l.pgdirShift) + 16 * 2 ** l.pgdirShift;
}

/**
 * The configuration assumed when no .config is given: a typical distro
 * x86-64 kernel of the 6.1 era (Debian's linux-image-6.1.0-*-amd64 has these):
 * MODIFY_LDT_SYSCALL, X86_ESPFIX64, EFI, RANDOMIZE_BASE (KERNEL_IMAGE_SIZE
 * 1 GiB), X86_VSYSCALL_EMULATION, X86_LOCAL_APIC, X86_IO_APIC, PARAVIRT_XXL
 * and ACPI_APEI_GHES on; KASAN, PROVIDE_OHCI1394_DMA_INIT, KMAP_LOCAL and
 * DEBUG_KMAP_LOCAL_FORCE_MAP off.
 */
export const X86_64_DEFAULT_CONFIG: Readonly<Record<string, boolean>> = Object.freeze({
  MODIFY_LDT_SYSCALL: true,
  X86_ESPFIX64: true,
  EFI: true,
  KASAN: false,
  RANDOMIZE_BASE: true,
  DEBUG_KMAP_LOCAL_FORCE_MAP: false,
  X86_VSYSCALL_EMULATION: true,
  PROVIDE_OHCI1394_DMA_INIT: false,
  X86_LOCAL_APIC: true,
  X86_IO_APIC: true,
  KMAP_LOCAL: false,
  PCI_MMCONFIG: true,
  PARAVIRT_XXL: true,
  ACPI_APEI_GHES: true,
  DEBUG_KMAP_LOCAL: false,
});

/** Names options.bases accepts: the kernel's variable/macro names, and each marker's own name. */
const BASE_KEYS: Readonly<Record<string, string>> = {
  page_offset_base: 'Low Kernel Mapping',
  PAGE_OFFSET: 'Low Kernel Mapping',
  vmalloc_base: 'vmalloc() Area',
  VMALLOC_START: 'vmalloc() Area',
  vmemmap_base: 'Vmemmap',
  VMEMMAP_START: 'Vmemmap',
  LDT_BASE_ADDR: 'LDT remap',
  KASAN_SHADOW_START: 'KASAN shadow',
  KASAN_SHADOW_END: 'KASAN shadow end',
  CPU_ENTRY_AREA_BASE: 'CPU entry Area',
  ESPFIX_BASE_ADDR: 'ESPfix Area',
  EFI_VA_END: 'EFI Runtime Services',
  __START_KERNEL_map: 'High Kernel Mapping',
  MODULES_VADDR: 'Modules',
  MODULES_END: 'End Modules',
  FIXADDR_START: 'Fixmap Area',
};

function enabledIn(config: KernelConfig | undefined, name: string): boolean {
  return config === undefined ? X86_64_DEFAULT_CONFIG[name] === true : config.enabled(name);
}

/**
 * FIXADDR_START = FIXADDR_TOP - (__end_of_permanent_fixed_addresses << PAGE_SHIFT),
 * counting enum fixed_addresses of arch/x86/include/asm/fixmap.h (6.1) for x86-64.
 */
function fixaddrStart(config: KernelConfig | undefined): number {
  const on = (name: string) => enabledIn(config, name);
  // VSYSCALL_PAGE = (FIXADDR_TOP - VSYSCALL_ADDR) >> PAGE_SHIFT sets the next index.
  let idx = on('X86_VSYSCALL_EMULATION') ? (FIXADDR_TOP - VSYSCALL_ADDR) / PAGE_SIZE + 1 : 0;
  idx += 2; // FIX_DBGP_BASE, FIX_EARLYCON_MEM_BASE
  if (on('PROVIDE_OHCI1394_DMA_INIT')) idx += 1;
  if (on('X86_LOCAL_APIC')) idx += 1;
  if (on('X86_IO_APIC')) idx += MAX_IO_APICS;
  if (on('KMAP_LOCAL')) {
    const kmMaxIdx = on('DEBUG_KMAP_LOCAL') ? 33 : 16; // include/asm-generic/kmap_size.h
    const nrCpus = config === undefined ? 8192 : config.number('NR_CPUS', 1);
    idx += kmMaxIdx * nrCpus;
    if (on('PCI_MMCONFIG')) idx += 1;
  }
  if (on('PARAVIRT_XXL')) idx += 1;
  if (on('ACPI_APEI_GHES')) idx += 2;
  return FIXADDR_TOP - idx * PAGE_SIZE;
}

/**
 * address_markers[] of arch/x86/mm/dump_pagetables.c (x86-64) as
 * pt_dump_init() fills it, in the array's (enum address_markers_idx) order,
 * without the {-1, NULL} terminator. `config` selects the #ifdef'd ones
 * (default: X86_64_DEFAULT_CONFIG); `bases` overrides individual addresses
 * by variable name (page_offset_base, vmalloc_base, vmemmap_base, the
 * macro names such as MODULES_VADDR) or by marker name, e.g. the KASLR'd
 * bases of a running kernel from its VMCOREINFO or System.map.
 */
export function x86_64AddressMarkers(
  mode: '4level' | '5level',
  config?: KernelConfig,
  bases?: Record<string, number>,
): AddressMarker[] {
  const l = LAYOUTS[mode];
  if (l === undefined) throw new PagewalkError('EINVAL', `x86-64 ptdump has no paging mode ${JSON.stringify(mode)}: use '4level' or '5level'`);
  const on = (name: string) => enabledIn(config, name);
  const m: AddressMarker[] = [
    { start: 0, name: 'User Space' },
    { start: TWO63, name: 'Kernel Space' },
  ];
  if (on('MODIFY_LDT_SYSCALL')) m.push({ start: neg(240, l.pgdirShift), name: 'LDT remap' }); // LDT_PGD_ENTRY -240
  m.push({ start: l.pageOffsetBase, name: 'Low Kernel Mapping' });
  m.push({ start: l.vmallocBase, name: 'vmalloc() Area' });
  m.push({ start: l.vmemmapBase, name: 'Vmemmap' });
  if (on('KASAN')) {
    // KASAN_SHADOW_OFFSET + ((-1UL << __VIRTUAL_MASK_SHIFT) >> KASAN_SHADOW_SCALE_SHIFT), modulo 2^64.
    const offset = config?.number('KASAN_SHADOW_OFFSET', 0xdffffc0000000000) ?? 0xdffffc0000000000;
    const s = l.virtualMaskShift;
    const start = (offset + (TWO64 - 2 ** s) / 8) % TWO64;
    m.push({ start, name: 'KASAN shadow' });
    m.push({ start: (start + 2 ** (s - 3)) % TWO64, name: 'KASAN shadow end' });
  }
  m.push({ start: neg(4, P4D_SHIFT), name: 'CPU entry Area' }); // CPU_ENTRY_AREA_PGD -4
  if (on('X86_ESPFIX64')) m.push({ start: neg(2, P4D_SHIFT), name: 'ESPfix Area', maxLines: 16 }); // ESPFIX_PGD_ENTRY -2
  if (on('EFI')) m.push({ start: neg(68, 30), name: 'EFI Runtime Services' }); // EFI_VA_END
  m.push({ start: START_KERNEL_MAP, name: 'High Kernel Mapping' });
  const kernelImageSize = on('RANDOMIZE_BASE') ? 2 ** 30 : 512 * 2 ** 20;
  m.push({ start: START_KERNEL_MAP + kernelImageSize, name: 'Modules' });
  m.push({ start: on('DEBUG_KMAP_LOCAL_FORCE_MAP') ? 0xfffffffffe000000 : 0xffffffffff000000, name: 'End Modules' });
  m.push({ start: fixaddrStart(config), name: 'Fixmap Area' });

  if (bases !== undefined) {
    if (bases === null || typeof bases !== 'object') throw new PagewalkError('EINVAL', `bases must be an object of name: address, got ${String(bases)}`);
    for (const key of Object.keys(bases)) {
      const v = bases[key];
      const name = BASE_KEYS[key] ?? (m.some((x) => x.name === key) ? key : undefined);
      if (name === undefined) {
        throw new PagewalkError(
          'EINVAL',
          `unknown x86-64 ptdump base ${JSON.stringify(key)}: accepted are ${Object.keys(BASE_KEYS).join(', ')} or a marker name (${m.map((x) => x.name).join(', ')})`,
        );
      }
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > TWO64) {
        throw new PagewalkError('EINVAL', `base ${key} must be an unsigned 64-bit address as a number, got ${String(v)}`);
      }
      const marker = m.find((x) => x.name === name);
      if (marker === undefined) {
        throw new PagewalkError('EINVAL', `base ${key} sets the "${name}" marker, which this configuration does not have`);
      }
      marker.start = v;
    }
  }
  return m;
}

/**
 * `struct pg_state` + note_page()/effective_prot() of the x86 dumper. Fields
 * hold the state so note_page() allocates nothing until a range closes.
 */
class X86_64Dumper implements ArchDumper {
  readonly ranges: readonly PtdumpRange[];

  private readonly out: PtdumpOutput;
  private readonly codec: AddressSpace['codec'];
  private readonly markers: AddressMarker[];
  private readonly wantRanges: boolean;

  // struct pg_state
  private level = -1;
  private curLo = 0;
  private curHi = 0;
  private effLo = 0;
  private effHi = 0;
  /** prot_levels[5], as low and high words. */
  private readonly levelLo = new Int32Array(5);
  private readonly levelHi = new Int32Array(5);
  private start = 0;
  /** Index of st->marker in markers. */
  private marker = 0;
  /** markers[marker + 1].start_address, cached for the hot comparison. */
  private nextMarker = TWO64;
  private lines = 0;
  private wxPages = 0;
  private readonly warnings: WxWarnings;

  // DumpedRange bookkeeping: physical address of `start`, or -1 (not present / not contiguous).
  private startPa = -1;

  constructor(mm: AddressSpace, options: PtdumpOptions, out: PtdumpOutput) {
    this.warnings = new WxWarnings(options.onWxWarning);
    const mode = mm.arch.mode;
    if (mm.arch.arch !== 'x86-64' || (mode !== '4level' && mode !== '5level')) {
      throw new PagewalkError('EINVAL', `the x86-64 dumper needs an x86-64 address space, got ${mm.arch.arch} ${mode}`);
    }
    this.out = out ?? {};
    this.codec = mm.codec;
    this.wantRanges = typeof this.out.range === 'function';
    const l = LAYOUTS[mode];
    // ptdump_walk_pgd_level_core(): {0, PTRS_PER_PGD * PGD_LEVEL_MULT / 2}, {GUARD_HOLE_END_ADDR, ~0UL}.
    this.ranges = Object.freeze([
      Object.freeze({ start: 0, end: 2 ** (l.virtualMaskShift) }),
      Object.freeze({ start: guardHoleEnd(l), end: TWO64 }),
    ]);
    let markers: AddressMarker[];
    if (options.markers !== undefined) {
      if (!Array.isArray(options.markers) || options.markers.length === 0) {
        throw new PagewalkError('EINVAL', 'markers must be a non-empty array of { start, name, maxLines? }');
      }
      markers = options.markers.map((x, i) => {
        if (x === null || typeof x !== 'object' || typeof x.name !== 'string' || typeof x.start !== 'number' || !(x.start >= 0 && x.start <= TWO64)) {
          throw new PagewalkError('EINVAL', `marker ${i} must be { start: unsigned address, name: string, maxLines?: number }, got ${JSON.stringify(x)}`);
        }
        return { ...x };
      });
      if (options.bases !== undefined) {
        for (const key of Object.keys(options.bases)) {
          const name = BASE_KEYS[key] ?? key;
          const mk = markers.find((x) => x.name === name);
          const v = options.bases[key];
          if (mk === undefined) throw new PagewalkError('EINVAL', `base ${key} names no marker among the given markers`);
          if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > TWO64) {
            throw new PagewalkError('EINVAL', `base ${key} must be an unsigned 64-bit address as a number, got ${String(v)}`);
          }
          mk.start = v;
        }
      }
    } else {
      markers = x86_64AddressMarkers(mode, options.config, options.bases);
    }
    // [END_OF_SPACE_NR] = { -1, NULL }: no address reaches it.
    markers.push({ start: TWO64, name: '' });
    this.markers = markers;
  }

  /**
   * effective_prot(): RW and USR ANDed, NX ORed with the level above; the
   * top level keeps its flags as they are.
   */
  effectiveProt(level: number, lo: number, hi: number): void {
    const pLo = lo & FLAGS_LO;
    const pHi = hi & FLAGS_HI;
    if (level > 0) {
      this.levelLo[level] = this.levelLo[level - 1] & pLo & (_PAGE_USER | _PAGE_RW);
      this.levelHi[level] = (this.levelHi[level - 1] | pHi) & HI_NX;
    } else {
      this.levelLo[0] = pLo;
      this.levelHi[0] = pHi;
    }
  }

  /** note_page(st, addr, level, val). */
  notePage(addr: number, level: number, lo: number, hi: number): void {
    const newLo = lo & FLAGS_LO;
    const newHi = hi & FLAGS_HI;
    let newEffLo = 0;
    let newEffHi = 0;
    if ((lo | hi) !== 0) {
      newEffLo = this.levelLo[level];
      newEffHi = this.levelHi[level];
    }

    if (this.level === -1) {
      // First entry (st->start_address stays 0, as in the kernel).
      this.curLo = newLo;
      this.curHi = newHi;
      this.effLo = newEffLo;
      this.effHi = newEffHi;
      this.level = level;
      this.marker = 0;
      this.nextMarker = this.markers[1].start;
      this.lines = 0;
      this.out.line?.(`---[ ${this.markers[0].name} ]---`);
      this.openRange(addr, level, lo, hi);
    } else if (
      newLo !== this.curLo ||
      newHi !== this.curHi ||
      newEffLo !== this.effLo ||
      newEffHi !== this.effHi ||
      level !== this.level ||
      addr >= this.nextMarker
    ) {
      this.closeRange(addr);
      this.start = addr;
      this.curLo = newLo;
      this.curHi = newHi;
      this.effLo = newEffLo;
      this.effHi = newEffHi;
      this.level = level;
      this.openRange(addr, level, lo, hi);
    } else if (this.startPa >= 0) {
      // Same range: is it still physically contiguous?
      if (this.codec.outputPa(level as Depth, lo, hi) !== this.startPa + (addr - this.start)) this.startPa = -1;
    }
  }

  /** Where a range begins: remember the physical address of a present leaf. */
  private openRange(addr: number, level: number, lo: number, hi: number): void {
    // addr is st->start_address except for a first entry away from 0 (the kernel leaves start at 0).
    this.startPa =
      this.wantRanges && addr === this.start && level >= 2 && (lo & _PAGE_PRESENT) !== 0 ? this.codec.outputPa(level as Depth, lo, hi) : -1;
  }

  /** The "break" branch of note_page(): W+X, the line, the marker. */
  private closeRange(addr: number): void {
    const start = this.start;
    const end = addr < start ? addr + TWO64 : addr; // the flush passes 0: unsigned long wraps
    const eLo = this.effLo;
    const eHi = this.effHi;

    // note_wx()
    if ((eLo & _PAGE_RW) !== 0 && (eHi & HI_NX) === 0) {
      this.wxPages += (end - start) / PAGE_SIZE;
      this.warnings.add(`x86/mm: Found insecure W+X mapping at address ${hex(start)}`);
    }

    const mk = this.markers[this.marker];
    const max = mk.maxLines ?? 0;
    const line = this.out.line;
    if (line !== undefined && (max === 0 || this.lines < max)) {
      line(this.formatLine(start, end));
    }
    this.lines++;

    if (this.wantRanges) this.emitRange(start, end);

    if (addr >= this.nextMarker) {
      if (max !== 0 && this.lines > max) {
        const nskip = this.lines - max;
        line?.(`... ${nskip} entr${nskip === 1 ? 'y' : 'ies'} skipped ... `);
      }
      this.marker++;
      this.lines = 0;
      this.nextMarker = this.markers[this.marker + 1]?.start ?? TWO64;
      line?.(`---[ ${this.markers[this.marker].name} ]---`);
    }
  }

  /** "0x%016lx-0x%016lx   " "%9lu%c " printk_prot(). */
  private formatLine(start: number, end: number): string {
    let delta = end - start;
    let unit = 0;
    while (delta % 1024 === 0 && unit < UNITS.length - 1) {
      delta /= 1024;
      unit++;
    }
    const size = (delta > Number.MAX_SAFE_INTEGER ? BigInt(delta).toString() : String(delta)).padStart(9, ' ');
    return `0x${ulongHex(start)}-0x${ulongHex(end)}   ${size}${UNITS[unit]} ${this.protText()}${LEVEL_NAME[this.level] ?? ''}`;
  }

  /** printk_prot() without the level name. */
  private protText(): string {
    const pr = this.curLo;
    if ((pr & _PAGE_PRESENT) === 0) return '                              ';
    const level = this.level;
    return (
      ((pr & _PAGE_USER) !== 0 ? 'USR ' : '    ') +
      ((pr & _PAGE_RW) !== 0 ? 'RW ' : 'ro ') +
      ((pr & _PAGE_PWT) !== 0 ? 'PWT ' : '    ') +
      ((pr & _PAGE_PCD) !== 0 ? 'PCD ' : '    ') +
      (level <= 3 && (pr & _PAGE_PSE) !== 0 ? 'PSE ' : '    ') +
      ((level === 4 && (pr & _PAGE_PAT) !== 0) || ((level === 3 || level === 2) && (pr & _PAGE_PAT_LARGE) !== 0) ? 'PAT ' : '    ') +
      ((pr & _PAGE_GLOBAL) !== 0 ? 'GLB ' : '    ') +
      ((this.curHi & HI_NX) !== 0 ? 'NX ' : 'x  ')
    );
  }

  private emitRange(start: number, end: number): void {
    const pr = this.curLo;
    const present = (pr & _PAGE_PRESENT) !== 0;
    const level = this.level;
    const flags: string[] = [];
    if (present) {
      if (pr & _PAGE_USER) flags.push('USR');
      flags.push(pr & _PAGE_RW ? 'RW' : 'ro');
      if (pr & _PAGE_PWT) flags.push('PWT');
      if (pr & _PAGE_PCD) flags.push('PCD');
      if (level <= 3 && pr & _PAGE_PSE) flags.push('PSE');
      if ((level === 4 && pr & _PAGE_PAT) || ((level === 3 || level === 2) && pr & _PAGE_PAT_LARGE)) flags.push('PAT');
      if (pr & _PAGE_GLOBAL) flags.push('GLB');
      flags.push((this.curHi & HI_NX) !== 0 ? 'NX' : 'x');
    }
    const r: DumpedRange = {
      start,
      end,
      level,
      levelName: LEVEL_NAME[level] ?? '',
      present,
      user: present && (this.effLo & _PAGE_USER) !== 0,
      read: present,
      write: present && (this.effLo & _PAGE_RW) !== 0,
      exec: present && (this.effHi & HI_NX) === 0,
      global: present && (pr & _PAGE_GLOBAL) !== 0,
      phys: present && this.startPa >= 0 ? this.startPa : null,
      flags,
    };
    this.out.range!(r);
  }

  wx(): WxResult {
    const n = this.wxPages;
    return {
      passed: n === 0,
      wxPages: n,
      message:
        n === 0
          ? 'x86/mm: Checked W+X mappings: passed, no W+X pages found.'
          : `x86/mm: Checked W+X mappings: FAILED, ${n} W+X pages found.`,
      warnings: this.warnings.list(),
      warningsOmitted: this.warnings.omitted,
    };
  }
}

/**
 * The x86-64 dumper (`struct pg_state` of arch/x86/mm/dump_pagetables.c)
 * for `mm` (4-level or 5-level): walk it with ptdumpWalkPgd(mm, dumper)
 * (for the PTI user copy of a pgd: ptdumpWalkPgd(mm, dumper, pgd +
 * X86_PTI_USER_PGD_OFFSET)), then read dumper.wx() for the W+X verdict.
 * Lines go to out.line (the debugfs text, without newlines), every closed
 * range to out.range. Markers: options.markers, else
 * x86_64AddressMarkers(mode, options.config, options.bases) (default
 * configuration: X86_64_DEFAULT_CONFIG).
 */
export function createX86_64Dumper(mm: AddressSpace, options: PtdumpOptions, out: PtdumpOutput): ArchDumper {
  return new X86_64Dumper(mm, options ?? {}, out ?? {});
}
