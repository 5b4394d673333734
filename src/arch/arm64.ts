/**
 * arm64 (AArch64, VMSAv8-64 stage 1) page-table entries as Linux writes and
 * reads them.
 *
 * Sources (mainline, read at the versions named; 6.1 differences noted where
 * they change a result):
 * - arch/arm64/include/asm/pgtable-hwdef.h: ARM64_HW_PGTABLE_LEVELS(),
 *   ARM64_HW_PGTABLE_LEVEL_SHIFT(), PTRS_PER_*, the PTE_ and P*D_ bits,
 *   PTE_ADDR_LOW/PTE_ADDR_HIGH (52-bit output addresses).
 * - arch/arm64/include/asm/pgtable-prot.h: software bits (PTE_DIRTY 55,
 *   PTE_SPECIAL 56, PTE_PRESENT_INVALID = PTE_NG when !PTE_VALID, PTE_UFFD_WP
 *   58), PROT_* and PAGE_* values, PTE_MAYBE_NG / PTE_MAYBE_SHARED.
 * - arch/arm64/include/asm/pgtable.h: pte_present(), pmd_leaf(), pud_leaf(),
 *   pud_table(), pgd_bad()/p4d_bad(), __pte_to_phys(), the swap layout.
 * - arch/arm64/include/asm/pgalloc.h and arch/arm64/mm/mmu.c: the table
 *   descriptors __pmd_populate()/__pud_populate()/__p4d_populate() write.
 * - arch/arm64/include/asm/memory.h: the MT_* AttrIndx values.
 * - Arm ARM D8 "VMSAv8-64 translation table format descriptors".
 *
 * Geometry. CONFIG_PGTABLE_LEVELS = ARM64_HW_PGTABLE_LEVELS(VA_BITS) =
 * (VA_BITS - 4) / (PAGE_SHIFT - 3); the levels the kernel lacks are folded
 * with the generic pgtable-nop4d.h (4 levels), -nopud.h (3) and -nopmd.h (2).
 * The top table (pgd) has PTRS_PER_PGD = 2^(VA_BITS - PGDIR_SHIFT) entries and
 * may be smaller than a page. Each root translates one half: TTBR0 the user
 * half [0, 2^va), TTBR1 the kernel half [2^64 - 2^va, 2^64).
 *
 * 52-bit VA with FEAT_LPA2 (4k-52, 16k-52) or FEAT_LVA (64k-52): on a CPU
 * without the feature the kernel runs with 48-bit VA and folds a level at
 * run time (pgtable_l5_enabled()/pgtable_l4_enabled() false, vabits_actual =
 * 48). These modes model the full 52-bit configuration only, as on a CPU
 * that has the feature: 4k-52 has five real levels.
 *
 * Descriptor bits (D8): [1:0] = 0b11 table (levels 0..2) or page (level 3),
 * 0b01 block (levels 1..2), bit 0 clear = invalid. Lower attributes:
 * AttrIndx[4:2], NS 5, AP[2:1] 7:6, SH[1:0] 9:8 (OA[51:50] under FEAT_LPA2),
 * AF 10, nG 11. Upper: GP 50, DBM 51, Contiguous 52, PXN 53, UXN 54, 55..58
 * ignored by hardware (Linux software bits). Table descriptors: PXNTable 59,
 * UXNTable 60, APTable[1:0] 62:61, NSTable 63.
 *
 * Output and next-table addresses: 4K/16K without LPA2 hold OA[47:PAGE_SHIFT]
 * in place; with LPA2 OA[49:PAGE_SHIFT] in place and OA[51:50] in bits 9:8;
 * 64K holds OA[47:16] in place and, with 52-bit PA (FEAT_LPA), OA[51:48] in
 * bits 15:12. Decoding follows the architecture (bits 49:48 of a 64K or a
 * non-LPA2 descriptor are RES0 and ignored). Linux's own PTE_ADDR_LOW spans
 * bits 49:PAGE_SHIFT in every configuration, so a 64K/52-bit kernel's
 * __phys_to_pte_val() also leaves PA[49:48] in bits 49:48; encodeLeaf() and
 * encodeTable() write the architectural form (those bits clear), which
 * decodes to the same address either way.
 */
import { TWO32, wordsToBigInt } from './words.js';
import { PagewalkError, hex } from '../errors.js';
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
  type ArchAttrs,
  type ArchMode,
  type CodecOptions,
  type DecodedEntry,
  type Depth,
  type EntryCodec,
  type EntryKind,
  type FullProt,
  type ModeGeometry,
  type Perms,
} from './types.js';

// ------------------------------------------------------------ bit layout
// Low word: bits 31..0; high word: bits 63..32 (bit n is 1 << (n - 32)).

/** PTE_VALID / PMD_SECT_VALID: bit 0. */
const VALID = 1 << 0;
/** PTE_TABLE_BIT / PMD_TABLE_BIT: bit 1 (table at levels 0..2, page at level 3). */
const TABLE_BIT = 1 << 1;
/** PTE_TYPE_MASK / PMD_TYPE_MASK. */
const TYPE_MASK = 3;
/** PMD_TYPE_TABLE / PTE_TYPE_PAGE. */
const TYPE_TABLE = 3;
/** PMD_TYPE_SECT: a block. */
const TYPE_SECT = 1;
const ATTRINDX_SHIFT = 2;
const ATTRINDX_MASK = 7 << ATTRINDX_SHIFT;
/** NS: bit 5. */
const NS = 1 << 5;
/** PTE_USER: AP[1], bit 6. */
const AP1 = 1 << 6;
/** PTE_RDONLY: AP[2], bit 7. */
const AP2 = 1 << 7;
const SH_SHIFT = 8;
/** PTE_SHARED: SH[1:0] = 0b11, inner shareable (bits 9:8). */
const SH_MASK = 3 << SH_SHIFT;
/** PTE_AF: bit 10 (in table descriptors: PGD/P4D/PUD/PMD_TABLE_AF, FEAT_HAFT). */
const AF = 1 << 10;
/** PTE_NG: bit 11; when PTE_VALID is clear, mainline's PTE_PRESENT_INVALID. */
const NG = 1 << 11;

/** PTE_GP (BTI guarded): bit 50. */
const HI_GP = 1 << 18;
/** PTE_DBM (Linux's PTE_WRITE): bit 51. */
const HI_DBM = 1 << 19;
/** PTE_CONT: bit 52. */
const HI_CONT = 1 << 20;
/** PTE_PXN: bit 53. */
const HI_PXN = 1 << 21;
/** PTE_UXN: bit 54. */
const HI_UXN = 1 << 22;
/** PTE_DIRTY (software): bit 55. */
const HI_DIRTY = 1 << 23;
/** PTE_SPECIAL (software): bit 56. */
const HI_SPECIAL = 1 << 24;
/** 6.1's PTE_DEVMAP (software): bit 57; later mainline dropped the devmap bits. */
const HI_DEVMAP = 1 << 25;
/** Bit 58: mainline PTE_UFFD_WP; 6.1 PTE_PROT_NONE (only when !PTE_VALID). */
const HI_BIT58 = 1 << 26;
/** Bit 59: table PXNTable; 6.1's PMD_PRESENT_INVALID on a !valid pmd; PBHA[0] in a leaf. */
const HI_BIT59 = 1 << 27;
/** UXNTable: bit 60. */
const HI_UXNTABLE = 1 << 28;
/** APTable[0] (no EL0 access below): bit 61. */
const HI_APTABLE0 = 1 << 29;
/** APTable[1] (no write access below): bit 62. */
const HI_APTABLE1 = 1 << 30;
/** NSTable: bit 63. */
const HI_NSTABLE = 1 << 31;

const TWO48 = 2 ** 48;
const TWO50 = 2 ** 50;

/** Linux's memory types, arch/arm64/include/asm/memory.h (mainline; 6.1 has 0..4, same values). */
const MT_NAMES: readonly string[] = [
  'MT_NORMAL',
  'MT_NORMAL_TAGGED',
  'MT_NORMAL_NC',
  'MT_DEVICE_nGnRnE',
  'MT_DEVICE_nGnRE',
  'MT_NORMAL_iNC_oWB',
];
const SH_NAMES: readonly string[] = ['non-shareable', 'reserved', 'outer', 'inner'];

const BOOL_ATTR_KEYS = [
  'ns',
  'contiguous',
  'pxn',
  'uxn',
  'dbm',
  'gp',
  'swDirty',
  'special',
  'devmap',
  'uffdWp',
  'presentInvalid',
  'protNone',
  'pmdPresentInvalid',
  'rdonly',
] as const;
const ATTR_KEYS: readonly string[] = ['attrIndx', 'memType', 'sh', ...BOOL_ATTR_KEYS];
const ATTR_HELP =
  'attrIndx (0..7, MAIR index), memType (' +
  MT_NAMES.join(' | ') +
  "), sh ('non-shareable' | 'outer' | 'inner' or 0 | 2 | 3; not with FEAT_LPA2), " +
  'ns, contiguous (PTE_CONT), pxn, uxn, dbm (PTE_DBM = PTE_WRITE), gp (BTI), swDirty (PTE_DIRTY), ' +
  'special (PTE_SPECIAL), devmap (6.1 PTE_DEVMAP), uffdWp (PTE_UFFD_WP), presentInvalid ' +
  '(PTE_PRESENT_INVALID), protNone (6.1 PTE_PROT_NONE), pmdPresentInvalid (6.1 PMD_PRESENT_INVALID), ' +
  'rdonly (PTE_RDONLY = AP[2]) (booleans)';

// ------------------------------------------------------------ modes

interface ModeSpec {
  mode: string;
  pageShift: 12 | 14 | 16;
  vaBits: number;
  /** FEAT_LPA2: OA[51:50] in bits 9:8, shareability from TCR_ELx.SH (4K and 16K granules). */
  lpa2: boolean;
  /** FEAT_LPA with the 64K granule: OA[51:48] in bits 15:12. */
  lpa64: boolean;
  config: string;
}

const SPECS: readonly ModeSpec[] = [
  { mode: '4k-39', pageShift: 12, vaBits: 39, lpa2: false, lpa64: false, config: 'ARM64_4K_PAGES, ARM64_VA_BITS_39' },
  { mode: '4k-48', pageShift: 12, vaBits: 48, lpa2: false, lpa64: false, config: 'ARM64_4K_PAGES, ARM64_VA_BITS_48' },
  {
    mode: '4k-52',
    pageShift: 12,
    vaBits: 52,
    lpa2: true,
    lpa64: false,
    config: 'ARM64_4K_PAGES, ARM64_VA_BITS_52, FEAT_LPA2',
  },
  { mode: '16k-36', pageShift: 14, vaBits: 36, lpa2: false, lpa64: false, config: 'ARM64_16K_PAGES, ARM64_VA_BITS_36' },
  { mode: '16k-47', pageShift: 14, vaBits: 47, lpa2: false, lpa64: false, config: 'ARM64_16K_PAGES, ARM64_VA_BITS_47' },
  { mode: '16k-48', pageShift: 14, vaBits: 48, lpa2: false, lpa64: false, config: 'ARM64_16K_PAGES, ARM64_VA_BITS_48' },
  {
    mode: '16k-52',
    pageShift: 14,
    vaBits: 52,
    lpa2: true,
    lpa64: false,
    config: 'ARM64_16K_PAGES, ARM64_VA_BITS_52, FEAT_LPA2',
  },
  { mode: '64k-42', pageShift: 16, vaBits: 42, lpa2: false, lpa64: false, config: 'ARM64_64K_PAGES, ARM64_VA_BITS_42' },
  { mode: '64k-48', pageShift: 16, vaBits: 48, lpa2: false, lpa64: false, config: 'ARM64_64K_PAGES, ARM64_VA_BITS_48' },
  {
    mode: '64k-52',
    pageShift: 16,
    vaBits: 52,
    lpa2: false,
    lpa64: true,
    config: 'ARM64_64K_PAGES, ARM64_VA_BITS_52 (FEAT_LVA), ARM64_PA_BITS_52 (FEAT_LPA)',
  },
];

function findSpec(mode: string): ModeSpec {
  const spec = SPECS.find((s) => s.mode === mode);
  if (spec === undefined) {
    throw new PagewalkError(
      'EINVAL',
      `arm64 mode must be one of ${SPECS.map((s) => s.mode).join(', ')}, got ${JSON.stringify(mode)}`,
    );
  }
  return spec;
}

const LEVEL_WORD = ['', 'one level', 'two levels', 'three levels', 'four levels', 'five levels'];

/** The geometry of a mode, from the kernel's own formulas (pgtable-hwdef.h). */
function buildGeometry(spec: ModeSpec): ModeGeometry {
  const ps = spec.pageShift;
  const bits = ps - 3; // each table resolves PAGE_SHIFT - 3 bits
  const levels = Math.floor((spec.vaBits - 4) / bits); // ARM64_HW_PGTABLE_LEVELS(VA_BITS)
  // Folding: nop4d (4 levels), nopud (3), nopmd (2); the pgd always has a table.
  const tableAt = [true, levels >= 5, levels >= 4, levels >= 3, true];
  // The kernel checks a group of folded levels at its lowest member.
  const realAt = [levels >= 5, levels >= 4, levels >= 3, true, true];
  // Hardware shift of the table level checked at depth d: PAGE_SHIFT + (4 - d) * (PAGE_SHIFT - 3).
  const hwShift = (d: number) => ps + (4 - d) * bits;
  const shift: number[] = [];
  for (let d = 0; d <= PTE; d++) {
    let r = d;
    while (!realAt[r]) r++;
    shift.push(hwShift(r));
  }
  const pgdEntries = 2 ** (spec.vaBits - shift[PGD]); // PTRS_PER_PGD = 1 << (VA_BITS - PGDIR_SHIFT)
  const entries = tableAt.map((t, d) => (!t ? 0 : d === PGD ? pgdEntries : 2 ** bits));
  const kernelPtrs = tableAt.map((t, d) => (d === PGD ? pgdEntries : t ? 2 ** bits : 1));
  // pud_sect_supported(): PAGE_SIZE == SZ_4K; PMD blocks in every granule.
  const leafDepths: Depth[] = (ps === 12 ? [PUD, PMD] : [PMD]).filter((d) => realAt[d]) as Depth[];
  return {
    arch: 'arm64',
    mode: spec.mode,
    pageShift: ps,
    vaBits: spec.vaBits,
    physBits: spec.lpa2 || spec.lpa64 ? 52 : 48,
    tableAt: Object.freeze(tableAt),
    realAt: Object.freeze(realAt),
    shift: Object.freeze(shift),
    entries: Object.freeze(entries),
    kernelPtrs: Object.freeze(kernelPtrs),
    leafDepths: Object.freeze(leafDepths),
    roots: 'split',
    rootBytes: pgdEntries * 8,
  };
}

function describe(spec: ModeSpec, geo: ModeGeometry): string {
  const levels = geo.realAt.filter((r) => r).length;
  const leaves = geo.leafDepths.map((d) => `${LEVEL_NAMES[d]} ${sizeName(2 ** geo.shift[d])}`).join(', ');
  const pa = spec.lpa2
    ? '52-bit PA (OA[51:50] in bits 9:8)'
    : spec.lpa64
      ? '52-bit PA (OA[51:48] in bits 15:12)'
      : '48-bit PA';
  return (
    `arm64 ${sizeName(2 ** spec.pageShift)} granule, ${spec.vaBits}-bit VA per TTBR, ${LEVEL_WORD[levels]}` +
    ` (${spec.config}), ${pa}; block leaves: ${leaves}` +
    (spec.vaBits === 52 ? '; the full 52-bit configuration, no run-time folding to 48 bits' : '')
  );
}

function sizeName(bytes: number): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P'];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) {
    bytes /= 1024;
    i++;
  }
  return `${bytes}${units[i]}`;
}

// ------------------------------------------------------------ the codec

/**
 * Entry codec for one arm64 paging mode (granule + VA size).
 *
 * Kernel semantics implemented (mainline, with 6.1 notes):
 * - *_none(): the value is 0.
 * - pgd_bad()/p4d_bad(): (val & TYPE_MASK) != TYPE_TABLE, i.e. both bit 0 and
 *   bit 1 must be set. 6.1's p4d_bad() tested only bit 1 (!(val & 2)), so a
 *   value 0b10 is bad in mainline and not bad in 6.1. pud_bad()/pmd_bad() (not
 *   asked by the walker) are answered the same way.
 * - pgd_present()/p4d_present(): !*_none() (mainline and 6.1).
 * - pud/pmd/pte_present(): pte_present() = pte_valid() ||
 *   pte_present_invalid(), mainline's PTE_PRESENT_INVALID being PTE_NG (bit
 *   11) on an entry with PTE_VALID clear. 6.1 instead had PTE_PROT_NONE (bit
 *   58, !valid) and, for pmds only, PMD_PRESENT_INVALID (bit 59, !valid).
 *   present() accepts those too: in mainline a !valid entry with bit 58 or 59
 *   set is a swap/migration entry whose offset reaches bit 46 (58) or 47 (59)
 *   of the offset field (bits 12..61): a pfn (migration, device, hwpoison
 *   entries) never does, and a swap offset would need a swap area of 2^46
 *   pages. The reverse does conflict: in 6.1, bit 11 of a swap entry is swap
 *   offset bit 3, so a 6.1 swap pte with that bit set reads as present here.
 * - pmd_leaf()/pud_leaf(): mainline is *_present() && !*_table(), so a
 *   present-invalid block (pmd_mkinvalid(), PROT_NONE) is a leaf. 6.1 was
 *   pmd_sect()/pud_sect() (type bits == 0b01): a present-invalid block is not
 *   a leaf there. pud_table() is always true with 64K pages (and pud_leaf()
 *   false when the pmd is folded), so a 64K pud is never a leaf. At the pte
 *   level leaf() is present().
 *
 * Permissions (normalised, hardware meaning): user = AP[1]; write = !AP[2]
 * (DBM, Linux's PTE_WRITE, only marks a "writable-clean" entry the hardware
 * or the fault handler may make writable: it is reported as attrs.dbm);
 * read = true for a valid entry (EL1 can always read a kernel page, EL0 a page
 * with AP[1]); exec = user ? !UXN : !PXN; global = !nG; accessed = AF; dirty =
 * pte_dirty() = PTE_DIRTY || (DBM && !AP[2]). A present-invalid entry (valid
 * bit clear) grants no access: read, write and exec are false and its
 * attrs.presentInvalid (or 6.1's protNone / pmdPresentInvalid) is set, with
 * attrs.rdonly keeping AP[2].
 *
 * flags use the Arm ARM descriptor field names: VALID, TABLE / BLOCK / PAGE,
 * AttrIndx[n], NS, AP[1], AP[2], SH[0], SH[1], AF, nG, nT, GP, DBM,
 * Contiguous, PXN, UXN, PBHA[n], PXNTable, UXNTable, APTable[0], APTable[1],
 * NSTable; the bits the hardware ignores by the kernel's names without the
 * PTE_ prefix: DIRTY, SPECIAL, DEVMAP (6.1), UFFD_WP (mainline, bit 58) or
 * PROT_NONE (6.1: bit 58 of a !valid entry without bit 11),
 * PRESENT_INVALID (bit 11 of a !valid entry), PMD_PRESENT_INVALID (6.1, bit
 * 59 of a !valid pmd). Other set bits that are not address bits: `bitN`.
 */
export class Arm64Codec implements EntryCodec {
  lo = 0;
  hi = 0;
  /** Follow from read/write/exec/user/dirty: PXN/UXN from exec, DBM/PTE_DIRTY/AP[2] from write and dirty, the present-invalid forms from read. */
  readonly permAttrs: readonly string[] = ['pxn', 'uxn', 'dbm', 'swDirty', 'rdonly', 'presentInvalid', 'protNone', 'pmdPresentInvalid'];

  readonly geometry: ModeGeometry;
  readonly mode: string;
  readonly pageShift: number;
  readonly lpa2: boolean;
  readonly lpa64: boolean;
  /** pud_leaf() can be true: not 64K (pud_table() is constant true) and the pmd is not folded. */
  private readonly pudLeaf: boolean;
  /** In-place address bits of a page/table address, low word (bits 31..PAGE_SHIFT). */
  private readonly addrLo: number;
  /** In-place address bits, high word (bits 47..32, or 49..32 under LPA2). */
  private readonly addrHi: number;
  /** Address masks of a leaf's output at each depth (block-size aligned). */
  private readonly outLo: Int32Array;
  private readonly outHi: Int32Array;
  /** 0: none, 1: LPA2 OA[51:50] in bits 9:8, 2: 64K FEAT_LPA OA[51:48] in bits 15:12. */
  private readonly highKind: number;
  /** Low-word bits holding high address bits (0x300, 0xf000 or 0). */
  private readonly highLoBits: number;

  constructor(mode: string, options: CodecOptions = {}) {
    const spec = findSpec(mode);
    if (options === null || typeof options !== 'object') {
      throw new PagewalkError('EINVAL', `codec options must be an object, got ${String(options)}`);
    }
    this.mode = spec.mode;
    this.geometry = buildGeometry(spec);
    this.pageShift = spec.pageShift;
    this.lpa2 = spec.lpa2;
    this.lpa64 = spec.lpa64;
    this.pudLeaf = spec.pageShift !== 16 && this.geometry.realAt[PMD] && this.geometry.tableAt[PMD];
    this.addrLo = -1 << spec.pageShift;
    this.addrHi = spec.lpa2 ? 0x3ffff : 0xffff;
    this.highKind = spec.lpa2 ? 1 : spec.lpa64 ? 2 : 0;
    this.highLoBits = spec.lpa2 ? SH_MASK : spec.lpa64 ? 0xf000 : 0;
    this.outLo = new Int32Array(5);
    this.outHi = new Int32Array(5);
    for (let d = 0; d <= PTE; d++) {
      const s = d === PTE ? spec.pageShift : this.geometry.shift[d];
      this.outLo[d] = s >= 32 ? 0 : this.addrLo & (-1 << s);
      this.outHi[d] = s >= 32 ? this.addrHi & (-1 << (s - 32)) : this.addrHi;
    }
  }

  // ---------------------------------------------------------------- hot
  //
  // The masks below are literals, each with the constant it stands for: a
  // bundle keeps module-level constants as `var`s, which V8 reloads and
  // type-checks at every use in these per-entry methods.

  /** pte_none()/pmd_none()/pud_none()/p4d_none()/pgd_none(): !val. */
  none(_d: Depth, lo: number, hi: number): boolean {
    return (lo | hi) === 0;
  }

  /**
   * pgd_bad()/p4d_bad() (mainline): (val & TYPE_MASK) != TYPE_TABLE. Also
   * pud_bad() and pmd_bad() (!pmd_table()), which test the same; never bad at
   * the pte level.
   */
  bad(d: Depth, lo: number, _hi: number): boolean {
    return d !== 4 /* PTE */ && (lo & 3) /* TYPE_MASK */ !== 3 /* TYPE_TABLE */;
  }

  /** The hardware's valid bit (bit 0). */
  valid(_d: Depth, lo: number, _hi: number): boolean {
    return (lo & 1) /* VALID */ !== 0;
  }

  /**
   * pgd/p4d_present(): !none. pud/pmd/pte_present(): valid or mainline's
   * present-invalid (bit 11 with bit 0 clear); also 6.1's PTE_PROT_NONE (bit
   * 58) and, at the pmd, PMD_PRESENT_INVALID (bit 59). See the class comment.
   */
  present(d: Depth, lo: number, hi: number): boolean {
    if (d <= 1 /* P4D */) return (lo | hi) !== 0;
    if ((lo & 0x801) /* VALID | NG */ !== 0) return true;
    if ((hi & 0x4000000) /* HI_BIT58 */ !== 0) return true;
    return d === 3 /* PMD */ && (hi & 0x8000000) /* HI_BIT59 */ !== 0;
  }

  /** pmd_leaf()/pud_leaf() = present && !table (mainline); pte: present; pgd/p4d: never. */
  leaf(d: Depth, lo: number, hi: number): boolean {
    switch (d) {
      case 4 /* PTE */:
        return this.present(4, lo, hi);
      case 3 /* PMD */:
        return (lo & 3) /* TYPE_MASK */ !== 3 /* TYPE_TABLE */ && this.present(3, lo, hi);
      case 2 /* PUD */:
        return this.pudLeaf && (lo & 3) /* TYPE_MASK */ !== 3 /* TYPE_TABLE */ && this.present(2, lo, hi);
      default:
        return false;
    }
  }

  /** The next-level table address: *_page_paddr() / __pte_to_phys(). */
  tablePa(_d: Depth, lo: number, hi: number): number {
    let pa = (hi & this.addrHi) * 4294967296 /* TWO32 */ + ((lo & this.addrLo) >>> 0);
    if (this.highKind === 1) pa += ((lo >>> 8) & 3) * 1125899906842624 /* TWO50 */;
    else if (this.highKind === 2) pa += ((lo >>> 12) & 15) * 281474976710656 /* TWO48 */;
    return pa;
  }

  /** The output address of a leaf, aligned to its size (pmd_pfn(): & PMD_MASK). */
  outputPa(d: Depth, lo: number, hi: number): number {
    let pa = (hi & this.outHi[d]) * 4294967296 /* TWO32 */ + ((lo & this.outLo[d]) >>> 0);
    if (this.highKind === 1) pa += ((lo >>> 8) & 3) * 1125899906842624 /* TWO50 */;
    else if (this.highKind === 2) pa += ((lo >>> 12) & 15) * 281474976710656 /* TWO48 */;
    return pa;
  }

  // ---------------------------------------------------------------- cold

  decode(d: Depth, lo: number, hi: number): DecodedEntry {
    const level = LEVEL_NAMES[d];
    const raw = wordsToBigInt(lo, hi);
    if ((lo | hi) === 0) {
      return { level, raw, kind: 'none', present: false, phys: null, pfn: null, perms: noPerms(), flags: [], attrs: {} };
    }
    const present = this.present(d, lo, hi);
    let kind: EntryKind;
    if (d <= P4D) kind = this.bad(d, lo, hi) ? 'bad' : 'table';
    else if (!present) kind = 'not-present';
    else if (this.leaf(d, lo, hi)) kind = 'leaf';
    else kind = d !== PTE && (lo & TYPE_MASK) === TYPE_TABLE ? 'table' : 'bad';

    let phys: number | null = null;
    let perms: Perms;
    let attrs: ArchAttrs;
    let flags: string[];
    if (kind === 'table') {
      phys = this.tablePa(d, lo, hi);
      perms = tablePerms(lo, hi);
      attrs = {
        pxnTable: (hi & HI_BIT59) !== 0,
        uxnTable: (hi & HI_UXNTABLE) !== 0,
        apTable: (hi >>> 29) & 3,
        nsTable: (hi & HI_NSTABLE) !== 0,
        af: (lo & AF) !== 0,
      };
      flags = this.tableFlags(d, lo, hi);
    } else if (kind === 'leaf') {
      phys = this.outputPa(d, lo, hi);
      const prot = this.leafProt(d, lo, hi);
      attrs = prot.attrs;
      const { attrs: _omit, ...p } = prot;
      perms = p;
      flags = this.leafFlags(d, lo, hi);
    } else if (kind === 'not-present') {
      // A swap or migration entry, mainline layout (pgtable.h): bit 2
      // PTE_SWP_EXCLUSIVE, bit 3 PTE_SWP_UFFD_WP, bits 6..10 type, bits 12..61
      // offset. (6.1: type in bits 3..7, offset in bits 8..57.)
      perms = noPerms();
      attrs = {
        swapType: (lo >>> 6) & 31,
        swapOffset: (hi & 0x3fffffff) * 2 ** 20 + (lo >>> 12),
        swpExclusive: (lo & 4) !== 0,
        swpUffdWp: (lo & 8) !== 0,
      };
      flags = [];
      if (lo & 4) flags.push('SWP_EXCLUSIVE');
      if (lo & 8) flags.push('SWP_UFFD_WP');
    } else {
      perms = noPerms();
      attrs = {};
      flags = d === PTE || d === PMD || d === PUD ? this.leafFlags(d, lo, hi) : this.tableFlags(d, lo, hi);
    }
    const pfn = phys === null ? null : Math.floor(phys / 2 ** this.pageShift);
    return { level, raw, kind, present, phys, pfn, perms, flags, attrs };
  }

  /**
   * APTable[0] (bit 61) → LIMIT_NO_USER, APTable[1] (bit 62) → LIMIT_NO_WRITE,
   * PXNTable (bit 59) → LIMIT_NO_KEXEC, UXNTable (bit 60) → LIMIT_NO_UEXEC
   * (hierarchical permissions; ignored by hardware when TCR_ELx.HPD is set).
   */
  tableLimits(_d: Depth, _lo: number, hi: number): number {
    let limits = 0;
    if (hi & HI_APTABLE0) limits |= LIMIT_NO_USER;
    if (hi & HI_APTABLE1) limits |= LIMIT_NO_WRITE;
    if (hi & HI_BIT59) limits |= LIMIT_NO_KEXEC;
    if (hi & HI_UXNTABLE) limits |= LIMIT_NO_UEXEC;
    return limits;
  }

  /**
   * The bits of a leaf without its address.
   *
   * Valid entries: [1:0] = 0b11 (page) at the pte, 0b01 (block) at a pmd/pud
   * in geometry.leafDepths; AP[1] = user; AP[2] = !write; AF = accessed; nG =
   * !global; exec clears UXN for a user page (PXN from attrs.pxn, default set:
   * Linux user pages are PXN) or PXN for a kernel page (UXN from attrs.uxn,
   * default set: "All valid kernel mappings have the PTE_UXN bit set"); DBM
   * defaults to write && dirty (Linux's PTE_WRITE on a dirty writable page,
   * e.g. PROT_NORMAL; a writable clean page without DBM, e.g.
   * PROT_SECT_NORMAL_EXEC, is write && !dirty); PTE_DIRTY (attrs.swDirty)
   * defaults to dirty when the hardware bits do not already say dirty. SH
   * defaults to inner shareable (PTE_MAYBE_SHARED without LPA2) and is absent
   * under LPA2, AttrIndx to MT_NORMAL.
   *
   * With read false (and write and exec false) the entry is present-invalid,
   * as mainline's PAGE_NONE: valid clear, PTE_PRESENT_INVALID (bit 11) set,
   * AP[2] from attrs.rdonly (default set), PXN and UXN default set; or 6.1's
   * encodings with attrs.protNone (bit 58) / attrs.pmdPresentInvalid (bit 59).
   */
  leafTemplate(d: Depth, prot: FullProt): void {
    if (d !== PTE && !this.geometry.leafDepths.includes(d)) {
      throw new PagewalkError(
        'EINVAL',
        `arm64 ${this.mode} cannot hold a leaf at the ${LEVEL_NAMES[d]} level: leaves go at ` +
          `${[...this.geometry.leafDepths.map((x) => LEVEL_NAMES[x]), 'pte'].join(', ')}` +
          ' (block mappings as Linux makes them; pud blocks only with 4K pages, pud_sect_supported())',
      );
    }
    checkPerms(prot);
    const a = prot.attrs ?? {};
    for (const key of Object.keys(a)) {
      if (!ATTR_KEYS.includes(key)) {
        throw new PagewalkError('EINVAL', `unknown arm64 attr "${key}": accepted attrs are ${ATTR_HELP}`);
      }
    }
    for (const key of BOOL_ATTR_KEYS) {
      if (a[key] !== undefined && typeof a[key] !== 'boolean') {
        throw new PagewalkError('EINVAL', `arm64 attrs.${key} must be a boolean, got ${JSON.stringify(a[key])}`);
      }
    }
    const flag = (key: (typeof BOOL_ATTR_KEYS)[number]): boolean | undefined => a[key] as boolean | undefined;

    let lo = 0;
    let hi = 0;

    // Memory type.
    let idx = 0;
    if (a.attrIndx !== undefined) {
      const v = a.attrIndx;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 7) {
        throw new PagewalkError('EINVAL', `arm64 attrs.attrIndx must be an integer 0..7, got ${JSON.stringify(v)}`);
      }
      idx = v;
    }
    if (a.memType !== undefined) {
      const m = MT_NAMES.indexOf(a.memType as string);
      if (m < 0) {
        throw new PagewalkError(
          'EINVAL',
          `arm64 attrs.memType must be one of ${MT_NAMES.join(', ')}, got ${JSON.stringify(a.memType)}`,
        );
      }
      if (a.attrIndx !== undefined && m !== idx) {
        throw new PagewalkError(
          'EINVAL',
          `arm64 attrs.memType ${String(a.memType)} is AttrIndx ${m}, but attrs.attrIndx is ${idx}`,
        );
      }
      idx = m;
    }
    lo |= idx << ATTRINDX_SHIFT;

    // Shareability.
    if (this.lpa2) {
      if (a.sh !== undefined) {
        throw new PagewalkError(
          'EINVAL',
          `arm64 ${this.mode} uses FEAT_LPA2: bits 9:8 hold OA[51:50] and shareability comes from TCR_ELx.SH, ` +
            `so attrs.sh (${JSON.stringify(a.sh)}) cannot be expressed`,
        );
      }
    } else {
      let sh = 3;
      if (a.sh !== undefined) {
        const v = a.sh;
        const n = typeof v === 'number' ? v : SH_NAMES.indexOf(v as string);
        if (!Number.isInteger(n) || n < 0 || n > 3 || n === 1) {
          throw new PagewalkError(
            'EINVAL',
            `arm64 attrs.sh must be 'non-shareable' (0), 'outer' (2) or 'inner' (3); SH = 0b01 is reserved; got ${JSON.stringify(v)}`,
          );
        }
        sh = n;
      }
      lo |= sh << SH_SHIFT;
    }

    if (flag('ns')) lo |= NS;
    if (flag('gp')) hi |= HI_GP;
    if (flag('contiguous')) hi |= HI_CONT;
    if (flag('special')) hi |= HI_SPECIAL;
    if (flag('devmap')) hi |= HI_DEVMAP;
    if (prot.user) lo |= AP1;
    if (prot.accessed) lo |= AF;

    const presentInvalid = flag('presentInvalid');
    const protNone = flag('protNone') === true;
    const pmdPresentInvalid = flag('pmdPresentInvalid') === true;
    if (pmdPresentInvalid && d !== PMD) {
      throw new PagewalkError(
        'EINVAL',
        `arm64 attrs.pmdPresentInvalid (6.1 PMD_PRESENT_INVALID, bit 59) exists only at the pmd level, not ${LEVEL_NAMES[d]}`,
      );
    }
    if (protNone && flag('uffdWp') === true) {
      throw new PagewalkError(
        'EINVAL',
        'arm64 attrs.protNone (6.1 PTE_PROT_NONE) and attrs.uffdWp (PTE_UFFD_WP) are the same bit 58: set one',
      );
    }
    if (flag('uffdWp')) hi |= HI_BIT58;
    const invalid = presentInvalid === true || protNone || pmdPresentInvalid || (!prot.read && presentInvalid !== false);

    let ap2: boolean;
    if (invalid) {
      if (prot.read || prot.write || prot.exec) {
        throw new PagewalkError(
          'EINVAL',
          `an arm64 present-invalid entry (PAGE_NONE, pmd_mkinvalid()) grants no access: read, write and exec must be false, ` +
            `got read ${prot.read}, write ${prot.write}, exec ${prot.exec}`,
        );
      }
      if (presentInvalid !== false && !protNone && !pmdPresentInvalid) {
        // Mainline PTE_PRESENT_INVALID is PTE_NG: nG cannot be clear.
        if (prot.global) {
          throw new PagewalkError(
            'EINVAL',
            'arm64 global: true cannot be expressed on a present-invalid entry: mainline PTE_PRESENT_INVALID is bit 11, the nG bit',
          );
        }
        lo |= NG;
      } else {
        if (presentInvalid === true) {
          if (prot.global) {
            throw new PagewalkError(
              'EINVAL',
              'arm64 global: true cannot be expressed with attrs.presentInvalid: PTE_PRESENT_INVALID is bit 11, the nG bit',
            );
          }
          lo |= NG;
        } else if (!prot.global) lo |= NG;
        if (protNone) hi |= HI_BIT58;
        if (pmdPresentInvalid) hi |= HI_BIT59;
      }
      // VALID clear; the pte keeps its type bit 1 (PTE_TYPE_PAGE & ~PTE_VALID).
      if (d === PTE) lo |= TABLE_BIT;
      ap2 = flag('rdonly') ?? true;
      if (ap2) lo |= AP2;
      if (flag('pxn') ?? true) hi |= HI_PXN;
      if (flag('uxn') ?? true) hi |= HI_UXN;
    } else {
      if (!prot.read) {
        throw new PagewalkError(
          'EINVAL',
          'arm64 read: false with attrs.presentInvalid: false cannot be expressed: a valid entry is readable at its owner privilege',
        );
      }
      lo |= d === PTE ? TYPE_TABLE : TYPE_SECT;
      if (!prot.global) lo |= NG;
      ap2 = !prot.write;
      if (flag('rdonly') !== undefined && flag('rdonly') !== ap2) {
        throw new PagewalkError(
          'EINVAL',
          `arm64 attrs.rdonly (AP[2]) ${String(flag('rdonly'))} contradicts write: ${prot.write}`,
        );
      }
      if (ap2) lo |= AP2;
      let pxn: boolean;
      let uxn: boolean;
      if (prot.user) {
        uxn = !prot.exec;
        pxn = flag('pxn') ?? true;
        if (flag('uxn') !== undefined && flag('uxn') !== uxn) {
          throw new PagewalkError(
            'EINVAL',
            `arm64 attrs.uxn ${String(flag('uxn'))} contradicts exec: ${prot.exec} of a user page (exec = !UXN)`,
          );
        }
      } else {
        pxn = !prot.exec;
        uxn = flag('uxn') ?? true;
        if (flag('pxn') !== undefined && flag('pxn') !== pxn) {
          throw new PagewalkError(
            'EINVAL',
            `arm64 attrs.pxn ${String(flag('pxn'))} contradicts exec: ${prot.exec} of a kernel page (exec = !PXN)`,
          );
        }
      }
      if (pxn) hi |= HI_PXN;
      if (uxn) hi |= HI_UXN;
    }

    // Dirty: pte_dirty() = PTE_DIRTY || (PTE_DBM && !PTE_RDONLY).
    const dbm = flag('dbm') ?? (!ap2 && prot.dirty);
    const hwDirty = dbm && !ap2;
    if (hwDirty && !prot.dirty) {
      throw new PagewalkError(
        'EINVAL',
        'arm64 dirty: false with attrs.dbm and AP[2] clear cannot be expressed: DBM with AP[2] clear means hardware-dirty ' +
          '(a writable clean Linux page is write: false, attrs.dbm: true)',
      );
    }
    const swDirty = flag('swDirty') ?? (prot.dirty && !hwDirty);
    if (swDirty && !prot.dirty) {
      throw new PagewalkError('EINVAL', 'arm64 attrs.swDirty (PTE_DIRTY) contradicts dirty: false');
    }
    if (prot.dirty && !swDirty && !hwDirty) {
      throw new PagewalkError(
        'EINVAL',
        'arm64 dirty: true needs PTE_DIRTY (attrs.swDirty) or DBM with AP[2] clear; attrs.swDirty: false leaves neither',
      );
    }
    if (dbm) hi |= HI_DBM;
    if (swDirty) hi |= HI_DIRTY;

    this.lo = lo;
    this.hi = hi;
  }

  /** template | the address bits of `pa` (pfn_pte()/pfn_pmd()/pfn_pud() with __phys_to_pte_val()). */
  encodeLeaf(d: Depth, pa: number, templateLo: number, templateHi: number): void {
    const align = d === PTE ? this.pageShift : this.geometry.shift[d];
    this.checkPa(pa, align, `a ${LEVEL_NAMES[d]} leaf`);
    this.lo = templateLo | this.paLo(pa);
    this.hi = templateHi | this.paHi(pa);
  }

  /**
   * A table descriptor as mainline's __pmd_populate()/__pud_populate()/
   * __p4d_populate()/__pgd_populate() write it: TYPE_TABLE | TABLE_AF (bit
   * 10, FEAT_HAFT's table access flag, ignored without it) | UXNTable for a
   * kernel (init_mm) table or PXNTable for a user table. 6.1 wrote no
   * TABLE_AF bit (e.g. 0x1000000040000003 for a kernel table).
   */
  encodeTable(d: Depth, tablePa: number, user: boolean): void {
    this.checkPa(tablePa, this.pageShift, `the ${LEVEL_NAMES[d]} entry's next table`);
    this.lo = TYPE_TABLE | AF | this.paLo(tablePa);
    this.hi = (user ? HI_BIT59 : HI_UXNTABLE) | this.paHi(tablePa);
  }

  encodeNone(_d: Depth): void {
    this.lo = 0;
    this.hi = 0;
  }

  /** The FullProt of a leaf (present or present-invalid); leafTemplate() of it gives back the same bits. */
  leafProt(d: Depth, lo: number, hi: number): FullProt {
    const valid = (lo & VALID) !== 0;
    const user = (lo & AP1) !== 0;
    const rdonly = (lo & AP2) !== 0;
    const pxn = (hi & HI_PXN) !== 0;
    const uxn = (hi & HI_UXN) !== 0;
    const dbm = (hi & HI_DBM) !== 0;
    const swDirty = (hi & HI_DIRTY) !== 0;
    const idx = (lo & ATTRINDX_MASK) >>> ATTRINDX_SHIFT;
    const attrs: ArchAttrs = { attrIndx: idx };
    if (idx < MT_NAMES.length) attrs.memType = MT_NAMES[idx];
    if (!this.lpa2) attrs.sh = SH_NAMES[(lo & SH_MASK) >>> SH_SHIFT];
    attrs.ns = (lo & NS) !== 0;
    attrs.contiguous = (hi & HI_CONT) !== 0;
    attrs.pxn = pxn;
    attrs.uxn = uxn;
    attrs.dbm = dbm;
    attrs.gp = (hi & HI_GP) !== 0;
    attrs.swDirty = swDirty;
    attrs.special = (hi & HI_SPECIAL) !== 0;
    attrs.devmap = (hi & HI_DEVMAP) !== 0;
    const bit11 = (lo & NG) !== 0;
    const bit58 = (hi & HI_BIT58) !== 0;
    if (valid) {
      attrs.uffdWp = bit58;
    } else {
      // Mainline: bit 11 is PTE_PRESENT_INVALID, bit 58 then PTE_UFFD_WP.
      // 6.1: bit 58 without bit 11 is PTE_PROT_NONE; bit 59 of a pmd PMD_PRESENT_INVALID.
      attrs.presentInvalid = bit11;
      if (bit11) attrs.uffdWp = bit58;
      else {
        attrs.uffdWp = false;
        if (bit58) attrs.protNone = true;
      }
      if (d === PMD && (hi & HI_BIT59) !== 0) attrs.pmdPresentInvalid = true;
      attrs.rdonly = rdonly;
    }
    return {
      read: valid,
      write: valid && !rdonly,
      exec: valid && (user ? !uxn : !pxn),
      user,
      global: !bit11,
      accessed: (lo & AF) !== 0,
      dirty: swDirty || (dbm && !rdonly),
      attrs,
    };
  }

  // ---------------------------------------------------------------- helpers

  private paLo(pa: number): number {
    let lo = (pa % TWO32) & this.addrLo;
    if (this.highKind === 1) lo |= (Math.floor(pa / TWO50) & 3) << 8;
    else if (this.highKind === 2) lo |= (Math.floor(pa / TWO48) & 15) << 12;
    return lo;
  }

  private paHi(pa: number): number {
    return Math.floor(pa / TWO32) & this.addrHi;
  }

  private checkPa(pa: number, alignShift: number, what: string): void {
    const limit = 2 ** this.geometry.physBits;
    if (typeof pa !== 'number' || !Number.isInteger(pa) || pa < 0 || pa >= limit) {
      throw new PagewalkError(
        'EINVAL',
        `physical address ${typeof pa === 'number' ? hex(pa) : String(pa)} for ${what} is outside arm64 ${this.mode}'s ` +
          `${this.geometry.physBits}-bit physical address space`,
      );
    }
    if (pa % 2 ** alignShift !== 0) {
      throw new PagewalkError(
        'EINVAL',
        `physical address ${hex(pa)} for ${what} is not aligned to ${hex(2 ** alignShift)} (arm64 ${this.mode})`,
      );
    }
  }

  private leafFlags(d: Depth, lo: number, hi: number): string[] {
    const valid = (lo & VALID) !== 0;
    const block = d !== PTE;
    const out: string[] = [];
    const loAddr = (d === PTE ? this.addrLo : this.outLo[d]) | this.highLoBits;
    const hiAddr = d === PTE ? this.addrHi : this.outHi[d];
    for (let bit = 0; bit < 64; bit++) {
      const set = bit < 32 ? (lo & (1 << bit)) !== 0 : (hi & (1 << (bit - 32))) !== 0;
      if (!set) continue;
      if (bit < 32 ? (loAddr & (1 << bit)) !== 0 : (hiAddr & (1 << (bit - 32))) !== 0) continue;
      out.push(this.leafBitName(d, bit, valid, block, lo));
    }
    if (valid && block && (lo & TABLE_BIT) === 0) out.splice(1, 0, 'BLOCK');
    return out;
  }

  private leafBitName(d: Depth, bit: number, valid: boolean, block: boolean, lo: number): string {
    switch (bit) {
      case 0:
        return 'VALID';
      case 1:
        return block ? 'TABLE' : 'PAGE';
      case 2:
      case 3:
      case 4:
        return `AttrIndx[${bit - 2}]`;
      case 5:
        return 'NS';
      case 6:
        return 'AP[1]';
      case 7:
        return 'AP[2]';
      case 8:
      case 9:
        return `SH[${bit - 8}]`;
      case 10:
        return 'AF';
      case 11:
        return valid ? 'nG' : 'PRESENT_INVALID';
      case 16:
        return block ? 'nT' : 'bit16';
      case 50:
        return 'GP';
      case 51:
        return 'DBM';
      case 52:
        return 'Contiguous';
      case 53:
        return 'PXN';
      case 54:
        return 'UXN';
      case 55:
        return 'DIRTY';
      case 56:
        return 'SPECIAL';
      case 57:
        return 'DEVMAP';
      case 58:
        return valid || (lo & NG) !== 0 ? 'UFFD_WP' : 'PROT_NONE';
      case 59:
        return !valid && d === PMD ? 'PMD_PRESENT_INVALID' : 'PBHA[0]';
      case 60:
      case 61:
      case 62:
        return `PBHA[${bit - 59}]`;
      default:
        return `bit${bit}`;
    }
  }

  private tableFlags(_d: Depth, lo: number, hi: number): string[] {
    const out: string[] = [];
    for (let bit = 0; bit < 64; bit++) {
      const set = bit < 32 ? (lo & (1 << bit)) !== 0 : (hi & (1 << (bit - 32))) !== 0;
      if (!set) continue;
      if (bit < 32 ? ((this.addrLo | this.highLoBits) & (1 << bit)) !== 0 : (this.addrHi & (1 << (bit - 32))) !== 0) {
        continue;
      }
      out.push(TABLE_BIT_NAMES[bit] ?? `bit${bit}`);
    }
    return out;
  }
}

const TABLE_BIT_NAMES: Record<number, string> = {
  0: 'VALID',
  1: 'TABLE',
  10: 'AF',
  59: 'PXNTable',
  60: 'UXNTable',
  61: 'APTable[0]',
  62: 'APTable[1]',
  63: 'NSTable',
};

function noPerms(): Perms {
  return { read: false, write: false, exec: false, user: false, global: false, accessed: false, dirty: false };
}

/**
 * A table descriptor's own permissions: what it allows below it. read:
 * always; write: !APTable[1]; user: !APTable[0]; exec: neither PXNTable nor
 * UXNTable; global: true (tables have no nG); accessed: the table AF bit
 * (FEAT_HAFT); dirty: false.
 */
function tablePerms(lo: number, hi: number): Perms {
  return {
    read: true,
    write: (hi & HI_APTABLE1) === 0,
    exec: (hi & (HI_BIT59 | HI_UXNTABLE)) === 0,
    user: (hi & HI_APTABLE0) === 0,
    global: true,
    accessed: (lo & AF) !== 0,
    dirty: false,
  };
}

function checkPerms(prot: FullProt): void {
  if (prot === null || typeof prot !== 'object') {
    throw new PagewalkError('EINVAL', `prot must be an object, got ${String(prot)}`);
  }
  for (const key of ['read', 'write', 'exec', 'user', 'global', 'accessed', 'dirty'] as const) {
    if (typeof prot[key] !== 'boolean') {
      throw new PagewalkError('EINVAL', `prot.${key} must be a boolean, got ${String(prot[key])}`);
    }
  }
  if (prot.write && !prot.read) {
    throw new PagewalkError('EINVAL', 'arm64 cannot express write without read (AP[2:1] has no write-only encoding)');
  }
  if (prot.exec && !prot.read) {
    throw new PagewalkError(
      'EINVAL',
      'arm64 read: false with exec: true cannot be expressed at the page owner privilege (a user execute-only page ' +
        'is AP[1] clear with UXN clear: user: false, attrs: { uxn: false })',
    );
  }
}

function makeMode(spec: ModeSpec): ArchMode {
  const geo = buildGeometry(spec);
  return Object.freeze({
    ...geo,
    description: describe(spec, geo),
    defaultRamBase: 0x40000000, // QEMU virt
    createCodec: (options?: CodecOptions) => new Arm64Codec(spec.mode, options),
  } satisfies ArchMode);
}

/** Every arm64 mode (granule-VAbits). */
export const ARM64_MODES: readonly ArchMode[] = Object.freeze(SPECS.map(makeMode));
