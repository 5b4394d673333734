/** Small helpers shared by the walk tests. */
import { levelGroups } from '../../src/arch/groups.js';
import type { Depth } from '../../src/arch/types.js';
import type { AddressSpace } from '../../src/mm/address-space.js';
import { walkPageRangeDebug } from '../../src/walk/debug-walk.js';
import { walkKernelPageTableRange } from '../../src/walk/kernel-walk.js';
import type { MmWalk } from '../../src/walk/mm-walk.js';
import type { MmWalkOps } from '../../src/walk/ops.js';

export const hex = (v: number): string => '0x' + v.toString(16);

/**
 * Physical address of the slot that translates `va` at logical depth `depth`
 * (a folded depth gives its group's slot). The tables above must exist.
 */
export function slotPa(mm: AddressSpace, va: number, depth: number): number {
  const groups = levelGroups(mm.arch);
  let table = mm.root;
  for (const g of groups) {
    const slot = table + (Math.floor(va / g.size) % g.entries) * 8;
    if (depth <= g.real) return slot;
    mm.memory.read(slot);
    table = mm.codec.tablePa(g.real, mm.memory.lo, mm.memory.hi);
    if (table < 0) throw new Error(`no table below ${hex(slot)}`);
  }
  throw new Error('unreachable');
}

/** Writes a raw 64-bit entry (as a bigint) at physical `pa`. */
export function poke(mm: AddressSpace, pa: number, value: bigint): void {
  mm.memory.write(pa, Number(value & 0xffffffffn) | 0, Number(value >> 32n) | 0);
}

/** The table-pointer value the codec writes at `depth` for a table at `pa`. */
export function tableValue(mm: AddressSpace, depth: Depth, pa: number, user = false): bigint {
  mm.codec.encodeTable(depth, pa, user);
  return (BigInt(mm.codec.hi >>> 0) << 32n) | BigInt(mm.codec.lo >>> 0);
}

export function noneValue(mm: AddressSpace, depth: Depth): bigint {
  mm.codec.encodeNone(depth);
  return (BigInt(mm.codec.hi >>> 0) << 32n) | BigInt(mm.codec.lo >>> 0);
}

const SHORT = { pgdEntry: 'pgd', p4dEntry: 'p4d', pudEntry: 'pud', pmdEntry: 'pmd', pteEntry: 'pte', badEntry: 'bad' } as const;
export type EntryOp = keyof typeof SHORT;

/** What a hook may do: return a value, set walk.action. */
export type Hook = (walk: MmWalk, entry: number, call: number) => number | void;

export interface Recorded {
  result: number;
  /** "pgd [0x.., 0x..)", "hole2 [0x.., 0x..)", "bad [..)" ... */
  events: string[];
  /** walk.action seen on entry to each callback, in order. */
  actionsSeen: number[];
  /** walk.address(entry) per entry event (-1 for holes). */
  addresses: number[];
  walks: MmWalk[];
}

/**
 * Runs a walk with recording callbacks for `names`; `hooks` add behaviour
 * (the third argument counts earlier calls of that callback).
 */
export function record(
  mm: AddressSpace,
  start: number,
  end: number,
  names: readonly (EntryOp | 'pteHole')[],
  hooks: Partial<Record<EntryOp | 'pteHole', Hook>> = {},
  options: { pgd?: number; private?: unknown; debug?: boolean } = {},
): Recorded {
  const out: Recorded = { result: 0, events: [], actionsSeen: [], addresses: [], walks: [] };
  const calls: Record<string, number> = {};
  const guard = () => {
    if (out.events.length > 100000) throw new Error('runaway walk: more than 100000 callbacks');
  };
  const ops: MmWalkOps = {};
  const o = ops as Record<string, unknown>;
  for (const name of names) {
    if (name === 'pteHole') {
      o.pteHole = (depth: number, walk: MmWalk) => {
        guard();
        out.events.push(`hole${depth} [${hex(walk.addr)}, ${hex(walk.next)})`);
        out.actionsSeen.push(walk.action);
        out.addresses.push(-1);
        out.walks.push(walk);
        const n = (calls[name] = (calls[name] ?? 0) + 1) - 1;
        return hooks.pteHole?.(walk, depth, n) ?? 0;
      };
    } else {
      o[name] = (entry: number, walk: MmWalk) => {
        guard();
        out.events.push(`${SHORT[name]} [${hex(walk.addr)}, ${hex(walk.next)})`);
        out.actionsSeen.push(walk.action);
        out.addresses.push(walk.address(entry));
        out.walks.push(walk);
        const n = (calls[name] = (calls[name] ?? 0) + 1) - 1;
        return hooks[name]?.(walk, entry, n) ?? 0;
      };
    }
  }
  const opts: { pgd?: number; private?: unknown } = {};
  if (options.pgd !== undefined) opts.pgd = options.pgd;
  if ('private' in options) opts.private = options.private;
  out.result = options.debug ? walkPageRangeDebug(mm, start, end, ops, opts) : walkKernelPageTableRange(mm, start, end, ops, opts);
  return out;
}

/** n consecutive ranges of `size` bytes from `start`, formatted as events of `kind`. */
export function runs(kind: string, start: number, size: number, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(`${kind} [${hex(start + i * size)}, ${hex(start + (i + 1) * size)})`);
  return out;
}
