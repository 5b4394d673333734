import type { RangeJson, ViewColumn } from '../data.js';
import type { Axis } from './axis.js';
import { CLASSES, PERM_FILTERS, permClass } from './classes.js';
import { firstWhere } from './search.js';

/** What the toolbar's filters select. */
export interface Filter {
  perm: string;
  /** Level names shown (ptdump's JSON `level`). */
  levels: ReadonlySet<string>;
}

/** Bytes mapped per permission class, kernel and user apart. */
export interface Totals {
  kernel: number[];
  user: number[];
  ranges: number;
}

/**
 * One column of the map: a root's ptdump ranges, in typed arrays for the
 * drawing loop (which touches nothing else), with the JSON objects kept for
 * the tooltip. Ranges are sorted and disjoint, as the dumper closes them.
 */
export class Column {
  readonly n: number;
  /** Display positions (Axis units) of each range's start and end. */
  readonly top: Float64Array;
  readonly bottom: Float64Array;
  readonly start: Float64Array;
  readonly end: Float64Array;
  /** Permission class (CLASSES index), or -1 for a range that is not present. */
  readonly cls: Int8Array;
  readonly user: Uint8Array;
  /** 1 where the current filter shows the range. */
  readonly match: Uint8Array;
  readonly markers: { d: number; start: number; name: string }[];

  constructor(
    readonly info: ViewColumn,
    readonly ranges: readonly RangeJson[],
  ) {
    const n = (this.n = ranges.length);
    this.top = new Float64Array(n);
    this.bottom = new Float64Array(n);
    this.start = new Float64Array(n);
    this.end = new Float64Array(n);
    this.cls = new Int8Array(n);
    this.user = new Uint8Array(n);
    this.match = new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      const r = ranges[i];
      // Number('0x…') is exact for page-aligned addresses, 2^64 included.
      this.start[i] = Number(r.start);
      this.end[i] = this.start[i] + Number(r.size);
      this.cls[i] = r.present ? permClass(r.read, r.write, r.exec) : -1;
      this.user[i] = r.user ? 1 : 0;
    }
    this.markers = info.markers.map((m) => ({ start: Number(m.start), d: 0, name: m.name }));
  }

  /** Places the ranges and markers on an axis. */
  layout(axis: Axis): void {
    for (let i = 0; i < this.n; i++) {
      this.top[i] = axis.toDisplay(this.start[i]);
      this.bottom[i] = axis.toDisplay(this.end[i]);
    }
    for (const m of this.markers) m.d = axis.toDisplay(m.start);
  }

  /** The present ranges' [start, end), for the compact axis. */
  present(): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < this.n; i++) if (this.cls[i] >= 0) out.push([this.start[i], this.end[i]]);
    return out;
  }

  /** Index of the first range whose display end is past `d` (n if none). */
  firstEndingAfter(d: number): number {
    return firstWhere(0, this.n, (i) => this.bottom[i] > d);
  }

  /** How many ranges meet the display interval [d0, d1). */
  countIn(d0: number, d1: number): number {
    const first = this.firstEndingAfter(d0);
    return firstWhere(first, this.n, (i) => this.top[i] >= d1) - first;
  }

  /** Index of the range holding `addr`, or -1. */
  find(addr: number): number {
    const i = firstWhere(0, this.n, (k) => this.end[k] > addr);
    return i < this.n && this.start[i] <= addr ? i : -1;
  }

  /** Applies the filter to every range; returns the totals of the present ranges it shows. */
  filter(f: Filter): Totals {
    const test = PERM_FILTERS[f.perm] ?? PERM_FILTERS.all;
    const totals: Totals = { kernel: CLASSES.map(() => 0), user: CLASSES.map(() => 0), ranges: 0 };
    for (let i = 0; i < this.n; i++) {
      const r = this.ranges[i];
      const c = this.cls[i];
      const shown = f.levels.has(r.level) && (c < 0 || test(r, c));
      this.match[i] = shown ? 1 : 0;
      if (!shown || c < 0) continue;
      (r.user ? totals.user : totals.kernel)[c] += this.end[i] - this.start[i];
      totals.ranges++;
    }
    return totals;
  }
}
