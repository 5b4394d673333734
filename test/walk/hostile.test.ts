import type { ArchAndMode } from '../../src/arch/names.js';
/**
 * Hostile tables (issue 7 §2, §5): loops are never followed, badEntry says
 * why an entry is not followed, an entry budget bounds shared-subtree
 * blow-ups, and ACTION_AGAIN after an unfollowed pte table behaves as in
 * torvalds/linux mm/pagewalk.c:
 *
 *   walk_pmd_range():  ... err = walk_pte_range(pmd, addr, next, walk);
 *                      if (err) break;
 *                      if (walk->action == ACTION_AGAIN) goto again;
 *   walk_pte_range():  pte = pte_offset_map(pmd, addr) (user mm below TASK_SIZE) ...
 *                      if (!pte) walk->action = ACTION_AGAIN;
 *   mm/pgtable-generic.c ___pte_offset_map(): if (unlikely(pmd_bad(pmdval))) { pmd_clear_bad(pmd); goto nomap; }
 *
 * The budget, the loop rule and the reasons are pagewalk's own (README, "The
 * walker"); their tests check the documented rule.
 */
import { describe, expect, it } from 'vitest';
import { levelGroups } from '../../src/arch/groups.js';
import { PMD, PTE, type Depth } from '../../src/arch/types.js';
import { PagewalkError } from '../../src/errors.js';
import { upperHalfEnd, upperHalfStart } from '../../src/arch/va.js';
import { createMachine, openImage } from '../../src/machine.js';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';
import { forEachLeaf } from '../../src/mm/leaves.js';
import { checkWx, ptdump, ptdumpLines } from '../../src/ptdump/ptdump.js';
import { ACTION_AGAIN, E2BIG } from '../../src/walk/actions.js';
import { walkPageRangeDebug } from '../../src/walk/debug-walk.js';
import { walkKernelPageTableRange } from '../../src/walk/kernel-walk.js';
import type { MmWalk } from '../../src/walk/mm-walk.js';
import type { MmWalkOps } from '../../src/walk/ops.js';
import { walkArgsProblem, type WalkBudget } from '../../src/walk/walk-args.js';
import { hex, poke, record, slotPa, tableValue } from './helpers.js';
import { referenceWalk } from './reference-walker.js';

const K4 = 0x1000;
const M2 = 0x200000;

/** The §5 image: x86-64 4-level, root 0x1000; 0x1000[0] = 0x2063, 0x2000[0] = 0x3063, 0x3000[0] = 0x5063; RAM [0, 0x5000). */
function issue5Image() {
  const memory = PhysicalMemory.create([{ base: 0, size: 0x5000 }]);
  memory.write(0x1000, 0x2063, 0);
  memory.write(0x2000, 0x3063, 0);
  memory.write(0x3000, 0x5063, 0);
  return openImage(memory, { arch: 'x86-64', mode: '4level', root: 0x1000 }).initMm;
}

describe('ACTION_AGAIN after a pte table that cannot be followed (issue 7 §5)', () => {
  it('the minimal case: pteHole asking AGAIN re-runs the pmd once, as walk_pmd_range() reads the action after walk_pte_range()', () => {
    const k = issue5Image();
    let seen0 = false;
    const r = record(k, 0, M2, ['pmdEntry', 'pteEntry', 'pteHole', 'badEntry'], {
      pteHole: (w) => {
        if (w.addr === 0 && !seen0) {
          seen0 = true;
          w.action = ACTION_AGAIN;
        }
      },
    });
    const three = [`pmd [0x0, ${hex(M2)})`, `bad [0x0, ${hex(M2)})`, `hole3 [0x0, ${hex(M2)})`];
    expect(r.events).toEqual([...three, ...three]);
    expect(r.result).toBe(0);
    // the same without badEntry: pmd, hole, pmd, hole
    let again = false;
    const r2 = record(k, 0, M2, ['pmdEntry', 'pteEntry', 'pteHole'], {
      pteHole: (w) => {
        if (!again) {
          again = true;
          w.action = ACTION_AGAIN;
        }
      },
    });
    expect(r2.events).toEqual([three[0], three[2], three[0], three[2]]);
  });

  it('badEntry asking AGAIN re-runs the pmd too; the reason is "outside"; the reference walker agrees', () => {
    const k = issue5Image();
    const reasons: (string | null)[] = [];
    let n = 0;
    const ops: MmWalkOps = {
      pmdEntry: () => 0,
      pteEntry: () => 0,
      badEntry: (_e, w) => {
        reasons.push(w.badReason);
        if (n++ === 0) w.action = ACTION_AGAIN;
        return 0;
      },
    };
    expect(walkKernelPageTableRange(k, 0, M2, ops)).toBe(0);
    expect(reasons).toEqual(['outside', 'outside']);
    let m = 0;
    const ref = referenceWalk(k, 0, M2, { pmdEntry: () => 0, pteEntry: () => 0, badEntry: (_e, w) => ((m++ === 0 ? (w.action = ACTION_AGAIN) : 0), 0) });
    expect(ref.result).toBe(0);
    expect(ref.walk.badEntries).toBe(2);
  });

  it('a bad user pmd: walk_pte_range() sets ACTION_AGAIN, the re-run finds pmd_none(): one hole, the action is not read after it', () => {
    const m = createMachine({ arch: 'x86-64', mode: '4level' });
    const u = m.createUserMm();
    const U = 0x400000;
    u.map(U, 0x300000, K4, { write: true, user: true });
    const slot = slotPa(u, U, PMD);
    poke(u, slot, u.readEntry(slot)! & ~0x2n); // RW clear: pmd_bad()
    const reasons: (string | null)[] = [];
    const r = record(u, U, U + 2 * K4, ['pmdEntry', 'pteEntry', 'pteHole', 'badEntry'], {
      badEntry: (w) => void reasons.push(w.badReason),
      pteHole: (w) => void (w.action = ACTION_AGAIN), // ignored: the kernel's none path does not read it
    }, { debug: true });
    expect(r.events).toEqual([`pmd [${hex(U)}, ${hex(U + 2 * K4)})`, `bad [${hex(U)}, ${hex(U + 2 * K4)})`, `hole3 [${hex(U)}, ${hex(U + 2 * K4)})`]);
    // pmd_entry ran with SUBTREE; badEntry and pte_hole see the ACTION_AGAIN walk_pte_range() left
    expect(r.actionsSeen).toEqual([0, ACTION_AGAIN, ACTION_AGAIN]);
    expect(reasons).toEqual(['bad']);
    expect(r.result).toBe(0);
  });

  it('a table the dump left out is reported with reason "excluded" (PhysicalMemory.missingReason())', () => {
    const k = issue5Image();
    k.memory.missingReason = () => 'excluded';
    const reasons: (string | null)[] = [];
    expect(walkKernelPageTableRange(k, 0, M2, { pteEntry: () => 0, badEntry: (_e, w) => (reasons.push(w.badReason), 0) })).toBe(0);
    expect(reasons).toEqual(['excluded']);
  });
});

/** A machine of the mode with one 4K page mapped at `va`, and the physical tables on its path by group. */
function pathImage(arch: string, mode: string, va: number) {
  const m = createMachine({ arch, mode } as ArchAndMode);
  const k = m.initMm;
  k.map(va, m.arch.defaultRamBase + 0x200000, 2 ** m.arch.pageShift, { write: true });
  const groups = levelGroups(m.arch);
  const tables: number[] = [k.root];
  let t = k.root;
  for (let gi = 0; gi < groups.length - 1; gi++) {
    const g = groups[gi];
    k.memory.read(t + (Math.floor(va / g.size) % g.entries) * 8);
    t = k.codec.tablePa(g.real, k.memory.lo, k.memory.hi);
    tables.push(t);
  }
  return { m, k, groups, tables };
}

/** The start of the mode's kernel half (page tables there belong to init_mm). */
const kernelVa = (arch: string, mode: string): number => upperHalfStart(createMachine({ arch, mode } as ArchAndMode).arch);
const LOOP_MODES: [string, string][] = [
  ['x86-64', '4level'],
  ['x86-64', '5level'],
  ['riscv64', 'sv39'],
  ['riscv64', 'sv48'],
  ['arm64', '4k-48'],
  ['arm64', '64k-42'],
  ['loongarch64', '4k-3level'],
  ['loongarch64', '16k-3level'],
];

describe('loops are never followed (reason "loop", range to pteHole at the entry\'s depth)', () => {
  for (const [arch, mode] of LOOP_MODES) {
    it(`${arch} ${mode}: a top-level table whose every entry points at itself`, () => {
      const { k, groups } = pathImage(arch, mode, kernelVa(arch, mode));
      const top = groups[0];
      for (let i = 0; i < top.entries; i++) poke(k, k.root + i * 8, tableValue(k, top.real as Depth, k.root));
      const start = upperHalfStart(k.arch);
      const end = upperHalfEnd(k.arch);
      const reasons = new Set<string | null>();
      let bad = 0;
      let holes = 0;
      const depths = new Set<number>();
      const rc = walkKernelPageTableRange(k, start, end, {
        pgdEntry: () => 0,
        p4dEntry: () => 0,
        pudEntry: () => 0,
        pmdEntry: () => 0,
        pteEntry: () => 0,
        badEntry: (_e, w) => (bad++, reasons.add(w.badReason), 0),
        pteHole: (d) => (holes++, depths.add(d), 0),
      });
      expect(rc).toBe(0);
      const slots = (end - start) / top.size;
      expect(bad).toBe(slots);
      expect(holes).toBe(slots);
      expect([...reasons]).toEqual(['loop']);
      expect([...depths]).toEqual([k.plan.holeDepth[top.real]]);
    });

    it(`${arch} ${mode}: an entry pointing at its own table or any table above it, at each level`, () => {
      const va = kernelVa(arch, mode);
      const levels = levelGroups(createMachine({ arch, mode } as ArchAndMode).arch).length;
      let cases = 0;
      for (let gi = 0; gi < levels - 1; gi++) {
        for (let anc = 0; anc <= gi; anc++) {
          const { k, groups, tables } = pathImage(arch, mode, va);
          const g = groups[gi];
          // the slot next to the path's, in the group gi table, points at the table of group anc
          const idx = Math.floor(va / g.size) % g.entries;
          if (idx + 1 >= g.entries) continue;
          const nva = va + g.size;
          poke(k, tables[gi] + (idx + 1) * 8, tableValue(k, g.real as Depth, tables[anc]));
          const events: string[] = [];
          const rc = walkKernelPageTableRange(k, va, nva + g.size, {
            pteEntry: (e, w) => (w.present(e) ? events.push(`pte ${hex(w.addr)}`) : 0, 0),
            badEntry: (_e, w) => (events.push(`bad ${w.badReason} ${hex(w.addr)} ${hex(w.next)}`), 0),
            pteHole: (d, w) => (w.addr >= nva ? events.push(`hole${d} ${hex(w.addr)} ${hex(w.next)}`) : 0, 0),
          });
          const where = `group ${gi} -> group ${anc}`;
          expect(rc, where).toBe(0);
          expect(events, where).toEqual([
            `pte ${hex(va)}`,
            `bad loop ${hex(nva)} ${hex(nva + g.size)}`,
            `hole${k.plan.holeDepth[g.real]} ${hex(nva)} ${hex(nva + g.size)}`,
          ]);
          cases++;
        }
      }
      // every directory level, pointing at every table from the root down to its own
      expect(cases).toBe(((levels - 1) * levels) / 2);
    });
  }

  it('the reference walker (kernel-shaped) applies the same rule', () => {
    const { k, groups } = pathImage('x86-64', '4level', kernelVa('x86-64', '4level'));
    for (let i = 256; i < 512; i++) poke(k, k.root + i * 8, tableValue(k, groups[0].real as Depth, k.root));
    const ref = referenceWalk(k, 0xffff800000000000, 2 ** 64, { pteEntry: () => 0, badEntry: (_e, w) => (expect(w.badReason).toBe('loop'), 0) });
    expect(ref.result).toBe(0);
    expect(ref.walk.badEntries).toBe(256);
  });
});

/**
 * A loop-free DAG of 512^4 leaves in 20 KiB: pgd -> pud -> pmd -> pte, each
 * table's every entry pointing at the next page (x86-64 4-level), the pte
 * table's every entry a 4K leaf.
 */
function dagImage() {
  const memory = PhysicalMemory.create([{ base: 0, size: 5 * K4 }]);
  for (let i = 0; i < 512; i++) {
    memory.write(0x0000 + i * 8, 0x1063, 0); // pgd -> pud table
    memory.write(0x1000 + i * 8, 0x2063, 0); // pud -> pmd table
    memory.write(0x2000 + i * 8, 0x3063, 0); // pmd -> pte table
    memory.write(0x3000 + i * 8, 0x4063, 0); // pte -> the page at 0x4000
  }
  return openImage(memory, { arch: 'x86-64', mode: '4level', root: 0 }).initMm;
}

describe('the entry budget', () => {
  it('stops a 2^35-pte walk of a 20 KiB DAG with E2BIG (-7), having counted past maxEntries', () => {
    const k = dagImage();
    const budget: WalkBudget = { maxEntries: 200000, visited: 0 };
    let ptes = 0;
    const rc = walkKernelPageTableRange(k, 0, 2 ** 47, { pteEntry: () => (ptes++, 0) }, { budget });
    expect(rc).toBe(E2BIG);
    expect(budget.visited).toBeGreaterThan(200000);
    expect(budget.visited).toBeLessThanOrEqual(200000 + 512);
    expect(ptes).toBeLessThanOrEqual(200000);
    expect(k.walkers).toBe(0);
  });

  it('counts one per directory-entry visit (folded levels included) and a pte run at once: 4 + 512 for one pte table', () => {
    const m = createMachine({ arch: 'x86-64', mode: '4level' });
    const k = m.initMm;
    const K = 0xffff888000000000;
    k.map(K, 0x200000, 3 * K4, { write: true });
    const budget: WalkBudget = { maxEntries: Infinity, visited: 0 };
    expect(walkKernelPageTableRange(k, K, K + M2, { pteEntry: () => 0 }, { budget })).toBe(0);
    // pgd slot (depth 0), its folded p4d (depth 1), pud, pmd: 4 visits; then the 512-pte run
    expect(budget.visited).toBe(4 + 512);
    // shared across walks; pteRange counts the same
    expect(walkKernelPageTableRange(k, K, K + M2, { pteRange: () => 0 }, { budget })).toBe(0);
    expect(budget.visited).toBe(2 * 516);
    // the limit is inclusive: exactly maxEntries is fine, one more is E2BIG, before the run is walked
    let ran = 0;
    expect(walkKernelPageTableRange(k, K, K + M2, { pteEntry: () => (ran++, 0) }, { budget: { maxEntries: 516, visited: 0 } })).toBe(0);
    expect(ran).toBe(512);
    ran = 0;
    expect(walkKernelPageTableRange(k, K, K + M2, { pteEntry: () => (ran++, 0) }, { budget: { maxEntries: 515, visited: 0 } })).toBe(E2BIG);
    expect(ran).toBe(0);
    // ACTION_AGAIN re-runs count again: a callback that always asks AGAIN is stopped by a budget
    const loopy = walkKernelPageTableRange(k, K, K + M2, { pmdEntry: (_e, w) => ((w.action = ACTION_AGAIN), 0) }, { budget: { maxEntries: 10000, visited: 0 } });
    expect(loopy).toBe(E2BIG);
  });

  it('calls onProgress about every progressEvery entries with the count and an address inside the range', () => {
    const k = dagImage();
    const calls: [number, number][] = [];
    const budget: WalkBudget = { maxEntries: 100000, visited: 0, progressEvery: 10000, onProgress: (v, a) => void calls.push([v, a]) };
    expect(walkKernelPageTableRange(k, 0, 2 ** 47, { pteRange: () => 0 }, { budget })).toBe(E2BIG);
    expect(calls.length).toBeGreaterThanOrEqual(9);
    expect(calls.length).toBeLessThanOrEqual(11);
    for (let i = 0; i < calls.length; i++) {
      const [v, a] = calls[i];
      expect(v).toBeGreaterThanOrEqual((i + 1) * 10000);
      expect(v).toBeLessThan((i + 1) * 10000 + 600);
      expect(a).toBeGreaterThanOrEqual(0);
      expect(a).toBeLessThan(2 ** 47);
      if (i > 0) expect(a).toBeGreaterThan(calls[i - 1][1]);
    }
  });

  it('an onProgress that throws abandons the walk; the lock is released', () => {
    const k = dagImage();
    const budget: WalkBudget = { maxEntries: Infinity, visited: 0, progressEvery: 1000, onProgress: () => { throw new Error('stop'); } };
    expect(() => walkKernelPageTableRange(k, 0, 2 ** 47, { pteRange: () => 0 }, { budget })).toThrow('stop');
    expect(k.walkers).toBe(0);
    expect(budget.visited).toBeGreaterThan(1000);
  });

  it('ptdump(), ptdumpLines(), checkWx() and forEachLeaf() throw PagewalkError E2BIG naming the count and maxEntries', () => {
    const k = dagImage();
    const expectE2big = (f: () => void, max: number) => {
      try {
        f();
        expect.fail('no error');
      } catch (e) {
        expect(e).toBeInstanceOf(PagewalkError);
        expect((e as PagewalkError).code).toBe('E2BIG');
        expect((e as PagewalkError).message).toMatch(/maxEntries/);
        expect((e as PagewalkError).message).toMatch(new RegExp(`${max}`));
      }
    };
    expectE2big(() => ptdump(k, () => {}, { budget: { maxEntries: 50000, visited: 0 } }), 50000);
    expectE2big(() => [...ptdumpLines(k, { budget: { maxEntries: 60000, visited: 0 } })], 60000);
    expectE2big(() => checkWx(k, { budget: { maxEntries: 70000, visited: 0 } }), 70000);
    expectE2big(() => forEachLeaf(k, () => {}, { budget: { maxEntries: 80000, visited: 0 } }), 80000);
    expect(k.walkers).toBe(0);
  });

  it('the walk args check refuses a malformed budget with -EINVAL before any callback', () => {
    const k = dagImage();
    let calls = 0;
    for (const budget of [{ maxEntries: NaN, visited: 0 }, { maxEntries: 1, visited: -1 }, { maxEntries: 1.5, visited: 0 }]) {
      expect(walkPageRangeDebug(k, 0, 2 ** 47, { pteEntry: () => (calls++, 0) }, { budget })).toBe(-22);
    }
    expect(calls).toBe(0);
  });
});

describe('walk bounds as numbers or bigints (issue 7 §4)', () => {
  const m = createMachine({ arch: 'x86-64', mode: '4level' });
  const k = m.initMm;
  const K = 0xffff888000000000;
  k.map(K, 0x200000, 4 * K4, { write: true });

  it('a bigint range walks exactly what the number range walks', () => {
    const a = record(k, K, K + M2, ['pteEntry', 'pmdEntry']);
    const events: string[] = [];
    const rc = walkKernelPageTableRange(k, 0xffff888000000000n, 0xffff888000200000n, {
      pmdEntry: (_e, w) => (events.push(`pmd [${hex(w.addr)}, ${hex(w.next)})`), 0),
      pteEntry: (_e, w) => (events.push(`pte [${hex(w.addr)}, ${hex(w.next)})`), 0),
    });
    expect(rc).toBe(0);
    expect(events).toEqual(a.events);
    expect(walkKernelPageTableRange(k, 0xffff800000000000n, 1n << 64n, {})).toBe(0);
  });

  it('a number above 2^53 that is not a multiple of the page size: -EINVAL, and the reason says to pass a bigint', () => {
    const bad = K + 0x800; // exact in a double, but what was written may have been K + 0x801
    expect(walkKernelPageTableRange(k, bad, K + M2, {})).toBe(-22);
    expect(walkKernelPageTableRange(k, K, K + M2, {}, {})).toBe(0);
    expect(walkArgsProblem(k, bad, K + M2, {})).toMatch(/0xffff888000000800.*bigint/);
    expect(walkArgsProblem(k, BigInt(K) + 0x800n, K + M2, {})).toMatch(/0xffff888000000800n is not aligned/);
    // below 2^53 an unaligned number is simply unaligned
    expect(walkArgsProblem(k, 0x1800, 0x4000, {})).toMatch(/not aligned/);
  });
});

describe('callback results (issue 7 §4)', () => {
  const m = createMachine({ arch: 'x86-64', mode: '4level' });
  const k = m.initMm;
  const K = 0xffff888000000000;
  k.map(K, 0x200000, 4 * K4, { write: true });

  it('a number stops the walk and is returned; 0, undefined and other falsy values go on', () => {
    expect(walkKernelPageTableRange(k, K, K + M2, { pteEntry: () => 7 })).toBe(7);
    expect(walkKernelPageTableRange(k, K, K + M2, { pteEntry: () => -5 })).toBe(-5);
    for (const v of [0, undefined, false, null, '', NaN]) {
      let n = 0;
      expect(walkKernelPageTableRange(k, K, K + M2, { pteEntry: () => (n++, v as number) })).toBe(0);
      expect(n).toBe(512);
    }
  });

  for (const [name, value, shown] of [
    ['true', true, 'true'],
    ['a string', 'stop', '"stop"'],
    ['an object', { stop: 1 }, 'an object'],
    ['a bigint', 1n, '1n'],
  ] as const) {
    it(`${name} stops the walk with PagewalkError EINVAL naming the callback; the lock is released`, () => {
      for (const op of ['pteEntry', 'pmdEntry', 'pteHole', 'pteRange'] as const) {
        const ops: Record<string, unknown> = { [op]: () => value };
        if (op === 'pteHole') ops.pteEntry = () => 0;
        const range: [number, number] = op === 'pteHole' ? [K + M2, K + 2 * M2] : [K, K + M2];
        let err: unknown = null;
        try {
          walkKernelPageTableRange(k, range[0], range[1], ops as MmWalkOps);
        } catch (e) {
          err = e;
        }
        expect(err, op).toBeInstanceOf(PagewalkError);
        expect((err as PagewalkError).code).toBe('EINVAL');
        expect((err as PagewalkError).message).toBe(`ops.${op} returned ${shown}: return 0 (or nothing) to go on, or a number to stop the walk`);
        expect(k.walkers).toBe(0);
      }
    });
  }
});

describe('pteRange', () => {
  const m = createMachine({ arch: 'x86-64', mode: '4level' });
  const k = m.initMm;
  const K = 0xffff888000000000;
  k.map(K + 5 * K4, 0x300000, 3 * K4, { write: true });

  it('one call per pte run with the run\'s handles, range and words; the accessors work on its handles', () => {
    const calls: string[] = [];
    const rc = walkKernelPageTableRange(k, K + K4, K + 10 * K4, {
      pteRange: (first, count, w: MmWalk) => {
        calls.push(`${count} [${hex(w.addr)}, ${hex(w.next)})`);
        for (let i = 0; i < count; i++) {
          expect(w.ptes[w.pteWord + 2 * i]).toBe(w.lo(first + i));
          expect(w.ptes[w.pteWord + 2 * i + 1]).toBe(w.hi(first + i));
          expect(w.codec.present(PTE, w.ptes[w.pteWord + 2 * i], w.ptes[w.pteWord + 2 * i + 1])).toBe(i >= 4 && i < 7);
          expect(w.address(first + i)).toBe(slotPa(k, K + (1 + i) * K4, PTE));
        }
        return 0;
      },
    });
    expect(rc).toBe(0);
    expect(calls).toEqual([`9 [${hex(K + K4)}, ${hex(K + 10 * K4)})`]);
  });

  it('ACTION_AGAIN left by pteRange re-runs the pmd; a non-zero return stops the walk', () => {
    let n = 0;
    const events: string[] = [];
    const rc = walkKernelPageTableRange(k, K, K + 2 * K4, {
      pmdEntry: () => (events.push('pmd'), 0),
      pteRange: (_f, count, w) => {
        events.push(`ptes ${count}`);
        if (n++ === 0) w.action = ACTION_AGAIN;
        return 0;
      },
    });
    expect(rc).toBe(0);
    expect(events).toEqual(['pmd', 'ptes 2', 'pmd', 'ptes 2']);
    expect(walkKernelPageTableRange(k, K, K + M2, { pteRange: () => 3 })).toBe(3);
  });

  it('ops with both pteEntry and pteRange are refused with -EINVAL', () => {
    expect(walkKernelPageTableRange(k, K, K + M2, { pteEntry: () => 0, pteRange: () => 0 })).toBe(-22);
  });
});
