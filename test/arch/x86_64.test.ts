/**
 * x86-64 codec tests. Every expected value is written by hand from a primary
 * source, named next to it:
 *   [types]  arch/x86/include/asm/pgtable_types.h (mainline): _PAGE_BIT_*,
 *            _KERNPG_TABLE, _PAGE_TABLE, __PAGE_KERNEL*, PAGE_SHARED...
 *   [pgt]    arch/x86/include/asm/pgtable.h (mainline): *_none/_bad/_present/_leaf, *_pfn
 *   [inv]    arch/x86/include/asm/pgtable-invert.h: protnone_mask()
 *   [64t]    arch/x86/include/asm/pgtable_64_types.h, arch/x86/kernel/head64.c
 *   [SDM]    Intel SDM vol. 3A, 4.5 (4-level and 5-level paging)
 *   [tlb]    test/fixtures/x86-64-4level/qemu-info-tlb.txt.gz (QEMU's reading
 *            of a Debian 6.1 kernel's tables; flags XGPDACTUW) and, where noted, the
 *            raw 64-bit value of the same entry in that fixture's tables.elf.
 * Bit values used throughout: P 0x1, RW 0x2, US 0x4, PWT 0x8, PCD 0x10, A 0x20,
 * D 0x40, PSE/PAT 0x80, G/PROTNONE 0x100, SOFTW1 0x200, SOFTW2 0x400,
 * SOFTW3 0x800, PAT_LARGE 0x1000, SOFTW4 bit 57, SOFTW5 bit 58, PKEY 59..62,
 * NX bit 63 [types].
 */
import { describe, expect, it } from 'vitest';
import { X86_64Codec, X86_64_MODES } from '../../src/arch/x86_64.js';
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
} from '../../src/arch/types.js';
import type { ArchMode, Depth, EntryCodec, FullProt } from '../../src/arch/types.js';
import { bigIntHi, bigIntLo, wordsToBigInt } from '../../src/arch/words.js';
import { PagewalkError } from '../../src/errors.js';

const M4 = X86_64_MODES.find((m) => m.mode === '4level') as ArchMode;
const M5 = X86_64_MODES.find((m) => m.mode === '5level') as ArchMode;
const c4 = M4.createCodec();
const c5 = M5.createCodec();
const c4nopti = M4.createCodec({ pti: false });
const c5nopti = M5.createCodec({ pti: false });

const lo = (v: bigint) => bigIntLo(v);
const hi = (v: bigint) => bigIntHi(v);
const none = (c: EntryCodec, d: Depth, v: bigint) => c.none(d, lo(v), hi(v));
const bad = (c: EntryCodec, d: Depth, v: bigint) => c.bad(d, lo(v), hi(v));
const present = (c: EntryCodec, d: Depth, v: bigint) => c.present(d, lo(v), hi(v));
const leaf = (c: EntryCodec, d: Depth, v: bigint) => c.leaf(d, lo(v), hi(v));
const tablePa = (c: EntryCodec, d: Depth, v: bigint) => c.tablePa(d, lo(v), hi(v));
const outputPa = (c: EntryCodec, d: Depth, v: bigint) => c.outputPa(d, lo(v), hi(v));
const decode = (c: EntryCodec, d: Depth, v: bigint) => c.decode(d, lo(v), hi(v));

function prot(p: Partial<FullProt>): FullProt {
  return {
    read: true,
    write: false,
    exec: false,
    user: false,
    global: false,
    accessed: false,
    dirty: false,
    attrs: {},
    ...p,
  };
}

/** leafTemplate + encodeLeaf as a bigint. */
function leafValue(c: EntryCodec, d: Depth, pa: number, p: FullProt): bigint {
  c.leafTemplate(d, p);
  c.encodeLeaf(d, pa, c.lo, c.hi);
  return wordsToBigInt(c.lo, c.hi);
}

function expectEinval(fn: () => unknown, ...parts: string[]): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(PagewalkError);
  expect((err as PagewalkError).code).toBe('EINVAL');
  for (const part of parts) expect((err as PagewalkError).message).toContain(part);
}

// Protections named after the kernel's macros [types, mainline]:
const PAGE_KERNEL = prot({ write: true, global: true, accessed: true, dirty: true }); // P|RW|A|NX|D|G
const PAGE_KERNEL_RO = prot({ global: true, accessed: true }); // P|A|NX|G (no D since v6.6)
const PAGE_KERNEL_RO_61 = prot({ global: true, accessed: true, dirty: true }); // 6.1: P|A|NX|D|G
const PAGE_KERNEL_EXEC = prot({ write: true, exec: true, global: true, accessed: true, dirty: true });
const PAGE_KERNEL_ROX = prot({ exec: true, global: true, accessed: true }); // P|A|G

// ------------------------------------------------------------------ geometry

describe('x86-64 geometry', () => {
  it('exports exactly the two modes, in order 4level then 5level', () => {
    expect(X86_64_MODES.map((m) => m.mode)).toEqual(['4level', '5level']);
    for (const m of X86_64_MODES) {
      expect(m.arch).toBe('x86-64');
      expect(m.pageShift).toBe(12);
      expect(m.physBits).toBe(52); // __PHYSICAL_MASK_SHIFT 52, MAX_POSSIBLE_PHYSMEM_BITS 52 [64t]
      expect(m.roots).toBe('shared'); // one CR3 translates both canonical halves [SDM 4.5]
      expect(m.rootBytes).toBe(4096); // PTRS_PER_PGD 512 * 8
      expect(m.defaultRamBase).toBe(0);
      expect(m.leafDepths).toEqual([PUD, PMD]); // 1G (PDPTE.PS) and 2M (PDE.PS) [SDM 4.5]
      expect(typeof m.description).toBe('string');
    }
  });

  it('4level: p4d folded at run time into the pgd (ptrs_per_p4d = 1, head64.c) [64t]', () => {
    expect(M4.aliases).toEqual(['4-level', 'la48']);
    expect(M4.vaBits).toBe(48);
    expect(M4.tableAt).toEqual([true, false, true, true, true]);
    expect(M4.realAt).toEqual([false, true, true, true, true]);
    // PGDIR_SHIFT 39 (pgdir_shift), P4D_SHIFT 39, PUD_SHIFT 30, PMD_SHIFT 21, PAGE_SHIFT 12
    expect(M4.shift).toEqual([39, 39, 30, 21, 12]);
    expect(M4.entries).toEqual([512, 0, 512, 512, 512]);
    expect(M4.kernelPtrs).toEqual([512, 1, 512, 512, 512]);
  });

  it('5level: all five levels real, PGDIR_SHIFT 48, ptrs_per_p4d 512 [64t]', () => {
    expect(M5.aliases).toEqual(['5-level', 'la57']);
    expect(M5.vaBits).toBe(57);
    expect(M5.tableAt).toEqual([true, true, true, true, true]);
    expect(M5.realAt).toEqual([true, true, true, true, true]);
    expect(M5.shift).toEqual([48, 39, 30, 21, 12]);
    expect(M5.entries).toEqual([512, 512, 512, 512, 512]);
    expect(M5.kernelPtrs).toEqual([512, 512, 512, 512, 512]);
  });

  it('createCodec returns the class, and validates options.pti', () => {
    expect(c4).toBeInstanceOf(X86_64Codec);
    expect(c5).toBeInstanceOf(X86_64Codec);
    expectEinval(() => M4.createCodec({ pti: 'no' as unknown as boolean }), 'pti', 'no');
  });

  // index(va, d) = floor(va / 2^shift[d]) mod entries[d], the contract's formula.
  const index = (m: ArchMode, va: number, d: Depth) => Math.floor(va / 2 ** m.shift[d]) % m.entries[d];
  const indices = (m: ArchMode, va: number) =>
    ([PGD, P4D, PUD, PMD, PTE] as Depth[]).filter((d) => m.tableAt[d]).map((d) => index(m, va, d));

  it('4level indices computed by hand (pgd, pud, pmd, pte)', () => {
    // __PAGE_OFFSET_BASE_L4: 0x888000000000 >> 39 = 0x111 = 273 (the direct map's pgd slot)
    expect(indices(M4, 0xffff888000000000)).toEqual([273, 0, 0, 0]);
    // __START_KERNEL_map + 16M: 0xffff81000000: >>39 = 0x1ff, >>30 & 511 = 0x1fe, >>21 & 511 = 8
    expect(indices(M4, 0xffffffff81000000)).toEqual([511, 510, 8, 0]);
    // __VMALLOC_BASE_L4 0xffffc90000000000: 0xc9 << 40 >> 39 = 0x192 = 402; +0xb000 -> pte 11
    expect(indices(M4, 0xffffc9000000b000)).toEqual([402, 0, 0, 11]);
    // CPU_ENTRY_AREA_PGD = -4 -> 508 (0xfe << 40 >> 39 = 0x1fc)
    expect(indices(M4, 0xfffffe0000002000)).toEqual([508, 0, 0, 2]);
    // start of the kernel half: 0x800000000000 >> 39 = 256
    expect(indices(M4, 0xffff800000000000)).toEqual([256, 0, 0, 0]);
    // the fixture's user stack page 0x7ffd047fc000: >>39 = 0xff, >>30 = 0x1fff4 & 511 = 0x1f4,
    // >>21 = 0x3ffe823 & 511 = 0x23, >>12 = 0x7ffd047fc & 511 = 0x1fc
    expect(indices(M4, 0x7ffd047fc000)).toEqual([255, 500, 35, 508]);
  });

  it('5level indices computed by hand (pgd, p4d, pud, pmd, pte)', () => {
    // __PAGE_OFFSET_BASE_L5 0xff11000000000000: >>48 = 0xff11 & 511 = 0x111 = 273
    expect(indices(M5, 0xff11000000000000)).toEqual([273, 0, 0, 0, 0]);
    // LDT_PGD_ENTRY -240 -> 512 - 240 = 272: 0xff10000000000000
    expect(indices(M5, 0xff10000000000000)).toEqual([272, 0, 0, 0, 0]);
    // __VMALLOC_BASE_L5 0xffa0000000000000: 0xffa0 & 511 = 0x1a0 = 416
    expect(indices(M5, 0xffa0000000000000)).toEqual([416, 0, 0, 0, 0]);
    // kernel text: bits 56..48 and 47..39 all ones
    expect(indices(M5, 0xffffffff81000000)).toEqual([511, 511, 510, 8, 0]);
    // a user address above 2^47 only 5-level can reach: 0x0001000000000000 = pgd 1
    expect(indices(M5, 0x0001000000000000)).toEqual([1, 0, 0, 0, 0]);
  });
});

// ------------------------------------------------------------------ predicates

describe('none (pte/pmd/pud/p4d_none mask _PAGE_KNL_ERRATUM_MASK = A|D; pgd_none does not) [pgt]', () => {
  it('zero is none at every real depth; a folded pgd is never none', () => {
    for (const d of [P4D, PUD, PMD, PTE] as Depth[]) {
      expect(none(c4, d, 0n)).toBe(true);
      expect(none(c5, d, 0n)).toBe(true);
    }
    expect(none(c5, PGD, 0n)).toBe(true);
    expect(none(c4, PGD, 0n)).toBe(false); // pgd_none() returns 0 when !pgtable_l5_enabled()
  });

  it('stray A/D bits (0x60, 0x20, 0x40) still read as none below the pgd', () => {
    for (const v of [0x60n, 0x20n, 0x40n]) {
      for (const d of [P4D, PUD, PMD, PTE] as Depth[]) expect(none(c5, d, v)).toBe(true);
    }
    // pgd_none(): !native_pgd_val(pgd), no erratum workaround at the pgd
    expect(none(c5, PGD, 0x60n)).toBe(false);
  });

  it('any other bit makes the entry not none', () => {
    for (const v of [0x1n, 0x100n, 0x1000n, 0x8000000000000000n, 0x0010000000000000n, 0x400000000000n]) {
      for (const d of [P4D, PUD, PMD, PTE] as Depth[]) expect(none(c4, d, v)).toBe(false);
    }
  });
});

describe('bad: pgd_bad() and p4d_bad() [pgt]', () => {
  // Real pgd entries of the fixture's root 0x6330000 (tables.elf): pgd[273] and pgd[511].
  const PGD273 = 0x0000000004401067n; // _PAGE_TABLE | 0x4401000
  const PGD511 = 0x0000000002a15067n;

  it('p4d_bad(): flags outside _KERNPG_TABLE|US (|NX under PTI) make it bad', () => {
    for (const c of [c4, c5]) {
      expect(bad(c, P4D, PGD273)).toBe(false);
      expect(bad(c, P4D, PGD511)).toBe(false);
      expect(bad(c, P4D, 0x0000000004401063n)).toBe(false); // _KERNPG_TABLE
      // Missing RW/A/D (even P) is not bad for p4d_bad: only extra flags are
      expect(bad(c, P4D, 0x0000000004401005n)).toBe(false);
      expect(bad(c, P4D, 0x0000000004401000n)).toBe(false);
      expect(bad(c, P4D, 0x00000000044010e7n)).toBe(true); // PSE
      expect(bad(c, P4D, 0x0000000004401167n)).toBe(true); // G
      expect(bad(c, P4D, 0x000000000440106fn)).toBe(true); // PWT
      expect(bad(c, P4D, 0x0000000004401867n)).toBe(true); // SOFTW3
      expect(bad(c, P4D, 0x0400000004401067n)).toBe(true); // SOFTW5 (_PAGE_NOPTISHADOW)
      expect(bad(c, P4D, 0x0010000004401067n)).toBe(true); // bit 52 is in PTE_FLAGS_MASK
      // address bits are not flags: the highest 52-bit table address is fine
      expect(bad(c, P4D, 0x000ffffffffff067n)).toBe(false);
      // NX ignored under CONFIG_MITIGATION_PAGE_TABLE_ISOLATION (the default)
      expect(bad(c, P4D, 0x8000000004401067n)).toBe(false);
    }
    expect(bad(c4nopti, P4D, 0x8000000004401067n)).toBe(true);
    expect(bad(c5nopti, P4D, 0x8000000004401067n)).toBe(true);
  });

  it('pgd_bad() in 5level: (flags & ~(US|NX)) must equal _KERNPG_TABLE exactly', () => {
    expect(bad(c5, PGD, PGD273)).toBe(false);
    expect(bad(c5, PGD, 0x0000000004401063n)).toBe(false);
    expect(bad(c5, PGD, 0x0000000004401065n)).toBe(true); // no RW
    expect(bad(c5, PGD, 0x0000000004401027n)).toBe(true); // no D
    expect(bad(c5, PGD, 0x0000000004401066n)).toBe(true); // no P
    expect(bad(c5, PGD, 0x60n)).toBe(true); // stray A/D is not none at the pgd, and bad
    expect(bad(c5, PGD, 0x00000000044010e7n)).toBe(true);
    expect(bad(c5, PGD, 0x8000000004401067n)).toBe(false);
    expect(bad(c5nopti, PGD, 0x8000000004401067n)).toBe(true);
    expect(bad(c5, PGD, 0x000ffffffffff063n)).toBe(false);
  });

  it('pgd_bad() is 0 in 4level (the p4d is folded), whatever the value', () => {
    for (const v of [0n, 0x00000000044010e7n, 0xffffffffffffffffn]) expect(bad(c4, PGD, v)).toBe(false);
  });
});

describe('present [pgt]', () => {
  it('pte_present(): P or PROTNONE', () => {
    expect(present(c4, PTE, 0x8000000012345163n)).toBe(true);
    expect(present(c4, PTE, 0x000fffffedcba120n)).toBe(true); // PROTNONE|A, P clear
    expect(present(c4, PTE, 0x0000000012345080n)).toBe(false); // bit 7 only
    expect(present(c4, PTE, 0x0000000012345066n)).toBe(false);
  });

  it('pmd_present(): P, PROTNONE or PSE (split_huge_page keeps PSE with P clear)', () => {
    expect(present(c4, PMD, 0x80n)).toBe(true);
    expect(present(c4, PMD, 0x100n)).toBe(true);
    expect(present(c4, PMD, 0x1n)).toBe(true);
    expect(present(c4, PMD, 0x0000000012345066n)).toBe(false);
    expect(present(c4, PMD, 0x8000000000000000n)).toBe(false);
  });

  it('pud_present() and p4d_present(): P only', () => {
    for (const d of [PUD, P4D] as Depth[]) {
      expect(present(c5, d, 0x1n)).toBe(true);
      expect(present(c5, d, 0x80n)).toBe(false);
      expect(present(c5, d, 0x100n)).toBe(false);
    }
  });

  it('pgd_present(): P in 5level, always 1 when folded', () => {
    expect(present(c5, PGD, 0x0000000004401067n)).toBe(true);
    expect(present(c5, PGD, 0x0000000004401066n)).toBe(false);
    expect(present(c4, PGD, 0n)).toBe(true);
    expect(present(c4, PGD, 0x0000000004401066n)).toBe(true);
  });
});

describe('leaf [pgt]', () => {
  it('pmd_leaf(): PSE; pud_leaf(): PSE (mainline: P no longer required)', () => {
    expect(leaf(c4, PMD, 0x80000000002001e3n)).toBe(true);
    expect(leaf(c4, PMD, 0x0000000006141063n)).toBe(false); // fixture pmd table entry
    expect(leaf(c4, PMD, 0x80n)).toBe(true);
    expect(leaf(c4, PUD, 0x80000000400001e3n)).toBe(true);
    expect(leaf(c4, PUD, 0x0000000002a16063n)).toBe(false); // fixture pud[510]
    expect(leaf(c4, PUD, 0x80n)).toBe(true); // 6.1's pud_large() said false here
  });

  it('p4d_leaf()/pgd_leaf() are 0 ("No 512 GiB pages yet")', () => {
    expect(leaf(c5, P4D, 0x00000000400000e3n)).toBe(false);
    expect(leaf(c5, PGD, 0x00000000400000e3n)).toBe(false);
  });

  it('at the pte, leaf is present', () => {
    expect(leaf(c4, PTE, 0x8000000012345163n)).toBe(true);
    expect(leaf(c4, PTE, 0x000fffffedcba120n)).toBe(true);
    expect(leaf(c4, PTE, 0x2n)).toBe(false);
  });
});

describe('addresses: tablePa (PTE_PFN_MASK) and outputPa (*_pfn) [types, pgt, inv]', () => {
  it('tablePa takes bits 12..51', () => {
    expect(tablePa(c4, P4D, 0x0000000004401067n)).toBe(0x4401000);
    expect(tablePa(c4, PUD, 0x000abcde12345067n)).toBe(0xabcde12345000); // above 4 GiB
    expect(tablePa(c5, PGD, 0x800ffffffffff067n)).toBe(0xffffffffff000); // 2^52 - 4096
    expect(tablePa(c4, PMD, 0x7ff0000012345067n)).toBe(0x12345000); // bits 52..62 are flags
  });

  it('outputPa: 4K bits 12..51, 2M bits 21..51 (bit 12 = PAT), 1G bits 30..51', () => {
    expect(outputPa(c4, PTE, 0x8000000012345163n)).toBe(0x12345000);
    expect(outputPa(c4, PTE, 0x800ffffffffff163n)).toBe(0xffffffffff000);
    expect(outputPa(c4, PMD, 0x80000000002001e3n)).toBe(0x200000);
    expect(outputPa(c4, PMD, 0x80000000124011e3n)).toBe(0x12400000); // PAT_LARGE set
    expect(outputPa(c4, PMD, 0x800fffffffe011e3n)).toBe(0xfffffffe00000);
    expect(outputPa(c4, PUD, 0x80000000400011e3n)).toBe(0x40000000);
    expect(outputPa(c4, PUD, 0x000fffffc00001e3n)).toBe(0xfffffc0000000);
    expect(outputPa(c4, PUD, 0x0001234540000fe3n)).toBe(0x1234540000000);
  });

  it('L1TF: a PROT_NONE pte holds ~pfn; outputPa inverts it back like pte_pfn()', () => {
    // pfn_pte(0x12345, PAGE_NONE): PAGE_NONE = A|PROTNONE = 0x120 (mainline); pfn ^= ~0 since the
    // pgprot is non-zero without P [inv]; (~0x12345000) & PTE_PFN_MASK = 0xfffffedcba000.
    expect(outputPa(c4, PTE, 0x000fffffedcba120n)).toBe(0x12345000);
    // pmd_mkinvalid() of a 2M leaf at 0x12400000 with flags PSE|A|D|RW (0xe2): pfn inverted under
    // PHYSICAL_PMD_PAGE_MASK: 0xfffffffe00000 ^ 0x12400000 = 0xfffffeda00000.
    expect(outputPa(c4, PMD, 0x000fffffeda000e2n)).toBe(0x12400000);
    // a present entry is never inverted
    expect(outputPa(c4, PTE, 0x000fffffedcba121n)).toBe(0xfffffedcba000);
  });
});

// ------------------------------------------------------------------ encodings

describe('leafTemplate + encodeLeaf give the kernel\'s PAGE_KERNEL* values [types]', () => {
  it('4K pages, pfn 0x12345 (pa 0x12345000)', () => {
    expect(leafValue(c4, PTE, 0x12345000, PAGE_KERNEL)).toBe(0x8000000012345163n);
    expect(leafValue(c4, PTE, 0x12345000, PAGE_KERNEL_RO)).toBe(0x8000000012345121n);
    expect(leafValue(c4, PTE, 0x12345000, PAGE_KERNEL_RO_61)).toBe(0x8000000012345161n);
    expect(leafValue(c4, PTE, 0x12345000, PAGE_KERNEL_EXEC)).toBe(0x0000000012345163n);
    expect(leafValue(c4, PTE, 0x12345000, PAGE_KERNEL_ROX)).toBe(0x0000000012345121n);
    // __PAGE_KERNEL_VVAR (mainline) = P|US|A|NX|G
    expect(leafValue(c4, PTE, 0x12345000, prot({ user: true, global: true, accessed: true }))).toBe(
      0x8000000012345125n,
    );
    // PAGE_KERNEL_NOCACHE = __PAGE_KERNEL | cachemode2protval(UC); with Linux's PAT MSR layout
    // (pat_init(): PAT3 = UC) that is PCD|PWT = 0x18.
    expect(leafValue(c4, PTE, 0x12345000, prot({ ...PAGE_KERNEL, attrs: { pwt: true, pcd: true } }))).toBe(
      0x800000001234517bn,
    );
    // PAGE_SHARED = P|RW|US|A|NX; PAGE_READONLY_EXEC = P|US|A
    expect(leafValue(c4, PTE, 0x12345000, prot({ write: true, user: true, accessed: true }))).toBe(
      0x8000000012345027n,
    );
    expect(leafValue(c4, PTE, 0x12345000, prot({ exec: true, user: true, accessed: true }))).toBe(
      0x0000000012345025n,
    );
  });

  it('4K pages above 4 GiB and at the top of the 52-bit space', () => {
    expect(leafValue(c5, PTE, 0x123456789000, PAGE_KERNEL)).toBe(0x8000123456789163n);
    expect(leafValue(c5, PTE, 0xffffffffff000, PAGE_KERNEL)).toBe(0x800ffffffffff163n);
  });

  it('__PAGE_KERNEL_LARGE(_EXEC) at pmd (2M) and pud (1G): PSE set', () => {
    expect(leafValue(c4, PMD, 0x12400000, PAGE_KERNEL)).toBe(0x80000000124001e3n);
    expect(leafValue(c4, PMD, 0x1000000, PAGE_KERNEL_EXEC)).toBe(0x00000000010001e3n);
    expect(leafValue(c4, PUD, 0x40000000, PAGE_KERNEL)).toBe(0x80000000400001e3n);
    expect(leafValue(c5, PMD, 0xfffffffe00000, PAGE_KERNEL)).toBe(0x800fffffffe001e3n);
    expect(leafValue(c5, PUD, 0xfffffc0000000, PAGE_KERNEL)).toBe(0x800fffffc00001e3n);
  });

  it('PAT is bit 7 in a pte and bit 12 (_PAGE_BIT_PAT_LARGE) in a 2M/1G leaf', () => {
    const withPat = prot({ ...PAGE_KERNEL, attrs: { pat: true } });
    expect(leafValue(c4, PTE, 0x12345000, withPat)).toBe(0x80000000123451e3n);
    expect(leafValue(c4, PMD, 0x12400000, withPat)).toBe(0x80000000124011e3n);
    expect(leafValue(c4, PUD, 0x40000000, withPat)).toBe(0x80000000400011e3n);
  });

  it('software bits and the protection key', () => {
    const k = (attrs: FullProt['attrs']) => leafValue(c4, PTE, 0x12345000, prot({ ...PAGE_KERNEL, attrs }));
    expect(k({ special: true })).toBe(0x8000000012345363n); // SOFTW1 bit 9
    expect(k({ uffdWp: true })).toBe(0x8000000012345563n); // SOFTW2 bit 10
    expect(k({ softDirty: true })).toBe(0x8000000012345963n); // SOFTW3 bit 11
    expect(k({ softw4: true })).toBe(0x8200000012345163n); // bit 57
    expect(k({ savedDirty: true })).toBe(0x8400000012345163n); // SOFTW5 bit 58
    expect(k({ pkey: 5 })).toBe(0xa800000012345163n); // 5 << 59
    expect(k({ pkey: 15 })).toBe(0xf800000012345163n);
  });

  it('reproduces real entries of the 6.1 fixture (tables.elf) exactly', () => {
    // pte of 0xffffc9000000b000 (ioremap, UC-: PCD only) = 0x80000000fed00173
    expect(leafValue(c4, PTE, 0xfed00000, prot({ ...PAGE_KERNEL, attrs: { pcd: true } }))).toBe(
      0x80000000fed00173n,
    );
    // user page 0x5e2000 with soft-dirty (CONFIG_MEM_SOFT_DIRTY) = 0x800000000292b867
    expect(
      leafValue(c4, PTE, 0x292b000, prot({ write: true, user: true, accessed: true, dirty: true, attrs: { softDirty: true } })),
    ).toBe(0x800000000292b867n);
    // 6.1 __PAGE_KERNEL_RO at 0xffffffff82800000 = 0x8000000002800161
    expect(leafValue(c4, PTE, 0x2800000, PAGE_KERNEL_RO_61)).toBe(0x8000000002800161n);
    // kernel text 2M leaf at 0xffffffff81000000: P|A|D|PSE|G = 0x10001e1
    expect(leafValue(c4, PMD, 0x1000000, prot({ exec: true, global: true, accessed: true, dirty: true }))).toBe(
      0x00000000010001e1n,
    );
  });
});

describe('encodeTable / encodeNone / tableLimits [types]', () => {
  // arch/x86/include/asm/pgalloc.h: pmd_populate_kernel() and pmd_populate() both write
  // __pa(pte) | _PAGE_TABLE (P|RW|US|A|D = 0x67); so do pud/p4d/pgd_populate().
  it('_PAGE_TABLE (0x67) for kernel and user tables, as pXd_populate() writes them', () => {
    c4.encodeTable(P4D, 0x4401000, true);
    expect(wordsToBigInt(c4.lo, c4.hi)).toBe(0x0000000004401067n); // = the fixture's pgd[273]
    c4.encodeTable(PUD, 0x2a16000, false);
    expect(wordsToBigInt(c4.lo, c4.hi)).toBe(0x0000000002a16067n);
    c5.encodeTable(PGD, 0xffffffffff000, false);
    expect(wordsToBigInt(c5.lo, c5.hi)).toBe(0x000ffffffffff067n);
    c5.encodeTable(PMD, 0xabcde12345000, true);
    expect(wordsToBigInt(c5.lo, c5.hi)).toBe(0x000abcde12345067n);
  });

  it('tables written by encodeTable are neither none nor bad', () => {
    for (const user of [false, true]) {
      c5.encodeTable(PGD, 0x123456000, user);
      expect(c5.none(PGD, c5.lo, c5.hi)).toBe(false);
      expect(c5.bad(PGD, c5.lo, c5.hi)).toBe(false);
      expect(c5.bad(P4D, c5.lo, c5.hi)).toBe(false);
      expect(c5.present(PUD, c5.lo, c5.hi)).toBe(true);
      expect(c5.leaf(PMD, c5.lo, c5.hi)).toBe(false);
      expect(c5.tablePa(PMD, c5.lo, c5.hi)).toBe(0x123456000);
    }
  });

  it('encodeNone is 0', () => {
    c4.encodeTable(PUD, 0x1000, true);
    c4.encodeNone(PUD);
    expect(wordsToBigInt(c4.lo, c4.hi)).toBe(0n);
  });

  it('tableLimits: RW clear, US clear, NX set', () => {
    const tl = (v: bigint) => c4.tableLimits(PUD, lo(v), hi(v));
    expect(tl(0x0000000004401067n)).toBe(0);
    expect(tl(0x0000000004401065n)).toBe(LIMIT_NO_WRITE);
    expect(tl(0x0000000004401063n)).toBe(LIMIT_NO_USER);
    expect(tl(0x8000000004401067n)).toBe(LIMIT_NO_KEXEC | LIMIT_NO_UEXEC);
    expect(tl(0x8000000004401061n)).toBe(LIMIT_NO_WRITE | LIMIT_NO_USER | LIMIT_NO_KEXEC | LIMIT_NO_UEXEC);
  });
});

// ------------------------------------------------------------------ decode

describe('decode of real entries [tlb]', () => {
  it('"ffff888000200000: 0000000000200000 XGPDA---W" as a pmd = 0x80000000002001e3', () => {
    const e = decode(c4, PMD, 0x80000000002001e3n);
    expect(e.level).toBe('pmd');
    expect(e.raw).toBe(0x80000000002001e3n);
    expect(e.kind).toBe('leaf');
    expect(e.present).toBe(true);
    expect(e.phys).toBe(0x200000);
    expect(e.pfn).toBe(0x200);
    expect(e.perms).toEqual({ read: true, write: true, exec: false, user: false, global: true, accessed: true, dirty: true });
    expect(e.flags).toEqual(['P', 'RW', 'A', 'D', 'PSE', 'G', 'NX']);
    expect(e.attrs).toMatchObject({ pwt: false, pcd: false, pat: false, pkey: 0 });
  });

  it('"ffffffff81000000: 0000000001000000 -GPDA----" (kernel text, 2M) = 0x00000000010001e1', () => {
    const e = decode(c4, PMD, 0x00000000010001e1n);
    expect(e.kind).toBe('leaf');
    expect(e.phys).toBe(0x1000000);
    expect(e.perms).toEqual({ read: true, write: false, exec: true, user: false, global: true, accessed: true, dirty: true });
    expect(e.flags).toEqual(['P', 'A', 'D', 'PSE', 'G']);
  });

  it('"0000000000400000: 000000000330e000 X---A--U-" = 0x800000000330e025 (same in tables.elf)', () => {
    const e = decode(c4, PTE, 0x800000000330e025n);
    expect(e.kind).toBe('leaf');
    expect(e.phys).toBe(0x330e000);
    expect(e.pfn).toBe(0x330e);
    expect(e.perms).toEqual({ read: true, write: false, exec: false, user: true, global: false, accessed: true, dirty: false });
    expect(e.flags).toEqual(['P', 'US', 'A', 'NX']);
  });

  it('"00000000005e2000: 000000000292b000 X--DA--UW": hand-built 0x800000000292b067; tables.elf adds SOFTW3', () => {
    const hand = decode(c4, PTE, 0x800000000292b067n);
    expect(hand.perms).toEqual({ read: true, write: true, exec: false, user: true, global: false, accessed: true, dirty: true });
    expect(hand.attrs.softDirty).toBe(false);
    const image = decode(c4, PTE, 0x800000000292b867n); // QEMU does not show software bits
    expect(image.phys).toBe(0x292b000);
    expect(image.perms).toEqual(hand.perms);
    expect(image.flags).toEqual(['P', 'RW', 'US', 'A', 'D', 'SOFTW3', 'NX']);
    expect(image.attrs.softDirty).toBe(true);
  });

  it('"ffffc9000000b000: 00000000fed00000 XG-DAC--W" (UC- ioremap) = 0x80000000fed00173', () => {
    const e = decode(c4, PTE, 0x80000000fed00173n);
    expect(e.phys).toBe(0xfed00000);
    expect(e.flags).toEqual(['P', 'RW', 'PCD', 'A', 'D', 'G', 'NX']);
    expect(e.attrs).toMatchObject({ pcd: true, pwt: false, pat: false });
  });

  it('directory entries from tables.elf: pgd[273] (as p4d), pud[510], and a pgd asked at PGD in 4level', () => {
    const p = decode(c4, P4D, 0x0000000004401067n);
    expect(p.level).toBe('p4d');
    expect(p.kind).toBe('table');
    expect(p.phys).toBe(0x4401000);
    expect(p.perms.user).toBe(true);
    expect(p.flags).toEqual(['P', 'RW', 'US', 'A', 'D']);
    const u = decode(c4, PUD, 0x0000000002a16063n);
    expect(u.kind).toBe('table');
    expect(u.phys).toBe(0x2a16000);
    expect(u.perms.user).toBe(false);
    const g = decode(c4, PGD, 0x0000000004401067n);
    expect(g.level).toBe('pgd');
    expect(g.kind).toBe('table');
    expect(g.phys).toBe(0x4401000);
  });

  it('kinds: none, bad, not-present (swap), PROT_NONE leaf (uninverted pfn), non-present PSE pud', () => {
    expect(decode(c4, PTE, 0x60n).kind).toBe('none');
    expect(decode(c5, PGD, 0x60n).kind).toBe('bad');
    expect(decode(c4, P4D, 0x00000000044010e7n).kind).toBe('bad');
    const swap = decode(c4, PTE, 0x7fffffffffffe200n); // P and PROTNONE clear: a swap entry
    expect(swap.kind).toBe('not-present');
    expect(swap.present).toBe(false);
    expect(swap.phys).toBeNull();
    expect(swap.pfn).toBeNull();
    const pn = decode(c4, PTE, 0x000fffffedcba120n);
    expect(pn.kind).toBe('leaf');
    expect(pn.present).toBe(true);
    expect(pn.phys).toBe(0x12345000);
    expect(pn.perms).toEqual({ read: false, write: false, exec: false, user: false, global: false, accessed: true, dirty: false });
    expect(pn.flags).toEqual(['A', 'PROTNONE']);
    const split = decode(c4, PMD, 0x000fffffeda000e2n); // pmd_mkinvalid(): P clear, PSE kept
    expect(split.kind).toBe('leaf');
    expect(split.phys).toBe(0x12400000);
    expect(decode(c4, PUD, 0x00000000400000e2n).kind).toBe('not-present');
  });
});

// ------------------------------------------------------------------ round trips

describe('round trips: leafProt(encodeLeaf(leafTemplate(p))) = p', () => {
  const bools = [false, true];
  const cases: [Depth, number][] = [
    [PTE, 0x12345000],
    [PTE, 0xffffffffff000],
    [PMD, 0xabcdef200000],
    [PUD, 0xfffffc0000000],
  ];
  it('for every perm combination x cache bits x software bits x pkey', () => {
    let n = 0;
    for (const c of [c4, c5]) {
      for (const [d, pa] of cases) {
        for (let bitsP = 0; bitsP < 64; bitsP++) {
          for (let bitsA = 0; bitsA < 16; bitsA++) {
            const p = prot({
              write: (bitsP & 1) !== 0,
              exec: (bitsP & 2) !== 0,
              user: (bitsP & 4) !== 0,
              global: (bitsP & 8) !== 0,
              accessed: (bitsP & 16) !== 0,
              dirty: (bitsP & 32) !== 0,
              attrs: {
                pwt: (bitsA & 1) !== 0,
                pcd: (bitsA & 2) !== 0,
                pat: (bitsA & 4) !== 0,
                pkey: (bitsA * 7) % 16,
                special: bools[bitsA & 1] as boolean,
                uffdWp: (bitsA & 8) !== 0,
                softDirty: (bitsA & 2) !== 0,
                softw4: (bitsA & 4) !== 0,
                savedDirty: (bitsA & 8) !== 0,
              },
            });
            c.leafTemplate(d, p);
            const tLo = c.lo;
            const tHi = c.hi;
            c.encodeLeaf(d, pa, tLo, tHi);
            const eLo = c.lo;
            const eHi = c.hi;
            expect(c.present(d, eLo, eHi)).toBe(true);
            expect(c.leaf(d, eLo, eHi)).toBe(true);
            expect(c.none(d, eLo, eHi)).toBe(false);
            expect(c.outputPa(d, eLo, eHi)).toBe(pa);
            const back = c.leafProt(d, eLo, eHi);
            expect(back).toEqual(p);
            c.leafTemplate(d, back);
            expect([c.lo, c.hi]).toEqual([tLo, tHi]);
            const e = c.decode(d, eLo, eHi);
            expect(e.kind).toBe('leaf');
            expect(e.phys).toBe(pa);
            n++;
          }
        }
      }
    }
    expect(n).toBe(2 * 4 * 64 * 16);
  });
});

// ------------------------------------------------------------------ validation

describe('validation (EINVAL, naming the value)', () => {
  it('a page that is not readable cannot be expressed', () => {
    expectEinval(() => c4.leafTemplate(PTE, prot({ read: false, write: true })), 'read', 'false');
  });

  it('no leaves at pgd or p4d', () => {
    expectEinval(() => c5.leafTemplate(P4D, PAGE_KERNEL), 'p4d');
    expectEinval(() => c5.leafTemplate(PGD, PAGE_KERNEL), 'pgd');
    expectEinval(() => c5.encodeLeaf(P4D, 0, 0, 0), '1');
  });

  it('unknown attrs are refused with the accepted list', () => {
    expectEinval(
      () => c4.leafTemplate(PTE, prot({ attrs: { cache: 'WB' } })),
      '"cache"',
      'pwt',
      'pcd',
      'pat',
      'pkey',
      'special',
      'softDirty',
    );
  });

  it('attr values are checked', () => {
    expectEinval(() => c4.leafTemplate(PTE, prot({ attrs: { pkey: 16 } })), 'pkey', '16');
    expectEinval(() => c4.leafTemplate(PTE, prot({ attrs: { pkey: 1.5 } })), 'pkey', '1.5');
    expectEinval(() => c4.leafTemplate(PTE, prot({ attrs: { pat: 'yes' } })), 'pat', 'yes');
  });

  it('encodeLeaf: alignment to the leaf size and the 52-bit limit', () => {
    c4.leafTemplate(PMD, PAGE_KERNEL);
    expectEinval(() => c4.encodeLeaf(PMD, 0x201000, c4.lo, c4.hi), '0x201000', '0x200000');
    c4.leafTemplate(PUD, PAGE_KERNEL);
    expectEinval(() => c4.encodeLeaf(PUD, 0x40200000, c4.lo, c4.hi), '0x40200000');
    c4.leafTemplate(PTE, PAGE_KERNEL);
    expectEinval(() => c4.encodeLeaf(PTE, 2 ** 52, c4.lo, c4.hi), '0x10000000000000');
    expectEinval(() => c4.encodeLeaf(PTE, 0x1234, c4.lo, c4.hi), '0x1234');
  });

  it('encodeTable: 4K alignment, and never at the pte', () => {
    expectEinval(() => c4.encodeTable(PMD, 0x1234800, false), '0x1234800');
    expectEinval(() => c4.encodeTable(PTE, 0x1000, false), 'pte');
  });
});
