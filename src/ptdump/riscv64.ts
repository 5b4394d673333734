/**
 * The riscv64 page-table dumper: `struct pg_state` and note_page() of
 * arch/riscv/mm/ptdump.c, the address markers ptdump_init() sets, and
 * ptdump_check_wx().
 *
 * Sources: arch/riscv/mm/ptdump.c as of 6.1.y (read in the 6.6-based
 * eswincomputing/linux-stable, whose file differs only by a vendor hook, and
 * checked against the 6.1-stable review mail of e59e5e2754bf, which shows
 * the 6.1 ptdump_init() context, and against the fixture's text),
 * arch/riscv/include/asm/pgtable.h, kasan.h, page.h and
 * Documentation/riscv/vm-layout.rst of 6.1 (milkv-jupiter/linux-6.1, and the
 * 6.1-stable backport of ef69d2559fe9 "riscv: Move early dtb mapping into the
 * fixmap region"); mainline ptdump.c (linux-riscv/linux) for the 'current'
 * options.
 *
 * The debugfs file `kernel_page_tables` prints only ranges whose flags are
 * non-zero (current_prot != 0):
 *
 *   0x%016lx-0x%016lx   | 0x%016lx | %9lu%c | %s | " %s" per flag column
 *   start-end (3 spaces) space start_pa space  size   level name, flags
 *
 * A range ends where the flags (val & the union of the pte_bits[] masks), the
 * level or the next marker change; the physical address is printed for the
 * range's first page but never splits a range (last_pa is tracked and not
 * compared). Holes (val 0) are ranges of flags 0 and are not printed.
 *
 * Flag columns of 6.1 (pte_bits[], `.val` compared with `==`):
 *   RSW (both bits 9..8 set, else 3 spaces), D A G U X W R V ('.' when clear).
 * Mainline (6.7+, the Svpbmt/Svnapot fields) prints
 *   N, MT(NC|IO|??) (else "  ..  "), RSW(%d) (else "  ..  "), D A G U X W R V
 * and compares bits 63..61 too: select it with `flagColumns: 'current'`.
 *
 * Level names: pg_level[] is built for CONFIG_PGTABLE_LEVELS (5 on 64-bit),
 * so a 6.1.0 kernel prints PGD P4D PUD PMD PTE whatever the paging mode
 * ('five-level'). Commit e59e5e2754bf ("riscv: correct pt_level name via
 * pgtable_l5/4_enabled", mainline 6.7, backported to 6.1.64 and 6.6.3) names
 * p4d "P4D" only with Sv57 and pud "PUD" only with Sv48/Sv57, else "PGD"
 * ('in-use', the default: what 6.1.192, the fixtures' kernel, and mainline
 * print): an Sv39 1G leaf reads PGD, not PUD. The fixture maps no pud leaf,
 * so its text is the same under both namings.
 */

import { TWO64 } from '../arch/va.js';
import { ulongHex } from '../hex.js';
import { PagewalkError, hex } from '../errors.js';
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

/** riscv64-only options on top of the shared ones. */
export interface Riscv64PtdumpOptions extends PtdumpOptions {
  /**
   * Flag columns: 'kernel-6.1' (default) `RSW D A G U X W R V`; 'current' the
   * mainline (6.7+) `N MT(..) RSW(n) D A G U X W R V`, with bits 63..61 part
   * of the compared flags and a Svnapot pte's pfn rounded down to its range.
   */
  flagColumns?: 'kernel-6.1' | 'current';
}

export type Riscv64PtdumpMode = 'sv39' | 'sv48' | 'sv57';

const PAGE_SIZE = 4096;
const SZ_2G = 2 ** 31;
const SZ_2M = 2 ** 21;
const SZ_16M = 2 ** 24;
const PMD_SIZE = SZ_2M;
/** arch/riscv/include/asm/pgtable.h: ADDRESS_SPACE_END - SZ_2G + 1. */
const KERNEL_LINK_ADDR = TWO64 - SZ_2G;
/** pgtable.h: KERNEL_LINK_ADDR - SZ_2G; the end of the KASAN shadow. */
const MODULES_LOWEST_VADDR = KERNEL_LINK_ADDR - SZ_2G;
/** page.h PAGE_OFFSET_L3 / _L4 / _L5 (kernel_map.page_offset per satp mode). */
const PAGE_OFFSETS: Record<Riscv64PtdumpMode, number> = {
  sv39: 0xffffffd800000000,
  sv48: 0xffffaf8000000000,
  sv57: 0xff60000000000000,
};
const VA_BITS: Record<Riscv64PtdumpMode, number> = { sv39: 39, sv48: 48, sv57: 57 };
/** PGDIR_SHIFT_L3 / _L4 / _L5 (pgtable-64.h). */
const PGDIR_SHIFT: Record<Riscv64PtdumpMode, number> = { sv39: 30, sv48: 39, sv57: 48 };
/** order_base_2(sizeof(struct page)): 64-byte struct page. */
const DEFAULT_STRUCT_PAGE_MAX_SHIFT = 6;

// pte bits (pgtable-bits.h): low word.
const V = 1 << 0;
const R = 1 << 1;
const W = 1 << 2;
const X = 1 << 3;
const U = 1 << 4;
const G = 1 << 5;
const A = 1 << 6;
const D = 1 << 7;
const SOFT = 3 << 8;
/** The union of 6.1's pte_bits[] masks (pg_level[i].mask after ptdump_init()). */
const MASK_LO = 0x3ff;
// High word: bit 63 _PAGE_NAPOT, bits 62..61 _PAGE_MTMASK_SVPBMT (mainline columns only).
const HI_N = 1 << 31;
const HI_MT_SHIFT = 29;
const HI_MT = 3 << HI_MT_SHIFT;
const HI_PPN = 0x3fffff;
/** 2^(22 + 12): weight of the high word's PPN bits in a byte address. */
const HI_PPN_WEIGHT = 2 ** 34;

const UNITS = 'KMGTPE';

/** The layout variables ptdump_init() reads, by the kernel's names; `bases` keys. */
export const RISCV64_BASE_NAMES = [
  'PAGE_OFFSET',
  'kernel_map.virt_addr',
  '_end',
  'STRUCT_PAGE_MAX_SHIFT',
  'KERN_VIRT_START',
  'VMALLOC_START',
  'VMALLOC_END',
  'VMEMMAP_START',
  'VMEMMAP_END',
  'PCI_IO_START',
  'PCI_IO_END',
  'FIXADDR_TOP',
  'FIXADDR_START',
  'KASAN_SHADOW_START',
  'KASAN_SHADOW_END',
  'MODULES_VADDR',
] as const;

/** Marker names of address_markers[] (in its order), each with the variable ptdump_init() stores in it. */
const MARKER_VARS: readonly (readonly [string, string, 'vmemmap' | 'kasan' | null])[] = [
  ['Fixmap start', 'FIXADDR_START', null],
  ['Fixmap end', 'FIXADDR_TOP', null],
  ['PCI I/O start', 'PCI_IO_START', null],
  ['PCI I/O end', 'PCI_IO_END', null],
  ['vmemmap start', 'VMEMMAP_START', 'vmemmap'],
  ['vmemmap end', 'VMEMMAP_END', 'vmemmap'],
  ['vmalloc() area', 'VMALLOC_START', null],
  ['vmalloc() end', 'VMALLOC_END', null],
  ['Linear mapping', 'PAGE_OFFSET', null],
  ['Kasan shadow start', 'KASAN_SHADOW_START', 'kasan'],
  ['Kasan shadow end', 'KASAN_SHADOW_END', 'kasan'],
  ['Modules/BPF mapping', 'MODULES_VADDR', null],
  ['Kernel mapping', 'kernel_map.virt_addr', null],
];

/** The riscv64 kernel layout of one paging mode, as the 6.1 headers compute it. */
export interface Riscv64Layout {
  /** Every variable of RISCV64_BASE_NAMES, after `bases` overrides. */
  vars: Record<(typeof RISCV64_BASE_NAMES)[number], number>;
  /** address_markers[] after ptdump_init(), without the {-1, NULL} sentinel. */
  markers: AddressMarker[];
  /** kernel_ptd_info's range: {KERN_VIRT_START, ULONG_MAX} (ULONG_MAX as 2^64). */
  ranges: PtdumpRange[];
}

function checkAddress(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > TWO64) {
    throw new PagewalkError('EINVAL', `riscv64 ptdump: ${name} ${String(v)} must be an integer address in [0, 2^64]`);
  }
  return v;
}

/**
 * The layout of arch/riscv/include/asm/pgtable.h (6.1, with the 6.1.y
 * backport of the fixmap FDT area: FIXADDR_SIZE = PMD_SIZE + FIX_FDT_SIZE =
 * 6M; 6.1.0..6.1.24 had 2M, which only moves "Fixmap start", a marker
 * note_page() never compares with):
 *
 *   PAGE_OFFSET      page_offset of the mode (page.h PAGE_OFFSET_L3/L4/L5)
 *   VMALLOC_END      PAGE_OFFSET
 *   VMALLOC_START    PAGE_OFFSET - (PTRS_PER_PGD / 2 * PGDIR_SIZE) / 4
 *   VMEMMAP_END      VMALLOC_START
 *   VMEMMAP_START    VMALLOC_START - 2^(VA_BITS - PAGE_SHIFT - 1 + STRUCT_PAGE_MAX_SHIFT)
 *   PCI_IO_END       VMEMMAP_START;  PCI_IO_START = PCI_IO_END - 16M
 *   FIXADDR_TOP      PCI_IO_START;   FIXADDR_START = FIXADDR_TOP - 6M
 *   KASAN_SHADOW_END MODULES_LOWEST_VADDR (0xffffffff00000000)
 *   KASAN_SHADOW_START (END - 2^(VA_BITS - 1 - 3)) & PGDIR_MASK
 *   MODULES_VADDR    PFN_ALIGN(_end) - 2G (default _end: the kernel's start, which the fixture's System.map can replace)
 *   kernel_map.virt_addr  KERNEL_LINK_ADDR 0xffffffff80000000 (6.1 has no riscv KASLR)
 *   KERN_VIRT_START  -2^VA_BITS + TASK_SIZE (TASK_SIZE = PGDIR_SIZE * PTRS_PER_PGD / 2)
 *
 * `bases` replaces any of these by name (derived variables follow a replaced
 * input, e.g. a new PAGE_OFFSET moves vmalloc, vmemmap, PCI I/O and fixmap),
 * or a marker's address by the marker's name.
 */
export function riscv64Layout(mode: Riscv64PtdumpMode, options: PtdumpOptions = {}): Riscv64Layout {
  if (!(mode in VA_BITS)) {
    throw new PagewalkError('EINVAL', `riscv64 ptdump: unknown paging mode ${String(mode)}: expected sv39, sv48 or sv57`);
  }
  const bases = options.bases ?? {};
  if (bases === null || typeof bases !== 'object') throw new PagewalkError('EINVAL', `riscv64 ptdump: bases must be an object, got ${String(bases)}`);
  const markerNames = MARKER_VARS.map((m) => m[0]);
  for (const key of Object.keys(bases)) {
    if (!(RISCV64_BASE_NAMES as readonly string[]).includes(key) && !markerNames.includes(key)) {
      throw new PagewalkError(
        'EINVAL',
        `riscv64 ptdump: unknown base ${JSON.stringify(key)}; expected a variable (${RISCV64_BASE_NAMES.join(', ')}) or a marker name (${markerNames.join(', ')})`,
      );
    }
  }
  const vars = {} as Record<(typeof RISCV64_BASE_NAMES)[number], number>;
  const set = (name: (typeof RISCV64_BASE_NAMES)[number], kernel: number): number => {
    const v = bases[name];
    vars[name] = v === undefined ? kernel : checkAddress(`bases[${JSON.stringify(name)}]`, v);
    return vars[name];
  };

  const vaBits = VA_BITS[mode];
  const pgdirSize = 2 ** PGDIR_SHIFT[mode];
  const structPageShift = set('STRUCT_PAGE_MAX_SHIFT', DEFAULT_STRUCT_PAGE_MAX_SHIFT);
  const pageOffset = set('PAGE_OFFSET', PAGE_OFFSETS[mode]);
  const virtAddr = set('kernel_map.virt_addr', KERNEL_LINK_ADDR);
  const end = set('_end', virtAddr);
  const kernVirtSize = (512 / 2) * pgdirSize / 2;
  set('VMALLOC_END', pageOffset);
  const vmallocStart = set('VMALLOC_START', pageOffset - kernVirtSize / 2);
  set('VMEMMAP_END', vmallocStart);
  const vmemmapStart = set('VMEMMAP_START', vmallocStart - 2 ** (vaBits - 12 - 1 + structPageShift));
  const pciIoEnd = set('PCI_IO_END', vmemmapStart);
  const pciIoStart = set('PCI_IO_START', pciIoEnd - SZ_16M);
  const fixaddrTop = set('FIXADDR_TOP', pciIoStart);
  set('FIXADDR_START', fixaddrTop - (PMD_SIZE + PMD_SIZE + SZ_2M));
  const kasanEnd = set('KASAN_SHADOW_END', MODULES_LOWEST_VADDR);
  set('KASAN_SHADOW_START', Math.floor((kasanEnd - 2 ** (vaBits - 1 - 3)) / pgdirSize) * pgdirSize);
  set('MODULES_VADDR', Math.ceil(end / PAGE_SIZE) * PAGE_SIZE - SZ_2G);
  const kernVirtStart = set('KERN_VIRT_START', TWO64 - 2 ** vaBits + (pgdirSize * 512) / 2);

  const vmemmap = options.config === undefined ? true : options.config.enabled('SPARSEMEM_VMEMMAP');
  const kasan = options.config === undefined ? false : options.config.enabled('KASAN');
  const markers: AddressMarker[] = [];
  for (const [name, variable, gate] of MARKER_VARS) {
    if (gate === 'vmemmap' && !vmemmap) continue;
    if (gate === 'kasan' && !kasan) continue;
    const override = bases[name];
    const start = override === undefined ? vars[variable as (typeof RISCV64_BASE_NAMES)[number]] : checkAddress(`bases[${JSON.stringify(name)}]`, override);
    markers.push({ start, name });
  }
  return { vars, markers, ranges: [{ start: kernVirtStart, end: TWO64 }] };
}

/** pg_level[].name: the run-time table of e59e5e2754bf (6.1.64+, mainline; default), or 6.1.0's compile-time one. */
export function riscv64LevelNames(mode: Riscv64PtdumpMode, naming: 'in-use' | 'five-level' = 'in-use', config?: KernelConfig): string[] {
  const levels = config === undefined ? 5 : config.number('PGTABLE_LEVELS', 5);
  const names = ['PGD', levels > 4 ? 'P4D' : 'PGD', levels > 3 ? 'PUD' : 'PGD', levels > 2 ? 'PMD' : 'PGD', 'PTE'];
  if (naming === 'in-use') {
    names[1] = mode === 'sv57' ? 'P4D' : 'PGD';
    names[2] = mode === 'sv39' ? 'PGD' : 'PUD';
  } else if (naming !== 'five-level') {
    throw new PagewalkError('EINVAL', `riscv64 ptdump: levelNames ${JSON.stringify(naming)}: expected 'in-use' or 'five-level'`);
  }
  return names;
}


/**
 * `struct pg_state` with note_page(). All state lives in fields; the hot path
 * (a pte that continues the open range) does two compares and no allocation.
 */
class Riscv64Dumper implements ArchDumper {
  readonly ranges: readonly PtdumpRange[];
  /** address_markers[] in use (options.markers or the computed ones), plus the sentinel. */
  readonly markers: readonly AddressMarker[];
  readonly levelNames: readonly string[];

  private readonly out: PtdumpOutput;
  private readonly mainline: boolean;
  private readonly maskHi: number;

  // struct pg_state
  private markerIdx = 0;
  private nextMarker: number;
  private startAddress = 0;
  private startPa = 0;
  private level = -1;
  private protLo = 0;
  private protHi = 0;
  /** Whether each page so far continued start_pa (for DumpedRange.phys only). */
  private contiguous = true;

  // ptdump_check_wx(): runs merged across marker splits, as its one-marker state sees them.
  private wxPages = 0;
  private readonly wxWarnings: WxWarnings;
  private wxRunStart = -1;
  private wxRunEnd = -1;
  private wxRunLevel = -1;
  private wxRunLo = 0;
  private wxRunHi = 0;

  constructor(mm: AddressSpace, options: Riscv64PtdumpOptions, out: PtdumpOutput) {
    this.wxWarnings = new WxWarnings(options.onWxWarning);
    if (options === null || typeof options !== 'object') throw new PagewalkError('EINVAL', `riscv64 ptdump: options must be an object, got ${String(options)}`);
    if (out === null || typeof out !== 'object') throw new PagewalkError('EINVAL', `riscv64 ptdump: out must be an object, got ${String(out)}`);
    const mode = mm.arch.mode as Riscv64PtdumpMode;
    if (mm.arch.arch !== 'riscv64') throw new PagewalkError('EINVAL', `riscv64 ptdump on a ${mm.arch.arch} address space`);
    const cols = options.flagColumns ?? 'kernel-6.1';
    if (cols !== 'kernel-6.1' && cols !== 'current') {
      throw new PagewalkError('EINVAL', `riscv64 ptdump: flagColumns ${JSON.stringify(cols)}: expected 'kernel-6.1' or 'current'`);
    }
    this.mainline = cols === 'current';
    this.maskHi = this.mainline ? HI_N | HI_MT : 0;
    this.out = out;
    this.levelNames = riscv64LevelNames(mode, options.levelNames ?? 'in-use', options.config);
    const layout = riscv64Layout(mode, options);
    this.ranges = layout.ranges;
    let markers = layout.markers;
    if (options.markers !== undefined) {
      if (!Array.isArray(options.markers) || options.markers.length === 0) {
        throw new PagewalkError('EINVAL', 'riscv64 ptdump: options.markers must be a non-empty array of { start, name }');
      }
      markers = options.markers.map((m, i) => {
        if (m === null || typeof m !== 'object' || typeof m.name !== 'string') {
          throw new PagewalkError('EINVAL', `riscv64 ptdump: markers[${i}] must be { start: number, name: string }`);
        }
        return { start: checkAddress(`markers[${i}].start`, m.start), name: m.name };
      });
    }
    // { -1, NULL }: ULONG_MAX, above every page address.
    this.markers = [...markers, { start: TWO64, name: '(null)' }];
    this.nextMarker = this.markers[1].start;
  }

  notePage(addr: number, level: number, lo: number, hi: number): void {
    let protLo = 0;
    let protHi = 0;
    if (level >= 0) {
      protLo = lo & MASK_LO;
      protHi = hi & this.maskHi;
    }
    if (this.level === -1) {
      this.open(addr, level, lo, hi, protLo, protHi);
      this.out.line?.(`---[ ${this.markers[this.markerIdx].name} ]---`);
    } else if (protLo !== this.protLo || protHi !== this.protHi || level !== this.level || addr >= this.nextMarker) {
      this.close(level === -1 ? TWO64 : addr);
      while (addr >= this.nextMarker) {
        this.markerIdx++;
        this.nextMarker = this.markers[this.markerIdx + 1].start;
        this.out.line?.(`---[ ${this.markers[this.markerIdx].name} ]---`);
      }
      this.open(addr, level, lo, hi, protLo, protHi);
    } else if (this.contiguous && (protLo & V) !== 0) {
      // st->last_pa = pa: tracked, never compared by the kernel.
      if (this.pa(lo, hi) !== this.startPa + (addr - this.startAddress)) this.contiguous = false;
    }
  }

  wx(): WxResult {
    this.flushWxRun();
    const passed = this.wxPages === 0;
    return {
      passed,
      wxPages: this.wxPages,
      message: passed
        ? 'Checked W+X mappings: passed, no W+X pages found'
        : `Checked W+X mappings: failed, ${this.wxPages} W+X pages found`,
      warnings: this.wxWarnings.list(),
      warningsOmitted: this.wxWarnings.omitted,
    };
  }

  /** PFN_PHYS(pte_pfn(__pte(val))): (val & GENMASK(53, 10)) >> 10 << 12; mainline rounds a Svnapot pte down. */
  private pa(lo: number, hi: number): number {
    let ppnLo = (lo >>> 10) & 0x3fffff;
    let ppnHi = hi & HI_PPN;
    if (this.mainline && (hi & HI_N) !== 0) {
      // res & (res - 1): clear the lowest set bit of the pfn.
      if (ppnLo !== 0) ppnLo &= ppnLo - 1;
      else ppnHi &= ppnHi - 1;
    }
    return ppnHi * HI_PPN_WEIGHT + ppnLo * PAGE_SIZE;
  }

  private open(addr: number, level: number, lo: number, hi: number, protLo: number, protHi: number): void {
    this.level = level;
    this.protLo = protLo;
    this.protHi = protHi;
    this.startAddress = addr;
    this.startPa = this.pa(lo, hi);
    this.contiguous = true;
  }

  /** The closing half of note_page(): note_prot_wx(), dump_addr(), dump_prot(), for [start_address, end). */
  private close(end: number): void {
    const start = this.startAddress;
    const protLo = this.protLo;
    const protHi = this.protHi;
    const level = this.level;
    if (protLo !== 0 || protHi !== 0) {
      this.noteProtWx(start, end, level, protLo, protHi);
      if (this.out.line !== undefined) this.out.line(this.dumpAddr(start, end) + this.dumpProt(protLo, protHi));
    }
    if (this.out.range !== undefined) {
      const present = (protLo & V) !== 0;
      this.out.range({
        start,
        end,
        level,
        levelName: this.levelNames[level],
        present,
        user: present && (protLo & U) !== 0,
        read: present && (protLo & R) !== 0,
        write: present && (protLo & W) !== 0,
        exec: present && (protLo & X) !== 0,
        global: present && (protLo & G) !== 0,
        phys: present && this.contiguous ? this.startPa : null,
        flags: this.flagNames(protLo, protHi),
      } satisfies DumpedRange);
    }
  }

  private dumpAddr(start: number, end: number): string {
    let delta = (end - start) / 1024;
    let unit = 0;
    while (delta % 1024 === 0 && unit < UNITS.length - 1) {
      delta /= 1024;
      unit++;
    }
    return (
      `0x${ulongHex(start)}-0x${ulongHex(end)}   ` +
      ` 0x${ulongHex(this.startPa)} ` +
      `${String(delta).padStart(9)}${UNITS[unit]} ${this.levelNames[this.level]}`
    );
  }

  private dumpProt(lo: number, hi: number): string {
    let s = '';
    if (this.mainline) {
      s += (hi & HI_N) !== 0 ? ' N' : ' .';
      const mt = (hi & HI_MT) >>> HI_MT_SHIFT;
      s += mt === 0 ? '   ..  ' : mt === 1 ? ' MT(NC)' : mt === 2 ? ' MT(IO)' : ' MT(??)';
      const rsw = (lo & SOFT) >>> 8;
      s += rsw === 0 ? '   ..  ' : ` RSW(${rsw})`;
    } else {
      s += (lo & SOFT) === SOFT ? ' RSW' : '    ';
    }
    s += (lo & D) !== 0 ? ' D' : ' .';
    s += (lo & A) !== 0 ? ' A' : ' .';
    s += (lo & G) !== 0 ? ' G' : ' .';
    s += (lo & U) !== 0 ? ' U' : ' .';
    s += (lo & X) !== 0 ? ' X' : ' .';
    s += (lo & W) !== 0 ? ' W' : ' .';
    s += (lo & R) !== 0 ? ' R' : ' .';
    s += (lo & V) !== 0 ? ' V' : ' .';
    return s;
  }

  /** The set columns of dump_prot(), as printed, in its order. */
  private flagNames(lo: number, hi: number): string[] {
    const f: string[] = [];
    if (this.mainline) {
      if ((hi & HI_N) !== 0) f.push('N');
      const mt = (hi & HI_MT) >>> HI_MT_SHIFT;
      if (mt !== 0) f.push(mt === 1 ? 'MT(NC)' : mt === 2 ? 'MT(IO)' : 'MT(??)');
      if ((lo & SOFT) !== 0) f.push(`RSW(${(lo & SOFT) >>> 8})`);
    } else if ((lo & SOFT) === SOFT) {
      f.push('RSW');
    }
    if (lo & D) f.push('D');
    if (lo & A) f.push('A');
    if (lo & G) f.push('G');
    if (lo & U) f.push('U');
    if (lo & X) f.push('X');
    if (lo & W) f.push('W');
    if (lo & R) f.push('R');
    if (lo & V) f.push('V');
    return f;
  }

  /**
   * note_prot_wx(): a range with both W and X set adds its pages. The check
   * walk (ptdump_check_wx) has no markers, so ranges the debugfs markers
   * split are merged back into one run (one warning) here.
   */
  private noteProtWx(start: number, end: number, level: number, lo: number, hi: number): void {
    if ((lo & (W | X)) !== (W | X)) {
      this.flushWxRun();
      return;
    }
    if (this.wxRunStart >= 0 && this.wxRunEnd === start && this.wxRunLevel === level && this.wxRunLo === lo && this.wxRunHi === hi) {
      this.wxRunEnd = end;
      return;
    }
    this.flushWxRun();
    this.wxRunStart = start;
    this.wxRunEnd = end;
    this.wxRunLevel = level;
    this.wxRunLo = lo;
    this.wxRunHi = hi;
  }

  /**
   * WARN_ONCE(1, "riscv/mm: Found insecure W+X mapping at address %p/%pS\n"):
   * %p as printed with no_hash_pointers, %pS as printed for an address
   * without a symbol (the kernel hashes %p and names the symbol).
   */
  private flushWxRun(): void {
    if (this.wxRunStart < 0) return;
    const start = this.wxRunStart;
    this.wxPages += (this.wxRunEnd - start) / PAGE_SIZE;
    this.wxWarnings.add(`riscv/mm: Found insecure W+X mapping at address ${ulongHex(start)}/${hex(start)}`);
    this.wxRunStart = -1;
  }
}

/**
 * The riscv64 dumper of arch/riscv/mm/ptdump.c for `mm` (sv39, sv48 or
 * sv57): the debugfs `kernel_page_tables` text (6.1 format by default), every
 * closed range, and the W+X verdict of ptdump_check_wx().
 *
 * Markers follow ptdump_init() and the .config #ifdefs (CONFIG_SPARSEMEM_VMEMMAP
 * adds the vmemmap pair, CONFIG_KASAN the shadow pair; without a config the
 * defconfig-like assumption is vmemmap on, KASAN off).
 */
export function createRiscv64Dumper(mm: AddressSpace, options: Riscv64PtdumpOptions, out: PtdumpOutput): ArchDumper {
  return new Riscv64Dumper(mm, options, out);
}
