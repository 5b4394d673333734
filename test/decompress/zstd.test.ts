/**
 * decompressZstd: the predefined FSE tables against RFC 8878 Appendix A,
 * frames assembled by hand (each checked with the zstd 1.5.4 CLI, `zstd -d`),
 * and the real tools' vectors edited at known offsets.
 */
import { describe, expect, it } from 'vitest';
import { decompressZstd } from '../../src/decompress/zstd.js';
import { predefinedTables } from '../../src/decompress/zstd.js';
import type { FseTable } from '../../src/decompress/zstd-entropy.js';
import { expectCorrupt, expectedBytes, manifest, vectorBytes, type Vector } from './vectors.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/ /g, ''), 'hex'));
const ascii = (s: string): string => Buffer.from(s, 'latin1').toString('hex');

function byFile(file: string): Vector {
  return manifest.vectors.find((x) => x.file === file)!;
}

/** [symbol, Number_Of_Bits, Base] of every state, as RFC 8878 Appendix A lists them. */
const APPENDIX_A = {
  ll: [
    [0, 4, 0], [0, 4, 16], [1, 5, 32], [3, 5, 0], [4, 5, 0], [6, 5, 0], [7, 5, 0], [9, 5, 0],
    [10, 5, 0], [12, 5, 0], [14, 6, 0], [16, 5, 0], [18, 5, 0], [19, 5, 0], [21, 5, 0], [22, 5, 0],
    [24, 5, 0], [25, 5, 32], [26, 5, 0], [27, 6, 0], [29, 6, 0], [31, 6, 0], [0, 4, 32], [1, 4, 0],
    [2, 5, 0], [4, 5, 32], [5, 5, 0], [7, 5, 32], [8, 5, 0], [10, 5, 32], [11, 5, 0], [13, 6, 0],
    [16, 5, 32], [17, 5, 0], [19, 5, 32], [20, 5, 0], [22, 5, 32], [23, 5, 0], [25, 4, 0], [25, 4, 16],
    [26, 5, 32], [28, 6, 0], [30, 6, 0], [0, 4, 48], [1, 4, 16], [2, 5, 32], [3, 5, 32], [5, 5, 32],
    [6, 5, 32], [8, 5, 32], [9, 5, 32], [11, 5, 32], [12, 5, 32], [15, 6, 0], [17, 5, 32], [18, 5, 32],
    [20, 5, 32], [21, 5, 32], [23, 5, 32], [24, 5, 32], [35, 6, 0], [34, 6, 0], [33, 6, 0], [32, 6, 0],
  ],
  ml: [
    [0, 6, 0], [1, 4, 0], [2, 5, 32], [3, 5, 0], [5, 5, 0], [6, 5, 0], [8, 5, 0], [10, 6, 0],
    [13, 6, 0], [16, 6, 0], [19, 6, 0], [22, 6, 0], [25, 6, 0], [28, 6, 0], [31, 6, 0], [33, 6, 0],
    [35, 6, 0], [37, 6, 0], [39, 6, 0], [41, 6, 0], [43, 6, 0], [45, 6, 0], [1, 4, 16], [2, 4, 0],
    [3, 5, 32], [4, 5, 0], [6, 5, 32], [7, 5, 0], [9, 6, 0], [12, 6, 0], [15, 6, 0], [18, 6, 0],
    [21, 6, 0], [24, 6, 0], [27, 6, 0], [30, 6, 0], [32, 6, 0], [34, 6, 0], [36, 6, 0], [38, 6, 0],
    [40, 6, 0], [42, 6, 0], [44, 6, 0], [1, 4, 32], [1, 4, 48], [2, 4, 16], [4, 5, 32], [5, 5, 32],
    [7, 5, 32], [8, 5, 32], [11, 6, 0], [14, 6, 0], [17, 6, 0], [20, 6, 0], [23, 6, 0], [26, 6, 0],
    [29, 6, 0], [52, 6, 0], [51, 6, 0], [50, 6, 0], [49, 6, 0], [48, 6, 0], [47, 6, 0], [46, 6, 0],
  ],
  of: [
    [0, 5, 0], [6, 4, 0], [9, 5, 0], [15, 5, 0], [21, 5, 0], [3, 5, 0], [7, 4, 0], [12, 5, 0],
    [18, 5, 0], [23, 5, 0], [5, 5, 0], [8, 4, 0], [14, 5, 0], [20, 5, 0], [2, 5, 0], [7, 4, 16],
    [11, 5, 0], [17, 5, 0], [22, 5, 0], [4, 5, 0], [8, 4, 16], [13, 5, 0], [19, 5, 0], [1, 5, 0],
    [6, 4, 16], [10, 5, 0], [16, 5, 0], [28, 5, 0], [27, 5, 0], [26, 5, 0], [25, 5, 0], [24, 5, 0],
  ],
};

function rows(t: FseTable): number[][] {
  return Array.from(t.cells.subarray(0, 1 << t.log), (c) => [c & 0xff, (c >>> 8) & 0xff, c >>> 16]);
}

describe('predefined FSE tables', () => {
  it('equal RFC 8878 Appendix A (literals lengths, match lengths, offsets)', () => {
    const t = predefinedTables();
    expect(t.ll.log).toBe(6);
    expect(t.ml.log).toBe(6);
    expect(t.of.log).toBe(5);
    expect(rows(t.ll)).toEqual(APPENDIX_A.ll);
    expect(rows(t.ml)).toEqual(APPENDIX_A.ml);
    expect(rows(t.of)).toEqual(APPENDIX_A.of);
  });
});

/*
 * A frame with a 1 KiB window (FHD 00, Window_Descriptor 00) and one compressed block: raw literals,
 * one sequence with RLE tables (modes 0x54) for literals length code LL, offset code 3 and match
 * length code 0 (3 bytes), and a one-byte bitstream 0x08 holding the offset's 3 extra bits (0):
 * Offset_Value 8, offset 5.
 */
function handFrame(literals: string, ll: number): Uint8Array {
  const block = `${(literals.length << 3).toString(16).padStart(2, '0')}${ascii(literals)} 01 54 ${ll.toString(16).padStart(2, '0')} 03 00 08`.replace(/ /g, '');
  const size = block.length / 2;
  const bh = (size << 3) | (2 << 1) | 1;
  return hex(`28b52ffd 00 00 ${(bh & 0xff).toString(16).padStart(2, '0')}${(bh >>> 8).toString(16).padStart(2, '0')}00 ${block}`);
}

describe('hand-assembled frames (checked with zstd 1.5.4 -d)', () => {
  it('literals "abcde", then 3 bytes from 5 back: "abcdeabc" (zstd -d gives the same)', () => {
    const src = handFrame('abcde', 5);
    expect(Buffer.from(src).toString('hex')).toBe('28b52ffd000065000028616263646501540503000' + '8');
    const dst = new Uint8Array(8);
    expect(decompressZstd(src, dst, 'w')).toBe(8);
    expect(new TextDecoder().decode(dst)).toBe('abcdeabc');
  });
  it('literals "ab", then 3 bytes from 5 back: before the start of the frame (zstd -d: "Data corruption detected")', () => {
    expectCorrupt(() => decompressZstd(handFrame('ab', 2), new Uint8Array(8), 'w'), 'w', /zstd: sequence at input offset \d+: offset 5 reaches before the start of the frame \(2 bytes written\)/);
  });
  it('a compressed block larger than Block_Maximum_Size (single segment, content size 8: a 12-byte block; zstd -d refuses it too)', () => {
    const src = handFrame('abcde', 5);
    const single = hex('28b52ffd 20 08 ' + Buffer.from(src.subarray(6)).toString('hex'));
    expectCorrupt(() => decompressZstd(single, new Uint8Array(8), 'w'), 'w', /size 12 exceeds the frame's maximum block size 8/);
  });
  it('literals length code past the literals: more literals than the block has', () => {
    expectCorrupt(() => decompressZstd(handFrame('abcde', 6), new Uint8Array(16), 'w'), 'w', /use more literals than the block's 5/);
  });
  it('an RLE symbol beyond its alphabet', () => {
    expectCorrupt(() => decompressZstd(handFrame('abcde', 36), new Uint8Array(16), 'w'), 'w', /literals lengths RLE symbol 36 .* exceeds 35/);
  });
});

describe('frame and block headers', () => {
  const v = byFile('zstd/runs.1.zst');
  const src = vectorBytes(v);
  const n = expectedBytes(v).length;
  const edit = (at: number, value: number): Uint8Array => {
    const s = src.slice();
    s[at] = value;
    return s;
  };
  it('not a zstd frame, empty input', () => {
    expectCorrupt(() => decompressZstd(edit(0, 0x29), new Uint8Array(n), 'w'), 'w', /not a zstd frame at input offset 0 \(magic 0xfd2fb529/);
    expectCorrupt(() => decompressZstd(new Uint8Array(0), new Uint8Array(n), 'w'), 'w', /empty input/);
    expectCorrupt(() => decompressZstd(src.subarray(0, 3), new Uint8Array(n), 'w'), 'w', /truncated/);
  });
  it('the reserved bit of the frame header descriptor', () => {
    expectCorrupt(() => decompressZstd(edit(4, src[4] | 8), new Uint8Array(n), 'w'), 'w', /reserved bit/);
  });
  it('reserved block type', () => {
    // The first block header follows magic (4), descriptor (1) and the 2-byte content size of this frame.
    expect(src[4] & 0xe0).toBe(0x60);
    expectCorrupt(() => decompressZstd(edit(7, src[7] | 6), new Uint8Array(n), 'w'), 'w', /reserved block type/);
  });
  it('content larger than the destination is refused from the header', () => {
    expectCorrupt(() => decompressZstd(src, new Uint8Array(n - 1), 'w'), 'w', new RegExp(`declares ${n} bytes of content`));
  });
  it('Frame_Content_Size that the blocks do not give', () => {
    // 2-byte FCS, little-endian, + 256. One less: single segment, so the window (and the block limit) shrinks too.
    const less = src.slice();
    less[5] -= 1;
    expectCorrupt(() => decompressZstd(less, new Uint8Array(n), 'w'), 'w', new RegExp(`more than (its declared|the maximum block size) ${n - 1}`));
    const more = src.slice();
    more[5] += 1;
    expectCorrupt(() => decompressZstd(more, new Uint8Array(n + 1), 'w'), 'w', new RegExp(`declares ${n + 1} bytes of content, its blocks give ${n}`));
  });
  it('content checksum mismatch', () => {
    expect(src[4] & 4).toBe(4);
    expectCorrupt(() => decompressZstd(edit(src.length - 1, src[src.length - 1] ^ 1), new Uint8Array(n), 'w'), 'w', /content checksum 0x[0-9a-f]+ does not match/);
  });
  it('a skippable frame whose size runs past the input', () => {
    expectCorrupt(() => decompressZstd(hex('532a4d18 05000000 6865'), new Uint8Array(0), 'w'), 'w', /skippable frame at input offset 0 declares 5 bytes, 2 follow/);
    expect(decompressZstd(hex('532a4d18 02000000 6865'), new Uint8Array(0), 'w')).toBe(0);
  });
  it('a frame that needs a dictionary (zstd -D output)', () => {
    const d = byFile('zstd/text.dict.zst');
    expectCorrupt(() => decompressZstd(vectorBytes(d), new Uint8Array(d.expect_size!), 'w'), 'w', /needs dictionary \d+; dictionaries are not supported/);
  });
});
