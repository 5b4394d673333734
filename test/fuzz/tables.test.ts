/**
 * Issue 7 §6, tables: random corruption of the entries of random tables on
 * all 21 modes — random values, pointers to the entry's own table and to
 * the root (an ancestor), whole tables filled with pointers to themselves —
 * then everything that reads tables: a kernel/debug walk with every
 * callback, ptdump (text and JSON), checkWx, forEachLeaf, translate of
 * random addresses. Nothing may throw but a PagewalkError (E2BIG when the
 * budget runs out, EINVAL/EFAULT for what the API documents), no walk may
 * pass its budget by more than one pte run, and the image must be byte for
 * byte what it was. Seeded; every failure names its seed.
 */
import { describe, expect, it } from 'vitest';
import { PTE, PagewalkError, allModes, checkWx, forEachLeaf, ptdump, type ArchMode, type WalkBudget } from '../../src/index.js';
import { levelGroups } from '../../src/arch/groups.js';
import { walkPageRangeDebug } from '../../src/walk/debug-walk.js';
import type { MmWalk } from '../../src/walk/mm-walk.js';
import { buildRandomImage, snapshot, sameBytes, type RandomImage } from '../walk/random-tables.js';
import { BASE_SEED, below, pick, rng, type Rng } from '../support/rng.js';

const MAX_ENTRIES = 400_000;
const SEEDS_PER_MODE = 3;

/** The slots of every table a walk of the image reaches, by depth (physical addresses). */
function reachedSlots(img: RandomImage): number[][] {
  const slots: number[][] = [[], [], [], [], []];
  const record = (d: number) => (e: number, w: MmWalk) => {
    slots[d].push(w.address(e));
    return 0;
  };
  for (const h of img.halves) {
    walkPageRangeDebug(img.mm, h.start, h.end, {
      pgdEntry: record(0),
      p4dEntry: record(1),
      pudEntry: record(2),
      pmdEntry: record(3),
      pteEntry: record(4),
    }, { budget: { maxEntries: MAX_ENTRIES, visited: 0 } });
  }
  return slots;
}

/** Corrupts entries of the reached tables; returns what it did, for the failure message. */
function corrupt(img: RandomImage, r: Rng): string {
  const { memory, codec } = img.machine;
  const arch = img.mm.arch;
  const groups = levelGroups(arch);
  const slots = reachedSlots(img);
  const done: string[] = [];
  const tableOf = (slot: number, d: number) => {
    const bytes = img.mm.plan.tableBytes[d];
    return slot - (slot % bytes);
  };
  for (let n = 0; n < 12; n++) {
    const depths = [0, 1, 2, 3, 4].filter((d) => slots[d].length > 0 && d < PTE);
    if (depths.length === 0) break;
    const d = pick(r, depths);
    const slot = pick(r, slots[d]);
    const g = groups.find((x) => x.top <= d && d <= x.real) ?? groups[0];
    const kind = below(r, 4);
    if (kind === 0) {
      memory.write(slot, (r() * 2 ** 32) | 0, (r() * 2 ** 32) | 0);
      done.push(`random value at ${slot.toString(16)}`);
    } else if (kind === 1 || kind === 2) {
      const target = kind === 1 ? tableOf(slot, d) : img.mm.root;
      try {
        codec.encodeTable(g.real as 0, target, img.mm.kind === 'user');
        memory.write(slot, codec.lo, codec.hi);
        done.push(`${kind === 1 ? 'self' : 'root'} pointer at ${slot.toString(16)}`);
      } catch {
        // the codec cannot point this level at that table: skip
      }
    } else {
      const table = tableOf(slot, d);
      try {
        codec.encodeTable(g.real as 0, table, img.mm.kind === 'user');
        memory.fill(table, img.mm.plan.tableBytes[d], codec.lo, codec.hi);
        done.push(`table ${table.toString(16)} filled with pointers to itself`);
      } catch {
        // as above
      }
    }
  }
  return done.join(', ');
}

const ALLOWED = new Set(['E2BIG', 'EINVAL', 'EFAULT']);

function expectOnlyPagewalkErrors(f: () => void, context: string): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof PagewalkError)) throw new Error(`${context}: ${String(e)} is not a PagewalkError\n${(e as Error).stack ?? ''}`);
    expect(ALLOWED.has(e.code), `${context}: ${e.code} ${e.message}`).toBe(true);
  }
}

function budget(): WalkBudget {
  return { maxEntries: MAX_ENTRIES, visited: 0 };
}

function checkBudget(b: WalkBudget, arch: ArchMode, context: string): void {
  // The walker stops once a count passes maxEntries; a pte run is counted when it starts.
  expect(b.visited, context).toBeLessThanOrEqual(MAX_ENTRIES + Math.max(...arch.entries));
}

describe('fuzz: corrupted tables, every mode', () => {
  for (const arch of allModes()) {
    it(`${arch.arch} ${arch.mode}`, () => {
      for (let i = 0; i < SEEDS_PER_MODE; i++) {
        const seed = (BASE_SEED ^ Math.imul(allModes().indexOf(arch) + 1, 0x9e3779b1) ^ i) >>> 0;
        const r = rng(seed);
        const img = buildRandomImage(arch, r, { user: i % 2 === 1, targets: 16, oddness: 0.5 });
        const what = corrupt(img, r);
        const context = `seed ${seed} (${arch.arch} ${arch.mode}, ${img.mm.kind}: ${what})`;
        const before = snapshot(img.machine.memory);

        for (const h of img.halves) {
          const b = budget();
          const ops = {
            pgdEntry: (e: number, w: MmWalk) => (w.present(e), 0),
            p4dEntry: (e: number, w: MmWalk) => (w.leaf(e), 0),
            pudEntry: (e: number, w: MmWalk) => (w.none(e), 0),
            pmdEntry: (e: number, w: MmWalk) => (w.phys(e), 0),
            pteEntry: (e: number, w: MmWalk) => (w.pfn(e), 0),
            pteHole: () => 0,
            badEntry: (_e: number, w: MmWalk) => (expect(['bad', 'outside', 'loop', 'excluded']).toContain(w.badReason), 0),
          };
          expectOnlyPagewalkErrors(() => walkPageRangeDebug(img.mm, h.start, h.end, ops, { budget: b }), `${context}: walk`);
          checkBudget(b, arch, `${context}: walk`);
        }
        for (const format of ['kernel', 'json'] as const) {
          const b = budget();
          expectOnlyPagewalkErrors(() => ptdump(img.mm, () => {}, { format, budget: b }), `${context}: ptdump ${format}`);
          checkBudget(b, arch, `${context}: ptdump ${format}`);
        }
        const wx = budget();
        expectOnlyPagewalkErrors(() => void checkWx(img.mm, { budget: wx }), `${context}: checkWx`);
        checkBudget(wx, arch, `${context}: checkWx`);
        const leaves = budget();
        expectOnlyPagewalkErrors(() => forEachLeaf(img.mm, (l) => void l.entry, { budget: leaves }), `${context}: forEachLeaf`);
        checkBudget(leaves, arch, `${context}: forEachLeaf`);
        for (let k = 0; k < 200; k++) {
          const h = pick(r, img.halves);
          const va = BigInt(h.start) + BigInt(Math.floor(r() * (h.end - h.start)));
          expectOnlyPagewalkErrors(() => void img.mm.translate(va), `${context}: translate 0x${va.toString(16)}`);
        }
        expect(sameBytes(img.machine.memory, before), `${context}: the image changed`).toBe(true);
      }
    });
  }
});
