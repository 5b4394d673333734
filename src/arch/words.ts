/**
 * 64-bit entries travel as two signed 32-bit halves (see types.ts). These
 * helpers move between that form, plain numbers and bigints. Splitting and
 * joining use multiplication and division by 2^32 because JS bit operators
 * only see 32 bits (DESIGN.md, "Addresses").
 */

export const TWO32 = 4294967296;

/** Low 32 bits of a non-negative integer number, as a signed int32. */
export function loWord(value: number): number {
  return (value % TWO32) | 0;
}

/** Bits 63..32 of a non-negative integer number below 2^64, as a signed int32. */
export function hiWord(value: number): number {
  return Math.floor(value / TWO32) | 0;
}

/** The unsigned value of two halves as a number (exact while it is below 2^53). */
export function joinWords(lo: number, hi: number): number {
  return (hi >>> 0) * TWO32 + (lo >>> 0);
}

export function wordsToBigInt(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export function bigIntLo(value: bigint): number {
  return Number(value & 0xffffffffn) | 0;
}

export function bigIntHi(value: bigint): number {
  return Number((value >> 32n) & 0xffffffffn) | 0;
}

/** True when bit `bit` (0..63) is set in (lo, hi). */
export function testBit(lo: number, hi: number, bit: number): boolean {
  return bit < 32 ? (lo & (1 << bit)) !== 0 : (hi & (1 << (bit - 32))) !== 0;
}
