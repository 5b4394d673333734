/**
 * A failed map/unmap/protect leaves the image byte-for-byte as it was and the
 * table allocator's counters unchanged (DESIGN.md, "Bad input": "A failed
 * mutation leaves the tables exactly as they were"). Each case is arranged so
 * that the failure comes after the operation has already allocated tables or
 * written entries, so the undo journal is what is being tested.
 */
import { describe, expect, it } from 'vitest';
import type { ArchMode, Prot } from '../../src/arch/types.js';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';
import { AddressSpace } from '../../src/mm/address-space.js';
import { catchPw, diffSnapshot, findMode, machineModule, makeRig, modeName, snapshot, type Rig } from './harness.js';

const MiB = 1024 * 1024;

const MODES: [string, string][] = [
  ['x86-64', '4level'],
  ['x86-64', '5level'],
  ['riscv64', 'sv39'],
  ['riscv64', 'sv48'],
  ['arm64', '4k-48'],
  ['arm64', '16k-36'],
  ['arm64', '64k-42'],
  ['loongarch64', '16k-3level'],
  ['loongarch64', '64k-2level'],
];

/** A prot each arch cannot express (see model.ts expressible() for the sources). */
const BAD_PROT: Record<string, Prot> = {
  'x86-64': { read: false },
  riscv64: { read: false, write: true },
  arm64: { read: false, write: true },
  loongarch64: { attrs: { mat: 'bogus' } },
};

interface Setup {
  rig: Rig;
  mm: AddressSpace;
  /** Base page and smallest huge leaf. */
  P: number;
  H: number;
  /** A fresh, H-aligned user address with room for 8 huge leaves. */
  X: number;
  prot: Prot;
}

function setup(mode: ArchMode, ramMiB = 16): Setup {
  const ram = [{ base: mode.defaultRamBase, size: ramMiB * MiB }];
  const rig = makeRig(mode, { ram });
  const mm = rig.createUserMm();
  const [P, H] = mm.pageSizes;
  return { rig, mm, P, H, X: 64 * H, prot: { read: true, write: true, user: true } };
}

/** Takes pages out of the pool until `left` remain (they stay allocated, unfilled). */
function drain(rig: Rig, left: number): void {
  const a = rig.allocator!;
  while (a.available > left) expect(a.alloc()).toBeGreaterThanOrEqual(0);
  expect(a.available).toBe(left);
}

function expectUnchanged(rig: Rig, snap: ReturnType<typeof snapshot>): void {
  expect(diffSnapshot(rig, snap)).toBeNull();
}

for (const [arch, name] of MODES) {
  const mode = findMode(arch, name);
  describe.skipIf(mode === undefined)(`atomicity: ${arch} ${name}`, () => {
    it('map over an existing mapping: EEXIST after two pte tables were already allocated', () => {
      const { rig, mm, P, H, X, prot } = setup(mode!);
      mm.map(X + 2 * H + P, H, P, prot);
      const snap = snapshot(rig);
      const e = catchPw(() => mm.map(X, 8 * H, 4 * H, prot));
      expect(e.code).toBe('EEXIST');
      expect(e.message).toContain('0x' + (X + 2 * H + P).toString(16));
      expectUnchanged(rig, snap);
      expect(mm.translate(X + 2 * H + P).mapped).toBe(true);
      expect(mm.translate(X).mapped).toBe(false);
    });

    it('map inside a huge leaf: EEXIST naming the leaf', () => {
      const { rig, mm, P, H, X, prot } = setup(mode!);
      mm.map(X, 8 * H, H, prot, { pageSize: H });
      const snap = snapshot(rig);
      const e = catchPw(() => mm.map(X - P, 0, 2 * P, prot));
      expect(e.code).toBe('EEXIST');
      expectUnchanged(rig, snap);
    });

    it('the table pool runs dry half-way through a map: ENOMEM, nothing left behind', () => {
      // Measure what createMachine + createUserMm take, then build the same machine with 4 spare pages.
      const probe = setup(mode!);
      const used = probe.rig.tablePages;
      const base = mode!.defaultRamBase;
      const page = probe.P;
      const rig = makeRig(mode!, { ram: [{ base, size: 16 * MiB }], tablePool: { base, size: (used + 4) * page } });
      const mm = rig.createUserMm();
      expect(rig.allocator!.available).toBe(4);
      const { H, X, prot } = probe;
      const snap = snapshot(rig);
      // Base pages over 5 huge slots need at least 5 pte tables (plus any directories above).
      const e = catchPw(() => mm.map(X, 8 * H, 5 * H, prot));
      expect(e.code).toBe('ENOMEM');
      expectUnchanged(rig, snap);
      expect(rig.allocator!.available).toBe(4);
      // and the pool still works: a map that needs what is left succeeds
      mm.map(X, 8 * H, page, prot);
      expect(mm.translate(X).phys).toBe(BigInt(8 * H));
    });

    it('protect over a range with a hole: ENOENT naming the hole, though the range starts by splitting a huge leaf', () => {
      const { rig, mm, P, H, X, prot } = setup(mode!);
      mm.map(X, 8 * H, H, prot, { pageSize: H });
      mm.map(X + H, 9 * H, P, prot);
      const snap = snapshot(rig);
      const e = catchPw(() => mm.protect(X + P, H + P, { write: false }));
      expect(e.code).toBe('ENOENT');
      expect(e.message).toContain('0x' + (X + H + P).toString(16));
      expectUnchanged(rig, snap);
    });

    it('map with a prot the arch cannot express: EINVAL, also with replace over a mapping', () => {
      const { rig, mm, P, H, X, prot } = setup(mode!);
      mm.map(X, 8 * H, H, prot, { pageSize: H });
      const snap = snapshot(rig);
      expect(catchPw(() => mm.map(X + H, 8 * H, 2 * H, BAD_PROT[arch], { pageSize: 'auto' })).code).toBe('EINVAL');
      expect(catchPw(() => mm.map(X, 0, H + P, BAD_PROT[arch], { replace: true })).code).toBe('EINVAL');
      expectUnchanged(rig, snap);
    });

    it('protect with an inexpressible prot after splitting a huge leaf: EINVAL, split undone', () => {
      const { rig, mm, P, H, X, prot } = setup(mode!);
      mm.map(X, 8 * H, H, prot, { pageSize: H });
      const snap = snapshot(rig);
      const e = catchPw(() => mm.protect(X + P, P, BAD_PROT[arch]));
      expect(e.code).toBe('EINVAL');
      expectUnchanged(rig, snap);
      expect(mm.translate(X + P).pageSize).toBe(H);
    });

    it('map with replace: the pool runs dry on the second split', () => {
      const { rig, mm, P, H, X, prot } = setup(mode!);
      mm.map(X, 8 * H, 2 * H, prot, { pageSize: H });
      drain(rig, 1);
      const snap = snapshot(rig);
      // [X + H - P, X + H + P): splits the leaf at X (the last page), then the one at X + H.
      const e = catchPw(() => mm.map(X + H - P, 0, 2 * P, { read: true }, { replace: true }));
      expect(e.code).toBe('ENOMEM');
      expectUnchanged(rig, snap);
      expect(mm.translate(X + H - P).pageSize).toBe(H);
    });

    it('unmap and protect that need a split when the pool is empty: ENOMEM', () => {
      const { rig, mm, P, H, X, prot } = setup(mode!);
      mm.map(X, 8 * H, 2 * H, prot, { pageSize: H });
      drain(rig, 0);
      const snap = snapshot(rig);
      expect(catchPw(() => mm.unmap(X + P, P)).code).toBe('ENOMEM');
      expectUnchanged(rig, snap);
      // unmapping a whole leaf and its neighbour's first page: the first part succeeds, then the split fails
      expect(catchPw(() => mm.unmap(X, H + P)).code).toBe('ENOMEM');
      expectUnchanged(rig, snap);
      expect(catchPw(() => mm.protect(X, H + P, { global: true })).code).toBe('ENOMEM');
      expectUnchanged(rig, snap);
      // whole leaves need no table
      expect(mm.unmap(X, H)).toBe(H);
    });

    it('a successful replace splits, rewrites and later frees tables', () => {
      const { rig, mm, P, H, X, prot } = setup(mode!);
      const baseline = rig.tablePages;
      mm.map(X, 8 * H, H, prot, { pageSize: H });
      const withLeaf = rig.tablePages;
      mm.map(X + P, 0x5 * P, P, { read: true }, { replace: true });
      expect(rig.tablePages).toBe(withLeaf + 1); // one pte table from the split
      const mid = mm.translate(X + P);
      expect(mid).toMatchObject({ phys: BigInt(5 * P), pageSize: P });
      expect(mid.perms).toMatchObject({ read: true, write: false });
      for (const va of [X, X + 2 * P, X + H - P]) {
        const t = mm.translate(va);
        expect(t.phys).toBe(BigInt(8 * H + (va - X)));
        expect(t.pageSize).toBe(P);
        expect(t.perms).toMatchObject({ write: true, user: true });
      }
      mm.map(X, 3 * H, H, prot, { pageSize: H, replace: true });
      expect(rig.tablePages).toBe(withLeaf); // the pte table is freed
      expect(mm.translate(X + P)).toMatchObject({ phys: BigInt(3 * H + P), pageSize: H });
      expect(mm.unmap(X, H)).toBe(H);
      expect(rig.tablePages).toBe(baseline);
    });
  });
}

describe('atomicity: an EINVAL found only at the second leaf size (riscv Svnapot)', () => {
  const mode = findMode('riscv64', 'sv39')!;
  it("map 'auto' with attrs.napot: the pte leaves are written, the 2M leaf is refused, all undone", () => {
    const { rig, mm, P, H, X } = setup(mode);
    const snap = snapshot(rig);
    // [X + H - P, X + 2H): one 4K leaf (N allowed at level 0), then a 2M leaf (N reserved above level 0: Svnapot).
    const e = catchPw(() => mm.map(X + H - P, 8 * H + H - P, H + P, { read: true, attrs: { napot: true } }, { pageSize: 'auto' }));
    expect(e.code).toBe('EINVAL');
    expect(e.message).toContain('napot');
    expectUnchanged(rig, snap);
  });
});

describe('read-only images', () => {
  it('map/unmap/protect on an image loaded read-only: EROFS, bytes untouched; translate still works', () => {
    const mode = findMode('x86-64', '4level')!;
    const rig = makeRig(mode, { ram: [{ base: 0, size: 4 * MiB }] });
    rig.initMm.map(0xffff888000000000, 0, 4 * MiB, { write: true }, { pageSize: '2M' });
    const bytes = rig.memory.regions[0].bytes.slice();
    const copy = bytes.slice();
    const memory = PhysicalMemory.fromRaw(bytes, 0);
    expect(memory.writable).toBe(false);
    const mm =
      machineModule !== null
        ? machineModule.openImage(memory, { arch: 'x86-64', mode: '4level', root: rig.initMm.root }).initMm
        : new AddressSpace({ arch: mode, codec: mode.createCodec(), memory, allocator: null, root: rig.initMm.root, kind: 'kernel' });
    expect(mm.translate(0xffff888000201000n).phys).toBe(0x201000n);
    for (const op of [
      () => mm.map(0xffff888000400000, 0, 4096, {}),
      () => mm.unmap(0xffff888000000000, 4096),
      () => mm.protect(0xffff888000000000, 2 * MiB, { write: false }),
      () => mm.map(0xffff888000000000, 0, 2 * MiB, {}, { pageSize: '2M', replace: true }),
    ]) {
      const e = catchPw(op);
      expect(e.code).toBe('EROFS');
    }
    expect(Buffer.from(bytes).equals(Buffer.from(copy))).toBe(true);
  });

  it.skipIf(machineModule === null)('the same image loaded writable with a table pool can be changed', () => {
    const rig = makeRig(findMode('x86-64', '4level')!, { ram: [{ base: 0, size: 4 * MiB }] });
    rig.initMm.map(0xffff888000000000, 0, 2 * MiB, { write: true }, { pageSize: '2M' });
    const memory = PhysicalMemory.fromRaw(rig.memory.regions[0].bytes.slice(), 0, { writable: true });
    const m = machineModule!.openImage(memory, {
      arch: 'x86-64',
      mode: '4level',
      root: rig.initMm.root,
      tablePool: { base: 2 * MiB, size: 2 * MiB },
    });
    m.initMm.unmap(0xffff888000001000, 4096); // splits: needs a table from the pool
    expect(m.initMm.translate(0xffff888000001000).mapped).toBe(false);
    expect(m.initMm.translate(0xffff888000002000).pageSize).toBe(4096);
    expect(m.tablePages).toBe(1);
  });
});

describe('atomicity: modes', () => {
  it('covers at least one mode of each arch the registry has', () => {
    const arches = new Set(MODES.map(([a, m]) => findMode(a, m)).filter((m) => m !== undefined).map((m) => modeName(m!).split(' ')[0]));
    expect(arches.has('x86-64')).toBe(true);
    expect(arches.has('riscv64')).toBe(true);
  });
});
