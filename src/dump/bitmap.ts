/**
 * A kdump bitmap (bit p = `(byte[p >> 3] >> (p & 7)) & 1`, as makedumpfile
 * writes it on every machine) with prefix counts, so that the rank of a bit
 * (how many bits are set below it) costs at most one section's popcount:
 * crash keeps the count of dumpable pages before every 4,096 pfns
 * (diskdump.c, BITMAP_SECT_LEN, valid_pages[]) for the same purpose.
 */

/** Bits per prefix-count section (crash's BITMAP_SECT_LEN). */
const SECTION = 4096;
const SECTION_WORDS = SECTION / 32;

function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

export class RankedBitmap {
  /** Bits the bitmap holds; bits at and beyond read as clear. */
  readonly bits: number;
  private readonly words: Int32Array;
  /** prefix[s] = set bits in [0, s * SECTION). */
  private readonly prefix: Float64Array;

  /** Only the first ceil(bits / 8) bytes of `bytes` count; they are copied unless `adopt` says the caller gives them up. */
  constructor(bytes: Uint8Array, bits: number, adopt = false) {
    this.bits = Math.min(bits, bytes.length * 8);
    const nwords = Math.ceil(this.bits / 32);
    let own: Uint8Array;
    if (adopt && bytes.byteOffset % 4 === 0 && bytes.length >= nwords * 4) own = bytes;
    else {
      own = new Uint8Array(nwords * 4);
      own.set(bytes.subarray(0, Math.ceil(this.bits / 8)));
    }
    this.words = new Int32Array(own.buffer, own.byteOffset, nwords);
    // Little-endian words: bit p is bit (p & 31) of word p >> 5, as in the file's byte order.
    const tail = this.bits % 32;
    if (tail !== 0) this.words[nwords - 1] &= (1 << tail) - 1;
    const sections = Math.ceil(this.bits / SECTION);
    this.prefix = new Float64Array(sections + 1);
    let total = 0;
    for (let s = 0; s < sections; s++) {
      this.prefix[s] = total;
      const end = Math.min(nwords, (s + 1) * SECTION_WORDS);
      for (let w = s * SECTION_WORDS; w < end; w++) total += popcount32(this.words[w]);
    }
    this.prefix[sections] = total;
  }

  /** Set bits in the whole bitmap. */
  get count(): number {
    return this.prefix[this.prefix.length - 1];
  }

  test(bit: number): boolean {
    if (bit < 0 || bit >= this.bits) return false;
    return ((this.words[Math.floor(bit / 32)] >>> bit % 32) & 1) !== 0;
  }

  /** Set bits in [0, bit). */
  rank(bit: number): number {
    if (bit <= 0) return 0;
    if (bit >= this.bits) return this.count;
    const s = Math.floor(bit / SECTION);
    let n = this.prefix[s];
    const w = Math.floor(bit / 32);
    for (let i = s * SECTION_WORDS; i < w; i++) n += popcount32(this.words[i]);
    const part = bit % 32;
    if (part !== 0) n += popcount32(this.words[w] & ((1 << part) - 1));
    return n;
  }

  /** Set bits in [start, end). */
  countRange(start: number, end: number): number {
    return end <= start ? 0 : this.rank(end) - this.rank(start);
  }

  /** The first set bit at or after `bit`, or -1. */
  nextSet(bit: number): number {
    let b = Math.max(0, bit);
    while (b < this.bits) {
      const w = this.words[Math.floor(b / 32)] >>> b % 32;
      if (w !== 0) {
        const r = b + (31 - Math.clz32(w & -w));
        return r < this.bits ? r : -1;
      }
      b = (Math.floor(b / 32) + 1) * 32;
    }
    return -1;
  }
}
