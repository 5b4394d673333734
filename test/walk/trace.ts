/**
 * Recording callbacks shared by the hot iterator and the reference walker:
 * every call appends one event, and what the callback does (return value,
 * walk.action, a write through the entry handle) is decided by a hash of
 * (seed, callback, address, how many times this callback saw this address),
 * so both walkers get the same decisions exactly when they make the same
 * calls, whatever order they use internally.
 */
import type { MmWalkOps } from '../../src/walk/ops.js';
import type { RefOps, WalkLike } from './reference-walker.js';

export type CbName = 'pgdEntry' | 'p4dEntry' | 'pudEntry' | 'pmdEntry' | 'pteEntry' | 'pteHole' | 'badEntry';
export const CB_NAMES: readonly CbName[] = ['pgdEntry', 'p4dEntry', 'pudEntry', 'pmdEntry', 'pteEntry', 'pteHole', 'badEntry'];

export interface TraceEvent {
  cb: CbName;
  addr: number;
  next: number;
  /** pteHole's depth. */
  depth?: number;
  /** Physical address of the entry's slot (walk.address(entry)). */
  entryAddress?: number;
  /** The entry's words as the accessors read them when the callback ran. */
  lo?: number;
  hi?: number;
  level?: string;
  /** none | present << 1 | leaf << 2, through the accessors. */
  flags?: number;
  /** The entry of the previous entry callback, read again now through its handle (accessors' slow path). */
  prevAddress?: number;
  prevLo?: number;
  prevHi?: number;
  prevFlags?: number;
  /** walk.decode(entry).kind, on some calls. */
  kind?: string;
  /** walk.action as the callback left it. */
  action: number;
  /** walk.badEntries when the callback ran. */
  bad: number;
  /** walk.badReason, for badEntry. */
  reason?: string | null;
  result: number;
}

/** Every field of a TraceEvent (for the comparison). */
const FIELDS: Record<keyof TraceEvent, true> = {
  cb: true, addr: true, next: true, depth: true, entryAddress: true, lo: true, hi: true, level: true, flags: true,
  prevAddress: true, prevLo: true, prevHi: true, prevFlags: true, kind: true, action: true, bad: true, reason: true, result: true,
};

export interface Decisions {
  seed: number;
  /** Probability a callback returns non-zero (half positive, half negative). */
  stopRate: number;
  /** Probability a callback sets walk.action (CONTINUE, SUBTREE, or AGAIN on a first visit). */
  actionRate: number;
  /** Probability an entry callback writes a value from `palette` through its handle. */
  writeRate: number;
  /** Probability an entry callback also records walk.decode(entry).kind. */
  decodeRate: number;
  /** Values an entry callback may write (none, leaves, swap-like, bad, table pointers of every level). */
  palette: readonly (readonly [number, number])[];
  /** Which callbacks exist. */
  present: readonly CbName[];
  /** Events after which the callbacks throw (a runaway guard). */
  cap: number;
}

export class Runaway extends Error {}

/** 32-bit avalanche mix. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

function hashOf(seed: number, cb: number, addr: number, visit: number, salt: number): number {
  const aLo = addr % 4294967296 | 0;
  const aHi = Math.floor(addr / 4294967296) | 0;
  let h = mix32(seed ^ 0x9e3779b9);
  h = mix32(h ^ cb);
  h = mix32(h ^ aLo);
  h = mix32(h ^ aHi);
  h = mix32(h ^ visit);
  return mix32(h ^ salt);
}

/**
 * Ops for both walkers plus the trace they fill. The same Decisions give
 * the same behaviour; call it once per walker.
 */
export function traceOps(dec: Decisions): { ops: RefOps & MmWalkOps; trace: TraceEvent[] } {
  const trace: TraceEvent[] = [];
  const visits = new Map<string, number>();
  let prev = -1;
  const flagsOf = (w: WalkLike, e: number) => (w.none(e) ? 1 : 0) | (w.present(e) ? 2 : 0) | (w.leaf(e) ? 4 : 0);

  const decide = (cbIndex: number, w: WalkLike, ev: TraceEvent, entry: number | null): number => {
    if (trace.length >= dec.cap) throw new Runaway(`more than ${dec.cap} callbacks`);
    const key = `${cbIndex}:${w.addr}:${w.next}`;
    const visit = visits.get(key) ?? 0;
    visits.set(key, visit + 1);
    const u = (salt: number) => hashOf(dec.seed, cbIndex, w.addr, visit, salt) / 4294967296;
    if (entry !== null && u(4) < dec.writeRate) {
      // One flat palette: choosing by walk.level() would make the decision depend on an accessor under test.
      const values = dec.palette;
      if (values.length > 0) {
        const [lo, hi] = values[Math.floor(u(5) * values.length)];
        w.writeWords(entry, lo, hi);
      }
    }
    if (u(2) < dec.actionRate) {
      const r = u(3);
      // CONTINUE, SUBTREE, a value the kernel never compares with (descends), or AGAIN on a first visit only
      w.action = r < 0.4 ? 1 : r < 0.55 ? 0 : r < 0.6 ? 5 : visit === 0 ? 2 : 1;
    }
    let result = 0;
    if (u(1) < dec.stopRate) {
      const r = hashOf(dec.seed, cbIndex, w.addr, visit, 6);
      result = r & 1 ? 1 + (r % 997) : -(1 + (r % 131));
    }
    ev.action = w.action;
    ev.result = result;
    trace.push(ev);
    // The cursor is the walk's output: scribbling on it must not move the walk (the kernel's addr/next are locals).
    if (u(8) < 0.03) {
      w.addr = 0;
      w.next = 4096;
    }
    return result;
  };

  const entryCb = (cb: CbName, cbIndex: number) => (entry: number, w: WalkLike) => {
    const ev: TraceEvent = {
      cb,
      addr: w.addr,
      next: w.next,
      entryAddress: w.address(entry),
      lo: w.lo(entry),
      hi: w.hi(entry),
      level: w.level(entry),
      flags: flagsOf(w, entry),
      action: 0,
      bad: w.badEntries,
      result: 0,
    };
    if (prev >= 0) {
      ev.prevAddress = w.address(prev);
      ev.prevLo = w.lo(prev);
      ev.prevHi = w.hi(prev);
      ev.prevFlags = flagsOf(w, prev);
    }
    if (cb === 'badEntry') ev.reason = w.badReason;
    prev = entry;
    if (hashOf(dec.seed, cbIndex, w.addr, 0, 7) / 4294967296 < dec.decodeRate) ev.kind = w.decode(entry).kind;
    return decide(cbIndex, w, ev, entry);
  };

  const ops: RefOps & MmWalkOps = {};
  const o = ops as Record<string, unknown>;
  CB_NAMES.forEach((cb, i) => {
    if (!dec.present.includes(cb)) return;
    if (cb === 'pteHole') {
      o[cb] = (depth: number, w: WalkLike) =>
        decide(i, w, { cb, addr: w.addr, next: w.next, depth, action: 0, bad: w.badEntries, result: 0 }, null);
    } else {
      o[cb] = entryCb(cb, i);
    }
  });
  return { ops, trace };
}

/** A readable first difference between two traces, or null. */
export function firstDifference(a: readonly TraceEvent[], b: readonly TraceEvent[], ignore: readonly (keyof TraceEvent)[] = []): string | null {
  const n = Math.max(a.length, b.length);
  const keys = (Object.keys(FIELDS) as (keyof TraceEvent)[]).filter((k) => !ignore.includes(k));
  const same = (x: TraceEvent, y: TraceEvent) => keys.every((k) => x[k] === y[k]);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined || y === undefined || !same(x, y)) {
      const show = (t: readonly TraceEvent[]) =>
        t
          .slice(Math.max(0, i - 3), i + 2)
          .map((e) => fmtEvent(e))
          .join('\n    ');
      return `traces differ at event ${i} (lengths ${a.length} / ${b.length}):\n  hot:\n    ${show(a)}\n  reference:\n    ${show(b)}`;
    }
  }
  return null;
}

export function fmtEvent(e: TraceEvent): string {
  const h = (v: number | undefined) => (v === undefined ? '' : '0x' + v.toString(16));
  const parts = [`${e.cb} [${h(e.addr)}, ${h(e.next)})`];
  if (e.depth !== undefined) parts.push(`depth ${e.depth}`);
  if (e.entryAddress !== undefined) parts.push(`@${h(e.entryAddress)} ${e.level} ${h(e.hi! >>> 0)}:${h(e.lo! >>> 0)} f${e.flags}`);
  if (e.kind !== undefined) parts.push(`kind ${e.kind}`);
  if (e.reason !== undefined) parts.push(`reason ${e.reason}`);
  parts.push(`action ${e.action} bad ${e.bad} -> ${e.result}`);
  return parts.join(' ');
}
