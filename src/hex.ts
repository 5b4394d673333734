/**
 * The two ways page-table addresses are printed: `hex16` for pagewalk's own
 * output (0x + 16 digits; 2^64, the end of the last range, keeps its 17th)
 * and `ulongHex` for the kernel's `%016lx` (an unsigned long: 2^64 wraps to 0).
 * Page-aligned addresses are exact as numbers, so toString(16) is exact.
 */
export function hex16(value: number | bigint): string {
  return '0x' + value.toString(16).padStart(16, '0');
}

/** `%016lx` of an unsigned long: 16 digits, no prefix, 2^64 printed as 0. */
export function ulongHex(value: number): string {
  return (value >= 2 ** 64 ? value - 2 ** 64 : value).toString(16).padStart(16, '0');
}
