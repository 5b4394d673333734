/**
 * x86-64 paging: 4-level (LA48) and 5-level (LA57), 4 KiB base pages with
 * 2 MiB (pmd) and 1 GiB (pud) leaves, read the way Linux reads them.
 *
 * Sources (mainline unless noted; Intel SDM vol. 3A section 4.5 for the
 * hardware meaning of each bit):
 * - arch/x86/include/asm/pgtable_types.h: _PAGE_BIT_*, _PAGE_KNL_ERRATUM_MASK,
 *   _KERNPG_TABLE, _PAGE_TABLE, __PAGE_KERNEL*, PTE_PFN_MASK, PTE_FLAGS_MASK,
 *   p4d_flags(), pud_pfn_mask(), pmd_pfn_mask().
 * - arch/x86/include/asm/pgtable.h: pte_none(), pte_present(), pmd_present(),
 *   pmd_none(), pmd_leaf(), pmd_bad(), pud_none(), pud_present(), pud_leaf(),
 *   pud_bad(), p4d_none(), p4d_present(), p4d_bad(), pgd_none(),
 *   pgd_present(), pgd_bad(), pte_pfn()/pmd_pfn()/pud_pfn().
 * - arch/x86/include/asm/pgtable-invert.h: L1TF inversion of the pfn of
 *   non-present, non-zero entries.
 * - arch/x86/include/asm/pgtable_64_types.h and arch/x86/kernel/head64.c:
 *   PGDIR_SHIFT 39/48, P4D/PUD/PMD shifts, PTRS_PER_* = 512, and the run-time
 *   `ptrs_per_p4d = 1` (512 only when LA57 is enabled).
 *
 * Flag names (DecodedEntry.flags) use one spelling throughout, the kernel's
 * _PAGE_* names, which are the SDM's except where noted:
 *   P RW US PWT PCD A D PSE PAT G NX   (SDM: P R/W U/S PWT PCD A D PS PAT G XD)
 *   PROTNONE  bit 8 when P is clear (_PAGE_BIT_PROTNONE; G is only G when P=1)
 *   SOFTW1 SOFTW2 SOFTW3 SOFTW4 SOFTW5 (software bits 9, 10, 11, 57, 58)
 *   PKEY0..PKEY3 (bits 59..62), BIT52..BIT56 (ignored by the MMU)
 * Bit 7 is PSE in a pmd/pud/p4d/pgd entry and PAT in a pte; a 2M/1G leaf keeps
 * PAT in bit 12 (_PAGE_BIT_PAT_LARGE).
 */

import { TWO32, wordsToBigInt } from './words.js';
import { PagewalkError, hex } from '../errors.js';
import type {
  ArchAttrs,
  ArchMode,
  CodecOptions,
  DecodedEntry,
  Depth,
  EntryCodec,
  EntryKind,
  FullProt,
  Perms,
} from './types.js';
import {
  LEVEL_NAMES,
  LIMIT_NO_KEXEC,
  LIMIT_NO_UEXEC,
  LIMIT_NO_USER,
  LIMIT_NO_WRITE,
  P4D,
  PGD,
  PMD,
  PTE,
  PUD,
} from './types.js';

// ---- entry bits, low word (pgtable_types.h _PAGE_BIT_*) ----
const _PAGE_PRESENT = 0x001; // bit 0
const _PAGE_RW = 0x002; // bit 1
const _PAGE_USER = 0x004; // bit 2
const _PAGE_PWT = 0x008; // bit 3
const _PAGE_PCD = 0x010; // bit 4
const _PAGE_ACCESSED = 0x020; // bit 5
const _PAGE_DIRTY = 0x040; // bit 6
const _PAGE_PSE = 0x080; // bit 7 (pmd/pud)
const _PAGE_PAT = 0x080; // bit 7 (pte)
const _PAGE_GLOBAL = 0x100; // bit 8 (P=1)
// _PAGE_PROTNONE = 0x100, bit 8 when P=0 (a literal in present(), the hot path)
const _PAGE_SOFTW1 = 0x200; // bit 9: _PAGE_SPECIAL (also _PAGE_CPA_TEST)
const _PAGE_SOFTW2 = 0x400; // bit 10: _PAGE_UFFD_WP
const _PAGE_SOFTW3 = 0x800; // bit 11: _PAGE_SOFT_DIRTY (user) / _PAGE_KERNEL_4K (kernel)
const _PAGE_PAT_LARGE = 0x1000; // bit 12 (2M/1G leaves)

// ---- entry bits, high word (bit n is 1 << (n - 32)) ----
const HI_SOFTW4 = 1 << (57 - 32); // _PAGE_BIT_SOFTW4, unused by Linux today
const HI_SOFTW5 = 1 << (58 - 32); // _PAGE_SAVED_DIRTY (leaf) / _PAGE_NOPTISHADOW (root pgd)
const HI_PKEY_SHIFT = 59 - 32; // _PAGE_BIT_PKEY_BIT0..3 = 59..62
const HI_PKEY_MASK = 0xf << HI_PKEY_SHIFT;
const HI_NX = 1 << (63 - 32); // _PAGE_NX (as int32: -2^31)

// _PAGE_KNL_ERRATUM_MASK (D|A = 0x60): stray bits Knights Landing may set in non-present entries; see none().
/** _KERNPG_TABLE (without _ENC, the SME C-bit, 0 here): P|RW|A|D = 0x63. */
const _KERNPG_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY;
/** _PAGE_TABLE: _KERNPG_TABLE | US = 0x67. */
const _PAGE_TABLE = _KERNPG_TABLE | _PAGE_USER;

// PTE_FLAGS_MASK = ~PTE_PFN_MASK: bits 0..11 (FLAGS_LO 0x00000fff) and 52..63 (FLAGS_HI 0xfff00000),
// literals in bad(), the hot path.
/** PTE_PFN_MASK (__PHYSICAL_MASK_SHIFT 52): bits 12..51. */
const PFN_LO = 0xfffff000 | 0;
const ADDR_HI = 0x000fffff;
/** PHYSICAL_PMD_PAGE_MASK low word: bits 21..31. */
const PMD_PFN_LO = 0xffe00000 | 0;
/** PHYSICAL_PUD_PAGE_MASK low word: bits 30..31. */
const PUD_PFN_LO = 0xc0000000 | 0;

const PHYS_LIMIT = 2 ** 52;
/** Bytes mapped by one leaf at each depth (pgd/p4d have no leaves on x86). */
const LEAF_SIZE = [0, 0, 2 ** 30, 2 ** 21, 2 ** 12] as const;

/** Boolean attrs and the bit each sets: [name, low-word bit, high-word bit]. */
const BOOL_ATTRS: readonly (readonly [string, number, number])[] = [
  ['pwt', _PAGE_PWT, 0],
  ['pcd', _PAGE_PCD, 0],
  ['pat', 0, 0], // position depends on the level, handled apart
  ['special', _PAGE_SOFTW1, 0],
  ['uffdWp', _PAGE_SOFTW2, 0],
  ['softDirty', _PAGE_SOFTW3, 0],
  ['softw4', 0, HI_SOFTW4],
  ['savedDirty', 0, HI_SOFTW5],
];
const ATTR_KEYS: readonly string[] = [...BOOL_ATTRS.map((a) => a[0]), 'pkey'];
const ATTR_HELP =
  'pwt, pcd, pat (booleans: the cache-type bits), pkey (protection key 0..15, bits 59..62), ' +
  'special (SOFTW1, _PAGE_SPECIAL), uffdWp (SOFTW2, _PAGE_UFFD_WP), softDirty (SOFTW3, ' +
  '_PAGE_SOFT_DIRTY; _PAGE_KERNEL_4K on kernel mappings), softw4 (bit 57), savedDirty ' +
  '(SOFTW5, _PAGE_SAVED_DIRTY)';

export type X86_64ModeName = '4level' | '5level';

/**
 * Entry codec for x86-64 4-level and 5-level paging. In 4-level mode the p4d
 * level is folded at run time (ptrs_per_p4d = 1, p4d_offset() returns the pgd
 * slot), so the pgd slot is checked as a p4d: pgd_none()/pgd_bad() answer 0
 * and pgd_present() 1, exactly as arch/x86/include/asm/pgtable.h does when
 * pgtable_l5_enabled() is false.
 */
export class X86_64Codec implements EntryCodec {
  lo = 0;
  hi = 0;
  /** SavedDirty is where pte_wrprotect() keeps D of a write-protected page: derived from write and dirty. */
  readonly permAttrs: readonly string[] = ['savedDirty'];

  readonly mode: X86_64ModeName;
  /** pgtable_l5_enabled(). */
  private readonly la57: boolean;
  /** High-word bits pgd_bad()/p4d_bad() ignore: _PAGE_NX under CONFIG_MITIGATION_PAGE_TABLE_ISOLATION. */
  private readonly badIgnoreHi: number;

  constructor(mode: X86_64ModeName, options: CodecOptions = {}) {
    if (mode !== '4level' && mode !== '5level') {
      throw new PagewalkError('EINVAL', `x86-64 mode must be '4level' or '5level', got ${String(mode)}`);
    }
    if (options === null || typeof options !== 'object') {
      throw new PagewalkError('EINVAL', `codec options must be an object, got ${String(options)}`);
    }
    const pti = options.pti ?? true;
    if (typeof pti !== 'boolean') {
      throw new PagewalkError(
        'EINVAL',
        `options.pti (CONFIG_MITIGATION_PAGE_TABLE_ISOLATION) must be a boolean, got ${String(pti)}`,
      );
    }
    this.mode = mode;
    this.la57 = mode === '5level';
    this.badIgnoreHi = pti ? HI_NX : 0;
  }

  // ---------------------------------------------------------------- hot
  //
  // The masks below are literals, each with the constant it stands for: a
  // bundle keeps module-level constants as `var`s, which V8 reloads and
  // type-checks at every use in these per-entry methods.

  /**
   * pte_none()/pmd_none()/pud_none()/p4d_none(): zero but for stray A/D bits
   * (_PAGE_KNL_ERRATUM_MASK). pgd_none(): 0 when the p4d is folded, else the
   * whole value must be zero (no erratum masking at the pgd).
   */
  none(d: Depth, lo: number, hi: number): boolean {
    if (d === 0 /* PGD */) return this.la57 ? (lo | hi) === 0 : false;
    return hi === 0 && (lo & ~0x60) /* ~_PAGE_KNL_ERRATUM_MASK (D|A) */ === 0;
  }

  /**
   * pgd_bad(): (pgd_flags & ~(US | NX if PTI)) != _KERNPG_TABLE, 0 when folded.
   * p4d_bad(): (p4d_flags & ~(_KERNPG_TABLE | US | NX if PTI)) != 0, i.e. a
   * p4d may lack RW/A/D (even P) without being bad, but may carry no other
   * flag (PSE, G, PWT, PCD, software bits, bits 52..62).
   * pud_bad()/pmd_bad(): pud: flags outside _KERNPG_TABLE|US; pmd: flags
   * other than US/A must equal _KERNPG_TABLE & ~A (asked by the walker for
   * user pte tables, as pte_offset_map() does). Flags come from *_flags(),
   * i.e. PTE_FLAGS_MASK, widened to the 2M/1G pfn mask when PSE is set.
   */
  bad(d: Depth, lo: number, hi: number): boolean {
    const fhi = hi & (0xfff00000 | 0); // FLAGS_HI: PTE_FLAGS_MASK bits 52..63
    switch (d) {
      case 0 /* PGD */:
        if (!this.la57) return false;
        // (lo & FLAGS_LO & ~_PAGE_USER) !== _KERNPG_TABLE
        return (lo & 0xffb) !== 0x63 || (fhi & ~this.badIgnoreHi) !== 0;
      case 1 /* P4D */:
        // lo & FLAGS_LO & ~(_KERNPG_TABLE | _PAGE_USER)
        return (lo & 0xf98) !== 0 || (fhi & ~this.badIgnoreHi) !== 0;
      case 2 /* PUD */: {
        // PSE: ~PUD_PFN_LO (bits 0..29), else FLAGS_LO (bits 0..11); then ~(_KERNPG_TABLE | _PAGE_USER)
        const flo = lo & ((lo & 0x80) !== 0 ? 0x3fffffff : 0xfff);
        return (flo & ~0x67) !== 0 || fhi !== 0;
      }
      case 3 /* PMD */: {
        // PSE: ~PMD_PFN_LO (bits 0..20), else FLAGS_LO; ~(_PAGE_USER | _PAGE_ACCESSED) must leave _KERNPG_TABLE & ~_PAGE_ACCESSED
        const flo = lo & ((lo & 0x80) !== 0 ? 0x1fffff : 0xfff);
        return (flo & ~0x24) !== 0x43 || fhi !== 0;
      }
      default:
        return false;
    }
  }

  /** The hardware's valid bit (P). */
  valid(_d: Depth, lo: number, _hi: number): boolean {
    return (lo & 1) !== 0; // _PAGE_PRESENT
  }

  /**
   * pte_present(): P | PROTNONE (a PROT_NONE / NUMA-hinting pte is present
   * to the kernel though the MMU faults on it). pmd_present(): P | PROTNONE |
   * PSE (split_huge_page() clears P but keeps PSE). pud_present(),
   * p4d_present(): P. pgd_present(): P, or 1 when the p4d is folded.
   */
  present(d: Depth, lo: number, _hi: number): boolean {
    // An if chain, PTE first: the per-pte question is answered after one comparison.
    if (d === 4 /* PTE */) return (lo & 0x101) !== 0; // _PAGE_PRESENT | _PAGE_PROTNONE
    if (d === 3 /* PMD */) return (lo & 0x181) !== 0; // _PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE
    if (d === 0 /* PGD */ && !this.la57) return true;
    return (lo & 1) !== 0; // _PAGE_PRESENT
  }


  /**
   * pmd_leaf(): PSE. pud_leaf(): PSE (mainline since v6.12, "mm/x86: make
   * pud_leaf() only care about PSE bit"; 6.1's pud_large() also required P,
   * which changes the answer only for a non-present pud with PSE set).
   * p4d_leaf()/pgd_leaf(): 0 ("No 512 GiB pages yet"). pte: present.
   */
  leaf(d: Depth, lo: number, _hi: number): boolean {
    if (d === 4 /* PTE */) return (lo & 0x101) !== 0; // pte_present(): _PAGE_PRESENT | _PAGE_PROTNONE
    if (d === 3 /* PMD */ || d === 2 /* PUD */) return (lo & 0x80) !== 0; // _PAGE_PSE
    return false;
  }


  /** pmd_page_vaddr()/pud_pgtable()/p4d_pgtable()/pgd_page_vaddr(): value & PTE_PFN_MASK. */
  tablePa(_d: Depth, lo: number, hi: number): number {
    // (hi & ADDR_HI) * 2^32 + (lo & PFN_LO)
    return (hi & 0xfffff) * 4294967296 + ((lo & (0xfffff000 | 0)) >>> 0);
  }

  /**
   * pte_pfn()/pmd_pfn()/pud_pfn() << PAGE_SHIFT. A non-zero entry with P
   * clear holds its pfn inverted (pgtable-invert.h, the L1TF mitigation), so
   * it is inverted back exactly as protnone_mask() does; for a P=1 entry this
   * is the plain address field. 2M/1G leaves (PSE) use bits 21..51 / 30..51.
   */
  outputPa(d: Depth, lo: number, hi: number): number {
    // PFN_LO (bits 12..31); pmd_pfn_mask()/pud_pfn_mask() look at PSE (0x80) in the value as
    // stored: PMD_PFN_LO (bits 21..31) / PUD_PFN_LO (30..31). Tested at PTE first, so that a
    // caller passing the literal PTE leaves only the inversion test inlined.
    let mask = 0xfffff000 | 0;
    if (d !== 4 /* PTE */ && (lo & 0x80) !== 0) {
      if (d === 3 /* PMD */) mask = 0xffe00000 | 0;
      else if (d === 2 /* PUD */) mask = 0xc0000000 | 0;
    }
    if ((lo & 1) /* _PAGE_PRESENT */ === 0 && (lo | hi) !== 0) {
      lo = ~lo;
      hi = ~hi;
    }
    return (hi & 0xfffff) /* ADDR_HI */ * 4294967296 + ((lo & mask) >>> 0);
  }


  // ---------------------------------------------------------------- cold

  /** RW clear: no writes below; US clear: no user access below; NX: no execution below. */
  tableLimits(_d: Depth, lo: number, hi: number): number {
    let limits = 0;
    if ((lo & _PAGE_RW) === 0) limits |= LIMIT_NO_WRITE;
    if ((lo & _PAGE_USER) === 0) limits |= LIMIT_NO_USER;
    if ((hi & HI_NX) !== 0) limits |= LIMIT_NO_KEXEC | LIMIT_NO_UEXEC;
    return limits;
  }

  /**
   * Decodes one entry for people. `present` is the kernel's *_present() (so a
   * PROT_NONE pte or a PSE pmd with P clear is a present leaf, as the kernel
   * sees it), `phys` is the kernel's *_pfn() address (uninverted for such
   * entries). Perms are hardware meaning: read/write/exec/global need P=1;
   * write is the RW bit (a Write=0,Dirty=1 shadow-stack page reads as not
   * writable), dirty is the hardware D bit (SavedDirty is attrs.savedDirty).
   * Swap/migration entries (kind 'not-present') get no perms and no phys.
   * Asked at PGD in 4-level mode, it decodes the slot with p4d semantics
   * (the level the kernel really checks it at).
   */
  decode(d: Depth, lo: number, hi: number): DecodedEntry {
    const sd: Depth = d === PGD && !this.la57 ? P4D : d;
    let kind: EntryKind;
    let present = false;
    let phys: number | null = null;
    if (this.none(sd, lo, hi)) {
      kind = 'none';
    } else if ((sd === PGD || sd === P4D) && this.bad(sd, lo, hi)) {
      kind = 'bad';
      present = this.present(sd, lo, hi);
    } else if (!this.present(sd, lo, hi)) {
      kind = 'not-present';
    } else if (this.leaf(sd, lo, hi)) {
      kind = 'leaf';
      present = true;
      phys = this.outputPa(sd, lo, hi);
    } else {
      kind = 'table';
      present = true;
      phys = this.tablePa(sd, lo, hi);
    }

    const hwP = (lo & _PAGE_PRESENT) !== 0;
    const meaningful = kind !== 'none' && kind !== 'not-present';
    const perms: Perms = {
      read: meaningful && hwP,
      write: meaningful && hwP && (lo & _PAGE_RW) !== 0,
      exec: meaningful && hwP && (hi & HI_NX) === 0,
      user: meaningful && (lo & _PAGE_USER) !== 0,
      global: meaningful && hwP && (lo & _PAGE_GLOBAL) !== 0,
      accessed: meaningful && (lo & _PAGE_ACCESSED) !== 0,
      dirty: meaningful && (lo & _PAGE_DIRTY) !== 0,
    };

    let attrs: ArchAttrs = {};
    if (kind === 'leaf') attrs = this.leafAttrs(sd, lo, hi);
    else if (kind === 'table' || kind === 'bad') {
      attrs = { pwt: (lo & _PAGE_PWT) !== 0, pcd: (lo & _PAGE_PCD) !== 0 };
    }

    return {
      level: LEVEL_NAMES[d],
      raw: wordsToBigInt(lo, hi),
      kind,
      present,
      phys,
      pfn: phys === null ? null : Math.floor(phys / 4096),
      perms,
      flags: flagNames(sd, lo, hi),
      attrs,
    };
  }

  /**
   * Leaf bits without the address for `prot` at depth d (PTE 4K, PMD 2M,
   * PUD 1G). x86 cannot express a present page that is not readable, nor a
   * leaf above the pud.
   */
  leafTemplate(d: Depth, prot: FullProt): void {
    if (d !== PTE && d !== PMD && d !== PUD) {
      throw new PagewalkError(
        'EINVAL',
        `x86-64 has no leaves at the ${LEVEL_NAMES[d] ?? String(d)} level (p4d_leaf()/pgd_leaf() are 0: ` +
          'no 512G pages); leaves go at pte (4K), pmd (2M) or pud (1G)',
      );
    }
    if (prot === null || typeof prot !== 'object') {
      throw new PagewalkError('EINVAL', `prot must be an object, got ${String(prot)}`);
    }
    if (prot.read !== true) {
      throw new PagewalkError(
        'EINVAL',
        `x86-64 cannot map a page that is not readable (read: ${String(prot.read)}): ` +
          'P=1 always allows reads at the page\'s privilege',
      );
    }
    let lo = _PAGE_PRESENT;
    let hi = 0;
    if (prot.write) lo |= _PAGE_RW;
    if (prot.user) lo |= _PAGE_USER;
    if (prot.accessed) lo |= _PAGE_ACCESSED;
    if (prot.dirty) lo |= _PAGE_DIRTY;
    if (prot.global) lo |= _PAGE_GLOBAL;
    if (!prot.exec) hi |= HI_NX;
    if (d !== PTE) lo |= _PAGE_PSE;

    const attrs = prot.attrs ?? {};
    if (attrs === null || typeof attrs !== 'object') {
      throw new PagewalkError('EINVAL', `prot.attrs must be an object, got ${String(attrs)}; x86-64 accepts ${ATTR_HELP}`);
    }
    for (const key of Object.keys(attrs)) {
      const v = attrs[key];
      if (!ATTR_KEYS.includes(key)) {
        throw new PagewalkError('EINVAL', `unknown x86-64 attr "${key}": accepted attrs are ${ATTR_HELP}`);
      }
      if (key === 'pkey') {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 15) {
          throw new PagewalkError('EINVAL', `x86-64 attr pkey must be an integer 0..15 (bits 59..62), got ${String(v)}`);
        }
        hi |= v << HI_PKEY_SHIFT;
        continue;
      }
      if (typeof v !== 'boolean') {
        throw new PagewalkError('EINVAL', `x86-64 attr ${key} must be a boolean, got ${String(v)}`);
      }
      if (!v) continue;
      if (key === 'pat') {
        lo |= d === PTE ? _PAGE_PAT : _PAGE_PAT_LARGE;
        continue;
      }
      for (const [name, bitLo, bitHi] of BOOL_ATTRS) {
        if (name === key) {
          lo |= bitLo;
          hi |= bitHi;
        }
      }
    }
    this.lo = lo | 0;
    this.hi = hi | 0;
  }

  /** Template | the address bits of `pa` (bits 12..51, 21..51 or 30..51). */
  encodeLeaf(d: Depth, pa: number, templateLo: number, templateHi: number): void {
    const size = LEAF_SIZE[d] ?? 0;
    if (size === 0) {
      throw new PagewalkError('EINVAL', `x86-64 has no leaves at depth ${String(d)} (leaves: pte 4K, pmd 2M, pud 1G)`);
    }
    if (!(Number.isInteger(pa) && pa >= 0 && pa < PHYS_LIMIT && pa % size === 0)) {
      throw new PagewalkError(
        'EINVAL',
        `physical address ${typeof pa === 'number' ? hex(pa) : String(pa)} for a ${LEVEL_NAMES[d]} leaf must be ` +
          `${hex(size)}-aligned and below 2^52`,
      );
    }
    const mask = d === PTE ? PFN_LO : d === PMD ? PMD_PFN_LO : PUD_PFN_LO;
    this.lo = (templateLo & ~mask) | ((pa % TWO32) & mask);
    this.hi = (templateHi & ~ADDR_HI) | (Math.floor(pa / TWO32) & ADDR_HI);
  }

  /**
   * A directory entry for the table at `tablePa` as the kernel's
   * pXd_populate() writes it, for user and kernel tables alike: _PAGE_TABLE
   * (P|RW|US|A|D). Access is restricted by the leaves (x86 ANDs U/S down the
   * levels, so a US-clear directory would hide user pages below it).
   */
  encodeTable(d: Depth, tablePa: number, _user: boolean): void {
    if (d === PTE) {
      throw new PagewalkError('EINVAL', 'a pte cannot point to a table: table entries go at pgd, p4d, pud or pmd');
    }
    if (!(Number.isInteger(tablePa) && tablePa >= 0 && tablePa < PHYS_LIMIT && tablePa % 4096 === 0)) {
      throw new PagewalkError(
        'EINVAL',
        `table address ${typeof tablePa === 'number' ? hex(tablePa) : String(tablePa)} must be 4K-aligned and below 2^52`,
      );
    }
    // pmd_populate_kernel(), pmd_populate(), pud/p4d/pgd_populate() (arch/x86/include/asm/pgalloc.h)
    // all write _PAGE_TABLE; only boot-time tables (head_64.S, the kernel image) use _KERNPG_TABLE.
    this.lo = ((tablePa % TWO32) & PFN_LO) | _PAGE_TABLE;
    this.hi = Math.floor(tablePa / TWO32) & ADDR_HI;
  }

  encodeNone(_d: Depth): void {
    this.lo = 0;
    this.hi = 0;
  }

  /** Inverse of leafTemplate: perms from the hardware bits, software bits in attrs. */
  leafProt(d: Depth, lo: number, hi: number): FullProt {
    const hwP = (lo & _PAGE_PRESENT) !== 0;
    return {
      read: hwP,
      write: (lo & _PAGE_RW) !== 0,
      exec: (hi & HI_NX) === 0,
      user: (lo & _PAGE_USER) !== 0,
      global: hwP && (lo & _PAGE_GLOBAL) !== 0,
      accessed: (lo & _PAGE_ACCESSED) !== 0,
      dirty: (lo & _PAGE_DIRTY) !== 0,
      attrs: this.leafAttrs(d, lo, hi),
    };
  }

  private leafAttrs(d: Depth, lo: number, hi: number): ArchAttrs {
    return {
      pwt: (lo & _PAGE_PWT) !== 0,
      pcd: (lo & _PAGE_PCD) !== 0,
      pat: (lo & (d === PTE ? _PAGE_PAT : _PAGE_PAT_LARGE)) !== 0,
      pkey: (hi & HI_PKEY_MASK) >>> HI_PKEY_SHIFT,
      special: (lo & _PAGE_SOFTW1) !== 0,
      uffdWp: (lo & _PAGE_SOFTW2) !== 0,
      softDirty: (lo & _PAGE_SOFTW3) !== 0,
      softw4: (hi & HI_SOFTW4) !== 0,
      savedDirty: (hi & HI_SOFTW5) !== 0,
    };
  }
}

/** Names of the set non-address bits, low to high (see the file comment). */
function flagNames(d: Depth, lo: number, hi: number): string[] {
  const out: string[] = [];
  const hwP = (lo & _PAGE_PRESENT) !== 0;
  if (hwP) out.push('P');
  if (lo & _PAGE_RW) out.push('RW');
  if (lo & _PAGE_USER) out.push('US');
  if (lo & _PAGE_PWT) out.push('PWT');
  if (lo & _PAGE_PCD) out.push('PCD');
  if (lo & _PAGE_ACCESSED) out.push('A');
  if (lo & _PAGE_DIRTY) out.push('D');
  if (lo & 0x80) out.push(d === PTE ? 'PAT' : 'PSE');
  if (lo & 0x100) out.push(hwP ? 'G' : 'PROTNONE');
  if (lo & _PAGE_SOFTW1) out.push('SOFTW1');
  if (lo & _PAGE_SOFTW2) out.push('SOFTW2');
  if (lo & _PAGE_SOFTW3) out.push('SOFTW3');
  // Bit 12 is PAT only in a 2M/1G leaf; elsewhere it is an address bit.
  if ((d === PMD || d === PUD) && (lo & _PAGE_PSE) && (lo & _PAGE_PAT_LARGE)) out.push('PAT');
  for (let bit = 52; bit <= 56; bit++) if (hi & (1 << (bit - 32))) out.push(`BIT${bit}`);
  if (hi & HI_SOFTW4) out.push('SOFTW4');
  if (hi & HI_SOFTW5) out.push('SOFTW5');
  for (let k = 0; k < 4; k++) if (hi & (1 << (HI_PKEY_SHIFT + k))) out.push(`PKEY${k}`);
  if (hi & HI_NX) out.push('NX');
  return out;
}

const T = true;
const F = false;

export const X86_64_MODES: readonly ArchMode[] = Object.freeze([
  Object.freeze({
    arch: 'x86-64',
    mode: '4level',
    aliases: Object.freeze(['4-level', 'la48']),
    description:
      'x86-64 4-level paging (LA48): 48-bit VA, p4d folded at run time (ptrs_per_p4d = 1); 4K pages, 2M and 1G leaves',
    pageShift: 12,
    vaBits: 48,
    physBits: 52,
    tableAt: Object.freeze([T, F, T, T, T]),
    realAt: Object.freeze([F, T, T, T, T]),
    shift: Object.freeze([39, 39, 30, 21, 12]),
    entries: Object.freeze([512, 0, 512, 512, 512]),
    kernelPtrs: Object.freeze([512, 1, 512, 512, 512]),
    leafDepths: Object.freeze([PUD, PMD] as Depth[]),
    roots: 'shared',
    rootBytes: 4096,
    defaultRamBase: 0,
    createCodec: (options?: CodecOptions) => new X86_64Codec('4level', options),
  } satisfies ArchMode),
  Object.freeze({
    arch: 'x86-64',
    mode: '5level',
    aliases: Object.freeze(['5-level', 'la57']),
    description: 'x86-64 5-level paging (LA57): 57-bit VA, all five levels real; 4K pages, 2M and 1G leaves',
    pageShift: 12,
    vaBits: 57,
    physBits: 52,
    tableAt: Object.freeze([T, T, T, T, T]),
    realAt: Object.freeze([T, T, T, T, T]),
    shift: Object.freeze([48, 39, 30, 21, 12]),
    entries: Object.freeze([512, 512, 512, 512, 512]),
    kernelPtrs: Object.freeze([512, 512, 512, 512, 512]),
    leafDepths: Object.freeze([PUD, PMD] as Depth[]),
    roots: 'shared',
    rootBytes: 4096,
    defaultRamBase: 0,
    createCodec: (options?: CodecOptions) => new X86_64Codec('5level', options),
  } satisfies ArchMode),
]);
