/**
 * LoongArch64 codec and geometry. Every expected value below is written by
 * hand from the kernel's headers (mainline arch/loongarch/include/asm/
 * pgtable-bits.h, pgtable.h, page.h, addrspace.h, loongarch.h, mm/pgtable.c,
 * mm/init.c) or the LoongArch Reference Manual vol. 1; the source is named
 * next to each value.
 *
 * Bits used below (pgtable-bits.h):
 *   V 0x1  D 0x2  PLV 0xc (USER = 3 << 2)  MAT 0x30 (SUC 0x00, CC 0x10, WUC 0x20)
 *   G/HUGE 0x40  P 0x80  W 0x100  M 0x200  PROTNONE 0x400  SPECIAL 0x800
 *   HGLOBAL 0x1000  PRESENT_INVALID bit 60  NR bit 61  NX bit 62  RPLV bit 63
 *   PAGE_KERNEL     = P|V|D|W|G|KERN|CC  = 0x80|0x1|0x2|0x100|0x40|0|0x10 = 0x1d3
 *   PAGE_KERNEL_SUC = 0x1c3, PAGE_KERNEL_WUC = 0x1e3
 *   PAGE_NONE       = PROTNONE|NR|USER|CC = 0x2000_0000_0000_041c
 *   PAGE_SHARED     = P|W|USER|CC = 0x19c, PAGE_READONLY = P|USER|CC = 0x9c
 */
import { describe, expect, it } from 'vitest';
import { LOONGARCH64_MODES, Loongarch64Codec } from '../../src/arch/loongarch64.js';
import { P4D, PGD, PMD, PTE, PUD, type ArchMode, type Depth, type EntryCodec, type FullProt } from '../../src/arch/types.js';
import { bigIntHi, bigIntLo, wordsToBigInt } from '../../src/arch/words.js';
import { PagewalkError } from '../../src/errors.js';

const T = true;
const F = false;

function modeOf(name: string): ArchMode {
  const m = LOONGARCH64_MODES.find((x) => x.mode === name);
  if (!m) throw new Error(`no mode ${name}`);
  return m;
}

// Kernel virtual addresses of the invalid tables, as System.map would give
// them (kernel .bss in the CACHE_BASE window, 64K-aligned so every mode takes them).
const INV_PTE = 0x9000000001fa0000;
const INV_PMD = 0x9000000001fb0000;
const INV_PUD = 0x9000000001fc0000;
const INV_PTE_N = 0x9000000001fa0000n;
const INV_PMD_N = 0x9000000001fb0000n;
const INV_PUD_N = 0x9000000001fc0000n;
const INVALID = { pte: INV_PTE, pmd: INV_PMD, pud: INV_PUD };

function codec(name: string, extra: { dmwBase?: number } = {}): EntryCodec {
  return modeOf(name).createCodec({ invalidTables: INVALID, ...extra });
}

const lo = (v: bigint): number => bigIntLo(v);
const hi = (v: bigint): number => bigIntHi(v);
const val = (c: EntryCodec): bigint => wordsToBigInt(c.lo, c.hi);

function none(c: EntryCodec, d: Depth, v: bigint): boolean {
  return c.none(d, lo(v), hi(v));
}
function present(c: EntryCodec, d: Depth, v: bigint): boolean {
  return c.present(d, lo(v), hi(v));
}
function leaf(c: EntryCodec, d: Depth, v: bigint): boolean {
  return c.leaf(d, lo(v), hi(v));
}
function bad(c: EntryCodec, d: Depth, v: bigint): boolean {
  return c.bad(d, lo(v), hi(v));
}
function tablePa(c: EntryCodec, d: Depth, v: bigint): number {
  return c.tablePa(d, lo(v), hi(v));
}
function outputPa(c: EntryCodec, d: Depth, v: bigint): number {
  return c.outputPa(d, lo(v), hi(v));
}

/** leafTemplate + encodeLeaf as one call. */
function leafEntry(c: EntryCodec, d: Depth, prot: FullProt, pa: number): bigint {
  c.leafTemplate(d, prot);
  c.encodeLeaf(d, pa, c.lo, c.hi);
  return val(c);
}

/** The prot that reads PAGE_KERNEL: readable, writable (D), executable (no NX), global, V, not M, PLV0, CC. */
const KERNEL_PROT: FullProt = {
  read: true,
  write: true,
  exec: true,
  user: false,
  global: true,
  accessed: true,
  dirty: false,
  attrs: { mat: 'CC' },
};

function expectEinval(fn: () => unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(PagewalkError);
  const err = caught as PagewalkError;
  expect(err.code).toBe('EINVAL');
  for (const f of fragments) expect(err.message).toContain(f);
}

// ------------------------------------------------------------------ geometry

describe('loongarch64 geometry (pgtable.h: PMD_SHIFT = 2*PAGE_SHIFT-3, PTRS_PER_* = PAGE_SIZE>>3)', () => {
  // Hand-computed per mode. VA_BITS = PGDIR_SHIFT + PAGE_SHIFT - 3; vaBits =
  // min(VA_BITS, cpu_vabits = 47) (TASK_SIZE64, processor.h).
  const expected: Record<string, Partial<ArchMode>> = {
    // 4K: 512 entries; PMD_SHIFT 21, PGDIR_SHIFT 30 (3 levels), VA_BITS 39.
    '4k-3level': {
      pageShift: 12,
      vaBits: 39,
      tableAt: [T, F, F, T, T],
      realAt: [F, F, T, T, T],
      shift: [30, 30, 30, 21, 12],
      entries: [512, 0, 0, 512, 512],
      kernelPtrs: [512, 1, 1, 512, 512],
      rootBytes: 4096,
    },
    // 4K, 4 levels: PUD_SHIFT 30, PGDIR_SHIFT 39, VA_BITS 48 -> 47 per root.
    '4k-4level': {
      pageShift: 12,
      vaBits: 47,
      tableAt: [T, F, T, T, T],
      realAt: [F, T, T, T, T],
      shift: [39, 39, 30, 21, 12],
      entries: [512, 0, 512, 512, 512],
      kernelPtrs: [512, 1, 512, 512, 512],
      rootBytes: 4096,
    },
    // 16K: 2048 entries; 2 levels: PGDIR_SHIFT = 14 + 11 = 25, VA_BITS 36.
    '16k-2level': {
      pageShift: 14,
      vaBits: 36,
      tableAt: [T, F, F, F, T],
      realAt: [F, F, F, T, T],
      shift: [25, 25, 25, 25, 14],
      entries: [2048, 0, 0, 0, 2048],
      kernelPtrs: [2048, 1, 1, 1, 2048],
      rootBytes: 16384,
    },
    // 16K, 3 levels: PMD_SHIFT 25, PGDIR_SHIFT 36, VA_BITS 47.
    '16k-3level': {
      pageShift: 14,
      vaBits: 47,
      tableAt: [T, F, F, T, T],
      realAt: [F, F, T, T, T],
      shift: [36, 36, 36, 25, 14],
      entries: [2048, 0, 0, 2048, 2048],
      kernelPtrs: [2048, 1, 1, 2048, 2048],
      rootBytes: 16384,
    },
    // 64K: 8192 entries; 2 levels: PGDIR_SHIFT = 16 + 13 = 29, VA_BITS 42.
    '64k-2level': {
      pageShift: 16,
      vaBits: 42,
      tableAt: [T, F, F, F, T],
      realAt: [F, F, F, T, T],
      shift: [29, 29, 29, 29, 16],
      entries: [8192, 0, 0, 0, 8192],
      kernelPtrs: [8192, 1, 1, 1, 8192],
      rootBytes: 65536,
    },
    // 64K, 3 levels: PMD_SHIFT 29, PGDIR_SHIFT 42, VA_BITS 55 -> 47 per root.
    '64k-3level': {
      pageShift: 16,
      vaBits: 47,
      tableAt: [T, F, F, T, T],
      realAt: [F, F, T, T, T],
      shift: [42, 42, 42, 29, 16],
      entries: [8192, 0, 0, 8192, 8192],
      kernelPtrs: [8192, 1, 1, 8192, 8192],
      rootBytes: 65536,
    },
  };

  it('has exactly the six Kconfig layouts (arch/loongarch/Kconfig "Page Table Layout")', () => {
    expect(LOONGARCH64_MODES.map((m) => m.mode)).toEqual([
      '4k-3level',
      '4k-4level',
      '16k-2level',
      '16k-3level',
      '64k-2level',
      '64k-3level',
    ]);
  });

  for (const [name, exp] of Object.entries(expected)) {
    it(`${name}: shifts, entries, folding, kernelPtrs, vaBits, rootBytes`, () => {
      const m = modeOf(name);
      expect(m.arch).toBe('loongarch64');
      expect(m).toMatchObject(exp);
      expect(m.physBits).toBe(48); // _PAGE_PFN_END_SHIFT 48 / DMW_PABITS 48 / PALEN
      expect(m.roots).toBe('split'); // CSR.PGDL / CSR.PGDH
      expect(m.leafDepths).toEqual([PMD]); // HPAGE_SHIFT = PMD_SHIFT (page.h)
      expect(m.defaultRamBase).toBe(0);
      expect(m.description.length).toBeGreaterThan(10);
    });
  }

  it("'16k' is an alias of the default 16k-3level (Kconfig: default 16KB_3LEVEL if 64BIT)", () => {
    expect(modeOf('16k-3level').aliases).toContain('16k');
  });

  it('the kernel half starts at vm_map_base = -(1 << cpu_vabits) = 0xffff800000000000 where VA_BITS >= 47', () => {
    for (const name of ['4k-4level', '16k-3level', '64k-3level']) {
      const m = modeOf(name);
      expect(2 ** 64 - 2 ** m.vaBits).toBe(0xffff800000000000);
      expect(2 ** m.vaBits).toBe(0x800000000000); // TASK_SIZE64 = 1 << 47
    }
    expect(2 ** modeOf('4k-3level').vaBits).toBe(0x8000000000); // TASK_SIZE64 = 1 << 39
  });

  // Index = (va >> shift) & (entries - 1), computed here with bigint.
  const index = (m: ArchMode, d: Depth, va: bigint): number => Number((va >> BigInt(m.shift[d])) % BigInt(m.entries[d]));

  it('16k-3level: MODULES_VADDR = vm_map_base + PCI_IOSIZE (32M) + 2 pages = 0xffff800002008000 -> pgd 0, pmd 1, pte 2', () => {
    const m = modeOf('16k-3level');
    expect(index(m, PGD, 0xffff800002008000n)).toBe(0); // bits 46..36 = 0
    expect(index(m, PMD, 0xffff800002008000n)).toBe(1); // 0x2008000 >> 25 = 1
    expect(index(m, PTE, 0xffff800002008000n)).toBe(2); // (0x2008000 >> 14) & 0x7ff = 0x802 & 0x7ff = 2
  });

  it('16k-3level: FIXADDR_TOP 0xfffffffffffe0000 -> pgd 2047, pmd 2047, pte 2040', () => {
    const m = modeOf('16k-3level');
    expect(index(m, PGD, 0xfffffffffffe0000n)).toBe(2047);
    expect(index(m, PMD, 0xfffffffffffe0000n)).toBe(2047);
    expect(index(m, PTE, 0xfffffffffffe0000n)).toBe(2040); // (0x1fe0000 >> 14) = 0x7f8
  });

  it('4k-4level: the last user page 0x7fffffffe000 -> pgd 255, pud 511, pmd 511, pte 510', () => {
    const m = modeOf('4k-4level');
    expect(index(m, PGD, 0x7fffffffe000n)).toBe(255);
    expect(index(m, PUD, 0x7fffffffe000n)).toBe(511);
    expect(index(m, PMD, 0x7fffffffe000n)).toBe(511);
    expect(index(m, PTE, 0x7fffffffe000n)).toBe(510);
  });

  it('64k-3level: vm_map_base 0xffff800000000000 -> pgd index 0x1fe0 (bits 54..42 of the address)', () => {
    const m = modeOf('64k-3level');
    expect(index(m, PGD, 0xffff800000000000n)).toBe(0x1fe0);
    expect(index(m, PMD, 0xffff800000000000n)).toBe(0);
  });

  it('64k-2level: 2^42 - 64K -> pgd 8191, pte 8191', () => {
    const m = modeOf('64k-2level');
    expect(index(m, PGD, 0x3ffffff0000n)).toBe(8191);
    expect(index(m, PTE, 0x3ffffff0000n)).toBe(8191);
  });
});

// ------------------------------------------------------------------ predicates

describe('loongarch64 none/present/leaf/bad on 16k-3level (pgtable-nopud.h: the pgd slot is checked as pud)', () => {
  const c = codec('16k-3level');

  it('pud_none(): val == invalid_pmd_table; anything else (0, invalid_pte_table) is not none', () => {
    expect(none(c, PUD, INV_PMD_N)).toBe(true);
    expect(present(c, PUD, INV_PMD_N)).toBe(false); // pud_present(): != invalid_pmd_table
    expect(none(c, PUD, 0n)).toBe(false);
    expect(present(c, PUD, 0n)).toBe(true);
    expect(none(c, PUD, INV_PTE_N)).toBe(false);
    expect(tablePa(c, PUD, INV_PTE_N)).toBe(0x1fa0000);
  });

  it('pmd_none(): val == invalid_pte_table; a zero pmd is present, not a leaf, and has no table address', () => {
    expect(none(c, PMD, INV_PTE_N)).toBe(true);
    expect(present(c, PMD, INV_PTE_N)).toBe(false);
    expect(none(c, PMD, 0n)).toBe(false);
    expect(present(c, PMD, 0n)).toBe(true); // pmd_present(0): 0 != invalid_pte_table
    expect(leaf(c, PMD, 0n)).toBe(false);
    expect(tablePa(c, PMD, 0n)).toBe(-1);
    const d = c.decode(PMD, 0, 0);
    expect(d.kind).toBe('bad');
    expect(d.present).toBe(true);
    expect(d.phys).toBeNull();
    expect(none(c, PMD, INV_PMD_N)).toBe(false); // the pmd's none value is the pte table's
  });

  it('the folded pgd/p4d answer as pgtable-nopud.h does: never none, never bad, always present', () => {
    expect(none(c, PGD, INV_PMD_N)).toBe(false);
    expect(none(c, P4D, INV_PMD_N)).toBe(false);
    expect(present(c, P4D, INV_PMD_N)).toBe(true);
    expect(bad(c, PGD, 0x9000000012344008n)).toBe(false);
    expect(bad(c, P4D, 0x9000000012344008n)).toBe(false);
    expect(leaf(c, P4D, 0x40n)).toBe(false);
  });

  it('pte_none(): only _PAGE_GLOBAL may be set (kernel_pte_init() fills kernel ptes with G)', () => {
    expect(none(c, PTE, 0n)).toBe(true);
    expect(none(c, PTE, 0x40n)).toBe(true);
    expect(none(c, PTE, 0x41n)).toBe(false);
    expect(none(c, PTE, 0x4000000000000000n)).toBe(false); // NX alone
    expect(c.decode(PTE, 0x40, 0).flags).toEqual(['G']);
    expect(c.decode(PTE, 0x40, 0).kind).toBe('none');
  });

  it('pte_present(): _PAGE_PRESENT | _PAGE_PROTNONE, not V', () => {
    expect(present(c, PTE, 0x80n)).toBe(true);
    expect(present(c, PTE, 0x400n)).toBe(true);
    expect(present(c, PTE, 0x1n)).toBe(false);
    expect(leaf(c, PTE, 0x80n)).toBe(true);
    expect(leaf(c, PTE, 0x1n)).toBe(false);
  });

  it('a swap pte (mk_swap_pte(type 5, offset 0x1234) = 5<<16 | 0x1234<<24) is neither none nor present', () => {
    const swp = 0x1234050000n;
    expect(none(c, PTE, swp)).toBe(false);
    expect(present(c, PTE, swp)).toBe(false);
    expect(c.decode(PTE, lo(swp), hi(swp)).kind).toBe('not-present');
  });

  it('pmd_leaf() is _PAGE_HUGE; a huge pmd is present with P, PROTNONE or PRESENT_INVALID (pmd_present())', () => {
    const huge = 0x1200011d3n; // vmemmap_set_pmd(): 0x120000000 | PAGE_KERNEL | HUGE | HGLOBAL
    expect(leaf(c, PMD, huge)).toBe(true);
    expect(present(c, PMD, huge)).toBe(true);
    // pmd_mkinvalid(): clear P|V|D|PROTNONE, set PRESENT_INVALID: 0x11d3 & ~0x483 = 0x1150, bit 60
    const inval = 0x1000000120001150n;
    expect(present(c, PMD, inval)).toBe(true);
    expect(leaf(c, PMD, inval)).toBe(true);
    // __swp_entry_to_pmd(): swap entry | HUGE, nothing of P/PROTNONE/PRESENT_INVALID
    const swp = 0x55030040n;
    expect(present(c, PMD, swp)).toBe(false);
    expect(none(c, PMD, swp)).toBe(false);
    expect(c.decode(PMD, lo(swp), hi(swp)).kind).toBe('not-present');
    // a huge pmd with only PROTNONE (PAGE_NONE | HUGE)
    expect(present(c, PMD, 0x200000000000045cn)).toBe(true);
  });

  it('pud_leaf() is _PAGE_HUGE on the pgd slot too (3 levels), though Linux never writes one', () => {
    expect(leaf(c, PUD, 0x4000000011d3n)).toBe(true);
    expect(leaf(c, PUD, 0x9000000012344000n)).toBe(false);
  });
});

describe('loongarch64 predicates on 4k-4level (pgtable-nop4d.h: the pgd slot is checked as p4d)', () => {
  const c = codec('4k-4level');

  it('p4d_none(): val == invalid_pud_table; pud_none(): val == invalid_pmd_table', () => {
    expect(none(c, P4D, INV_PUD_N)).toBe(true);
    expect(present(c, P4D, INV_PUD_N)).toBe(false);
    expect(none(c, P4D, INV_PMD_N)).toBe(false);
    expect(none(c, PUD, INV_PMD_N)).toBe(true);
    expect(none(c, PUD, INV_PUD_N)).toBe(false);
    expect(none(c, PMD, INV_PTE_N)).toBe(true);
  });

  it('p4d_bad(): val & ~PAGE_MASK (offset bits 0..11 only)', () => {
    expect(bad(c, P4D, INV_PUD_N + 8n)).toBe(true);
    expect(bad(c, P4D, 0x9000000012345000n)).toBe(false);
    expect(bad(c, P4D, 0n)).toBe(false); // a zero p4d is not bad...
    expect(present(c, P4D, 0n)).toBe(true); // ...and present: only its table address fails
    expect(tablePa(c, P4D, 0n)).toBe(-1);
    expect(c.decode(P4D, 8, 0).kind).toBe('bad');
    expect(bad(c, PGD, INV_PUD_N + 8n)).toBe(false); // pgd_bad() is 0 in pgtable-nop4d.h
  });

  it('pud_leaf() is _PAGE_HUGE at the real pud; p4d has no leaves', () => {
    expect(leaf(c, PUD, 0x400011d3n)).toBe(true);
    expect(outputPa(c, PUD, 0x400011d3n)).toBe(0x40000000); // bits 30..47
    expect(leaf(c, P4D, 0x400011d3n)).toBe(false);
  });

  it('tablePa needs 4K alignment here', () => {
    expect(tablePa(c, PMD, 0x9000000012345000n)).toBe(0x12345000);
    expect(tablePa(c, PMD, 0x9000000012345800n)).toBe(-1);
  });

  it('encodeNone: pgd/p4d slot -> invalid_pud_table, pud -> invalid_pmd_table, pmd -> invalid_pte_table, pte -> 0 (pgd_init/pud_init/pmd_init)', () => {
    c.encodeNone(PGD);
    expect(val(c)).toBe(INV_PUD_N);
    c.encodeNone(P4D);
    expect(val(c)).toBe(INV_PUD_N);
    c.encodeNone(PUD);
    expect(val(c)).toBe(INV_PMD_N);
    c.encodeNone(PMD);
    expect(val(c)).toBe(INV_PTE_N);
    c.encodeNone(PTE);
    expect(val(c)).toBe(0n);
  });
});

describe('loongarch64 predicates on 16k-2level (pgtable-nopmd.h: the pgd slot is checked as pmd)', () => {
  // machine-style options: only invalid_pte_table exists, the others are unused
  const c = modeOf('16k-2level').createCodec({ invalidTables: { pte: INV_PTE, pmd: INV_PTE, pud: INV_PTE } });

  it('pmd_none() on the pgd slot: invalid_pte_table; pud_none() is 0 (folded)', () => {
    expect(none(c, PMD, INV_PTE_N)).toBe(true);
    expect(none(c, PUD, INV_PTE_N)).toBe(false);
    expect(present(c, PUD, INV_PTE_N)).toBe(true);
    expect(leaf(c, PUD, 0x40n)).toBe(false); // pud_leaf() of pgtable-nopmd.h is 0
    c.encodeNone(PGD);
    expect(val(c)).toBe(INV_PTE_N); // pgd_init(): invalid_pte_table when the pmd is folded
  });

  it('a 32M huge leaf in the pgd slot is pmd_leaf()', () => {
    expect(leaf(c, PMD, 0x20011d3n)).toBe(true);
    expect(outputPa(c, PMD, 0x20011d3n)).toBe(0x2000000);
  });
});

// ------------------------------------------------------------------ addresses

describe('loongarch64 directory entries hold window VAs (PHYSADDR / TO_PHYS, addrspace.h)', () => {
  const c = codec('16k-3level');

  it('CACHE_BASE (DMW1, 0x9000...) and UNCACHE_BASE (DMW0, 0x8000...) addresses decode, with the window stripped', () => {
    expect(tablePa(c, PMD, 0x9000000012344000n)).toBe(0x12344000);
    expect(tablePa(c, PMD, 0x8000000012344000n)).toBe(0x12344000);
    expect(tablePa(c, PMD, 0x9000000412344000n)).toBe(0x412344000); // above 4 GiB
    expect(tablePa(c, PMD, 0x9000ffffffffc000n)).toBe(0xffffffffc000); // the last 16K page below 2^48
  });

  it('anything else does not decode: user VAs, other windows, bits 59..48, unaligned', () => {
    expect(tablePa(c, PMD, 0x12344000n)).toBe(-1);
    expect(tablePa(c, PMD, 0xa000000012344000n)).toBe(-1);
    expect(tablePa(c, PMD, 0xffff800012344000n)).toBe(-1);
    expect(tablePa(c, PMD, 0x9001000012344000n)).toBe(-1);
    expect(tablePa(c, PMD, 0x9000000012346000n)).toBe(-1); // 8K into a 16K page
  });

  it('encodeTable() writes __va(pa) in the CACHE_BASE window, the same for user and kernel tables', () => {
    c.encodeTable(PMD, 0x12344000, false);
    expect(val(c)).toBe(0x9000000012344000n);
    c.encodeTable(PUD, 0xffffffffc000, true);
    expect(val(c)).toBe(0x9000ffffffffc000n);
    c.encodeTable(PGD, 0x412344000, true);
    expect(val(c)).toBe(0x9000000412344000n);
  });

  it('encodeNone: pud (pgd slot) -> invalid_pmd_table, pmd -> invalid_pte_table', () => {
    c.encodeNone(PUD);
    expect(val(c)).toBe(INV_PMD_N);
    c.encodeNone(PGD);
    expect(val(c)).toBe(INV_PMD_N);
    c.encodeNone(PMD);
    expect(val(c)).toBe(INV_PTE_N);
  });

  it('dmwBase moves the window directory entries are written in, and tablePa accepts it', () => {
    const w = codec('16k-3level', { dmwBase: 0xa000000000000000 });
    w.encodeTable(PMD, 0x12344000, false);
    expect(val(w)).toBe(0xa000000012344000n);
    expect(tablePa(w, PMD, 0xa000000012344000n)).toBe(0x12344000);
    expect(tablePa(w, PMD, 0x9000000012344000n)).toBe(0x12344000);
  });

  it('outputPa(): pte bits 14..47 (_PFN_MASK), NR/NX/RPLV and flags ignored', () => {
    expect(outputPa(c, PTE, 0xe000ffffffffc1d3n)).toBe(0xffffffffc000);
    expect(outputPa(c, PTE, 0x48d141d3n)).toBe(0x48d14000);
    // a huge pmd: bit 12 is HGLOBAL, not an address bit
    expect(outputPa(c, PMD, 0x1200011d3n)).toBe(0x120000000);
    expect(outputPa(c, PMD, 0x4000fffffe0011d3n)).toBe(0xfffffe000000);
  });

  it('outputPa() on 4K pages: bits 12..47', () => {
    const c4 = codec('4k-3level');
    expect(outputPa(c4, PTE, 0xe000fffffffff1d3n)).toBe(0xfffffffff000);
    expect(outputPa(c4, PMD, 0x234567e011d3n)).toBe(0x234567e00000);
    // bit 48 is outside _PFN_MASK (_PAGE_PFN_END_SHIFT 48)
    expect(outputPa(c4, PMD, 0x1234567e011d3n)).toBe(0x234567e00000);
  });

  it('tableLimits() is 0: directories carry no permission bits', () => {
    expect(c.tableLimits(PMD, lo(0x9000000012344000n), hi(0x9000000012344000n))).toBe(0);
    expect(c.tableLimits(PUD, 0, 0)).toBe(0);
  });
});

// ------------------------------------------------------------------ kernel values

describe('loongarch64 leafTemplate + encodeLeaf reproduce the kernel pgprots (pgtable-bits.h)', () => {
  it('PAGE_KERNEL for pfn 0x12345 (16K pages: pa 0x48d14000) = 0x48d141d3', () => {
    const c = codec('16k-3level');
    c.leafTemplate(PTE, KERNEL_PROT);
    expect(val(c)).toBe(0x1d3n);
    expect(leafEntry(c, PTE, KERNEL_PROT, 0x48d14000)).toBe(0x48d141d3n);
  });

  it('PAGE_KERNEL_SUC = 0x1c3 and PAGE_KERNEL_WUC = 0x1e3 (_CACHE_SUC 0, _CACHE_WUC 2 << 4)', () => {
    const c = codec('16k-3level');
    expect(leafEntry(c, PTE, { ...KERNEL_PROT, attrs: { mat: 'SUC' } }, 0x48d14000)).toBe(0x48d141c3n);
    expect(leafEntry(c, PTE, { ...KERNEL_PROT, attrs: { mat: 'WUC' } }, 0x48d14000)).toBe(0x48d141e3n);
  });

  it('PAGE_KERNEL at the top of the physical space: pfn 0x3ffffffff (16K) = 0xffffffffc1d3', () => {
    const c = codec('16k-3level');
    expect(leafEntry(c, PTE, KERNEL_PROT, 0xffffffffc000)).toBe(0xffffffffc1d3n);
  });

  it('PAGE_KERNEL on 4K pages for pfn 0x123456789 = 0x1234567891d3', () => {
    const c = codec('4k-3level');
    expect(leafEntry(c, PTE, KERNEL_PROT, 0x123456789000)).toBe(0x1234567891d3n);
  });

  it('pgprot_nx(PAGE_KERNEL) adds NX (bit 62)', () => {
    const c = codec('16k-3level');
    expect(leafEntry(c, PTE, { ...KERNEL_PROT, exec: false }, 0x48d14000)).toBe(0x4000000048d141d3n);
  });

  it('huge pmd as vmemmap_set_pmd() writes it: pfn_pmd(PAGE_KERNEL) | HUGE | HGLOBAL = pa | 0x11d3', () => {
    const c = codec('16k-3level');
    c.leafTemplate(PMD, KERNEL_PROT);
    expect(val(c)).toBe(0x11d3n); // V|D|CC|HUGE|P|W|HGLOBAL: G moved to HGLOBAL, bit 6 is HUGE
    expect(leafEntry(c, PMD, KERNEL_PROT, 0x120000000)).toBe(0x1200011d3n); // 32M-aligned
    const c64 = codec('64k-3level');
    expect(leafEntry(c64, PMD, KERNEL_PROT, 0xffffe0000000)).toBe(0xffffe00011d3n); // 512M-aligned, top of 2^48
  });

  it('a non-global huge pmd keeps HUGE (bit 6) and has no HGLOBAL', () => {
    const c = codec('4k-4level');
    expect(leafEntry(c, PMD, { ...KERNEL_PROT, global: false }, 0x40200000)).toBe(0x402001d3n);
  });

  it('PAGE_NONE = PROTNONE | NO_READ | USER | CC (pfn 0x10, 16K: pa 0x40000)', () => {
    const c = codec('16k-3level');
    const prot: FullProt = {
      read: false,
      write: false,
      exec: true,
      user: true,
      global: false,
      accessed: false,
      dirty: false,
      attrs: { mat: 'CC', present: false, protnone: true },
    };
    expect(leafEntry(c, PTE, prot, 0x40000)).toBe(0x200000000004041cn);
  });

  it('PAGE_SHARED = P | W | USER | CC (W without D: writable once the kernel sets D) and PAGE_READONLY = P | USER | CC', () => {
    const c = codec('16k-3level');
    const user: FullProt = {
      read: true,
      write: false,
      exec: true,
      user: true,
      global: false,
      accessed: false,
      dirty: false,
      attrs: { mat: 'CC', write: true },
    };
    expect(leafEntry(c, PTE, user, 0x40000)).toBe(0x4019cn);
    expect(leafEntry(c, PTE, { ...user, attrs: { mat: 'CC' } }, 0x40000)).toBe(0x4009cn);
  });

  it('each permission maps to its own bit (write -> D|W, accessed -> V, dirty -> M, user -> PLV 3)', () => {
    const c = codec('16k-3level');
    const base: FullProt = {
      read: true,
      write: false,
      exec: true,
      user: false,
      global: false,
      accessed: false,
      dirty: false,
      attrs: {},
    };
    const t = (p: Partial<FullProt>): bigint => {
      c.leafTemplate(PTE, { ...base, ...p });
      return val(c);
    };
    expect(t({})).toBe(0x90n); // P | CC (defaults: present, mat CC)
    expect(t({ write: true })).toBe(0x192n); // + D 0x2 + W 0x100
    expect(t({ accessed: true })).toBe(0x91n); // + V
    expect(t({ dirty: true })).toBe(0x290n); // + M 0x200
    expect(t({ user: true })).toBe(0x9cn); // + PLV 3 << 2
    expect(t({ global: true })).toBe(0xd0n); // + G 0x40
    expect(t({ read: false })).toBe(0x2000000000000090n); // + NR
    expect(t({ exec: false })).toBe(0x4000000000000090n); // + NX
    expect(t({ attrs: { rplv: true } })).toBe(0x8000000000000090n); // + RPLV
    expect(t({ attrs: { special: true } })).toBe(0x890n); // + SPECIAL
    expect(t({ attrs: { plv: 2 } })).toBe(0x98n); // PLV 2
    expect(t({ attrs: { modified: false } })).toBe(0x90n);
  });
});

// ------------------------------------------------------------------ decode

describe('loongarch64 decode() of kernel entries', () => {
  const c = codec('16k-3level');

  it('PAGE_KERNEL pte 0x48d141d3', () => {
    const d = c.decode(PTE, 0x48d141d3, 0);
    expect(d.level).toBe('pte');
    expect(d.raw).toBe(0x48d141d3n);
    expect(d.kind).toBe('leaf');
    expect(d.present).toBe(true);
    expect(d.phys).toBe(0x48d14000);
    expect(d.pfn).toBe(0x12345);
    expect(d.flags).toEqual(['V', 'D', 'PLV=0', 'MAT=CC', 'G', 'P', 'W']);
    expect(d.perms).toEqual({ read: true, write: true, exec: true, user: false, global: true, accessed: true, dirty: false });
    expect(d.attrs).toEqual({
      mat: 'CC',
      rplv: false,
      present: true,
      protnone: false,
      special: false,
      plv: 0,
      write: true,
      modified: false,
    });
  });

  it('vmemmap huge pmd 0x1200011d3: HUGE and HGLOBAL, global from HGLOBAL', () => {
    const d = c.decode(PMD, lo(0x1200011d3n), hi(0x1200011d3n));
    expect(d.kind).toBe('leaf');
    expect(d.phys).toBe(0x120000000);
    expect(d.pfn).toBe(0x48000);
    expect(d.flags).toEqual(['V', 'D', 'PLV=0', 'MAT=CC', 'HUGE', 'P', 'W', 'HGLOBAL']);
    expect(d.perms.global).toBe(true);
  });

  it('an invalidated huge pmd (pmd_mkinvalid) is a present leaf with PRESENT_INVALID, not accessed, not writable', () => {
    const v = 0x1000000120001150n;
    const d = c.decode(PMD, lo(v), hi(v));
    expect(d.kind).toBe('leaf');
    expect(d.flags).toEqual(['PLV=0', 'MAT=CC', 'HUGE', 'W', 'HGLOBAL', 'PRESENT_INVALID']);
    expect(d.perms.accessed).toBe(false);
    expect(d.perms.write).toBe(false);
    expect(d.attrs.presentInvalid).toBe(true);
  });

  it('a user PAGE_NONE pte (NUMA hinting / PROT_NONE) is a present leaf with no read', () => {
    const v = 0x200000000004041cn;
    const d = c.decode(PTE, lo(v), hi(v));
    expect(d.kind).toBe('leaf');
    expect(d.flags).toEqual(['PLV=3', 'MAT=CC', 'PROTNONE', 'NR']);
    expect(d.perms.read).toBe(false);
    expect(d.perms.user).toBe(true);
  });

  it('directory entries: table, none, and a folded pgd read as the pud it is', () => {
    const t = c.decode(PMD, lo(0x9000000012344000n), hi(0x9000000012344000n));
    expect(t.kind).toBe('table');
    expect(t.phys).toBe(0x12344000);
    expect(t.pfn).toBe(0x48d1);
    expect(t.flags).toEqual([]);
    expect(t.perms.read).toBe(false);
    expect(c.decode(PMD, lo(INV_PTE_N), hi(INV_PTE_N)).kind).toBe('none');
    const g = c.decode(PGD, lo(INV_PMD_N), hi(INV_PMD_N));
    expect(g.level).toBe('pgd');
    expect(g.kind).toBe('none');
    expect(c.decode(PGD, lo(0x9000000012344000n), hi(0x9000000012344000n)).kind).toBe('table');
  });
});

// ------------------------------------------------------------------ round trips

describe('loongarch64 round trips: leafTemplate(leafProt(e)) gives e back', () => {
  const perms = ['read', 'write', 'exec', 'user', 'global', 'accessed', 'dirty'] as const;
  const pick = (p: FullProt): Record<string, boolean> => Object.fromEntries(perms.map((k) => [k, p[k]]));
  const extras: FullProt['attrs'][] = [
    {},
    { rplv: true },
    { special: true },
    { write: true },
    { write: false },
    { present: false, protnone: true },
    { protnone: true },
  ];
  const cases: [string, Depth, number][] = [
    ['16k-3level', PTE, 0xffffffffc000],
    ['16k-3level', PMD, 0x120000000],
    ['4k-4level', PTE, 0x123456789000],
    ['4k-4level', PMD, 0xffffffe00000],
    ['64k-2level', PMD, 0xffffe0000000],
  ];

  for (const [name, d, pa] of cases) {
    it(`${name} ${d === PTE ? 'pte' : 'pmd'}: every perm combination x mat x software attrs`, () => {
      const c = codec(name);
      let n = 0;
      for (let mask = 0; mask < 1 << perms.length; mask++) {
        for (const mat of ['SUC', 'CC', 'WUC']) {
          for (const extra of extras) {
            const prot: FullProt = {
              read: (mask & 1) !== 0,
              write: (mask & 2) !== 0,
              exec: (mask & 4) !== 0,
              user: (mask & 8) !== 0,
              global: (mask & 16) !== 0,
              accessed: (mask & 32) !== 0,
              dirty: (mask & 64) !== 0,
              attrs: { mat, ...extra },
            };
            const e = leafEntry(c, d, prot, pa);
            const eLo = lo(e);
            const eHi = hi(e);
            const want = pick(prot);
            const back = c.leafProt(d, eLo, eHi);
            const dec = c.decode(d, eLo, eHi);
            const got = {
              present: c.present(d, eLo, eHi),
              leaf: c.leaf(d, eLo, eHi),
              none: c.none(d, eLo, eHi),
              pa: c.outputPa(d, eLo, eHi),
              perms: pick(back),
              decoded: dec.kind,
              decodedPerms: dec.perms,
              again: leafEntry(c, d, back, pa),
            };
            expect(got).toEqual({ present: true, leaf: true, none: false, pa, perms: want, decoded: 'leaf', decodedPerms: want, again: e });
            n++;
          }
        }
      }
      expect(n).toBe(128 * 3 * extras.length);
    });
  }

  it('PAGE_KERNEL round-trips through leafProt with attrs { mat, rplv, present, protnone, special } only', () => {
    const c = codec('16k-3level');
    const p = c.leafProt(PTE, 0x48d141d3, 0);
    expect(p).toEqual({
      read: true,
      write: true,
      exec: true,
      user: false,
      global: true,
      accessed: true,
      dirty: false,
      attrs: { mat: 'CC', rplv: false, present: true, protnone: false, special: false },
    });
  });

  it('a pmd leaf splits into ptes with the same bits but G instead of HUGE|HGLOBAL', () => {
    const c = codec('16k-3level');
    const p = c.leafProt(PMD, lo(0x1200011d3n), hi(0x1200011d3n));
    expect(leafEntry(c, PTE, p, 0x120004000)).toBe(0x1200041d3n);
  });

  it('decode().attrs fed back to leafTemplate reproduce the entry', () => {
    const c = codec('16k-3level');
    const d = c.decode(PTE, 0x48d141d3, 0);
    expect(leafEntry(c, PTE, { ...d.perms, attrs: d.attrs }, 0x48d14000)).toBe(0x48d141d3n);
  });
});

// ------------------------------------------------------------------ validation

describe('loongarch64 validation', () => {
  it('createCodec() without invalidTables is EINVAL (0 is not an empty loongarch directory entry)', () => {
    expectEinval(() => modeOf('16k-3level').createCodec(), 'invalidTables', 'invalid_pte_table');
    expectEinval(() => modeOf('16k-3level').createCodec({}), 'invalidTables');
    expectEinval(() => modeOf('16k-3level').createCodec({ dmwBase: 0x9000000000000000 }), 'invalidTables');
  });

  it('invalid table addresses must be page-aligned window VAs', () => {
    expectEinval(() => modeOf('16k-3level').createCodec({ invalidTables: { ...INVALID, pte: 0 } }), 'invalidTables.pte', '0x0');
    expectEinval(
      () => modeOf('16k-3level').createCodec({ invalidTables: { ...INVALID, pmd: 0x1fb0000 } }),
      'invalidTables.pmd',
      '0x1fb0000',
    );
    expectEinval(
      () => modeOf('64k-3level').createCodec({ invalidTables: { ...INVALID, pte: 0x9000000001fa4000 } }),
      'invalidTables.pte',
      '0x9000000001fa4000',
      '0x10000',
    );
    // 4 levels need a real invalid_pud_table
    expectEinval(() => modeOf('4k-4level').createCodec({ invalidTables: { ...INVALID, pud: 0 } }), 'invalidTables.pud');
    expectEinval(
      () => modeOf('4k-4level').createCodec({ invalidTables: { ...INVALID, pud: INV_PMD } }),
      'invalidTables.pmd',
      'invalidTables.pud',
    );
    // 3 levels do not use invalid_pud_table
    expect(() => modeOf('16k-3level').createCodec({ invalidTables: { ...INVALID, pud: 0 } })).not.toThrow();
  });

  it('dmwBase must be VSEG << 60', () => {
    expectEinval(
      () => modeOf('16k-3level').createCodec({ invalidTables: INVALID, dmwBase: 0x9000000000010000 }),
      'dmwBase',
      '0x9000000000010000',
    );
    expectEinval(() => modeOf('16k-3level').createCodec({ invalidTables: INVALID, dmwBase: 0 }), 'dmwBase', '0x0');
  });

  it('unknown mode', () => {
    expectEinval(() => new Loongarch64Codec('16k-4level', { invalidTables: INVALID }), '"16k-4level"', '16k-3level');
  });

  it('attrs: unknown keys and bad values name the value and list what is accepted', () => {
    const c = codec('16k-3level');
    expectEinval(() => c.leafTemplate(PTE, { ...KERNEL_PROT, attrs: { cache: 'CC' } }), '"cache"', 'mat', 'rplv');
    expectEinval(() => c.leafTemplate(PTE, { ...KERNEL_PROT, attrs: { mat: 'UC' } }), '"UC"', 'SUC');
    expectEinval(() => c.leafTemplate(PTE, { ...KERNEL_PROT, attrs: { mat: 3 } }), '0x3', 'reserved');
    expectEinval(() => c.leafTemplate(PTE, { ...KERNEL_PROT, attrs: { plv: 4 } }), 'plv', '0x4');
    expectEinval(() => c.leafTemplate(PTE, { ...KERNEL_PROT, attrs: { plv: 3 } }), 'plv 3', 'user: false');
    expectEinval(() => c.leafTemplate(PTE, { ...KERNEL_PROT, user: true, attrs: { plv: 0 } }), 'plv 0', 'user: true');
    expectEinval(() => c.leafTemplate(PTE, { ...KERNEL_PROT, attrs: { special: 1 } }), 'special', '0x1');
    expectEinval(() => c.leafTemplate(PTE, { ...KERNEL_PROT, attrs: { modified: true } }), 'modified', 'dirty');
  });

  it('a leaf nobody would call present is refused', () => {
    const c = codec('16k-3level');
    expectEinval(() => c.leafTemplate(PTE, { ...KERNEL_PROT, attrs: { present: false } }), 'protnone', 'swap');
    // at the pmd, PRESENT_INVALID keeps it present (pmd_present())
    expect(() => c.leafTemplate(PMD, { ...KERNEL_PROT, attrs: { present: false, presentInvalid: true } })).not.toThrow();
  });

  it('leaves only at pte and pmd', () => {
    const c = codec('4k-4level');
    expectEinval(() => c.leafTemplate(PUD, KERNEL_PROT), 'pud', 'HPAGE_SHIFT');
    expectEinval(() => c.leafTemplate(PGD, KERNEL_PROT), 'pgd');
    expectEinval(() => c.encodeLeaf(PUD, 0x40000000, 0x11d3, 0), 'pud');
  });

  it('encodeLeaf: the address must be aligned to the leaf and below 2^48', () => {
    const c = codec('16k-3level');
    c.leafTemplate(PTE, KERNEL_PROT);
    const tLo = c.lo;
    const tHi = c.hi;
    expectEinval(() => c.encodeLeaf(PTE, 0x2000, tLo, tHi), '0x2000', '0x4000');
    expectEinval(() => c.encodeLeaf(PTE, 2 ** 48, tLo, tHi), '0x1000000000000', '2^48');
    expectEinval(() => c.encodeLeaf(PMD, 0x1000000, tLo, tHi), '0x1000000', '0x2000000');
  });

  it('encodeTable: not at pte; page-aligned, below 2^48', () => {
    const c = codec('16k-3level');
    expectEinval(() => c.encodeTable(PTE, 0x4000, false), 'pte');
    expectEinval(() => c.encodeTable(PMD, 0x1000, false), '0x1000', '0x4000');
    expectEinval(() => c.encodeTable(PMD, 2 ** 48, false), '0x1000000000000');
  });
});
