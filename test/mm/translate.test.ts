/**
 * translate(): the walk, the trace, the effective permissions and the faults.
 * Expected values are computed by hand from the architecture manuals:
 *   [SDM]  Intel SDM vol. 3A 4.5 (4-level paging: PML4 index = VA[47:39],
 *          PDPT VA[38:30], PD VA[29:21], PT VA[20:12]) and 4.6.1 (user access
 *          needs U/S=1 and writes need R/W=1 in every paging-structure entry of
 *          the walk; XD=1 in any entry forbids instruction fetch).
 *   [ARM]  Arm ARM D8 (VMSAv8-64 table descriptors: PXNTable bit 59, UXNTable
 *          bit 60, APTable[0] bit 61 = no EL0 access below, APTable[1] bit 62 =
 *          no write access below).
 *   [x86pgt] arch/x86/include/asm/pgtable.h p4d_bad(): flags other than
 *          _KERNPG_TABLE | _PAGE_USER (| _PAGE_NX under PTI) make it bad.
 */
import { describe, expect, it } from 'vitest';
import { P4D, PMD, PTE, PUD, type FullProt } from '../../src/arch/types.js';
import { catchPw, findMode, makeRig, type Rig } from './harness.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function full(p: Partial<FullProt>): FullProt {
  return { read: true, write: false, exec: false, user: false, global: false, accessed: true, dirty: true, attrs: {}, ...p };
}

describe('translate: the issue example (x86-64 4-level, 2M direct map)', () => {
  const rig = makeRig(findMode('x86-64', '4level')!);
  const mm = rig.initMm;
  mm.map(0xffff888000000000, 0x0, 1 << 30, { read: true, write: true, global: true, exec: false }, { pageSize: '2M' });

  it('0xffff888000123456 -> 0x123456 through a 2M pmd leaf, 3 steps: pgd 273, pud 0, pmd 0', () => {
    const t = mm.translate(0xffff888000123456n);
    expect(t.mapped).toBe(true);
    expect(t.fault).toBeNull();
    expect(t.va).toBe(0xffff888000123456n);
    expect(t.phys).toBe(0x123456n);
    expect(t.pageSize).toBe(2 * MiB);
    expect(t.level).toBe('pmd');
    // VA[47:39] = 0x888000123456 >> 39 = 0x111 = 273; VA[38:30] = 0; VA[29:21] = 0x123456 >> 21 = 0 [SDM].
    expect(t.trace.map((s) => [s.level, s.index])).toEqual([
      ['pgd', 273],
      ['pud', 0],
      ['pmd', 0],
    ]);
    expect(t.trace[0].table).toBe(mm.root);
    for (const s of t.trace) expect(s.entryAddress).toBe(s.table + s.index * 8);
    // Each step's table is the one the previous entry names.
    expect(t.trace[1].table).toBe(t.trace[0].entry!.phys);
    expect(t.trace[2].table).toBe(t.trace[1].entry!.phys);
    expect(t.trace.map((s) => s.entry!.kind)).toEqual(['table', 'table', 'leaf']);
    expect(t.perms).toMatchObject({ read: true, write: true, exec: false, user: false, global: true });
  });

  it('the last byte of the 1 GiB and the next 2M leaf', () => {
    const last = mm.translate(0xffff88803fffffffn);
    expect(last.phys).toBe(0x3fffffffn);
    // VA[29:21] of 0x...3fffffff = 511
    expect(last.trace[2].index).toBe(511);
    const second = mm.translate(0xffff888000200000);
    expect(second.phys).toBe(0x200000n);
    expect(second.trace[2].index).toBe(1);
    const after = mm.translate(0xffff888040000000n);
    expect(after.mapped).toBe(false);
    expect(after.fault).toBe('none');
    // pud index VA[38:30] = 1: empty
    expect(after.trace.map((s) => [s.level, s.index])).toEqual([
      ['pgd', 273],
      ['pud', 1],
    ]);
  });

  it('a number and a bigint address give the same answer', () => {
    const a = mm.translate(0xffff888000200000);
    const b = mm.translate(0xffff888000200000n);
    expect(a.phys).toBe(b.phys);
    expect(a.trace.map((s) => s.entryAddress)).toEqual(b.trace.map((s) => s.entryAddress));
  });
});

/**
 * Builds by hand, in a fresh x86-64 4-level user address space, the walk for
 * va 0x40201000: pgd index 0, pud index 1, pmd index 1, pte index 1 [SDM],
 * with directory entries written by codec.encodeTable and the pte by
 * codec.encodeLeaf. Returns the physical addresses of the entries.
 */
function craftX86(rig: Rig, leaf: Partial<FullProt>) {
  const mm = rig.createUserMm();
  const c = rig.codec;
  const pud = 60 * MiB;
  const pmd = pud + 0x1000;
  const pt = pud + 0x2000;
  const slots = { pgd: mm.root + 0 * 8, pud: pud + 1 * 8, pmd: pmd + 1 * 8, pte: pt + 1 * 8 };
  const put = (pa: number) => expect(rig.memory.write(pa, c.lo, c.hi)).toBe(true);
  c.encodeTable(P4D, pud, true); // x86 4-level: the pgd slot is checked as a p4d
  put(slots.pgd);
  c.encodeTable(PUD, pmd, true);
  put(slots.pud);
  c.encodeTable(PMD, pt, true);
  put(slots.pmd);
  c.leafTemplate(PTE, full(leaf));
  c.encodeLeaf(PTE, 0x1234000, c.lo, c.hi);
  put(slots.pte);
  const patch = (pa: number, f: (lo: number, hi: number) => [number, number]) => {
    expect(rig.memory.read(pa)).toBe(true);
    const [lo, hi] = f(rig.memory.lo, rig.memory.hi);
    rig.memory.write(pa, lo, hi);
  };
  return { mm, slots, patch };
}

describe('translate: effective permissions on x86-64 (hand-built tables) [SDM 4.6.1]', () => {
  const VA = 0x40201000;
  const leaf = { read: true, write: true, exec: true, user: true };

  it('the hand-built walk translates, every level granting everything', () => {
    const rig = makeRig(findMode('x86-64', '4level')!);
    const { mm } = craftX86(rig, leaf);
    const t = mm.translate(VA + 0x56);
    expect(t.phys).toBe(0x1234056n);
    expect(t.pageSize).toBe(4096);
    expect(t.level).toBe('pte');
    expect(t.trace.map((s) => [s.level, s.index])).toEqual([
      ['pgd', 0],
      ['pud', 1],
      ['pmd', 1],
      ['pte', 1],
    ]);
    expect(t.perms).toMatchObject({ read: true, write: true, exec: true, user: true });
  });

  it('a kernel directory entry (US clear) above a user leaf: user false', () => {
    const rig = makeRig(findMode('x86-64', '4level')!);
    const { mm, slots, patch } = craftX86(rig, leaf);
    patch(slots.pud, (lo, hi) => [lo & ~0x4, hi]); // _KERNPG_TABLE as head_64.S writes it: US clear
    const t = mm.translate(VA);
    expect(t.mapped).toBe(true);
    expect(t.leaf!.perms.user).toBe(true); // the leaf's own bit
    expect(t.perms).toMatchObject({ user: false, write: true, exec: true });
  });

  it('a read-only directory entry (RW clear): write false', () => {
    const rig = makeRig(findMode('x86-64', '4level')!);
    const { mm, slots, patch } = craftX86(rig, leaf);
    patch(slots.pmd, (lo, hi) => [lo & ~0x2, hi]);
    const t = mm.translate(VA);
    expect(t.leaf!.perms.write).toBe(true);
    expect(t.perms).toMatchObject({ write: false, user: true, exec: true });
  });

  it('NX in a directory entry: exec false', () => {
    const rig = makeRig(findMode('x86-64', '4level')!);
    const { mm, slots, patch } = craftX86(rig, leaf);
    patch(slots.pgd, (lo, hi) => [lo, hi | (1 << 31)]); // bit 63; pgd_bad() tolerates NX under PTI
    const t = mm.translate(VA);
    expect(t.mapped).toBe(true);
    expect(t.leaf!.perms.exec).toBe(true);
    expect(t.perms).toMatchObject({ exec: false, write: true, user: true });
  });

  it('limits from several levels combine', () => {
    const rig = makeRig(findMode('x86-64', '4level')!);
    const { mm, slots, patch } = craftX86(rig, leaf);
    patch(slots.pud, (lo, hi) => [lo & ~0x2, hi]);
    patch(slots.pmd, (lo, hi) => [lo & ~0x4, hi | (1 << 31)]);
    expect(mm.translate(VA).perms).toMatchObject({ read: true, write: false, exec: false, user: false });
  });
});

describe('translate: faults', () => {
  it("an empty address space: fault 'none' at the first level", () => {
    const rig = makeRig(findMode('x86-64', '4level')!);
    const mm = rig.createUserMm();
    const t = mm.translate(0x40201000);
    expect(t.mapped).toBe(false);
    expect(t.fault).toBe('none');
    expect(t.phys).toBeNull();
    expect(t.perms).toBeNull();
    expect(t.trace).toHaveLength(1);
    expect(t.trace[0]).toMatchObject({ level: 'pgd', index: 0, table: mm.root, raw: 0n });
    expect(t.trace[0].entry!.kind).toBe('none');
  });

  it("the trace ends at the empty level: a 4K page at 0x40000000, then 0x40201000 stops at pmd index 1", () => {
    const rig = makeRig(findMode('x86-64', '4level')!);
    const mm = rig.createUserMm();
    mm.map(0x40000000, 0x5000, 4096, { write: true, user: true });
    const t = mm.translate(0x40201000);
    expect(t.fault).toBe('none');
    expect(t.trace.map((s) => [s.level, s.index])).toEqual([
      ['pgd', 0],
      ['pud', 1],
      ['pmd', 1],
    ]);
    expect(t.trace[2].raw).toBe(0n);
    // Same pte table, another index: fault at the pte.
    const u = mm.translate(0x40001000);
    expect(u.fault).toBe('none');
    expect(u.trace.map((s) => s.level)).toEqual(['pgd', 'pud', 'pmd', 'pte']);
    expect(u.trace[3].index).toBe(1);
  });

  it("a table pointer outside the image: fault 'outside-image' at the step whose table is missing", () => {
    const rig = makeRig(findMode('x86-64', '4level')!);
    const mm = rig.createUserMm();
    const outside = 2 ** 40; // 1 TiB; the image is 64 MiB at 0
    rig.codec.encodeTable(P4D, outside, true);
    rig.memory.write(mm.root, rig.codec.lo, rig.codec.hi);
    const t = mm.translate(0x1000);
    expect(t.mapped).toBe(false);
    expect(t.fault).toBe('outside-image');
    expect(t.trace).toHaveLength(2);
    expect(t.trace[1]).toMatchObject({ level: 'pud', table: outside, index: 0, raw: null, entry: null });
  });

  it("a pgd entry failing p4d_bad() (PSE set): fault 'bad' [x86pgt]", () => {
    const rig = makeRig(findMode('x86-64', '4level')!);
    const mm = rig.createUserMm();
    rig.codec.encodeTable(P4D, 60 * MiB, true);
    rig.memory.write(mm.root, rig.codec.lo | 0x80, rig.codec.hi);
    const t = mm.translate(0x1000);
    expect(t.mapped).toBe(false);
    expect(t.fault).toBe('bad');
    expect(t.trace).toHaveLength(1);
    expect(t.trace[0].entry!.kind).toBe('bad');
  });

  it('a table that points at itself (a loop) never makes translate hang, throw or write', () => {
    const rig = makeRig(findMode('x86-64', '4level')!);
    const mm = rig.createUserMm();
    // A loop: the pgd slot points at the pgd itself.
    rig.codec.encodeTable(P4D, mm.root, true);
    rig.memory.write(mm.root, rig.codec.lo, rig.codec.hi);
    const before = rig.memory.regions[0].bytes.slice();
    // The hardware walks the root at every level (the recursive-mapping trick).
    const t = mm.translate(0x1000);
    expect(t.trace).toHaveLength(4);
    expect(t.trace.map((s) => [s.table, s.index])).toEqual([
      [mm.root, 0],
      [mm.root, 0],
      [mm.root, 0],
      [mm.root, 1], // VA[20:12] of 0x1000: the root's slot 1, empty
    ]);
    expect(t.fault).toBe('none');
    expect(Buffer.from(rig.memory.regions[0].bytes).equals(Buffer.from(before))).toBe(true);
  });

  it('a non-canonical address throws EINVAL naming it', () => {
    const rig = makeRig(findMode('x86-64', '4level')!);
    for (const va of [0x0000800000000000n, 0xffff7fffffffffffn, 2n ** 64n, -1n]) {
      const e = catchPw(() => rig.initMm.translate(va));
      expect(e.code).toBe('EINVAL');
      expect(e.message).toContain(va < 0n ? '-0x1' : '0x' + va.toString(16));
    }
  });
});

describe('translate: arm64 hierarchical permissions [ARM]', () => {
  // arm64 4k-48: pgd VA[47:39] (checked as p4d: 4 levels, p4d folded), pud VA[38:30], pmd VA[29:21], pte VA[20:12].
  const mode = findMode('arm64', '4k-48');
  const VA = 0x40201000; // indices 0, 1, 1, 1
  const HI_PXNTABLE = 1 << (59 - 32);
  const HI_UXNTABLE = 1 << (60 - 32);
  const HI_APTABLE0 = 1 << (61 - 32);
  const HI_APTABLE1 = 1 << (62 - 32);

  function craft(leaf: Partial<FullProt>, pmdHi: number) {
    const rig = makeRig(mode!);
    const mm = rig.createUserMm();
    const c = rig.codec;
    const base = rig.memory.regions[0].base + 60 * MiB;
    const pud = base;
    const pmd = base + 0x1000;
    const pt = base + 0x2000;
    const put = (pa: number, extraHi = 0) => expect(rig.memory.write(pa, c.lo, c.hi | extraHi)).toBe(true);
    // Table descriptors as written for a user table, but without the PXNTable
    // pgalloc.h adds, so each test sets exactly the bits it is about.
    c.encodeTable(P4D, pud, true);
    rig.memory.write(mm.root, c.lo, c.hi & ~(HI_PXNTABLE | HI_UXNTABLE));
    c.encodeTable(PUD, pmd, true);
    rig.memory.write(pud + 8, c.lo, c.hi & ~(HI_PXNTABLE | HI_UXNTABLE));
    c.encodeTable(PMD, pt, true);
    rig.memory.write(pmd + 8, c.lo, (c.hi & ~(HI_PXNTABLE | HI_UXNTABLE)) | pmdHi);
    c.leafTemplate(PTE, full(leaf));
    c.encodeLeaf(PTE, 0x41234000, c.lo, c.hi);
    put(pt + 8);
    return mm;
  }

  it.skipIf(mode === undefined)('no table limits: the leaf permissions', () => {
    const t = craft({ read: true, write: true, exec: true, user: true }, 0).translate(VA);
    expect(t.phys).toBe(0x41234000n);
    expect(t.trace.map((s) => s.index)).toEqual([0, 1, 1, 1]);
    expect(t.perms).toMatchObject({ read: true, write: true, exec: true, user: true });
  });

  it.skipIf(mode === undefined)('APTable[0]: no EL0 access below -> user false', () => {
    const t = craft({ read: true, write: true, exec: true, user: true }, HI_APTABLE0).translate(VA);
    expect(t.perms!.user).toBe(false);
    expect(t.leaf!.perms.user).toBe(true);
  });

  it.skipIf(mode === undefined)('APTable[1]: no writes below -> write false', () => {
    const t = craft({ read: true, write: true, exec: true, user: true }, HI_APTABLE1).translate(VA);
    expect(t.perms).toMatchObject({ write: false, user: true, exec: true });
  });

  it.skipIf(mode === undefined)('UXNTable: a user page below is not executable; PXNTable does not affect it', () => {
    expect(craft({ read: true, exec: true, user: true }, HI_UXNTABLE).translate(VA).perms!.exec).toBe(false);
    expect(craft({ read: true, exec: true, user: true }, HI_PXNTABLE).translate(VA).perms!.exec).toBe(true);
  });

  it.skipIf(mode === undefined)('PXNTable: a kernel page below is not executable; UXNTable does not affect it', () => {
    expect(craft({ read: true, exec: true, user: false }, HI_PXNTABLE).translate(VA).perms!.exec).toBe(false);
    expect(craft({ read: true, exec: true, user: false }, HI_UXNTABLE).translate(VA).perms!.exec).toBe(true);
  });

  it.skipIf(mode === undefined)('map() in a user address space writes user tables: a kernel page there cannot execute (pgalloc.h PMD_TABLE_PXN)', () => {
    const rig = makeRig(mode!);
    const mm = rig.createUserMm();
    mm.map(0x40200000, 0x41000000, 4096, { read: true, exec: true, user: false });
    mm.map(0x40201000, 0x41001000, 4096, { read: true, exec: true, user: true });
    expect(mm.translate(0x40200000).perms!.exec).toBe(false);
    expect(mm.translate(0x40201000).perms!.exec).toBe(true);
  });
});

describe('translate: huge leaves report their own size and level', () => {
  it('x86-64 1G pud leaf', () => {
    const rig = makeRig(findMode('x86-64', '4level')!);
    const mm = rig.createUserMm();
    mm.map(GiB, 3 * GiB, GiB, { write: true, user: true }, { pageSize: '1G' });
    const t = mm.translate(BigInt(GiB) + 0x12345678n);
    expect(t).toMatchObject({ mapped: true, phys: BigInt(3 * GiB) + 0x12345678n, pageSize: GiB, level: 'pud' });
    // pud index VA[38:30] = 1
    expect(t.trace.map((s) => [s.level, s.index])).toEqual([
      ['pgd', 0],
      ['pud', 1],
    ]);
  });

  it('riscv64 Sv39 1G leaf in the top table (checked as pud)', () => {
    const rig = makeRig(findMode('riscv64', 'sv39')!);
    const mm = rig.createUserMm();
    mm.map(2 * GiB, 0x80000000, GiB, { write: true, user: true }, { pageSize: '1G' });
    const t = mm.translate(2 * GiB + 0x1000);
    // Sv39 VPN[2] = VA[38:30] = 2
    expect(t).toMatchObject({ mapped: true, phys: 0x80001000n, pageSize: GiB, level: 'pud' });
    expect(t.trace.map((s) => [s.level, s.index])).toEqual([['pgd', 2]]);
  });
});
