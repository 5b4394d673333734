/**
 * Excluded pages (set in the 1st bitmap, clear in the 2nd: RAM makedumpfile's
 * dump level left out), written by kdump-builder.ts from tables.elf.gz with
 * some page-table pages excluded. Expected behaviour is the and
 * crash's (diskdump.c read_diskdump(): PAGE_EXCLUDED, or zeros with
 * --zero_excluded): reads fail saying "excluded by the dump level" unless
 * zeros are asked for; a table in an excluded page is not followed
 * (missingReason 'excluded', translate fault 'excluded'); absent pages stay
 * absent. The expected translations come from the same tables read from
 * tables.elf.gz.
 */
import { describe, expect, it } from 'vitest';
import { forEachLeaf, loadDump, loadElfCore, openImage } from '../../src/index.js';
import { buildKdump, storePages } from './kdump-builder.js';
import { elfPages } from './elf-pages.js';

const e = elfPages();
const elf = openImage(loadElfCore(e.bytes).memory, { arch: 'x86-64', mode: '4level', root: 0x6330000 }).initMm;

// The pud table of the direct map (pgd[273] = 0x4401067: test/arch/x86_64.test.ts), and a page a
// 2M leaf maps whose path does not go through it.
const PUD = 0x4401;
const t0 = elf.translate(0xffff888000001000n);
const pudInPath = t0.trace.some((s) => s.table === PUD * 4096);

function withExcluded(excluded: number[]) {
  const pages = new Map(e.pages);
  for (const p of excluded) pages.delete(p);
  return loadDump(buildKdump({ blockSize: 4096, maxMapnr: e.maxMapnr, pages: storePages(pages), excluded, notes: e.notes, vmcoreinfoInNotes: e.vmcoreinfoInNotes, dumpLevel: 31 }));
}

describe('excluded pages', () => {
  it('are counted, and read as the dump level left them: an error, or zeros when asked', () => {
    const d = withExcluded([PUD, 0x4801]);
    expect(d.kdump!.countPages()).toMatchObject({ data: 111, excluded: 2, incomplete: 0 });
    expect(d.memory.pageState(PUD * 4096)).toBe('excluded');
    expect(() => d.memory.readBytes(PUD * 4096 + 8, 8)).toThrow(/^physical 0x4401008: excluded by the dump level \(makedumpfile -d 31 left this page out\)$/);
    expect(d.memory.readBytes(PUD * 4096, 4096, { fillExcluded: 'zero' })).toEqual(new Uint8Array(4096));
    // Across an excluded page into a data page: zeros, then the data.
    const across = d.memory.readBytes((PUD + 1) * 4096 - 8, 16, { fillExcluded: 'zero' });
    expect(across.subarray(0, 8)).toEqual(new Uint8Array(8));
    expect(across.subarray(8)).toEqual(e.pages.get(PUD + 1)!.subarray(0, 8));
    // Absent stays absent with fillExcluded.
    expect(() => d.memory.readBytes(0x1000, 8, { fillExcluded: 'zero' })).toThrow(/physical 0x1000: absent/);
    expect(d.memory.missingReason(PUD * 4096, 4096)).toBe('excluded');
    expect(d.memory.missingReason(0x1000, 4096)).toBe('outside');
    expect(d.memory.tableWords(PUD * 4096, 4096)).toBeNull();
    expect(d.memory.contains(PUD * 4096, 8)).toBe(false);
  });

  it('a table in an excluded page: translate says excluded, naming the table; mm.read names the address', () => {
    expect(pudInPath).toBe(true);
    const d = withExcluded([PUD]);
    const mm = openImage(d.memory, { arch: 'x86-64', mode: '4level', root: 0x6330000 }).initMm;
    const t = mm.translate(0xffff888000001000n);
    expect(t.mapped).toBe(false);
    expect(t.fault).toBe('excluded');
    expect(t.trace[t.trace.length - 1].table).toBe(PUD * 4096);
    expect(t.trace[t.trace.length - 1].raw).toBeNull();
    expect(() => mm.read(0xffff888000001000n, 8)).toThrow(/^virtual 0xffff888000001000: not readable: its pud table at physical 0x4401000 is in a page excluded by the dump level$/);
    // The walk leaves the excluded table's range out and goes on: fewer leaves, no error.
    let leaves = 0;
    let elfLeaves = 0;
    forEachLeaf(mm, () => leaves++);
    forEachLeaf(elf, () => elfLeaves++);
    expect(leaves).toBeGreaterThan(0);
    expect(leaves).toBeLessThan(elfLeaves);
  });

  it('a data page excluded: mm.read names its virtual and physical address; zeros when asked', () => {
    // A leaf whose page is a table page (the direct map maps them), reached through tables other than that page.
    let target: { va: number; pa: number } | null = null;
    forEachLeaf(elf, (l) => {
      if (target === null && l.size === 4096 && e.pages.has(l.pa / 4096) && !elf.translate(BigInt(l.va)).trace.some((s) => s.table === l.pa)) target = { va: l.va, pa: l.pa };
    });
    const { va, pa } = target!;
    const d = withExcluded([pa / 4096]);
    const mm = openImage(d.memory, { arch: 'x86-64', mode: '4level', root: 0x6330000 }).initMm;
    expect(mm.translate(BigInt(va)).phys).toBe(BigInt(pa));
    expect(() => mm.read(BigInt(va) + 16n, 4)).toThrow(new RegExp(`^virtual 0x${(BigInt(va) + 16n).toString(16)} \\(physical 0x${(pa + 16).toString(16)}\\): excluded by the dump level`));
    expect(mm.read(BigInt(va), 4096, { fillExcluded: 'zero' })).toEqual(new Uint8Array(4096));
    // The same bytes of the ELF read through the ELF's tables (the page is data there).
    expect(elf.read(BigInt(va), 4096)).toEqual(e.pages.get(pa / 4096));
  });
});

describe('mm.read on the ELF image', () => {
  it('reads across pages and leaves, and names the first unmapped address', () => {
    const direct = 0xffff888000000000n + BigInt((PUD + 1) * 4096);
    const bytes = elf.read(direct - 8n, 16);
    expect(bytes.subarray(0, 8)).toEqual(e.pages.get(PUD)!.subarray(4088));
    expect(bytes.subarray(8)).toEqual(e.pages.get(PUD + 1)!.subarray(0, 8));
    expect(() => elf.read(0x0000000000001000n, 1)).toThrow(/^virtual 0x1000: not mapped: /);
    expect(() => elf.read(0x0000800000000000n, 1)).toThrow(/^virtual 0x800000000000: not mapped: not in /);
    expect(() => elf.read(0xffffffffffffff00n, 0x101)).toThrow(/EINVAL|at most 2\^64/);
    expect(elf.read(direct, 0)).toEqual(new Uint8Array(0));
  });
});

describe('incomplete dumps (header status DUMP_DH_COMPRESSED_INCOMPLETE, 0x8: makedumpfile on a full disk)', () => {
  const pages = storePages(e.pages);
  const full = buildKdump({ blockSize: 4096, maxMapnr: e.maxMapnr, pages, notes: e.notes, vmcoreinfoInNotes: e.vmcoreinfoInNotes, status: 0x8 });

  it('cut in the page data: pages whose data is in the file read; the rest are absent, as incomplete', () => {
    const cut = full.subarray(0, full.length - 10 * 4096 - 100);
    const d = loadDump(cut);
    const c = d.kdump!.countPages();
    expect(c).toMatchObject({ data: 113 - 11, incomplete: 11, excluded: 0 });
    let read = 0;
    for (const [pfn, bytes] of e.pages) {
      if (d.memory.pageState(pfn * 4096) === 'data') {
        expect(d.memory.readBytes(pfn * 4096, 4096)).toEqual(bytes);
        read++;
      } else expect(() => d.memory.readBytes(pfn * 4096, 1)).toThrow(/absent: the dump is incomplete/);
    }
    expect(read).toBe(102);
  });

  it('cut in the bitmaps: memory whose dumped bit is gone is incomplete (absent), not excluded', () => {
    // Cut in the 2nd bitmap (at 0x5000, README): bits of pfns from 0x800 * 8 = 0x4000 on are gone.
    const cut = full.subarray(0, 0x5000 + 0x800);
    const d = loadDump(cut);
    expect(d.kdump!.parts[0].incomplete).toBe(true);
    const c = d.kdump!.countPages();
    expect(c).toMatchObject({ data: 0, excluded: 0, incomplete: 113 }); // no descriptor is in the file
    expect(c.absent).toBe(e.maxMapnr);
    expect(d.memory.pageState(0x6330000)).toBe('absent');
    expect(() => d.memory.readBytes(0x6330000, 1)).toThrow(/absent: the dump is incomplete/);
    expect(() => d.memory.readBytes(0x2a10000, 1)).toThrow(/absent: the dump is incomplete/);
  });
});
