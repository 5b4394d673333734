/**
 * Bad input: every entry point refuses it with the errno the kernel would
 * use (EINVAL) and a message naming the offending value, and changes nothing.
 * Canonical ranges are from the manuals: x86-64 4-level VA[63:47] all equal
 * (Intel SDM 3.3.7.1), so the halves are [0, 2^47) and [2^64 - 2^47, 2^64);
 * 5-level: 57 bits. Physical widths: x86-64 MAXPHYADDR at most 52 (SDM
 * 4.1.4); arm64 48 bits without FEAT_LPA/LPA2 (Arm ARM D8 OA size).
 */
import { describe, expect, it } from 'vitest';
import { catchPw, diffSnapshot, findMode, machineModule, makeRig, snapshot } from './harness.js';

const MiB = 1024 * 1024;
const x86 = () => makeRig(findMode('x86-64', '4level')!);

describe('createMachine: unknown arch or mode', () => {
  const mod = machineModule;
  it.skipIf(mod === null)('an unknown arch names it and lists the arches', () => {
    // @ts-expect-error 'sparc64' is not an arch name: a compile error (ArchAndMode), and EINVAL at run time
    const e = catchPw(() => mod!.createMachine({ arch: 'sparc64', mode: '4level' }));
    expect(e.code).toBe('EINVAL');
    expect(e.message).toContain('"sparc64"');
    for (const a of ['x86-64', 'riscv64', 'arm64', 'loongarch64']) expect(e.message).toContain(a);
  });

  it.skipIf(mod === null)('an unknown mode names it and lists the modes of that arch', () => {
    // @ts-expect-error '3level' is not an x86-64 mode: a compile error, and EINVAL at run time
    const e = catchPw(() => mod!.createMachine({ arch: 'x86-64', mode: '3level' }));
    expect(e.code).toBe('EINVAL');
    expect(e.message).toContain('"3level"');
    expect(e.message).toContain('4level');
    expect(e.message).toContain('5level');
    // @ts-expect-error 'sv32' is not a riscv64 mode
    const r = catchPw(() => mod!.createMachine({ arch: 'riscv64', mode: 'sv32' }));
    expect(r.message).toContain('"sv32"');
    for (const m of ['sv39', 'sv48', 'sv57']) expect(r.message).toContain(m);
  });

  it.skipIf(mod === null)('aliases resolve (x86_64, aarch64, la57)', () => {
    expect(mod!.createMachine({ arch: 'x86_64', mode: 'la57' }).arch.mode).toBe('5level');
    expect(mod!.createMachine({ arch: 'aarch64', mode: '4k-48' }).arch.arch).toBe('arm64');
  });

  it.skipIf(mod === null)('no options object', () => {
    // @ts-expect-error deliberately wrong
    expect(catchPw(() => mod!.createMachine(undefined)).code).toBe('EINVAL');
  });
});

describe('map: addresses', () => {
  it('a non-canonical va (x86-64 4-level: 0x800000000000)', () => {
    const rig = x86();
    const snap = snapshot(rig);
    const e = catchPw(() => rig.initMm.map(0x800000000000, 0, 4096, {}));
    expect(e.code).toBe('EINVAL');
    expect(e.message).toContain('0x800000000000');
    // a range that starts canonical and runs past the end of the lower half
    const f = catchPw(() => rig.initMm.map(0x7ffffffff000, 0, 0x2000, {}));
    expect(f.code).toBe('EINVAL');
    expect(f.message).toContain('0x7ffffffff000');
    expect(diffSnapshot(rig, snap)).toBeNull();
  });

  it('5-level accepts what 4-level refuses', () => {
    const rig = makeRig(findMode('x86-64', '5level')!);
    rig.initMm.map(0x800000000000, 0, 4096, {});
    expect(rig.initMm.translate(0x800000000000).mapped).toBe(true);
    const e = catchPw(() => rig.initMm.map(0x100000000000000, 0, 4096, {}));
    expect(e.code).toBe('EINVAL');
    expect(e.message).toContain('0x100000000000000');
  });

  it('a user address space may only change the lower half', () => {
    const rig = x86();
    const mm = rig.createUserMm();
    const snap = snapshot(rig);
    for (const op of [
      () => mm.map(0xffff888000000000, 0, 4096, {}),
      () => mm.unmap(0xffff888000000000, 4096),
      () => mm.protect(0xffff888000000000, 4096, { write: true }),
    ]) {
      const e = catchPw(op);
      expect(e.code).toBe('EINVAL');
      expect(e.message).toContain('0xffff888000000000');
      expect(e.message).toMatch(/user/);
    }
    expect(diffSnapshot(rig, snap)).toBeNull();
  });

  it('the kernel address space of a split-root arch translates only the upper half', () => {
    const mode = findMode('arm64', '4k-48');
    if (mode === undefined) return;
    const rig = makeRig(mode);
    const e = catchPw(() => rig.initMm.map(0x1000, 0x40000000, 4096, {}));
    expect(e.code).toBe('EINVAL');
    expect(e.message).toContain('0x1000');
    const u = rig.createUserMm();
    const f = catchPw(() => u.map(0xffff000000000000, 0x40000000, 4096, {}));
    expect(f.code).toBe('EINVAL');
    expect(f.message).toContain('0xffff000000000000');
  });

  it('va, pa and size misaligned for the page size each name the value and the size', () => {
    const mm = x86().createUserMm();
    const va = catchPw(() => mm.map(0x201000, 0x200000, 2 * MiB, {}, { pageSize: '2M' }));
    expect(va.code).toBe('EINVAL');
    expect(va.message).toContain('0x201000');
    expect(va.message).toContain('2M');
    const pa = catchPw(() => mm.map(0x200000, 0x1000, 2 * MiB, {}, { pageSize: '2M' }));
    expect(pa.code).toBe('EINVAL');
    expect(pa.message).toContain('0x1000');
    const size = catchPw(() => mm.map(0x200000, 0x200000, 0x201000, {}, { pageSize: '2M' }));
    expect(size.code).toBe('EINVAL');
    expect(size.message).toContain('0x201000');
    const base = catchPw(() => mm.map(0x1234, 0, 4096, {}));
    expect(base.code).toBe('EINVAL');
    expect(base.message).toContain('0x1234');
    const pa4k = catchPw(() => mm.map(0x1000, 0x10, 4096, {}));
    expect(pa4k.message).toContain('0x10');
  });

  it('unmap and protect: misaligned va or size', () => {
    const mm = x86().createUserMm();
    mm.map(0x1000, 0, 0x4000, { user: true });
    for (const [op, value] of [
      [() => mm.unmap(0x1800, 4096), '0x1800'],
      [() => mm.unmap(0x1000, 0x1800), '0x1800'],
      [() => mm.protect(0x1800, 4096, { write: true }), '0x1800'],
      [() => mm.protect(0x1000, 0x10, { write: true }), '0x10'],
    ] as const) {
      const e = catchPw(op);
      expect(e.code).toBe('EINVAL');
      expect(e.message).toContain(value);
    }
  });

  it('a page size the mode does not have names it and lists the valid ones', () => {
    const x = catchPw(() => x86().initMm.map(0xffff888000000000, 0, 2 ** 39, {}, { pageSize: '512G' }));
    expect(x.code).toBe('EINVAL');
    expect(x.message).toContain('512G');
    for (const s of ['4K', '2M', '1G']) expect(x.message).toContain(s);

    const sv48 = catchPw(() => makeRig(findMode('riscv64', 'sv48')!).initMm.map(0, 0, 2 ** 39, {}, { pageSize: '512G' }));
    expect(sv48.code).toBe('EINVAL');
    expect(sv48.message).toContain('512G');

    const bogus = catchPw(() => x86().initMm.map(0, 0, 4096, {}, { pageSize: 'huge' }));
    expect(bogus.code).toBe('EINVAL');
    expect(bogus.message).toContain('huge');

    const odd = catchPw(() => x86().initMm.map(0, 0, 8192, {}, { pageSize: 8192 }));
    expect(odd.code).toBe('EINVAL');
    expect(odd.message).toContain('8K');
  });

  it("arm64 16K granule has no 1G leaf (pud blocks need 4K pages): '1G' is refused", () => {
    const mode = findMode('arm64', '16k-47');
    if (mode === undefined) return;
    const rig = makeRig(mode);
    const mm = rig.createUserMm();
    // 16K granule: PAGE_SHIFT 14, one table resolves 11 bits, so leaves are 16K (pte) and 32M (pmd).
    expect(mm.pageSizes).toEqual([16 * 1024, 32 * MiB]);
    const e = catchPw(() => mm.map(2 ** 30, 2 ** 30, 2 ** 30, {}, { pageSize: '1G' }));
    expect(e.code).toBe('EINVAL');
    expect(e.message).toContain('1G');
    expect(e.message).toContain('16K');
    expect(e.message).toContain('32M');
  });

  it('pa beyond the physical address width', () => {
    const mm = x86().createUserMm();
    const e = catchPw(() => mm.map(0x1000, 2 ** 52 - 4096, 8192, {}));
    expect(e.code).toBe('EINVAL');
    expect(e.message).toContain('52');
    expect(e.message).toContain('0xffffffffff000');
    mm.map(0x1000, 2 ** 52 - 4096, 4096, {}); // the last page fits
    expect(mm.translate(0x1000).phys).toBe(BigInt(2 ** 52 - 4096));

    const arm = findMode('arm64', '4k-48');
    if (arm === undefined) return;
    const a = catchPw(() => makeRig(arm).createUserMm().map(0x1000, 2 ** 48, 4096, {}));
    expect(a.code).toBe('EINVAL');
    expect(a.message).toContain('48');
  });

  it('size 0, negative and non-integer values', () => {
    const mm = x86().createUserMm();
    const zero = catchPw(() => mm.map(0x1000, 0, 0, {}));
    expect(zero.code).toBe('EINVAL');
    expect(zero.message).toMatch(/size\b.*\b0\b/);
    expect(catchPw(() => mm.unmap(0x1000, 0)).code).toBe('EINVAL');
    expect(catchPw(() => mm.protect(0x1000, 0, {})).code).toBe('EINVAL');
    const neg = catchPw(() => mm.map(-4096, 0, 4096, {}));
    expect(neg.code).toBe('EINVAL');
    expect(neg.message).toContain('-4096');
    const frac = catchPw(() => mm.map(0x1000, 0.5, 4096, {}));
    expect(frac.code).toBe('EINVAL');
    expect(frac.message).toContain('0.5');
    expect(catchPw(() => mm.map(Number.NaN, 0, 4096, {})).message).toContain('NaN');
  });
});

describe('prot', () => {
  it('an unknown key (nx) names it and lists the valid keys', () => {
    const mm = x86().createUserMm();
    // @ts-expect-error deliberately wrong key
    const e = catchPw(() => mm.map(0x1000, 0, 4096, { read: true, nx: true }));
    expect(e.code).toBe('EINVAL');
    expect(e.message).toContain('"nx"');
    for (const k of ['read', 'write', 'exec', 'user', 'global', 'accessed', 'dirty']) expect(e.message).toContain(k);
    mm.map(0x1000, 0, 4096, {});
    // @ts-expect-error deliberately wrong key
    const p = catchPw(() => mm.protect(0x1000, 4096, { writable: true }));
    expect(p.code).toBe('EINVAL');
    expect(p.message).toContain('"writable"');
  });

  it('a non-boolean permission names the field and value', () => {
    const mm = x86().createUserMm();
    // @ts-expect-error deliberately wrong type
    const e = catchPw(() => mm.map(0x1000, 0, 4096, { write: 'yes' }));
    expect(e.code).toBe('EINVAL');
    expect(e.message).toContain('write');
    expect(e.message).toContain('yes');
  });

  it('a prot the arch cannot express is refused before anything is written', () => {
    const cases: [string, string, object][] = [
      ['x86-64', '4level', { read: false }], // SDM 4.6: P=1 always allows reads
      ['riscv64', 'sv39', { read: false, write: true }], // privileged spec: W=1 R=0 reserved
      ['riscv64', 'sv39', { read: false, write: false, exec: false }], // R=W=X=0: a pointer
      ['arm64', '4k-48', { read: false, write: true }], // AP[2:1]: no write-only encoding
    ];
    for (const [arch, mode, prot] of cases) {
      const m = findMode(arch, mode);
      if (m === undefined) continue;
      const rig = makeRig(m);
      const mm = rig.createUserMm();
      const snap = snapshot(rig);
      const e = catchPw(() => mm.map(0x200000, 0x200000, 4 * MiB, prot, { pageSize: 'auto' }));
      expect(e.code, `${arch} ${JSON.stringify(prot)}`).toBe('EINVAL');
      expect(diffSnapshot(rig, snap)).toBeNull();
    }
  });

  it('unknown arch attrs name the key', () => {
    const mm = x86().createUserMm();
    const e = catchPw(() => mm.map(0x1000, 0, 4096, { attrs: { cacheable: true } }));
    expect(e.code).toBe('EINVAL');
    expect(e.message).toContain('cacheable');
  });
});
