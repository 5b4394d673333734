/**
 * createUserMm() is mm_alloc() + pgd_alloc(). Where one root translates both
 * halves (x86-64, riscv) pgd_alloc() copies the kernel half of init_mm's pgd
 * into the new one (arch/x86/mm/pgtable.c pgd_ctor(): clone_pgd_range(pgd +
 * KERNEL_PGD_BOUNDARY, swapper_pg_dir + KERNEL_PGD_BOUNDARY,
 * KERNEL_PGD_PTRS); arch/riscv/include/asm/pgalloc.h pgd_alloc(): memcpy of
 * init_mm.pgd + USER_PTRS_PER_PGD), so kernel mappings made before are
 * visible through the user root, and so are later ones below an existing
 * kernel pgd entry (the lower tables are shared, not copied).
 */
import { describe, expect, it } from 'vitest';
import { catchPw, findMode, makeRig } from './harness.js';

const MiB = 1024 * 1024;

const SHARED: [string, string, number][] = [
  // [arch, mode, a kernel address]
  ['x86-64', '4level', 0xffff888000000000],
  ['x86-64', '5level', 0xff11000000000000],
  ['riscv64', 'sv39', 0xffffffd800000000],
  ['riscv64', 'sv48', 0xffffaf8000000000],
  ['riscv64', 'sv57', 0xff60000000000000],
];

for (const [arch, name, K] of SHARED) {
  const mode = findMode(arch, name);
  describe.skipIf(mode === undefined)(`createUserMm copies the kernel half: ${arch} ${name}`, () => {
    it('a kernel mapping made before createUserMm translates in the user mm too', () => {
      const rig = makeRig(mode!);
      rig.initMm.map(K, 0x200000, 4 * MiB, { write: true, global: true }, { pageSize: '2M' });
      rig.initMm.map(K + 8 * MiB, 0x1000, 4096, { write: true, exec: true });
      const mm = rig.createUserMm();
      expect(mm.root).not.toBe(rig.initMm.root);
      for (const va of [BigInt(K) + 0x1234n, BigInt(K + 3 * MiB) + 5n, BigInt(K + 8 * MiB) + 0x10n]) {
        const k = rig.initMm.translate(va);
        const u = mm.translate(va);
        expect(k.mapped).toBe(true);
        expect(k.phys! % 4096n).toBe(va % 4096n);
        expect(u).toMatchObject({ mapped: true, phys: k.phys, pageSize: k.pageSize, level: k.level });
        expect(u.perms).toEqual(k.perms);
        // the walk starts at the user root, then joins the kernel's tables
        expect(u.trace[0].table).toBe(mm.root);
        expect(u.trace[0].index).toBe(k.trace[0].index);
        expect(u.trace[0].raw).toBe(k.trace[0].raw);
        expect(u.trace.slice(1).map((s) => s.table)).toEqual(k.trace.slice(1).map((s) => s.table));
      }
      expect(mm.translate(0x1000).mapped).toBe(false);
    });

    it('the user half of the new pgd is empty, the kernel half equals init_mm', () => {
      const rig = makeRig(mode!);
      rig.initMm.map(K, 0x200000, 2 * MiB, { write: true }, { pageSize: '2M' });
      rig.initMm.map(0x40000000, 0, 4096, {}); // init_mm may have low mappings; they are not copied
      const mm = rig.createUserMm();
      const user = rig.memory.readBytes(mm.root, 2048)!;
      expect(user.every((b) => b === 0)).toBe(true);
      expect(Buffer.from(rig.memory.readBytes(mm.root + 2048, 2048)!).equals(Buffer.from(rig.memory.readBytes(rig.initMm.root + 2048, 2048)!))).toBe(true);
      expect(mm.translate(0x40000000).mapped).toBe(false);
    });

    it('a later kernel mapping under an already copied pgd entry is visible too (shared tables)', () => {
      const rig = makeRig(mode!);
      rig.initMm.map(K, 0x200000, 2 * MiB, { write: true }, { pageSize: '2M' });
      const mm = rig.createUserMm();
      rig.initMm.map(K + 2 * MiB, 0x600000, 2 * MiB, { write: true }, { pageSize: '2M' });
      expect(mm.translate(BigInt(K + 2 * MiB) + 7n).phys).toBe(0x600007n);
    });

    it('the user mm may not change the kernel half, and its own unmaps leave it alone', () => {
      const rig = makeRig(mode!);
      rig.initMm.map(K, 0x200000, 2 * MiB, { write: true }, { pageSize: '2M' });
      const mm = rig.createUserMm();
      expect(catchPw(() => mm.unmap(K, 2 * MiB)).code).toBe('EINVAL');
      mm.map(0x400000, 0x800000, 2 * MiB, { write: true, user: true });
      expect(mm.unmap(0, 2 ** 30)).toBe(2 * MiB);
      expect(mm.translate(K).phys).toBe(0x200000n);
      expect(rig.initMm.translate(0x400000).mapped).toBe(false);
    });
  });
}

describe('split roots (arm64 TTBR0/TTBR1, loongarch PGDL/PGDH): the user mm has its own lower-half root', () => {
  for (const [arch, name] of [
    ['arm64', '4k-48'],
    ['loongarch64', '16k-3level'],
  ]) {
    const mode = findMode(arch, name);
    it.skipIf(mode === undefined)(`${arch} ${name}`, () => {
      const rig = makeRig(mode!);
      const mm = rig.createUserMm();
      const pa = mode!.defaultRamBase;
      mm.map(0x400000, pa, mm.pageSize, { user: true });
      expect(mm.translate(0x400000).phys).toBe(BigInt(pa));
      // the kernel root does not translate the lower half at all
      const e = catchPw(() => rig.initMm.translate(0x400000));
      expect(e.code).toBe('EINVAL');
      expect(e.message).toContain('0x400000');
    });
  }
});
