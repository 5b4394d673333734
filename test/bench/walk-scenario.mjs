/**
 * One walk-bench measurement, in its own process (so `mono` really is a
 * walker that has only seen one ops object): builds the scenario's tables
 * with the built package, then times the walker and the hand-written
 * baseline and measures the bytes each allocates per visited entry.
 *
 * usage: node --expose-gc --max-semi-space-size=256 walk-scenario.mjs <scenario> <mono|mega> [pteEntry|pteRange]
 * prints one JSON line. `pteRange` measures the batch op: one call per pte
 * run, whose loop decodes the words with the codec (what V8 inlines).
 */
import { performance } from 'node:perf_hooks';
import { bytesPerEntry } from '../support/young-bytes.mjs';
import { MmWalk, createMachine, walkKernelPageTableRange } from '../../dist/index.js';
import * as baselines from './baselines.mjs';

const GiB = 2 ** 30;
const DIRECT = 0xffff888000000000;

/** The callbacks measured: count present entries and sum their PFNs (dense), count leaves (2M), count holes (sparse). */
function pteCounter(e, w) {
  if (w.present(e)) {
    const p = w.private;
    p.count++;
    p.sum += w.pfn(e);
  }
  return 0;
}
function pmdCounter(e, w) {
  if (w.leaf(e)) {
    const p = w.private;
    p.count++;
    p.sum += w.pfn(e);
  }
  return 0;
}
/**
 * pteCounter as a pteRange op: the same work in the caller's own loop over
 * the run's words, decoded with the codec at depth PTE (4), counts kept in
 * locals and stored once per run (object fields updated per pte cost more
 * than the decode), pfn as phys times 1/page size (exact: a power of two).
 */
function pteRangeCounter(first, count, w) {
  const words = w.ptes;
  const codec = w.codec;
  const perPage = 1 / w.pageSize;
  let wi = w.pteWord;
  let n = 0;
  let sum = 0;
  for (let i = 0; i < count; i++, wi += 2) {
    const lo = words[wi];
    const hi = words[wi + 1];
    if (codec.present(4, lo, hi)) {
      n++;
      sum += codec.outputPa(4, lo, hi) * perPage;
    }
  }
  const p = w.private;
  p.count += n;
  p.sum += sum;
  return 0;
}
function allocatingCounter(e, w) {
  w.private.last = { entry: e, addr: w.addr, next: w.next };
  w.private.count++;
  return 0;
}
function holeCounter(depth, w) {
  w.private.count++;
  return 0;
}

const SCENARIOS = {
  'dense-4k': { arch: 'x86-64', mode: '4level', bytes: GiB, base: DIRECT, baseline: 'x86Dense' },
  'dense-4k-big': { arch: 'x86-64', mode: '4level', bytes: 16 * GiB, base: DIRECT, baseline: 'x86Dense', ram: 256 << 20 },
  'dense-4k-riscv': { arch: 'riscv64', mode: 'sv39', bytes: GiB, base: 0xffffffd800000000, baseline: 'riscvDense' },
  'dense-4k-arm64': { arch: 'arm64', mode: '4k-48', bytes: GiB, base: 0xffff000000000000, baseline: 'arm64Dense' },
  'dense-16k-loongarch': { arch: 'loongarch64', mode: '16k-3level', bytes: GiB, base: 0xffff800000000000, baseline: 'loongarchDense' },
  'huge-2m': { arch: 'x86-64', mode: '4level', bytes: 64 * GiB, base: DIRECT, baseline: 'x86Pmd', pageSize: '2M' },
  sparse: { arch: 'x86-64', mode: '4level', bytes: GiB, base: DIRECT, baseline: null, sparse: true },
  // Checks the allocation method: a callback allocating one small object per entry must show it.
  'alloc-calibration': { arch: 'x86-64', mode: '4level', bytes: GiB, base: DIRECT, baseline: null, allocating: true },
};

const [name, callsite, api = 'pteEntry'] = process.argv.slice(2);
const sc = SCENARIOS[name];
if (!sc || (callsite !== 'mono' && callsite !== 'mega') || (api !== 'pteEntry' && api !== 'pteRange') || (sc.allocating && api !== 'pteEntry')) {
  console.error(`usage: walk-scenario.mjs <${Object.keys(SCENARIOS).join('|')}> <mono|mega> [pteEntry|pteRange]`);
  process.exit(2);
}
const ranged = api === 'pteRange';
const pteOps = ranged ? { pteRange: pteRangeCounter } : { pteEntry: pteCounter };

const m = createMachine({ arch: sc.arch, mode: sc.mode, ram: sc.ram ? [{ base: defaultBase(sc.arch), size: sc.ram }] : undefined });
const mm = m.initMm;
mm.map(sc.base, 0x100000000, sc.bytes, { write: true, global: true }, { pageSize: sc.pageSize ?? mm.pageSize });
if (sc.sparse) {
  // A few scattered pages in both halves besides the dense gigabyte.
  for (const va of [0x400000, 0x7ffd04000000, 0xffffc90000000000, 0xffffffff81000000, 0xfffffe0000000000]) {
    mm.map(va, 0x200000000, mm.pageSize, { write: true });
  }
}

function defaultBase(arch) {
  return { 'x86-64': 0, riscv64: 0x80000000, arm64: 0x40000000, loongarch64: 0 }[arch];
}

// sum starts as a double (-0): a field that starts as a small integer and later holds doubles may end up
// stored boxed, so every `sum +=` would allocate in the callback, whoever walks.
const priv = { count: 0, sum: -0 };
// huge-2m: pmd leaves counted by pmdEntry, with a pte op present (never called: every pmd is a leaf), as in ptdump.
const counter =
  sc.pageSize === '2M'
    ? { pmdEntry: pmdCounter, ...pteOps }
    : sc.sparse
      ? { ...pteOps, pteHole: holeCounter }
      : sc.allocating
        ? { pteEntry: allocatingCounter }
        : pteOps;
const range = [sc.base, sc.base + sc.bytes];
const walkOnce = sc.sparse
  ? () => {
      walkKernelPageTableRange(mm, 0, 2 ** 47, counter, { private: priv });
      walkKernelPageTableRange(mm, 0xffff800000000000, 2 ** 64, counter, { private: priv });
    }
  : () => walkKernelPageTableRange(mm, range[0], range[1], counter, { private: priv });
priv.count = 0;
walkOnce();
const entries = priv.count;

// The baseline: same memory, same ops object, a hand-written loop.
const invalid = sc.arch === 'loongarch64' ? { pmd: noneValue(2), pte: noneValue(3) } : null;
const baselineWith = (ops, from, to) => {
  const w = new MmWalk(mm, ops, priv, mm.root);
  return baselines[sc.baseline](w, m.memory, mm.entries, ops, mm.root, from, to, invalid);
};
const baselineOnce = sc.baseline ? () => baselineWith(counter, range[0], range[1]) : null;

/** loongarch: the value of an empty directory entry (the invalid table's window address) at a depth. */
function noneValue(depth) {
  m.codec.encodeNone(depth);
  return (m.codec.hi >>> 0) * 2 ** 32 + (m.codec.lo >>> 0);
}

if (callsite === 'mega') {
  // Six other ops objects through the same walker (and baseline) first: the callback call sites go
  // megamorphic, as in a real program where many users share the library.
  const small = [sc.base, sc.base + 64 * mm.pageSize * 512];
  const others = [
    { pteEntry: (e, w) => (w.none(e) ? 0 : 0), pmdEntry: (e, w) => (w.none(e) ? 0 : 0) },
    { pteEntry: (e, w) => (w.lo(e) === 7 ? 1 : 0), pmdEntry: (e, w) => (w.lo(e) === 7 ? 1 : 0) },
    { pteEntry: (e, w) => (w.leaf(e) ? 0 : 0), pmdEntry: (e, w) => (w.hi(e) === 3 ? 1 : 0), pteHole: () => 0 },
    { pteEntry: (e, w) => (w.hi(e) === -1 ? 1 : 0), pmdEntry: () => 0, pudEntry: () => 0 },
    { pteEntry: (e, w) => (w.present(e) && w.addr < 0 ? 1 : 0), pmdEntry: (e, w) => (w.next < 0 ? 1 : 0) },
    { pteEntry: (e, w) => (w.phys(e) < 0 ? 1 : 0), pmdEntry: (e, w) => (w.phys(e) < 0 ? 1 : 0), pgdEntry: () => 0, p4dEntry: () => 0 },
  ];
  if (ranged) {
    // the same six with their pte callback as a pteRange loop (six different pteRange functions)
    for (const o of others) {
      const f = o.pteEntry;
      delete o.pteEntry;
      o.pteRange = new Function('f', 'return function (first, n, w) { for (let i = 0; i < n; i++) { const r = f(first + i, w); if (r) return r; } return 0; }')(f);
    }
  }
  for (let k = 0; k < 3; k++) {
    for (const o of others) {
      walkKernelPageTableRange(mm, small[0], small[1], o);
      if (sc.baseline) baselineWith(o, small[0], small[1]);
    }
  }
}

function timePerEntry(fn) {
  for (let i = 0; i < 5; i++) fn();
  const samples = [];
  const until = performance.now() + 1500;
  while (samples.length < 7 || (performance.now() < until && samples.length < 200)) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return (samples[Math.floor(samples.length / 2)] * 1e6) / entries;
}

/** Bytes allocated per visited entry (test/support/young-bytes.mjs), over ~2M visits. */
const allocated = (fn) => bytesPerEntry(fn, entries, Math.max(1, Math.ceil(2e6 / entries)));

const ns = timePerEntry(walkOnce);
const bytes = await allocated(walkOnce);
const bns = baselineOnce ? timePerEntry(baselineOnce) : null;
const bbytes = baselineOnce ? await allocated(baselineOnce) : null;
const round = (x, d = 2) => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d);
console.log(
  JSON.stringify({
    scenario: name,
    arch: sc.arch,
    mode: sc.mode,
    callsite,
    api,
    entries,
    ns_per_entry: round(ns),
    bytes_per_entry: round(bytes),
    baseline_ns_per_entry: round(bns),
    baseline_bytes_per_entry: round(bbytes),
    ratio: bns ? round(ns / bns) : null,
  }),
);
