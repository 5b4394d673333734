/**
 * RISC-V 64-bit paging (Sv39, Sv48, Sv57) as Linux drives it.
 *
 * Sources (Linux mainline; 6.1 differences are noted where they change a
 * result): arch/riscv/include/asm/pgtable-bits.h, pgtable-64.h, pgtable.h,
 * pgalloc.h; the RISC-V Privileged Architecture, "Sv39/Sv48/Sv57" (PTE
 * format, R/W/X encodings, superpage alignment) and the Svpbmt and Svnapot
 * chapters.
 *
 * Entry format (the same at every level, pgtable-64.h "rv64 PTE format"):
 *
 *   63 | 62..61 | 60..54 | 53..10 | 9..8 | 7 | 6 | 5 | 4 | 3 | 2 | 1 | 0
 *    N |  PBMT  |  rsvd  |  PPN   |  RSW | D | A | G | U | X | W | R | V
 *
 * A directory (non-leaf) entry has V=1 and R=W=X=0; any of R/W/X makes a
 * leaf, at any level (_PAGE_LEAF). Bits 60 and 59 are reserved unless the
 * hart has Svrsw60t59b, where mainline uses them for _PAGE_UFFD_WP (60) and
 * _PAGE_SOFT_DIRTY (59).
 *
 * Folding (pgtable-64.h): the kernel is built with CONFIG_PGTABLE_LEVELS=5
 * and folds at run time on pgtable_l4_enabled / pgtable_l5_enabled. Without
 * l5, pgd_none() is 0, pgd_present() 1, pgd_bad() 0 and p4d_offset() returns
 * the pgd slot; without l4 the same holds for p4d and pud_offset() returns
 * the p4d slot. So in Sv39 the top table's slots are checked as pud, in Sv48
 * as p4d. PTRS_PER_P4D and PTRS_PER_PUD stay PAGE_SIZE / sizeof(entry) = 512
 * at compile time, so mm/pagewalk.c's real_depth() never lowers a hole's
 * depth on riscv: an empty top-level slot is reported at depth 2 in Sv39 and
 * at depth 1 in Sv48.
 *
 * Linux 6.1 differs in ways that only show on entries it never wrote: no
 * Svnapot (6.4), so its pte_pfn() keeps the NAPOT size bit in the address;
 * no soft-dirty / uffd-wp bits (bits 59/60, Svrsw60t59b, mainline only);
 * bit 9 unused (as in mainline, where it was _PAGE_DEVMAP for a few releases);
 * pud_bad() without the _PAGE_LEAF test. Folding, pgd_/p4d_ helpers,
 * _PAGE_PROT_NONE = _PAGE_GLOBAL and the PAGE_KERNEL* values are the same.
 */

import { PagewalkError } from '../errors.js';
import {
  LEVEL_NAMES,
  P4D,
  PGD,
  PMD,
  PTE,
  PUD,
  type ArchAttrs,
  type ArchMode,
  type DecodedEntry,
  type Depth,
  type EntryCodec,
  type EntryKind,
  type FullProt,
  type Perms,
} from './types.js';
import { wordsToBigInt } from './words.js';

// ---- low word (bits 31..0), pgtable-bits.h ----
/** _PAGE_PRESENT: the spec's V. */
export const RV_V = 1 << 0;
/** _PAGE_READ */
export const RV_R = 1 << 1;
/** _PAGE_WRITE */
export const RV_W = 1 << 2;
/** _PAGE_EXEC */
export const RV_X = 1 << 3;
/** _PAGE_USER */
export const RV_U = 1 << 4;
/** _PAGE_GLOBAL; also _PAGE_PROT_NONE on entries with V clear. */
export const RV_G = 1 << 5;
/** _PAGE_ACCESSED */
export const RV_A = 1 << 6;
/** _PAGE_DIRTY */
export const RV_D = 1 << 7;
/** RSW, bits 9..8 (_PAGE_SOFT); bit 8 is _PAGE_SPECIAL. */
export const RV_RSW_SHIFT = 8;
export const RV_RSW_MASK = 3 << RV_RSW_SHIFT;
/** _PAGE_LEAF = R | W | X. */
export const RV_LEAF = RV_R | RV_W | RV_X;
/** _PAGE_PROT_NONE is _PAGE_GLOBAL (pgtable-bits.h). */
export const RV_PROT_NONE = RV_G;
/** _PAGE_PFN_SHIFT */
const PFN_SHIFT = 10;

// ---- high word (bits 63..32) ----
/** PPN[43:22] sits in bits 53..32: the low 22 bits of the high word. */
const HI_PPN_MASK = 0x3fffff;
/** Bits 58..54: reserved by the privileged spec (must be zero). */
const HI_RSVD_MASK = 0x1f << 22;
/** Bit 59: _PAGE_SOFT_DIRTY under Svrsw60t59b (mainline). */
const HI_SOFT_DIRTY = 1 << 27;
/** Bit 60: _PAGE_UFFD_WP under Svrsw60t59b (mainline). */
const HI_UFFD_WP = 1 << 28;
/** Bits 62..61: Svpbmt memory type (_PAGE_MTMASK_SVPBMT). */
const HI_PBMT_SHIFT = 29;
const HI_PBMT_MASK = 3 << HI_PBMT_SHIFT;
/** Bit 63: Svnapot N (_PAGE_NAPOT). */
const HI_N = 1 << 31;

/** Low 22 PPN bits live in bits 31..10 of the low word. */
// LO_PPN_MASK = 0x3fffff (the low word's PPN bits after >>> PFN_SHIFT; literal in tablePa())
const TWO22 = 4194304;
// HI_PPN_WEIGHT = 2^(22 + 12) = 17179869184: weight of the high-word PPN bits in a byte address
// (a literal in the hot methods).
const PAGE = 4096;

/** PBMT values by encoding (Svpbmt; pgtable-64.h "[62:61] Svpbmt Memory Type definitions"). */
const PBMT_NAMES = ['PMA', 'NC', 'IO', 'RSVD'] as const;

/**
 * Masks applied to the PPN of a leaf at each depth so that outputPa is the
 * base of the naturally aligned region the leaf maps (pmd_pfn / pud_pfn mask
 * with PMD_MASK / PUD_MASK the same way). The spec makes a misaligned
 * superpage (low PPN fields not zero) a page fault; we report the aligned
 * base and leave the fault to whoever checks alignment. Shifts per depth:
 * pgd 48 (Sv57), p4d 39, pud 30, pmd 21, pte 12.
 */
// LEAF_LO_PPN_MASK = [0, 0, 0x3c0000, 0x3ffe00, 0x3fffff] (pgd .. pte), written as literals in outputPa()
// LEAF_HI_PPN_MASK = [0x3fc000, 0x3fffe0, 0x3fffff, 0x3fffff, 0x3fffff]

/** The attrs keys leafTemplate accepts, for messages. */
const ATTR_KEYS = ['pbmt', 'napot', 'rsw', 'softDirty', 'uffdWp'] as const;
const ATTRS_HELP =
  "accepted riscv64 attrs: pbmt ('PMA' | 'NC' | 'IO'), napot (boolean, pte only), rsw (0..3; 1 = _PAGE_SPECIAL), " +
  'softDirty (boolean, bit 59, Svrsw60t59b), uffdWp (boolean, bit 60, Svrsw60t59b)';

export type Riscv64ModeName = 'sv39' | 'sv48' | 'sv57';

/**
 * Entry codec for one RISC-V paging mode. The mode decides only how the
 * kernel's pgd/p4d helpers behave (run-time folding); the entry format is
 * the same in all three modes.
 */
export class Riscv64Codec implements EntryCodec {
  lo = 0;
  hi = 0;
  /** riscv's attrs (PBMT, N, RSW, software bits) are independent of R/W/X/U/G/A/D. */
  readonly permAttrs: readonly string[] = [];
  readonly mode: Riscv64ModeName;
  /** pgtable_l4_enabled: p4d is a real level (Sv48, Sv57). */
  private readonly l4: boolean;
  /** pgtable_l5_enabled: pgd is a real level (Sv57). */
  private readonly l5: boolean;
  /** Depth whose helpers examine the top table's slots: pud (Sv39), p4d (Sv48), pgd (Sv57). */
  private readonly topReal: Depth;

  constructor(mode: Riscv64ModeName = 'sv39') {
    if (mode !== 'sv39' && mode !== 'sv48' && mode !== 'sv57') {
      throw new PagewalkError('EINVAL', `unknown riscv64 paging mode ${String(mode)}: expected sv39, sv48 or sv57`);
    }
    this.mode = mode;
    this.l4 = mode !== 'sv39';
    this.l5 = mode === 'sv57';
    this.topReal = mode === 'sv39' ? PUD : mode === 'sv48' ? P4D : PGD;
  }

  // ---------------------------------------------------------------- hot
  //
  // The masks below are literals, each with the constant it stands for: a
  // bundle keeps module-level constants as `var`s, which V8 reloads and
  // type-checks at every use in these per-entry methods.

  /**
   * pgd_none()/p4d_none() compare with 0 only when the level is enabled and
   * return 0 when it is folded (pgtable-64.h); pud_none, pmd_none, pte_none
   * are `val == 0`.
   */
  none(d: Depth, lo: number, hi: number): boolean {
    if (d === 0 /* PGD */) return this.l5 && (lo | hi) === 0;
    if (d === 1 /* P4D */) return this.l4 && (lo | hi) === 0;
    return (lo | hi) === 0;
  }

  /**
   * pgd_bad()/p4d_bad(): !present (V clear) when the level is enabled, 0 when
   * folded. Below them (not asked by the walker, given for completeness):
   * pud_bad() and pmd_bad() are `!present || (val & _PAGE_LEAF)` in mainline.
   */
  bad(d: Depth, lo: number, _hi: number): boolean {
    switch (d) {
      case 0 /* PGD */:
        return this.l5 && (lo & 1) /* RV_V */ === 0;
      case 1 /* P4D */:
        return this.l4 && (lo & 1) /* RV_V */ === 0;
      case 2 /* PUD */:
        return (lo & 1) /* RV_V */ === 0 || (lo & 0xe) /* RV_LEAF */ !== 0;
      case 3 /* PMD */:
        return (lo & 0x2f) /* RV_V | RV_PROT_NONE | RV_LEAF */ === 0 || (lo & 0xe) /* RV_LEAF */ !== 0;
      default:
        return false;
    }
  }

  /** The hardware's valid bit (V). */
  valid(_d: Depth, lo: number, _hi: number): boolean {
    return (lo & 1) !== 0; // RV_V
  }

  /**
   * pgd_present()/p4d_present(): V when enabled, 1 when folded.
   * pud_present(): V (pgtable-64.h).
   * pmd_present(): V | _PAGE_PROT_NONE | _PAGE_LEAF -- the
   *   CONFIG_TRANSPARENT_HUGEPAGE variant (distribution kernels), which keeps
   *   a huge pmd present while split_huge_page() has V cleared. Without THP
   *   (e.g. the 6.1 tinyconfig fixture kernel) it is V | _PAGE_PROT_NONE;
   *   the two differ only for V=0, G=0 entries with R/W/X set.
   * pte_present(): V | _PAGE_PROT_NONE (G): a PROT_NONE page has V clear and
   *   G set, so the kernel counts it present although the MMU would fault.
   */
  present(d: Depth, lo: number, _hi: number): boolean {
    switch (d) {
      case 0 /* PGD */:
        return !this.l5 || (lo & 1) /* RV_V */ !== 0;
      case 1 /* P4D */:
        return !this.l4 || (lo & 1) /* RV_V */ !== 0;
      case 2 /* PUD */:
        return (lo & 1) /* RV_V */ !== 0;
      case 3 /* PMD */:
        return (lo & 0x2f) /* RV_V | RV_PROT_NONE | RV_LEAF */ !== 0;
      default:
        return (lo & 0x21) /* RV_V | RV_PROT_NONE */ !== 0;
    }
  }

  /**
   * pmd_leaf() = pmd_present() && (val & _PAGE_LEAF), which with the THP
   * pmd_present() reduces to (val & _PAGE_LEAF). pud_leaf() = V && R|W|X.
   * Above pud the kernel has no riscv p4d_leaf()/pgd_leaf() (Linux never
   * maps 512G or 256T pages), but the privileged spec allows a leaf at every
   * level, so pgd and p4d answer with the hardware rule V && R|W|X. At pte:
   * same as present().
   */
  leaf(d: Depth, lo: number, _hi: number): boolean {
    switch (d) {
      case 4 /* PTE */:
        return (lo & 0x21) /* RV_V | RV_PROT_NONE */ !== 0;
      case 3 /* PMD */:
        return (lo & 0xe) /* RV_LEAF */ !== 0;
      default:
        return (lo & 1) /* RV_V */ !== 0 && (lo & 0xe) /* RV_LEAF */ !== 0;
    }
  }

  /** PPN << 12 (__page_val_to_pfn: (val & GENMASK(53, 10)) >> 10). */
  tablePa(_d: Depth, lo: number, hi: number): number {
    // (hi & HI_PPN_MASK) * HI_PPN_WEIGHT (2^34) + ((lo >>> PFN_SHIFT) & LO_PPN_MASK) * PAGE
    return (hi & 0x3fffff) * 17179869184 + ((lo >>> 10) & 0x3fffff) * 4096;
  }

  /**
   * Base of what a leaf maps: PPN << 12 with the PPN fields below the leaf's
   * level cleared (a misaligned superpage faults, see LEAF_*_PPN_MASK). A pte
   * with N set (Svnapot) returns the base of its naturally aligned NAPOT
   * range, as pte_pfn() does (`res & (res - 1)` clears the lowest set PPN
   * bit, which encodes the size); each pte of the range holds the same value
   * and the MMU takes the low PPN bits from the virtual address.
   */
  outputPa(d: Depth, lo: number, hi: number): number {
    // LEAF_LO_PPN_MASK[d] and LEAF_HI_PPN_MASK[d], as literals by depth
    let pl = lo >>> 10; // PFN_SHIFT
    let ph = hi;
    switch (d) {
      case 4 /* PTE */:
        pl &= 0x3fffff;
        ph &= 0x3fffff;
        if (hi < 0 /* HI_N */) {
          if (pl !== 0) pl &= pl - 1;
          else ph &= ph - 1;
        }
        break;
      case 3 /* PMD */:
        pl &= 0x3ffe00;
        ph &= 0x3fffff;
        break;
      case 2 /* PUD */:
        pl &= 0x3c0000;
        ph &= 0x3fffff;
        break;
      case 1 /* P4D */:
        pl = 0;
        ph &= 0x3fffe0;
        break;
      default:
        pl = 0;
        ph &= 0x3fc000;
    }
    return ph * 17179869184 /* HI_PPN_WEIGHT */ + pl * 4096 /* PAGE */;
  }

  // ---------------------------------------------------------------- cold

  /**
   * Decodes one entry. At a folded depth (pgd in Sv39/Sv48, p4d in Sv39) the
   * slot is decoded as the level whose helpers examine it (pud, p4d), which
   * is also the level reported.
   */
  decode(d: Depth, lo: number, hi: number): DecodedEntry {
    checkDepth(d, 'decode');
    const e = this.effectiveDepth(d);
    let kind: EntryKind;
    // pgd/p4d: the kernel tests *_bad() right after *_none() (and clears the
    // entry); on riscv that is exactly !present, so a non-zero entry with V
    // clear is 'bad' there, and 'not-present' from pud down.
    if (this.none(e, lo, hi)) kind = 'none';
    else if (e <= P4D && this.bad(e, lo, hi)) kind = 'bad';
    else if (!this.present(e, lo, hi)) kind = 'not-present';
    else if (this.leaf(e, lo, hi)) kind = 'leaf';
    else kind = 'table';
    const phys = kind === 'leaf' ? this.outputPa(e, lo, hi) : kind === 'table' ? this.tablePa(e, lo, hi) : null;
    const attrs: ArchAttrs = readAttrs(lo, hi);
    const rsvd = (hi & HI_RSVD_MASK) >>> 22;
    if (rsvd !== 0) attrs.reserved = rsvd;
    return {
      level: LEVEL_NAMES[e],
      raw: wordsToBigInt(lo, hi),
      kind,
      present: kind === 'leaf' || kind === 'table',
      phys,
      pfn: phys === null ? null : phys / PAGE,
      perms: readPerms(lo),
      flags: flagNames(lo, hi),
      attrs,
    };
  }

  /** riscv directory entries carry no permission bits that limit their subtree. */
  tableLimits(_d: Depth, _lo: number, _hi: number): number {
    return 0;
  }

  leafTemplate(d: Depth, prot: FullProt): void {
    checkDepth(d, 'leafTemplate');
    if (prot === null || typeof prot !== 'object') {
      throw new PagewalkError('EINVAL', `riscv64 leafTemplate: prot must be an object, got ${String(prot)}`);
    }
    for (const k of ['read', 'write', 'exec', 'user', 'global', 'accessed', 'dirty'] as const) {
      if (typeof prot[k] !== 'boolean') {
        throw new PagewalkError('EINVAL', `riscv64 leafTemplate: prot.${k} must be a boolean, got ${String(prot[k])}`);
      }
    }
    if (!prot.read && !prot.write && !prot.exec) {
      throw new PagewalkError(
        'EINVAL',
        'riscv64: read=false, write=false, exec=false cannot be a leaf: R=W=X=0 marks a pointer to the next ' +
          'level of the page table (privileged spec, Sv39 "Encoding of PTE R/W/X fields")',
      );
    }
    if (prot.write && !prot.read) {
      throw new PagewalkError(
        'EINVAL',
        `riscv64: write=true with read=false (exec=${prot.exec}) is not expressible: W=1 with R=0 is reserved ` +
          '(privileged spec, Sv39 "Encoding of PTE R/W/X fields")',
      );
    }
    let lo = RV_V;
    if (prot.read) lo |= RV_R;
    if (prot.write) lo |= RV_W;
    if (prot.exec) lo |= RV_X;
    if (prot.user) lo |= RV_U;
    if (prot.global) lo |= RV_G;
    if (prot.accessed) lo |= RV_A;
    if (prot.dirty) lo |= RV_D;
    let hi = 0;

    const attrs = prot.attrs ?? {};
    if (attrs === null || typeof attrs !== 'object') {
      throw new PagewalkError('EINVAL', `riscv64: prot.attrs must be an object, got ${String(attrs)}; ${ATTRS_HELP}`);
    }
    for (const key of Object.keys(attrs)) {
      if (!(ATTR_KEYS as readonly string[]).includes(key)) {
        throw new PagewalkError('EINVAL', `riscv64: unknown attr "${key}"; ${ATTRS_HELP}`);
      }
    }
    if (attrs.pbmt !== undefined) {
      const i = attrs.pbmt === 'PMA' ? 0 : attrs.pbmt === 'NC' ? 1 : attrs.pbmt === 'IO' ? 2 : -1;
      if (i < 0) {
        throw new PagewalkError(
          'EINVAL',
          `riscv64: attrs.pbmt ${JSON.stringify(attrs.pbmt)} is not a Svpbmt memory type (encoding 3 is reserved); ${ATTRS_HELP}`,
        );
      }
      hi |= i << HI_PBMT_SHIFT;
    }
    if (attrs.napot !== undefined) {
      if (typeof attrs.napot !== 'boolean') {
        throw new PagewalkError('EINVAL', `riscv64: attrs.napot must be a boolean, got ${String(attrs.napot)}; ${ATTRS_HELP}`);
      }
      if (attrs.napot && d !== PTE) {
        throw new PagewalkError(
          'EINVAL',
          `riscv64: attrs.napot=true at ${LEVEL_NAMES[d]}: the N bit is reserved in entries above level 0 (Svnapot); use it on pte leaves`,
        );
      }
      if (attrs.napot) hi |= HI_N;
    }
    if (attrs.rsw !== undefined) {
      const r = attrs.rsw;
      if (typeof r !== 'number' || !Number.isInteger(r) || r < 0 || r > 3) {
        throw new PagewalkError('EINVAL', `riscv64: attrs.rsw ${String(r)} must be an integer 0..3 (bits 9..8); ${ATTRS_HELP}`);
      }
      lo |= r << RV_RSW_SHIFT;
    }
    if (attrs.softDirty !== undefined) {
      if (typeof attrs.softDirty !== 'boolean') {
        throw new PagewalkError('EINVAL', `riscv64: attrs.softDirty must be a boolean, got ${String(attrs.softDirty)}; ${ATTRS_HELP}`);
      }
      if (attrs.softDirty) hi |= HI_SOFT_DIRTY;
    }
    if (attrs.uffdWp !== undefined) {
      if (typeof attrs.uffdWp !== 'boolean') {
        throw new PagewalkError('EINVAL', `riscv64: attrs.uffdWp must be a boolean, got ${String(attrs.uffdWp)}; ${ATTRS_HELP}`);
      }
      if (attrs.uffdWp) hi |= HI_UFFD_WP;
    }
    this.lo = lo;
    this.hi = hi;
  }

  /**
   * template | (pfn << 10), as pfn_pte()/pfn_pmd()/pfn_pud() build it. A pte
   * template with N set gets the 64K NAPOT encoding of pte_mknapot(): PPN[3:0]
   * = 0b1000, so the 16 ptes of a 64K range all hold the same value.
   */
  encodeLeaf(d: Depth, pa: number, templateLo: number, templateHi: number): void {
    const ppn = Math.floor(pa / PAGE);
    let pl = ppn % TWO22;
    const ph = Math.floor(ppn / TWO22) & HI_PPN_MASK;
    if (d === PTE && templateHi < 0) pl = (pl & ~0xf) | 0x8;
    this.lo = templateLo | (pl << PFN_SHIFT);
    this.hi = templateHi | ph;
  }

  /**
   * (pfn << _PAGE_PFN_SHIFT) | _PAGE_TABLE, with _PAGE_TABLE = _PAGE_PRESENT
   * (pgalloc.h pmd_populate_kernel, pmd_populate, pud_populate, p4d_populate,
   * pgd_populate): kernel and user tables are written the same way.
   */
  encodeTable(_d: Depth, tablePa: number, _user: boolean): void {
    const ppn = Math.floor(tablePa / PAGE);
    this.lo = ((ppn % TWO22) << PFN_SHIFT) | RV_V;
    this.hi = Math.floor(ppn / TWO22) & HI_PPN_MASK;
  }

  encodeNone(_d: Depth): void {
    this.lo = 0;
    this.hi = 0;
  }

  leafProt(_d: Depth, lo: number, hi: number): FullProt {
    const p = readPerms(lo);
    return { ...p, attrs: readAttrs(lo, hi) };
  }

  /** The depth whose helpers examine a slot at depth d in this mode. */
  private effectiveDepth(d: Depth): Depth {
    return d < this.topReal ? this.topReal : d;
  }
}

function checkDepth(d: Depth, what: string): void {
  if (!(d === 0 || d === 1 || d === 2 || d === 3 || d === 4)) {
    throw new PagewalkError('EINVAL', `riscv64 ${what}: depth ${String(d)} must be 0 (pgd) .. 4 (pte)`);
  }
}

/**
 * Hardware meaning of the permission bits: R, W, X as the page's owner sees
 * them (U pages: user; others: supervisor), U, G, A, D. Software bits (RSW,
 * soft-dirty) are left to attrs.
 */
function readPerms(lo: number): Perms {
  return {
    read: (lo & RV_R) !== 0,
    write: (lo & RV_W) !== 0,
    exec: (lo & RV_X) !== 0,
    user: (lo & RV_U) !== 0,
    global: (lo & RV_G) !== 0,
    accessed: (lo & RV_A) !== 0,
    dirty: (lo & RV_D) !== 0,
  };
}

function readAttrs(lo: number, hi: number): ArchAttrs {
  return {
    pbmt: PBMT_NAMES[(hi & HI_PBMT_MASK) >>> HI_PBMT_SHIFT],
    napot: (hi & HI_N) !== 0,
    rsw: (lo & RV_RSW_MASK) >>> RV_RSW_SHIFT,
    softDirty: (hi & HI_SOFT_DIRTY) !== 0,
    uffdWp: (hi & HI_UFFD_WP) !== 0,
  };
}

/**
 * Set bits in the spec's spelling, lowest first: V R W X U G A D, RSW(n)
 * (arch/riscv/mm/ptdump.c prints the RSW field this way), RSV (bits 58..54
 * set: reserved, the MMU faults), SOFT_DIRTY (59) and UFFD_WP (60) by their
 * kernel names, PBMT(NC|IO|RSVD), N.
 */
function flagNames(lo: number, hi: number): string[] {
  const out: string[] = [];
  if (lo & RV_V) out.push('V');
  if (lo & RV_R) out.push('R');
  if (lo & RV_W) out.push('W');
  if (lo & RV_X) out.push('X');
  if (lo & RV_U) out.push('U');
  if (lo & RV_G) out.push('G');
  if (lo & RV_A) out.push('A');
  if (lo & RV_D) out.push('D');
  const rsw = (lo & RV_RSW_MASK) >>> RV_RSW_SHIFT;
  if (rsw !== 0) out.push(`RSW(${rsw})`);
  if (hi & HI_RSVD_MASK) out.push('RSV');
  if (hi & HI_SOFT_DIRTY) out.push('SOFT_DIRTY');
  if (hi & HI_UFFD_WP) out.push('UFFD_WP');
  const mt = (hi & HI_PBMT_MASK) >>> HI_PBMT_SHIFT;
  if (mt !== 0) out.push(`PBMT(${PBMT_NAMES[mt]})`);
  if (hi & HI_N) out.push('N');
  return out;
}

// ------------------------------------------------------------------ modes

const ALL_512 = [512, 512, 512, 512, 512] as const;

function riscvMode(
  mode: Riscv64ModeName,
  vaBits: number,
  tableAt: readonly boolean[],
  realAt: readonly boolean[],
  shift: readonly number[],
  entries: readonly number[],
  aliases: readonly string[],
  description: string,
): ArchMode {
  return Object.freeze({
    arch: 'riscv64',
    mode,
    aliases,
    description,
    pageShift: 12,
    vaBits,
    // MAX_POSSIBLE_PHYSMEM_BITS 56: a 44-bit PPN (bits 53..10) of 4K pages.
    physBits: 56,
    tableAt,
    realAt,
    shift,
    entries,
    kernelPtrs: ALL_512,
    // Linux maps 1G (pud) and 2M (pmd) leaves; it never creates p4d/pgd leaves.
    leafDepths: [PUD, PMD] as const,
    roots: 'shared',
    rootBytes: 4096,
    defaultRamBase: 0x80000000,
    createCodec: () => new Riscv64Codec(mode),
  } satisfies ArchMode);
}

export const RISCV64_MODES: readonly ArchMode[] = Object.freeze([
  riscvMode(
    'sv39',
    39,
    [true, false, false, true, true],
    [false, false, true, true, true],
    [30, 30, 30, 21, 12],
    [512, 0, 0, 512, 512],
    ['no4lvl'],
    'RISC-V Sv39: 3 levels, 39-bit VA, 4K pages, 1G/2M leaves; the top table is checked as pud (p4d, pud folded at run time)',
  ),
  riscvMode(
    'sv48',
    48,
    [true, false, true, true, true],
    [false, true, true, true, true],
    [39, 39, 30, 21, 12],
    [512, 0, 512, 512, 512],
    ['no5lvl'],
    'RISC-V Sv48: 4 levels, 48-bit VA, 4K pages, 1G/2M leaves; the top table is checked as p4d (pgd folded at run time)',
  ),
  riscvMode(
    'sv57',
    57,
    [true, true, true, true, true],
    [true, true, true, true, true],
    [48, 39, 30, 21, 12],
    [512, 512, 512, 512, 512],
    [],
    'RISC-V Sv57: 5 levels, 57-bit VA, 4K pages, 1G/2M leaves',
  ),
]);

