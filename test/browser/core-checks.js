// @ts-check
/**
 * The same computations run under Node and in Chromium, on the real
 * fixtures, with nothing but the package's core entry (`pw`) and a loader
 * for fixture bytes (`load(path)`: gunzipped when the name ends in .gz).
 * Plain JavaScript so that the browser runs this very file; the results are
 * plain JSON so the two runs compare with one deep equality.
 */

/** Each fixture's kernel root and options, from its root.txt (test/fixtures/README.md). */
export const CASES = [
  { name: 'x86-64 Debian 6.1', image: 'x86-64-4level/tables.elf.gz', arch: 'x86-64', mode: '4level', root: 0x6330000 },
  { name: 'x86-64 6.1.192', image: 'kernel-6.1-x86-64-4level/tables.elf.gz', arch: 'x86-64', mode: '4level', root: 0x181e000, config: 'kernel-6.1-x86-64-4level/config.gz' },
  { name: 'arm64 4k-48 6.1.192', image: 'kernel-6.1-arm64-4k-48/tables.elf.gz', arch: 'arm64', mode: '4k-48', root: 0x40472000, config: 'kernel-6.1-arm64-4k-48/config.gz' },
  {
    name: 'riscv64 sv39 6.1.192',
    image: 'kernel-6.1-riscv-sv39/tables.elf.gz',
    arch: 'riscv64',
    mode: 'sv39',
    root: 0x80c9e000,
    config: 'kernel-6.1-riscv-sv39/config.gz',
    bases: { _end: 0xffffffff80acf000 },
  },
  {
    name: 'loongarch64 16k-3level 6.12.118',
    image: 'kernel-6.12-loongarch64-16k-3level/tables.elf.gz',
    arch: 'loongarch64',
    mode: '16k-3level',
    root: 0x5d0000,
    invalidTables: { pte: 0x90000000005dc000, pmd: 0x90000000005d8000, pud: 0x90000000005d8000 },
  },
];

const hex = (/** @type {number | bigint} */ v) => '0x' + v.toString(16);

/** JSON with bigints as hex strings. */
const plain = (/** @type {unknown} */ v) => JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? hex(x) : x)));

/**
 * @param {any} pw the package's core entry (import * as pw from 'pagewalk')
 * @param {(path: string) => Promise<Uint8Array>} load fixture bytes
 */
export async function runChecks(pw, load) {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const c of CASES) {
    const { memory } = pw.loadElfCore(await load(c.image));
    const m = pw.openImage(memory, { arch: c.arch, mode: c.mode, root: c.root, invalidTables: c.invalidTables });
    const mm = m.initMm;
    // A kernel walk of each half the root translates: callbacks per level, holes.
    const counts = { pgd: 0, p4d: 0, pud: 0, pmd: 0, pte: 0, holes: 0, leaves: 0, present: 0 };
    const level = (/** @type {'pgd'|'p4d'|'pud'|'pmd'|'pte'} */ name) => (/** @type {number} */ e, /** @type {any} */ w) => {
      counts[name]++;
      if (w.present(e)) counts.present++;
      if (name !== 'pte' && w.leaf(e)) counts.leaves++;
      return 0;
    };
    const ops = { pgdEntry: level('pgd'), p4dEntry: level('p4d'), pudEntry: level('pud'), pmdEntry: level('pmd'), pteEntry: level('pte'), pteHole: () => (counts.holes++, 0) };
    const rcs = pw.spanRanges(mm).map((/** @type {{start: number, end: number}} */ r) => pw.walkKernelPageTableRange(mm, r.start, r.end, ops));

    // ptdump: the kernel text, and the JSON ranges.
    const config = c.config ? pw.parseKernelConfig(new TextDecoder().decode(await load(c.config))) : undefined;
    /** @type {string[]} */
    const text = [];
    pw.ptdump(mm, (/** @type {string} */ l) => text.push(l), { config, bases: c.bases });
    /** @type {any[]} */
    const ranges = [];
    pw.ptdump(mm, (/** @type {string} */ l) => ranges.push(JSON.parse(l)), { config, bases: c.bases, format: 'json' });

    // Translations: the first byte and an unaligned byte of 300 ranges or so.
    const step = Math.max(1, Math.floor(ranges.length / 300));
    const traces = ranges
      .filter((_r, i) => i % step === 0)
      .flatMap((r) => [BigInt(r.start), BigInt(r.start) + 0x123n])
      .map((va) => {
        try {
          return plain(mm.translate(va));
        } catch (e) {
          return { va: hex(va), error: String(e instanceof Error ? e.message : e) };
        }
      });

    let leaves = 0;
    pw.forEachLeaf(mm, () => void leaves++);

    out[c.name] = { rcs, counts, ptdump: text.join('\n') + '\n', ranges: ranges.length, traces, leaves, checkWx: plain(pw.checkWx(mm, { config, bases: c.bases })) };
  }
  return out;
}
