/**
 * The contract between the generic page-table code (walker, address space,
 * translate) and one architecture: the level geometry of a paging mode and
 * the codec that reads and writes that mode's entries.
 *
 * Depths are the kernel's five logical levels, always five, whatever the
 * hardware has: 0 pgd, 1 p4d, 2 pud, 3 pmd, 4 pte. A level the mode does not
 * have is *folded*: it owns no table and sees its parent's slot, as in
 * include/asm-generic/pgtable-nop4d.h, -nopud.h and -nopmd.h.
 *
 * Entries are 64-bit little-endian words handed over as two signed 32-bit
 * halves (`lo` = bits 31..0, `hi` = bits 63..32), exactly what an Int32Array
 * view of the image gives, so the hot path never builds a bigint or boxes a
 * number.
 */

export const PGD = 0;
export const P4D = 1;
export const PUD = 2;
export const PMD = 3;
export const PTE = 4;
export type Depth = 0 | 1 | 2 | 3 | 4;

export const LEVEL_NAMES = ['pgd', 'p4d', 'pud', 'pmd', 'pte'] as const;
export type LevelName = (typeof LEVEL_NAMES)[number];

export type ArchName = 'x86-64' | 'riscv64' | 'arm64' | 'loongarch64';

/** Normalised permissions of one mapping, as the owner of the page sees them. */
export interface Perms {
  /** Readable (at the page's privilege: user if `user`, else kernel). */
  read: boolean;
  write: boolean;
  /** Executable at the page's privilege (arm64: !UXN for user pages, !PXN for kernel pages). */
  exec: boolean;
  /** Accessible from user mode (x86 U/S, riscv U, arm64 AP[1], loongarch PLV 3). */
  user: boolean;
  global: boolean;
  accessed: boolean;
  dirty: boolean;
}

/** Arch-specific attribute values (cache type, PBMT, AttrIndx, software bits, ...). */
export type ArchAttrs = Record<string, number | boolean | string>;

/**
 * What map() and protect() are asked for. Unset permission fields take the
 * defaults of `resolveProt` (read on, accessed and dirty on, the rest off);
 * `attrs` holds the arch's own attributes and is validated by its codec.
 */
export interface Prot extends Partial<Perms> {
  attrs?: ArchAttrs;
}

/** A fully specified protection: what a codec encodes and decodes. */
export interface FullProt extends Perms {
  attrs: ArchAttrs;
}

export type EntryKind = 'none' | 'table' | 'leaf' | 'not-present' | 'bad';

/** One entry decoded for people (allocates: never on the hot path). */
export interface DecodedEntry {
  level: LevelName;
  /** The 64-bit value as stored. */
  raw: bigint;
  kind: EntryKind;
  present: boolean;
  /** Physical address of the next table (kind 'table') or of the page/block (kind 'leaf'); else null. */
  phys: number | null;
  /** Page frame number of `phys` (phys / base page size), or null. */
  pfn: number | null;
  /** This entry's own permission bits (for a leaf: the leaf's; not the effective ones). */
  perms: Perms;
  /** Names of the set bits, in the arch's own spelling (e.g. x86 "P RW US PWT PCD A D PSE G NX"). */
  flags: string[];
  /** The arch's own fields: cache attributes, PBMT, AttrIndx, PLV, contiguous, software bits... */
  attrs: ArchAttrs;
}

/** Bits a table (directory) entry imposes on everything below it; see EntryCodec.tableLimits. */
export const LIMIT_NO_WRITE = 1;
export const LIMIT_NO_USER = 2;
/** No execution at kernel privilege below (x86 NX in a directory, arm64 PXNTable). */
export const LIMIT_NO_KEXEC = 4;
/** No execution at user privilege below (x86 NX in a directory, arm64 UXNTable). */
export const LIMIT_NO_UEXEC = 8;

/**
 * Reads and writes the entries of one paging mode. One instance per address
 * space family (it may carry state such as loongarch's invalid_*_table
 * addresses). Every method takes the logical depth at which the kernel
 * performs the check: for a group of folded levels that is the lowest level
 * of the group (e.g. riscv Sv39's top table is checked as `pud`).
 *
 * Hot methods (called by the walker for every entry) must not allocate.
 */
export interface EntryCodec {
  // ---- hot: called per entry by the walker and translate ----
  /** `*_none()` of the kernel at depth d. */
  none(d: Depth, lo: number, hi: number): boolean;
  /**
   * `*_bad()`: asked at PGD and P4D (as in *_none_or_clear_bad()) and at PMD
   * for user pte tables (as pte_offset_map() does).
   */
  bad(d: Depth, lo: number, hi: number): boolean;
  /** `*_present()` at depth d. */
  present(d: Depth, lo: number, hi: number): boolean;
  /**
   * Whether an access translates through this entry without a fault the
   * kernel reports to the task: the hardware's valid bit (x86 P, riscv V,
   * arm64 bit 0); on loongarch, whose TLB refill is software, _PAGE_PRESENT
   * for a leaf and a decodable table address for a directory. Differs from
   * present() for PROT_NONE / present-invalid entries. Used by translate.
   */
  valid(d: Depth, lo: number, hi: number): boolean;
  /** `pud_leaf()` / `pmd_leaf()` (huge / block); at PTE: same as present. */
  leaf(d: Depth, lo: number, hi: number): boolean;
  /**
   * Physical address of the next-level table named by a table entry at depth
   * d, or -1 when the entry cannot name one (e.g. loongarch: the value is not
   * a direct-mapped window address).
   */
  tablePa(d: Depth, lo: number, hi: number): number;
  /** Physical address of the page/block a leaf at depth d maps (its base). */
  outputPa(d: Depth, lo: number, hi: number): number;

  // ---- cold ----
  decode(d: Depth, lo: number, hi: number): DecodedEntry;
  /** Restrictions a table entry at depth d puts on its subtree: LIMIT_* bits. */
  tableLimits(d: Depth, lo: number, hi: number): number;
  /**
   * Checks `prot` for a leaf at depth d and stores the leaf's bits without the
   * address in `this.lo`/`this.hi`. Throws PagewalkError for what the arch
   * cannot express (e.g. riscv write without read) or unknown attrs.
   */
  leafTemplate(d: Depth, prot: FullProt): void;
  /** Stores in lo/hi the leaf entry for `pa` at depth d: template | address bits. */
  encodeLeaf(d: Depth, pa: number, templateLo: number, templateHi: number): void;
  /** Stores in lo/hi a table entry at depth d pointing at the table at `tablePa`. */
  encodeTable(d: Depth, tablePa: number, user: boolean): void;
  /** Stores in lo/hi the value of an empty entry at depth d (0, except loongarch directories). */
  encodeNone(d: Depth): void;
  /** The full protection of a leaf (inverse of leafTemplate for what it encodes). */
  leafProt(d: Depth, lo: number, hi: number): FullProt;
  /**
   * The `attrs` keys leafProt() reports that follow from the permission
   * fields (arm64 pxn/uxn/dbm...): protect() derives them anew from the
   * merged permissions instead of carrying the old values over.
   */
  readonly permAttrs: readonly string[];

  /** Output of the store methods above. */
  lo: number;
  hi: number;
}

/**
 * The geometry of one paging mode, in the kernel's terms. Arrays are indexed
 * by depth (0 pgd .. 4 pte).
 */
export interface ModeGeometry {
  arch: ArchName;
  /** e.g. '4level', 'sv39', '4k-48', '16k-3level'. */
  mode: string;
  /** log2 of the base page size. */
  pageShift: number;
  /** Virtual-address bits one root translates (48 for x86 4-level, 39 for Sv39, ...). */
  vaBits: number;
  /** Physical-address bits the entry format can hold (the arch's maximum). */
  physBits: number;
  /** True where a new table starts at this depth; false where the level is folded into its parent. */
  tableAt: readonly boolean[];
  /** True where the kernel's real *_none/_present/_leaf checks happen (the last level of a folded group). */
  realAt: readonly boolean[];
  /** VA shift of each depth (folded depths: the shift of their group's table). */
  shift: readonly number[];
  /** Entries in the table that starts at each depth (0 where no table starts). */
  entries: readonly number[];
  /** The kernel's PTRS_PER_{PGD,P4D,PUD,PMD,PTE} for this mode, as real_depth() reads them. */
  kernelPtrs: readonly number[];
  /** Depths (with realAt) at which map() may place a leaf; PTE is always allowed. */
  leafDepths: readonly Depth[];
  /**
   * How virtual addresses reach a root: 'shared' = one root translates both
   * canonical halves (x86-64, riscv); 'split' = a root translates one half,
   * the lower (user: arm64 TTBR0, loongarch PGDL) or the upper (kernel:
   * TTBR1, PGDH).
   */
  roots: 'shared' | 'split';
  /**
   * Split roots only: where the kernel half starts, when not at
   * 2^64 - 2^vaBits. loongarch puts it at vm_map_base = -2^cpu_vabits
   * (0xffff800000000000) whatever VA_BITS is; the hardware indexes the
   * tables with the low bits only.
   */
  upperStart?: number;
  /** Bytes of the top-level table (may be smaller than a page on arm64). */
  rootBytes: number;
}

/** One arch + mode, ready to use: geometry plus a codec factory. */
export interface ArchMode extends ModeGeometry {
  /** Names the mode is also known by on the command line (e.g. 'la57' for '5level'). */
  aliases?: readonly string[];
  /** One line for the README table. */
  description: string;
  /** Default RAM base of the usual virtual platform (0 for PC, 0x40000000 arm64 virt, 0x80000000 riscv virt). */
  defaultRamBase: number;
  createCodec(options?: CodecOptions): EntryCodec;
}

export interface CodecOptions {
  /** x86-64: CONFIG_PAGE_TABLE_ISOLATION, under which pgd_bad()/p4d_bad() tolerate NX (default true). */
  pti?: boolean;
  /** loongarch: kernel virtual addresses of invalid_pte_table, invalid_pmd_table, invalid_pud_table. */
  invalidTables?: { pte: number; pmd: number; pud: number };
  /** loongarch: base of the direct-mapped window directory entries are stored in (default 0x9000000000000000). */
  dmwBase?: number;
}
