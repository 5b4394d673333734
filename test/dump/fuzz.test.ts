/**
 * Fuzz: mutations of the real kdump and flattened files (makedumpfile 1.7.2
 * outputs in test/fixtures/x86-64-4level/kdump): truncations, bit flips in
 * the headers, bitmaps and descriptors, header and descriptor fields set to
 * huge or random values, flattened record headers broken. Each case must end
 * in success or in exactly one PagewalkError: EBADIMAGE naming an offset
 * when opening; EFAULT (absent, excluded) or EBADIMAGE when reading a page;
 * never another exception, never a hang. A success is then read page by
 * page and walked from CR3. Seeded (PAGEWALK_FUZZ_SEED), bounded to ~10 s.
 */
import { describe, expect, it } from 'vitest';
import { forEachLeaf, loadDump, openImage } from '../../src/index.js';
import { fixtureBytes } from '../support/fixtures.js';
import { BASE_SEED, below, pick, rng, type Rng } from '../support/rng.js';
import { bitFlips, outcome, truncation } from '../fuzz/mutations.js';

const FILES = ['tables.zlib.kdump.gz', 'tables.lzo.kdump.gz', 'tables.zstd.kdump.gz', 'tables.snappy.kdump.gz', 'tables.zlib-incomplete.kdump.gz', 'tables.zlib.flat.gz'].map((f) => ({
  name: f,
  bytes: fixtureBytes('x86-64-4level/kdump/' + f),
}));

/** Header fields (offset, size) of the plain files: disk_dump_header and kdump_sub_header (README's tables). */
const FIELDS: [number, 4 | 8][] = [
  [0x8, 4], [0x1a8, 4], [0x1ac, 4], [0x1b0, 4], [0x1b4, 4], [0x1b8, 4], [0x1cc, 4],
  [0x1000, 8], [0x1008, 4], [0x100c, 4], [0x1010, 8], [0x1018, 8], [0x1020, 8], [0x1028, 8], [0x1030, 8], [0x1038, 8], [0x1050, 8], [0x1058, 8], [0x1060, 8],
];
const HUGE = [0n, 1n, 0xffffn, 0x7fffffffn, 0xffffffffn, 1n << 40n, 1n << 52n, 1n << 53n, (1n << 63n) - 1n, (1n << 64n) - 1n];

function mutate(r: Rng, src: Uint8Array, flat: boolean): { bytes: Uint8Array; what: string } {
  const kind = below(r, 6);
  if (kind === 0) return truncation(r, src);
  if (kind === 1) return bitFlips(r, src, pick(r, [0x200, 0x1100, 0x7000, 0x7b00, src.length]));
  const bytes = src.slice();
  const v = new DataView(bytes.buffer);
  if (flat) {
    // A record header: the flattened file's own structure (records start after the 4 KiB header).
    let pos = 4096;
    const target = below(r, 7);
    for (let i = 0; i < target && pos + 16 <= bytes.length; i++) pos += 16 + Number(v.getBigInt64(pos + 8, false));
    if (pos + 16 > bytes.length) return { bytes, what: 'no change' };
    const value = pick(r, HUGE) * (below(r, 2) === 0 ? 1n : -1n);
    v.setBigInt64(pos + below(r, 2) * 8, BigInt.asIntN(64, value), false);
    return { bytes, what: `record ${target} header set to ${value}` };
  }
  if (kind <= 3) {
    const [at, size] = pick(r, FIELDS);
    const value = kind === 2 ? pick(r, HUGE) : BigInt(below(r, 2 ** 32));
    if (size === 8) v.setBigUint64(at, BigInt.asUintN(64, value), true);
    else v.setUint32(at, Number(BigInt.asUintN(32, value)), true);
    return { bytes, what: `field at 0x${at.toString(16)} set to 0x${value.toString(16)}` };
  }
  // A page descriptor field (0x7000 + 24 i: offset, size, flags).
  const at = 0x7000 + 24 * below(r, 113) + pick(r, [0, 8, 12]);
  const value = kind === 4 ? pick(r, HUGE) : BigInt(below(r, 2 ** 16));
  if ((at - 0x7000) % 24 === 0) v.setBigUint64(at, BigInt.asUintN(64, value), true);
  else v.setUint32(at, Number(BigInt.asUintN(32, value)), true);
  return { bytes, what: `descriptor field at 0x${at.toString(16)} set to 0x${value.toString(16)}` };
}

describe('fuzz: mutated kdump and flattened files', () => {
  it('each mutation opens, or fails once with a PagewalkError naming an offset; what opens reads and walks', () => {
    const r = rng(BASE_SEED ^ 0x6b64);
    const deadline = performance.now() + 8000;
    let cases = 0;
    let opened = 0;
    for (let i = 0; performance.now() < deadline; i++) {
      const file = FILES[i % FILES.length];
      const { bytes, what } = mutate(r, file.bytes, file.name.includes('.flat'));
      const context = `seed ${BASE_SEED ^ 0x6b64}#${i} ${file.name} (${what})`;
      let d: ReturnType<typeof loadDump> | undefined;
      let message = '';
      const open = outcome(() => {
        try {
          d = loadDump(bytes);
        } catch (e) {
          message = (e as Error).message;
          throw e;
        }
      }, context);
      cases++;
      if (open !== 'ok') {
        expect(open, context).toBe('EBADIMAGE');
        expect(message, context).toMatch(/offset (-)?0x[0-9a-f]+|file too short|empty/);
        continue;
      }
      opened++;
      for (let pfn = 0x2a00; pfn < 0x6400; pfn += 13) {
        const c = outcome(() => void d!.memory.readBytes(pfn * 4096, 4096), context);
        expect(['ok', 'EFAULT', 'EBADIMAGE'], context).toContain(c);
      }
      // A flipped signature leaves no kdump file: the bytes are then raw memory (formats are told by content).
      if (d!.kdump !== null) expect(['ok', 'EBADIMAGE'], context).toContain(outcome(() => void d!.kdump!.countPages(), context));
      else expect(d!.format, context).toBe('raw');
      if (opened % 8 !== 1) continue; // a walk is ~0.1 s: walk some
      const walk = outcome(() => {
        const mm = openImage(d!.memory, { arch: 'x86-64', mode: '4level', root: 0x6330000 }).initMm;
        forEachLeaf(mm, () => {});
      }, context);
      expect(['ok', 'EFAULT', 'EBADIMAGE'], context).toContain(walk);
    }
    expect(cases).toBeGreaterThan(50);
    expect(opened).toBeGreaterThan(10);
  }, 30_000);
});
