import { PagewalkError, hex } from '../errors.js';
import type { ModeGeometry } from './types.js';

/**
 * Virtual addresses are numbers holding the unsigned 64-bit value
 * (DESIGN.md, "Addresses"): every page-aligned address below 2^64, and 2^64
 * itself, is exact in a double, so range arithmetic divides and multiplies
 * by powers of two and never uses bit operators.
 */

export const TWO64 = 2 ** 64;

/** Which part of the address space a root translates. */
export type VaSpan = 'both' | 'lower' | 'upper';

/** [start, end) of the lower canonical half. */
export function lowerHalfEnd(geo: ModeGeometry): number {
  return geo.roots === 'shared' ? 2 ** (geo.vaBits - 1) : 2 ** geo.vaBits;
}

/** Start of the upper half a root translates. */
export function upperHalfStart(geo: ModeGeometry): number {
  return geo.upperStart ?? TWO64 - lowerHalfEnd(geo);
}

/** End (exclusive) of the upper half a root translates: 2^64, or less where the kernel half is placed (loongarch). */
export function upperHalfEnd(geo: ModeGeometry): number {
  return geo.upperStart === undefined ? TWO64 : geo.upperStart + lowerHalfEnd(geo);
}

/** Index of `va` in the table that starts at depth d. */
export function tableIndex(geo: ModeGeometry, d: number, va: number): number {
  return Math.floor(va / 2 ** geo.shift[d]) % geo.entries[d];
}

/** True when `va` is canonical for the mode and inside `span`. */
export function vaInSpan(geo: ModeGeometry, span: VaSpan, va: number): boolean {
  if (!(va >= 0 && va < TWO64)) return false;
  if (va < lowerHalfEnd(geo)) return span !== 'upper';
  if (va >= upperHalfStart(geo) && va < upperHalfEnd(geo)) return span !== 'lower';
  return false;
}

/** The register that holds a root of each half, per arch with split roots (for messages). */
const SPLIT_ROOT_NAMES: Record<string, { user: string; kernel: string }> = {
  arm64: { user: 'TTBR0', kernel: 'TTBR1' },
  loongarch64: { user: 'PGDL', kernel: 'PGDH' },
};

/**
 * Human description of the valid ranges, for error messages. For a split
 * root it also says how to reach the other half: an address space
 * translates one half, and people pass a TTBR0 where a TTBR1 was expected.
 */
export function describeSpan(geo: ModeGeometry, span: VaSpan): string {
  const lower = `[0x0, ${hex(lowerHalfEnd(geo))})`;
  const upper = `[${hex(upperHalfStart(geo))}, ${hex(upperHalfEnd(geo))})`;
  const name = `${geo.arch} ${geo.mode}`;
  const regs = SPLIT_ROOT_NAMES[geo.arch] ?? { user: 'user root', kernel: 'kernel root' };
  if (span === 'lower') {
    return `${lower} (the user half of ${name}, which a ${regs.user} root translates; for the kernel half ${upper} open the ${regs.kernel} root as a kernel address space: machine.openMm(root) / without --user)`;
  }
  if (span === 'upper') {
    return `${upper} (the kernel half of ${name}, which a ${regs.kernel} root translates; for the user half ${lower} open the ${regs.user} root as a user address space: machine.openMm(root, 'user') / --user)`;
  }
  return `${lower} or ${upper} (the canonical halves of ${name})`;
}

/**
 * A `number` holds the caller's address exactly only if it is a safe
 * integer or, above 2^53, a multiple of the page size (every page-aligned
 * address below 2^64 is a double). Anything else was rounded before pagewalk
 * saw it (0xffff888000123456 arrives as ...123400): refuse it rather than
 * answer for an address the caller did not write.
 */
function checkExactNumber(value: number, what: string, pageBytes: number): void {
  if (!Number.isSafeInteger(value) && value % pageBytes !== 0) {
    throw new PagewalkError(
      'EINVAL',
      `${what} ${hex(value)} is not an exact number (above 2^53 a double holds only some integers, so the value was rounded ` +
        `before pagewalk saw it): pass a bigint, e.g. ${hex(value)}n written with the digits you meant`,
    );
  }
}

/**
 * Converts a caller's address (number or bigint) to the number form, for
 * APIs that take page-aligned addresses. Throws EINVAL naming the value.
 */
export function toAddress(value: number | bigint, what: string, pageBytes = 4096): number {
  if (typeof value === 'bigint') {
    if (value < 0n || value > 1n << 64n) throw new PagewalkError('EINVAL', `${what} ${hex(value)} is outside [0, 2^64]`);
    const n = Number(value);
    if (BigInt(n) !== value) {
      throw new PagewalkError('EINVAL', `${what} ${hex(value)} is not aligned to the ${pageBytes}-byte page size`);
    }
    return n;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > TWO64) {
    throw new PagewalkError('EINVAL', `${what} ${typeof value === 'number' ? String(value) : `(a ${typeof value})`} must be an integer address in [0, 2^64] (a number or a bigint)`);
  }
  checkExactNumber(value, what, pageBytes);
  return value;
}

/**
 * Splits an arbitrary 64-bit address into its page-aligned part (a number)
 * and the offset inside the page, for translate: 0xffff888000123456 is not
 * exact as a double, so it is taken as a bigint.
 */
export function splitAddress(value: number | bigint, pageShift: number, what = 'address'): { page: number; offset: number; full: bigint } {
  let full: bigint;
  if (typeof value === 'bigint') full = value;
  else if (typeof value === 'number' && Number.isInteger(value)) {
    checkExactNumber(value, what, 2 ** pageShift);
    full = BigInt(value);
  } else throw new PagewalkError('EINVAL', `${what} ${typeof value === 'number' ? String(value) : `(a ${typeof value})`} must be an integer or a bigint`);
  if (full < 0n || full >= 1n << 64n) throw new PagewalkError('EINVAL', `${what} ${hex(full)} is outside [0, 2^64)`);
  const mask = (1n << BigInt(pageShift)) - 1n;
  return { page: Number(full & ~mask), offset: Number(full & mask), full };
}
