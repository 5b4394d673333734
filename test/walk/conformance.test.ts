import type { ArchAndMode } from '../../src/arch/names.js';
/**
 * Conformance: hand-built tables per arch family, with the callback
 * sequence written by hand from the kernel's code. References are to
 * torvalds/linux mm/pagewalk.c (after the walk_kernel_page_table_range() /
 * walk_page_range_debug() split) and include/asm-generic/pgtable-nop4d.h,
 * -nopud.h, -nopmd.h:
 *
 *   walk_pgd_range():  if (pgd_none_or_clear_bad(pgd)) { pte_hole(addr, next, 0); continue; }
 *                      if (ops->pgd_entry) err = pgd_entry(); if (has_handler) walk_p4d_range();
 *   walk_p4d_range():  same with p4d_none_or_clear_bad() and depth = real_depth(1)
 *   walk_pud_range():  again: if (pud_none()) { pte_hole(.., real_depth(2)); continue; }
 *                      walk->action = ACTION_SUBTREE; pud_entry();
 *                      if (AGAIN) goto again; if (CONTINUE) continue; if (!has_handler) continue;
 *                      if (pud_leaf() || !pud_present()) continue; if (pud_none()) goto again;
 *                      walk_pmd_range();
 *   walk_pmd_range():  the same at the pmd with real_depth(3), then walk_pte_range() and
 *                      "if (walk->action == ACTION_AGAIN) goto again;"
 *   walk_pte_range_inner(): pte_entry() for every pte, none or not.
 *   real_depth(d): 3 -> 2 if PTRS_PER_PMD == 1, 2 -> 1 if PTRS_PER_PUD == 1, 1 -> 0 if PTRS_PER_P4D == 1.
 */
import { describe, expect, it } from 'vitest';
import { PMD, PUD, P4D, PGD } from '../../src/arch/types.js';
import { createMachine, type Machine } from '../../src/machine.js';
import type { AddressSpace } from '../../src/mm/address-space.js';
import { ACTION_AGAIN, ACTION_CONTINUE, ACTION_SUBTREE, EINVAL } from '../../src/walk/actions.js';
import { walkPageRangeDebug } from '../../src/walk/debug-walk.js';
import { walkKernelPageTableRange } from '../../src/walk/kernel-walk.js';
import { hex, noneValue, poke, record, runs, slotPa, tableValue } from './helpers.js';

const TWO64 = 2 ** 64;
const K4 = 0x1000;
const M2 = 0x200000;
const G1 = 0x40000000;
const G512 = 0x8000000000;

const ALL = ['pgdEntry', 'p4dEntry', 'pudEntry', 'pmdEntry', 'pteEntry', 'pteHole', 'badEntry'] as const;

function x86(mode: '4level' | '5level' = '4level'): { m: Machine; k: AddressSpace } {
  const m = createMachine({ arch: 'x86-64', mode });
  return { m, k: m.initMm };
}

describe('x86-64 4level: p4d folded at run time (pgtable_l5_enabled() false, ptrs_per_p4d = 1)', () => {
  const BASE = 0xffff800000000000;
  const K = 0xffff888000000000; // pgd 273, pud 0, pmd 0

  it('pgd_entry runs for every pgd slot in range, empty ones too (pgd_none() is 0 when p4d is folded)', () => {
    const { k } = x86();
    // has_handler is false for {pgd_entry, pte_hole}: no walk_p4d_range(), so no hole either.
    const r = record(k, BASE, BASE + 3 * G512, ['pgdEntry', 'pteHole']);
    expect(r.result).toBe(0);
    expect(r.events).toEqual(runs('pgd', BASE, G512, 3));
  });

  it('an empty pgd slot is a hole at depth 0: p4d_none() in walk_p4d_range(), real_depth(1) = 0 (PTRS_PER_P4D == 1)', () => {
    const { k } = x86();
    const r = record(k, BASE, BASE + 2 * G512, ['pgdEntry', 'p4dEntry', 'pudEntry', 'pteHole']);
    expect(r.events).toEqual([
      `pgd [${hex(BASE)}, ${hex(BASE + G512)})`,
      `hole0 [${hex(BASE)}, ${hex(BASE + G512)})`,
      `pgd [${hex(BASE + G512)}, ${hex(BASE + 2 * G512)})`,
      `hole0 [${hex(BASE + G512)}, ${hex(BASE + 2 * G512)})`,
    ]);
    // without pgd_entry only the holes remain; p4d_entry never runs for a none p4d
    expect(record(k, BASE, BASE + 2 * G512, ['p4dEntry', 'pteHole']).events).toEqual(runs('hole0', BASE, G512, 2));
  });

  it('pgd_entry and p4d_entry of a folded p4d see the same slot and the same [addr, next)', () => {
    const { k } = x86();
    k.map(K, 0x200000, M2, { write: true }, { pageSize: '2M' });
    const r = record(k, K, K + M2, ['pgdEntry', 'p4dEntry']);
    expect(r.events).toEqual([`pgd [${hex(K)}, ${hex(K + M2)})`, `p4d [${hex(K)}, ${hex(K + M2)})`]);
    expect(r.addresses[0]).toBe(k.root + 273 * 8);
    expect(r.addresses[1]).toBe(r.addresses[0]);
  });

  it('a 2M leaf goes to pmd_entry and is not descended; pmd holes are depth 3, pud holes depth 2', () => {
    const { k } = x86();
    k.map(K + M2, 0x200000, M2, { write: true }, { pageSize: '2M' });
    const r = record(k, K, K + 3 * M2, ['pudEntry', 'pmdEntry', 'pteEntry', 'pteHole']);
    expect(r.events).toEqual([
      `pud [${hex(K)}, ${hex(K + 3 * M2)})`, // pud_addr_end() clipped to end
      `hole3 [${hex(K)}, ${hex(K + M2)})`,
      `pmd [${hex(K + M2)}, ${hex(K + 2 * M2)})`, // pmd_leaf(): continue, no pte_entry
      `hole3 [${hex(K + 2 * M2)}, ${hex(K + 3 * M2)})`,
    ]);
    // across a pud boundary: the rest of pud 0 (pmd holes), then the empty pud 1
    const r2 = record(k, K + G1 - M2, K + G1 + M2, ['pmdEntry', 'pteHole']);
    expect(r2.events).toEqual([`hole3 [${hex(K + G1 - M2)}, ${hex(K + G1)})`, `hole2 [${hex(K + G1)}, ${hex(K + G1 + M2)})`]);
  });

  it('a non-present, non-none pmd goes to pmd_entry and is not descended (!pmd_present())', () => {
    const { k } = x86();
    k.map(K, 0x200000, M2, { write: true }, { pageSize: '2M' }); // creates the pmd table
    poke(k, slotPa(k, K + M2, PMD), 0x0000010000000000n); // a swap-like value: P, PROTNONE, PSE clear
    const seen: boolean[] = [];
    const r = record(k, K + M2, K + 2 * M2, ['pmdEntry', 'pteEntry', 'pteHole'], {
      pmdEntry: (w, e) => void seen.push(w.none(e), w.present(e), w.leaf(e)),
    });
    expect(r.events).toEqual([`pmd [${hex(K + M2)}, ${hex(K + 2 * M2)})`]);
    expect(seen).toEqual([false, false, false]);
  });

  it('a 1G leaf goes to pud_entry and is not descended (pud_leaf())', () => {
    const { k } = x86();
    k.map(K + G1, G1, G1, { write: true }, { pageSize: '1G' });
    const r = record(k, K + G1, K + 2 * G1, ['pudEntry', 'pmdEntry', 'pteEntry', 'pteHole']);
    expect(r.events).toEqual([`pud [${hex(K + G1)}, ${hex(K + 2 * G1)})`]);
  });

  it('pte_entry runs for every pte of the range, none ones too (walk_pte_range_inner())', () => {
    const { k } = x86();
    k.map(K + K4, 0x5000, K4, { write: true });
    const nones: boolean[] = [];
    const r = record(k, K, K + 4 * K4, ['pteEntry', 'pteHole'], { pteEntry: (w, e) => void nones.push(w.none(e)) });
    expect(r.events).toEqual(runs('pte', K, K4, 4));
    expect(nones).toEqual([true, false, true, true]);
    expect(r.addresses).toEqual([0, 1, 2, 3].map((i) => slotPa(k, K, 4) + i * 8));
  });

  it('has_handler: no pte_entry stops descent at the pmd, no pmd/pte_entry at the pud', () => {
    const { k } = x86();
    k.map(K, 0x5000, 2 * K4, { write: true });
    expect(record(k, K, K + M2, ['pmdEntry', 'pteHole']).events).toEqual([`pmd [${hex(K)}, ${hex(K + M2)})`]);
    expect(record(k, K, K + M2, ['pudEntry', 'pteHole']).events).toEqual([`pud [${hex(K)}, ${hex(K + M2)})`]);
    expect(record(k, K, K + M2, ['pgdEntry']).events).toEqual([`pgd [${hex(K)}, ${hex(K + M2)})`]);
  });

  it('end = 2^64 is a valid end; the last pgd slot is walked', () => {
    const { k } = x86();
    const r = record(k, TWO64 - 2 * K4, TWO64, ['pgdEntry', 'pteHole']);
    expect(r.result).toBe(0);
    expect(r.events).toEqual([`pgd [${hex(TWO64 - 2 * K4)}, ${hex(TWO64)})`]);
    const r2 = record(k, TWO64 - G512, TWO64, ['pudEntry', 'pteHole']);
    expect(r2.events).toEqual([`hole0 [${hex(TWO64 - G512)}, ${hex(TWO64)})`]);
  });

  describe('walk->action', () => {
    const setup = () => {
      const { m, k } = x86();
      k.map(K + 0x600000, 0x5000, 2 * K4, { write: true }); // pmd 3: a pte table
      k.map(K + 0x800000, 0x7000, 2 * K4, { write: true }); // pmd 4: a pte table
      return { m, k };
    };
    const P3 = K + 0x600000;
    const P4 = K + 0x800000;

    it('ACTION_AGAIN from pmd_entry re-runs the pmd ("goto again"), with action reset to SUBTREE first', () => {
      const { k } = setup();
      const r = record(k, P3, P3 + 2 * K4, ['pmdEntry', 'pteEntry'], {
        pmdEntry: (w, _e, n) => {
          if (n === 0) w.action = ACTION_AGAIN;
        },
      });
      expect(r.events).toEqual([`pmd [${hex(P3)}, ${hex(P3 + 2 * K4)})`, `pmd [${hex(P3)}, ${hex(P3 + 2 * K4)})`, ...runs('pte', P3, K4, 2)]);
      expect(r.actionsSeen[1]).toBe(ACTION_SUBTREE);
    });

    it('ACTION_CONTINUE from pmd_entry skips that pmd only: the next pmd_entry starts from SUBTREE', () => {
      const { k } = setup();
      const r = record(k, P4 - 2 * K4, P4 + 2 * K4, ['pmdEntry', 'pteEntry'], {
        pmdEntry: (w, _e, n) => {
          if (n === 0) w.action = ACTION_CONTINUE;
        },
      });
      expect(r.events).toEqual([`pmd [${hex(P4 - 2 * K4)}, ${hex(P4)})`, `pmd [${hex(P4)}, ${hex(P4 + 2 * K4)})`, ...runs('pte', P4, K4, 2)]);
      expect(r.actionsSeen[1]).toBe(ACTION_SUBTREE);
    });

    it('ACTION_CONTINUE from pud_entry skips its subtree; ACTION_AGAIN re-runs the pud', () => {
      const { k } = setup();
      const skip = record(k, P3, P3 + 2 * K4, ['pudEntry', 'pmdEntry', 'pteEntry', 'pteHole'], {
        pudEntry: (w) => void (w.action = ACTION_CONTINUE),
      });
      expect(skip.events).toEqual([`pud [${hex(P3)}, ${hex(P3 + 2 * K4)})`]);
      const again = record(k, P3, P3 + 2 * K4, ['pudEntry', 'pmdEntry', 'pteEntry'], {
        pudEntry: (w, _e, n) => {
          if (n === 0) w.action = ACTION_AGAIN;
        },
      });
      expect(again.events).toEqual([
        `pud [${hex(P3)}, ${hex(P3 + 2 * K4)})`,
        `pud [${hex(P3)}, ${hex(P3 + 2 * K4)})`,
        `pmd [${hex(P3)}, ${hex(P3 + 2 * K4)})`,
        ...runs('pte', P3, K4, 2),
      ]);
    });

    it('walk->action set by pgd_entry / p4d_entry is not read (walk_pgd_range/walk_p4d_range never look at it)', () => {
      const { k } = setup();
      const r = record(k, P3, P3 + 2 * K4, ['pgdEntry', 'p4dEntry', 'pteEntry'], {
        pgdEntry: (w) => void (w.action = ACTION_CONTINUE),
        p4dEntry: (w) => void (w.action = ACTION_AGAIN),
      });
      expect(r.events).toEqual([`pgd [${hex(P3)}, ${hex(P3 + 2 * K4)})`, `p4d [${hex(P3)}, ${hex(P3 + 2 * K4)})`, ...runs('pte', P3, K4, 2)]);
    });

    it('ACTION_AGAIN left by a pte_entry makes the pmd re-run after the pte range', () => {
      const { k } = setup();
      const r = record(k, P3, P3 + 2 * K4, ['pmdEntry', 'pteEntry'], {
        pteEntry: (w, _e, n) => {
          if (n === 0) w.action = ACTION_AGAIN;
        },
      });
      expect(r.events).toEqual([
        `pmd [${hex(P3)}, ${hex(P3 + 2 * K4)})`,
        ...runs('pte', P3, K4, 2),
        `pmd [${hex(P3)}, ${hex(P3 + 2 * K4)})`,
        ...runs('pte', P3, K4, 2),
      ]);
      // without pmd_entry too: walk->action = ACTION_SUBTREE happens whether or not pmd_entry exists
      const r2 = record(k, P3, P3 + 2 * K4, ['pteEntry'], {
        pteEntry: (w, _e, n) => {
          if (n === 0) w.action = ACTION_AGAIN;
        },
      });
      expect(r2.events).toEqual([...runs('pte', P3, K4, 2), ...runs('pte', P3, K4, 2)]);
    });

    it('ACTION_CONTINUE from a pte_entry changes nothing', () => {
      const { k } = setup();
      const r = record(k, P3, P3 + 2 * K4, ['pmdEntry', 'pteEntry'], { pteEntry: (w) => void (w.action = ACTION_CONTINUE) });
      expect(r.events).toEqual([`pmd [${hex(P3)}, ${hex(P3 + 2 * K4)})`, ...runs('pte', P3, K4, 2)]);
    });

    it('a pud_entry that clears its entry is re-read: pud_present() is false now, so no descent', () => {
      const { k } = setup();
      const r = record(k, P3, P3 + 2 * K4, ['pudEntry', 'pmdEntry', 'pteEntry', 'pteHole'], {
        pudEntry: (w, e) => w.writeWords(e, 0, 0),
      });
      expect(r.events).toEqual([`pud [${hex(P3)}, ${hex(P3 + 2 * K4)})`]);
      // the write went to the image
      expect(k.readEntry(r.addresses[0])).toBe(0n);
      // and a pmd_entry that clears its entry then asks AGAIN sees a hole (pmd_none)
      const { k: k2 } = setup();
      const r2 = record(k2, P3, P3 + 2 * K4, ['pmdEntry', 'pteEntry', 'pteHole'], {
        pmdEntry: (w, e) => {
          w.writeWords(e, 0, 0);
          w.action = ACTION_AGAIN;
        },
      });
      expect(r2.events).toEqual([`pmd [${hex(P3)}, ${hex(P3 + 2 * K4)})`, `hole3 [${hex(P3)}, ${hex(P3 + 2 * K4)})`]);
    });
  });

  describe('return codes', () => {
    const P3 = K + 0x600000;
    const setup = () => {
      const { k } = x86();
      k.map(P3, 0x5000, 4 * K4, { write: true });
      return k;
    };

    it('a positive value stops the walk and is returned', () => {
      const k = setup();
      const r = record(k, P3, P3 + 4 * K4, ['pmdEntry', 'pteEntry', 'pteHole'], { pteEntry: (_w, _e, n) => (n === 1 ? 7 : 0) });
      expect(r.result).toBe(7);
      expect(r.events).toEqual([`pmd [${hex(P3)}, ${hex(P3 + 4 * K4)})`, ...runs('pte', P3, K4, 2)]);
    });

    it('a negative value stops the walk and is returned', () => {
      const k = setup();
      const r = record(k, P3 - M2, P3 + 4 * K4, ['pmdEntry', 'pteEntry', 'pteHole'], { pmdEntry: () => -5 });
      expect(r.result).toBe(-5);
      expect(r.events).toEqual([`hole3 [${hex(P3 - M2)}, ${hex(P3)})`, `pmd [${hex(P3)}, ${hex(P3 + 4 * K4)})`]);
    });

    it('from pte_hole, pgd_entry (no descent after it) and p4d_entry', () => {
      const k = setup();
      expect(record(k, K, P3, ['pteHole', 'pteEntry'], { pteHole: () => 3 }).result).toBe(3);
      const g = record(k, P3, P3 + K4, ['pgdEntry', 'pteEntry'], { pgdEntry: () => 9 });
      expect(g).toMatchObject({ result: 9, events: [`pgd [${hex(P3)}, ${hex(P3 + K4)})`] });
      const p = record(k, P3, P3 + K4, ['p4dEntry', 'pteEntry'], { p4dEntry: () => -1 });
      expect(p).toMatchObject({ result: -1, events: [`p4d [${hex(P3)}, ${hex(P3 + K4)})`] });
    });
  });

  it('a table pointer outside the image: its own callback, then badEntry and pte_hole at its depth; nothing written', () => {
    const { k } = x86();
    k.map(K, 0x200000, M2, { write: true }, { pageSize: '2M' });
    poke(k, slotPa(k, K, PUD), tableValue(k, PUD, 2 ** 40)); // pud 0 -> a pmd table at 1 TiB
    const before = k.memory.readBytes(0, 1 << 20)!;
    const r = record(k, K, K + M2, ['pudEntry', 'pmdEntry', 'pteEntry', 'pteHole', 'badEntry']);
    expect(r.events).toEqual([`pud [${hex(K)}, ${hex(K + M2)})`, `bad [${hex(K)}, ${hex(K + M2)})`, `hole2 [${hex(K)}, ${hex(K + M2)})`]);
    expect(r.addresses[1]).toBe(r.addresses[0]);
    expect(r.walks[0].badEntries).toBe(1);
    expect(Buffer.compare(k.memory.readBytes(0, 1 << 20)!, before)).toBe(0);
    // a pgd slot (checked as p4d) pointing outside: p4d_entry, then bad + hole at real_depth(1) = 0
    poke(k, slotPa(k, K + 2 * G512, P4D), tableValue(k, P4D, 2 ** 41));
    const r2 = record(k, K + 2 * G512, K + 3 * G512, ['p4dEntry', 'pudEntry', 'pteHole', 'badEntry']);
    expect(r2.events).toEqual([
      `p4d [${hex(K + 2 * G512)}, ${hex(K + 3 * G512)})`,
      `bad [${hex(K + 2 * G512)}, ${hex(K + 3 * G512)})`,
      `hole0 [${hex(K + 2 * G512)}, ${hex(K + 3 * G512)})`,
    ]);
  });

  it('a bad p4d (p4d_bad(): a flag outside _KERNPG_TABLE|US|NX) is not cleared: badEntry + hole at depth 0', () => {
    const { k } = x86();
    k.map(K, 0x200000, M2, { write: true }, { pageSize: '2M' });
    const slot = slotPa(k, K, P4D);
    const v = k.readEntry(slot)! | 0x80n; // PSE in a p4d
    poke(k, slot, v);
    const r = record(k, K, K + M2, ['pgdEntry', 'p4dEntry', 'pudEntry', 'pteHole', 'badEntry']);
    expect(r.events).toEqual([`pgd [${hex(K)}, ${hex(K + M2)})`, `bad [${hex(K)}, ${hex(K + M2)})`, `hole0 [${hex(K)}, ${hex(K + M2)})`]);
    expect(r.walks.at(-1)!.badEntries).toBe(1);
    expect(k.readEntry(slot)).toBe(v); // p4d_clear_bad() is not modelled: the image is evidence
  });

  it('the pgd option walks another root; private reaches the callbacks', () => {
    const { m, k } = x86();
    k.map(K, 0x200000, M2, { write: true }, { pageSize: '2M' });
    const other = m.allocator!.alloc();
    const priv = { tag: 'mine' };
    const own = record(k, K, K + M2, ['pmdEntry', 'pteHole'], {}, { private: priv });
    expect(own.events).toEqual([`pmd [${hex(K)}, ${hex(K + M2)})`]);
    expect(own.walks[0].private).toBe(priv);
    expect(own.walks[0].pgd).toBe(k.root);
    const alt = record(k, K, K + M2, ['pmdEntry', 'pteHole'], {}, { pgd: other });
    expect(alt.events).toEqual([`hole0 [${hex(K)}, ${hex(K + M2)})`]);
    expect(alt.walks[0].pgd).toBe(other);
  });
});

describe('hole depths per mode (real_depth() on each mode\'s PTRS_PER_*)', () => {
  const walkTop = (arch: string, mode: string, start: number, size: number) => {
    const m = createMachine({ arch, mode } as ArchAndMode);
    return record(m.initMm, start, start + size, ALL).events;
  };

  it('x86-64 5level: an empty pgd is a hole at 0, an empty p4d at 1', () => {
    const { k } = x86('5level');
    const BASE = 0xff00000000000000;
    expect(record(k, BASE, BASE + 2 ** 48, ALL).events).toEqual([`hole0 [${hex(BASE)}, ${hex(BASE + 2 ** 48)})`]);
    const K = 0xff11000000000000;
    k.map(K, 0x200000, M2, { write: true }, { pageSize: '2M' });
    expect(record(k, K + G512, K + 2 * G512, ALL).events).toEqual([
      `pgd [${hex(K + G512)}, ${hex(K + 2 * G512)})`,
      `hole1 [${hex(K + G512)}, ${hex(K + 2 * G512)})`,
    ]);
  });

  it('riscv64 sv39: an empty top-level slot is pgd_entry, p4d_entry (run-time folded, never none), then a hole at depth 2', () => {
    const S = 0xffffffc000000000;
    expect(walkTop('riscv64', 'sv39', S, G1)).toEqual([`pgd [${hex(S)}, ${hex(S + G1)})`, `p4d [${hex(S)}, ${hex(S + G1)})`, `hole2 [${hex(S)}, ${hex(S + G1)})`]);
  });

  it('riscv64 sv48: pgd_entry then a hole at depth 1 (PTRS_PER_P4D stays 512)', () => {
    const S = 0xffff800000000000;
    expect(walkTop('riscv64', 'sv48', S, G512)).toEqual([`pgd [${hex(S)}, ${hex(S + G512)})`, `hole1 [${hex(S)}, ${hex(S + G512)})`]);
  });

  it('riscv64 sv57: a hole at depth 0', () => {
    const S = 0xff00000000000000;
    expect(walkTop('riscv64', 'sv57', S, 2 ** 48)).toEqual([`hole0 [${hex(S)}, ${hex(S + 2 ** 48)})`]);
  });

  it('riscv64 sv39: a 1G leaf in the top table goes to pud_entry and is not descended', () => {
    const m = createMachine({ arch: 'riscv64', mode: 'sv39' });
    const S = 0xffffffc000000000;
    m.initMm.map(S, 0x80000000, G1, { write: true }, { pageSize: '1G' });
    expect(record(m.initMm, S, S + G1, ALL).events).toEqual([`pgd [${hex(S)}, ${hex(S + G1)})`, `p4d [${hex(S)}, ${hex(S + G1)})`, `pud [${hex(S)}, ${hex(S + G1)})`]);
  });

  it('arm64 4k-39 (3 levels): an empty pgd slot is checked as pud: hole at real_depth(2) = 0', () => {
    const S = TWO64 - 2 ** 39;
    expect(walkTop('arm64', '4k-39', S, G1)).toEqual([`pgd [${hex(S)}, ${hex(S + G1)})`, `p4d [${hex(S)}, ${hex(S + G1)})`, `hole0 [${hex(S)}, ${hex(S + G1)})`]);
  });

  it('arm64 64k-42 (2 levels): pgd, p4d, pud entries of the folded levels, then a pmd hole at real_depth(3) = 0', () => {
    const S = TWO64 - 2 ** 42;
    const SZ = 2 ** 29;
    expect(walkTop('arm64', '64k-42', S, SZ)).toEqual([
      `pgd [${hex(S)}, ${hex(S + SZ)})`,
      `p4d [${hex(S)}, ${hex(S + SZ)})`,
      `pud [${hex(S)}, ${hex(S + SZ)})`,
      `hole0 [${hex(S)}, ${hex(S + SZ)})`,
    ]);
  });

  it('arm64 4k-48 (4 levels, nop4d): pgd_entry, then a p4d hole at real_depth(1) = 0', () => {
    const S = TWO64 - 2 ** 48;
    expect(walkTop('arm64', '4k-48', S, G512)).toEqual([`pgd [${hex(S)}, ${hex(S + G512)})`, `hole0 [${hex(S)}, ${hex(S + G512)})`]);
  });

  it('arm64 4k-52 (5 levels): a hole at 0', () => {
    const S = TWO64 - 2 ** 52;
    expect(walkTop('arm64', '4k-52', S, 2 ** 48)).toEqual([`hole0 [${hex(S)}, ${hex(S + 2 ** 48)})`]);
  });

  it('arm64 16k-48: a two-entry pgd; each slot maps 2^47', () => {
    const S = TWO64 - 2 ** 48;
    const m = createMachine({ arch: 'arm64', mode: '16k-48' });
    expect(record(m.initMm, S, TWO64, ['pgdEntry', 'pteHole']).events).toEqual(runs('pgd', S, 2 ** 47, 2));
  });

  it('arm64 4k-48: a p4d that fails p4d_bad() (a block descriptor) is reported, not walked', () => {
    const m = createMachine({ arch: 'arm64', mode: '4k-48' });
    const k = m.initMm;
    const S = TWO64 - 2 ** 48;
    poke(k, slotPa(k, S, P4D), 0x40000001n); // [1:0] = 01: not TYPE_TABLE
    const r = record(k, S, S + G512, ALL);
    expect(r.events).toEqual([`pgd [${hex(S)}, ${hex(S + G512)})`, `bad [${hex(S)}, ${hex(S + G512)})`, `hole0 [${hex(S)}, ${hex(S + G512)})`]);
    expect(r.walks[0].badEntries).toBe(1);
  });

  it('loongarch64 4k-3level: an empty top slot (= invalid_pmd_table) is a hole at real_depth(2) = 0', () => {
    const S = 0xffff800000000000;
    expect(walkTop('loongarch64', '4k-3level', S, G1)).toEqual([`pgd [${hex(S)}, ${hex(S + G1)})`, `p4d [${hex(S)}, ${hex(S + G1)})`, `hole0 [${hex(S)}, ${hex(S + G1)})`]);
  });

  it('loongarch64 4k-3level: invalid_pte_table is pmd_none(); a zero pmd is present, not none: pmd_entry, badEntry, hole', () => {
    const m = createMachine({ arch: 'loongarch64', mode: '4k-3level' });
    const k = m.initMm;
    const S = 0xffff800000000000;
    k.map(S, 0x200000, K4, { write: true });
    expect(k.readEntry(slotPa(k, S + M2, PMD))).toBe(noneValue(k, PMD));
    poke(k, slotPa(k, S + 2 * M2, PMD), 0n);
    const r = record(k, S + M2, S + 3 * M2, ALL);
    expect(r.events).toEqual([
      `pgd [${hex(S + M2)}, ${hex(S + 3 * M2)})`,
      `p4d [${hex(S + M2)}, ${hex(S + 3 * M2)})`,
      `pud [${hex(S + M2)}, ${hex(S + 3 * M2)})`,
      `hole3 [${hex(S + M2)}, ${hex(S + 2 * M2)})`, // invalid_pte_table: none
      `pmd [${hex(S + 2 * M2)}, ${hex(S + 3 * M2)})`, // zero: pmd_present() (val != invalid_pte_table), not a leaf
      `bad [${hex(S + 2 * M2)}, ${hex(S + 3 * M2)})`, // and 0 is not a table address pagewalk can follow
      `hole3 [${hex(S + 2 * M2)}, ${hex(S + 3 * M2)})`,
    ]);
  });

  it('loongarch64 4k-4level: a p4d with page-offset bits set fails p4d_bad(): badEntry + hole at 0', () => {
    const m = createMachine({ arch: 'loongarch64', mode: '4k-4level' });
    const k = m.initMm;
    const S = 0xffff800000000000;
    k.map(S, 0x200000, K4, { write: true });
    const slot = slotPa(k, S, P4D);
    poke(k, slot, k.readEntry(slot)! | 0x8n);
    const r = record(k, S, S + M2, ALL);
    expect(r.events).toEqual([`pgd [${hex(S)}, ${hex(S + M2)})`, `bad [${hex(S)}, ${hex(S + M2)})`, `hole0 [${hex(S)}, ${hex(S + M2)})`]);
  });

  it('x86-64 5level: a pgd failing pgd_bad() (RW clear) is reported at depth 0', () => {
    const { k } = x86('5level');
    const K = 0xff11000000000000;
    k.map(K, 0x200000, M2, { write: true }, { pageSize: '2M' });
    const slot = slotPa(k, K, PGD);
    poke(k, slot, k.readEntry(slot)! & ~0x2n);
    const r = record(k, K, K + M2, ALL);
    expect(r.events).toEqual([`bad [${hex(K)}, ${hex(K + M2)})`, `hole0 [${hex(K)}, ${hex(K + M2)})`]);
  });
});

describe('entry handles', () => {
  // One physical table reached at two depths on two paths (not a loop: it is
  // never on the path that reaches it): the pud table P of pgd slot 273 is
  // also named by slot 0 of the pud table R of pgd slot 274, which reads it
  // as a pmd table. Linux never builds this, but a corrupt image can. The
  // handle of a pud slot must still say 'pud' (the accessors read it as the
  // level the callback runs at): the registry keys tables by (physical
  // address, level).
  it('a table reached at two depths: walk.level()/decode() follow the callback\'s level', () => {
    const { k } = x86();
    const K = 0xffff888000000000;
    k.map(K + G1, G1, G1, { write: true }, { pageSize: '1G' }); // P[1]: a 1G leaf (creates P)
    k.map(K + G512, 0x200000, M2, { write: true }, { pageSize: '2M' }); // creates R
    const pudTable = slotPa(k, K, PUD); // P, index 0
    poke(k, slotPa(k, K + G512, PUD), tableValue(k, PUD, pudTable)); // R[0] -> P, read as a pmd table
    const levels: string[] = [];
    const kinds: string[] = [];
    const r = record(k, K, K + G512 + 2 * G1, ['pudEntry', 'pmdEntry', 'badEntry'], {
      pudEntry: (w, e) => void levels.push(`pud:${w.level(e)}`, `pud:${w.decode(e).level}`),
      pmdEntry: (w, e) => {
        levels.push(`pmd:${w.level(e)}`);
        kinds.push(w.decode(e).kind);
      },
    });
    // P[1] as a pud, R[0] as a pud, then P[1] again, read as a pmd (PSE: a 2M leaf)
    expect(levels).toEqual(['pud:pud', 'pud:pud', 'pud:pud', 'pud:pud', 'pmd:pmd']);
    expect(kinds).toEqual(['leaf']);
    expect(r.events.filter((e) => e.startsWith('bad'))).toEqual([]);
  });

  it('a folded level\'s callback gets its group\'s slot, read as the level the kernel checks it at', () => {
    const { k } = x86();
    const K = 0xffff888000000000;
    k.map(K, 0x200000, M2, { write: true }, { pageSize: '2M' });
    const lv: string[] = [];
    record(k, K, K + M2, ['pgdEntry', 'p4dEntry', 'pudEntry', 'pmdEntry'], {
      pgdEntry: (w, e) => void lv.push(w.level(e)),
      p4dEntry: (w, e) => void lv.push(w.level(e)),
      pudEntry: (w, e) => void lv.push(w.level(e)),
      pmdEntry: (w, e) => void lv.push(w.level(e)),
    });
    expect(lv).toEqual(['p4d', 'p4d', 'pud', 'pmd']);
    const m = createMachine({ arch: 'riscv64', mode: 'sv39' });
    const S = 0xffffffc000000000;
    m.initMm.map(S, 0x80200000, M2, { write: true }, { pageSize: '2M' });
    const lv2: string[] = [];
    const addrs = record(m.initMm, S, S + M2, ['pgdEntry', 'p4dEntry', 'pudEntry', 'pmdEntry'], {
      pgdEntry: (w, e) => void lv2.push(w.level(e)),
      p4dEntry: (w, e) => void lv2.push(w.level(e)),
      pudEntry: (w, e) => void lv2.push(w.level(e)),
      pmdEntry: (w, e) => void lv2.push(w.level(e)),
    }).addresses;
    expect(lv2).toEqual(['pud', 'pud', 'pud', 'pmd']);
    expect(addrs[0]).toBe(m.initMm.root + 256 * 8);
    expect(addrs[1]).toBe(addrs[0]);
    expect(addrs[2]).toBe(addrs[0]);
  });

  it('a handle read after the walk still names its slot (mm.entryAddress)', () => {
    const { k } = x86();
    const K = 0xffff888000000000;
    k.map(K, 0x200000, M2, { write: true }, { pageSize: '2M' });
    let handle = -1;
    record(k, K, K + M2, ['pmdEntry'], { pmdEntry: (_w, e) => void (handle = e) });
    expect(k.entryAddress(handle)).toBe(slotPa(k, K, PMD));
  });
});

describe('walk_page_range_debug() on a user mm: pte_offset_map() validates the pmd below TASK_SIZE', () => {
  // mm/pagewalk.c walk_pte_range(): for mm != &init_mm and addr < TASK_SIZE it
  // uses pte_offset_map(), whose ___pte_offset_map() does pmd_clear_bad() and
  // returns NULL for a pmd_bad() entry; walk_pte_range() then sets
  // walk->action = ACTION_AGAIN and walk_pmd_range() goes "again", now sees
  // pmd_none() and calls pte_hole(depth 3). So the kernel reports a bad user
  // pmd as pmd_entry + pte_hole(3) and never reads its "pte table". pagewalk
  // cannot clear the entry (the image is evidence); it reports it instead:
  // pmd_entry, badEntry, pte_hole(3).
  it('a pmd_bad() user pmd is reported (badEntry + hole at depth 3), not descended', () => {
    const m = createMachine({ arch: 'x86-64', mode: '4level' });
    const u = m.createUserMm();
    const U = 0x400000;
    u.map(U, 0x300000, K4, { write: true, user: true });
    const slot = slotPa(u, U, PMD);
    // _PAGE_TABLE without RW: pmd_bad() ((flags & ~(US|A)) != (_KERNPG_TABLE & ~A))
    poke(u, slot, u.readEntry(slot)! & ~0x2n);
    const r = record(u, U, U + 2 * K4, ['pmdEntry', 'pteEntry', 'pteHole', 'badEntry'], {}, { debug: true });
    expect(r.events).toEqual([`pmd [${hex(U)}, ${hex(U + 2 * K4)})`, `bad [${hex(U)}, ${hex(U + 2 * K4)})`, `hole3 [${hex(U)}, ${hex(U + 2 * K4)})`]);
  });

  it('the kernel walker (init_mm, pte_offset_kernel()) does descend through such a pmd', () => {
    const m = createMachine({ arch: 'x86-64', mode: '4level' });
    const k = m.initMm;
    const K = 0xffff888000000000;
    k.map(K, 0x300000, K4, { write: true });
    const slot = slotPa(k, K, PMD);
    poke(k, slot, k.readEntry(slot)! & ~0x2n);
    const r = record(k, K, K + 2 * K4, ['pmdEntry', 'pteEntry', 'pteHole']);
    expect(r.events).toEqual([`pmd [${hex(K)}, ${hex(K + 2 * K4)})`, ...runs('pte', K, K4, 2)]);
  });
});

describe('entry points agree', () => {
  it('walkPageRangeDebug on init_mm is walkKernelPageTableRange', () => {
    const { k } = x86();
    const K = 0xffff888000000000;
    k.map(K, 0x200000, 4 * K4, { write: true });
    const a = record(k, K - M2, K + M2, ALL);
    const b = record(k, K - M2, K + M2, ALL, {}, { debug: true });
    expect(b.events).toEqual(a.events);
    expect(b.result).toBe(a.result);
  });

  it('the kernel walker refuses a user mm (-EINVAL) and the debug walker takes it', () => {
    const m = createMachine({ arch: 'riscv64', mode: 'sv48' });
    const u = m.createUserMm();
    u.map(0x10000, 0x80200000, K4, { write: true, user: true });
    let calls = 0;
    expect(walkKernelPageTableRange(u, 0, 0x20000, { pteEntry: () => (calls++, 0) })).toBe(EINVAL);
    expect(calls).toBe(0);
    expect(walkPageRangeDebug(u, 0x10000, 0x12000, { pteEntry: () => (calls++, 0) })).toBe(0);
    expect(calls).toBe(2);
  });
});
