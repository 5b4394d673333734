/**
 * LoongArch64 paging as Linux builds it: 4K, 16K or 64K pages with 2, 3 or 4
 * table levels (the CONFIG_{4,16,64}KB_{2,3,4}LEVEL choices), two roots
 * (CSR.PGDL for the lower half, CSR.PGDH for the upper half) and huge pages
 * at the pmd only.
 *
 * Sources (mainline, read at torvalds/linux and a v6.17-era mirror; 6.1
 * differences noted where they change a result):
 * - arch/loongarch/include/asm/pgtable-bits.h: _PAGE_*_SHIFT, _PAGE_*,
 *   _CACHE_SUC/CC/WUC, _PFN_MASK (PFN_PTE_SHIFT .. _PAGE_PFN_END_SHIFT 48),
 *   PAGE_KERNEL, PAGE_KERNEL_SUC, PAGE_KERNEL_WUC, PAGE_NONE, PAGE_SHARED.
 * - arch/loongarch/include/asm/pgtable.h: PGDIR/PUD/PMD_SHIFT, VA_BITS,
 *   PTRS_PER_*, the folding headers per CONFIG_PGTABLE_LEVELS, p4d_none()/
 *   p4d_bad()/p4d_present(), pud_none()/pud_bad()/pud_present(),
 *   pmd_none()/pmd_bad()/pmd_present(), pte_none()/pte_present(),
 *   pmd_leaf()/pud_leaf() (_PAGE_HUGE), pmd_mkinvalid(), p?d_phys() =
 *   PHYSADDR(val).
 * - arch/loongarch/include/asm/addrspace.h + loongarch.h: CACHE_BASE =
 *   CSR_DMW1_BASE = 0x9000000000000000, UNCACHE_BASE = CSR_DMW0_BASE =
 *   0x8000000000000000, DMW_PABITS 48, TO_PHYS_MASK, PHYSADDR().
 * - arch/loongarch/mm/pgtable.c: pgd_init() (entries = invalid_pud_table,
 *   invalid_pmd_table or invalid_pte_table by folding), pud_init(),
 *   pmd_init(), kernel_pte_init(); mm/init.c: vmemmap_set_pmd() (a kernel
 *   huge pmd is pfn_pmd(pfn, PAGE_KERNEL) | _PAGE_HUGE | _PAGE_HGLOBAL).
 * - arch/loongarch/include/asm/page.h: HPAGE_SHIFT = PAGE_SHIFT*2 - 3 (=
 *   PMD_SHIFT); mm/hugetlbpage.c: huge_pte_alloc() stops at the pmd.
 * - arch/loongarch/kernel/cpu-probe.c + processor.h: cpu_vabits is
 *   CPUCFG1.VALEN, which holds VALEN-1 (proc.c prints cpu_vabits + 1);
 *   TASK_SIZE64 = 1 << min(cpu_vabits, VA_BITS); vm_map_base =
 *   -(1 << cpu_vabits).
 * - LoongArch Reference Manual vol. 1, section 5.4 (TLB entry / page table
 *   entry: V D PLV MAT G|H P W ... NR NX RPLV; huge entries carry G at bit
 *   12), section 5.2 (direct mapped windows: VA[63:60] = DMW.VSEG).
 *
 * Directory entries hold KERNEL VIRTUAL addresses (pmd_populate() stores the
 * table pointer; __va() gives a CACHE_BASE window address), and an empty
 * directory entry is not 0 but the address of the invalid table one level
 * down (pmd_none(): pmd_val == (unsigned long)invalid_pte_table). The codec
 * therefore needs those addresses: CodecOptions.invalidTables is required.
 *
 * Flag names (DecodedEntry.flags), bit order, the manual's names where it has
 * one and the kernel's for software bits:
 *   V(0) D(1) PLV=n(2..3) MAT=x(4..5) G(6, pte) | HUGE(6, pmd/pud) P(7) W(8)
 *   M(9, _PAGE_MODIFIED) PROTNONE(10) SPECIAL(11) HGLOBAL(12, huge only)
 *   PRESENT_INVALID(60) NR(61) NX(62) RPLV(63)
 * PLV= and MAT= are fields, shown for leaves only.
 */

import { TWO64 } from './va.js';
import { TWO32, wordsToBigInt } from './words.js';
import { PagewalkError, hex } from '../errors.js';
import type { ArchAttrs, ArchMode, CodecOptions, DecodedEntry, Depth, EntryCodec, EntryKind, FullProt, Perms } from './types.js';
import { LEVEL_NAMES, P4D, PGD, PMD, PTE } from './types.js';

// ---- entry bits, low word (pgtable-bits.h _PAGE_*_SHIFT) ----
const _PAGE_VALID = 0x001; // bit 0, also _PAGE_ACCESSED ("Reuse Valid for Accessed")
const _PAGE_DIRTY = 0x002; // bit 1, hardware D: a store to D=0 raises TLBM (page modify exception)
const PLV_SHIFT = 2; // _PAGE_PLV_SHIFT, bits 2..3
const PLV_MASK = 0x3 << PLV_SHIFT;
const CACHE_SHIFT = 4; // _CACHE_SHIFT, bits 4..5 (MAT)
const CACHE_MASK = 0x3 << CACHE_SHIFT;
const _PAGE_GLOBAL = 0x040; // bit 6 in a pte
const _PAGE_HUGE = 0x040; // bit 6 in a pmd/pud ("HUGE is a PMD bit")
const _PAGE_PRESENT = 0x080; // bit 7, software (manual: P)
const _PAGE_WRITE = 0x100; // bit 8, software (manual: W)
const _PAGE_MODIFIED = 0x200; // bit 9, software
const _PAGE_PROTNONE = 0x400; // bit 10, software
const _PAGE_SPECIAL = 0x800; // bit 11, software
const _PAGE_HGLOBAL = 0x1000; // bit 12, huge entries only (a pte has pfn bits there)

// ---- entry bits, high word (bit n is 1 << (n - 32)) ----
const HI_PRESENT_INVALID = 1 << (60 - 32); // _PAGE_PRESENT_INVALID (pmd_mkinvalid); absent in 6.1.0
const HI_NO_READ = 1 << (61 - 32); // _PAGE_NO_READ (NR)
const HI_NO_EXEC = 1 << (62 - 32); // _PAGE_NO_EXEC (NX)
const HI_RPLV = 1 << (63 - 32); // _PAGE_RPLV (as int32: -2^31)
/** Bits 32..47 of _PFN_MASK (_PAGE_PFN_END_SHIFT = 48) and of TO_PHYS_MASK (DMW_PABITS = 48). */
const HI_ADDR = 0xffff;
// HI_WINDOW_GAP = 0x0fff0000: bits 48..59 of a direct-mapped window address, outside the
// window's 2^48 bytes (a literal in tablePa(), the hot path).

const PLV_USER = 3; // asm/loongarch.h PLV_USER; PLV_KERN is 0
const MAT_NAMES = ['SUC', 'CC', 'WUC'] as const; // _CACHE_SUC 0, _CACHE_CC 1, _CACHE_WUC 2

const TWO60 = 2 ** 60;
/** PALEN of every LoongArch64 CPU so far, _PAGE_PFN_END_SHIFT and DMW_PABITS. */
const PHYS_BITS = 48;
const PHYS_LIMIT = 2 ** PHYS_BITS;
/**
 * cpu_vabits on every LoongArch64 CPU so far (3A5000, 3C5000, 3A6000, QEMU
 * la464): CPUCFG1.VALEN reads 47 = VALEN - 1 for a 48-bit VALEN. Canonical
 * mapped addresses have bits 63..47 all equal, so each root covers 2^47.
 */
const CPU_VABITS = 47;
/** CACHE_BASE (CSR_DMW1_BASE): where __va() puts the linear map. */
export const CACHE_BASE = 0x9000000000000000;
/** VSEG (VA[63:60]) of UNCACHE_BASE (CSR_DMW0_BASE) and CACHE_BASE (CSR_DMW1_BASE). */
const UNCACHE_VSEG = 0x8;
const CACHE_VSEG = 0x9;

const ATTR_HELP =
  "mat ('SUC' | 'CC' | 'WUC': the MAT field, _CACHE_SUC/_CACHE_CC/_CACHE_WUC), plv (0..3; 3 exactly when user), " +
  'rplv (boolean, RPLV bit 63), present (boolean, software P bit 7, default true), write (boolean, software W ' +
  'bit 8 = _PAGE_WRITE, default = the write permission), protnone (boolean, bit 10), special (boolean, bit 11), ' +
  'presentInvalid (boolean, bit 60, pmd_mkinvalid()), modified (boolean, bit 9: must equal dirty)';

export type Loongarch64ModeName = '4k-3level' | '4k-4level' | '16k-2level' | '16k-3level' | '64k-2level' | '64k-3level';

interface ModeParams {
  pageShift: number;
  levels: 2 | 3 | 4;
}

const MODE_PARAMS: Record<Loongarch64ModeName, ModeParams> = {
  '4k-3level': { pageShift: 12, levels: 3 },
  '4k-4level': { pageShift: 12, levels: 4 },
  '16k-2level': { pageShift: 14, levels: 2 },
  '16k-3level': { pageShift: 14, levels: 3 },
  '64k-2level': { pageShift: 16, levels: 2 },
  '64k-3level': { pageShift: 16, levels: 3 },
};

interface Layout {
  tableAt: readonly boolean[];
  realAt: readonly boolean[];
  shift: readonly number[];
  entries: readonly number[];
  kernelPtrs: readonly number[];
  /** The kernel's VA_BITS = PGDIR_SHIFT + PAGE_SHIFT - 3. */
  kernelVaBits: number;
}

/**
 * The geometry arch/loongarch/include/asm/pgtable.h gives a page size and a
 * level count: every table is one page of 8-byte entries (PTRS_PER_* =
 * PAGE_SIZE >> 3), PMD_SHIFT = PAGE_SHIFT + PAGE_SHIFT - 3 and so on up;
 * 2 levels fold p4d, pud, pmd into the pgd (pgtable-nopmd.h), 3 levels fold
 * p4d, pud (pgtable-nopud.h), 4 levels fold p4d (pgtable-nop4d.h).
 */
function layout(p: ModeParams): Layout {
  const ps = p.pageShift;
  const bits = ps - 3;
  const ptrs = 2 ** bits;
  const pmdShift = ps + bits;
  const pudShift = pmdShift + bits;
  const pgdirShift = ps + (p.levels - 1) * bits;
  const T = true;
  const F = false;
  if (p.levels === 2) {
    return {
      tableAt: [T, F, F, F, T],
      realAt: [F, F, F, T, T],
      shift: [pgdirShift, pgdirShift, pgdirShift, pgdirShift, ps],
      entries: [ptrs, 0, 0, 0, ptrs],
      kernelPtrs: [ptrs, 1, 1, 1, ptrs],
      kernelVaBits: pgdirShift + bits,
    };
  }
  if (p.levels === 3) {
    return {
      tableAt: [T, F, F, T, T],
      realAt: [F, F, T, T, T],
      shift: [pgdirShift, pgdirShift, pgdirShift, pmdShift, ps],
      entries: [ptrs, 0, 0, ptrs, ptrs],
      kernelPtrs: [ptrs, 1, 1, ptrs, ptrs],
      kernelVaBits: pgdirShift + bits,
    };
  }
  return {
    tableAt: [T, F, T, T, T],
    realAt: [F, T, T, T, T],
    shift: [pgdirShift, pgdirShift, pudShift, pmdShift, ps],
    entries: [ptrs, 0, ptrs, ptrs, ptrs],
    kernelPtrs: [ptrs, 1, ptrs, ptrs, ptrs],
    kernelVaBits: pgdirShift + bits,
  };
}

function isModeName(mode: string): mode is Loongarch64ModeName {
  return Object.prototype.hasOwnProperty.call(MODE_PARAMS, mode);
}

function fmt(value: unknown): string {
  return typeof value === 'number' ? hex(value) : typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/**
 * Entry codec of one LoongArch64 page-table layout, carrying the kernel
 * virtual addresses of invalid_pte_table / invalid_pmd_table /
 * invalid_pud_table that empty directory entries hold.
 */
export class Loongarch64Codec implements EntryCodec {
  lo = 0;
  hi = 0;
  /** Follow from the permissions: PLV from user, the software W and M bits from write and dirty, PRESENT_INVALID from read. */
  readonly permAttrs: readonly string[] = ['plv', 'write', 'modified', 'presentInvalid'];

  readonly mode: Loongarch64ModeName;
  readonly pageShift: number;
  readonly levels: 2 | 3 | 4;
  /** Base of the window directory entries are written in (CACHE_BASE by default). */
  readonly dmwBase: number;
  /** The invalid tables' kernel virtual addresses, as given. */
  readonly invalidTables: Readonly<{ pte: number; pmd: number; pud: number }>;

  /** 1 where the kernel's own *_none/_present/_leaf checks happen (realAt). */
  private readonly real = new Uint8Array(5);
  /** The lowest depth of the group each depth belongs to (where decode() reads it). */
  private readonly realOf = new Uint8Array(5);
  /** The empty (none) value of a directory slot at each depth: the VA of the invalid table below. */
  private readonly emptyLo = new Int32Array(5);
  private readonly emptyHi = new Int32Array(5);
  /** Address bits of a leaf at each depth (above the leaf's own offset bits, below bit 48). */
  private readonly leafLoMask = new Int32Array(5);
  private readonly leafHiMask = new Int32Array(5);
  /** log2 of the bytes one entry maps at each depth. */
  private readonly shiftOf: readonly number[];
  private readonly leafOk: readonly boolean[];
  /** PAGE_SIZE - 1: the bits p?d_bad() tests (val & ~PAGE_MASK). */
  private readonly pageOffsetMask: number;
  /** Bit v set: VA[63:60] = v is a direct-mapped window a table pointer may be in. */
  private readonly windows: number;

  constructor(mode: string, options?: CodecOptions) {
    if (!isModeName(mode)) {
      throw new PagewalkError(
        'EINVAL',
        `unknown loongarch64 mode ${JSON.stringify(mode)}: expected one of ${Object.keys(MODE_PARAMS).join(', ')}`,
      );
    }
    const params = MODE_PARAMS[mode];
    const geo = layout(params);
    this.mode = mode;
    this.pageShift = params.pageShift;
    this.levels = params.levels;
    this.pageOffsetMask = 2 ** params.pageShift - 1;
    this.shiftOf = geo.shift;
    this.leafOk = [false, false, false, true, true];

    // ---- the window directory entries live in ----
    const dmwBase = options?.dmwBase ?? CACHE_BASE;
    if (
      typeof dmwBase !== 'number' ||
      !Number.isInteger(dmwBase) ||
      dmwBase <= 0 ||
      dmwBase >= TWO64 ||
      dmwBase % TWO60 !== 0
    ) {
      throw new PagewalkError(
        'EINVAL',
        `loongarch64 dmwBase ${fmt(dmwBase)} must be a direct-mapped window base: VSEG << 60 with VSEG 1..15 ` +
          '(CSR.DMWn bits 63:60), e.g. 0x9000000000000000 (CACHE_BASE, DMW1)',
      );
    }
    this.dmwBase = dmwBase;
    this.windows = (1 << UNCACHE_VSEG) | (1 << CACHE_VSEG) | (1 << (dmwBase / TWO60));

    // ---- the invalid tables ----
    const inv = options?.invalidTables;
    if (inv === undefined || inv === null || typeof inv !== 'object') {
      throw new PagewalkError(
        'EINVAL',
        `loongarch64 ${mode} needs the kernel virtual addresses of invalid_pte_table, invalid_pmd_table and ` +
          'invalid_pud_table from System.map (openImage() option invalidTables { pte, pmd, pud }; on the command line ' +
          '--invalid-tables PTE,PMD[,PUD]). An empty LoongArch directory ' +
          'entry is not 0 but the address of the invalid table below it (pmd_none() is pmd_val == ' +
          '(unsigned long)invalid_pte_table), so there is no default; got ' +
          String(inv),
      );
    }
    // Which of them this layout has: invalid_pmd_table exists unless the pmd
    // is folded, invalid_pud_table only with 4 levels (mm/init.c).
    const needed: ('pte' | 'pmd' | 'pud')[] = params.levels === 2 ? ['pte'] : params.levels === 3 ? ['pte', 'pmd'] : ['pte', 'pmd', 'pud'];
    for (const key of needed) this.checkInvalidTable(key, inv[key]);
    for (let i = 0; i < needed.length; i++) {
      for (let j = i + 1; j < needed.length; j++) {
        if (inv[needed[i]] === inv[needed[j]]) {
          throw new PagewalkError(
            'EINVAL',
            `loongarch64 invalidTables.${needed[i]} and invalidTables.${needed[j]} are both ${hex(inv[needed[i]])}: ` +
              `${mode} has distinct invalid_${needed[i]}_table and invalid_${needed[j]}_table`,
          );
        }
      }
    }
    this.invalidTables = Object.freeze({ pte: inv.pte, pmd: inv.pmd, pud: inv.pud });

    // ---- per-depth tables ----
    for (let d = PGD; d <= PTE; d++) {
      this.real[d] = geo.realAt[d] ? 1 : 0;
      let r = d;
      while (r < PTE && !geo.tableAt[r + 1]) r++;
      this.realOf[d] = r;
      // pgd_init(): a slot is empty when it points at the invalid table of the
      // next real table level below it.
      let empty = 0;
      if (d < PTE) {
        const below = r + 1; // the depth where the table this slot points to starts
        empty = below === PTE ? inv.pte : below === PMD ? inv.pmd : inv.pud;
      }
      this.emptyLo[d] = (empty % TWO32) | 0;
      this.emptyHi[d] = Math.floor(empty / TWO32) | 0;
      const s = d === PTE ? params.pageShift : geo.shift[d];
      if (s < 32) {
        this.leafLoMask[d] = -(2 ** s) | 0;
        this.leafHiMask[d] = HI_ADDR;
      } else {
        this.leafLoMask[d] = 0;
        this.leafHiMask[d] = HI_ADDR & ~(2 ** (s - 32) - 1);
      }
    }
  }

  private checkInvalidTable(key: 'pte' | 'pmd' | 'pud', value: unknown): void {
    const page = 2 ** this.pageShift;
    if (
      typeof value !== 'number' ||
      !Number.isInteger(value) ||
      value < 0 ||
      value >= TWO64 ||
      ((this.windows >>> Math.floor(value / TWO60)) & 1) === 0 ||
      value % TWO60 >= PHYS_LIMIT ||
      value % page !== 0
    ) {
      throw new PagewalkError(
        'EINVAL',
        `loongarch64 invalidTables.${key} ${fmt(value)} must be the kernel virtual address of invalid_${key}_table: ` +
          `${hex(page)}-aligned (__page_aligned_bss) in a direct-mapped window (${hex(this.dmwBase)} or ` +
          '0x8000000000000000/0x9000000000000000) below window + 2^48',
      );
    }
  }

  // ------------------------------------------------------------ hot path
  //
  // The masks below are literals, each with the constant it stands for: a
  // bundle keeps module-level constants as `var`s, which V8 reloads and
  // type-checks at every use in these per-entry methods.

  /**
   * pte_none(): !(val & ~_PAGE_GLOBAL) (an empty kernel pte keeps G: pte_clear()
   * and kernel_pte_init()). pmd_none()/pud_none()/p4d_none(): val == the
   * invalid table one level down. Folded levels: pgd_none() etc. are 0.
   */
  none(d: Depth, lo: number, hi: number): boolean {
    if (d === 4 /* PTE */) return (lo & ~0x40) /* ~_PAGE_GLOBAL */ === 0 && hi === 0;
    return this.real[d] === 1 && lo === this.emptyLo[d] && hi === this.emptyHi[d];
  }

  /**
   * p4d_bad(), pud_bad(), pmd_bad(): val & ~PAGE_MASK (a directory entry is
   * a page-aligned table address), at levels that are real; pgd_bad() is 0
   * (pgtable-nop4d.h). pmd_bad() is what pte_offset_map() tests.
   */
  bad(d: Depth, lo: number, _hi: number): boolean {
    return d !== 0 /* PGD */ && d !== 4 /* PTE */ && this.real[d] === 1 && (lo & this.pageOffsetMask) !== 0;
  }

  /**
   * The TLB refill is software: a leaf translates when _PAGE_PRESENT is set
   * (the refill handler sets V on first use), a directory when its window
   * address decodes.
   */
  valid(d: Depth, lo: number, hi: number): boolean {
    if (d === 4 /* PTE */ || (lo & 0x40) /* _PAGE_HUGE */ !== 0) return (lo & 0x80) /* _PAGE_PRESENT */ !== 0;
    return this.tablePa(d, lo, hi) >= 0;
  }

  /**
   * pte_present(): P | PROTNONE. pmd_present(): for a huge pmd P | PROTNONE |
   * PRESENT_INVALID (6.1.0: P | PROTNONE), else val != invalid_pte_table (so a
   * zero pmd is present). pud_present()/p4d_present(): val != the invalid
   * table. Folded levels: 1.
   */
  present(d: Depth, lo: number, hi: number): boolean {
    if (d === 4 /* PTE */) return (lo & 0x480) /* _PAGE_PRESENT | _PAGE_PROTNONE */ !== 0;
    if (this.real[d] === 0) return true;
    if (d === 3 /* PMD */ && (lo & 0x40) /* _PAGE_HUGE */ !== 0) {
      return (lo & 0x480) /* _PAGE_PRESENT | _PAGE_PROTNONE */ !== 0 || (hi & 0x10000000) /* HI_PRESENT_INVALID */ !== 0;
    }
    return lo !== this.emptyLo[d] || hi !== this.emptyHi[d];
  }

  /** pmd_leaf()/pud_leaf(): _PAGE_HUGE (bit 6); p4d/pgd leaves do not exist; at PTE: present. */
  leaf(d: Depth, lo: number, _hi: number): boolean {
    if (d === 4 /* PTE */) return (lo & 0x480) /* _PAGE_PRESENT | _PAGE_PROTNONE */ !== 0;
    if (d === 3 /* PMD */) return (lo & 0x40) /* _PAGE_HUGE */ !== 0;
    if (d === 2 /* PUD */) return this.real[2] === 1 && (lo & 0x40) /* _PAGE_HUGE */ !== 0;
    return false;
  }

  /**
   * The physical address of the table a directory entry points at: the entry
   * is a kernel virtual address, and PHYSADDR() strips the window (bits
   * 63..48). Accepted only when it lies in a direct-mapped window the kernel
   * can dereference (UNCACHE_BASE, CACHE_BASE or dmwBase), inside the window's
   * 2^48 bytes and page-aligned; anything else (0, a user address, garbage)
   * gives -1.
   */
  tablePa(_d: Depth, lo: number, hi: number): number {
    if (((this.windows >>> (hi >>> 28)) & 1) === 0) return -1;
    if ((hi & 0x0fff0000) /* HI_WINDOW_GAP */ !== 0 || (lo & this.pageOffsetMask) !== 0) return -1;
    return (hi & 0xffff) /* HI_ADDR */ * 4294967296 /* TWO32 */ + (lo >>> 0);
  }

  /**
   * pte_pfn() << PAGE_SHIFT: bits PAGE_SHIFT..47 (_PFN_MASK). A huge leaf keeps
   * only the bits above its size: bit 12 is HGLOBAL there, and the TLB entry
   * the refill handler makes from it (half the huge size) ignores the rest.
   */
  outputPa(d: Depth, lo: number, hi: number): number {
    return (hi & this.leafHiMask[d]) * 4294967296 /* TWO32 */ + ((lo & this.leafLoMask[d]) >>> 0);
  }

  // ------------------------------------------------------------ cold path

  /**
   * Decodes one entry for people. `present` is the kernel's *_present();
   * a directory entry that is neither none nor a window address (e.g. 0) is
   * kind 'bad' with phys null: the kernel calls it present and not bad (only
   * p4d_bad() checks anything, the offset bits) and would dereference it.
   * Perms (leaves only) are hardware meaning, see leafProt(). Asked at a
   * folded depth, it decodes the slot as the level the kernel checks it at.
   */
  decode(d: Depth, lo: number, hi: number): DecodedEntry {
    const sd = this.realOf[d] as Depth;
    let kind: EntryKind;
    let present = false;
    let phys: number | null = null;
    if (this.none(sd, lo, hi)) {
      kind = 'none';
    } else if (sd <= P4D && this.bad(sd, lo, hi)) {
      kind = 'bad';
      present = this.present(sd, lo, hi);
    } else if (!this.present(sd, lo, hi)) {
      kind = 'not-present';
    } else if (this.leaf(sd, lo, hi)) {
      kind = 'leaf';
      present = true;
      phys = this.outputPa(sd, lo, hi);
    } else {
      present = true;
      const pa = this.tablePa(sd, lo, hi);
      if (pa < 0) {
        kind = 'bad';
      } else {
        kind = 'table';
        phys = pa;
      }
    }

    let perms: Perms = { read: false, write: false, exec: false, user: false, global: false, accessed: false, dirty: false };
    let attrs: ArchAttrs = {};
    if (kind === 'leaf') {
      const prot = this.leafProt(sd, lo, hi);
      perms = {
        read: prot.read,
        write: prot.write,
        exec: prot.exec,
        user: prot.user,
        global: prot.global,
        accessed: prot.accessed,
        dirty: prot.dirty,
      };
      attrs = {
        ...prot.attrs,
        plv: (lo & PLV_MASK) >>> PLV_SHIFT,
        write: (lo & _PAGE_WRITE) !== 0,
        modified: (lo & _PAGE_MODIFIED) !== 0,
      };
    }
    const pteLike = sd === PTE || kind === 'leaf' || kind === 'not-present';
    return {
      level: LEVEL_NAMES[d],
      raw: wordsToBigInt(lo, hi),
      kind,
      present,
      phys,
      pfn: phys === null ? null : Math.floor(phys / 2 ** this.pageShift),
      perms,
      flags: pteLike ? flagNames(sd, lo, hi, kind === 'leaf') : [],
      attrs,
    };
  }

  /** LoongArch directory entries carry no permission bits (leaf bits only). */
  tableLimits(_d: Depth, _lo: number, _hi: number): number {
    return 0;
  }

  /**
   * The leaf bits without the address for `prot` at depth d (pte, or pmd for a
   * huge page: HUGE set and global in HGLOBAL instead of G, as
   * vmemmap_set_pmd() and pmd_mkhuge() write it).
   *
   *   read -> !NR   write -> D   exec -> !NX   user -> PLV 3 (else attrs.plv, 0)
   *   global -> G / HGLOBAL   accessed -> V   dirty -> M (_PAGE_MODIFIED)
   *   attrs.write -> W (default: write), attrs.present -> P (default true)
   *
   * so { read, write, exec, global, accessed, !dirty, attrs: { mat: 'CC' } }
   * gives PAGE_KERNEL (P|V|D|W|G|PLV0|CC = 0x1d3).
   */
  leafTemplate(d: Depth, prot: FullProt): void {
    if (!this.leafOk[d]) {
      throw new PagewalkError(
        'EINVAL',
        `loongarch64 ${this.mode} has no ${LEVEL_NAMES[d] ?? String(d)} leaves: Linux maps huge pages only at the pmd ` +
          `(HPAGE_SHIFT = PMD_SHIFT = ${this.shiftOf[PMD]}); leaves go at pte (${hex(2 ** this.pageShift)}) or pmd ` +
          `(${hex(2 ** this.shiftOf[PMD])})`,
      );
    }
    if (prot === null || typeof prot !== 'object') {
      throw new PagewalkError('EINVAL', `prot must be an object, got ${String(prot)}`);
    }
    const attrs = prot.attrs ?? {};
    if (attrs === null || typeof attrs !== 'object') {
      throw new PagewalkError('EINVAL', `prot.attrs must be an object, got ${String(attrs)}; loongarch64 accepts ${ATTR_HELP}`);
    }
    let mat = 1; // _CACHE_CC
    let plv = prot.user ? PLV_USER : 0;
    let rplv = false;
    let present = true;
    let soft = prot.write; // _PAGE_WRITE follows the permission unless told
    let protnone = false;
    let special = false;
    let presentInvalid = false;
    for (const key of Object.keys(attrs)) {
      const v = attrs[key];
      switch (key) {
        case 'mat': {
          const i = (MAT_NAMES as readonly unknown[]).indexOf(v);
          if (i < 0) {
            throw new PagewalkError(
              'EINVAL',
              `loongarch64 attr mat ${fmt(v)} must be 'SUC', 'CC' or 'WUC' (MAT 0, 1, 2; 3 is reserved)`,
            );
          }
          mat = i;
          break;
        }
        case 'plv': {
          if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 3) {
            throw new PagewalkError('EINVAL', `loongarch64 attr plv ${fmt(v)} must be an integer 0..3 (PLV bits 2..3)`);
          }
          if ((v === PLV_USER) !== prot.user) {
            throw new PagewalkError(
              'EINVAL',
              `loongarch64 attr plv ${v} contradicts user: ${String(prot.user)}: user pages are PLV 3 ` +
                '(_PAGE_USER), other pages PLV 0 (_PAGE_KERN), 1 or 2',
            );
          }
          plv = v;
          break;
        }
        case 'modified':
          if (typeof v !== 'boolean' || v !== prot.dirty) {
            throw new PagewalkError(
              'EINVAL',
              `loongarch64 attr modified ${fmt(v)} must equal dirty (${String(prot.dirty)}): _PAGE_MODIFIED is the dirty bit`,
            );
          }
          break;
        case 'rplv':
        case 'present':
        case 'write':
        case 'protnone':
        case 'special':
        case 'presentInvalid':
          if (typeof v !== 'boolean') {
            throw new PagewalkError('EINVAL', `loongarch64 attr ${key} must be a boolean, got ${fmt(v)}`);
          }
          if (key === 'rplv') rplv = v;
          else if (key === 'present') present = v;
          else if (key === 'write') soft = v;
          else if (key === 'protnone') protnone = v;
          else if (key === 'special') special = v;
          else presentInvalid = v;
          break;
        default:
          throw new PagewalkError('EINVAL', `unknown loongarch64 attr "${key}": accepted attrs are ${ATTR_HELP}`);
      }
    }
    if (!present && !protnone && !(d === PMD && presentInvalid)) {
      throw new PagewalkError(
        'EINVAL',
        'loongarch64 leaf with attrs.present false needs protnone (PAGE_NONE)' +
          `${d === PMD ? ' or presentInvalid (pmd_mkinvalid())' : ''}: without them ${LEVEL_NAMES[d]}_present() is ` +
          'false and the kernel reads the entry as a swap entry',
      );
    }
    let lo = (plv << PLV_SHIFT) | (mat << CACHE_SHIFT);
    let hi = 0;
    if (prot.accessed) lo |= _PAGE_VALID;
    if (prot.write) lo |= _PAGE_DIRTY;
    if (present) lo |= _PAGE_PRESENT;
    if (soft) lo |= _PAGE_WRITE;
    if (prot.dirty) lo |= _PAGE_MODIFIED;
    if (protnone) lo |= _PAGE_PROTNONE;
    if (special) lo |= _PAGE_SPECIAL;
    if (d === PTE) {
      if (prot.global) lo |= _PAGE_GLOBAL;
    } else {
      lo |= _PAGE_HUGE;
      if (prot.global) lo |= _PAGE_HGLOBAL;
    }
    if (!prot.read) hi |= HI_NO_READ;
    if (!prot.exec) hi |= HI_NO_EXEC;
    if (rplv) hi |= HI_RPLV;
    if (presentInvalid) hi |= HI_PRESENT_INVALID;
    this.lo = lo | 0;
    this.hi = hi | 0;
  }

  /** Template | the address bits of `pa` (bits PAGE_SHIFT..47, or PMD_SHIFT..47 for a huge pmd). */
  encodeLeaf(d: Depth, pa: number, templateLo: number, templateHi: number): void {
    if (!this.leafOk[d]) {
      throw new PagewalkError('EINVAL', `loongarch64 ${this.mode} has no ${LEVEL_NAMES[d] ?? String(d)} leaves (leaves: pte, pmd)`);
    }
    const size = 2 ** (d === PTE ? this.pageShift : this.shiftOf[d]);
    if (!(Number.isInteger(pa) && pa >= 0 && pa < PHYS_LIMIT && pa % size === 0)) {
      throw new PagewalkError(
        'EINVAL',
        `physical address ${fmt(pa)} for a loongarch64 ${LEVEL_NAMES[d]} leaf must be ${hex(size)}-aligned and below 2^48 (PALEN)`,
      );
    }
    const mLo = this.leafLoMask[d];
    const mHi = this.leafHiMask[d];
    this.lo = (templateLo & ~mLo) | ((pa % TWO32) & mLo);
    this.hi = (templateHi & ~HI_ADDR) | (Math.floor(pa / TWO32) & mHi);
  }

  /**
   * A directory entry as pmd_populate()/pud_populate()/p4d_populate() write
   * it: the table's kernel virtual address in the dmwBase window (__va(pa)).
   * User and kernel tables look the same.
   */
  encodeTable(d: Depth, tablePa: number, _user: boolean): void {
    if (d === PTE) {
      throw new PagewalkError('EINVAL', 'a pte cannot point to a table: table entries go at pgd, p4d, pud or pmd');
    }
    const page = 2 ** this.pageShift;
    if (!(Number.isInteger(tablePa) && tablePa >= 0 && tablePa < PHYS_LIMIT && tablePa % page === 0)) {
      throw new PagewalkError(
        'EINVAL',
        `table address ${fmt(tablePa)} must be ${hex(page)}-aligned and below 2^48 (the direct-mapped window size)`,
      );
    }
    this.lo = (tablePa % TWO32) | 0;
    this.hi = (Math.floor(this.dmwBase / TWO32) | Math.floor(tablePa / TWO32)) | 0;
  }

  /**
   * 0 at PTE; elsewhere the VA of the invalid table below the slot
   * (pgd_init(), pud_init(), pmd_init(), pmd_clear(), pud_clear(),
   * p4d_clear()). Linux writes _PAGE_GLOBAL (not 0) into empty kernel ptes
   * (kernel_pte_init(), pte_clear() of a global pair); pte_none() accepts both.
   */
  encodeNone(d: Depth): void {
    if (d === PTE) {
      this.lo = 0;
      this.hi = 0;
      return;
    }
    this.lo = this.emptyLo[d];
    this.hi = this.emptyHi[d];
  }

  /**
   * The protection of a leaf, hardware meaning first:
   * - read = !NR, exec = !NX (both checked at the page's privilege);
   * - write = the hardware D bit: a store to a page with D=0 raises a page
   *   modify exception whatever the software _PAGE_WRITE (bit 8) says; W is
   *   the kernel's "may become writable" bit, kept in attrs.write when it
   *   differs from D (PAGE_SHARED before the first store: W=1, D=0);
   * - user = PLV 3 (with RPLV clear PLV 3 is reachable from every level);
   * - global = G in a pte, HGLOBAL in a huge pmd (bit 6 is HUGE there);
   * - accessed = V: LoongArch has no hardware A bit and Linux reuses V as
   *   _PAGE_ACCESSED (pte_mkold() clears V so the next access faults);
   * - dirty = M (_PAGE_MODIFIED). Mainline pte_dirty() is D | M since the
   *   3A6000 hardware walker (which sets D, not M); D is `write` here.
   * attrs holds what the perms do not determine: mat, rplv, present,
   * protnone, special always; plv when 1 or 2; presentInvalid when set;
   * write (the software W) when it differs from D.
   */
  leafProt(d: Depth, lo: number, hi: number): FullProt {
    const plv = (lo & PLV_MASK) >>> PLV_SHIFT;
    const mat = (lo & CACHE_MASK) >>> CACHE_SHIFT;
    const attrs: ArchAttrs = {
      mat: mat < 3 ? MAT_NAMES[mat] : 'reserved(3)',
      rplv: (hi & HI_RPLV) !== 0,
      present: (lo & _PAGE_PRESENT) !== 0,
      protnone: (lo & _PAGE_PROTNONE) !== 0,
      special: (lo & _PAGE_SPECIAL) !== 0,
    };
    if ((hi & HI_PRESENT_INVALID) !== 0) attrs.presentInvalid = true;
    if (plv === 1 || plv === 2) attrs.plv = plv;
    const hwWrite = (lo & _PAGE_DIRTY) !== 0;
    const swWrite = (lo & _PAGE_WRITE) !== 0;
    if (hwWrite !== swWrite) attrs.write = swWrite;
    return {
      read: (hi & HI_NO_READ) === 0,
      write: hwWrite,
      exec: (hi & HI_NO_EXEC) === 0,
      user: plv === PLV_USER,
      global: d === PTE ? (lo & _PAGE_GLOBAL) !== 0 : (lo & _PAGE_HGLOBAL) !== 0,
      accessed: (lo & _PAGE_VALID) !== 0,
      dirty: (lo & _PAGE_MODIFIED) !== 0,
      attrs,
    };
  }
}

/** Names of the set bits (and, for leaves, the PLV and MAT fields) in bit order. */
function flagNames(d: Depth, lo: number, hi: number, fields: boolean): string[] {
  const out: string[] = [];
  const huge = d !== PTE;
  if (lo & _PAGE_VALID) out.push('V');
  if (lo & _PAGE_DIRTY) out.push('D');
  if (fields) {
    out.push(`PLV=${(lo & PLV_MASK) >>> PLV_SHIFT}`);
    const mat = (lo & CACHE_MASK) >>> CACHE_SHIFT;
    out.push(`MAT=${mat < 3 ? MAT_NAMES[mat] : 'reserved(3)'}`);
  }
  if (lo & _PAGE_GLOBAL) out.push(huge ? 'HUGE' : 'G');
  if (lo & _PAGE_PRESENT) out.push('P');
  if (lo & _PAGE_WRITE) out.push('W');
  if (lo & _PAGE_MODIFIED) out.push('M');
  if (lo & _PAGE_PROTNONE) out.push('PROTNONE');
  if (lo & _PAGE_SPECIAL) out.push('SPECIAL');
  if (huge && lo & _PAGE_HGLOBAL) out.push('HGLOBAL');
  if (hi & HI_PRESENT_INVALID) out.push('PRESENT_INVALID');
  if (hi & HI_NO_READ) out.push('NR');
  if (hi & HI_NO_EXEC) out.push('NX');
  if (hi & HI_RPLV) out.push('RPLV');
  return out;
}

// ------------------------------------------------------------------ modes

const DESCRIPTIONS: Record<Loongarch64ModeName, string> = {
  '4k-3level': 'LoongArch64 4K pages, 3 levels (CONFIG_4KB_3LEVEL): VA_BITS 39 per PGDL/PGDH root, 2M huge pmd',
  '4k-4level':
    'LoongArch64 4K pages, 4 levels (CONFIG_4KB_4LEVEL): VA_BITS 48, 47-bit PGDL/PGDH halves on VALEN-48 CPUs, 2M huge pmd',
  '16k-2level': 'LoongArch64 16K pages, 2 levels (CONFIG_16KB_2LEVEL): VA_BITS 36 per PGDL/PGDH root, 32M huge pmd',
  '16k-3level':
    'LoongArch64 16K pages, 3 levels (CONFIG_16KB_3LEVEL, the Linux default): VA_BITS 47 per PGDL/PGDH root, 32M huge pmd',
  '64k-2level': 'LoongArch64 64K pages, 2 levels (CONFIG_64KB_2LEVEL): VA_BITS 42 per PGDL/PGDH root, 512M huge pmd',
  '64k-3level':
    'LoongArch64 64K pages, 3 levels (CONFIG_64KB_3LEVEL): VA_BITS 55, 47-bit PGDL/PGDH halves on VALEN-48 CPUs, 512M huge pmd',
};

function loongarchMode(mode: Loongarch64ModeName, aliases: readonly string[]): ArchMode {
  const p = MODE_PARAMS[mode];
  const g = layout(p);
  return Object.freeze({
    arch: 'loongarch64',
    mode,
    aliases: Object.freeze([...aliases]),
    description: DESCRIPTIONS[mode],
    pageShift: p.pageShift,
    // Each root (PGDL, PGDH) covers 2^min(VA_BITS, cpu_vabits): TASK_SIZE64
    // for the user half, and vm_map_base = -2^cpu_vabits starts the kernel's.
    vaBits: Math.min(g.kernelVaBits, CPU_VABITS),
    upperStart: 2 ** 64 - 2 ** CPU_VABITS,
    physBits: PHYS_BITS,
    tableAt: Object.freeze(g.tableAt),
    realAt: Object.freeze(g.realAt),
    shift: Object.freeze(g.shift),
    entries: Object.freeze(g.entries),
    kernelPtrs: Object.freeze(g.kernelPtrs),
    // HPAGE_SHIFT = PMD_SHIFT; huge_pte_alloc() never returns a pud.
    leafDepths: Object.freeze([PMD] as Depth[]),
    roots: 'split',
    rootBytes: 2 ** p.pageShift, // PTRS_PER_PGD = PAGE_SIZE >> 3
    defaultRamBase: 0,
    createCodec: (options?: CodecOptions) => new Loongarch64Codec(mode, options),
  } satisfies ArchMode);
}

export const LOONGARCH64_MODES: readonly ArchMode[] = Object.freeze([
  loongarchMode('4k-3level', []),
  loongarchMode('4k-4level', []),
  loongarchMode('16k-2level', []),
  loongarchMode('16k-3level', ['16k']),
  loongarchMode('64k-2level', []),
  loongarchMode('64k-3level', []),
]);
