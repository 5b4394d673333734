/**
 * Malformed kdump files: each is refused with PagewalkError EBADIMAGE
 * naming the offset and the rule (the checks of makedumpfile, crash's
 * diskdump.c and libkdumpfile's diskdump.c: block size, bitmap coverage,
 * descriptor offset and size against the file and the block size, known
 * compression flags, pages that decompress to the block size), and no size
 * read from the file is allocated before it is checked. Made from the real
 * tables.zlib.kdump (layout: its README; fields: expected.json).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDump, PagewalkError } from '../../src/index.js';
import { openDumpFile } from '../../src/node.js';
import { fixtureBytes } from '../support/fixtures.js';

const REAL = fixtureBytes('x86-64-4level/kdump/tables.zlib.kdump.gz');
/** The descriptor of pfn 0x2a10, the first dumped page (a zlib page, README: pages in pfn order after the zero block). */
const DESC0 = 0x7000;
const dir = mkdtempSync(join(tmpdir(), 'pagewalk-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function edit(f: (v: DataView, b: Uint8Array) => void, length = REAL.length): Uint8Array {
  const b = REAL.slice(0, length);
  f(new DataView(b.buffer), b);
  return b;
}

/** The error loading and reading every page gives, from bytes and from a file (both must agree on the code). */
function failure(bytes: Uint8Array): PagewalkError {
  const errors: PagewalkError[] = [];
  const path = join(dir, `case-${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, bytes);
  for (const open of [() => loadDump(bytes), () => openDumpFile(path)]) {
    try {
      const d = open();
      for (let pfn = 0; pfn < 0xfead; pfn++) if (d.memory.pageState(pfn * 4096) === 'data') d.memory.readBytes(pfn * 4096, 4096);
      d.kdump!.countPages();
    } catch (e) {
      if (!(e instanceof PagewalkError)) throw e;
      errors.push(e);
    }
  }
  expect(errors).toHaveLength(2);
  expect(errors[0].code).toBe(errors[1].code);
  return errors[0];
}

describe('malformed kdump files: EBADIMAGE with the offset', () => {
  it.each<[string, () => Uint8Array, RegExp]>([
    ['a header cut short', () => REAL.slice(0, 0x100), /^dump: kdump: at offset 0x0: file too short for a kdump header \(256 bytes, need 464\)$/],
    ['bitmaps past the end', () => REAL.slice(0, 0x4000), /at offset 0x3000: the bitmaps \[0x3000, 0x7000\) run past the end of the file \(0x4000 bytes\).*truncated/],
    ['page descriptors past the end', () => REAL.slice(0, 0x7100), /at offset 0x7000: the 113 page descriptors \[0x7000, 0x7a98\) run past the end of the file \(0x7100 bytes\)/],
    ['a descriptor whose data leaves the file', () => edit((v) => v.setBigInt64(DESC0, BigInt(REAL.length - 10), true)), /at offset 0x7000: page descriptor of pfn 0x2a10: data \[0x[0-9a-f]+, 0x[0-9a-f]+\) runs past the end of the file \(0xc07d bytes\), and the header does not say the dump is incomplete/],
    ['a descriptor pointing into the headers', () => edit((v) => v.setBigInt64(DESC0, 0x100n, true)), /at offset 0x7000: page descriptor of pfn 0x2a10: data offset 0x100 is not in the page data area \(from 0x7a98\)/],
    ['a negative descriptor offset', () => edit((v) => v.setBigInt64(DESC0, -4096n, true)), /data offset -0x1000 is not in the page data area/],
    ['a descriptor size beyond the block size', () => edit((v) => v.setUint32(DESC0 + 8, 5000, true)), /at offset 0x7008: page descriptor of pfn 0x2a10: size 5000 is not in 1\.\.block_size \(4096\)/],
    ['unknown compression flags', () => edit((v) => v.setUint32(DESC0 + 12, 0x40, true)), /at offset 0x700c: page descriptor of pfn 0x2a10: unknown compression flags 0x40/],
    ['two compressions at once', () => edit((v) => v.setUint32(DESC0 + 12, 0x3, true)), /unknown compression flags 0x3/],
    ['an uncompressed page shorter than a block', () => edit((v) => v.setUint32(DESC0 + 12, 0, true)), /an uncompressed page of \d+ bytes, not block_size \(4096\)/],
    ['a block size that is not a power of two', () => edit((v) => v.setInt32(0x1ac, 5000, true)), /no reading of the disk_dump_header is plausible/],
    ['a bitmap of 2^44 bytes', () => edit((v) => v.setUint32(0x1b4, 0xffffffff, true)), /the bitmaps \[0x3000, 0x[0-9a-f]+\) run past the end of the file/],
    ['max_mapnr beyond 2^52 bytes', () => edit((v) => v.setBigUint64(0x1060, 1n << 41n, true)), /at offset 0x1b8: max_mapnr 0x20000000000 pages of 4096 bytes is beyond 2\^52 bytes/],
    ['max_mapnr beyond what the bitmaps cover', () => edit((v) => v.setBigUint64(0x1060, 0x20000n, true)), /at offset 0x1b4: bitmap_blocks 4 \(0x4000 bytes\) cannot hold two bitmaps of the 0x4000 bytes max_mapnr 0x20000 needs/],
    ['VMCOREINFO outside the file', () => edit((v) => v.setBigUint64(0x1020, 1n << 40n, true)), /at offset 0x1020: VMCOREINFO \[0x10000000000, .*\) runs past the end of the file/],
    ['a split range beyond max_mapnr', () => edit((v) => { v.setInt32(0x100c, 1, true); v.setBigUint64(0x1050, 0n, true); v.setBigUint64(0x1058, 0x10000n, true); }), /split range \[0x0, 0x10000\) is not inside \[0, max_mapnr 0xfead\)/],
  ])('%s', (_what, make, message) => {
    const e = failure(make());
    expect(e.code).toBe('EBADIMAGE');
    expect(e.message).toMatch(message);
  });

  it('a zlib page that inflates to less than a block (both decoders)', () => {
    // Replace the first zlib page's data with a stream of 4095 bytes, no longer than the original.
    const short = deflateSync(new Uint8Array(4095), { level: 9 });
    const bytes = edit((v, b) => {
      const off = Number(v.getBigInt64(DESC0, true));
      b.set(short, off);
      v.setUint32(DESC0 + 8, short.length, true);
    });
    const e = failure(bytes);
    expect(e.code).toBe('EBADIMAGE');
    expect(e.message).toMatch(/kdump: zlib page data of pfn 0x2a10 at offset 0x[0-9a-f]+ \(\d+ bytes\): .*4095/);
  });

  it('refuses in bounded time and memory whatever sizes the header claims', () => {
    const before = process.memoryUsage().rss;
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) {
      expect(() => loadDump(edit((v) => { v.setUint32(0x1b4, 0x7fffffff, true); v.setUint32(0x1b8, 0xffffffff, true); v.setBigUint64(0x1060, 1n << 40n, true); }))).toThrow(PagewalkError);
      expect(() => loadDump(edit((v) => v.setBigUint64(0x1038, 1n << 36n, true)))).toThrow(/ELF notes size 0x1000000000 is beyond the 0x4000000-byte limit/);
      // An incomplete file may end before its bitmaps: a 2^40-page machine's bitmaps (2 x 128 GiB) are not allocated.
      const huge = loadDump(edit((v) => { v.setUint32(0x1a8, 0x9, true); v.setUint32(0x1b4, 0x10000000, true); v.setBigUint64(0x1060, 1n << 40n, true); }));
      expect(huge.kdump!.header.maxMapnr).toBe(2 ** 40);
      expect(huge.memory.pageState(0x6330000)).toBe('absent');
    }
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 << 20);
  });
});
