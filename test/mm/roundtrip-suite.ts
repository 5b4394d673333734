/** One round-trip test per mode of the given arches (shared by the roundtrip-*.test.ts files, which vitest runs in parallel). */
import { describe, expect, it } from 'vitest';
import type { ArchName } from '../../src/arch/types.js';
import { modeName, testModes } from './harness.js';
import { STEER_AROUND_KNOWN_BUGS, runRoundTrip } from './roundtrip-driver.js';

/** Operations per address space; each machine has a kernel and a user one. */
export const OPS_PER_MM = 1000;

export function roundTripSuite(arches: readonly ArchName[], seedBase: number): void {
  const modes = testModes().filter((m) => arches.includes(m.arch));
  describe(`map/unmap/protect round trip against the leaf model (${arches.join(', ')})`, () => {
    if (modes.length === 0) it.skip(`no ${arches.join('/')} modes in the registry yet`, () => {});
    modes.forEach((mode, i) => {
      it(`${modeName(mode)}: ${2 * OPS_PER_MM} random operations, every leaf translated, tables back to baseline`, () => {
        const r = runRoundTrip(mode, { seed: seedBase + 7919 * i, opsPerMm: OPS_PER_MM, avoid: STEER_AROUND_KNOWN_BUGS });
        expect(r.problems).toEqual([]);
        // The generator must really exercise the code: plenty of successes and each kind of refusal.
        const ok = (prefix: string) =>
          Object.entries(r.counts)
            .filter(([k]) => k.startsWith(prefix) && k.endsWith(' ok'))
            .reduce((n, [, v]) => n + v, 0);
        expect(ok('map')).toBeGreaterThan(OPS_PER_MM / 5);
        expect(ok('unmap')).toBeGreaterThan(OPS_PER_MM / 5);
        expect(ok('protect')).toBeGreaterThan(OPS_PER_MM / 5);
        expect(Object.keys(r.counts).some((k) => k.endsWith('EEXIST'))).toBe(true);
        expect(Object.keys(r.counts).some((k) => k.endsWith('ENOENT'))).toBe(true);
        expect(r.leavesChecked).toBeGreaterThan(0);
      }, 60_000);
    });
  });
}
