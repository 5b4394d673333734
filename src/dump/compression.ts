/**
 * Page compressions of the kdump-compressed format: the page_desc flag
 * bits (makedumpfile.h DUMP_DH_COMPRESSED_*, the same values as the header
 * status bits) and the decoder a reader calls for them.
 */
import { decompressPage } from '../decompress/index.js';

export type Compression = 'zlib' | 'lzo' | 'snappy' | 'zstd';

/** page_desc.flags bit of each compression (0: the page is stored raw). */
export const COMPRESSION_FLAGS: Readonly<Record<Compression, number>> = { zlib: 0x1, lzo: 0x2, snappy: 0x4, zstd: 0x20 };

const BY_FLAG = new Map<number, Compression>(Object.entries(COMPRESSION_FLAGS).map(([k, v]) => [v, k as Compression]));

/** The compression a page_desc.flags value names, 'none' for 0, or null for anything else (unknown bits, two compressions). */
export function compressionOfFlags(flags: number): Compression | 'none' | null {
  if (flags === 0) return 'none';
  return BY_FLAG.get(flags) ?? null;
}

/** The compressions a header status asks for, in flag order. */
export function compressionsOfStatus(status: number): Compression[] {
  return (Object.keys(COMPRESSION_FLAGS) as Compression[]).filter((c) => (status & COMPRESSION_FLAGS[c]) !== 0);
}

/**
 * Decompresses one page: fills `dst` exactly from `src`, or throws
 * PagewalkError EBADIMAGE with a message starting with `where`.
 */
export type PageDecoder = (kind: Compression, src: Uint8Array, dst: Uint8Array, where: string) => void;

/** The decoder used when none is given: the core's pure-TypeScript decompressors (src/decompress). */
export const defaultPageDecoder: PageDecoder = decompressPage;
