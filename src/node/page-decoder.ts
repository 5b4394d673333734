/**
 * Node's page decoder for kdump files: zlib pages through node:zlib (the
 * C library), every other compression through the core's decoder.
 */
import { inflateSync } from 'node:zlib';
import { PagewalkError } from '../errors.js';
import { defaultPageDecoder, type PageDecoder } from '../dump/compression.js';

export const nodePageDecoder: PageDecoder = (kind, src, dst, where) => {
  if (kind !== 'zlib') return defaultPageDecoder(kind, src, dst, where);
  let out: Buffer;
  try {
    out = inflateSync(src, { maxOutputLength: dst.length });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) throw new PagewalkError('EBADIMAGE', `${where}: inflates to more than the ${dst.length}-byte block`);
    throw new PagewalkError('EBADIMAGE', `${where}: corrupt zlib data (${(e as Error).message})`);
  }
  if (out.length !== dst.length) throw new PagewalkError('EBADIMAGE', `${where}: inflates to ${out.length} bytes, not the ${dst.length}-byte block`);
  dst.set(out);
};
