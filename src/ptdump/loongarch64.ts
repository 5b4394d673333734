/**
 * The loongarch64 page-table dumper: a `struct pg_state` + note_page() in the
 * manner of arch/riscv/mm/ptdump.c (Linux 6.1), for LoongArch's entries and
 * kernel layout, with its address markers and a W+X check.
 *
 * Mainline Linux has no loongarch ptdump. One was posted to LKML:
 * "[PATCH] LoongArch: Add support to dump the kernel page tables", Haoran
 * Jiang and Xiujie Jiang, 29 Jun 2026 (arch/loongarch/mm/ptdump.c, 417 lines,
 * plus an arm64-style asm/ptdump.h and mm/ptdump_debugfs.c), enabled by
 * CONFIG_PTDUMP_DEBUGFS only (the kernel text lives in the DMW window, so
 * the patch has no DEBUG_WX boot check). Huacai Chen answered "I like the
 * RISC-V version that put everything in ptdump.c"
 * (https://lkml.iu.edu/hypermail/linux/kernel/2606.3/08920.html; the
 * author's reply, 2606.3/11457.html, notes that vmalloc pages are W+X today
 * because PAGE_KERNEL lacks _PAGE_NO_EXEC). The archives available here show
 * only the head of that patch, not its format strings or flag tables, so
 * the text below is DERIVED, not copied: riscv 6.1's note_page()/dump_addr()/
 * dump_prot() shape, loongarch's bits from asm/pgtable-bits.h and layout
 * from asm/pgtable.h, addrspace.h, fixmap.h, sparsemem.h and kasan.h
 * (mainline). Every choice that is ours is marked DECIDED.
 *
 * ---------------------------------------------------------------- the text
 * Lines are riscv 6.1's, for present ranges only (current_prot != 0):
 *
 *   0x%016lx-0x%016lx   | 0x%016lx | %9lu%c | %s | " %s" per column
 *   start-end (3 spaces)  space pa space  size    level
 *
 * e.g. three PAGE_KERNEL pages of a 16K kernel:
 *   0xffff800012008000-0xffff800012014000    0x0000000000400000        48K PTE V D KERN CC  G P W .. .. .. ....
 *
 * Size: (end - start) >> 10, divided by 1024 while divisible, units KMGTPE.
 * Marker lines: `---[ %s ]---`, printed as riscv does (the first marker at
 * the first note_page(), the others when an address reaches them).
 *
 * Columns (DECIDED: one per pgtable-bits.h bit or field, in bit order; a
 * set bit shows its name, a clear one dots of the same width):
 *   V      bit 0   _PAGE_VALID (also _PAGE_ACCESSED)         V / .
 *   D      bit 1   _PAGE_DIRTY (hardware write enable)       D / .
 *   PLV    bits 2-3 _PAGE_PLV: KERN (0), PLV1, PLV2, "USR " (3), 4 wide
 *   MAT    bits 4-5 _CACHE_MASK: SUC (0), "CC " (1), WUC (2), ??? (3), 3 wide
 *   G/H    bit 6   pte: _PAGE_GLOBAL "G"; pmd/pud leaf: _PAGE_HUGE "H" (the
 *                  same bit: "HUGE is a PMD bit")                / .
 *   P      bit 7   _PAGE_PRESENT                              P / .
 *   W      bit 8   _PAGE_WRITE                                W / .
 *   HG     bit 12  _PAGE_HGLOBAL, huge leaves only (in a pte bit 12 is a
 *                  pfn bit with 4K pages): "HG" / ".." (a pte always "..")
 *   NR     bit 61  _PAGE_NO_READ                              NR / ..
 *   NX     bit 62  _PAGE_NO_EXEC                              NX / ..
 *   RPLV   bit 63  _PAGE_RPLV                                 RPLV / ....
 * Not shown and not compared (riscv compares exactly the shown bits):
 * _PAGE_MODIFIED (9), _PAGE_PROTNONE (10), _PAGE_SPECIAL (11), _PAGE_DEVMAP
 * (59), _PAGE_PRESENT_INVALID (60), and the pfn.
 *
 * A range ends where the compared bits, the level or the next marker
 * change; the physical address printed is the first page's and never
 * splits a range (riscv's last_pa). DECIDED, loongarch adjustments:
 * - an empty kernel pte is _PAGE_GLOBAL, not 0 (kernel_pte_init(),
 *   pte_clear()): a pte_none() entry counts as flags 0 (a hole), else every
 *   unused slot of a kernel pte table would print as a "G" range;
 * - empty directory entries point at invalid_pte_table / invalid_pmd_table /
 *   invalid_pud_table: the walker reports them as holes (pte_hole), flags 0;
 * - the address is the leaf's output address (bits PAGE_SHIFT..47 of a pte,
 *   PMD_SHIFT..47 of a huge pmd): PFN_PHYS(pte_pfn()) of a literal port would
 *   add _PAGE_HGLOBAL (bit 12) to huge pages of 4K kernels;
 * - the last range's end is where the walk ended (2^64, printed
 *   0x0000000000000000 as riscv's flush does, for the 47-bit modes; the end
 *   of the table's span for the smaller ones) instead of riscv's flush
 *   address 0.
 *
 * Level names: riscv's pg_level[] for CONFIG_PGTABLE_LEVELS of the mode:
 *   2 levels: PGD PGD PGD PGD PTE (a huge pmd reads PGD)
 *   3 levels: PGD PGD PGD PMD PTE;  4 levels: PGD PGD PUD PMD PTE
 *
 * ------------------------------------------------------------- walk range
 * The kernel half, PGDH: [vm_map_base, vm_map_base + 2^min(VA_BITS,
 * cpu_vabits)) = the model's upper half (vm_map_base = -2^cpu_vabits =
 * 0xffff800000000000 on VALEN-48 CPUs). The direct-mapped windows
 * (0x8000..., 0x9000...) are not in page tables and are not walked. For a
 * user address space (PGDL) the lower half, with one marker "User space"
 * (DECIDED; the patch dumps init_mm only).
 *
 * ---------------------------------------------------------------- markers
 * From asm/pgtable.h (mainline), B = vm_map_base, P = PAGE_SIZE:
 *   PCI I/O start    PCI_IOBASE = B + 2P;  PCI I/O end = + PCI_IOSIZE (32M)
 *   Modules start    MODULES_VADDR = B + PCI_IOSIZE + 2P
 *   Modules end      MODULES_END = MODULES_VADDR + 256M
 *   vmalloc() area   VMALLOC_START = MODULES_END
 *   vmalloc() end    VMALLOC_END = B + min(PTRS_PER_PGD*..*PTRS_PER_PTE*P,
 *                    2^cpu_vabits [/2 with KASAN]) - PMD_SIZE - VMEMMAP_SIZE
 *                    - KFENCE_AREA_SIZE
 *   vmemmap start    vmemmap = (VMALLOC_END + PMD_SIZE) & PMD_MASK   } CONFIG_SPARSEMEM_
 *   vmemmap end      VMEMMAP_END + 1 = vmemmap + VMEMMAP_SIZE         } VMEMMAP
 *                    (VMEMMAP_SIZE = 64 << (cpu_pabits + 1 - PAGE_SHIFT))
 *   kfence start     KFENCE_AREA_START = VMEMMAP_END + 1              } CONFIG_KFENCE
 *   kfence end       KFENCE_AREA_END + 1 (size ((NUM_OBJECTS+1)*2+2) P)}
 *   Kasan shadow start/end  KASAN_SHADOW_START/END (asm/kasan.h)      } CONFIG_KASAN
 *   Fixmap start     FIXADDR_START = FIXADDR_TOP - 2P (FIX_HOLE, FIX_EARLYCON_MEM_BASE)
 *   Fixmap end       FIXADDR_TOP = 0xfffffffffffe0000
 * DECIDED: names follow riscv ("vmalloc() area", "PCI I/O start", "Kasan
 * shadow start", "Fixmap start") and arm64 ("Modules start"); the list is
 * sorted by address (stable), since on loongarch vmemmap/kfence run up to
 * 2^64 around the fixmap and a fixed enum order would hide markers. Where
 * the table span is smaller than 2^cpu_vabits (4k-3level, 16k-2level,
 * 64k-2level) the fixmap is reached through its alias: the hardware indexes
 * the tables with the low VA bits only, so FIXADDR_START/TOP are shown at
 * B + ((addr - B) mod span), where its ptes really are (the PMD_SIZE left
 * free below the span's end). Markers beyond the walk are never printed.
 * Config defaults without a .config (loongson3_defconfig: 16KB_3LEVEL,
 * NUMA, SPARSEMEM): SPARSEMEM_VMEMMAP on where its 64 << (48 - PAGE_SHIFT)
 * bytes fit in the span (not 4k-3level, 16k-2level), KFENCE and KASAN off.
 * A .config enabling SPARSEMEM_VMEMMAP where it cannot fit is refused
 * (VMALLOC_END would fall below VMALLOC_START). Kernels before vmemmap and
 * KFENCE support computed VMALLOC_END without those terms; pass `markers`.
 * `bases` overrides vm_map_base (the rest follows) or any marker, by marker
 * name or variable (PCI_IOBASE, MODULES_VADDR, MODULES_END, VMALLOC_START,
 * VMALLOC_END, VMEMMAP_START, KFENCE_AREA_START, KASAN_SHADOW_START,
 * KASAN_SHADOW_END, FIXADDR_START, FIXADDR_TOP).
 *
 * -------------------------------------------------------------------- W+X
 * DECIDED, riscv's wording and counting: a closed range that is present
 * (P), writable (W or D) and executable (NX clear) adds (end - start) /
 * PAGE_SIZE pages; one warning per run (runs split only by markers are
 * merged, as the marker-less check walk sees them):
 *   "loongarch/mm: Found insecure W+X mapping at address %p/%pS"
 * (%p as with no_hash_pointers, %pS of an address without a symbol), and
 *   "Checked W+X mappings: passed, no W+X pages found" /
 *   "Checked W+X mappings: failed, %lu W+X pages found".
 * On mainline kernels every vmalloc page is W+X (PAGE_KERNEL has no NX).
 *
 * DumpedRange: present = P; read = !NR, write = W or D, exec = !NX, user =
 * PLV 3, global = G (pte) or HGLOBAL (huge), all at the leaf (LoongArch
 * directories carry no permissions); flags = the set columns as printed.
 */

import { TWO64, lowerHalfEnd, upperHalfEnd, upperHalfStart } from '../arch/va.js';
import { ulongHex } from '../hex.js';
import { PagewalkError, hex } from '../errors.js';
import { PGD, PMD } from '../arch/types.js';
import type { AddressSpace } from '../mm/address-space.js';
import type { AddressMarker, ArchDumper, DumpedRange, PtdumpOptions, PtdumpOutput, PtdumpRange, WxResult } from './types.js';
import { WxWarnings } from './wx-warnings.js';

const SZ_32M = 2 ** 25;
const SZ_256M = 2 ** 28;

// pgtable-bits.h, low word
const V = 0x1; // _PAGE_VALID
const D = 0x2; // _PAGE_DIRTY
const PLV_SHIFT = 2;
const MAT_SHIFT = 4;
const G = 0x40; // _PAGE_GLOBAL (pte) / _PAGE_HUGE (pmd, pud)
const P = 0x80; // _PAGE_PRESENT
const W = 0x100; // _PAGE_WRITE
const HG = 0x1000; // _PAGE_HGLOBAL (huge only)
// high word: bit n is 1 << (n - 32)
const NR = 1 << 29; // _PAGE_NO_READ, bit 61
const NX = 1 << 30; // _PAGE_NO_EXEC, bit 62
const RPLV = 1 << 31; // _PAGE_RPLV, bit 63 (int32: negative)

/** The shown bits: pg_level[].mask. */
const MASK_LO_PTE = V | D | (3 << PLV_SHIFT) | (3 << MAT_SHIFT) | G | P | W;
const MASK_LO_HUGE = MASK_LO_PTE | HG;
const MASK_HI = NR | NX | RPLV;

const PLV_NAMES = ['KERN', 'PLV1', 'PLV2', 'USR '];
const MAT_NAMES = ['SUC', 'CC ', 'WUC', '???'];
const UNITS = 'KMGTPE';

/** FIXADDR_TOP: (unsigned long)(long)(int)0xfffe0000 (asm/addrspace.h). */
const FIXADDR_TOP = TWO64 - 0x20000;
/** __end_of_fixed_addresses: FIX_HOLE, FIX_EARLYCON_MEM_BASE (asm/fixmap.h). */
const FIXMAP_PAGES = 2;
/** sizeof(struct page) on 64-bit. */
const STRUCT_PAGE_SIZE = 64;
/** CONFIG_KFENCE_NUM_OBJECTS default. */
const KFENCE_NUM_OBJECTS = 255;

const MODE_CONFIG: Record<string, string> = {
  '4k-3level': '4KB_3LEVEL',
  '4k-4level': '4KB_4LEVEL',
  '16k-2level': '16KB_2LEVEL',
  '16k-3level': '16KB_3LEVEL',
  '64k-2level': '64KB_2LEVEL',
  '64k-3level': '64KB_3LEVEL',
};

/** Marker names in the order of our address_markers[] before sorting. */
const MARKER_NAMES = [
  'PCI I/O start',
  'PCI I/O end',
  'Modules start',
  'Modules end',
  'vmalloc() area',
  'vmalloc() end',
  'vmemmap start',
  'vmemmap end',
  'kfence start',
  'kfence end',
  'Kasan shadow start',
  'Kasan shadow end',
  'Fixmap start',
  'Fixmap end',
] as const;

/** `bases` keys naming a kernel variable, with the marker each one places. */
const BASE_VARIABLES: Record<string, (typeof MARKER_NAMES)[number]> = {
  PCI_IOBASE: 'PCI I/O start',
  MODULES_VADDR: 'Modules start',
  MODULES_END: 'Modules end',
  VMALLOC_START: 'vmalloc() area',
  VMALLOC_END: 'vmalloc() end',
  VMEMMAP_START: 'vmemmap start',
  KFENCE_AREA_START: 'kfence start',
  KASAN_SHADOW_START: 'Kasan shadow start',
  KASAN_SHADOW_END: 'Kasan shadow end',
  FIXADDR_START: 'Fixmap start',
  FIXADDR_TOP: 'Fixmap end',
};

function checkAddress(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > TWO64) {
    throw new PagewalkError('EINVAL', `loongarch64 ptdump: ${what} ${String(v)} must be an integer address in [0, 2^64]`);
  }
  return v;
}

function checkArch(mm: AddressSpace): void {
  if (mm === null || typeof mm !== 'object' || mm.arch === undefined) {
    throw new PagewalkError('EINVAL', 'loongarch64 ptdump needs an AddressSpace (machine.initMm)');
  }
  if (mm.arch.arch !== 'loongarch64') {
    throw new PagewalkError('EINVAL', `loongarch64 ptdump on a ${mm.arch.arch} address space`);
  }
}

const roundUp = (v: number, to: number): number => Math.ceil(v / to) * to;

/**
 * address_markers[] of the kernel half of `mm`'s mode, as the header
 * formulas above compute them for the .config in `options` (or the
 * defconfig-like defaults), sorted by address; `options.bases` applied.
 * `options.markers` is not consulted (it replaces this list in the dumper).
 */
export function loongarch64AddressMarkers(mm: AddressSpace, options: PtdumpOptions = {}): AddressMarker[] {
  checkArch(mm);
  if (options === null || typeof options !== 'object') throw new PagewalkError('EINVAL', `loongarch64 ptdump: options must be an object, got ${String(options)}`);
  const geo = mm.arch;
  const config = options.config;
  const bases = options.bases ?? {};
  if (bases === null || typeof bases !== 'object') throw new PagewalkError('EINVAL', `loongarch64 ptdump: bases must be an object, got ${String(bases)}`);
  for (const key of Object.keys(bases)) {
    if (key !== 'vm_map_base' && !(key in BASE_VARIABLES) && !(MARKER_NAMES as readonly string[]).includes(key)) {
      throw new PagewalkError(
        'EINVAL',
        `loongarch64 ptdump: unknown base ${JSON.stringify(key)}; expected vm_map_base, a variable (${Object.keys(BASE_VARIABLES).join(', ')}) or a marker name (${MARKER_NAMES.join(', ')})`,
      );
    }
  }
  if (config !== undefined) {
    const wanted = MODE_CONFIG[geo.mode];
    for (const [mode, opt] of Object.entries(MODE_CONFIG)) {
      if (opt !== wanted && config.enabled(opt)) {
        throw new PagewalkError('EINVAL', `loongarch64 ptdump: the .config selects CONFIG_${opt} (${mode}) but the address space is ${geo.mode}`);
      }
    }
  }

  const page = 2 ** geo.pageShift;
  const pmdSize = 2 ** geo.shift[PMD];
  const pgdirSize = 2 ** geo.shift[PGD];
  /** PTRS_PER_PGD * PTRS_PER_PUD * PTRS_PER_PMD * PTRS_PER_PTE * PAGE_SIZE = 2^VA_BITS. */
  const tableSpan = pgdirSize * geo.entries[PGD];
  const kernelStart = upperHalfStart(geo);
  /** 2^cpu_vabits: vm_map_base = -(1 << cpu_vabits). */
  const cpuSpace = TWO64 - kernelStart;
  /** What one PGDH root translates (the walk's span). */
  const span = upperHalfEnd(geo) - kernelStart;
  const vm = bases.vm_map_base === undefined ? kernelStart : checkAddress('bases.vm_map_base', bases.vm_map_base);

  const kasan = config !== undefined && config.enabled('KASAN');
  const kfence = config !== undefined && config.enabled('KFENCE');
  const kfenceSize = kfence ? ((config.number('KFENCE_NUM_OBJECTS', KFENCE_NUM_OBJECTS) + 1) * 2 + 2) * page : 0;
  const limit = Math.min(tableSpan, kasan ? cpuSpace / 2 : cpuSpace);
  const pciIoBase = vm + 2 * page;
  const modulesVaddr = vm + SZ_32M + 2 * page;
  const modulesEnd = modulesVaddr + SZ_256M;
  const vmallocEndFor = (vmemmapSize: number): number => vm + limit - pmdSize - vmemmapSize - kfenceSize;
  // VMEMMAP_SIZE = sizeof(struct page) << (cpu_pabits + 1 - PAGE_SHIFT); cpu_pabits + 1 = PALEN = 48.
  const fullVmemmap = STRUCT_PAGE_SIZE * 2 ** (geo.physBits - geo.pageShift);
  const fits = vmallocEndFor(fullVmemmap) > modulesEnd;
  const vmemmapOn = config === undefined ? fits : config.enabled('SPARSEMEM_VMEMMAP');
  if (vmemmapOn && !fits) {
    throw new PagewalkError(
      'EINVAL',
      `loongarch64 ptdump: CONFIG_SPARSEMEM_VMEMMAP in ${geo.mode}: VMEMMAP_SIZE ${hex(fullVmemmap)} does not fit in the ${hex(limit)}-byte kernel span (VMALLOC_END ${hex(vmallocEndFor(fullVmemmap))} would be below VMALLOC_START ${hex(modulesEnd)}); pass markers for such a kernel`,
    );
  }
  const vmemmapSize = vmemmapOn ? fullVmemmap : 0;
  const vmallocEnd = vmallocEndFor(vmemmapSize);
  const vmemmap = Math.floor((vmallocEnd + pmdSize) / pmdSize) * pmdSize;
  const vmemmapEnd = vmemmap + vmemmapSize; // VMEMMAP_END + 1
  const kfenceStart = vmemmapEnd;
  const kfenceEnd = kfenceStart + kfenceSize; // KFENCE_AREA_END + 1
  // asm/kasan.h: XRANGE_SIZE = 2^(PGDIR_SHIFT + PAGE_SHIFT - 3) = 2^VA_BITS.
  const kasanStart = roundUp(kfenceEnd, pgdirSize);
  const xkvrangeSize = roundUp(kfenceEnd - modulesVaddr, pgdirSize);
  const kasanSize = (tableSpan / 8) * 2 + xkvrangeSize / 8;
  const kasanEnd = roundUp(kasanStart + kasanSize, pgdirSize);
  // The fixmap, through its alias where the tables span less than 2^cpu_vabits.
  const alias = (a: number): number => (a >= kernelStart + span && a - kernelStart < cpuSpace ? kernelStart + ((a - kernelStart) % span) : a);
  const fixStart = alias(FIXADDR_TOP - FIXMAP_PAGES * page);
  const fixTop = alias(FIXADDR_TOP);

  const at: Record<(typeof MARKER_NAMES)[number], number> = {
    'PCI I/O start': pciIoBase,
    'PCI I/O end': pciIoBase + SZ_32M,
    'Modules start': modulesVaddr,
    'Modules end': modulesEnd,
    'vmalloc() area': modulesEnd,
    'vmalloc() end': vmallocEnd,
    'vmemmap start': vmemmap,
    'vmemmap end': vmemmapEnd,
    'kfence start': kfenceStart,
    'kfence end': kfenceEnd,
    'Kasan shadow start': kasanStart,
    'Kasan shadow end': kasanEnd,
    'Fixmap start': fixStart,
    'Fixmap end': fixTop,
  };
  for (const [variable, name] of Object.entries(BASE_VARIABLES)) {
    if (bases[variable] !== undefined) at[name] = checkAddress(`bases.${variable}`, bases[variable]);
  }
  for (const name of MARKER_NAMES) {
    if (bases[name] !== undefined) at[name] = checkAddress(`bases[${JSON.stringify(name)}]`, bases[name]);
  }
  const markers: AddressMarker[] = [];
  for (const name of MARKER_NAMES) {
    if (name.startsWith('vmemmap') && !vmemmapOn) continue;
    if (name.startsWith('kfence') && !kfence) continue;
    if (name.startsWith('Kasan') && !kasan) continue;
    markers.push({ start: at[name], name });
  }
  // Array.prototype.sort is stable: equal addresses keep the list's order.
  return markers.sort((a, b) => a.start - b.start);
}

/** pg_level[].name of riscv's ptdump.c for CONFIG_PGTABLE_LEVELS of the mode. */
function levelNamesFor(mm: AddressSpace): string[] {
  const levels = mm.arch.tableAt.filter((t) => t).length;
  return ['PGD', levels > 4 ? 'P4D' : 'PGD', levels > 3 ? 'PUD' : 'PGD', levels > 2 ? 'PMD' : 'PGD', 'PTE'];
}

/**
 * `struct pg_state` with note_page(). All state lives in fields; a pte that
 * continues the open range costs a few int compares and one outputPa() call.
 */
class Loongarch64Dumper implements ArchDumper {
  readonly ranges: readonly PtdumpRange[];
  /** The markers in use, then the {-1, NULL} sentinel (2^64, above every page address). */
  readonly markers: readonly AddressMarker[];
  readonly levelNames: readonly string[];

  private readonly out: PtdumpOutput;
  private readonly mm: AddressSpace;
  private readonly pageSize: number;
  /** Bytes one entry maps at each level (2^shift). */
  private readonly entrySize: Float64Array;

  // struct pg_state
  private markerIdx = 0;
  private nextMarker: number;
  private startAddress = 0;
  private startPa = 0;
  private level = -1;
  private protLo = 0;
  private protHi = 0;
  private contiguous = true;
  /** Where the last entry noted ends (the flush closes the open range there). */
  private lastAddr = 0;
  private lastEnd = 0;

  // W+X runs (merged across marker splits, as the marker-less check walk sees them).
  private wxPages = 0;
  private readonly wxWarnings: WxWarnings;
  private wxRunStart = -1;
  private wxRunEnd = -1;
  private wxRunLevel = -1;
  private wxRunLo = 0;
  private wxRunHi = 0;

  constructor(mm: AddressSpace, options: PtdumpOptions, out: PtdumpOutput) {
    this.wxWarnings = new WxWarnings(options.onWxWarning);
    checkArch(mm);
    if (options === null || typeof options !== 'object') throw new PagewalkError('EINVAL', `loongarch64 ptdump: options must be an object, got ${String(options)}`);
    if (out === null || typeof out !== 'object') throw new PagewalkError('EINVAL', `loongarch64 ptdump: out must be an object, got ${String(out)}`);
    this.mm = mm;
    this.out = out;
    this.pageSize = 2 ** mm.arch.pageShift;
    this.entrySize = new Float64Array(mm.arch.shift.map((s) => 2 ** s));
    this.levelNames = levelNamesFor(mm);
    let markers: AddressMarker[];
    if (mm.span === 'lower') {
      this.ranges = [{ start: 0, end: lowerHalfEnd(mm.arch) }];
      markers = [{ start: 0, name: 'User space' }];
    } else {
      this.ranges = [{ start: upperHalfStart(mm.arch), end: upperHalfEnd(mm.arch) }];
      markers = loongarch64AddressMarkers(mm, options);
    }
    if (options.markers !== undefined) {
      if (!Array.isArray(options.markers) || options.markers.length === 0) {
        throw new PagewalkError('EINVAL', 'loongarch64 ptdump: options.markers must be a non-empty array of { start, name }');
      }
      markers = options.markers.map((m, i) => {
        if (m === null || typeof m !== 'object' || typeof m.name !== 'string') {
          throw new PagewalkError('EINVAL', `loongarch64 ptdump: markers[${i}] must be { start: number, name: string }`);
        }
        return { start: checkAddress(`markers[${i}].start`, m.start), name: m.name };
      });
    }
    this.markers = [...markers, { start: TWO64, name: '(null)' }];
    this.nextMarker = this.markers[1].start;
  }

  notePage(addr: number, level: number, lo: number, hi: number): void {
    let protLo = 0;
    let protHi = 0;
    if (level >= 0) {
      if (level === 4) {
        // pte_none(): !(val & ~_PAGE_GLOBAL) is an empty slot.
        if ((lo & ~G) !== 0 || hi !== 0) {
          protLo = lo & MASK_LO_PTE;
          protHi = hi & MASK_HI;
        }
      } else {
        protLo = lo & MASK_LO_HUGE;
        protHi = hi & MASK_HI;
      }
    }
    if (this.level === -1) {
      this.open(addr, level, lo, hi, protLo, protHi);
      this.out.line?.(`---[ ${this.markers[this.markerIdx].name} ]---`);
    } else if (protLo !== this.protLo || protHi !== this.protHi || level !== this.level || addr >= this.nextMarker) {
      this.close(level === -1 ? this.flushEnd() : addr);
      while (addr >= this.nextMarker) {
        this.markerIdx++;
        this.nextMarker = this.markers[this.markerIdx + 1].start;
        this.out.line?.(`---[ ${this.markers[this.markerIdx].name} ]---`);
      }
      this.open(addr, level, lo, hi, protLo, protHi);
    } else if (this.contiguous && (protLo | protHi) !== 0) {
      if (this.mm.codec.outputPa(level as 4, lo, hi) !== this.startPa + (addr - this.startAddress)) this.contiguous = false;
    }
    if (level >= 0) {
      this.lastAddr = addr;
      this.lastEnd = addr + this.entrySize[level];
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

  /** End of the last entry noted, cut at the end of the walk range holding it. */
  private flushEnd(): number {
    let end = this.lastEnd;
    for (const r of this.ranges) {
      if (this.lastAddr >= r.start && this.lastAddr < r.end && end > r.end) end = r.end;
    }
    return end;
  }

  private open(addr: number, level: number, lo: number, hi: number, protLo: number, protHi: number): void {
    this.level = level;
    this.protLo = protLo;
    this.protHi = protHi;
    this.startAddress = addr;
    this.startPa = (protLo | protHi) !== 0 ? this.mm.codec.outputPa(level as 4, lo, hi) : 0;
    this.contiguous = true;
  }

  /** The closing half of note_page() for [start_address, end): W+X, dump_addr(), dump_prot(), the range. */
  private close(end: number): void {
    const start = this.startAddress;
    const lo = this.protLo;
    const hi = this.protHi;
    const level = this.level;
    const shown = (lo | hi) !== 0;
    const present = (lo & P) !== 0;
    const write = present && (lo & (W | D)) !== 0;
    const exec = present && (hi & NX) === 0;
    if (shown) {
      this.noteProtWx(start, end, level, lo, hi, write && exec);
      if (this.out.line !== undefined) this.out.line(this.dumpAddr(start, end) + dumpProt(level, lo, hi));
    }
    if (this.out.range !== undefined) {
      this.out.range({
        start,
        end,
        level,
        levelName: this.levelNames[level],
        present,
        user: present && ((lo >>> PLV_SHIFT) & 3) === 3,
        read: present && (hi & NR) === 0,
        write,
        exec,
        global: present && (level === 4 ? (lo & G) !== 0 : (lo & HG) !== 0),
        phys: present && this.contiguous ? this.startPa : null,
        flags: shown ? flagNames(level, lo, hi) : [],
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

  private noteProtWx(start: number, end: number, level: number, lo: number, hi: number, wx: boolean): void {
    if (!wx) {
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

  private flushWxRun(): void {
    if (this.wxRunStart < 0) return;
    const start = this.wxRunStart;
    this.wxPages += (this.wxRunEnd - start) / this.pageSize;
    this.wxWarnings.add(`loongarch/mm: Found insecure W+X mapping at address ${ulongHex(start)}/${hex(start)}`);
    this.wxRunStart = -1;
  }
}

/** dump_prot(): " %s" per column. */
function dumpProt(level: number, lo: number, hi: number): string {
  const huge = level !== 4;
  return (
    ((lo & V) !== 0 ? ' V' : ' .') +
    ((lo & D) !== 0 ? ' D' : ' .') +
    ' ' + PLV_NAMES[(lo >>> PLV_SHIFT) & 3] +
    ' ' + MAT_NAMES[(lo >>> MAT_SHIFT) & 3] +
    ((lo & G) !== 0 ? (huge ? ' H' : ' G') : ' .') +
    ((lo & P) !== 0 ? ' P' : ' .') +
    ((lo & W) !== 0 ? ' W' : ' .') +
    (huge && (lo & HG) !== 0 ? ' HG' : ' ..') +
    ((hi & NR) !== 0 ? ' NR' : ' ..') +
    ((hi & NX) !== 0 ? ' NX' : ' ..') +
    ((hi & RPLV) !== 0 ? ' RPLV' : ' ....')
  );
}

/** The set columns as printed (PLV and MAT always, trimmed). */
function flagNames(level: number, lo: number, hi: number): string[] {
  const huge = level !== 4;
  const f: string[] = [];
  if (lo & V) f.push('V');
  if (lo & D) f.push('D');
  f.push(PLV_NAMES[(lo >>> PLV_SHIFT) & 3].trim());
  f.push(MAT_NAMES[(lo >>> MAT_SHIFT) & 3].trim());
  if (lo & G) f.push(huge ? 'H' : 'G');
  if (lo & P) f.push('P');
  if (lo & W) f.push('W');
  if (huge && lo & HG) f.push('HG');
  if (hi & NR) f.push('NR');
  if (hi & NX) f.push('NX');
  if (hi & RPLV) f.push('RPLV');
  return f;
}

/**
 * The loongarch64 dumper for `mm` (any of the six modes): the
 * kernel_page_tables-style text documented at the top of this file, every
 * closed range, and the W+X verdict. Walks the kernel half (PGDH) of a
 * kernel address space, the lower half (PGDL) of a user one.
 */
export function createLoongarch64Dumper(mm: AddressSpace, options: PtdumpOptions, out: PtdumpOutput): ArchDumper {
  return new Loongarch64Dumper(mm, options, out);
}

