/**
 * Page decompression for the dump readers: the four codecs makedumpfile
 * writes kdump-compressed pages with (page_desc flags 0x1 zlib, 0x2 lzo,
 * 0x4 snappy, 0x20 zstd), and gzip for `.gz` files. Pure TypeScript with no
 * Node APIs: it runs in browsers.
 *
 * Every decoder takes `(src, dst, where)`, writes into `dst` from offset 0,
 * never writes past it or reads past `src`, and returns the number of bytes
 * written. Corrupt, truncated or oversized input throws
 * PagewalkError('EBADIMAGE') with a message that starts with `where`.
 */
import { PagewalkError } from '../errors.js';
import { corrupt } from './corrupt.js';
import { inflateZlib } from './inflate.js';
import { decompressLzo1x } from './lzo1x.js';
import { decompressSnappy } from './snappy.js';
import { decompressZstd } from './zstd.js';

export { inflateRaw, inflateZlib } from './inflate.js';
export { gunzip } from './gunzip.js';
export { decompressLzo1x } from './lzo1x.js';
export { decompressSnappy } from './snappy.js';
export { decompressZstd } from './zstd.js';

/** How a page is compressed, by the codec's name. */
export type PageCompression = 'zlib' | 'lzo' | 'snappy' | 'zstd';

/**
 * Decompresses `src` (one compressed page/block) into `dst` (exactly
 * dst.length bytes expected).
 *
 * - `zlib`: an RFC 1950 stream (makedumpfile `-c`, `compress2()`), Adler-32 verified;
 * - `lzo`: bare LZO1X (makedumpfile `-l`, `lzo1x_1_compress()`), no header;
 * - `snappy`: one raw snappy block (makedumpfile `-p`), not the framing format;
 * - `zstd`: zstd frames (makedumpfile `-z`), without dictionaries.
 *
 * Returns nothing; throws PagewalkError('EBADIMAGE', msg) when the stream is
 * corrupt, truncated, would write past dst, or produces a different length
 * than dst.length (PagewalkError('EINVAL') for a `kind` not listed above). `where` is a string the caller gives (e.g.
 * "tables.zlib.kdump: page 0x2a10000 at file offset 0x7b00") that every error
 * message starts with, so the user learns which page and file offset was bad.
 */
export function decompressPage(kind: PageCompression, src: Uint8Array, dst: Uint8Array, where: string): void {
  let n: number;
  switch (kind) {
    case 'zlib':
      n = inflateZlib(src, dst, where);
      break;
    case 'lzo':
      n = decompressLzo1x(src, dst, where);
      break;
    case 'snappy':
      n = decompressSnappy(src, dst, where);
      break;
    case 'zstd':
      n = decompressZstd(src, dst, where);
      break;
    default:
      throw new PagewalkError('EINVAL', `${where}: unknown page compression ${JSON.stringify(kind)}`);
  }
  if (n !== dst.length) {
    throw corrupt(where, kind, `decodes to ${n} bytes, the page is ${dst.length}`);
  }
}
