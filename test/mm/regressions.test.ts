/**
 * Minimal reproductions of bugs found by the round trip and by probing. Each
 * states the expected behaviour and where it comes from. They fail until the
 * bug is fixed; the round trip (roundtrip-driver.ts STEER_AROUND_KNOWN_BUGS)
 * steers around the same paths so that it can keep finding others.
 */
import { describe, expect, it } from 'vitest';
import { findMode, makeRig } from './harness.js';

const MiB = 1024 * 1024;

describe("map 'auto' with a range that is not a multiple of the last huge leaf (src/mm/map.ts mapRange: n is not floored)", () => {
  // 'auto' picks at each step the largest leaf the cursors are aligned to and
  // that fits ("end - cur >= s.size"): [0x40000000, +2M+4K) is one 2M leaf and one 4K leaf.
  it('maps exactly the range asked for: 2M + 4K is a 2M leaf and a 4K leaf, nothing after it', () => {
    const rig = makeRig(findMode('x86-64', '4level')!);
    const mm = rig.createUserMm();
    mm.map(0x40000000, 0x40000000, 2 * MiB + 4096, { user: true }, { pageSize: 'auto' });
    expect(mm.translate(0x40000000).pageSize).toBe(2 * MiB);
    expect(mm.translate(0x40200000).pageSize).toBe(4096); // today: 2 MiB (a second 2M leaf)
    expect(mm.translate(0x40201000).mapped).toBe(false); // today: mapped, 0x1ff000 bytes past the end
    expect(mm.unmap(0x40000000, 4 * MiB)).toBe(2 * MiB + 4096);
  });

  it('does not refuse with EEXIST because of a mapping after the end of the range', () => {
    const rig = makeRig(findMode('x86-64', '4level')!);
    const mm = rig.createUserMm();
    mm.map(0x40300000, 0x300000, 4096, { user: true }); // outside [0x40000000, 0x40201000)
    expect(() => mm.map(0x40000000, 0x40000000, 2 * MiB + 4096, { user: true }, { pageSize: 'auto' })).not.toThrow();
  });
});

describe('x86-64 init_mm: effective permissions depend on which mapping created a directory (ensure-path.ts/linkTable: US only when a user page creates the table)', () => {
  // Linux writes kernel directories with _PAGE_TABLE, US included
  // (arch/x86/include/asm/pgalloc.h pmd_populate_kernel(), pud_populate(),
  // p4d_populate()), so the leaf's U/S decides; protect() here opens the
  // path for a user page (protect.ts), map() does not.
  it('a user page mapped next to a kernel page is user-accessible, as when mapped alone', () => {
    const rig = makeRig(findMode('x86-64', '4level')!);
    const K = 0xffff888000000000;
    rig.initMm.map(K, 0x1000, 4096, { write: true });
    rig.initMm.map(K + 4096, 0x2000, 4096, { user: true });
    rig.initMm.map(K + 2 * MiB * 512, 0x3000, 4096, { user: true }); // alone in its tables
    expect(rig.initMm.translate(K + 2 * MiB * 512).perms!.user).toBe(true);
    expect(rig.initMm.translate(K + 4096).perms!.user).toBe(true); // today: false
  });
});

describe('arm64 protect() keeps the old leaf attrs that encode permissions (protect.ts resolveProt(prot, leafProt()) + arm64 leafTemplate)', () => {
  const mode = findMode('arm64', '4k-48');
  const K = 0xffff000010000000;

  it.skipIf(mode === undefined)('protect({ exec: true }) on a kernel page: allowed, as map() of the same prot is', () => {
    const rig = makeRig(mode!);
    rig.initMm.map(K, 0x40000000, 4096, { read: true });
    rig.initMm.map(K + 4096, 0x40001000, 4096, { read: true, exec: true }); // expressible
    expect(() => rig.initMm.protect(K, 4096, { exec: true })).not.toThrow(); // today: EINVAL "attrs.pxn true contradicts exec: true"
    expect(rig.initMm.translate(K).perms!.exec).toBe(true);
  });

  it.skipIf(mode === undefined)('protect({ exec: true }) on a user page', () => {
    const rig = makeRig(mode!);
    const mm = rig.createUserMm();
    mm.map(0x400000, 0x40000000, 4096, { read: true, user: true });
    expect(() => mm.protect(0x400000, 4096, { exec: true })).not.toThrow(); // today: EINVAL "attrs.uxn true contradicts exec"
    expect(mm.translate(0x400000).perms!.exec).toBe(true);
  });

  it.skipIf(mode === undefined)('protect({ write: false }) on a dirty writable page (pte_wrprotect() moves DBM-dirty into PTE_DIRTY)', () => {
    // arch/arm64/include/asm/pgtable.h pte_wrprotect(): if pte_hw_dirty() set
    // PTE_DIRTY, then clear PTE_WRITE (DBM) and set PTE_RDONLY.
    const rig = makeRig(mode!);
    const mm = rig.createUserMm();
    mm.map(0x400000, 0x40000000, 4096, { read: true, write: true, user: true });
    expect(() => mm.protect(0x400000, 4096, { write: false })).not.toThrow(); // today: EINVAL "dirty: true needs PTE_DIRTY"
    expect(mm.translate(0x400000).perms).toMatchObject({ write: false, dirty: true });
  });

  it.skipIf(mode === undefined)('protect({ read: true }) on a PROT_NONE page (mprotect(PROT_NONE) then mprotect(PROT_READ))', () => {
    const rig = makeRig(mode!);
    const mm = rig.createUserMm();
    mm.map(0x400000, 0x40000000, 4096, { read: false, write: false, exec: false, user: true });
    expect(() => mm.protect(0x400000, 4096, { read: true })).not.toThrow(); // today: EINVAL "present-invalid entry grants no access"
    expect(mm.translate(0x400000).perms).toMatchObject({ read: true, user: true });
  });
});

describe('arm64 init_mm: table descriptors follow the page that created them (table-ops.ts linkTable(user || isUser), protect.ts relinks)', () => {
  // Linux populates every init_mm directory with the kernel attributes
  // (arch/arm64/include/asm/pgalloc.h pmd_populate_kernel(): PMD_TABLE_UXN),
  // PXNTable only for user tables (pmd_populate()).
  const mode = findMode('arm64', '4k-48');
  const K = 0xffff000010000000;

  it.skipIf(mode === undefined)('protect(B, { user: true }) must not change the permissions of page A outside the range', () => {
    const rig = makeRig(mode!);
    rig.initMm.map(K, 0x40000000, 4096, { read: true, exec: true }); // A: kernel text
    rig.initMm.map(K + 4096, 0x40001000, 4096, { read: true }); // B
    expect(rig.initMm.translate(K).perms!.exec).toBe(true);
    rig.initMm.protect(K + 4096, 4096, { user: true });
    expect(rig.initMm.translate(K).perms!.exec).toBe(true); // today: false (the shared pmd entry got PXNTable)
  });

  it.skipIf(mode === undefined)('a kernel exec page is executable whatever page created its pte table', () => {
    const rig = makeRig(mode!);
    rig.initMm.map(K, 0x40000000, 4096, { read: true, user: true });
    rig.initMm.map(K + 4096, 0x40001000, 4096, { read: true, exec: true });
    expect(rig.initMm.translate(K + 4096).perms!.exec).toBe(true); // today: false
  });
});
