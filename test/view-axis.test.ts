/**
 * The view's axis (src/view/page/axis.ts) on the Debian fixture's 131,335
 * ranges: positions keep address order, a page-aligned address comes back
 * from its position exactly (the click-to-translate path), the hole and,
 * in the compact layout, the stretches nothing maps take no more than
 * their fixed height, and what is mapped stays to scale.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import type { RangeJson } from '../src/view/data.js';
import { Axis } from '../src/view/page/axis.js';
import { FIXTURES } from './support/fixtures.js';

const TWO64 = 2 ** 64;
const LOWER: [number, number] = [0, 2 ** 47]; // x86-64 4-level, Documentation/x86/x86_64/mm.rst
const UPPER: [number, number] = [TWO64 - 2 ** 47, TWO64];

let out = '';
main(['ptdump', '--format', 'json', '--root', '0x6330000', FIXTURES + 'x86-64-4level/tables.elf.gz'], { stdout: (c) => void (out += c), stderr: () => {} });
const ranges = out.trim().split('\n').map((l) => JSON.parse(l) as RangeJson);
const present = ranges.filter((r) => r.present).map((r) => [Number(r.start), Number(r.start) + Number(r.size)] as [number, number]);

describe.each([
  ['linear', new Axis(LOWER, UPPER, 4096)],
  ['compact', Axis.compact(LOWER, UPPER, 4096, [present], [])],
])('the %s axis', (name, axis) => {
  it('keeps address order and gives back every canonical range start from its position', () => {
    const wrong: string[] = [];
    let last = -1;
    let back = 0;
    for (const r of ranges) {
      const a = Number(r.start);
      const d = axis.toDisplay(a);
      if (d < last) wrong.push(`${r.start} placed above the range before it`);
      last = d;
      if (axis.segmentAtDisplay(d).kind !== 'map') continue; // a start in a collapsed stretch has no position of its own
      back++;
      if (axis.toAddress(d) !== a) wrong.push(`${r.start} comes back as ${axis.toAddress(d)?.toString(16)}`);
    }
    expect(wrong).toEqual([]);
    expect(back).toBeGreaterThan(65000); // at least every present range's start
  });

  it('draws what is mapped to scale', () => {
    expect(present.filter(([s, e]) => axis.toDisplay(e) - axis.toDisplay(s) !== e - s)).toEqual([]);
  });

  it('collapses the non-canonical hole', () => {
    const hole = axis.segments.filter((s) => s.kind === 'hole');
    expect(hole.map((s) => [s.addr, s.end])).toEqual([[LOWER[1], UPPER[0]]]);
    expect(hole[0].h).toBeLessThan(axis.total / 10);
    if (name === 'linear') expect(axis.total).toBe(2 ** 48 + hole[0].h);
  });
});

it('compact: every stretch no range maps is one page tall, so the map is as tall as what is mapped, plus a page per gap and the hole', () => {
  const axis = Axis.compact(LOWER, UPPER, 4096, [present], []);
  const gaps = axis.segments.filter((s) => s.kind === 'gap');
  expect(gaps.every((g) => g.h === 4096)).toBe(true);
  const mapped = axis.segments.filter((s) => s.kind === 'map').reduce((n, s) => n + s.h, 0);
  const hole = axis.segments.find((s) => s.kind === 'hole')!.h;
  expect(axis.total).toBe(mapped + gaps.length * 4096 + hole);
  // Nothing present is collapsed.
  expect(present.filter(([s]) => axis.segmentAtDisplay(axis.toDisplay(s)).kind !== 'map')).toEqual([]);
});
