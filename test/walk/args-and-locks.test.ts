/**
 * The entry points' argument checks (every -EINVAL before any callback), the
 * lock contract (a walk holds its address space as the mmap lock does), and
 * corrupt tables (reported, never thrown on, never written).
 */
import { describe, expect, it } from 'vitest';
import { PagewalkError } from '../../src/errors.js';
import { levelGroups } from '../../src/arch/groups.js';
import { allModes } from '../../src/arch/registry.js';
import { PMD, PUD } from '../../src/arch/types.js';
import { createMachine, openImage } from '../../src/machine.js';
import { PhysicalMemory } from '../../src/memory/physical-memory.js';
import { AddressSpace } from '../../src/mm/address-space.js';
import { EBUSY, EINVAL } from '../../src/walk/actions.js';
import { walkPageRangeDebug } from '../../src/walk/debug-walk.js';
import { walkKernelPageTableRange } from '../../src/walk/kernel-walk.js';
import type { MmWalk } from '../../src/walk/mm-walk.js';
import type { MmWalkOps } from '../../src/walk/ops.js';
import { walkArgsProblem } from '../../src/walk/walk-args.js';
import { hex, poke, record, slotPa, tableValue } from './helpers.js';
import { buildRandomImage, mulberry32, snapshot, sameBytes } from './random-tables.js';

const TWO64 = 2 ** 64;
const K4 = 0x1000;
const M2 = 0x200000;
const K = 0xffff888000000000;

/** Ops that count every call. */
function counting(): { ops: MmWalkOps; calls: () => number } {
  let n = 0;
  const f = () => {
    n++;
    return 0;
  };
  return { ops: { pgdEntry: f, p4dEntry: f, pudEntry: f, pmdEntry: f, pteEntry: f, pteHole: f, badEntry: f }, calls: () => n };
}

describe('-EINVAL before any callback, with walkArgsProblem() naming the reason', () => {
  const x86 = createMachine({ arch: 'x86-64', mode: '4level' });
  const kmm = x86.initMm;
  kmm.map(K, 0x200000, 4 * K4, { write: true });
  const arm = createMachine({ arch: 'arm64', mode: '4k-48' });
  const loong = createMachine({ arch: 'loongarch64', mode: '4k-3level' });

  type Case = [name: string, mm: unknown, start: unknown, end: unknown, ops: unknown, options?: unknown];
  const f = () => 0;
  const cases: Case[] = [
    ['start == end', kmm, K, K, { pteEntry: f }],
    ['start > end', kmm, K + K4, K, { pteEntry: f }],
    ['misaligned start', kmm, K + 0x800, K + K4, { pteEntry: f }], // K + 0x800 is exact in a double; K + 8 is not
    ['misaligned end', kmm, K, K + K4 + 0x800, { pteEntry: f }],
    ['misaligned (lower half)', kmm, 0x400008, 0x401000, { pteEntry: f }],
    ['non-canonical start', kmm, 0x0000800000000000, 0x0000800000001000, { pteEntry: f }],
    ['non-canonical end', kmm, 0x00007ffffffff000, 0x0000800000001000, { pteEntry: f }],
    ['range crossing the canonical hole', kmm, 0x00007ffffffff000, 0xffff800000001000, { pteEntry: f }],
    ['arm64 kernel mm: lower half', arm.initMm, 0, K4, { pteEntry: f }],
    ['arm64 kernel mm: range from the lower half to the top', arm.initMm, 0, TWO64, { pteEntry: f }],
    ['loongarch kernel mm: above the kernel half', loong.initMm, 0xffff808000000000, 0xffff808000001000, { pteEntry: f }],
    ['end beyond 2^64', kmm, TWO64 - K4, TWO64 + 2 ** 12 * 2 ** 12, { pteEntry: f }],
    ['NaN start', kmm, NaN, K, { pteEntry: f }],
    ['negative start', kmm, -K4, K, { pteEntry: f }],
    ['fractional end', kmm, K, K + 0.5, { pteEntry: f }],
    ['bigint start not page aligned', kmm, BigInt(K) + 8n, K + K4, { pteEntry: f }],
    ['bigint end beyond 2^64', kmm, K, (1n << 64n) + 4096n, { pteEntry: f }],
    ['negative bigint', kmm, -4096n, K, { pteEntry: f }],
    ['ops with both pteEntry and pteRange', kmm, K, K + K4, { pteEntry: f, pteRange: f }],
    ['budget not an object', kmm, K, K + K4, { pteEntry: f }, { budget: 5 }],
    ['budget without visited', kmm, K, K + K4, { pteEntry: f }, { budget: { maxEntries: 10 } }],
    ['budget with a negative maxEntries', kmm, K, K + K4, { pteEntry: f }, { budget: { maxEntries: -1, visited: 0 } }],
    ['budget with an unknown field', kmm, K, K + K4, { pteEntry: f }, { budget: { maxEntries: 1, visited: 0, maxEntry: 1 } }],
    ['budget.onProgress not a function', kmm, K, K + K4, { pteEntry: f }, { budget: { maxEntries: 1, visited: 0, onProgress: 1 } }],
    ['budget.progressEvery 0', kmm, K, K + K4, { pteEntry: f }, { budget: { maxEntries: 1, visited: 0, progressEvery: 0 } }],
    ['string end', kmm, K, String(K + K4), { pteEntry: f }],
    ['ops with installPte (check_ops_valid())', kmm, K, K + K4, { pteEntry: f, installPte: f }],
    ['unknown op name', kmm, K, K + K4, { pteEntri: f }],
    ['non-function op', kmm, K, K + K4, { pteEntry: 5 }],
    ['ops null', kmm, K, K + K4, null],
    ['ops not an object', kmm, K, K + K4, 'pteEntry'],
    ['unknown option', kmm, K, K + K4, { pteEntry: f }, { pgd: kmm.root, prviate: 1 }],
    ['options null', kmm, K, K + K4, { pteEntry: f }, null],
    ['pgd outside the image', kmm, K, K + K4, { pteEntry: f }, { pgd: 2 ** 40 }],
    ['pgd misaligned', kmm, K, K + K4, { pteEntry: f }, { pgd: kmm.root + 4 }],
    ['pgd not a number', kmm, K, K + K4, { pteEntry: f }, { pgd: String(kmm.root) }],
    ['mm not an AddressSpace', { root: kmm.root }, K, K + K4, { pteEntry: f }],
  ];

  for (const [name, mm, start, end, ops, options] of cases) {
    it(name, () => {
      const opts = options === undefined ? {} : options;
      const why = walkArgsProblem(mm, start, end, ops, opts);
      expect(typeof why).toBe('string');
      expect(why!.length).toBeGreaterThan(10);
      // the callbacks of `ops` must not run: wrap the valid ones to count
      let calls = 0;
      let wrapped = ops;
      if (ops !== null && typeof ops === 'object') {
        wrapped = Object.fromEntries(
          Object.entries(ops as Record<string, unknown>).map(([k, v]) => [
            k,
            typeof v === 'function'
              ? () => {
                  calls++;
                  return 0;
                }
              : v,
          ]),
        );
      }
      const kernel = (walkKernelPageTableRange as (...a: unknown[]) => number)(mm, start, end, wrapped, opts);
      const debug = (walkPageRangeDebug as (...a: unknown[]) => number)(mm, start, end, wrapped, opts);
      expect(kernel).toBe(EINVAL);
      expect(debug).toBe(EINVAL);
      expect(calls).toBe(0);
      if (mm instanceof AddressSpace) expect(mm.walkers).toBe(0);
    });
  }

  it('the kernel walker on a user mm: -EINVAL, no callback', () => {
    const u = x86.createUserMm();
    const c = counting();
    expect(walkKernelPageTableRange(u, 0, 0x1000000, c.ops)).toBe(EINVAL);
    expect(c.calls()).toBe(0);
  });

  // kernel-walk.ts documents: "-EINVAL ... for an address space that is not a
  // kernel one. walkArgsProblem() says which." Its entry-point argument
  // defaults to the kernel walker's rules.
  it('walkArgsProblem() names the reason the kernel walker refuses a user mm', () => {
    const u = x86.createUserMm();
    expect(walkArgsProblem(u, 0, 0x1000000, { pteEntry: f })).toMatch(/user|kernel/);
  });

  it('accepted edges: end = 2^64, the last page, a full half, the lower half of a shared-root kernel mm', () => {
    const c = counting();
    expect(walkKernelPageTableRange(kmm, TWO64 - K4, TWO64, c.ops)).toBe(0);
    expect(walkKernelPageTableRange(kmm, 0xffff800000000000, TWO64, c.ops)).toBe(0);
    // walk_kernel_page_table_range() takes any range (ptdump walks init_mm from 0)
    expect(walkKernelPageTableRange(kmm, 0, 0x0000800000000000, c.ops)).toBe(0);
    expect(walkArgsProblem(arm.initMm, TWO64 - 2 ** 48, TWO64, {})).toBeNull();
    expect(walkArgsProblem(loong.initMm, 0xffff800000000000, 0xffff808000000000, {})).toBeNull();
    // a user mm of a split-root arch is the lower half only
    const au = arm.createUserMm();
    expect(walkPageRangeDebug(au, 0, 2 ** 48, c.ops)).toBe(0);
    expect(walkPageRangeDebug(au, TWO64 - K4, TWO64, c.ops)).toBe(EINVAL);
    expect(walkArgsProblem(au, TWO64 - K4, TWO64, {}, {}, 'debug')).toMatch(/not inside/);
  });
});

describe('the lock contract', () => {
  const setup = () => {
    const m = createMachine({ arch: 'x86-64', mode: '4level' });
    const k = m.initMm;
    k.map(K, 0x200000, 4 * K4, { write: true });
    return { m, k };
  };

  const expectBusy = (fn: () => unknown) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PagewalkError);
    expect((err as PagewalkError).code).toBe('EBUSY');
  };

  it('map() that needs a new table, from a callback: EBUSY, image and pool unchanged', () => {
    const { m, k } = setup();
    let tried = 0;
    const r = walkKernelPageTableRange(k, K, K + K4, {
      pteEntry: () => {
        const before = snapshot(k.memory);
        const pages = m.tablePages;
        expectBusy(() => k.map(0xffffc90000000000, 0x300000, K4, { write: true }));
        expectBusy(() => k.map(K + 2 ** 30, 0x400000, M2, { write: true }, { pageSize: '2M' }));
        expect(sameBytes(k.memory, before)).toBe(true);
        expect(m.tablePages).toBe(pages);
        tried++;
        return 0;
      },
    });
    expect(r).toBe(0);
    expect(tried).toBe(1);
  });

  it('unmap() that frees a table, from a callback: EBUSY, image unchanged; protect() splitting a leaf likewise', () => {
    const { k } = setup();
    k.map(K + 2 * M2, 0x400000, M2, { write: true }, { pageSize: '2M' });
    walkKernelPageTableRange(k, K, K + K4, {
      pmdEntry: () => {
        const before = snapshot(k.memory);
        expectBusy(() => k.unmap(K, 4 * K4)); // empties the pte table: frees it
        expectBusy(() => k.protect(K + 2 * M2, K4, { write: false })); // splits the 2M leaf: allocates
        expect(sameBytes(k.memory, before)).toBe(true);
        return 0;
      },
    });
    // afterwards both work
    expect(k.unmap(K, 4 * K4)).toBe(4 * K4);
    k.protect(K + 2 * M2, K4, { write: false });
  });

  it('map() into an existing table (no allocation) from a callback is allowed, and seen by the walk', () => {
    const { k } = setup();
    const seen: boolean[] = [];
    walkKernelPageTableRange(k, K + 4 * K4, K + 6 * K4, {
      pmdEntry: () => {
        k.map(K + 5 * K4, 0x500000, K4, { write: true });
        return 0;
      },
      pteEntry: (e, w) => {
        seen.push(w.present(e));
        return 0;
      },
    });
    expect(seen).toEqual([false, true]);
  });

  it('createUserMm() during a walk of init_mm: EBUSY', () => {
    const { m, k } = setup();
    walkKernelPageTableRange(k, K, K + K4, { pteEntry: () => (expectBusy(() => m.createUserMm()), 0) });
  });

  it('walk.write() inside a callback writes the image; the walk and later reads see it', () => {
    const { k } = setup();
    const slot = slotPa(k, K + K4, 4);
    const r = record(k, K, K + 2 * K4, ['pteEntry'], {
      pteEntry: (w, e, n) => {
        if (n === 0) {
          // write the next pte before the walk reaches it
          const next = e + 1;
          w.write(next, 0x1234567000n | 0x63n);
          expect(() => w.write(next, -1n)).toThrow(PagewalkError);
          expect(() => w.write(next, 1n << 64n)).toThrow(PagewalkError);
        } else {
          expect(w.value(e)).toBe(0x1234567063n);
          expect(w.phys(e)).toBe(0x1234567000);
        }
      },
    });
    expect(r.events.length).toBe(2);
    expect(k.readEntry(slot)).toBe(0x1234567063n);
  });

  it('a kernel walk nested in a kernel walk callback on the same mm works', () => {
    const { k } = setup();
    const inner: number[] = [];
    const outer = walkKernelPageTableRange(k, K, K + K4, {
      pteEntry: () => {
        let held = 0;
        const r = walkKernelPageTableRange(k, K, K + 4 * K4, { pteEntry: (_e, w) => ((held = k.walkers), inner.push(w.addr), 0) });
        expect(r).toBe(0);
        expect(held).toBe(2);
        expect(k.walkers).toBe(1);
        // the debug walker on init_mm is the kernel walker: fine too
        expect(walkPageRangeDebug(k, K, K + K4, { pteEntry: () => 0 })).toBe(0);
        return 0;
      },
    });
    expect(outer).toBe(0);
    expect(inner).toEqual([K, K + K4, K + 2 * K4, K + 3 * K4]);
    expect(k.walkers).toBe(0);
  });

  it('walkPageRangeDebug on a user mm inside a walk on that mm: -EBUSY (-16), its callbacks never run', () => {
    const { m } = setup();
    const u = m.createUserMm();
    u.map(0x400000, 0x600000, 2 * K4, { write: true, user: true });
    const c = counting();
    let innerResult = 0;
    const outer = walkPageRangeDebug(u, 0x400000, 0x402000, {
      pteEntry: () => {
        innerResult = walkPageRangeDebug(u, 0x400000, 0x401000, c.ops);
        return 0;
      },
    });
    expect(outer).toBe(0);
    expect(innerResult).toBe(EBUSY);
    expect(innerResult).toBe(-16);
    expect(c.calls()).toBe(0);
    // a debug walk of another mm (init_mm) inside it is fine
    let other = 1;
    walkPageRangeDebug(u, 0x400000, 0x401000, { pteEntry: () => ((other = walkPageRangeDebug(m.initMm, K, K + K4, { pteEntry: () => 0 })), 0) });
    expect(other).toBe(0);
  });

  it('after a callback throws, the lock is released: later map(), unmap() and walks work', () => {
    const { m, k } = setup();
    const u = m.createUserMm();
    u.map(0x400000, 0x600000, K4, { write: true, user: true });
    const boom = () => {
      throw new Error('boom');
    };
    expect(() => walkKernelPageTableRange(k, K, K + K4, { pteEntry: boom })).toThrow('boom');
    expect(() => walkPageRangeDebug(u, 0x400000, 0x401000, { pteEntry: boom })).toThrow('boom');
    expect(k.walkers).toBe(0);
    expect(u.walkers).toBe(0);
    expect(u.writeLocked).toBe(false);
    k.map(0xffffc90000000000, 0x300000, K4, { write: true }); // needs new tables
    u.map(0x7f0000000000, 0x300000, K4, { write: true, user: true });
    expect(walkPageRangeDebug(u, 0x400000, 0x401000, { pteEntry: () => 0 })).toBe(0);
    expect(k.unmap(0xffffc90000000000, K4)).toBe(K4);
  });

  it('a read-only image (a dump) is walked; writing through a handle is refused with EROFS', () => {
    const { m, k } = setup();
    const r0 = m.memory.regions[0];
    const dump = PhysicalMemory.fromRaw(r0.bytes.slice(), r0.base);
    const img = openImage(dump, { arch: 'x86-64', mode: '4level', root: k.root });
    const a = record(k, K - M2, K + M2, ['pmdEntry', 'pteEntry', 'pteHole']);
    const b = record(img.initMm, K - M2, K + M2, ['pmdEntry', 'pteEntry', 'pteHole']);
    expect(b.events).toEqual(a.events);
    let code = '';
    try {
      walkKernelPageTableRange(img.initMm, K, K + K4, { pteEntry: (e, w) => (w.writeWords(e, 0, 0), 0) });
    } catch (e) {
      code = (e as PagewalkError).code;
    }
    expect(code).toBe('EROFS');
    expect(img.initMm.walkers).toBe(0);
  });
});

describe('entry-handle registry', () => {
  // Every table a walk enters gets a permanent id in mm.entries (so handles
  // stay valid after the walk), and ids must fit a small integer: 2^31 /
  // stride tables, 262144 with 64K pages (8192-entry tables), 4M with 4K.
  // A forensics scan trying candidate roots with the pgd option, or an
  // emulator walking a long-lived guest whose tables move around, must not
  // exhaust it: a walk that starts with the registry over half full empties
  // it first (src/walk/entry-handles.ts recycleIfFull()).
  it('walking 262145 distinct candidate pgds of one arm64 64k-48 mm does not throw', () => {
    const m = createMachine({ arch: 'arm64', mode: '64k-48' });
    const k = m.initMm;
    const S = TWO64 - 2 ** 48;
    const ops: MmWalkOps = { pgdEntry: () => 0 };
    const base = m.memory.regions[0].base;
    for (let i = 0; i <= 262144; i++) {
      expect(walkKernelPageTableRange(k, S, S + 0x10000, ops, { pgd: base + 8 * i })).toBe(0);
    }
  }, 30_000);
});

describe('corrupt tables are reported, never thrown on, never written', () => {
  it('x86-64 4level: loops (a pud and a pmd pointing at the pgd) and pointers outside the image', () => {
    const m = createMachine({ arch: 'x86-64', mode: '4level' });
    const k = m.initMm;
    k.map(K, 0x200000, K4, { write: true });
    k.map(K + 2 ** 30, 0x200000, K4, { write: true });
    poke(k, slotPa(k, K + 2 * M2, PMD), tableValue(k, PMD, k.root)); // pmd -> pgd, read as a pte table
    poke(k, slotPa(k, K + 2 * 2 ** 30, PUD), tableValue(k, PUD, k.root)); // pud -> pgd, read as a pmd table
    poke(k, slotPa(k, K + 3 * M2, PMD), tableValue(k, PMD, 2 ** 45)); // outside
    poke(k, slotPa(k, K + 4 * M2, PMD), 0xffffffffffffffffn); // garbage: present, PSE: a leaf
    const before = snapshot(k.memory);
    const c = counting();
    let bad = -1;
    const ops: MmWalkOps = { ...c.ops, badEntry: (_e, w: MmWalk) => ((bad = w.badEntries), 0) };
    expect(walkKernelPageTableRange(k, 0xffff800000000000, TWO64, ops)).toBe(0);
    expect(walkPageRangeDebug(k, 0, 0x0000800000000000, ops)).toBe(0);
    expect(bad).toBeGreaterThanOrEqual(1);
    expect(c.calls()).toBeGreaterThan(1000);
    expect(sameBytes(k.memory, before)).toBe(true);
  });

  for (const arch of allModes()) {
    it(`${arch.arch} ${arch.mode}: random corrupt images, whole halves, every callback`, () => {
      const rng = mulberry32(0xc0ffee ^ arch.vaBits ^ (arch.pageShift << 8) ^ arch.mode.length);
      let reported = 0;
      const images = arch.pageShift === 12 ? 6 : 3;
      for (let i = 0; i < images; i++) {
        const img = buildRandomImage(arch, rng, { user: i % 3 === 2, targets: 5, oddness: 1 });
        // at least one top-level table pointer outside the image in each half walked
        const top = levelGroups(arch)[0];
        for (const h of img.halves) {
          if (img.mm.kind === 'user' && h.start !== 0) continue;
          const va = h.start + top.size * Math.floor(rng() * Math.min(64, (h.end - h.start) / top.size));
          poke(img.mm, slotPa(img.mm, va, top.real), tableValue(img.mm, top.real, img.outside));
        }
        const before = snapshot(img.machine.memory);
        for (const h of img.halves) {
          for (const pgd of [undefined, ...img.altRoots]) {
            let calls = 0;
            const cb = (_x: number, w: MmWalk) => {
              reported = Math.max(reported, w.badEntries);
              return ++calls > 200000 ? 1 : 0;
            };
            const ops: MmWalkOps = { pgdEntry: cb, p4dEntry: cb, pudEntry: cb, pmdEntry: cb, pteEntry: cb, pteHole: cb, badEntry: cb };
            const opts = pgd === undefined ? {} : { pgd };
            const r = img.mm.kind === 'user' ? walkPageRangeDebug(img.mm, h.start, h.end, ops, opts) : walkKernelPageTableRange(img.mm, h.start, h.end, ops, opts);
            expect(r === 0 || r === 1, `${hex(h.start)}: ${r}`).toBe(true);
          }
        }
        expect(sameBytes(img.machine.memory, before)).toBe(true);
        expect(img.mm.walkers).toBe(0);
      }
      expect(reported).toBeGreaterThan(0);
    });
  }
});
