/**
 * inflateZlib / inflateRaw / gunzip: what they refuse and why. Streams are
 * the real tools' vectors (test/fixtures/decompress) edited at a known
 * offset, or DEFLATE blocks assembled here bit by bit from RFC 1951; the
 * valid hand-assembled stream was checked with zlib 1.2.13
 * (`zlib.decompress(data, -15)` gives b"ababa").
 */
import { describe, expect, it } from 'vitest';
import { PagewalkError } from '../../src/errors.js';
import { gunzip } from '../../src/decompress/gunzip.js';
import { inflateRaw, inflateZlib } from '../../src/decompress/inflate.js';
import { expectCorrupt, expectedBytes, manifest, vectorBytes, type Vector } from './vectors.js';

function byFile(file: string): Vector {
  return manifest.vectors.find((x) => x.file === file)!;
}

/** A DEFLATE bit writer: fields least significant bit first, Huffman codes most significant first (RFC 1951 3.1.1). */
class Bits {
  private bits: number[] = [];
  field(value: number, n: number): this {
    for (let i = 0; i < n; i++) this.bits.push((value >>> i) & 1);
    return this;
  }
  code(code: number, n: number): this {
    for (let i = n - 1; i >= 0; i--) this.bits.push((code >>> i) & 1);
    return this;
  }
  /** A fixed-Huffman literal/length symbol (section 3.2.6). */
  fixedLit(sym: number): this {
    if (sym < 144) return this.code(0x30 + sym, 8);
    if (sym < 256) return this.code(0x190 + sym - 144, 9);
    if (sym < 280) return this.code(sym - 256, 7);
    return this.code(0xc0 + sym - 280, 8);
  }
  bytes(): Uint8Array {
    const out = new Uint8Array((this.bits.length + 7) >>> 3);
    this.bits.forEach((b, i) => (out[i >>> 3] |= b << (i & 7)));
    return out;
  }
}

/** BFINAL 1, BTYPE 01 (fixed Huffman). */
const fixedBlock = (): Bits => new Bits().field(1, 1).field(1, 2);

describe('inflateRaw on hand-assembled fixed-Huffman blocks', () => {
  it('"ab", then length 3 at distance 2, then end of block: "ababa" (as zlib 1.2.13 decodes it)', () => {
    const src = fixedBlock().fixedLit(0x61).fixedLit(0x62).fixedLit(257).code(1, 5).fixedLit(256).bytes();
    expect(Array.from(src)).toEqual([0x4b, 0x4c, 0x02, 0x42, 0x00]);
    const dst = new Uint8Array(5);
    expect(inflateRaw(src, dst, 'w')).toBe(5);
    expect(new TextDecoder().decode(dst)).toBe('ababa');
  });
  it('a distance reaching before the start of the output', () => {
    const src = fixedBlock().fixedLit(0x61).fixedLit(257).code(1, 5).fixedLit(256).bytes();
    expectCorrupt(() => inflateRaw(src, new Uint8Array(10), 'w'), 'w', /deflate: distance 2 reaches before the start of the output \(1 bytes written\)/);
  });
  it('literal/length symbols 286 and 287 and distance symbols 30 and 31 (codes in fixed blocks, not symbols)', () => {
    for (const sym of [286, 287]) {
      expectCorrupt(() => inflateRaw(fixedBlock().fixedLit(sym).fixedLit(256).bytes(), new Uint8Array(10), 'w'), 'w', new RegExp(`invalid literal/length symbol ${sym}`));
    }
    for (const d of [30, 31]) {
      const src = fixedBlock().fixedLit(0x61).fixedLit(257).code(d, 5).fixedLit(256).bytes();
      expectCorrupt(() => inflateRaw(src, new Uint8Array(10), 'w'), 'w', new RegExp(`invalid distance symbol ${d}`));
    }
  });
  it('block type 3 is reserved', () => {
    expectCorrupt(() => inflateRaw(new Bits().field(1, 1).field(3, 2).bytes(), new Uint8Array(1), 'w'), 'w', /block type 3/);
  });
  it('a stored block whose NLEN is not the complement of LEN', () => {
    const src = Uint8Array.of(0x01, 0x03, 0x00, 0xfc, 0xfe, 0x61, 0x62, 0x63); // NLEN 0xfefc, need 0xfffc
    expectCorrupt(() => inflateRaw(src, new Uint8Array(3), 'w'), 'w', /LEN 3 does not match NLEN/);
    const good = Uint8Array.of(0x01, 0x03, 0x00, 0xfc, 0xff, 0x61, 0x62, 0x63);
    expect(inflateRaw(good, new Uint8Array(3), 'w')).toBe(3);
  });
  it('a stored block longer than the input', () => {
    expectCorrupt(() => inflateRaw(Uint8Array.of(0x01, 0xff, 0xff, 0x00, 0x00, 0x61), new Uint8Array(70000), 'w'), 'w', /truncated/);
  });
  it('dynamic blocks: too many codes, over-subscribed code lengths, missing end-of-block', () => {
    // HLIT 30 (287 codes): more than 286.
    expectCorrupt(() => inflateRaw(new Bits().field(1, 1).field(2, 2).field(30, 5).field(0, 5).field(0, 4).field(0, 32).bytes(), new Uint8Array(1), 'w'), 'w', /287 literal\/length codes/);
    // HDIST 30 (31 codes): more than 30.
    expectCorrupt(() => inflateRaw(new Bits().field(1, 1).field(2, 2).field(0, 5).field(30, 5).field(0, 4).field(0, 32).bytes(), new Uint8Array(1), 'w'), 'w', /31 distance codes/);
    // Code length code: four codes of length 1 (16, 17, 18, 0) is over-subscribed.
    expectCorrupt(() => inflateRaw(new Bits().field(1, 1).field(2, 2).field(0, 5).field(0, 5).field(0, 4).field(1, 3).field(1, 3).field(1, 3).field(1, 3).field(0, 16).bytes(), new Uint8Array(1), 'w'), 'w', /over-subscribed code length code/);
    // Code length code: only "0" with length 1 is incomplete (not allowed for this code).
    expectCorrupt(() => inflateRaw(new Bits().field(1, 1).field(2, 2).field(0, 5).field(0, 5).field(0, 4).field(0, 3).field(0, 3).field(0, 3).field(1, 3).field(0, 16).bytes(), new Uint8Array(1), 'w'), 'w', /incomplete code length code/);
  });
  it('bytes after the end of the stream', () => {
    const src = fixedBlock().fixedLit(0x61).fixedLit(256).bytes();
    expect(inflateRaw(src, new Uint8Array(1), 'w')).toBe(1);
    expectCorrupt(() => inflateRaw(Uint8Array.of(...src, 0), new Uint8Array(1), 'w'), 'w', /1 bytes after the end of the stream/);
  });
});

describe('inflateZlib: the RFC 1950 container', () => {
  const v = byFile('zlib/runs.l9.zz');
  const src = vectorBytes(v);
  const want = expectedBytes(v);
  const edit = (at: number, value: number): Uint8Array => {
    const s = src.slice();
    s[at] = value;
    return s;
  };
  it('decodes the zlib 1.2.13 stream and returns its length', () => {
    const dst = new Uint8Array(want.length + 10);
    expect(inflateZlib(src, dst, 'w')).toBe(want.length);
    expect(Buffer.from(dst.subarray(0, want.length)).equals(Buffer.from(want))).toBe(true);
  });
  it('compression method other than 8', () => {
    expectCorrupt(() => inflateZlib(edit(0, 0x77), new Uint8Array(want.length), 'w'), 'w', /compression method 7/);
  });
  it('CINFO above 7', () => {
    // 0x88: CM 8, CINFO 8; FLG 0x1c makes the header check pass (0x881c = 31 * 1124).
    const s = edit(0, 0x88);
    s[1] = 0x1c;
    expectCorrupt(() => inflateZlib(s, new Uint8Array(want.length), 'w'), 'w', /CINFO 8 > 7/);
  });
  it('FCHECK: header not a multiple of 31', () => {
    expectCorrupt(() => inflateZlib(edit(1, src[1] ^ 1), new Uint8Array(want.length), 'w'), 'w', /fails its check/);
  });
  it('Adler-32 mismatch, missing Adler-32, trailing bytes', () => {
    expectCorrupt(() => inflateZlib(edit(src.length - 1, src[src.length - 1] ^ 0x80), new Uint8Array(want.length), 'w'), 'w', /Adler-32 mismatch/);
    expectCorrupt(() => inflateZlib(src.subarray(0, src.length - 4), new Uint8Array(want.length), 'w'), 'w', /Adler-32 .* is missing/);
    expectCorrupt(() => inflateZlib(Uint8Array.of(...src, 0), new Uint8Array(want.length), 'w'), 'w', /1 bytes after the end/);
  });
  it('empty and one-byte input', () => {
    expectCorrupt(() => inflateZlib(new Uint8Array(0), new Uint8Array(1), 'w'), 'w', /truncated/);
    expectCorrupt(() => inflateZlib(Uint8Array.of(0x78), new Uint8Array(1), 'w'), 'w', /truncated/);
  });
});

describe('gunzip', () => {
  const text = byFile('gzip/text.9n.gz');
  const multi = byFile('gzip/multi.gz');
  it('decodes gzip 1.12 members and returns exactly the output', () => {
    const out = gunzip(vectorBytes(multi), 1 << 20, 'w');
    expect(Buffer.from(out).equals(Buffer.from(expectedBytes(multi)))).toBe(true);
  });
  it('output over maxOutput: "exceeds the limit of N bytes", distinct from corrupt data', () => {
    const n = expectedBytes(text).length;
    expect(gunzip(vectorBytes(text), n, 'w').length).toBe(n);
    const err = expectCorrupt(() => gunzip(vectorBytes(text), n - 1, 'w'), 'w', new RegExp(`output exceeds the limit of ${n - 1} bytes`));
    expect(err.message).not.toMatch(/CRC|truncated/);
    expectCorrupt(() => gunzip(vectorBytes(multi), 1000, 'w'), 'w', /exceeds the limit of 1000 bytes/);
    // zeros-64k: 65536 bytes from ~100 compressed; a small limit stops it early.
    expectCorrupt(() => gunzip(vectorBytes(byFile('gzip/zeros-64k.9n.gz')), 4096, 'w'), 'w', /exceeds the limit of 4096 bytes/);
  });
  it('the result is not much larger than the output, even when ISIZE lies', () => {
    const src = vectorBytes(text).slice();
    const n = expectedBytes(text).length;
    expect(gunzip(src, 1 << 30, 'w').buffer.byteLength).toBe(n);
    // ISIZE claims 4 GiB - 1: the first buffer is bounded by what the input can expand to, and by the limit.
    src.set([0xff, 0xff, 0xff, 0xff], src.length - 4);
    expectCorrupt(() => gunzip(src, 1 << 30, 'w'), 'w', /ISIZE mismatch/);
  });
  it('not gzip, bad method, reserved flags, header CRC, data CRC, ISIZE', () => {
    const src = vectorBytes(byFile('gzip/runs.allflags.gz'));
    const n = expectedBytes(byFile('gzip/runs.allflags.gz')).length;
    const edit = (at: number, value: number): Uint8Array => {
      const s = src.slice();
      s[at] = value;
      return s;
    };
    expectCorrupt(() => gunzip(new Uint8Array(0), n, 'w'), 'w', /not gzip/);
    expectCorrupt(() => gunzip(Uint8Array.of(0x78, 0x9c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), n, 'w'), 'w', /not gzip/);
    expectCorrupt(() => gunzip(src.subarray(0, 5), n, 'w'), 'w', /truncated/);
    expectCorrupt(() => gunzip(edit(2, 7), n, 'w'), 'w', /compression method 7/);
    expectCorrupt(() => gunzip(edit(3, src[3] | 0x20), n, 'w'), 'w', /reserved flag bits/);
    // The header CRC is the two bytes before the deflate data: byte 10 + 2 + 9 (XLEN 9) + 9 + 10.
    const hcrc = 10 + 2 + 9 + 'runs.bin\0'.length + 'a comment\0'.length;
    expectCorrupt(() => gunzip(edit(hcrc, src[hcrc] ^ 1), n, 'w'), 'w', /header CRC/);
    expectCorrupt(() => gunzip(edit(src.length - 8, src[src.length - 8] ^ 1), n, 'w'), 'w', /CRC-32 mismatch in member 0/);
    expectCorrupt(() => gunzip(edit(src.length - 4, src[src.length - 4] ^ 1), n, 'w'), 'w', /ISIZE mismatch in member 0/);
  });
  it('zero padding after the last member is ignored (as gzip(1) does); other trailing bytes are refused', () => {
    const src = vectorBytes(text);
    const n = expectedBytes(text).length;
    expect(gunzip(Uint8Array.of(...src, 0, 0, 0, 0), n, 'w').length).toBe(n);
    expectCorrupt(() => gunzip(Uint8Array.of(...src, 0, 1), n, 'w'), 'w', /2 bytes of trailing garbage after member 0/);
  });
  it('a maxOutput that is not a non-negative integer is EINVAL', () => {
    for (const bad of [-1, 1.5, NaN]) {
      let err: unknown;
      try {
        gunzip(vectorBytes(text), bad, 'w');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PagewalkError);
      expect((err as PagewalkError).code).toBe('EINVAL');
    }
  });
});
