/**
 * The map's vertical axis: addresses grow downwards, as in ptdump's text.
 * It is made of segments of the address space, each drawn either to scale
 * (one display unit a byte) or collapsed to a fixed height: always the
 * non-canonical hole between the two halves (2^64 - 2^48 bytes on x86-64
 * 4-level, nothing to see), and in the compact layout also every stretch
 * that no column maps, so that 600 MiB of mappings spread over 256 TiB
 * fill the screen. Collapsed heights are powers of two and ranges
 * are page aligned, so every position is an exact double (DESIGN.md,
 * "Addresses").
 */
import { firstWhere } from './search.js';

export interface Segment {
  /** Addresses [addr, end). */
  addr: number;
  end: number;
  /** Display position and height. */
  d: number;
  h: number;
  /** To scale; or collapsed: a stretch nothing maps, or the non-canonical hole. */
  kind: 'map' | 'gap' | 'hole';
}

const pow2 = (x: number) => 2 ** Math.round(Math.log2(x));

export class Axis {
  readonly segments: Segment[] = [];
  readonly total: number;

  /**
   * `gaps`: sorted, disjoint address ranges inside the halves to collapse
   * to `gapHeight`. The hole between the halves collapses to `holeHeight`.
   */
  constructor(
    lower: [number, number],
    upper: [number, number],
    readonly pageSize: number,
    gaps: readonly [number, number][] = [],
    gapHeight = 0,
    holeHeight = pow2((lower[1] - lower[0] + upper[1] - upper[0]) / 40),
  ) {
    let d = 0;
    const add = (addr: number, end: number, kind: Segment['kind'], h = end - addr) => {
      if (end <= addr) return;
      this.segments.push({ addr, end, d, h, kind });
      d += h;
    };
    const half = (from: number, to: number) => {
      let at = from;
      for (const [s, e] of gaps) {
        if (e <= from || s >= to) continue;
        add(at, s, 'map');
        add(s, e, 'gap', gapHeight);
        at = e;
      }
      add(at, to, 'map');
    };
    half(lower[0], lower[1]);
    add(lower[1], upper[0], 'hole', holeHeight);
    half(upper[0], upper[1]);
    this.total = d;
  }

  /**
   * The compact layout: what some column maps stays to scale, every
   * unmapped stretch between is drawn one page tall (so ESPfix's 65,000
   * pages, one every 64 KiB, take 65,000 pages and as many separators, not
   * 4 GiB), and the hole between the halves a fortieth of the rest.
   * `present`: each column's present ranges, sorted. A stretch is cut at
   * each of `markers` so that markers never share a place.
   */
  static compact(
    lower: [number, number],
    upper: [number, number],
    pageSize: number,
    present: readonly (readonly [number, number][])[],
    markers: readonly number[],
  ): Axis {
    const union = present.reduce<[number, number][]>((u, spans) => unite(u, spans), []);
    const gaps: [number, number][] = [];
    let shown = 0;
    for (const [from, to] of [lower, upper]) {
      let at = from;
      for (const [s, e] of union) {
        if (e <= from || s >= to) continue;
        if (Math.max(s, from) - at > pageSize) gaps.push([at, Math.max(s, from)]);
        shown += Math.min(e, to) - Math.max(s, from) + pageSize;
        at = Math.max(at, Math.min(e, to));
      }
      if (to - at > pageSize) gaps.push([at, to]);
    }
    const cuts = [...new Set(markers)].sort((a, b) => a - b);
    const pieces: [number, number][] = [];
    let k = 0;
    for (const [s, e] of gaps) {
      let at = s;
      while (k < cuts.length && cuts[k] <= at) k++;
      for (; k < cuts.length && cuts[k] < e; k++) {
        pieces.push([at, cuts[k]]);
        at = cuts[k];
      }
      pieces.push([at, e]);
    }
    return new Axis(lower, upper, pageSize, pieces, pageSize, Math.max(pageSize, pow2(shown / 40)));
  }

  /** The segment holding display position d (clamped to the map). */
  segmentAtDisplay(d: number): Segment {
    return this.segments[this.segmentIndexAt(d)];
  }

  /** Index of the segment holding display position d (clamped to the map). */
  segmentIndexAt(d: number): number {
    return this.search((s) => s.d + s.h > d);
  }

  /** Display position of an address (one inside a collapsed segment lands in its band, in proportion). */
  toDisplay(addr: number): number {
    const s = this.segments[this.search((x) => x.end > addr)];
    const off = Math.min(Math.max(addr - s.addr, 0), s.end - s.addr);
    return s.kind !== 'map' ? s.d + (off / (s.end - s.addr)) * s.h : s.d + off;
  }

  /** The page-aligned address at a display position, or null in a collapsed segment or off the map. */
  toAddress(d: number): number | null {
    if (d < 0 || d >= this.total) return null;
    const s = this.segmentAtDisplay(d);
    if (s.kind !== 'map') return null;
    return s.addr + Math.floor((d - s.d) / this.pageSize) * this.pageSize;
  }

  /**
   * Tick addresses for the view [top, bottom) in display units, at most
   * every `minGap` units: powers of two, counted from each segment's start.
   */
  ticks(top: number, bottom: number, minGap: number): { d: number; addr: number }[] {
    const step = 2 ** Math.ceil(Math.log2(Math.max(minGap, this.pageSize)));
    const out: { d: number; addr: number }[] = [];
    for (let k = this.segmentIndexAt(top); k < this.segments.length && this.segments[k].d < bottom && out.length < 400; k++) {
      const s = this.segments[k];
      if (s.kind !== 'map') continue;
      const from = s.addr + Math.max(0, top - s.d);
      for (let a = Math.ceil(from / step) * step; a < s.end && out.length < 400; a += step) {
        const d = s.d + (a - s.addr);
        if (d >= bottom) break;
        if (out.length > 0 && d - out[out.length - 1].d < minGap) continue;
        out.push({ d, addr: a });
      }
    }
    return out;
  }

  /** Index of the first segment for which `past` holds (segments are sorted), or of the last one. */
  private search(past: (s: Segment) => boolean): number {
    return Math.min(firstWhere(0, this.segments.length, (i) => past(this.segments[i])), this.segments.length - 1);
  }
}

/** The union of two sorted lists of disjoint [start, end) spans, sorted, touching spans merged. */
function unite(a: readonly [number, number][], b: readonly [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && a[i][0] <= b[j][0]) ? a[i++] : b[j++];
    const last = out[out.length - 1];
    if (last !== undefined && next[0] <= last[1]) last[1] = Math.max(last[1], next[1]);
    else out.push([next[0], next[1]]);
  }
  return out;
}
