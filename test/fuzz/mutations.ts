/**
 * What the fuzz suites share: the mutations every input file gets
 * (truncation, bit flips in its first bytes) and the rule for an outcome
 * (success, or a PagewalkError's code; any other exception fails the test,
 * naming the case).
 */
import { PagewalkError } from '../../src/index.js';
import { below, type Rng } from '../support/rng.js';

/** The bytes cut at a random length. */
export function truncation(r: Rng, src: Uint8Array): { bytes: Uint8Array; what: string } {
  const n = below(r, src.length);
  return { bytes: src.slice(0, n), what: `truncated to ${n} bytes` };
}

/** A copy with 1 to 8 random bits flipped in its first `limit` bytes. */
export function bitFlips(r: Rng, src: Uint8Array, limit: number): { bytes: Uint8Array; what: string } {
  const bytes = src.slice();
  const n = 1 + below(r, 8);
  for (let i = 0; i < n; i++) bytes[below(r, Math.min(bytes.length, limit))] ^= 1 << below(r, 8);
  return { bytes, what: `${n} bit flips in the first ${limit} bytes` };
}

/** Runs `f`; returns 'ok' or the PagewalkError's code, failing the test on any other exception. */
export function outcome(f: () => void, context: string): string {
  try {
    f();
    return 'ok';
  } catch (e) {
    if (!(e instanceof PagewalkError)) throw new Error(`${context}: ${String(e)} (not a PagewalkError)\n${(e as Error).stack ?? ''}`);
    return e.code;
  }
}
