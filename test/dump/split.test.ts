/**
 * `makedumpfile --split` sets, built from the real tables.zlib.kdump (its
 * compressed pages as they are) by makedumpfile's rules (kdump-builder.ts:
 * setup_splitting() by splitblocks, every part with the whole header and
 * bitmaps and its own descriptors and data), must read exactly as the real
 * file: every page's SHA-256 as expected.json gives it. Parts that overlap,
 * come from different dumps, or are not split files are refused; a part
 * not given leaves its pages absent, saying so.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { forEachLeaf, loadDump, openImage } from '../../src/index.js';
import { openDumpFile } from '../../src/node.js';
import { fixtureBytes, fixtureText } from '../support/fixtures.js';
import { buildKdump, splitRanges, storePages } from './kdump-builder.js';
import { elfPages, storedPagesOf } from './elf-pages.js';

const expected = JSON.parse(fixtureText('x86-64-4level/kdump/expected.json')) as {
  page_sha256: Record<string, string>;
  walks: { cr3: { leaves: number } };
};
const dir = mkdtempSync(join(tmpdir(), 'pagewalk-split-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const real = fixtureBytes('x86-64-4level/kdump/tables.zlib.kdump.gz');
const e = elfPages();
const stored = storedPagesOf(real);

function parts(n: number, perSplitblock: number): string[] {
  const ranges = splitRanges([...stored.keys()].sort((a, b) => a - b), e.maxMapnr, n, perSplitblock);
  return ranges.map((split, i) => {
    const path = join(dir, `split-${n}-${perSplitblock}.${i}`);
    writeFileSync(path, buildKdump({ blockSize: 4096, maxMapnr: e.maxMapnr, pages: stored, notes: e.notes, vmcoreinfoInNotes: e.vmcoreinfoInNotes, status: 1, split }));
    return path;
  });
}

describe('a split dump given as several files', () => {
  it.each([
    [2, 64],
    [3, 256],
    [4, 1024],
  ])('%i parts (splitblocks of %i pages) read every page as the real file holds it', (n, per) => {
    const paths = parts(n, per);
    const d = openDumpFile(paths.slice().reverse()); // any order
    try {
      expect(d.kdump!.parts.map((p) => p.header.split)).toEqual(new Array(n).fill(true));
      expect(d.kdump!.parts[0].header.startPfn).toBe(0);
      expect(d.kdump!.parts[n - 1].header.endPfn).toBe(e.maxMapnr);
      for (const [pa, hash] of Object.entries(expected.page_sha256)) {
        expect(createHash('sha256').update(d.memory.readBytes(Number(pa), 4096)).digest('hex'), pa).toBe(hash);
      }
      expect(d.kdump!.countPages()).toMatchObject({ data: 113, excluded: 0, incomplete: 0, missingParts: 0 });
      const mm = openImage(d.memory, { arch: 'x86-64', mode: '4level', root: 0x6330000 }).initMm;
      let leaves = 0;
      forEachLeaf(mm, () => {
        leaves++;
      });
      expect(leaves).toBe(expected.walks.cr3.leaves);
    } finally {
      d.close();
    }
  });

  it('from bytes (loadDump with an array): uncompressed parts', () => {
    const pages = storePages(e.pages);
    const ranges = splitRanges([...pages.keys()].sort((a, b) => a - b), e.maxMapnr, 2, 64);
    const d = loadDump(ranges.map((split) => buildKdump({ blockSize: 4096, maxMapnr: e.maxMapnr, pages, notes: e.notes, vmcoreinfoInNotes: e.vmcoreinfoInNotes, split })));
    for (const [pa, hash] of Object.entries(expected.page_sha256)) {
      expect(createHash('sha256').update(d.memory.readBytes(Number(pa), 4096)).digest('hex')).toBe(hash);
    }
    expect(d.vmcoreinfo.get('OSRELEASE')).toBe('6.1.0-56-amd64');
  });

  it('a part not given: its pages are absent, in words that say so, and counted', () => {
    const paths = parts(2, 64);
    const d = openDumpFile(paths[0]);
    try {
      const h1 = d.kdump!.parts[0].header;
      const inOther = Object.keys(expected.page_sha256).map(Number).filter((pa) => pa / 4096 >= h1.endPfn);
      expect(inOther.length).toBeGreaterThan(0);
      for (const pa of inOther) {
        expect(d.memory.pageState(pa)).toBe('absent');
        expect(() => d.memory.readBytes(pa, 8)).toThrow(/absent: its pfn is in a part of the split dump that was not given/);
      }
      expect(d.kdump!.countPages().missingParts).toBe(inOther.length);
    } finally {
      d.close();
    }
  });

  it('refuses parts that overlap, the same part twice, parts of different dumps, and a plain file among parts', () => {
    const two = parts(2, 64);
    const three = parts(3, 256);
    expect(() => openDumpFile([two[0], three[0]])).toThrow(/overlap .*same part given twice/);
    expect(() => openDumpFile([two[0], two[0]])).toThrow(/given twice/);
    // Another dump: the same pages with another nr_cpus in the header.
    const other = join(dir, 'other.1');
    const ranges = splitRanges([...stored.keys()].sort((a, b) => a - b), e.maxMapnr, 2, 64);
    writeFileSync(other, buildKdump({ blockSize: 4096, maxMapnr: e.maxMapnr, pages: stored, notes: e.notes, status: 1, nrCpus: 2, split: ranges[1] }));
    expect(() => openDumpFile([two[0], other])).toThrow(new RegExp(`${other}: its disk_dump_header differs from .*split-2-64.0's at offset 0x1cc: the parts come from different dumps`));
    const plain = join(dir, 'plain.kdump');
    writeFileSync(plain, real);
    expect(() => openDumpFile([two[0], plain])).toThrow(new RegExp(`${plain}: not a part of a split dump`));
    try {
      openDumpFile([two[0], plain]);
    } catch (err) {
      expect((err as { code: string }).code).toBe('EBADIMAGE');
    }
  });
});
