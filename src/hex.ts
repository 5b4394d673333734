/**
 * The two ways page-table addresses are printed: `hex16` for pagewalk's own
 * output (0x + 16 digits; 2^64, the end of the last range, keeps its 17th)
 * and `ulongHex` for the kernel's `%016lx` (an unsigned long: 2^64 wraps to 0).
 * Page-aligned addresses are exact as numbers.
 *
 * Both format a number as two 32-bit halves through a byte table: ptdump's
 * JSON prints four addresses per range, 131,335 ranges for a busy machine,
 * and `toString(16).padStart()` made that formatting 90% of the dump's time.
 */
const BYTE_HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const TWO32 = 2 ** 32;
const TWO64 = 2 ** 64;

/** 8 hex digits of a 32-bit unsigned value. */
function word(w: number): string {
  return BYTE_HEX[w >>> 24] + BYTE_HEX[(w >>> 16) & 0xff] + BYTE_HEX[(w >>> 8) & 0xff] + BYTE_HEX[w & 0xff];
}

/**
 * The high halves seen last (an address space has few: 0, 0xffff8880,
 * 0xffffffff...), so most addresses cost one word() and one concatenation.
 */
const HI_CACHE_SIZE = 64;
const hiKeys = new Float64Array(HI_CACHE_SIZE).fill(-1);
const hiText: string[] = new Array<string>(HI_CACHE_SIZE).fill('');

/** 16 hex digits of an integer number in [0, 2^64) (exact: both halves of an exact double are exact). */
function digits16(value: number): string {
  const hi = Math.floor(value / TWO32);
  const slot = (hi ^ (hi >>> 12)) & (HI_CACHE_SIZE - 1);
  let high: string;
  if (hiKeys[slot] === hi) high = hiText[slot];
  else {
    high = word(hi);
    hiKeys[slot] = hi;
    hiText[slot] = high;
  }
  return high + word(value - hi * TWO32);
}

export function hex16(value: number | bigint): string {
  if (typeof value === 'number' && value >= 0 && value < TWO64 && Number.isInteger(value)) return '0x' + digits16(value);
  return '0x' + value.toString(16).padStart(16, '0');
}

/** `%016lx` of an unsigned long: 16 digits, no prefix, 2^64 printed as 0. */
export function ulongHex(value: number): string {
  const v = value >= TWO64 ? value - TWO64 : value;
  return v >= 0 && v < TWO64 && Number.isInteger(v) ? digits16(v) : v.toString(16).padStart(16, '0');
}
