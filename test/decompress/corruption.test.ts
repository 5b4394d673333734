/**
 * Damaged input never crashes, hangs or writes out of bounds: every decoder
 * either returns the right length or throws PagewalkError('EBADIMAGE') whose
 * message starts with the caller's `where`. The streams damaged here are the
 * real tools' vectors (test/fixtures/decompress, see its README.md): the real
 * makedumpfile pages and small tool outputs.
 */
import { describe, expect, it } from 'vitest';
import { PagewalkError } from '../../src/errors.js';
import { decompressPage, gunzip } from '../../src/decompress/index.js';
import { DECODERS, expectCorrupt, expectedBytes, manifest, prng, vectorBytes, type Vector, type VectorCodec } from './vectors.js';


/** Decodes into a buffer of exactly the expected size and insists on that size, as decompressPage does. */
function decodeExact(codec: VectorCodec, src: Uint8Array, size: number, where: string): Uint8Array {
  if (codec === 'gzip') {
    const out = gunzip(src, size, where);
    if (out.length !== size) throw new PagewalkError('EBADIMAGE', `${where}: short (${out.length} of ${size})`);
    return out;
  }
  const dst = new Uint8Array(size);
  const n = DECODERS[codec](src, dst, where);
  if (n !== size) throw new PagewalkError('EBADIMAGE', `${where}: short (${n} of ${size})`);
  return dst;
}

function byFile(file: string): Vector {
  const v = manifest.vectors.find((x) => x.file === file);
  if (!v) throw new Error(`no vector ${file}`);
  return v;
}

/** One real makedumpfile page per codec (the first, pfn 0x2a10: init_top_pgt), and small tool outputs. */
function realPage(codec: 'zlib' | 'lzo' | 'snappy' | 'zstd', pa = '0x2a10000'): Vector {
  const v = manifest.vectors.find((x) => x.codec === codec && x.file.startsWith('makedumpfile/') && x.pa === pa);
  if (!v) throw new Error(`no ${codec} page ${pa}`);
  return v;
}

const SAMPLES: Record<VectorCodec, Vector[]> = {
  zlib: [realPage('zlib'), realPage('zlib', '0x6330000'), byFile('zlib/runs.fixed.zz'), byFile('zlib/random.l1.zz'), byFile('zlib/empty.l9.zz')],
  deflate: [byFile('deflate/runs.raw9.deflate'), byFile('deflate/text.raw9.deflate')],
  gzip: [byFile('gzip/text.9n.gz'), byFile('gzip/runs.allflags.gz'), byFile('gzip/empty.9n.gz')],
  lzo: [realPage('lzo'), realPage('lzo', '0x6330000'), byFile('lzo/runs.1x999.lzo'), byFile('lzo/lzo-m1.1x999.lzo'), byFile('lzo/empty.1x1.lzo')],
  snappy: [realPage('snappy'), realPage('snappy', '0x6330000'), byFile('snappy/handmade.snappy'), byFile('snappy/runs.snappy'), byFile('snappy/empty.snappy')],
  zstd: [realPage('zstd'), realPage('zstd', '0x6330000'), byFile('zstd/runs.1.zst'), byFile('zstd/hex.1.zst'), byFile('zstd/small-alphabet-19.zst'), byFile('zstd/runs.skippable.zst'), byFile('zstd/empty.1.zst')],
};

const CODECS = Object.keys(SAMPLES) as VectorCodec[];

describe.each(CODECS)('%s: truncated at every position', (codec) => {
  // (Without runs.skippable.zst: cut before its last, empty skippable frame it is complete and valid.)
  it.each(SAMPLES[codec].filter((v) => !v.file.includes('skippable')).map((v) => [v.file + (v.pa ? ' ' + v.pa : ''), v] as const))('%s', (_, v) => {
    const src = vectorBytes(v);
    for (let len = 0; len < src.length; len++) {
      expectCorrupt(() => decodeExact(codec, src.subarray(0, len), v.expect_size!, `cut at ${len}`), `cut at ${len}`);
    }
  });
});

describe.each(CODECS)('%s: every single bit flipped', (codec) => {
  it.each(SAMPLES[codec].filter((v) => v.size <= 3000).map((v) => [v.file + (v.pa ? ' ' + v.pa : ''), v] as const))('%s', (_, v) => {
    const src = vectorBytes(v).slice();
    const want = expectedBytes(v);
    // Checksummed streams that still decode must decode to the right bytes (a flip in padding bits is harmless).
    const checked = codec === 'zlib' || codec === 'gzip' || (codec === 'zstd' && (src[4] & 4) !== 0);
    for (let bit = 0; bit < src.length * 8; bit++) {
      src[bit >>> 3] ^= 1 << (bit & 7);
      const where = `bit ${bit}`;
      try {
        const out = decodeExact(codec, src, want.length, where);
        expect(out.length).toBe(want.length);
        if (checked) expect(Buffer.from(out).equals(Buffer.from(want))).toBe(true);
      } catch (e) {
        expectCorrupt(() => {
          throw e;
        }, where);
      }
      src[bit >>> 3] ^= 1 << (bit & 7);
    }
  });
});

describe.each(CODECS)('%s: wrong destination size', (codec) => {
  it.each(SAMPLES[codec].filter((v) => v.expect_size! > 0).map((v) => [v.file + (v.pa ? ' ' + v.pa : ''), v] as const))('%s', (_, v) => {
    const src = vectorBytes(v);
    // One byte short: refused, naming the destination; one byte more: a short result, refused by the exact check.
    const short = expectCorrupt(() => decodeExact(codec, src, v.expect_size! - 1, 'small'), 'small');
    expect(short.message).toMatch(/exceed|declares|limit/);
    expectCorrupt(() => decodeExact(codec, src, v.expect_size! + 1, 'large'), 'large');
    if (codec !== 'gzip') expectCorrupt(() => DECODERS[codec](src, new Uint8Array(0), 'none'), 'none');
  });
});

/**
 * Random damage, reproducible from the seed: 1-4 of flip a bit, set a byte,
 * insert a byte, delete a byte, duplicate or drop a run, cut the tail.
 */
function mutate(src: Uint8Array, rand: () => number): Uint8Array {
  let b = Array.from(src);
  const ops = 1 + Math.floor(rand() * 4);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(rand() * (b.length + 1));
    switch (Math.floor(rand() * 7)) {
      case 0:
      case 1:
        if (b.length) b[at % b.length] ^= 1 << Math.floor(rand() * 8);
        break;
      case 2:
        if (b.length) b[at % b.length] = Math.floor(rand() * 256);
        break;
      case 3:
        b.splice(at, 0, Math.floor(rand() * 256));
        break;
      case 4:
        b.splice(at, 1);
        break;
      case 5: {
        const n = Math.floor(rand() * 16);
        b.splice(at, 0, ...b.slice(at, at + n));
        break;
      }
      default:
        b = b.slice(0, at);
    }
  }
  return Uint8Array.from(b);
}

const MUTATIONS = 3000;

describe.each(CODECS)('%s: seeded random mutations', (codec) => {
  it(`${MUTATIONS} mutations of its samples: the right length or EBADIMAGE naming where`, { timeout: 30000 }, () => {
    const rand = prng(0x5eed + codec.length * 7919 + codec.charCodeAt(0));
    const samples = SAMPLES[codec].filter((v) => v.size > 0);
    const sources = samples.map((v) => vectorBytes(v));
    const t0 = performance.now();
    let refused = 0;
    for (let i = 0; i < MUTATIONS; i++) {
      const k = i % samples.length;
      const src = mutate(sources[k], rand);
      const where = `mutation ${i} of ${samples[k].file}`;
      try {
        const out = decodeExact(codec, src, samples[k].expect_size!, where);
        expect(out.length).toBe(samples[k].expect_size);
      } catch (e) {
        expectCorrupt(() => {
          throw e;
        }, where);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(MUTATIONS / 2);
    expect(performance.now() - t0).toBeLessThan(20000);
  });
});

describe('decompressPage on damaged real pages', () => {
  it.each(['zlib', 'lzo', 'snappy', 'zstd'] as const)('%s: the message starts with where, e.g. the page and file offset', (codec) => {
    const v = realPage(codec);
    const src = vectorBytes(v).slice(0, v.size - 1);
    const where = `tables.${codec}.kdump: page ${v.pa} at file offset 0x7b00`;
    expectCorrupt(() => decompressPage(codec, src, new Uint8Array(4096), where), where);
  });
});
