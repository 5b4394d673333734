/**
 * Binary search over sorted things: the first index in [lo, hi) at which
 * `past(i)` holds, given that it is false up to some index and true from
 * there on (hi when it never holds).
 */
export function firstWhere(lo: number, hi: number, past: (i: number) => boolean): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (past(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
