/**
 * The core's dump loader: bytes in memory (a browser's File, a fetched
 * ArrayBuffer), any format, detected by content.
 */
import { PagewalkError } from '../errors.js';
import { gunzip } from '../decompress/index.js';
import { asBytes, type BytesLike } from '../memory/bytes.js';
import { checkOptions } from '../options.js';
import { assembleDump, type LoadedDump } from './assemble-dump.js';
import { bytesSource } from './byte-source.js';

export interface LoadDumpOptions {
  /** Physical address of a raw image's first byte (default 0); refused for the other formats. */
  rawBase?: number;
  /** Bytes of decompressed kdump pages kept (default 64 MiB). */
  cacheBytes?: number;
  /** Most bytes a gzip-compressed input may inflate to (default 1 GiB). */
  maxGunzip?: number;
}

/** Default limit of an inflated gzip input, which is held in memory whole. */
const DEFAULT_MAX_GUNZIP = 2 ** 30;

/**
 * Opens a dump held in memory: an ELF core (QEMU dump-guest-memory, kdump
 * /proc/vmcore), a kdump-compressed file (makedumpfile, QEMU), a flattened
 * one (makedumpfile -F, QEMU 7.2 -z/-l/-s: read through an index of its
 * records, not rewritten), or raw memory; or, given an array, the parts of
 * one `makedumpfile --split` dump. Detected by content; gzip-compressed
 * input (any format) is inflated first, up to `maxGunzip`. Pages of kdump
 * files are decompressed when first read, into a bounded cache; the input
 * is shared, not copied. Read-only.
 *
 * Throws PagewalkError: EBADIMAGE for malformed content (naming the offset),
 * EINVAL for arguments of the wrong type or options that do not apply.
 */
export function loadDump(input: BytesLike | readonly BytesLike[], options: LoadDumpOptions = {}): LoadedDump {
  checkOptions(options, ['rawBase', 'cacheBytes', 'maxGunzip'], 'loadDump() options');
  const list = Array.isArray(input) ? input : [input as BytesLike];
  if (list.length === 0) throw new PagewalkError('EINVAL', 'loadDump needs the bytes of a dump, or an array of the parts of a split dump');
  const inputs = list.map((b, i) => {
    const name = list.length === 1 ? 'dump' : `part ${i + 1}`;
    let bytes = asBytes(b, list.length === 1 ? 'loadDump(bytes)' : `loadDump(parts[${i}])`);
    if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzip(bytes, options.maxGunzip ?? DEFAULT_MAX_GUNZIP, `${name}: gzip`);
    if (bytes.length === 0) throw new PagewalkError('EBADIMAGE', `${name}: empty`);
    return { source: bytesSource(bytes), bytes, name };
  });
  return assembleDump(inputs, { rawBase: options.rawBase, cacheBytes: options.cacheBytes });
}
