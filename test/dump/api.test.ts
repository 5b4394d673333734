/**
 * The dump API's arguments: loadDump() and openDumpFile() take what their
 * documentation says and refuse the rest with EINVAL naming it; readBytes()
 * and pageState() take number or bigint physical addresses, as the rest of
 * the API takes addresses.
 */
import { describe, expect, it } from 'vitest';
import { loadDump, PhysicalMemory, type PagewalkError } from '../../src/index.js';
import { openDumpFile } from '../../src/node.js';
import { FIXTURES, fixtureBytes } from '../support/fixtures.js';

const code = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return `${(e as PagewalkError).code}: ${(e as Error).message}`;
  }
};
const ZLIB = fixtureBytes('x86-64-4level/kdump/tables.zlib.kdump.gz');

describe('dump API arguments', () => {
  it('loadDump: bytes, ArrayBuffer or an array of parts; options checked', () => {
    expect(loadDump(ZLIB.buffer.slice(ZLIB.byteOffset, ZLIB.byteOffset + ZLIB.byteLength) as ArrayBuffer).format).toBe('kdump');
    expect(code(() => loadDump('dump.kdump' as never))).toMatch(/^EINVAL: loadDump\(bytes\) must be an ArrayBuffer or a Uint8Array/);
    expect(code(() => loadDump([]))).toMatch(/^EINVAL: loadDump needs/);
    expect(code(() => loadDump(ZLIB, { rawBase: 0x1000 }))).toBe('EINVAL: dump: is a kdump dump, whose bitmaps say where memory is: a raw base does not apply');
    expect(code(() => loadDump(ZLIB, { cachebytes: 1 } as never))).toMatch(/^EINVAL: unknown loadDump\(\) options key "cachebytes"/);
    expect(code(() => loadDump([ZLIB, new Uint8Array(0)]))).toBe('EBADIMAGE: part 2: empty');
    expect(loadDump(new Uint8Array(16), { rawBase: 0x2000 }).memory.pageState(0x2000)).toBe('data');
  });

  it('openDumpFile: a path or paths; the same path twice is refused', () => {
    expect(code(() => openDumpFile([]))).toMatch(/^EINVAL: openDumpFile needs a file path or a non-empty array/);
    expect(code(() => openDumpFile(['a', 'a']))).toBe('EINVAL: a: given twice');
    expect(code(() => openDumpFile(FIXTURES + 'x86-64-4level/kdump/tables.zlib.kdump.gz', { rawbase: 1 } as never))).toMatch(/unknown openDumpFile\(\) options key "rawbase"/);
  });

  it('readBytes and pageState take number or bigint addresses; options checked', () => {
    const m = loadDump(ZLIB).memory;
    expect(m.readBytes(0x6330000n, 8)).toEqual(m.readBytes(0x6330000, 8));
    expect(m.pageState(0x6330000n)).toBe('data');
    expect(m.pageState(0x6331000)).toBe('absent');
    expect(code(() => m.readBytes(-1, 8))).toMatch(/^EINVAL: pa -0x1 must be a physical address/);
    expect(code(() => m.readBytes(2n ** 60n, 8))).toMatch(/^EINVAL: pa 0x1000000000000000 must be a physical address/);
    expect(code(() => m.readBytes(0, -1))).toMatch(/^EINVAL: length -1/);
    expect(code(() => m.readBytes(0x6330000, 8, { fillExcluded: 'ones' as 'zero' }))).toMatch(/^EINVAL: fillExcluded "ones"/);
    expect(code(() => m.readBytes(0x6330000, 8, { fill: 'zero' } as never))).toMatch(/^EINVAL: unknown readBytes\(\) options key "fill"/);
    // In-memory images: across adjacent regions, and EFAULT naming the first address outside.
    const two = new PhysicalMemory(
      [
        { base: 0, size: 8, bytes: new Uint8Array(8).fill(1) },
        { base: 8, size: 8, bytes: new Uint8Array(8).fill(2) },
      ],
      false,
    );
    expect([...two.readBytes(4, 8)]).toEqual([1, 1, 1, 1, 2, 2, 2, 2]);
    expect(code(() => two.readBytes(12, 8))).toBe('EFAULT: physical 0x10: absent: not in the image (no region holds it)');
  });
});
