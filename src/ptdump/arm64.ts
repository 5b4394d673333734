/**
 * arm64's ptdump: the `struct pg_state` and note_page() of
 * arch/arm64/mm/ptdump.c as Linux 6.1 has them, the kernel virtual layout
 * its address_markers[] name (arch/arm64/include/asm/memory.h, pgtable.h,
 * fixmap.h, kasan.h of 6.1; Documentation/arm64/memory.rst), and
 * ptdump_check_wx().
 *
 * What /sys/kernel/debug/kernel_page_tables shows (6.1):
 * - ptdump_walk() walks init_mm over {kernel_ptdump_info.base_addr = PAGE_OFFSET,
 *   ~0UL}: the TTBR1 half from the start of the linear map. ~0UL is modelled
 *   as 2^64 (the walker takes page-aligned ends; the last pgd slot is walked
 *   whole either way). ptdump_check_wx() walks the same {PAGE_OFFSET, ~0UL}.
 * - note_page() closes a range when the masked value (every pte_bits[] mask
 *   ORed: VALID, table/page bit, AttrIndx, AP[1], AP[2], SH, AF, nG, GP,
 *   CONT, PXN, UXN; NS and the software bits are not in it), the level, or
 *   the next marker changes. A line is `0x%016lx-0x%016lx   ` + `%9lu%c %s`
 *   (the size in K/M/G/T/P/E, shifted down while it divides by 1024, and
 *   pg_level[level].name) + ` %s` per pte_bits[] entry when the range's
 *   value is not 0: unmapped ranges show only size and level. The last range
 *   ends at the flush address 0, printed 0x0000000000000000.
 * - pg_level[] names, 6.1: PGD, P4D, pud = "PUD" if CONFIG_PGTABLE_LEVELS > 3
 *   else "PGD", pmd = "PMD" if CONFIG_PGTABLE_LEVELS > 2 else "PGD", PTE. A
 *   leaf the kernel finds at a folded level's slot is named after the level
 *   it folds into (e.g. a 1G block in the top table of 4k-39 prints "PGD",
 *   noted at level 2). Mainline names them "PUD"/"PMD" always and maps
 *   run-time folded levels (LPA2) to level 0.
 *
 * address_markers[] of 6.1, in this order:
 *   Linear Mapping start  PAGE_OFFSET = -(1 << VA_BITS)
 *   Linear Mapping end    PAGE_END (set in ptdump_init()): _PAGE_END(VA_BITS_MIN)
 *                         = -(1 << (VA_BITS_MIN - 1)); with KASAN
 *                         KASAN_SHADOW_END - (1 << (vabits_actual - KASAN_SHADOW_SCALE_SHIFT))
 *   Kasan shadow start    KASAN_SHADOW_START (set in ptdump_init()) = the same value  } KASAN_GENERIC
 *   Kasan shadow end      KASAN_SHADOW_END = (1 << (64 - scale)) + KASAN_SHADOW_OFFSET } or SW_TAGS
 *   Modules start         MODULES_VADDR = _PAGE_END(VA_BITS_MIN)
 *   Modules end           MODULES_END = MODULES_VADDR + SZ_128M
 *   vmalloc() area        VMALLOC_START = MODULES_END
 *   vmalloc() end         VMALLOC_END = VMEMMAP_START - SZ_256M
 *   Fixmap start          FIXADDR_START = FIXADDR_TOP - (__end_of_permanent_fixed_addresses << PAGE_SHIFT)
 *   Fixmap end            FIXADDR_TOP = VMEMMAP_START - SZ_32M
 *   PCI I/O start         PCI_IO_START = PCI_IO_END - SZ_16M
 *   PCI I/O end           PCI_IO_END = VMEMMAP_START - SZ_8M
 *   vmemmap start         VMEMMAP_START = -(1 << (VA_BITS - VMEMMAP_SHIFT)), VMEMMAP_SHIFT = PAGE_SHIFT - STRUCT_PAGE_MAX_SHIFT (6)
 *   vmemmap end           VMEMMAP_START + VMEMMAP_SIZE, VMEMMAP_SIZE = (_PAGE_END(VA_BITS_MIN) - PAGE_OFFSET) >> VMEMMAP_SHIFT
 * with VA_BITS_MIN = 48 when VA_BITS > 48. None of them depends on KASLR
 * or on memstart_addr in 6.1; only PAGE_END and KASAN_SHADOW_START depend on
 * a run-time value, vabits_actual, and only under KASAN (default:
 * vabits_actual = VA_BITS; pass `bases.vabits_actual` or
 * `bases.TCR_EL1_T1SZ` for a 52-bit kernel on 48-bit hardware). Mainline
 * instead derives "vmemmap start" from virt_to_page(_PAGE_OFFSET(vabits_actual))
 * (memstart_addr), walks from _PAGE_OFFSET(vabits_actual), puts vmemmap
 * before PCI I/O and the fixmap last (FIXADDR_TOT_START..-SZ_8M).
 *
 * __end_of_permanent_fixed_addresses (fixmap.h, 6.1): FIX_HOLE, the FDT
 * window (MAX_FDT_SIZE + SZ_2M = 4M of pages), FIX_EARLYCON_MEM_BASE,
 * FIX_TEXT_POKE0, 2 GHES slots (ACPI_APEI_GHES) + 2 SDEI slots
 * (ARM_SDE_INTERFACE), 3 trampoline slots (UNMAP_KERNEL_AT_EL0) + 1
 * (RELOCATABLE).
 *
 * Without a .config the layout assumes a defconfig-like 6.1 kernel:
 * UNMAP_KERNEL_AT_EL0, RELOCATABLE (RANDOMIZE_BASE) and ACPI_APEI_GHES set,
 * ARM_SDE_INTERFACE and KASAN unset. 6.1 has 52-bit VA only with 64K pages;
 * for 4k-52 and 16k-52 the same 6.1 formulas are applied with VA_BITS = 52.
 *
 * W+X (ptdump_check_wx(), note_prot_wx()/note_prot_uxn()): a closed range
 * whose value is not 0 counts as W+X when PTE_RDONLY and PTE_PXN are both
 * clear, and as non-UXN when PTE_UXN is clear; the kernel prints
 * "Checked W+X mappings: passed, no W+X pages found" or "Checked W+X
 * mappings: FAILED, %lu W+X pages found, %lu non-UXN pages found". The
 * WARN_ONCE texts are given for every range, with %p as the raw 16-digit
 * address (no_hash_pointers) and %pS as 0x-hex (no symbols here). With
 * `checkWx` the dumper is ptdump_check_wx()'s state: markers {0}, {-1} and
 * no seq_file, so no text lines (ranges are still reported).
 *
 * DumpedRange: effective permissions and phys are those of the range's
 * first entry (the kernel's text does not split where only the directory
 * limits differ), combined with the APTable/PXNTable/UXNTable bits of the
 * table entries above it, as translate() does.
 */
import { TWO64, lowerHalfEnd } from '../arch/va.js';
import { ulongHex } from '../hex.js';
import { LIMIT_NO_KEXEC, LIMIT_NO_UEXEC, LIMIT_NO_USER, LIMIT_NO_WRITE, type Depth } from '../arch/types.js';
import { PagewalkError } from '../errors.js';
import type { AddressSpace } from '../mm/address-space.js';
import type { KernelConfig } from './kernel-config.js';
import type { AddressMarker, ArchDumper, DumpedRange, PtdumpOptions, PtdumpOutput, PtdumpRange, WxResult } from './types.js';
import { WxWarnings } from './wx-warnings.js';

const TWO64n = 1n << 64n;
const MASK64 = TWO64n - 1n;

// pte_bits[] masks (arch/arm64/include/asm/pgtable-hwdef.h), as the two words.
const PTE_VALID = 1 << 0;
const PTE_TABLE_BIT = 1 << 1;
const ATTRINDX_SHIFT = 2;
const PTE_ATTRINDX_MASK = 7 << ATTRINDX_SHIFT;
const PTE_USER = 1 << 6;
const PTE_RDONLY = 1 << 7;
const PTE_SHARED = 3 << 8;
const PTE_AF = 1 << 10;
const PTE_NG = 1 << 11;
/** Bits 50, 52, 53, 54 in the high word. */
const HI_GP = 1 << 18;
const HI_CONT = 1 << 20;
const HI_PXN = 1 << 21;
const HI_UXN = 1 << 22;
/** pg_level[].mask: every pte_bits[] mask ORed (ptdump_initialize()). */
const LO_MASK = PTE_VALID | PTE_USER | PTE_RDONLY | PTE_SHARED | PTE_AF | PTE_NG | PTE_TABLE_BIT | PTE_ATTRINDX_MASK;
const HI_MASK = HI_GP | HI_CONT | HI_PXN | HI_UXN;

/** MT_* of arch/arm64/include/asm/memory.h (6.1) in pte_bits[] order, with their text. */
const MEM_TYPES: readonly (readonly [number, string])[] = [
  [3, 'DEVICE/nGnRnE'],
  [4, 'DEVICE/nGnRE'],
  [2, 'MEM/NORMAL-NC'],
  [0, 'MEM/NORMAL'],
  [1, 'MEM/NORMAL-TAGGED'],
];

const UNITS = 'KMGTPE';
const SZ_2M = 2n ** 21n;
const SZ_8M = 2n ** 23n;
const SZ_16M = 2n ** 24n;
const SZ_32M = 2n ** 25n;
const SZ_128M = 2n ** 27n;
const SZ_256M = 2n ** 28n;
/** MAX_FDT_SIZE (arch/arm64/include/asm/boot.h). */
const MAX_FDT_SIZE = SZ_2M;
/** STRUCT_PAGE_MAX_SHIFT: order_base_2(sizeof(struct page)) = 6 (64-byte struct page). */
const STRUCT_PAGE_MAX_SHIFT = 6;

/** The named values of the 6.1 kernel layout, unsigned 64-bit as numbers (exact: all are page-aligned). */
export interface Arm64KernelLayout {
  VA_BITS: number;
  VA_BITS_MIN: number;
  vabits_actual: number;
  PAGE_SHIFT: number;
  CONFIG_PGTABLE_LEVELS: number;
  PAGE_OFFSET: number;
  PAGE_END: number;
  KASAN_SHADOW_START: number | null;
  KASAN_SHADOW_END: number | null;
  MODULES_VADDR: number;
  MODULES_END: number;
  VMALLOC_START: number;
  VMALLOC_END: number;
  FIXADDR_START: number;
  FIXADDR_TOP: number;
  PCI_IO_START: number;
  PCI_IO_END: number;
  VMEMMAP_START: number;
  VMEMMAP_END: number;
  /** __end_of_permanent_fixed_addresses (pages of the fixmap). */
  fixmapPages: number;
}

const LAYOUT_KEYS = [
  'PAGE_OFFSET',
  'PAGE_END',
  'KASAN_SHADOW_START',
  'KASAN_SHADOW_END',
  'MODULES_VADDR',
  'MODULES_END',
  'VMALLOC_START',
  'VMALLOC_END',
  'FIXADDR_START',
  'FIXADDR_TOP',
  'PCI_IO_START',
  'PCI_IO_END',
  'VMEMMAP_START',
  'VMEMMAP_END',
] as const;

const MARKER_NAMES = [
  'Linear Mapping start',
  'Linear Mapping end',
  'Kasan shadow start',
  'Kasan shadow end',
  'Modules start',
  'Modules end',
  'vmalloc() area',
  'vmalloc() end',
  'Fixmap start',
  'Fixmap end',
  'PCI I/O start',
  'PCI I/O end',
  'vmemmap start',
  'vmemmap end',
] as const;

function enabled(config: KernelConfig | undefined, name: string, dflt: boolean): boolean {
  return config === undefined ? dflt : config.enabled(name);
}

function toBig(value: number, what: string): bigint {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= TWO64) {
    throw new PagewalkError('EINVAL', `arm64 ptdump bases.${what} must be an integer in [0, 2^64), got ${String(value)}`);
  }
  return BigInt(value);
}

function checkBases(bases: Record<string, number> | undefined): void {
  if (bases === undefined) return;
  if (bases === null || typeof bases !== 'object') throw new PagewalkError('EINVAL', `arm64 ptdump bases must be an object, got ${String(bases)}`);
  const known: string[] = ['vabits_actual', 'TCR_EL1_T1SZ', ...LAYOUT_KEYS, ...MARKER_NAMES];
  for (const key of Object.keys(bases)) {
    if (!known.includes(key)) {
      throw new PagewalkError('EINVAL', `unknown arm64 ptdump base "${key}": accepted are ${known.map((k) => JSON.stringify(k)).join(', ')}`);
    }
  }
}

/**
 * The kernel virtual layout of a 6.1 arm64 kernel for a paging mode and
 * .config, with `bases` overriding single values (a value derived from an
 * overridden one follows it, as the macros do).
 */
export function arm64KernelLayout(
  geo: { arch: string; mode: string; pageShift: number; vaBits: number; realAt: readonly boolean[] },
  config?: KernelConfig,
  bases?: Record<string, number>,
): Arm64KernelLayout {
  if (geo.arch !== 'arm64') throw new PagewalkError('EINVAL', `arm64KernelLayout needs an arm64 mode, got ${geo.arch} ${geo.mode}`);
  checkBases(bases);
  const pageShift = geo.pageShift;
  const vaBits = geo.vaBits;
  const levels = geo.realAt.filter((r) => r).length;
  if (config !== undefined) {
    const cva = config.get('ARM64_VA_BITS');
    const cps = config.get('ARM64_PAGE_SHIFT');
    if ((cva !== undefined && Number(cva) !== vaBits) || (cps !== undefined && Number(cps) !== pageShift)) {
      throw new PagewalkError(
        'EINVAL',
        `the .config (CONFIG_ARM64_VA_BITS=${String(cva)}, CONFIG_ARM64_PAGE_SHIFT=${String(cps)}) is not arm64 ${geo.mode} ` +
          `(VA_BITS ${vaBits}, PAGE_SHIFT ${pageShift})`,
      );
    }
  }
  const ov = (key: string): bigint | undefined => (bases !== undefined && bases[key] !== undefined ? toBig(bases[key], key) : undefined);
  let vabitsActual = vaBits;
  if (bases?.TCR_EL1_T1SZ !== undefined) vabitsActual = 64 - bases.TCR_EL1_T1SZ;
  if (bases?.vabits_actual !== undefined) vabitsActual = bases.vabits_actual;
  if (!Number.isInteger(vabitsActual) || vabitsActual < 36 || vabitsActual > vaBits) {
    throw new PagewalkError('EINVAL', `arm64 ptdump vabits_actual ${String(vabitsActual)} must be an integer in [36, VA_BITS ${vaBits}]`);
  }
  const neg = (v: bigint): bigint => (TWO64n - v) & MASK64;
  const vaBitsMin = vaBits > 48 ? 48 : vaBits;
  const pageEndOf = (va: number): bigint => neg(1n << BigInt(va - 1)); // _PAGE_END(va)
  const pageSize = 1n << BigInt(pageShift);

  const PAGE_OFFSET = ov('PAGE_OFFSET') ?? neg(1n << BigInt(vaBits));
  const kasan = enabled(config, 'KASAN_GENERIC', false) || enabled(config, 'KASAN_SW_TAGS', false);
  let KASAN_SHADOW_START: bigint | null = null;
  let KASAN_SHADOW_END: bigint | null = null;
  let PAGE_END: bigint;
  if (kasan) {
    const swTags = enabled(config, 'KASAN_SW_TAGS', false);
    const scale = swTags ? 4 : 3; // KASAN_SHADOW_SCALE_SHIFT, arch/arm64/Makefile
    const offsetText = config?.get('KASAN_SHADOW_OFFSET');
    const offset = offsetText !== undefined ? BigInt(offsetText) : kasanShadowOffsetDefault(vaBits, swTags);
    KASAN_SHADOW_END = ov('KASAN_SHADOW_END') ?? (((1n << BigInt(64 - scale)) + offset) & MASK64);
    const start = (KASAN_SHADOW_END - (1n << BigInt(vabitsActual - scale))) & MASK64; // _KASAN_SHADOW_START(vabits_actual)
    KASAN_SHADOW_START = ov('KASAN_SHADOW_START') ?? start;
    PAGE_END = ov('PAGE_END') ?? start;
  } else {
    PAGE_END = ov('PAGE_END') ?? pageEndOf(vaBitsMin);
  }
  const MODULES_VADDR = ov('MODULES_VADDR') ?? pageEndOf(vaBitsMin);
  const MODULES_END = ov('MODULES_END') ?? MODULES_VADDR + SZ_128M;
  const VMALLOC_START = ov('VMALLOC_START') ?? MODULES_END;
  const vmemmapShift = pageShift - STRUCT_PAGE_MAX_SHIFT;
  const VMEMMAP_START = ov('VMEMMAP_START') ?? neg(1n << BigInt(vaBits - vmemmapShift));
  const vmemmapSize = ((pageEndOf(vaBitsMin) - PAGE_OFFSET) & MASK64) >> BigInt(vmemmapShift);
  const VMEMMAP_END = ov('VMEMMAP_END') ?? (VMEMMAP_START + vmemmapSize) & MASK64;
  const VMALLOC_END = ov('VMALLOC_END') ?? VMEMMAP_START - SZ_256M;
  const PCI_IO_END = ov('PCI_IO_END') ?? VMEMMAP_START - SZ_8M;
  const PCI_IO_START = ov('PCI_IO_START') ?? PCI_IO_END - SZ_16M;
  const FIXADDR_TOP = ov('FIXADDR_TOP') ?? VMEMMAP_START - SZ_32M;
  // enum fixed_addresses up to __end_of_permanent_fixed_addresses.
  const fdtPages = Number((MAX_FDT_SIZE + SZ_2M) / pageSize);
  let fixmapPages = 1 + fdtPages + 2;
  if (enabled(config, 'ACPI_APEI_GHES', true)) fixmapPages += enabled(config, 'ARM_SDE_INTERFACE', false) ? 4 : 2;
  if (enabled(config, 'UNMAP_KERNEL_AT_EL0', true)) fixmapPages += enabled(config, 'RELOCATABLE', true) ? 4 : 3;
  const FIXADDR_START = ov('FIXADDR_START') ?? FIXADDR_TOP - BigInt(fixmapPages) * pageSize;

  return {
    VA_BITS: vaBits,
    VA_BITS_MIN: vaBitsMin,
    vabits_actual: vabitsActual,
    PAGE_SHIFT: pageShift,
    CONFIG_PGTABLE_LEVELS: levels,
    PAGE_OFFSET: Number(PAGE_OFFSET),
    PAGE_END: Number(PAGE_END),
    KASAN_SHADOW_START: KASAN_SHADOW_START === null ? null : Number(KASAN_SHADOW_START),
    KASAN_SHADOW_END: KASAN_SHADOW_END === null ? null : Number(KASAN_SHADOW_END),
    MODULES_VADDR: Number(MODULES_VADDR),
    MODULES_END: Number(MODULES_END),
    VMALLOC_START: Number(VMALLOC_START),
    VMALLOC_END: Number(VMALLOC_END),
    FIXADDR_START: Number(FIXADDR_START),
    FIXADDR_TOP: Number(FIXADDR_TOP),
    PCI_IO_START: Number(PCI_IO_START),
    PCI_IO_END: Number(PCI_IO_END),
    VMEMMAP_START: Number(VMEMMAP_START),
    VMEMMAP_END: Number(VMEMMAP_END),
    fixmapPages,
  };
}

/** CONFIG_KASAN_SHADOW_OFFSET's defaults, arch/arm64/Kconfig (6.1). */
function kasanShadowOffsetDefault(vaBits: number, swTags: boolean): bigint {
  const generic: Record<number, bigint> = {
    52: 0xdfff800000000000n,
    48: 0xdfff800000000000n,
    47: 0xdfffc00000000000n,
    42: 0xdffffe0000000000n,
    39: 0xdfffffc000000000n,
    36: 0xdffffff800000000n,
  };
  const tags: Record<number, bigint> = {
    52: 0xefff800000000000n,
    48: 0xefff800000000000n,
    47: 0xefffc00000000000n,
    42: 0xeffffe0000000000n,
    39: 0xefffffc000000000n,
    36: 0xeffffff800000000n,
  };
  return (swTags ? tags : generic)[vaBits] ?? 0xffffffffffffffffn;
}

/** address_markers[] of 6.1 for a layout (with ptdump_init()'s PAGE_END and KASAN_SHADOW_START filled in). */
export function arm64AddressMarkers(layout: Arm64KernelLayout, bases?: Record<string, number>): AddressMarker[] {
  const m: AddressMarker[] = [
    { start: layout.PAGE_OFFSET, name: 'Linear Mapping start' },
    { start: layout.PAGE_END, name: 'Linear Mapping end' },
  ];
  if (layout.KASAN_SHADOW_START !== null && layout.KASAN_SHADOW_END !== null) {
    m.push({ start: layout.KASAN_SHADOW_START, name: 'Kasan shadow start' }, { start: layout.KASAN_SHADOW_END, name: 'Kasan shadow end' });
  }
  m.push(
    { start: layout.MODULES_VADDR, name: 'Modules start' },
    { start: layout.MODULES_END, name: 'Modules end' },
    { start: layout.VMALLOC_START, name: 'vmalloc() area' },
    { start: layout.VMALLOC_END, name: 'vmalloc() end' },
    { start: layout.FIXADDR_START, name: 'Fixmap start' },
    { start: layout.FIXADDR_TOP, name: 'Fixmap end' },
    { start: layout.PCI_IO_START, name: 'PCI I/O start' },
    { start: layout.PCI_IO_END, name: 'PCI I/O end' },
    { start: layout.VMEMMAP_START, name: 'vmemmap start' },
    { start: layout.VMEMMAP_END, name: 'vmemmap end' },
  );
  if (bases !== undefined) {
    for (const marker of m) {
      const v = bases[marker.name];
      if (v !== undefined) marker.start = Number(toBig(v, marker.name));
    }
  }
  return m;
}


/** pg_level[].name of 6.1 for CONFIG_PGTABLE_LEVELS. */
function levelNames(levels: number): string[] {
  return ['PGD', 'P4D', levels > 3 ? 'PUD' : 'PGD', levels > 2 ? 'PMD' : 'PGD', 'PTE'];
}

/**
 * dump_prot(): one string per pte_bits[] entry that prints (set or clear),
 * each to be preceded by a space. The memory types print only when they match.
 */
function protStrings(lo: number, hi: number): string[] {
  const out: string[] = [];
  out.push((lo & PTE_VALID) !== 0 ? ' ' : 'F');
  out.push((lo & PTE_USER) !== 0 ? 'USR' : '   ');
  out.push((lo & PTE_RDONLY) !== 0 ? 'ro' : 'RW');
  out.push((hi & HI_PXN) !== 0 ? 'NX' : 'x ');
  out.push((lo & PTE_SHARED) === PTE_SHARED ? 'SHD' : '   ');
  out.push((lo & PTE_AF) !== 0 ? 'AF' : '  ');
  out.push((lo & PTE_NG) !== 0 ? 'NG' : '  ');
  out.push((hi & HI_CONT) !== 0 ? 'CON' : '   ');
  out.push((lo & PTE_TABLE_BIT) !== 0 ? '   ' : 'BLK');
  out.push((hi & HI_UXN) !== 0 ? 'UXN' : '   ');
  out.push((hi & HI_GP) !== 0 ? 'GP' : '  ');
  const idx = (lo & PTE_ATTRINDX_MASK) >>> ATTRINDX_SHIFT;
  for (const [mt, name] of MEM_TYPES) if (mt === idx) out.push(name);
  return out;
}

class Arm64PgState implements ArchDumper {
  readonly ranges: readonly PtdumpRange[];
  /** The 6.1 layout of the mode and .config (the markers, unless options.markers replaced them). */
  readonly layout: Arm64KernelLayout;

  private readonly mm: AddressSpace;
  private readonly out: PtdumpOutput;
  private readonly line: ((text: string) => void) | undefined;
  private readonly range: ((r: DumpedRange) => void) | undefined;
  private readonly names: string[];
  private readonly markerStarts: Float64Array;
  private readonly markerNames: readonly (string | null)[];
  private readonly checkWx: boolean;
  /** A user (TTBR0) address space: its half, no kernel markers, W+X judged at user privilege. */
  private readonly user: boolean;
  private readonly pageSize: number;
  private readonly checkDepth: Int32Array;

  // struct pg_state
  private marker = 0;
  private nextMarker = 0;
  private startAddress = 0;
  private level = -1;
  private curLo = 0;
  private curHi = 0;
  private wxPages = 0;
  private uxnPages = 0;
  private readonly warnings: WxWarnings;

  // For DumpedRange: the range's first entry, its directory limits, its output address.
  private valLo = 0;
  private valHi = 0;
  private valLimits = 0;
  private physStart = -1;
  private physOk = false;
  /** Directory limits ORed down to each depth (effective_prot() keeps them). */
  private readonly limits = new Int32Array(5);

  constructor(mm: AddressSpace, options: PtdumpOptions, out: PtdumpOutput) {
    this.warnings = new WxWarnings(options.onWxWarning);
    if (mm === null || typeof mm !== 'object' || mm.arch?.arch !== 'arm64') {
      throw new PagewalkError('EINVAL', `createArm64Dumper needs an arm64 address space, got ${String(mm?.arch?.arch ?? mm)}`);
    }
    if (options === null || typeof options !== 'object') throw new PagewalkError('EINVAL', `ptdump options must be an object, got ${String(options)}`);
    this.mm = mm;
    this.out = out ?? {};
    this.layout = arm64KernelLayout(mm.arch, options.config, options.bases);
    this.checkWx = options.checkWx === true;
    this.pageSize = 2 ** mm.arch.pageShift;
    this.names = levelNames(this.layout.CONFIG_PGTABLE_LEVELS);
    this.checkDepth = mm.plan.checkDepth;

    this.user = mm.span === 'lower';
    let markers: AddressMarker[];
    if (this.checkWx) {
      // ptdump_check_wx(): { 0, NULL }, { -1, NULL }, no seq_file.
      markers = [{ start: 0, name: '' }];
      this.line = undefined;
    } else if (this.user && options.markers === undefined) {
      // A TTBR0 address space: the kernel's markers do not apply to it. One
      // marker names the half, as loongarch's user dump does.
      markers = [{ start: 0, name: 'User space' }];
      this.line = this.out.line?.bind(this.out);
    } else {
      if (options.markers !== undefined) {
        if (!Array.isArray(options.markers) || options.markers.length === 0) {
          throw new PagewalkError('EINVAL', 'ptdump options.markers must be a non-empty array of { start, name }');
        }
        for (const m of options.markers) {
          if (m === null || typeof m !== 'object' || typeof m.name !== 'string' || typeof m.start !== 'number' || !(m.start >= 0 && m.start <= TWO64)) {
            throw new PagewalkError('EINVAL', `ptdump marker ${JSON.stringify(m)} must be { start: address, name: string }`);
          }
        }
        markers = options.markers.map((m) => ({ start: m.start, name: m.name }));
      } else {
        markers = arm64AddressMarkers(this.layout, options.bases);
      }
      this.line = this.out.line?.bind(this.out);
    }
    this.range = this.out.range?.bind(this.out);
    // The { -1, NULL } terminator: no address reaches it.
    const starts = new Float64Array(markers.length + 1);
    markers.forEach((m, i) => (starts[i] = m.start));
    starts[markers.length] = Infinity;
    this.markerStarts = starts;
    this.markerNames = [...markers.map((m) => m.name), null];
    this.nextMarker = starts[1];
    // kernel_ptdump_info.base_addr = PAGE_OFFSET; end ~0UL (2^64 here); ptdump_check_wx() the same.
    // A user (TTBR0) address space: ptdump_walk() ends a walk that starts
    // below TASK_SIZE_64 there (as for efi_mm, base_addr 0).
    this.ranges = Object.freeze([this.user ? { start: 0, end: lowerHalfEnd(mm.arch) } : { start: this.layout.PAGE_OFFSET, end: TWO64 }]);
  }

  /** effective_prot(): arm64 has none; kept here only to carry APTable/XNTable limits down for DumpedRange. */
  effectiveProt(level: number, lo: number, hi: number): void {
    const above = level === 0 ? 0 : this.limits[level - 1];
    let lim = above;
    if (level < 4 && (lo & 3) === 3) lim |= this.mm.codec.tableLimits(this.checkDepth[level] as Depth, lo, hi);
    this.limits[level] = lim;
  }

  notePage(addr: number, level: number, lo: number, hi: number): void {
    let plo = 0;
    let phi = 0;
    if (level >= 0) {
      plo = lo & LO_MASK;
      phi = hi & HI_MASK;
    }
    if (this.level === -1) {
      this.begin(addr, level, plo, phi, lo, hi);
      this.printMarker();
    } else if (plo !== this.curLo || phi !== this.curHi || level !== this.level || addr >= this.nextMarker) {
      this.close(addr);
      if (addr >= this.nextMarker) this.advanceMarker();
      this.begin(addr, level, plo, phi, lo, hi);
    } else if (this.physOk) {
      // The same range goes on: is it still physically contiguous?
      const pa = this.mm.codec.outputPa(this.checkDepth[level] as Depth, lo, hi);
      if (pa !== this.physStart + (addr - this.startAddress)) this.physOk = false;
    }
    if (addr >= this.nextMarker) this.advanceMarker();
  }

  wx(): WxResult {
    const passed = this.wxPages === 0 && this.uxnPages === 0;
    return {
      passed,
      wxPages: this.wxPages,
      nonUxnPages: this.uxnPages,
      message: passed
        ? 'Checked W+X mappings: passed, no W+X pages found'
        : `Checked W+X mappings: FAILED, ${this.wxPages} W+X pages found, ${this.uxnPages} non-UXN pages found`,
      warnings: this.warnings.list(),
      warningsOmitted: this.warnings.omitted,
    };
  }

  // ------------------------------------------------------------ internals

  private begin(addr: number, level: number, plo: number, phi: number, lo: number, hi: number): void {
    this.level = level;
    this.curLo = plo;
    this.curHi = phi;
    this.startAddress = addr;
    if (this.range === undefined) {
      this.physOk = false;
      return;
    }
    this.valLo = level >= 0 ? lo : 0;
    this.valHi = level >= 0 ? hi : 0;
    this.valLimits = level > 0 ? this.limits[level - 1] : 0;
    if (level >= 0 && (lo | hi) !== 0 && this.mm.codec.present(this.checkDepth[level] as Depth, lo, hi)) {
      this.physStart = this.mm.codec.outputPa(this.checkDepth[level] as Depth, lo, hi);
      this.physOk = true;
    } else {
      this.physStart = -1;
      this.physOk = false;
    }
  }

  private printMarker(): void {
    if (this.line === undefined) return;
    this.line(`---[ ${String(this.markerNames[this.marker])} ]---`);
  }

  private advanceMarker(): void {
    this.marker++;
    this.nextMarker = this.markerStarts[this.marker + 1];
    this.printMarker();
  }

  /** The else-branch of note_page(): the range [startAddress, addr) is complete. */
  private close(addr: number): void {
    const start = this.startAddress;
    // unsigned long arithmetic: the flush address 0 ends the range at 2^64
    // (printed 0x0000000000000000, as the kernel's text does). A user-half
    // walk ends at TASK_SIZE_64, and its last range says so: the kernel's
    // one such dump (efi_mm) would print the wrap and a size of 2^64 -
    // start, which reads as nonsense for a process.
    const end = Math.min(addr <= start ? addr + TWO64 : addr, this.ranges[this.ranges.length - 1].end);
    const nonZero = (this.curLo | this.curHi) !== 0;
    if (nonZero && this.checkWx) {
      const pages = (end - start) / this.pageSize;
      // note_prot_uxn(): kernel pages user space could execute. In a user
      // address space executable user pages are the point, so the check is
      // the kernel's only for kernel tables; W+X there is judged at the
      // pages' own (user) privilege, UXN instead of PXN (pagewalk's addition:
      // the kernel checks only its own tables).
      if (!this.user && (this.curHi & HI_UXN) === 0) {
        this.warnings.add(`arm64/mm: Found non-UXN mapping at address ${start.toString(16).padStart(16, '0')}/0x${start.toString(16)}`);
        this.uxnPages += pages;
      }
      if ((this.curLo & PTE_RDONLY) === 0 && (this.curHi & (this.user ? HI_UXN : HI_PXN)) === 0) {
        this.warnings.add(`arm64/mm: Found insecure W+X mapping at address ${start.toString(16).padStart(16, '0')}/0x${start.toString(16)}`);
        this.wxPages += pages;
      }
    }
    const prot = this.line !== undefined || this.range !== undefined ? (nonZero ? protStrings(this.curLo, this.curHi) : []) : null;
    if (this.line !== undefined) {
      let delta = (end - start) / 1024;
      let unit = 0;
      while (delta % 1024 === 0 && unit < UNITS.length - 1) {
        delta /= 1024;
        unit++;
      }
      let text = `0x${ulongHex(start)}-0x${ulongHex(end)}   ${String(delta).padStart(9)}${UNITS[unit]} ${this.names[this.level]}`;
      for (const s of prot!) text += ' ' + s;
      this.line(text);
    }
    if (this.range !== undefined) this.range(this.dumpedRange(start, end, prot!));
  }

  private dumpedRange(start: number, end: number, prot: string[]): DumpedRange {
    const lo = this.valLo;
    const hi = this.valHi;
    const level = this.level;
    const present = this.physStart >= 0;
    const valid = present && (lo & PTE_VALID) !== 0;
    const lim = this.valLimits;
    const user0 = (lo & PTE_USER) !== 0;
    const noExec = user0 ? LIMIT_NO_UEXEC : LIMIT_NO_KEXEC;
    return {
      start,
      end,
      level,
      levelName: this.names[level],
      present,
      user: valid && user0 && (lim & LIMIT_NO_USER) === 0,
      read: valid,
      write: valid && (lo & PTE_RDONLY) === 0 && (lim & LIMIT_NO_WRITE) === 0,
      exec: valid && (hi & (user0 ? HI_UXN : HI_PXN)) === 0 && (lim & noExec) === 0,
      global: valid && (lo & PTE_NG) === 0,
      phys: this.physOk ? this.physStart : null,
      flags: prot.map((s) => s.trim()).filter((s) => s !== ''),
    };
  }
}

/**
 * arm64's ptdump state (arch/arm64/mm/ptdump.c, Linux 6.1) for an address
 * space: note_page() producing the kernel_page_tables text and the
 * DumpedRanges, the range the kernel walks, and ptdump_check_wx()'s verdict.
 */
export function createArm64Dumper(mm: AddressSpace, options: PtdumpOptions, out: PtdumpOutput): ArchDumper {
  return new Arm64PgState(mm, options ?? {}, out);
}
