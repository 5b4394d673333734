/**
 * The real makedumpfile 1.7.2 outputs of the x86-64 fixture
 * (test/fixtures/x86-64-4level/kdump, README.md there): every page each
 * complete file holds must read exactly as the ELF's page
 * (expected.json page_sha256), every other page must be absent, the headers
 * must read as expected.json lists them, and walks over each file must give
 * the leaves expected.json counts (the same as over tables.elf.gz). Each
 * file is read twice: gunzipped to disk and opened by path (read on demand),
 * and from bytes in memory with loadDump().
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachLeaf, loadDump, openImage, type LoadedDump } from '../../src/index.js';
import { openDumpFile } from '../../src/node.js';
import { readFileSync } from 'node:fs';
import { FIXTURES, fixtureBytes, fixtureText } from '../support/fixtures.js';

interface Expected {
  page_sha256: Record<string, string>;
  walks: { cr3: { root: string; leaves: number }; init_top_pgt: { root: string; leaves: number } };
  vmcoreinfo: { size: number; sha256: string; first_line: string };
  files: Record<
    string,
    {
      container: string;
      compression: string;
      header: { status: string; block_size: number; header_version: number; max_mapnr: string };
      sub_header: { dump_level: number; max_mapnr_64: string; offset_vmcoreinfo: string; size_vmcoreinfo: number };
      page_descs_by_flags: Record<string, number>;
      data_pages: string[];
      data_pages_sha256: string;
      incomplete_pages: string[];
      excluded_pages: string[];
    }
  >;
}

const DIR = 'x86-64-4level/kdump/';
const expected = JSON.parse(fixtureText(DIR + 'expected.json')) as Expected;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const COMPLETE = ['tables.zlib.kdump.gz', 'tables.lzo.kdump.gz', 'tables.snappy.kdump.gz', 'tables.zstd.kdump.gz', 'tables.uncompressed.kdump.gz', 'tables.zlib.flat.gz'];
const FLAG = { none: '0x0', zlib: '0x1', lzo: '0x2', snappy: '0x4', zstd: '0x20' } as const;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pagewalk-kdump-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function onDisk(name: string): string {
  const path = join(dir, name.replace(/\.gz$/, ''));
  writeFileSync(path, fixtureBytes(DIR + name));
  return path;
}

function checkPages(d: LoadedDump, name: string): void {
  const e = expected.files[name];
  const pages = new Set(e.data_pages.map(Number));
  const all = createHash('sha256');
  for (const pa of e.data_pages) {
    const bytes = d.memory.readBytes(Number(pa), 4096);
    expect(sha(bytes), `page ${pa}`).toBe(expected.page_sha256[pa]);
    expect(d.memory.pageState(Number(pa))).toBe('data');
    all.update(bytes);
  }
  expect(all.digest('hex')).toBe(e.data_pages_sha256);
  // Every other page below max_mapnr (and beyond) is absent, never zeros.
  const maxMapnr = Number(e.header.max_mapnr);
  let wrong = 0;
  for (let pfn = 0; pfn < maxMapnr + 16; pfn++) if (!pages.has(pfn * 4096) && d.memory.pageState(pfn * 4096) !== 'absent') wrong++;
  expect(wrong).toBe(0);
  for (const pa of [0x0, 0x1000, 0x2a11000, 0x6331000, 0xfead000, 0x10000000]) {
    expect(() => d.memory.readBytes(pa, 1)).toThrow(new RegExp(`physical 0x${pa.toString(16)}: absent`));
  }
}

describe.each(COMPLETE)('%s (real makedumpfile output)', (name) => {
  const e = expected.files[name];

  it('opens by path, with the headers expected.json lists', () => {
    const d = openDumpFile(onDisk(name));
    try {
      expect(d.format).toBe(e.container === 'flattened' ? 'flattened' : 'kdump');
      const h = d.kdump!.header;
      expect(h.signature).toBe('KDUMP');
      expect(h.littleEndian).toBe(true);
      expect(h.headerVersion).toBe(e.header.header_version);
      expect(h.status).toBe(Number(e.header.status));
      expect(h.blockSize).toBe(e.header.block_size);
      expect(h.maxMapnr).toBe(Number(e.sub_header.max_mapnr_64));
      expect(h.dumpLevel).toBe(e.sub_header.dump_level);
      expect(h.vmcoreinfo).toEqual({ offset: Number(e.sub_header.offset_vmcoreinfo), size: e.sub_header.size_vmcoreinfo });
      expect(d.vmcoreinfo.get('OSRELEASE')).toBe(expected.vmcoreinfo.first_line.split('=')[1]);
      expect(d.vmcoreinfo.get('SYMBOL(init_top_pgt)')).toBe('ffffffff82a10000'); // kdump README
      expect(d.arch).toBe('x86-64'); // utsname is zero here: from VMCOREINFO's SYMBOL(init_top_pgt)
      const c = d.kdump!.countPages();
      expect(c.data).toBe(e.data_pages.length);
      expect(c.excluded).toBe(e.excluded_pages.length);
      expect(c.incomplete).toBe(0);
      expect(c.absent).toBe(Number(e.header.max_mapnr) - e.data_pages.length);
      const flags: Record<string, number> = {};
      for (const [k, v] of Object.entries(c.byCompression)) flags[FLAG[k as keyof typeof FLAG]] = v;
      expect(flags).toEqual(e.page_descs_by_flags);
      checkPages(d, name);
    } finally {
      d.close();
    }
  });

  it('reads from bytes in memory (loadDump, the core decompressors) the same pages, gzip-wrapped too', () => {
    const d = loadDump(fixtureBytes(DIR + name));
    expect(d.format).toBe(e.container === 'flattened' ? 'flattened' : 'kdump');
    checkPages(d, name);
    const gz = loadDump(readFileSync(FIXTURES + DIR + name));
    expect(gz.format).toBe(d.format);
    checkPages(gz, name);
  });

  it('walks from CR3 and init_top_pgt to the leaf counts expected.json gives', () => {
    const d = openDumpFile(onDisk(name), { cacheBytes: 64 << 10 }); // a 16-page cache: evictions during the walk
    try {
      for (const w of [expected.walks.cr3, expected.walks.init_top_pgt]) {
        const mm = openImage(d.memory, { arch: 'x86-64', mode: '4level', root: Number(w.root) }).initMm;
        let leaves = 0;
        forEachLeaf(mm, () => {
          leaves++;
        });
        expect(leaves).toBe(w.leaves);
      }
    } finally {
      d.close();
    }
  });
});

describe('tables.zlib-incomplete.kdump.gz (makedumpfile -L: cut short)', () => {
  const name = 'tables.zlib-incomplete.kdump.gz';
  const e = expected.files[name];

  it('says incomplete: status 0x9, all 113 pages absent (incomplete), none read as zeros', () => {
    const d = openDumpFile(onDisk(name));
    try {
      expect(d.kdump!.header.status).toBe(0x9);
      const c = d.kdump!.countPages();
      expect(c).toMatchObject({ data: 0, excluded: 0, incomplete: e.incomplete_pages.length });
      expect(c.absent).toBe(Number(e.header.max_mapnr));
      for (const pa of e.incomplete_pages) {
        expect(d.memory.pageState(Number(pa))).toBe('absent');
        expect(() => d.memory.readBytes(Number(pa), 8)).toThrow(/absent: the dump is incomplete/);
        expect(d.memory.missingReason(Number(pa), 8)).toBe('outside');
      }
      // The root page itself is incomplete: no address space opens there (README: "a walk finds no table").
      expect(() => openImage(d.memory, { arch: 'x86-64', mode: '4level', root: 0x6330000 })).toThrow(/not inside the memory image/);
    } finally {
      d.close();
    }
  });
});
