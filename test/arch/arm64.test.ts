/**
 * arm64 codec tests. Every expected value is written here by hand from a
 * primary source, named next to it:
 * - arch/arm64/include/asm/pgtable-hwdef.h (mainline): ARM64_HW_PGTABLE_LEVELS,
 *   ARM64_HW_PGTABLE_LEVEL_SHIFT, PTRS_PER_*, PTE_* / PMD_* / P*D_TABLE_* bits;
 * - arch/arm64/include/asm/pgtable-prot.h (mainline, with commit c25c4aa3f79a
 *   "Add PTE_DIRTY back to all _PAGE_KERNEL*"): PROT_* and PAGE_* values;
 * - arch/arm64/include/asm/pgtable.h: pte_present(), pmd_leaf(), pud_leaf(),
 *   p4d_bad(), the swap layout; arch/arm64/include/asm/memory.h: MT_*;
 * - Arm ARM D8, VMSAv8-64 descriptor formats (address fields, LPA/LPA2);
 * - the fixture kernel-6.1-arm64-4k-48 (Linux 6.1.192, 4K/48-bit, nokaslr,
 *   kpti=0): raw descriptors read from tables.elf at the physical addresses
 *   given, next to the line the kernel's own ptdump printed for them.
 */
import { describe, expect, it } from 'vitest';
import { ARM64_MODES, Arm64Codec } from '../../src/arch/arm64.js';
import { PagewalkError } from '../../src/errors.js';
import { resolveProt } from '../../src/arch/prot.js';
import {
  LIMIT_NO_KEXEC,
  LIMIT_NO_UEXEC,
  LIMIT_NO_USER,
  LIMIT_NO_WRITE,
  P4D,
  PGD,
  PMD,
  PTE,
  PUD,
  type ArchMode,
  type Depth,
  type Prot,
} from '../../src/arch/types.js';
import { bigIntHi, bigIntLo, wordsToBigInt } from '../../src/arch/words.js';

// ---------------------------------------------------------------- the header's bits (pgtable-hwdef.h, -prot.h)
const PTE_VALID = 1n << 0n;
const PTE_TABLE_BIT = 1n << 1n;
const PTE_TYPE_PAGE = 3n << 0n;
const PMD_TYPE_TABLE = 3n << 0n;
const PMD_TYPE_SECT = 1n << 0n;
const PTE_ATTRINDX = (t: number) => BigInt(t) << 2n;
const PTE_NS = 1n << 5n;
const PTE_USER = 1n << 6n; // AP[1]
const PTE_RDONLY = 1n << 7n; // AP[2]
const PTE_SHARED = 3n << 8n; // SH[1:0], inner shareable
const PTE_AF = 1n << 10n;
const PTE_NG = 1n << 11n;
const PTE_GP = 1n << 50n;
const PTE_DBM = 1n << 51n;
const PTE_WRITE = PTE_DBM; // pgtable-prot.h: "same as DBM (51)"
const PTE_CONT = 1n << 52n;
const PTE_PXN = 1n << 53n;
const PTE_UXN = 1n << 54n;
const PTE_DIRTY = 1n << 55n;
const PTE_SPECIAL = 1n << 56n;
const PTE_UFFD_WP = 1n << 58n;
const PTE_PRESENT_INVALID = PTE_NG; // mainline: "only when !PTE_VALID"
const PTE_PROT_NONE_61 = 1n << 58n; // 6.1: "only when !PTE_VALID"
const PMD_PRESENT_INVALID_61 = 1n << 59n; // 6.1: "only when !PMD_SECT_VALID"
const PMD_SECT_AF = 1n << 10n;
const PMD_SECT_S = 3n << 8n;
const PMD_SECT_PXN = 1n << 53n;
const PMD_SECT_UXN = 1n << 54n;
const PMD_ATTRINDX = PTE_ATTRINDX;
const PMD_TABLE_AF = 1n << 10n;
const PMD_TABLE_PXN = 1n << 59n;
const PMD_TABLE_UXN = 1n << 60n;
const APTABLE0 = 1n << 61n;
const APTABLE1 = 1n << 62n;
// memory.h (mainline and 6.1)
const MT_NORMAL = 0;
const MT_NORMAL_TAGGED = 1;
const MT_NORMAL_NC = 2;
const MT_DEVICE_nGnRE = 4;

// A non-KPTI (arm64_use_ng_mappings false: PTE_MAYBE_NG = 0), non-LPA2
// (PTE_MAYBE_SHARED = PTE_SHARED) kernel, as the fixture's kpti=0 kernel.
const PTE_MAYBE_NG = 0n;
const PTE_MAYBE_SHARED = PTE_SHARED;
const PROT_DEFAULT = PTE_TYPE_PAGE | PTE_MAYBE_NG | PTE_MAYBE_SHARED | PTE_AF;
const PROT_SECT_DEFAULT = PMD_TYPE_SECT | PTE_MAYBE_NG | PMD_SECT_S | PMD_SECT_AF;
const PROT_NORMAL = PROT_DEFAULT | PTE_PXN | PTE_UXN | PTE_WRITE | PTE_ATTRINDX(MT_NORMAL);
const PROT_NORMAL_TAGGED = PROT_DEFAULT | PTE_PXN | PTE_UXN | PTE_WRITE | PTE_ATTRINDX(MT_NORMAL_TAGGED);
const PROT_NORMAL_NC = PROT_DEFAULT | PTE_PXN | PTE_UXN | PTE_WRITE | PTE_ATTRINDX(MT_NORMAL_NC);
const PROT_DEVICE_nGnRE = PROT_DEFAULT | PTE_PXN | PTE_UXN | PTE_WRITE | PTE_ATTRINDX(MT_DEVICE_nGnRE);
const PROT_SECT_NORMAL = PROT_SECT_DEFAULT | PMD_SECT_PXN | PMD_SECT_UXN | PTE_WRITE | PMD_ATTRINDX(MT_NORMAL);
const PROT_SECT_NORMAL_61 = PROT_SECT_DEFAULT | PMD_SECT_PXN | PMD_SECT_UXN | PMD_ATTRINDX(MT_NORMAL); // 6.1: no PTE_WRITE
const PROT_SECT_NORMAL_EXEC = PROT_SECT_DEFAULT | PMD_SECT_UXN | PMD_ATTRINDX(MT_NORMAL);
const _PAGE_DEFAULT = PTE_TYPE_PAGE | PTE_AF | PTE_SHARED | PTE_ATTRINDX(MT_NORMAL);
const PAGE_KERNEL = PROT_NORMAL | PTE_DIRTY;
const PAGE_KERNEL_RO = (PROT_NORMAL & ~PTE_WRITE) | PTE_RDONLY | PTE_DIRTY;
const PAGE_KERNEL_ROX = (PROT_NORMAL & ~(PTE_WRITE | PTE_PXN)) | PTE_RDONLY | PTE_DIRTY;
const PAGE_KERNEL_EXEC = (PROT_NORMAL & ~PTE_PXN) | PTE_DIRTY;
const PAGE_SHARED = _PAGE_DEFAULT | PTE_USER | PTE_RDONLY | PTE_NG | PTE_PXN | PTE_UXN | PTE_WRITE;
const PAGE_SHARED_EXEC = _PAGE_DEFAULT | PTE_USER | PTE_RDONLY | PTE_NG | PTE_PXN | PTE_WRITE;
const PAGE_READONLY = _PAGE_DEFAULT | PTE_USER | PTE_RDONLY | PTE_NG | PTE_PXN | PTE_UXN;
const PAGE_READONLY_EXEC = _PAGE_DEFAULT | PTE_USER | PTE_RDONLY | PTE_NG | PTE_PXN;
const PAGE_EXECONLY = _PAGE_DEFAULT | PTE_RDONLY | PTE_NG | PTE_PXN;
const PAGE_NONE = (_PAGE_DEFAULT & ~PTE_VALID) | PTE_PRESENT_INVALID | PTE_RDONLY | PTE_PXN | PTE_UXN;

const T = true;
const F = false;

function codec(mode: string): Arm64Codec {
  return new Arm64Codec(mode);
}
function modeOf(name: string): ArchMode {
  const m = ARM64_MODES.find((x) => x.mode === name);
  if (!m) throw new Error(`no mode ${name}`);
  return m;
}
/** leafTemplate + encodeLeaf, as a 64-bit value. */
function leafValue(c: Arm64Codec, d: Depth, pa: number, prot: Prot): bigint {
  c.leafTemplate(d, resolveProt(prot));
  c.encodeLeaf(d, pa, c.lo, c.hi);
  return wordsToBigInt(c.lo, c.hi);
}
const lo = (v: bigint) => bigIntLo(v);
const hi = (v: bigint) => bigIntHi(v);
function expectEinval(fn: () => unknown, ...parts: string[]): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(PagewalkError);
  expect((err as PagewalkError).code).toBe('EINVAL');
  for (const p of parts) expect((err as PagewalkError).message).toContain(p);
}

// ---------------------------------------------------------------- geometry

describe('arm64 geometry (pgtable-hwdef.h formulas worked by hand)', () => {
  // levels = (VA_BITS - 4) / (PAGE_SHIFT - 3); shift(level n) = (PAGE_SHIFT - 3) * (4 - n) + 3;
  // PTRS_PER_PGD = 1 << (VA_BITS - PGDIR_SHIFT); folded levels: nop4d (4), nopud (3), nopmd (2).
  const cases: Record<
    string,
    {
      ps: number;
      va: number;
      pa: number;
      tableAt: boolean[];
      realAt: boolean[];
      shift: number[];
      entries: number[];
      ptrs: number[];
      leaves: Depth[];
      rootBytes: number;
    }
  > = {
    // 4K, 39-bit: (39-4)/9 = 3 levels; PGDIR_SHIFT = 9*3+3 = 30; 2^(39-30) = 512
    '4k-39': {
      ps: 12, va: 39, pa: 48,
      tableAt: [T, F, F, T, T], realAt: [F, F, T, T, T],
      shift: [30, 30, 30, 21, 12], entries: [512, 0, 0, 512, 512], ptrs: [512, 1, 1, 512, 512],
      leaves: [PUD, PMD], rootBytes: 4096,
    },
    // 4K, 48-bit: 44/9 = 4 levels; PGDIR_SHIFT 39; 512 entries
    '4k-48': {
      ps: 12, va: 48, pa: 48,
      tableAt: [T, F, T, T, T], realAt: [F, T, T, T, T],
      shift: [39, 39, 30, 21, 12], entries: [512, 0, 512, 512, 512], ptrs: [512, 1, 512, 512, 512],
      leaves: [PUD, PMD], rootBytes: 4096,
    },
    // 4K, 52-bit LPA2: 48/9 = 5 levels; PGDIR_SHIFT = 9*5+3 = 48; 2^(52-48) = 16 entries, 128 bytes
    '4k-52': {
      ps: 12, va: 52, pa: 52,
      tableAt: [T, T, T, T, T], realAt: [T, T, T, T, T],
      shift: [48, 39, 30, 21, 12], entries: [16, 512, 512, 512, 512], ptrs: [16, 512, 512, 512, 512],
      leaves: [PUD, PMD], rootBytes: 128,
    },
    // 16K, 36-bit: 32/11 = 2 levels; PGDIR_SHIFT = 11*2+3 = 25; 2^11 entries
    '16k-36': {
      ps: 14, va: 36, pa: 48,
      tableAt: [T, F, F, F, T], realAt: [F, F, F, T, T],
      shift: [25, 25, 25, 25, 14], entries: [2048, 0, 0, 0, 2048], ptrs: [2048, 1, 1, 1, 2048],
      leaves: [PMD], rootBytes: 16384,
    },
    // 16K, 47-bit: 43/11 = 3 levels; PGDIR_SHIFT 36; 2^11
    '16k-47': {
      ps: 14, va: 47, pa: 48,
      tableAt: [T, F, F, T, T], realAt: [F, F, T, T, T],
      shift: [36, 36, 36, 25, 14], entries: [2048, 0, 0, 2048, 2048], ptrs: [2048, 1, 1, 2048, 2048],
      leaves: [PMD], rootBytes: 16384,
    },
    // 16K, 48-bit: 44/11 = 4 levels; PGDIR_SHIFT 47; 2^(48-47) = 2 entries, 16 bytes
    '16k-48': {
      ps: 14, va: 48, pa: 48,
      tableAt: [T, F, T, T, T], realAt: [F, T, T, T, T],
      shift: [47, 47, 36, 25, 14], entries: [2, 0, 2048, 2048, 2048], ptrs: [2, 1, 2048, 2048, 2048],
      leaves: [PMD], rootBytes: 16,
    },
    // 16K, 52-bit LPA2: 48/11 = 4 levels; PGDIR_SHIFT 47; 2^5 = 32 entries, 256 bytes
    '16k-52': {
      ps: 14, va: 52, pa: 52,
      tableAt: [T, F, T, T, T], realAt: [F, T, T, T, T],
      shift: [47, 47, 36, 25, 14], entries: [32, 0, 2048, 2048, 2048], ptrs: [32, 1, 2048, 2048, 2048],
      leaves: [PMD], rootBytes: 256,
    },
    // 64K, 42-bit: 38/13 = 2 levels; PGDIR_SHIFT = 13*2+3 = 29; 2^13 = 8192 entries, 64K
    '64k-42': {
      ps: 16, va: 42, pa: 48,
      tableAt: [T, F, F, F, T], realAt: [F, F, F, T, T],
      shift: [29, 29, 29, 29, 16], entries: [8192, 0, 0, 0, 8192], ptrs: [8192, 1, 1, 1, 8192],
      leaves: [PMD], rootBytes: 65536,
    },
    // 64K, 48-bit: 44/13 = 3 levels; PGDIR_SHIFT 42; 2^6 = 64 entries, 512 bytes
    '64k-48': {
      ps: 16, va: 48, pa: 48,
      tableAt: [T, F, F, T, T], realAt: [F, F, T, T, T],
      shift: [42, 42, 42, 29, 16], entries: [64, 0, 0, 8192, 8192], ptrs: [64, 1, 1, 8192, 8192],
      leaves: [PMD], rootBytes: 512,
    },
    // 64K, 52-bit: 48/13 = 3 levels; PGDIR_SHIFT 42; 2^10 = 1024 entries, 8K
    '64k-52': {
      ps: 16, va: 52, pa: 52,
      tableAt: [T, F, F, T, T], realAt: [F, F, T, T, T],
      shift: [42, 42, 42, 29, 16], entries: [1024, 0, 0, 8192, 8192], ptrs: [1024, 1, 1, 8192, 8192],
      leaves: [PMD], rootBytes: 8192,
    },
  };

  it('has exactly the ten modes', () => {
    expect(ARM64_MODES.map((m) => m.mode)).toEqual(Object.keys(cases));
  });

  for (const [name, g] of Object.entries(cases)) {
    it(`${name}: levels, folding, shifts, PTRS_PER_*, leaf depths`, () => {
      const m = modeOf(name);
      expect(m.arch).toBe('arm64');
      expect(m.pageShift).toBe(g.ps);
      expect(m.vaBits).toBe(g.va);
      expect(m.physBits).toBe(g.pa);
      expect(m.tableAt).toEqual(g.tableAt);
      expect(m.realAt).toEqual(g.realAt);
      expect(m.shift).toEqual(g.shift);
      expect(m.entries).toEqual(g.entries);
      expect(m.kernelPtrs).toEqual(g.ptrs);
      expect(m.leafDepths).toEqual(g.leaves);
      expect(m.rootBytes).toBe(g.rootBytes);
      expect(m.roots).toBe('split');
      expect(m.defaultRamBase).toBe(0x40000000);
      expect(m.description.length).toBeGreaterThan(20);
      expect(m.createCodec()).toBeInstanceOf(Arm64Codec);
    });
  }

  /** index = floor(va / 2^shift[d]) mod entries[d] (DESIGN / types.ts). */
  const index = (m: ArchMode, va: number, d: Depth) => Math.floor(va / 2 ** m.shift[d]) % m.entries[d];

  it('4k-48 indexes match the slots the fixture kernel used (swapper_pg_dir 0x40472000)', () => {
    const m = modeOf('4k-48');
    // Linear map start 0xffff000000000000: (2^64 - 2^48) / 2^39 = 2^25 - 2^9, mod 512 = 0.
    // Fixture: swapper_pg_dir[0] = 0x180000004fffb003 (the linear map's pud table).
    expect(index(m, 0xffff000000000000, PGD)).toBe(0);
    // Modules/vmalloc 0xffff800000000000: 2^25 - 2^8 mod 512 = 256; fixture slot 256 = 0x100000004ffff003.
    expect(index(m, 0xffff800000000000, PGD)).toBe(256);
    // Kernel text _stext 0xffff800008010000: pgd 256, pud 0, pmd (0x8010000 >> 21) & 511 = 64,
    // pte (0x8010000 >> 12) & 511 = 16; fixture: pte table 0x4fffd000 slot 16 = 0x00d0000040210783.
    expect([PGD, PUD, PMD, PTE].map((d) => index(m, 0xffff800008010000, d as Depth))).toEqual([256, 0, 64, 16]);
    // Fixmap block 0xfffffbfffdc00000: pgd 503, pud 511, pmd 494 (fixture 0x4058df70 = 0x4058d000 + 8*494).
    expect([PGD, PUD, PMD].map((d) => index(m, 0xfffffbfffdc00000, d as Depth))).toEqual([503, 511, 494]);
    // vmemmap 0xfffffc0000200000: pgd 504, pud 0, pmd 1.
    expect([PGD, PUD, PMD].map((d) => index(m, 0xfffffc0000200000, d as Depth))).toEqual([504, 0, 1]);
    // User (TTBR0 0x40c80000) text at 0x400000: pgd 0, pud 0, pmd 2, pte 0.
    expect([PGD, PUD, PMD, PTE].map((d) => index(m, 0x400000, d as Depth))).toEqual([0, 0, 2, 0]);
  });

  it('16k-48 has a 2-entry pgd: bit 47 picks the slot', () => {
    const m = modeOf('16k-48');
    // (2^64 - 2^47) / 2^47 = 2^17 - 1: odd -> slot 1; (2^64 - 2^48) / 2^47 = 2^17 - 2 -> slot 0.
    expect(index(m, 0xffff800000000000, PGD)).toBe(1);
    expect(index(m, 0xffff000000000000, PGD)).toBe(0);
    expect(index(m, 0x00007fffffffc000, PGD)).toBe(0);
    expect(index(m, 0x0000800000000000, PGD)).toBe(1);
    // pud index: (2^64 - 2^46) / 2^36 = 2^28 - 2^10, mod 2048 = 1024.
    expect(index(m, 0xffffc00000000000, PUD)).toBe(1024);
    expect(index(m, 0xffff800000000000, PUD)).toBe(0);
  });

  it('4k-52 has a 16-entry pgd, 64k-48 a 64-entry pgd', () => {
    const m52 = modeOf('4k-52');
    // PAGE_OFFSET for 52 bits, 0xfff0000000000000: (2^64 - 2^52) / 2^48 = 2^16 - 16 -> slot 0.
    expect(index(m52, 0xfff0000000000000, PGD)).toBe(0);
    // 0xffff000000000000: 2^16 - 1 -> slot 15; its p4d index (2^25 - 2^9) mod 512 = 0.
    expect(index(m52, 0xffff000000000000, PGD)).toBe(15);
    expect(index(m52, 0xffff000000000000, P4D)).toBe(0);
    const m64 = modeOf('64k-48');
    expect(index(m64, 0xffff000000000000, PGD)).toBe(0); // (2^22 - 2^6) mod 64
    expect(index(m64, 0xffffffffffff0000, PGD)).toBe(63);
    expect(index(m64, 0xffffffffffff0000, PMD)).toBe(8191);
    expect(index(m64, 0xffffffffffff0000, PTE)).toBe(8191);
  });

  it('rejects unknown modes', () => {
    expectEinval(() => new Arm64Codec('4k-40'), '"4k-40"', '4k-48');
  });
});

// ---------------------------------------------------------------- predicates

describe('arm64 predicates on hand-built entries (pgtable.h)', () => {
  const c = codec('4k-48');
  const at = (fn: 'none' | 'bad' | 'present' | 'leaf', d: Depth, v: bigint) => c[fn](d, lo(v), hi(v));

  it('*_none(): !val', () => {
    expect(at('none', PTE, 0n)).toBe(true);
    expect(at('none', P4D, 0n)).toBe(true);
    expect(at('none', PTE, PTE_TABLE_BIT)).toBe(false);
    expect(at('none', PMD, 1n << 63n)).toBe(false);
  });

  it('p4d_bad() (mainline): (val & P4D_TYPE_MASK) != P4D_TYPE_TABLE', () => {
    expect(at('bad', P4D, 0x100000004ffff003n)).toBe(false); // fixture table
    expect(at('bad', P4D, 0x40000000n | PTE_TABLE_BIT)).toBe(true); // 0b10: 6.1's !(val & 2) said not bad
    expect(at('bad', P4D, 0x40000000n | PMD_TYPE_SECT)).toBe(true); // no level-0 blocks
    expect(at('bad', P4D, PTE_NG)).toBe(true);
    const c5 = codec('4k-52'); // pgd_bad() is real with 5 levels
    expect(c5.bad(PGD, 0x40000003, 0)).toBe(false);
    expect(c5.bad(PGD, 0x40000001, 0)).toBe(true);
  });

  it('pte_present(): valid, or PTE_PRESENT_INVALID (bit 11) with valid clear; 6.1 bit 58 / pmd bit 59', () => {
    expect(at('present', PTE, 0x00e8000040000707n)).toBe(true);
    expect(at('present', PTE, PAGE_NONE | 0x40000000n)).toBe(true);
    // A mainline swap entry: type 1 in bits 6..10, offset 0x1234 in bits 12..61, exclusive bit 2.
    const swp = (1n << 6n) | (0x1234n << 12n) | (1n << 2n);
    expect(at('present', PTE, swp)).toBe(false);
    expect(at('none', PTE, swp)).toBe(false);
    // 6.1's PAGE_NONE-style entry without nG: PTE_PROT_NONE (bit 58), valid clear.
    const protNone61 = ((_PAGE_DEFAULT & ~PTE_VALID) | PTE_PROT_NONE_61 | PTE_RDONLY | PTE_PXN | PTE_UXN) | 0x40000000n;
    expect(at('present', PTE, protNone61)).toBe(true);
    expect(at('present', PMD, protNone61)).toBe(true);
    // 6.1's PMD_PRESENT_INVALID (bit 59) counts only for a pmd.
    const pmdInv61 = 0x00e0000048200780n | PMD_PRESENT_INVALID_61;
    expect(at('present', PMD, pmdInv61)).toBe(true);
    expect(at('present', PTE, pmdInv61)).toBe(false);
    // p4d_present() = !p4d_none(): any non-zero value.
    expect(at('present', P4D, PTE_TABLE_BIT)).toBe(true);
  });

  it('pmd_leaf() = pmd_present() && !pmd_table(): blocks and present-invalid blocks', () => {
    expect(at('leaf', PMD, 0x006000004fa00701n)).toBe(true); // fixture vmemmap 2M block
    expect(at('leaf', PMD, 0x100000004fffd003n)).toBe(false); // fixture table
    // pmd_mkinvalid() of the fixture's 0x00e0000048200781: VALID cleared, PTE_PRESENT_INVALID set.
    const inv = (0x00e0000048200781n & ~PTE_VALID) | PTE_PRESENT_INVALID;
    expect(at('present', PMD, inv)).toBe(true);
    expect(at('leaf', PMD, inv)).toBe(true); // 6.1's pmd_sect() would say false
    // Valid clear, no present-invalid bit: not present, so not a leaf.
    expect(at('leaf', PMD, 0x00e0000048200780n)).toBe(false);
  });

  it('pud_leaf(): 1G blocks with 4K pages; never with 64K (pud_table() is constant true)', () => {
    expect(at('leaf', PUD, 0x0060000040000701n)).toBe(true);
    expect(at('leaf', PUD, 0x100000004fffe003n)).toBe(false);
    const c64 = codec('64k-48');
    const blk = 0x0060000040000701n;
    expect(c64.leaf(PUD, lo(blk), hi(blk))).toBe(false);
    expect(c64.decode(PUD, lo(blk), hi(blk)).kind).toBe('bad'); // pud_bad(): type != table
    const c16 = codec('16k-47'); // 16K, 3 levels: pud_table() reads the type bits
    expect(c16.leaf(PUD, lo(blk), hi(blk))).toBe(true);
  });

  it('leaf at pte = present; no p4d/pgd leaves', () => {
    expect(at('leaf', PTE, 0x0068000009000713n)).toBe(true);
    expect(at('leaf', PTE, 0x1234040n)).toBe(false);
    const c5 = codec('4k-52');
    expect(c5.leaf(P4D, 0x40000001, 0)).toBe(false);
    expect(c5.leaf(PGD, 0x40000001, 0)).toBe(false);
  });
});

// ---------------------------------------------------------------- addresses

describe('arm64 output and table addresses (Arm ARM D8; __pte_to_phys)', () => {
  it('4K/48-bit: OA[47:12] in place, bits 49:48 RES0, blocks masked to their size', () => {
    const c = codec('4k-48');
    const t = 0x100000004ffff003n;
    expect(c.tablePa(P4D, lo(t), hi(t))).toBe(0x4ffff000);
    const top = 0x0000fffffffff003n | PMD_TABLE_UXN; // highest 48-bit table
    expect(c.tablePa(PUD, lo(top), hi(top))).toBe(2 ** 48 - 4096);
    const res0 = 0x0003fffffffff003n; // bits 49:48 set: not address bits without LPA2
    expect(c.tablePa(PUD, lo(res0), hi(res0))).toBe(2 ** 48 - 4096);
    // 2M block with bit 16 (nT) set: output masked to PMD_MASK.
    const blk = 0x006000004fa10701n;
    expect(c.outputPa(PMD, lo(blk), hi(blk))).toBe(0x4fa00000);
    // 1G block above 4 GiB.
    const gig = 0x0060000140000701n;
    expect(c.outputPa(PUD, lo(gig), hi(gig))).toBe(0x140000000);
    // Page near the top of the 48-bit space.
    const pg = 0x00e8ffffffffe707n;
    expect(c.outputPa(PTE, lo(pg), hi(pg))).toBe(2 ** 48 - 8192);
  });

  it('4k-52 (LPA2): OA[49:12] in place, OA[51:50] in bits 9:8', () => {
    const c = codec('4k-52');
    // pa 2^52 - 4096: in place (pa & (2^50 - 1)) = 0x3fffffffff000, bits 9:8 = pa >> 50 = 3.
    const pa = 2 ** 52 - 4096;
    const v = leafValue(c, PTE, pa, { write: true, global: true, attrs: { swDirty: true } });
    // LPA2 PAGE_KERNEL (PROT_NORMAL | PTE_DIRTY): PTE_MAYBE_SHARED = 0, so SH bits are address bits.
    const expected = (PROT_NORMAL & ~PTE_SHARED) | PTE_DIRTY | 0x0003fffffffff000n | 0x300n;
    expect(v).toBe(expected);
    expect(c.outputPa(PTE, lo(v), hi(v))).toBe(pa);
    // A table at 2^51: OA[51:50] = 0b10 -> bit 9.
    c.encodeTable(PMD, 2 ** 51, false);
    expect(wordsToBigInt(c.lo, c.hi)).toBe(PMD_TYPE_TABLE | PMD_TABLE_AF | PMD_TABLE_UXN | 0x200n);
    expect(c.tablePa(PMD, c.lo, c.hi)).toBe(2 ** 51);
    // A 2M block at 2^50 + 2M: OA[51:50] = 1 -> bit 8; bits 20:12 of the descriptor ignored.
    const b = 0x0060000000201501n; // 0x...201 block, bit 8 = OA[50], bit 10 AF, bit 12 junk
    expect(c.outputPa(PMD, lo(b), hi(b))).toBe(2 ** 50 + 0x200000);
  });

  it('16k-52 (LPA2): the same split at a 16K granule', () => {
    const c = codec('16k-52');
    const pa = 2 ** 52 - 16384;
    const v = leafValue(c, PTE, pa, { write: true, global: true });
    // LPA2 PROT_NORMAL: no SH bits (PTE_MAYBE_SHARED = 0).
    expect(v).toBe((PROT_NORMAL & ~PTE_SHARED) | 0x0003ffffffffc000n | 0x300n);
    expect(c.outputPa(PTE, lo(v), hi(v))).toBe(pa);
    // 32M block: bits 24:14 are not address bits.
    const b = 0x0000000002ffc001n | 0x100n;
    expect(c.outputPa(PMD, lo(b), hi(b))).toBe(2 ** 50 + 0x2000000);
  });

  it('64k-52 (FEAT_LPA): OA[47:16] in place, OA[51:48] in bits 15:12', () => {
    const c = codec('64k-52');
    const pa = 2 ** 52 - 65536; // 0xf_ffff_ffff_0000
    c.encodeTable(PMD, pa, true);
    // in place 0xffff_ffff_0000, bits 15:12 = 0xf; user table: PXNTable.
    expect(wordsToBigInt(c.lo, c.hi)).toBe(0x0000fffffffff000n | PMD_TYPE_TABLE | PMD_TABLE_AF | PMD_TABLE_PXN);
    expect(c.tablePa(PMD, c.lo, c.hi)).toBe(pa);
    const v = 0x0000000000010003n | 0xf000n; // table at 0xf_0000_0001_0000
    expect(c.tablePa(PMD, lo(v), hi(v))).toBe(0xf000000010000);
    // 512M block at 2^48 + 512M.
    const b = 0x0060000020001701n;
    expect(c.outputPa(PMD, lo(b), hi(b))).toBe(2 ** 48 + 2 ** 29);
  });

  it('64k-48 (no LPA): bits 15:12 are not address bits', () => {
    const c = codec('64k-48');
    const v = 0x000000004001f003n;
    expect(c.tablePa(PMD, lo(v), hi(v))).toBe(0x40010000);
  });

  it('16k-48: table near the top of 48 bits', () => {
    const c = codec('16k-48');
    c.encodeTable(P4D, 2 ** 48 - 16384, false);
    expect(wordsToBigInt(c.lo, c.hi)).toBe(0x0000ffffffffc000n | PMD_TYPE_TABLE | PMD_TABLE_AF | PMD_TABLE_UXN);
    expect(c.tablePa(P4D, c.lo, c.hi)).toBe(2 ** 48 - 16384);
  });
});

// ---------------------------------------------------------------- kernel values

describe('arm64 leafTemplate + encodeLeaf reproduce pgtable-prot.h', () => {
  const c = codec('4k-48');
  const pa = 0x40200000;
  const PA = BigInt(pa);
  const kern = { global: true, accessed: true }; // non-KPTI kernel: PTE_MAYBE_NG = 0

  it('the header values, worked by hand', () => {
    // PROT_DEFAULT = 0x703 (VALID|PAGE, SH = 0b11, AF); PXN 2^53, UXN 2^54, WRITE 2^51 -> 0x0068...
    expect(PROT_NORMAL).toBe(0x0068000000000703n);
    expect(PAGE_KERNEL).toBe(0x00e8000000000703n);
    expect(PAGE_KERNEL_RO).toBe(0x00e0000000000783n);
    expect(PAGE_KERNEL_ROX).toBe(0x00c0000000000783n);
    expect(PROT_SECT_NORMAL).toBe(0x0068000000000701n);
    expect(PROT_SECT_NORMAL_EXEC).toBe(0x0040000000000701n);
    expect(PROT_DEVICE_nGnRE).toBe(0x0068000000000713n);
    expect(PAGE_NONE).toBe(0x0060000000000f82n);
    expect(PAGE_SHARED).toBe(0x0068000000000fc3n);
  });

  it('PROT_NORMAL and PAGE_KERNEL (= PROT_NORMAL | PTE_DIRTY)', () => {
    expect(leafValue(c, PTE, pa, { ...kern, write: true, dirty: true })).toBe(PROT_NORMAL | PA);
    expect(leafValue(c, PTE, pa, { ...kern, write: true, dirty: true, attrs: { swDirty: true } })).toBe(
      PAGE_KERNEL | PA,
    );
  });

  it('PAGE_KERNEL_RO, the older PROT_NORMAL-style RO, PAGE_KERNEL_ROX, PAGE_KERNEL_EXEC', () => {
    expect(leafValue(c, PTE, pa, { ...kern, write: false, dirty: true })).toBe(PAGE_KERNEL_RO | PA);
    expect(leafValue(c, PTE, pa, { ...kern, write: false, dirty: false })).toBe(
      ((PROT_NORMAL & ~PTE_WRITE) | PTE_RDONLY) | PA,
    );
    expect(leafValue(c, PTE, pa, { ...kern, write: false, exec: true, dirty: true })).toBe(PAGE_KERNEL_ROX | PA);
    expect(leafValue(c, PTE, pa, { ...kern, write: true, exec: true, dirty: true, attrs: { swDirty: true } })).toBe(
      PAGE_KERNEL_EXEC | PA,
    );
    expect(
      leafValue(c, PTE, pa, { ...kern, write: false, exec: true, dirty: true, attrs: { contiguous: true } }),
    ).toBe(PAGE_KERNEL_ROX | PTE_CONT | PA);
  });

  it('PROT_SECT_NORMAL (mainline and 6.1) and PROT_SECT_NORMAL_EXEC at the pmd and pud', () => {
    expect(leafValue(c, PMD, pa, { ...kern, write: true, dirty: true })).toBe(PROT_SECT_NORMAL | PA);
    expect(leafValue(c, PMD, pa, { ...kern, write: true, dirty: false })).toBe(PROT_SECT_NORMAL_61 | PA);
    expect(leafValue(c, PMD, pa, { ...kern, write: true, exec: true, dirty: false })).toBe(PROT_SECT_NORMAL_EXEC | PA);
    expect(leafValue(c, PUD, 0x140000000, { ...kern, write: true, dirty: true })).toBe(
      PROT_SECT_NORMAL | 0x140000000n,
    );
  });

  it('PROT_DEVICE_nGnRE, PROT_NORMAL_TAGGED, PROT_NORMAL_NC; KPTI nG', () => {
    const rw = { ...kern, write: true, dirty: true };
    expect(leafValue(c, PTE, 0x9000000, { ...rw, attrs: { memType: 'MT_DEVICE_nGnRE' } })).toBe(
      PROT_DEVICE_nGnRE | 0x9000000n,
    );
    expect(leafValue(c, PTE, pa, { ...rw, attrs: { attrIndx: MT_NORMAL_TAGGED } })).toBe(PROT_NORMAL_TAGGED | PA);
    expect(leafValue(c, PTE, pa, { ...rw, attrs: { memType: 'MT_NORMAL_NC', attrIndx: 2 } })).toBe(PROT_NORMAL_NC | PA);
    // With KPTI, PTE_MAYBE_NG = PTE_NG.
    expect(leafValue(c, PTE, pa, { ...rw, global: false })).toBe(PROT_NORMAL | PTE_NG | PA);
  });

  it('user protections: PAGE_SHARED(_EXEC), PAGE_READONLY(_EXEC), PAGE_EXECONLY, PAGE_NONE', () => {
    const u = { user: true, global: false, accessed: true, dirty: false };
    expect(leafValue(c, PTE, pa, { ...u, write: false, attrs: { dbm: true } })).toBe(PAGE_SHARED | PA);
    expect(leafValue(c, PTE, pa, { ...u, write: false, exec: true, attrs: { dbm: true } })).toBe(
      PAGE_SHARED_EXEC | PA,
    );
    expect(leafValue(c, PTE, pa, { ...u, write: false })).toBe(PAGE_READONLY | PA);
    expect(leafValue(c, PTE, pa, { ...u, write: false, exec: true })).toBe(PAGE_READONLY_EXEC | PA);
    // Execute-only: no PTE_USER, UXN clear (the kernel sees a read-only, PXN page).
    expect(leafValue(c, PTE, pa, { ...u, user: false, write: false, attrs: { uxn: false } })).toBe(
      PAGE_EXECONLY | PA,
    );
    expect(
      leafValue(c, PTE, pa, { read: false, write: false, exec: false, global: false, accessed: true, dirty: false }),
    ).toBe(PAGE_NONE | PA);
    // pmd_modify(PAGE_NONE) of a block: type bits 0b00.
    expect(
      leafValue(c, PMD, pa, { read: false, write: false, exec: false, global: false, accessed: true, dirty: false }),
    ).toBe((PAGE_NONE & ~PTE_TABLE_BIT) | PA);
  });

  it('table descriptors as mainline pgalloc.h / mmu.c write them', () => {
    // pmd_populate_kernel(): PMD_TYPE_TABLE | PMD_TABLE_AF | PMD_TABLE_UXN; pmd_populate(): ... | PMD_TABLE_PXN.
    c.encodeTable(PMD, 0x4fffd000, false);
    expect(wordsToBigInt(c.lo, c.hi)).toBe(PMD_TYPE_TABLE | PMD_TABLE_AF | PMD_TABLE_UXN | 0x4fffd000n);
    c.encodeTable(P4D, 0x40c81000, true);
    expect(wordsToBigInt(c.lo, c.hi)).toBe(PMD_TYPE_TABLE | PMD_TABLE_AF | PMD_TABLE_PXN | 0x40c81000n);
    c.encodeNone(PTE);
    expect([c.lo, c.hi]).toEqual([0, 0]);
  });
});

// ---------------------------------------------------------------- real entries

describe('arm64 decode of the fixture kernel (Linux 6.1.192, 4k-48) against its ptdump', () => {
  const c = codec('4k-48');
  /**
   * [depth, raw (read from tables.elf at the given physical address), the
   * kernel's ptdump line for the range that entry starts].
   */
  const entries: [Depth, bigint, number, string][] = [
    [PTE, 0x00e8000040000707n, 0x4fff9000, '0xffff000000000000-0xffff000000210000        2112K PTE       RW NX SHD AF            UXN    MEM/NORMAL-TAGGED'],
    [PTE, 0x00e0000040210783n, 0x4fff8080, '0xffff000000210000-0xffff000000480000        2496K PTE       ro NX SHD AF            UXN    MEM/NORMAL'],
    [PTE, 0x00e8000040804703n, 0x4fffd000, '0xffff800008000000-0xffff800008004000          16K PTE       RW NX SHD AF            UXN    MEM/NORMAL'],
    [PTE, 0x00d0000040210783n, 0x4fffd080, '0xffff800008010000-0xffff8000081d0000        1792K PTE       ro x  SHD AF    CON     UXN    MEM/NORMAL'],
    [PTE, 0x0068000009000713n, 0x4fffcf28, '0xffff8000083e5000-0xffff8000083e6000           4K PTE       RW NX SHD AF            UXN    DEVICE/nGnRE'],
    [PTE, 0x00e800004090070bn, 0x408083e8, '0xffff80000847d000-0xffff80000849d000         128K PTE       RW NX SHD AF            UXN    MEM/NORMAL-NC'],
    [PTE, 0x00c000004046d783n, 0x4058efd0, '0xfffffbfffdbfa000-0xfffffbfffdbfb000           4K PTE       ro x  SHD AF            UXN    MEM/NORMAL'],
    [PMD, 0x00e0000048200781n, 0x4058df70, '0xfffffbfffdc00000-0xfffffbfffde00000           2M PMD       ro NX SHD AF        BLK UXN    MEM/NORMAL'],
    [PMD, 0x006000004fa00701n, 0x4ff59000, '0xfffffc0000000000-0xfffffc0000400000           4M PMD       RW NX SHD AF        BLK UXN    MEM/NORMAL'],
  ];
  const MEM: Record<string, string> = {
    'MEM/NORMAL': 'MT_NORMAL',
    'MEM/NORMAL-TAGGED': 'MT_NORMAL_TAGGED',
    'MEM/NORMAL-NC': 'MT_NORMAL_NC',
    'DEVICE/nGnRE': 'MT_DEVICE_nGnRE',
  };

  for (const [d, raw, where, line] of entries) {
    it(`${line.slice(0, 18)} ${d === PMD ? 'PMD' : 'PTE'} ${raw.toString(16)} (at ${where.toString(16)})`, () => {
      const e = c.decode(d, lo(raw), hi(raw));
      const start = BigInt(line.slice(0, 18));
      const tokens = line.slice(60).trim().split(/\s+/);
      expect(e.kind).toBe('leaf');
      expect(e.present).toBe(true);
      expect(e.raw).toBe(raw);
      // ptdump columns (arch/arm64/mm/ptdump.c pte_bits[]): ro/RW = PTE_RDONLY, NX/x = PTE_PXN,
      // SHD = PTE_SHARED, AF, NG, CON = PTE_CONT, BLK = PTE_TABLE_BIT clear, UXN, memory type.
      expect(e.perms.write).toBe(tokens.includes('RW'));
      expect(e.attrs.pxn).toBe(tokens.includes('NX'));
      expect(e.perms.exec).toBe(tokens.includes('x'));
      expect(e.attrs.sh).toBe(tokens.includes('SHD') ? 'inner' : 'non-shareable');
      expect(e.perms.accessed).toBe(tokens.includes('AF'));
      expect(e.perms.global).toBe(!tokens.includes('NG'));
      expect(e.perms.user).toBe(tokens.includes('USR'));
      expect(e.attrs.contiguous).toBe(tokens.includes('CON'));
      expect(e.flags.includes('BLOCK')).toBe(tokens.includes('BLK'));
      expect(e.attrs.uxn).toBe(tokens.includes('UXN'));
      expect(e.attrs.memType).toBe(MEM[tokens[tokens.length - 1]]);
      expect(e.perms.read).toBe(true);
      // The 6.1.192 kernel carries the PAGE_KERNEL* | PTE_DIRTY backport; device/vmemmap use PROT_*.
      expect(e.attrs.swDirty).toBe((raw & PTE_DIRTY) !== 0n);
      // Linear map: phys = va - PAGE_OFFSET + memstart (0x40000000); kernel image: va - kimage_voffset.
      if (start >= 0xffff000000000000n && start < 0xffff800000000000n) {
        expect(BigInt(e.phys!)).toBe(start - 0xffff000000000000n + 0x40000000n);
      }
      if (start === 0xffff800008010000n) expect(e.phys).toBe(0x40210000); // _stext - 0xffff7fffc7e00000
      expect(e.pfn).toBe(e.phys! / 4096);
      // The kernel's value reproduces from its decoded protection.
      c.leafTemplate(d, c.leafProt(d, lo(raw), hi(raw)));
      c.encodeLeaf(d, e.phys!, c.lo, c.hi);
      expect(wordsToBigInt(c.lo, c.hi)).toBe(raw);
    });
  }

  it('exact flags and attrs of the linear map pte 0x00e8000040000707', () => {
    const e = c.decode(PTE, 0x40000707, 0x00e80000);
    expect(e.flags).toEqual(['VALID', 'PAGE', 'AttrIndx[0]', 'SH[0]', 'SH[1]', 'AF', 'DBM', 'PXN', 'UXN', 'DIRTY']);
    expect(e.perms).toEqual({ read: T, write: T, exec: F, user: F, global: T, accessed: T, dirty: T });
    expect(e.attrs).toMatchObject({ attrIndx: 1, memType: 'MT_NORMAL_TAGGED', dbm: T, swDirty: T, pxn: T, uxn: T });
    expect(e.phys).toBe(0x40000000);
    expect(e.level).toBe('pte');
  });

  it('the fixmap 2M block 0x00e0000048200781: BLOCK, read-only, PAGE_KERNEL_RO', () => {
    const raw = 0x00e0000048200781n;
    const e = c.decode(PMD, lo(raw), hi(raw));
    expect(e.flags).toEqual(['VALID', 'BLOCK', 'AP[2]', 'SH[0]', 'SH[1]', 'AF', 'PXN', 'UXN', 'DIRTY']);
    expect(e.phys).toBe(0x48200000);
    expect(raw).toBe(((PAGE_KERNEL_RO & ~PTE_TABLE_BIT) | 0x48200000n));
  });

  it('table entries: kernel (UXNTable, +PXNTable for the linear map) and user (PXNTable)', () => {
    const linear = 0x180000004fffb003n; // swapper_pg_dir[0] at 0x40472000
    let e = c.decode(P4D, lo(linear), hi(linear));
    expect(e.kind).toBe('table');
    expect(e.phys).toBe(0x4fffb000);
    expect(e.flags).toEqual(['VALID', 'TABLE', 'PXNTable', 'UXNTable']);
    expect(c.tableLimits(P4D, lo(linear), hi(linear))).toBe(LIMIT_NO_KEXEC | LIMIT_NO_UEXEC);
    const kimg = 0x4058c003n; // swapper_pg_dir[503] (fixmap, built at boot without XN)
    expect(c.tableLimits(P4D, lo(kimg), hi(kimg))).toBe(0);
    e = c.decode(P4D, lo(kimg), hi(kimg));
    expect(e.perms).toEqual({ read: T, write: T, exec: T, user: T, global: T, accessed: F, dirty: F });
    const user = 0x0800000040c81003n; // TTBR0 0x40c80000 slot 0: 6.1 pgd_populate(): TABLE | PXN
    expect(c.tableLimits(P4D, lo(user), hi(user))).toBe(LIMIT_NO_KEXEC);
    expect(c.decode(PMD, lo(user), hi(user)).kind).toBe('table');
    expect(c.tableLimits(PMD, 0, Number(APTABLE0 >> 32n) | Number(APTABLE1 >> 32n))).toBe(
      LIMIT_NO_USER | LIMIT_NO_WRITE,
    );
  });

  it('user ptes of the fixture process (TTBR0 0x40c80000)', () => {
    // 0x400000: PAGE_READONLY_EXEC (text).
    let raw = 0x00200000409adfc3n;
    expect(raw).toBe(PAGE_READONLY_EXEC | 0x409ad000n);
    let e = c.decode(PTE, lo(raw), hi(raw));
    expect(e.perms).toEqual({ read: T, write: F, exec: T, user: T, global: F, accessed: T, dirty: F });
    // 0x4ad000: PAGE_READONLY, access flag clear (old).
    raw = 0x0060000040ae3bc3n;
    e = c.decode(PTE, lo(raw), hi(raw));
    expect(e.perms).toEqual({ read: T, write: F, exec: F, user: T, global: F, accessed: F, dirty: F });
    // 0x4b0000: writable and dirty: PTE_WRITE (DBM) with PTE_RDONLY clear, plus PTE_DIRTY.
    raw = 0x00e80000404dbf43n;
    e = c.decode(PTE, lo(raw), hi(raw));
    expect(e.perms).toEqual({ read: T, write: T, exec: F, user: T, global: F, accessed: T, dirty: T });
    expect(e.flags).toEqual(['VALID', 'PAGE', 'AP[1]', 'SH[0]', 'SH[1]', 'AF', 'nG', 'DBM', 'PXN', 'UXN', 'DIRTY']);
  });
});

// ---------------------------------------------------------------- decode of other kinds

describe('arm64 decode of none, swap, present-invalid and bad entries', () => {
  const c = codec('4k-48');

  it('none', () => {
    const e = c.decode(PMD, 0, 0);
    expect(e.kind).toBe('none');
    expect(e.phys).toBeNull();
    expect(e.flags).toEqual([]);
  });

  it('a swap entry (mainline layout): type, offset, exclusive', () => {
    const raw = (3n << 6n) | (0xabcdef12345n << 12n) | (1n << 2n);
    const e = c.decode(PTE, lo(raw), hi(raw));
    expect(e.kind).toBe('not-present');
    expect(e.present).toBe(false);
    expect(e.attrs).toEqual({ swapType: 3, swapOffset: 0xabcdef12345, swpExclusive: T, swpUffdWp: F });
    expect(e.flags).toEqual(['SWP_EXCLUSIVE']);
  });

  it('PAGE_NONE: present, a leaf with no access, flags name PRESENT_INVALID', () => {
    const raw = PAGE_NONE | 0x40123000n;
    const e = c.decode(PTE, lo(raw), hi(raw));
    expect(e.kind).toBe('leaf');
    expect(e.present).toBe(true);
    expect(e.phys).toBe(0x40123000);
    expect(e.perms).toEqual({ read: F, write: F, exec: F, user: F, global: F, accessed: T, dirty: F });
    expect(e.attrs).toMatchObject({ presentInvalid: T, rdonly: T, pxn: T, uxn: T });
    expect(e.flags).toEqual(['PAGE', 'AP[2]', 'SH[0]', 'SH[1]', 'AF', 'PRESENT_INVALID', 'PXN', 'UXN']);
  });

  it('6.1 PAGE_NONE (PTE_PROT_NONE | PTE_NG) and 6.1 PMD_PRESENT_INVALID round-trip', () => {
    const pn61 = ((_PAGE_DEFAULT & ~PTE_VALID) | PTE_PROT_NONE_61 | PTE_RDONLY | PTE_NG | PTE_PXN | PTE_UXN) | 0x40000000n;
    const pmd61 = (0x00e8000048200f41n & ~PTE_VALID) | PMD_PRESENT_INVALID_61; // user THP, pmd_mkinvalid() in 6.1
    const loneProtNone = pn61 & ~PTE_NG; // bit 58 alone: named PROT_NONE
    for (const [d, raw] of [
      [PTE, pn61],
      [PMD, pmd61],
      [PTE, loneProtNone],
    ] as [Depth, bigint][]) {
      const e = c.decode(d, lo(raw), hi(raw));
      expect(e.kind).toBe('leaf');
      c.leafTemplate(d, c.leafProt(d, lo(raw), hi(raw)));
      c.encodeLeaf(d, e.phys!, c.lo, c.hi);
      expect(wordsToBigInt(c.lo, c.hi)).toBe(raw);
    }
    expect(c.decode(PTE, lo(loneProtNone), hi(loneProtNone)).flags).toContain('PROT_NONE');
    expect(c.decode(PMD, lo(pmd61), hi(pmd61)).flags).toContain('PMD_PRESENT_INVALID');
  });

  it('bad directory entries', () => {
    expect(c.decode(P4D, 0x40000001, 0).kind).toBe('bad');
    expect(c.decode(P4D, 0x40000002, 0).kind).toBe('bad');
    expect(c.decode(P4D, 0x40000002, 0).flags).toEqual(['TABLE']);
  });
});

// ---------------------------------------------------------------- round trips

describe('arm64 round trips: leafTemplate(leafProt(e)) gives back e', () => {
  const attrSets: Record<string, unknown>[] = [
    {},
    { memType: 'MT_DEVICE_nGnRE' },
    { attrIndx: 7, ns: true, gp: true, contiguous: true },
    { dbm: true },
    { swDirty: true },
    { special: true, uffdWp: true, devmap: true },
    { pxn: false },
    { uxn: false },
    { sh: 'outer' },
    { sh: 'non-shareable', memType: 'MT_NORMAL_TAGGED' },
    { presentInvalid: true },
    { protNone: true },
    { pmdPresentInvalid: true },
    { rdonly: false },
  ];

  for (const m of ARM64_MODES) {
    it(`${m.mode}: every accepted combination of perms and attrs`, () => {
      const c = m.createCodec() as Arm64Codec;
      let accepted = 0;
      let rejected = 0;
      for (const d of [PTE, ...m.leafDepths] as Depth[]) {
        const pa = 2 ** m.physBits - 2 ** (d === PTE ? m.pageShift : m.shift[d]); // highest aligned address
        for (let bits = 0; bits < 128; bits++) {
          for (const attrs of attrSets) {
            const prot = {
              read: (bits & 1) !== 0,
              write: (bits & 2) !== 0,
              exec: (bits & 4) !== 0,
              user: (bits & 8) !== 0,
              global: (bits & 16) !== 0,
              accessed: (bits & 32) !== 0,
              dirty: (bits & 64) !== 0,
              attrs: attrs as Record<string, boolean | number | string>,
            };
            try {
              c.leafTemplate(d, prot);
            } catch (err) {
              expect((err as PagewalkError).code).toBe('EINVAL');
              rejected++;
              continue;
            }
            accepted++;
            const tLo = c.lo;
            const tHi = c.hi;
            c.encodeLeaf(d, pa, tLo, tHi);
            const eLo = c.lo;
            const eHi = c.hi;
            expect(c.present(d, eLo, eHi)).toBe(true);
            expect(c.leaf(d, eLo, eHi)).toBe(true);
            expect(c.outputPa(d, eLo, eHi)).toBe(pa);
            const back = c.leafProt(d, eLo, eHi);
            const { attrs: _a, ...perms } = prot;
            const { attrs: _b, ...backPerms } = back;
            expect(backPerms).toEqual(perms);
            c.leafTemplate(d, back);
            expect([c.lo, c.hi]).toEqual([tLo, tHi]);
            const e = c.decode(d, eLo, eHi);
            expect(e.kind).toBe('leaf');
            expect(e.phys).toBe(pa);
          }
        }
      }
      expect(accepted).toBeGreaterThan(600);
      expect(rejected).toBeGreaterThan(0);
    });
  }
});

// ---------------------------------------------------------------- validation

describe('arm64 validation (EINVAL naming the value)', () => {
  const c = codec('4k-48');
  const base = { read: true, write: false, exec: false, user: false, global: true, accessed: true, dirty: false };
  const tmpl = (d: Depth, p: Partial<typeof base> & { attrs?: Record<string, unknown> }, mode = c) =>
    mode.leafTemplate(d, { ...base, ...p, attrs: (p.attrs ?? {}) as Record<string, string> });

  it('write without read, exec without read', () => {
    expectEinval(() => tmpl(PTE, { read: false, write: true }), 'write without read');
    expectEinval(() => tmpl(PTE, { read: false, exec: true }), 'exec: true');
  });

  it('unknown or mistyped attrs', () => {
    expectEinval(() => tmpl(PTE, { attrs: { cache: 'wb' } }), '"cache"', 'attrIndx', 'memType');
    expectEinval(() => tmpl(PTE, { attrs: { memType: 'MT_WEIRD' } }), '"MT_WEIRD"', 'MT_NORMAL');
    expectEinval(() => tmpl(PTE, { attrs: { attrIndx: 8 } }), '8', '0..7');
    expectEinval(() => tmpl(PTE, { attrs: { attrIndx: 1, memType: 'MT_NORMAL' } }), 'MT_NORMAL', 'AttrIndx 0');
    expectEinval(() => tmpl(PTE, { attrs: { ns: 'yes' } }), 'attrs.ns', '"yes"');
    expectEinval(() => tmpl(PTE, { attrs: { sh: 1 } }), 'reserved', '1');
    expectEinval(() => tmpl(PTE, { attrs: { sh: 'inner' } }, codec('4k-52')), 'LPA2', '"inner"');
  });

  it('leaves where Linux makes none', () => {
    expectEinval(() => tmpl(P4D, {}), 'p4d', 'pud, pmd, pte');
    expectEinval(() => tmpl(PUD, {}, codec('16k-48')), 'pud', 'pud_sect_supported');
    expectEinval(() => tmpl(PUD, {}, codec('64k-52')), 'pud');
  });

  it('contradictions', () => {
    expectEinval(() => tmpl(PTE, { read: false, global: true }), 'global: true', 'bit 11');
    expectEinval(() => tmpl(PTE, { write: true, dirty: false, attrs: { dbm: true } }), 'hardware-dirty');
    expectEinval(() => tmpl(PTE, { dirty: false, attrs: { swDirty: true } }), 'swDirty');
    expectEinval(() => tmpl(PTE, { write: true, dirty: true, attrs: { dbm: false, swDirty: false } }), 'dirty: true');
    expectEinval(() => tmpl(PTE, { exec: true, attrs: { pxn: true } }), 'attrs.pxn true', 'exec: true');
    expectEinval(() => tmpl(PTE, { user: true, attrs: { uxn: false } }), 'attrs.uxn false');
    expectEinval(() => tmpl(PTE, { read: true, attrs: { presentInvalid: true } }), 'no access');
    expectEinval(() => tmpl(PTE, { attrs: { rdonly: false } }), 'rdonly', 'write: false');
    expectEinval(() => tmpl(PTE, { read: false, attrs: { pmdPresentInvalid: true } }), 'pmd level', 'pte');
    expectEinval(() => tmpl(PTE, { read: false, global: false, attrs: { protNone: true, uffdWp: true } }), 'bit 58');
  });

  it('addresses: range and alignment', () => {
    c.leafTemplate(PTE, resolveProt({ global: true }));
    expectEinval(() => c.encodeLeaf(PTE, 2 ** 48, c.lo, c.hi), '0x1000000000000', '48-bit');
    expectEinval(() => c.encodeLeaf(PMD, 0x40001000, c.lo, c.hi), '0x40001000', '0x200000');
    expectEinval(() => c.encodeTable(PMD, 0x40000800, false), '0x40000800');
    expectEinval(() => codec('4k-52').encodeTable(PMD, 2 ** 52, false), '52-bit');
  });
});
