/**
 * decompressPage, the dump readers' entry point: exactly dst.length bytes or
 * PagewalkError('EBADIMAGE') starting with `where`. Pages: the real
 * makedumpfile 1.7.2 pages of x86-64-4level/kdump (test/fixtures/decompress).
 */
import { describe, expect, it } from 'vitest';
import { PagewalkError } from '../../src/errors.js';
import { decompressPage, type PageCompression } from '../../src/decompress/index.js';
import { expectCorrupt, manifest, vectorBytes } from './vectors.js';

const CODECS: PageCompression[] = ['zlib', 'lzo', 'snappy', 'zstd'];

function page(codec: PageCompression, pa: string) {
  return manifest.vectors.find((v) => v.codec === codec && v.file.startsWith('makedumpfile/') && v.pa === pa)!;
}

describe('decompressPage', () => {
  it.each(CODECS)('%s: a page decoded into a larger buffer is refused as the wrong length', (codec) => {
    const where = `tables.${codec}.kdump: page 0x6330000 at file offset 0x7b00`;
    expectCorrupt(() => decompressPage(codec, vectorBytes(page(codec, '0x6330000')), new Uint8Array(8192), where), where, new RegExp(`^${where}: ${codec}: decodes to 4096 bytes, the page is 8192$`));
  });
  it.each(CODECS)('%s: one byte too small a page is refused without writing past it', (codec) => {
    const dst = new Uint8Array(new ArrayBuffer(4096), 0, 4095);
    expectCorrupt(() => decompressPage(codec, vectorBytes(page(codec, '0x6330000')), dst, 'w'), 'w');
    expect(new Uint8Array(dst.buffer)[4095]).toBe(0);
  });
  it('another codec\'s page is refused', () => {
    for (const codec of CODECS) {
      for (const other of CODECS) {
        if (other === codec) continue;
        expectCorrupt(() => decompressPage(other, vectorBytes(page(codec, '0x2a10000')), new Uint8Array(4096), 'w'), 'w', new RegExp(`^w: ${other}: `));
      }
    }
  });
  it('an unknown kind is EINVAL', () => {
    let err: unknown;
    try {
      decompressPage('lz4' as PageCompression, new Uint8Array(1), new Uint8Array(1), 'w');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PagewalkError);
    expect((err as PagewalkError).code).toBe('EINVAL');
    expect((err as Error).message).toBe('w: unknown page compression "lz4"');
  });
});
