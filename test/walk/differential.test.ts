/**
 * Differential tests: the hot iterator (walkKernelPageTableRange /
 * walkPageRangeDebug) against the plain kernel-shaped reference walker, on
 * thousands of random tables for every arch and mode, with random ranges,
 * random subsets of callbacks, and callbacks that stop the walk, set
 * walk.action or rewrite their entry, some under a small entry budget.
 * Traces, return values, the budget's count and the image after the walk
 * must be identical. Then the batch op: pteRange runs expanded into
 * pte_entry calls must give exactly the pteEntry trace and result.
 */
import { describe, expect, it } from 'vitest';
import { allModes } from '../../src/arch/registry.js';
import type { ArchMode } from '../../src/arch/types.js';
import { walkPageRangeDebug } from '../../src/walk/debug-walk.js';
import { walkKernelPageTableRange } from '../../src/walk/kernel-walk.js';
import { walkArgsProblem } from '../../src/walk/walk-args.js';
import { buildRandomImage, mulberry32, pick, randomRange, restore, snapshot, u32, type RandomImage, type Rng } from './random-tables.js';
import { referenceWalk } from './reference-walker.js';
import { CB_NAMES, Runaway, firstDifference, traceOps, type CbName, type Decisions, type TraceEvent } from './trace.js';
import type { EntryCallback, MmWalkOps, PteRangeCallback } from '../../src/walk/ops.js';
import type { WalkBudget } from '../../src/walk/walk-args.js';

const CAP = 12000;

interface Outcome {
  result: number | string;
  trace: TraceEvent[];
}

function run(fn: () => number, trace: TraceEvent[]): Outcome {
  try {
    return { result: fn(), trace };
  } catch (e) {
    if (e instanceof Runaway) return { result: 'runaway', trace };
    return { result: `threw ${(e as Error).name}: ${(e as Error).message}`, trace };
  }
}

function randomDecisions(rng: Rng, img: RandomImage): Decisions {
  let present: CbName[] = CB_NAMES.filter((cb) => rng() < (cb === 'pteEntry' ? 0.5 : 0.6));
  if (present.length === 0) present = ['pteHole'];
  return {
    seed: u32(rng),
    stopRate: pick(rng, [0, 0, 0.002, 0.02, 0.1]),
    actionRate: pick(rng, [0, 0.1, 0.4]),
    writeRate: pick(rng, [0, 0, 0.03, 0.2]),
    decodeRate: 0.05,
    palette: img.palette.flat(),
    present,
    cap: CAP,
  };
}

/** Cases per mode: fewer where a pte table has 2048 or 8192 entries. */
function casesFor(arch: ArchMode): number {
  return arch.pageShift === 12 ? 80 : arch.pageShift === 14 ? 30 : 16;
}

function checkCase(arch: ArchMode, seed: number): void {
  const rng = mulberry32(seed);
  const user = rng() < 0.3;
  const oddness = rng() < 0.3 ? 0 : 1;
  const img = buildRandomImage(arch, rng, { user, targets: 1 + Math.floor(rng() * 6), oddness });
  // With odd entries a table may be reached at two depths (a loop, a pointer
  // to a table of another level): walk.level()/decode() are then compared
  // in conformance.test.ts ("a table reached at two depths"), not here.
  // Callbacks that write may also point a slot at a table of another level.
  const ignoreFor = (dec: Decisions): (keyof TraceEvent)[] => (oddness || dec.writeRate > 0 ? ['level', 'kind', 'prevFlags'] : []);
  const { mm, machine } = img;
  for (let k = 0; k < 3; k++) {
    const { start, end } = randomRange(img, rng);
    const dec = randomDecisions(rng, img);
    const options: { pgd?: number; private?: unknown; budget?: WalkBudget } = { private: k };
    if (img.altRoots.length && rng() < 0.15) options.pgd = pick(rng, img.altRoots);
    const maxEntries = rng() < 0.25 ? Math.floor(rng() * 3000) : undefined;
    if (maxEntries !== undefined) options.budget = { maxEntries, visited: 0 };
    const debug = user || rng() < 0.2;
    const why = walkArgsProblem(mm, start, end, {}, options, 'debug');
    expect(why, `test bug: generated arguments refused (seed ${seed})`).toBeNull();

    const before = snapshot(machine.memory);
    const hot = traceOps(dec);
    const got = run(
      () => (debug ? walkPageRangeDebug(mm, start, end, hot.ops, options) : walkKernelPageTableRange(mm, start, end, hot.ops, options)),
      hot.trace,
    );
    const afterHot = snapshot(machine.memory);
    restore(machine.memory, before);
    const ref = traceOps(dec);
    let counted = 0;
    const want = run(() => {
      const out = referenceWalk(mm, start, end, ref.ops, { pgd: options.pgd, private: options.private, maxEntries });
      counted = out.counted;
      return out.result;
    }, ref.trace);
    const afterRef = snapshot(machine.memory);

    const where = `${arch.arch} ${arch.mode} seed ${seed} walk ${k}: ${user ? 'user' : 'kernel'} mm, ${debug ? 'debug' : 'kernel'} walk [0x${start.toString(16)}, 0x${end.toString(16)})${options.pgd !== undefined ? ` pgd 0x${options.pgd.toString(16)}` : ''}${maxEntries !== undefined ? ` maxEntries ${maxEntries}` : ''}, ops ${dec.present.join(',')}`;
    const diff = firstDifference(got.trace, want.trace, ignoreFor(dec));
    if (diff !== null) expect.fail(`${where}\n${diff}`);
    expect(got.result, where).toEqual(want.result);
    if (options.budget !== undefined && typeof want.result === 'number') expect(options.budget.visited, `${where}: budget count`).toBe(counted);
    expect(
      afterHot.every((b, i) => Buffer.compare(b, afterRef[i]) === 0),
      `${where}: the image differs after the two walks`,
    ).toBe(true);
    // keep the image as the hot walker left it, so later walks see the writes
    restore(machine.memory, afterHot);
    expect(mm.walkers, where).toBe(0);
  }
}

describe('hot iterator == reference walker on random tables', () => {
  const modes = allModes();
  for (const arch of modes) {
    it(`${arch.arch} ${arch.mode}`, () => {
      const n = casesFor(arch);
      const base = [...`${arch.arch}/${arch.mode}`].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261) >>> 0;
      for (let i = 0; i < n; i++) checkCase(arch, (base + i * 7919) >>> 0);
    }, 60_000);
  }
});

/**
 * pteRange as pte_entry calls: pte i of the run gets walk.addr/next of its
 * own page and the handle first + i; the first non-zero result stops.
 */
function expanded(pteEntry: EntryCallback<unknown>): PteRangeCallback<unknown> {
  return (first, count, w) => {
    const a0 = w.addr;
    const step = w.pageSize;
    for (let i = 0; i < count; i++) {
      w.addr = a0 + i * step;
      w.next = w.addr + step;
      const r = pteEntry(first + i, w);
      if (r) return r;
    }
    return 0;
  };
}

describe('pteRange runs expanded == pteEntry, on random tables of every mode', () => {
  for (const arch of allModes()) {
    it(`${arch.arch} ${arch.mode}`, () => {
      const n = casesFor(arch);
      const base = [...`range/${arch.arch}/${arch.mode}`].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261) >>> 0;
      for (let i = 0; i < n; i++) {
        const seed = (base + i * 7919) >>> 0;
        const rng = mulberry32(seed);
        const user = rng() < 0.3;
        const img = buildRandomImage(arch, rng, { user, targets: 1 + Math.floor(rng() * 6), oddness: rng() < 0.3 ? 0 : 1 });
        const { mm, machine } = img;
        for (let k = 0; k < 3; k++) {
          const { start, end } = randomRange(img, rng);
          const dec = randomDecisions(rng, img);
          if (!dec.present.includes('pteEntry')) dec.present = [...dec.present, 'pteEntry'];
          const maxEntries = rng() < 0.25 ? Math.floor(rng() * 3000) : Infinity;
          const debugPick = rng(); // the same entry point for both runs
          const runWith = (ops: MmWalkOps, budget: WalkBudget) =>
            debugPick < 0.2 || user ? walkPageRangeDebug(mm, start, end, ops, { private: k, budget }) : walkKernelPageTableRange(mm, start, end, ops, { private: k, budget });
          const before = snapshot(machine.memory);
          const one = traceOps(dec);
          const b1: WalkBudget = { maxEntries, visited: 0 };
          const got1 = run(() => runWith(one.ops as MmWalkOps, b1), one.trace);
          const after1 = snapshot(machine.memory);
          restore(machine.memory, before);
          const batch = traceOps(dec);
          const ops2 = { ...(batch.ops as MmWalkOps) };
          ops2.pteRange = expanded(ops2.pteEntry!);
          delete ops2.pteEntry;
          const b2: WalkBudget = { maxEntries, visited: 0 };
          const got2 = run(() => runWith(ops2, b2), batch.trace);
          const after2 = snapshot(machine.memory);
          const where = `${arch.arch} ${arch.mode} seed ${seed} walk ${k} [0x${start.toString(16)}, 0x${end.toString(16)}) maxEntries ${maxEntries}`;
          const diff = firstDifference(batch.trace, one.trace);
          if (diff !== null) expect.fail(`${where}\n${diff}`);
          expect(got2.result, where).toEqual(got1.result);
          expect(b2.visited, where).toBe(b1.visited);
          expect(after2.every((b, j) => Buffer.compare(b, after1[j]) === 0), `${where}: images differ`).toBe(true);
          restore(machine.memory, after1);
        }
      }
    }, 60_000);
  }
});
