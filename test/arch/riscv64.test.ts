/**
 * riscv64 codec and geometry. Every expected value is written by hand from
 * a primary source named next to it:
 *   - Linux arch/riscv/include/asm/pgtable-bits.h (bit values), pgtable-64.h
 *     (run-time folding, PTRS_PER_*, *_SHIFT, pud, p4d and pgd helpers),
 *     pgtable.h (PAGE_KERNEL*, PAGE_READ..., pmd_/pte_ helpers), pgalloc.h
 *     (*_populate);
 *   - the RISC-V Privileged spec, "Sv39/Sv48/Sv57", Svpbmt, Svnapot;
 *   - test/fixtures/kernel-6.1-riscv-sv39: lines of
 *     kernel-ptdump-kernel_page_tables.txt and the raw entries stored at the
 *     named physical addresses in tables.elf (swapper_pg_dir = 0x80c9e000,
 *     root.txt).
 */
import { describe, expect, it } from 'vitest';
import { PagewalkError } from '../../src/errors.js';
import { RISCV64_MODES, Riscv64Codec } from '../../src/arch/riscv64.js';
import { P4D, PGD, PMD, PTE, PUD, type ArchMode, type Depth, type FullProt } from '../../src/arch/types.js';
import { bigIntHi, bigIntLo, wordsToBigInt } from '../../src/arch/words.js';

function mode(name: string): ArchMode {
  const m = RISCV64_MODES.find((x) => x.mode === name);
  if (!m) throw new Error(`no mode ${name}`);
  return m;
}

const sv39 = new Riscv64Codec('sv39');
const sv48 = new Riscv64Codec('sv48');
const sv57 = new Riscv64Codec('sv57');

/** Runs a hot predicate on a 64-bit value given as bigint. */
const lo = (v: bigint) => bigIntLo(v);
const hi = (v: bigint) => bigIntHi(v);

/** Index of va at depth d: floor(va / 2^shift[d]) mod entries[d], in bigint. */
function index(m: ArchMode, d: Depth, va: bigint): number {
  return Number((va >> BigInt(m.shift[d])) % BigInt(m.entries[d]));
}

function prot(p: Partial<FullProt>): FullProt {
  return {
    read: false,
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

/** leafTemplate + encodeLeaf, returned as bigint. */
function leafEntry(c: Riscv64Codec, d: Depth, pa: number, p: FullProt): bigint {
  c.leafTemplate(d, p);
  c.encodeLeaf(d, pa, c.lo, c.hi);
  return wordsToBigInt(c.lo, c.hi);
}

/** JSON with sorted keys, for cheap deep comparison in big loops. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : x,
  );
}

function expectEinval(fn: () => void, ...fragments: string[]): void {
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

// pgtable-bits.h
const V = 0x1n, R = 0x2n, W = 0x4n, X = 0x8n, U = 0x10n, G = 0x20n, A = 0x40n, D = 0x80n;
// pgtable.h: _PAGE_KERNEL = R | W | PRESENT | ACCESSED | DIRTY | GLOBAL
const _PAGE_KERNEL = R | W | V | A | D | G; // 0xe7
const PAGE_KERNEL_READ = _PAGE_KERNEL & ~W; // 0xe3
const PAGE_KERNEL_EXEC = _PAGE_KERNEL | X; // 0xef
const PAGE_KERNEL_READ_EXEC = (_PAGE_KERNEL & ~W) | X; // 0xeb
// pgtable.h: _PAGE_BASE = PRESENT | ACCESSED | USER
const _PAGE_BASE = V | A | U;
// pgtable-64.h: _PAGE_IO_SVPBMT = 1UL << 62, _PAGE_NOCACHE_SVPBMT = 1UL << 61, _PAGE_NAPOT = BIT(63)
const PBMT_IO = 1n << 62n;
const PBMT_NC = 1n << 61n;
const NAPOT = 1n << 63n;

describe('riscv64 geometry (pgtable-64.h, pgtable.h)', () => {
  it('has the three modes with their VA widths', () => {
    expect(RISCV64_MODES.map((m) => [m.arch, m.mode, m.vaBits])).toEqual([
      ['riscv64', 'sv39', 39],
      ['riscv64', 'sv48', 48],
      ['riscv64', 'sv57', 57],
    ]);
  });

  it('common fields: 4K pages, one shared 4K root, 56 physical bits, RAM at 0x80000000', () => {
    for (const m of RISCV64_MODES) {
      expect(m.pageShift).toBe(12);
      expect(m.roots).toBe('shared');
      expect(m.rootBytes).toBe(4096); // PTRS_PER_PGD (512) * sizeof(pgd_t)
      expect(m.physBits).toBe(56); // MAX_POSSIBLE_PHYSMEM_BITS; PPN = bits 53..10
      expect(m.defaultRamBase).toBe(0x80000000); // QEMU virt DRAM base
      // PTRS_PER_PGD/P4D/PUD/PMD/PTE are all PAGE_SIZE / sizeof(entry) at
      // compile time: the run-time folding does not change them.
      expect(m.kernelPtrs).toEqual([512, 512, 512, 512, 512]);
      expect(m.leafDepths).toEqual([PUD, PMD]);
      expect(m.description.length).toBeGreaterThan(0);
    }
  });

  it('Sv39: top table checked as pud (PGDIR_SHIFT_L3 = P4D_SHIFT_L3 = PUD_SHIFT = 30)', () => {
    const m = mode('sv39');
    expect(m.tableAt).toEqual([true, false, false, true, true]);
    expect(m.realAt).toEqual([false, false, true, true, true]);
    expect(m.shift).toEqual([30, 30, 30, 21, 12]);
    expect(m.entries).toEqual([512, 0, 0, 512, 512]);
  });

  it('Sv48: top table checked as p4d (PGDIR_SHIFT_L4 = P4D_SHIFT_L4 = 39)', () => {
    const m = mode('sv48');
    expect(m.tableAt).toEqual([true, false, true, true, true]);
    expect(m.realAt).toEqual([false, true, true, true, true]);
    expect(m.shift).toEqual([39, 39, 30, 21, 12]);
    expect(m.entries).toEqual([512, 0, 512, 512, 512]);
  });

  it('Sv57: five real levels (PGDIR_SHIFT_L5 = 48, P4D_SHIFT_L5 = 39)', () => {
    const m = mode('sv57');
    expect(m.tableAt).toEqual([true, true, true, true, true]);
    expect(m.realAt).toEqual([true, true, true, true, true]);
    expect(m.shift).toEqual([48, 39, 30, 21, 12]);
    expect(m.entries).toEqual([512, 512, 512, 512, 512]);
  });

  it('aliases name the kernel boot options that select the mode', () => {
    expect(mode('sv39').aliases).toEqual(['no4lvl']);
    expect(mode('sv48').aliases).toEqual(['no5lvl']);
  });

  it('Sv39 indices of the fixmap address match the fixture tables', () => {
    // tables.elf: swapper_pg_dir 0x80c9e000; the slot for 0xffffffc6fec00000 is
    // 0x80c9e8d8 = root + 283 * 8, its pmd entry is at 0x80c9afb0 = 0x80c9a000 + 502 * 8.
    // By hand: VA bits 38..30 = 0x46fec00000 >> 30 = 0x11b = 283; bits 29..21 = 0x1f6 = 502.
    const m = mode('sv39');
    const va = 0xffffffc6fec00000n;
    expect(index(m, PGD, va)).toBe(283);
    expect(index(m, PMD, va)).toBe(502);
    expect(index(m, PTE, va)).toBe(0);
    // vmalloc page 0xffffffc800601000: pgd[288] (0x80c9e900), pmd[3], pte[1] in the fixture.
    expect(index(m, PGD, 0xffffffc800601000n)).toBe(288);
    expect(index(m, PMD, 0xffffffc800601000n)).toBe(3);
    expect(index(m, PTE, 0xffffffc800601000n)).toBe(1);
  });

  it('Sv48 and Sv57 indices of hand-computed addresses', () => {
    // Sv48, top of the user half: 0x7fffffffe000 -> 255 / 511 / 511 / 510.
    const m48 = mode('sv48');
    const va48 = 0x00007fffffffe000n;
    expect([PGD, PUD, PMD, PTE].map((d) => index(m48, d as Depth, va48))).toEqual([255, 511, 511, 510]);
    // Sv57: 0xff00000000000000 -> pgd (bits 56..48) = 0x100 = 256, p4d 0.
    const m57 = mode('sv57');
    expect(index(m57, PGD, 0xff00000000000000n)).toBe(256);
    expect(index(m57, P4D, 0xff00000000000000n)).toBe(0);
    // Sv57 0x00ffffffffe00000 -> 255 / 511 / 511 / 511 / 0.
    expect([PGD, P4D, PUD, PMD, PTE].map((d) => index(m57, d as Depth, 0x00ffffffffe00000n))).toEqual([
      255, 511, 511, 511, 0,
    ]);
  });

  it('createCodec builds a codec for the mode', () => {
    for (const m of RISCV64_MODES) {
      const c = m.createCodec();
      expect(c).toBeInstanceOf(Riscv64Codec);
      expect((c as Riscv64Codec).mode).toBe(m.mode);
    }
    expectEinval(() => new Riscv64Codec('sv32' as never), 'sv32');
  });
});

describe('riscv64 predicates (pgtable-64.h, pgtable.h)', () => {
  const TABLE = 0x20326801n; // fixture: swapper_pg_dir[283] at 0x80c9e8d8, a table entry (V only)

  it('none: val == 0 at pud/pmd/pte; pgd_none/p4d_none are 0 where folded', () => {
    for (const c of [sv39, sv48, sv57]) {
      for (const d of [PUD, PMD, PTE] as Depth[]) {
        expect(c.none(d, 0, 0)).toBe(true);
        expect(c.none(d, lo(TABLE), hi(TABLE))).toBe(false);
        // Only the high word set: still not none.
        expect(c.none(d, 0, 1)).toBe(false);
      }
    }
    // Sv39: pgtable_l4_enabled = pgtable_l5_enabled = false.
    expect(sv39.none(PGD, 0, 0)).toBe(false);
    expect(sv39.none(P4D, 0, 0)).toBe(false);
    // Sv48: l4 only.
    expect(sv48.none(PGD, 0, 0)).toBe(false);
    expect(sv48.none(P4D, 0, 0)).toBe(true);
    // Sv57: both.
    expect(sv57.none(PGD, 0, 0)).toBe(true);
    expect(sv57.none(P4D, 0, 0)).toBe(true);
  });

  it('bad: pgd_bad/p4d_bad = !present (V clear) when enabled, 0 when folded', () => {
    const noV = TABLE & ~V; // 0x20326800
    expect(sv57.bad(PGD, lo(noV), hi(noV))).toBe(true);
    expect(sv57.bad(PGD, lo(TABLE), hi(TABLE))).toBe(false);
    expect(sv57.bad(P4D, lo(noV), hi(noV))).toBe(true);
    expect(sv48.bad(P4D, lo(noV), hi(noV))).toBe(true);
    expect(sv48.bad(P4D, lo(TABLE), hi(TABLE))).toBe(false);
    expect(sv48.bad(PGD, lo(noV), hi(noV))).toBe(false);
    expect(sv39.bad(PGD, lo(noV), hi(noV))).toBe(false);
    expect(sv39.bad(P4D, lo(noV), hi(noV))).toBe(false);
    // A leaf (V|R) at the top is not bad: pgd_bad looks only at V.
    expect(sv57.bad(PGD, Number(V | R), 0)).toBe(false);
  });

  it('present: pud V only; pmd V|G|R|W|X (THP); pte V|G (_PAGE_PROT_NONE = _PAGE_GLOBAL)', () => {
    // PAGE_NONE = _PAGE_PROT_NONE | _PAGE_READ = G | R, V clear (pgtable.h)
    const pageNone = (0x81234n << 10n) | G | R | A | U;
    expect(sv39.present(PTE, lo(pageNone), hi(pageNone))).toBe(true);
    expect(sv39.present(PMD, lo(pageNone), hi(pageNone))).toBe(true);
    expect(sv39.present(PUD, lo(pageNone), hi(pageNone))).toBe(false);
    // G alone (V clear): still pte_present / pmd_present.
    expect(sv39.present(PTE, Number(G), 0)).toBe(true);
    expect(sv39.present(PMD, Number(G), 0)).toBe(true);
    // A swap entry (pgtable.h "Format of swap PTE": bits 0..3, 5 zero; type at 7..11,
    // offset from 12): type 3, offset 0x1234 -> not present anywhere.
    const swap = (3n << 7n) | (0x1234n << 12n);
    for (const d of [PUD, PMD, PTE] as Depth[]) {
      expect(sv39.present(d, lo(swap), hi(swap))).toBe(false);
      expect(sv39.none(d, lo(swap), hi(swap))).toBe(false);
    }
    // THP pmd_present includes _PAGE_LEAF: a huge pmd with V cleared by
    // pmdp_invalidate() (R|W set) stays present; a pte in that state does not.
    const invalidated = (0x80200n << 10n) | R | W | A | D;
    expect(sv39.present(PMD, lo(invalidated), hi(invalidated))).toBe(true);
    expect(sv39.present(PTE, lo(invalidated), hi(invalidated))).toBe(false);
    // pgd/p4d: V when enabled, 1 when folded.
    expect(sv39.present(PGD, 0, 0)).toBe(true);
    expect(sv48.present(PGD, 0, 0)).toBe(true);
    expect(sv48.present(P4D, lo(TABLE & ~V), 0)).toBe(false);
    expect(sv57.present(PGD, lo(TABLE), 0)).toBe(true);
    expect(sv57.present(PGD, lo(TABLE & ~V), 0)).toBe(false);
  });

  it('leaf: any of R/W/X with the level present; table entries are not leaves', () => {
    const kernel2M = 0x200800e7n; // fixture swapper pmd at 0x8fffe010 ... see decode tests
    for (const c of [sv39, sv48, sv57]) {
      expect(c.leaf(PUD, lo(TABLE), hi(TABLE))).toBe(false);
      expect(c.leaf(PMD, lo(TABLE), hi(TABLE))).toBe(false);
      expect(c.leaf(PUD, lo(kernel2M), 0)).toBe(true);
      expect(c.leaf(PMD, lo(kernel2M), 0)).toBe(true);
      // Execute-only leaf (X alone) is a leaf.
      expect(c.leaf(PMD, Number(V | X), 0)).toBe(true);
      // pud_leaf needs V (pud_present); pmd_leaf with THP does not.
      expect(c.leaf(PUD, Number(R | W), 0)).toBe(false);
      expect(c.leaf(PMD, Number(R | W), 0)).toBe(true);
      // pte: same as pte_present.
      expect(c.leaf(PTE, lo(TABLE), 0)).toBe(true);
      expect(c.leaf(PTE, Number(G | R), 0)).toBe(true);
      expect(c.leaf(PTE, Number(R), 0)).toBe(false);
    }
    // The privileged spec allows leaves at every level: a 512G leaf at Sv48's
    // top (checked as p4d) and a 256T leaf at Sv57's top.
    expect(sv48.leaf(P4D, Number(V | R | W), 0)).toBe(true);
    expect(sv57.leaf(PGD, Number(V | R | X), 0)).toBe(true);
    expect(sv57.leaf(PGD, lo(TABLE), hi(TABLE))).toBe(false);
    expect(sv57.leaf(PGD, Number(R), 0)).toBe(false); // V clear
  });

  it('tablePa = PPN << 12 with PPN = bits 53..10 (_PAGE_PFN_MASK = GENMASK(53, 10))', () => {
    // Fixture: swapper_pg_dir[283] = 0x20326801 names the pmd table at 0x80c9a000
    // (where the fixmap pmd entry 0x80c9afb0 lives); [288] = 0x20400c01 -> 0x81003000;
    // [352] = 0x23fffc01 -> 0x8ffff000; [510] = 0x23fff801 -> 0x8fffe000.
    expect(sv39.tablePa(PUD, 0x20326801, 0)).toBe(0x80c9a000);
    expect(sv39.tablePa(PUD, 0x20400c01, 0)).toBe(0x81003000);
    expect(sv39.tablePa(PUD, 0x23fffc01, 0)).toBe(0x8ffff000);
    expect(sv39.tablePa(PUD, 0x23fff801, 0)).toBe(0x8fffe000);
    // Above 4 GiB: PA 0xfedcba987000 -> PPN 0xfedcba987 -> entry 0x3fb72ea61c01.
    const highTable = 0x3fb72ea61c01n;
    for (const d of [PGD, P4D, PUD, PMD] as Depth[]) {
      expect(sv57.tablePa(d, lo(highTable), hi(highTable))).toBe(0xfedcba987000);
    }
    // Largest PPN (44 bits) -> 2^56 - 4096; N, PBMT and reserved bits above bit 53 are ignored.
    expect(sv57.tablePa(PMD, lo(0x003ffffffffffc01n), hi(0x003ffffffffffc01n))).toBe(2 ** 56 - 4096);
    expect(sv57.tablePa(PMD, lo(0xfffffffffffffc01n), hi(0xfffffffffffffc01n))).toBe(2 ** 56 - 4096);
    // Low flag bits never leak into the address.
    expect(sv57.tablePa(PMD, 0x3ff, 0)).toBe(0);
  });

  it('outputPa: the base of the leaf, low PPN fields cleared (misaligned superpages fault)', () => {
    // 2M leaf with PPN 0x80201 (misaligned by one page) -> 0x80200000.
    expect(sv39.outputPa(PMD, Number((0x80201n << 10n) | _PAGE_KERNEL), 0)).toBe(0x80200000);
    // 1G leaf with PPN 0x80200 -> 0x80000000.
    expect(sv39.outputPa(PUD, Number((0x80200n << 10n) | _PAGE_KERNEL), 0)).toBe(0x80000000);
    // 512G leaf (PPN 2^27) with one stray low PPN bit -> 2^39.
    const p4dLeaf = 0x20000004e7n;
    expect(sv48.outputPa(P4D, lo(p4dLeaf), hi(p4dLeaf))).toBe(2 ** 39);
    // 256T leaf (PPN 2^36) with PPN bit 30 set too (entry bit 40) -> 2^48.
    const pgdLeaf = 0x4100000000e7n;
    expect(sv57.outputPa(PGD, lo(pgdLeaf), hi(pgdLeaf))).toBe(2 ** 48);
    // 4K pte at the top of the 56-bit space: 0x003ffffffffffce7 -> 0xfffffffffff000.
    expect(sv57.outputPa(PTE, lo(0x003ffffffffffce7n), hi(0x003ffffffffffce7n))).toBe(0xfffffffffff000);
    // 2M leaf above 4 GiB: PA 0x1234_5660_0000 -> PPN 0x123456600.
    const high2M = (0x123456600n << 10n) | _PAGE_KERNEL;
    expect(sv57.outputPa(PMD, lo(high2M), hi(high2M))).toBe(0x123456600000);
    // Svpbmt bits do not change the address.
    const io = PBMT_IO | (0x10000n << 10n) | _PAGE_KERNEL;
    expect(sv39.outputPa(PTE, lo(io), hi(io))).toBe(0x10000000);
  });

  it('outputPa of a Svnapot pte: the 64K base, as pte_pfn() (res & (res - 1))', () => {
    // 64K range at 0x80210000: PPN 0x80210, NAPOT encoding PPN[3:0] = 0b1000 -> 0x80218.
    const napot = NAPOT | (0x80218n << 10n) | _PAGE_KERNEL; // 0x80000000200860e7
    expect(napot).toBe(0x80000000200860e7n);
    expect(sv39.outputPa(PTE, lo(napot), hi(napot))).toBe(0x80210000);
    // The same PPN without N is an ordinary 4K page.
    expect(sv39.outputPa(PTE, lo(napot & ~NAPOT), 0)).toBe(0x80218000);
  });

  it('tableLimits: riscv directories restrict nothing', () => {
    expect(sv39.tableLimits(PUD, 0x20326801, 0)).toBe(0);
    expect(sv57.tableLimits(PGD, -1, -1)).toBe(0);
  });
});

describe('riscv64 encodings (pgtable.h PAGE_*, pgalloc.h *_populate)', () => {
  it('PAGE_KERNEL, PAGE_KERNEL_READ, PAGE_KERNEL_EXEC, PAGE_KERNEL_READ_EXEC for pfn 0x80200', () => {
    // pfn_pmd(0x80200, prot) = (0x80200 << 10) | prot = 0x20080000 | prot.
    const pa = 0x80200000;
    const k = prot({ read: true, write: true, global: true, accessed: true, dirty: true });
    expect(leafEntry(sv39, PMD, pa, k)).toBe(0x20080000n | _PAGE_KERNEL);
    expect(0x20080000n | _PAGE_KERNEL).toBe(0x200800e7n);
    expect(leafEntry(sv39, PMD, pa, { ...k, write: false })).toBe(0x200800e3n); // PAGE_KERNEL_READ
    expect(0x20080000n | PAGE_KERNEL_READ).toBe(0x200800e3n);
    expect(leafEntry(sv39, PMD, pa, { ...k, exec: true })).toBe(0x20080000n | PAGE_KERNEL_EXEC); // 0x200800ef
    expect(leafEntry(sv39, PMD, pa, { ...k, write: false, exec: true })).toBe(0x200800ebn); // PAGE_KERNEL_READ_EXEC
    expect(0x20080000n | PAGE_KERNEL_READ_EXEC).toBe(0x200800ebn);
  });

  it('PAGE_KERNEL at a high pfn and at the largest pfn', () => {
    const k = prot({ read: true, write: true, global: true, accessed: true, dirty: true });
    // pfn 0xfedcba987 -> 0xfedcba987 << 10 = 0x3fb72ea61c00.
    expect(leafEntry(sv48, PTE, 0xfedcba987000, k)).toBe(0x3fb72ea61ce7n);
    // pfn 2^44 - 1 -> 0x003ffffffffffc00.
    expect(leafEntry(sv57, PTE, 2 ** 56 - 4096, k)).toBe(0x003ffffffffffce7n);
    // A 1G pud leaf at 0x40_0000_0000 (pfn 0x4000000 -> 0x1000000000).
    expect(leafEntry(sv39, PUD, 0x4000000000, k)).toBe(0x1000000000n | _PAGE_KERNEL);
  });

  it('user protections PAGE_READ, PAGE_WRITE, PAGE_READ_EXEC, PAGE_WRITE_EXEC (_PAGE_BASE = V|A|U)', () => {
    const pa = 0x81234000; // pfn 0x81234 -> 0x2048d000
    const base = prot({ user: true, accessed: true });
    const pfnBits = 0x81234n << 10n;
    expect(pfnBits).toBe(0x2048d000n);
    expect(leafEntry(sv39, PTE, pa, { ...base, read: true })).toBe(pfnBits | _PAGE_BASE | R); // 0x2048d053
    expect(leafEntry(sv39, PTE, pa, { ...base, read: true, write: true })).toBe(0x2048d057n);
    expect(leafEntry(sv39, PTE, pa, { ...base, read: true, exec: true })).toBe(pfnBits | _PAGE_BASE | R | X);
    expect(leafEntry(sv39, PTE, pa, { ...base, read: true, write: true, exec: true })).toBe(0x2048d05fn);
    // PAGE_EXEC: execute-only is expressible.
    expect(leafEntry(sv39, PTE, pa, { ...base, exec: true })).toBe(0x2048d059n);
  });

  it('_PAGE_IOREMAP with Svpbmt: (_PAGE_KERNEL & ~_PAGE_MTMASK) | _PAGE_IO', () => {
    // UART at 0x10000000 (pfn 0x10000 -> 0x4000000).
    const k = prot({ read: true, write: true, global: true, accessed: true, dirty: true });
    expect(leafEntry(sv39, PTE, 0x10000000, { ...k, attrs: { pbmt: 'IO' } })).toBe(0x40000000040000e7n);
    expect(PBMT_IO | 0x4000000n | _PAGE_KERNEL).toBe(0x40000000040000e7n);
    expect(leafEntry(sv39, PTE, 0x10000000, { ...k, attrs: { pbmt: 'NC' } })).toBe(PBMT_NC | 0x40000e7n);
    expect(leafEntry(sv39, PTE, 0x10000000, { ...k, attrs: { pbmt: 'PMA' } })).toBe(0x40000e7n);
  });

  it('software bits: RSW (bit 8 = _PAGE_SPECIAL), soft-dirty bit 59, uffd-wp bit 60 (Svrsw60t59b)', () => {
    const k = prot({ read: true, write: true, accessed: true, dirty: true });
    const base = 0x20080000n | V | R | W | A | D;
    expect(leafEntry(sv39, PTE, 0x80200000, { ...k, attrs: { rsw: 1 } })).toBe(base | (1n << 8n));
    expect(leafEntry(sv39, PTE, 0x80200000, { ...k, attrs: { rsw: 3 } })).toBe(base | (3n << 8n));
    expect(leafEntry(sv39, PTE, 0x80200000, { ...k, attrs: { softDirty: true } })).toBe(base | (1n << 59n));
    expect(leafEntry(sv39, PTE, 0x80200000, { ...k, attrs: { uffdWp: true } })).toBe(base | (1n << 60n));
  });

  it('Svnapot pte: pte_mknapot() encoding PPN[3:0] = 0b1000, N = bit 63', () => {
    const k = prot({ read: true, write: true, global: true, accessed: true, dirty: true, attrs: { napot: true } });
    // Any page of the 64K range at 0x80210000 gives the same value.
    expect(leafEntry(sv39, PTE, 0x80210000, k)).toBe(0x80000000200860e7n);
    expect(leafEntry(sv39, PTE, 0x80213000, k)).toBe(0x80000000200860e7n);
    expect(leafEntry(sv39, PTE, 0x8021f000, k)).toBe(0x80000000200860e7n);
  });

  it('encodeTable: (pfn << _PAGE_PFN_SHIFT) | _PAGE_TABLE, same for user and kernel', () => {
    // Fixture values written by the kernel into swapper_pg_dir: [283] = 0x20326801 for the
    // pmd table at 0x80c9a000, [288] = 0x20400c01 for 0x81003000.
    for (const user of [false, true]) {
      sv39.encodeTable(PUD, 0x80c9a000, user);
      expect(wordsToBigInt(sv39.lo, sv39.hi)).toBe(0x20326801n);
      sv39.encodeTable(PMD, 0x81003000, user);
      expect(wordsToBigInt(sv39.lo, sv39.hi)).toBe(0x20400c01n);
    }
    sv57.encodeTable(PGD, 0xfedcba987000, false);
    expect(wordsToBigInt(sv57.lo, sv57.hi)).toBe(0x3fb72ea61c01n);
    sv57.encodeTable(P4D, 2 ** 56 - 4096, true);
    expect(wordsToBigInt(sv57.lo, sv57.hi)).toBe(0x003ffffffffffc01n);
  });

  it('encodeNone: 0 at every depth', () => {
    for (const d of [PGD, P4D, PUD, PMD, PTE] as Depth[]) {
      sv48.lo = 5;
      sv48.hi = 5;
      sv48.encodeNone(d);
      expect([sv48.lo, sv48.hi]).toEqual([0, 0]);
    }
  });
});

describe('riscv64 decode of the 6.1 Sv39 fixture (kernel-ptdump-kernel_page_tables.txt, tables.elf)', () => {
  it('Fixmap: "0xffffffc6fec00000-0xffffffc6ff000000 0x000000008fe00000 4M PMD D A G . . W R V"', () => {
    // tables.elf: pmd entry at 0x80c9afb0 = 0x23f800e7 = (0x8fe00 << 10) | D A G W R V.
    const e = sv39.decode(PMD, 0x23f800e7, 0);
    expect(e.raw).toBe(0x23f800e7n);
    expect(e.level).toBe('pmd');
    expect(e.kind).toBe('leaf');
    expect(e.present).toBe(true);
    expect(e.phys).toBe(0x8fe00000);
    expect(e.pfn).toBe(0x8fe00);
    expect(e.flags).toEqual(['V', 'R', 'W', 'G', 'A', 'D']);
    expect(e.perms).toEqual({ read: true, write: true, exec: false, user: false, global: true, accessed: true, dirty: true });
    expect(e.attrs).toEqual({ pbmt: 'PMA', napot: false, rsw: 0, softDirty: false, uffdWp: false });
  });

  it('Linear mapping: "0xffffffd800000000-0xffffffd800200000 0x0000000080200000 2M PMD D A G . . . R V"', () => {
    // tables.elf: pmd at 0x8ffff000 = 0x200800e3 (PAGE_KERNEL_READ for pfn 0x80200).
    const e = sv39.decode(PMD, 0x200800e3, 0);
    expect(e.kind).toBe('leaf');
    expect(e.phys).toBe(0x80200000);
    expect(e.flags).toEqual(['V', 'R', 'G', 'A', 'D']);
    expect(e.perms).toEqual({ read: true, write: false, exec: false, user: false, global: true, accessed: true, dirty: true });
  });

  it('Kernel mapping: "0xffffffff80000000-0xffffffff80200000 0x0000000080200000 2M PMD D A G . X . R V"', () => {
    // tables.elf: pmd at 0x8fffe000 = 0x200800eb (PAGE_KERNEL_READ_EXEC).
    const e = sv39.decode(PMD, 0x200800eb, 0);
    expect(e.kind).toBe('leaf');
    expect(e.phys).toBe(0x80200000);
    expect(e.flags).toEqual(['V', 'R', 'X', 'G', 'A', 'D']);
    expect(e.perms.exec).toBe(true);
    expect(e.perms.write).toBe(false);
  });

  it('vmalloc: "0xffffffc800601000-0xffffffc800602000 0x0000000010000000 4K PTE D A G . . W R V"', () => {
    // tables.elf: pte at 0x81015008 = 0x040000e7.
    const e = sv39.decode(PTE, 0x040000e7, 0);
    expect(e.level).toBe('pte');
    expect(e.kind).toBe('leaf');
    expect(e.phys).toBe(0x10000000);
    expect(e.pfn).toBe(0x10000);
    expect(e.flags).toEqual(['V', 'R', 'W', 'G', 'A', 'D']);
  });

  it('Linear mapping pte: "0xffffffd800400000-0xffffffd800600000 0x0000000080600000 2M PTE D A G . . W R V"', () => {
    // tables.elf: pte[0] of the table at 0x812b5000 = 0x201800e7, pte[1] = 0x201804e7.
    expect(sv39.decode(PTE, 0x201800e7, 0).phys).toBe(0x80600000);
    expect(sv39.decode(PTE, 0x201804e7, 0).phys).toBe(0x80601000);
  });

  it('top-level table slots decode as pud tables in Sv39', () => {
    // swapper_pg_dir[352] = 0x23fffc01 (linear map pmd table at 0x8ffff000).
    for (const d of [PGD, P4D, PUD] as Depth[]) {
      const e = sv39.decode(d, 0x23fffc01, 0);
      expect(e.level).toBe('pud');
      expect(e.kind).toBe('table');
      expect(e.phys).toBe(0x8ffff000);
      expect(e.flags).toEqual(['V']);
    }
    expect(sv39.decode(PGD, 0, 0).kind).toBe('none');
    // Sv48 decodes its top slots as p4d.
    expect(sv48.decode(PGD, 0x23fffc01, 0).level).toBe('p4d');
  });
});

describe('riscv64 decode kinds and flags', () => {
  it('none, not-present, bad, table, leaf', () => {
    expect(sv57.decode(PGD, 0, 0).kind).toBe('none');
    expect(sv57.decode(PGD, 0, 0).phys).toBeNull();
    // p4d/pgd with V clear and not zero: *_bad() -> 'bad' (the kernel clears it).
    expect(sv48.decode(P4D, 0x20326800, 0).kind).toBe('bad');
    expect(sv57.decode(PGD, 0x20326800, 0).kind).toBe('bad');
    expect(sv57.decode(PGD, 0x20326800, 0).present).toBe(false);
    // pud/pmd/pte swap entry: 'not-present'.
    const swap = (3n << 7n) | (0x1234n << 12n);
    for (const d of [PUD, PMD, PTE] as Depth[]) {
      const e = sv39.decode(d, lo(swap), hi(swap));
      expect(e.kind).toBe('not-present');
      expect(e.present).toBe(false);
      expect(e.phys).toBeNull();
      expect(e.pfn).toBeNull();
    }
    // PROT_NONE user pte (PAGE_NONE = G | R, V clear) is a present leaf for the kernel.
    const none = (0x81234n << 10n) | G | R | A | U;
    const e = sv39.decode(PTE, lo(none), hi(none));
    expect(e.kind).toBe('leaf');
    expect(e.flags).toEqual(['R', 'U', 'G', 'A']);
    // 512G leaf at Sv48's top.
    const big = sv48.decode(P4D, lo(0x20000004e7n), hi(0x20000004e7n));
    expect(big.kind).toBe('leaf');
    expect(big.phys).toBe(2 ** 39);
  });

  it('flags and attrs of the high bits: N, PBMT, RSW, software bits, reserved', () => {
    const v = NAPOT | PBMT_NC | (1n << 60n) | (1n << 59n) | (1n << 54n) | (0x80218n << 10n) | (2n << 8n) | _PAGE_KERNEL | X | U;
    const e = sv39.decode(PTE, lo(v), hi(v));
    expect(e.raw).toBe(v);
    expect(e.flags).toEqual(['V', 'R', 'W', 'X', 'U', 'G', 'A', 'D', 'RSW(2)', 'RSV', 'SOFT_DIRTY', 'UFFD_WP', 'PBMT(NC)', 'N']);
    expect(e.attrs).toEqual({ pbmt: 'NC', napot: true, rsw: 2, softDirty: true, uffdWp: true, reserved: 1 });
    expect(e.phys).toBe(0x80210000);
    const io = PBMT_IO | PBMT_NC | 0x40000e7n; // encoding 3: reserved
    expect(sv39.decode(PTE, lo(io), hi(io)).attrs.pbmt).toBe('RSVD');
    expect(sv39.decode(PTE, lo(io), hi(io)).flags).toContain('PBMT(RSVD)');
  });
});

describe('riscv64 round trips: leafProt -> leafTemplate -> encodeLeaf', () => {
  it('reproduces every expressible combination at pud, pmd and pte', () => {
    const pbmts = ['PMA', 'NC', 'IO'] as const;
    const pas: Record<number, number> = { [PUD]: 0x1c0000000, [PMD]: 0xfedcba800000, [PTE]: 0x80210000 };
    let checked = 0;
    const failures: unknown[] = [];
    for (const d of [PUD, PMD, PTE] as Depth[]) {
      for (let bits = 0; bits < 128; bits++) {
        const p = prot({
          read: (bits & 1) !== 0,
          write: (bits & 2) !== 0,
          exec: (bits & 4) !== 0,
          user: (bits & 8) !== 0,
          global: (bits & 16) !== 0,
          accessed: (bits & 32) !== 0,
          dirty: (bits & 64) !== 0,
        });
        if (!p.read && !p.write && !p.exec) continue;
        if (p.write && !p.read) continue;
        for (const pbmt of pbmts) {
          for (const rsw of [0, 1, 2, 3]) {
            for (const sw of [0, 1, 2, 3]) {
              for (const napot of d === PTE ? [false, true] : [false]) {
                const attrs = { pbmt, rsw, softDirty: (sw & 1) !== 0, uffdWp: (sw & 2) !== 0, napot };
                const c = sv57;
                c.leafTemplate(d, { ...p, attrs });
                const tLo = c.lo;
                const tHi = c.hi;
                c.encodeLeaf(d, pas[d], tLo, tHi);
                const eLo = c.lo;
                const eHi = c.hi;
                const back = c.leafProt(d, eLo, eHi);
                const dec = c.decode(d, eLo, eHi);
                c.leafTemplate(d, back);
                const got = {
                  present: c.present(d, eLo, eHi),
                  leaf: c.leaf(d, eLo, eHi),
                  outputPa: c.outputPa(d, eLo, eHi),
                  kind: dec.kind,
                  phys: dec.phys,
                  template: [c.lo, c.hi],
                };
                const want = { present: true, leaf: true, outputPa: pas[d], kind: 'leaf', phys: pas[d], template: [tLo, tHi] };
                // Compare cheaply; hand the first mismatches to expect() for a readable diff.
                if (
                  canonical(got) !== canonical(want) ||
                  canonical(back) !== canonical({ ...p, attrs })
                ) {
                  failures.push({ d, prot: { ...p, attrs }, got, back });
                }
                checked++;
              }
            }
          }
        }
      }
    }
    expect(failures.slice(0, 3)).toEqual([]);
    // For each of the 16 U/G/A/D settings, 5 of the 8 R/W/X values are leaves
    // (R, RW, X, RX, RWX; not 000, W, WX): 80 per depth.
    expect(checked).toBe(80 * 3 * 4 * 4 * (1 + 1 + 2));
  });

  it('round-trips the real fixture entries', () => {
    for (const [d, v] of [
      [PMD, 0x23f800e7n],
      [PMD, 0x200800e3n],
      [PMD, 0x200800ebn],
      [PTE, 0x040000e7n],
      [PTE, 0x201804e7n],
    ] as [Depth, bigint][]) {
      const p = sv39.leafProt(d, lo(v), hi(v));
      sv39.leafTemplate(d, p);
      sv39.encodeLeaf(d, sv39.outputPa(d, lo(v), hi(v)), sv39.lo, sv39.hi);
      expect(wordsToBigInt(sv39.lo, sv39.hi)).toBe(v);
    }
  });
});

describe('riscv64 validation', () => {
  const ok = prot({ read: true, accessed: true, dirty: true });

  it('rejects write without read (reserved encoding)', () => {
    expectEinval(() => sv39.leafTemplate(PTE, prot({ write: true })), 'write=true', 'read=false', 'reserved');
    expectEinval(() => sv39.leafTemplate(PMD, prot({ write: true, exec: true })), 'write=true', 'reserved');
  });

  it('rejects R=W=X=0 (that is a table pointer)', () => {
    expectEinval(() => sv39.leafTemplate(PTE, prot({ user: true })), 'read=false, write=false, exec=false', 'next');
  });

  it('rejects unknown attrs and lists the accepted ones', () => {
    expectEinval(() => sv39.leafTemplate(PTE, { ...ok, attrs: { cache: 'WC' } }), '"cache"', 'pbmt', 'napot', 'rsw', 'softDirty', 'uffdWp');
  });

  it('rejects bad attr values, naming them', () => {
    expectEinval(() => sv39.leafTemplate(PTE, { ...ok, attrs: { pbmt: 'WC' } }), '"WC"', 'PMA');
    expectEinval(() => sv39.leafTemplate(PTE, { ...ok, attrs: { pbmt: 'RSVD' } }), '"RSVD"');
    expectEinval(() => sv39.leafTemplate(PTE, { ...ok, attrs: { rsw: 4 } }), 'rsw 4', '0..3');
    expectEinval(() => sv39.leafTemplate(PTE, { ...ok, attrs: { rsw: 1.5 } }), 'rsw 1.5');
    expectEinval(() => sv39.leafTemplate(PTE, { ...ok, attrs: { napot: 1 } }), 'napot', '1');
    expectEinval(() => sv39.leafTemplate(PTE, { ...ok, attrs: { softDirty: 'yes' } }), 'softDirty', 'yes');
    expectEinval(() => sv39.leafTemplate(PTE, { ...ok, attrs: { uffdWp: 0 } }), 'uffdWp', '0');
  });

  it('rejects napot above pte (N is reserved there)', () => {
    expectEinval(() => sv39.leafTemplate(PMD, { ...ok, attrs: { napot: true } }), 'napot=true', 'pmd');
    // napot: false is fine at any level.
    sv39.leafTemplate(PMD, { ...ok, attrs: { napot: false } });
    expect(wordsToBigInt(sv39.lo, sv39.hi)).toBe(V | R | A | D);
  });

  it('rejects a non-boolean permission and a bad depth', () => {
    expectEinval(() => sv39.leafTemplate(PTE, { ...ok, write: 'yes' as never }), 'prot.write', 'yes');
    expectEinval(() => sv39.leafTemplate(7 as Depth, ok), 'depth 7');
  });
});
