/**
 * The LZ77 back-reference copy all four decoders share, for long matches:
 * `len` bytes from `offset` bytes back, where the source may overlap the
 * bytes being written (offset < len repeats the last `offset` bytes).
 * Short matches are faster as the callers' inline byte loops.
 */

/** Copies dst[op - offset, ...) to dst[op, op + len); the caller has checked both ranges. */
export function copyMatch(dst: Uint8Array, op: number, offset: number, len: number): void {
  const from = op - offset;
  if (offset >= len) {
    dst.copyWithin(op, from, from + len);
  } else if (offset === 1) {
    dst.fill(dst[from], op, op + len);
  } else {
    // A run with period `offset`: copy what is there, then twice as much, and so on.
    const end = op + len;
    while (op < end) {
      const n = Math.min(op - from, end - op);
      dst.copyWithin(op, from, from + n);
      op += n;
    }
  }
}
