/**
 * The flattened format (makedumpfile -F; makedumpfile.h struct
 * makedumpfile_data_header: big-endian int64 offset and size before each
 * record, -1/-1 at the end), beyond the one real file: records in another
 * order, records that cut a structure in two, later records overwriting
 * earlier ones, a stream cut short, bad records. The plain file they stand
 * for is the real tables.zlib.kdump (read the same, page for page).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadDump, PagewalkError } from '../../src/index.js';
import { fixtureBytes, fixtureText } from '../support/fixtures.js';
import { flatten } from './kdump-builder.js';

const expected = JSON.parse(fixtureText('x86-64-4level/kdump/expected.json')) as { page_sha256: Record<string, string> };
const plain = fixtureBytes('x86-64-4level/kdump/tables.zlib.kdump.gz');
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function readsAll(bytes: Uint8Array): void {
  const d = loadDump(bytes);
  expect(d.format).toBe('flattened');
  for (const [pa, hash] of Object.entries(expected.page_sha256)) expect(sha(d.memory.readBytes(Number(pa), 4096)), pa).toBe(hash);
}

/** Records of `size` bytes covering the whole plain file (the last one shorter), in file order. */
function pieces(size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let o = 0; o < plain.length; o += size) out.push([o, Math.min(size, plain.length - o)]);
  return out;
}

describe('flattened files', () => {
  it('are the real flattened fixture, rearranged: the same as tables.zlib.kdump', () => {
    const flat = fixtureBytes('x86-64-4level/kdump/tables.zlib.flat.gz');
    readsAll(flat);
  });

  it('with records in reverse order, 1000 bytes each (every structure cut somewhere)', () => {
    readsAll(flatten(plain, pieces(1000).reverse()));
  });

  it('with 24-byte records shuffled (a page descriptor, a header field per record)', () => {
    const recs = pieces(24);
    let seed = 7;
    for (let i = recs.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const j = seed % (i + 1);
      [recs[i], recs[j]] = [recs[j], recs[i]];
    }
    readsAll(flatten(plain, recs));
  });

  it('later records overwrite earlier ones (garbage first, then the real bytes over it in two halves)', () => {
    const garbage = new Uint8Array(plain.length).fill(0xa5);
    const half = Math.floor(plain.length / 2);
    readsAll(flatten(plain, [[half, plain.length - half], [0, half]], [{ offset: 0, bytes: garbage, before: true }]));
    // ...and a later record wins over an earlier real one: garbage over the header breaks it.
    expect(() => loadDump(flatten(plain, [[0, plain.length]], [{ offset: 0, bytes: new Uint8Array(16).fill(0x5a) }]))).toThrow(/rebuild: neither a kdump-compressed file/);
  });

  it('cut short (no end marker): read as far as it goes; pages whose descriptors never came are absent (incomplete)', () => {
    // makedumpfile writes the descriptors last: a stream cut before them has none.
    const recs = pieces(4096);
    const descs = recs.filter(([o]) => o >= 0x7000 && o < 0x8000);
    const others = recs.filter(([o]) => o < 0x7000 || o >= 0x8000);
    const full = flatten(plain, [...others, ...descs]);
    const cut = full.subarray(0, full.length - 16 - descs.reduce((n, [, s]) => n + 16 + s, 0) + 100); // into the first descriptor record
    const d = loadDump(cut);
    expect(d.kdump!.parts[0].incomplete).toBe(true);
    const c = d.kdump!.countPages();
    expect(c.data + c.incomplete).toBe(113);
    expect(c.incomplete).toBeGreaterThan(100);
    for (const [pa, hash] of Object.entries(expected.page_sha256)) {
      if (d.memory.pageState(Number(pa)) === 'data') expect(sha(d.memory.readBytes(Number(pa), 4096))).toBe(hash);
      else expect(() => d.memory.readBytes(Number(pa), 1)).toThrow(/absent: the dump is incomplete/);
    }
  });

  it.each([
    ['a negative offset', -4096n, 16n, /at file offset 0x1000: record offset -4096 is negative/],
    ['a negative size', 0n, -2n, /at file offset 0x1008: record size -2 is negative/],
    ['an offset past 2^53', 2n ** 62n, 16n, /at file offset 0x1000: record \[0x4000000000000000, .*\) ends beyond 2\^53/],
  ])('refuses %s (EBADIMAGE with the file offset)', (_n, offset, size, message) => {
    const bad = flatten(plain, [[0, plain.length]]);
    const v = new DataView(bad.buffer, bad.byteOffset);
    v.setBigInt64(4096, offset, false);
    v.setBigInt64(4104, size, false);
    let err: unknown;
    try {
      loadDump(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PagewalkError);
    expect((err as PagewalkError).code).toBe('EBADIMAGE');
    expect((err as Error).message).toMatch(message);
  });

  it('refuses a header of another type or version, and records that rebuild no dump', () => {
    const bad = flatten(plain, [[0, plain.length]]);
    new DataView(bad.buffer, bad.byteOffset).setBigInt64(16, 2n, false);
    expect(() => loadDump(bad)).toThrow(/flattened dump: at file offset 0x10: type 2: need 1/);
    expect(() => loadDump(flatten(new Uint8Array(64).fill(1), [[0, 64]]))).toThrow(/rebuild: neither a kdump-compressed file nor an ELF core/);
  });

  it('may hold an ELF core (makedumpfile -F -E): read as the ELF', () => {
    const elf = fixtureBytes('x86-64-4level/tables.elf.gz');
    const recs: [number, number][] = [];
    for (let o = 0; o < elf.length; o += 5000) recs.push([o, Math.min(5000, elf.length - o)]);
    const d = loadDump(flatten(elf, recs.reverse()));
    expect(d.format).toBe('flattened');
    expect(d.content).toBe('elf');
    expect(d.core!.segments.length).toBe(26);
    for (const [pa, hash] of Object.entries(expected.page_sha256)) expect(sha(d.memory.readBytes(Number(pa), 4096))).toBe(hash);
  });
});
