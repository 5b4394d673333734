/**
 * Random access to the bytes of a dump file, wherever they are: a
 * Uint8Array in memory (a browser's File, a gunzipped image), a file read
 * on demand (the Node entry), or the plain image a flattened file stands for
 * (flattened.ts). The kdump reader sees only this.
 */
import { PagewalkError, hex } from '../errors.js';

export interface ByteSource {
  /** Bytes in the (plain) file. */
  readonly size: number;
  /**
   * Bytes [offset, offset + length): exactly `length` bytes, which the
   * caller has checked lie inside `size`. The result may be a view of
   * memory the source keeps: read it, do not write it or keep it.
   */
  read(offset: number, length: number): Uint8Array;
  /** Where `offset` is, in words a message can show ("0x7000", or "0x7000 (file offset 0x2228)" for a flattened file). */
  locate(offset: number): string;
  /** The stream ended before its end marker (a flattened file cut short): bytes no record holds may simply be missing. */
  readonly truncated: boolean;
  /** Whether the file holds all of [offset, offset + length) (a flattened file: some record wrote every byte). Absent: all of [0, size). */
  covered?(offset: number, length: number): boolean;
  /** read() without filling a read-ahead cache: for scans that touch a few bytes far apart (flattened record headers). */
  readOnce?(offset: number, length: number): Uint8Array;
}

/** A source over bytes in memory (no copy). */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read: (offset, length) => bytes.subarray(offset, offset + length),
    locate: (offset) => hex(offset),
    truncated: false,
  };
}

/** EBADIMAGE for a kdump structure, naming where it is. */
export function badDump(source: ByteSource, offset: number, message: string): PagewalkError {
  return new PagewalkError('EBADIMAGE', `kdump: at offset ${source.locate(offset)}: ${message}`);
}

/**
 * Reads [offset, offset + length) for a structure called `what`, or
 * EBADIMAGE when it does not lie wholly inside the file.
 */
export function readRange(source: ByteSource, offset: number, length: number, what: string): Uint8Array {
  if (!(Number.isSafeInteger(offset) && offset >= 0 && Number.isSafeInteger(length) && length >= 0 && offset + length <= source.size)) {
    throw badDump(source, Number.isSafeInteger(offset) && offset >= 0 ? offset : 0, `${what} [${hex(offset)}, ${hex(offset + length)}) runs past the end of the file (${hex(source.size)} bytes): truncated`);
  }
  return source.read(offset, length);
}
