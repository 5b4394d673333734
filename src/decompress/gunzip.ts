/**
 * gzip files (RFC 1952), one member or several, decoded into memory with an
 * output limit: how the browser build reads a `.gz` dump, where no
 * `node:zlib` exists.
 */
import { PagewalkError } from '../errors.js';
import { crc32 } from './checksums.js';
import { corrupt } from './corrupt.js';
import { inflateEnd, inflateInto, type InflateSink } from './inflate.js';

/** Member header flags (RFC 1952 section 2.3.1). */
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const FRESERVED = 0xe0;

/** DEFLATE cannot expand data by more than 1032:1 (a 258-byte match costs at least 2 bits). */
const MAX_RATIO = 1032;
const MIN_CAPACITY = 4096;

/**
 * Decompresses a gzip file: one or more members (RFC 1952 section 2.2; the
 * output is their concatenation), each with its header (FEXTRA, FNAME,
 * FCOMMENT skipped; FHCRC verified), DEFLATE data, CRC-32 and ISIZE, both
 * verified. Zero bytes after the last member are ignored, as gzip(1) ignores
 * them (tape padding); anything else after a member must be another member.
 *
 * Never allocates much more than `maxOutput`: the output buffer starts at the
 * last member's ISIZE (bounded by what the input could expand to) and grows
 * by doubling, up to `maxOutput`. Returns exactly the decoded bytes.
 *
 * Throws PagewalkError('EBADIMAGE') with a message starting with `where`:
 * for input that is not gzip (magic, method, reserved flags), a truncated
 * header or stream, bad DEFLATE data, a CRC-32, ISIZE or header CRC mismatch,
 * and trailing garbage; and, distinctly, "output exceeds the limit of N bytes"
 * when the output would be larger than `maxOutput`. A `maxOutput` that is not
 * a non-negative safe integer is PagewalkError('EINVAL').
 */
export function gunzip(src: Uint8Array, maxOutput: number, where: string): Uint8Array {
  if (!Number.isSafeInteger(maxOutput) || maxOutput < 0) {
    throw new PagewalkError('EINVAL', `${where}: gzip: maxOutput ${maxOutput} is not a non-negative integer`);
  }
  const sink: InflateSink = {
    buf: new Uint8Array(initialCapacity(src, maxOutput)),
    grow: (needed) => grow(sink.buf, needed, maxOutput, where),
  };
  let op = 0;
  let p = 0;
  let member = 0;
  do {
    const start = op;
    p = readMemberHeader(src, p, member, where);
    op = inflateInto(src, p, src.length, sink, op, start, where, 'gzip');
    p = inflateEnd;
    if (p + 8 > src.length) throw corrupt(where, 'gzip', `truncated: member ${member} has no CRC-32 and ISIZE after its data (input offset ${p})`);
    const crc = (src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24)) >>> 0;
    const isize = (src[p + 4] | (src[p + 5] << 8) | (src[p + 6] << 16) | (src[p + 7] << 24)) >>> 0;
    const actual = crc32(sink.buf, start, op);
    if (crc !== actual) {
      throw corrupt(where, 'gzip', `CRC-32 mismatch in member ${member}: the trailer at input offset ${p} says 0x${crc.toString(16)}, the ${op - start} bytes decoded give 0x${actual.toString(16)}`);
    }
    // ISIZE is the length modulo 2^32 (section 2.3.1).
    if (isize !== (op - start) % 4294967296) {
      throw corrupt(where, 'gzip', `ISIZE mismatch in member ${member}: the trailer says ${isize} bytes, ${op - start} were decoded`);
    }
    p += 8;
    member++;
  } while (p < src.length && !allZero(src, p));
  const out = sink.buf;
  // Keep the result's buffer close to its size: copy only when the guess was far off.
  return out.length - op > op >>> 2 ? out.slice(0, op) : out.subarray(0, op);
}

function initialCapacity(src: Uint8Array, maxOutput: number): number {
  let hint = MIN_CAPACITY;
  if (src.length >= 18) {
    const e = src.length;
    hint = (src[e - 4] | (src[e - 3] << 8) | (src[e - 2] << 16) | (src[e - 1] << 24)) >>> 0;
  }
  return Math.min(maxOutput, Math.max(Math.min(hint, src.length * MAX_RATIO), MIN_CAPACITY));
}

function grow(old: Uint8Array, needed: number, maxOutput: number, where: string): Uint8Array {
  if (needed > maxOutput) throw corrupt(where, 'gzip', `output exceeds the limit of ${maxOutput} bytes`);
  const buf = new Uint8Array(Math.min(maxOutput, Math.max(needed, old.length * 2, MIN_CAPACITY)));
  buf.set(old);
  return buf;
}

function allZero(src: Uint8Array, from: number): boolean {
  for (let i = from; i < src.length; i++) if (src[i] !== 0) return false;
  return true;
}

/** Checks the member header at `p` (RFC 1952 section 2.3) and returns where its DEFLATE data starts. */
function readMemberHeader(src: Uint8Array, p: number, member: number, where: string): number {
  const start = p;
  if (p + 10 > src.length || src[p] !== 0x1f || src[p + 1] !== 0x8b) {
    if (member === 0) {
      if (src.length >= 2 && src[0] === 0x1f && src[1] === 0x8b) throw corrupt(where, 'gzip', `truncated: ${src.length} bytes, a gzip header needs 10`);
      throw corrupt(where, 'gzip', 'not gzip data (no 1f 8b magic at offset 0)');
    }
    throw corrupt(where, 'gzip', `${src.length - p} bytes of trailing garbage after member ${member - 1} (input offset ${p})`);
  }
  if (src[p + 2] !== 8) throw corrupt(where, 'gzip', `member ${member} at input offset ${p}: compression method ${src[p + 2]}, need 8 (deflate)`);
  const flg = src[p + 3];
  if (flg & FRESERVED) throw corrupt(where, 'gzip', `member ${member} at input offset ${p}: reserved flag bits set (FLG 0x${flg.toString(16)})`);
  p += 10;
  if (flg & FEXTRA) {
    if (p + 2 > src.length) throw headerTruncated(where, member, start);
    p += 2 + (src[p] | (src[p + 1] << 8));
  }
  if (flg & FNAME) p = skipZeroTerminated(src, p, where, member, start);
  if (flg & FCOMMENT) p = skipZeroTerminated(src, p, where, member, start);
  if (flg & FHCRC) {
    if (p + 2 > src.length) throw headerTruncated(where, member, start);
    const stored = src[p] | (src[p + 1] << 8);
    const actual = crc32(src, start, p) & 0xffff;
    if (stored !== actual) throw corrupt(where, 'gzip', `member ${member} at input offset ${start}: header CRC 0x${stored.toString(16)} does not match 0x${actual.toString(16)}`);
    p += 2;
  }
  if (p > src.length) throw headerTruncated(where, member, start);
  return p;
}

function skipZeroTerminated(src: Uint8Array, p: number, where: string, member: number, start: number): number {
  while (p < src.length && src[p] !== 0) p++;
  if (p >= src.length) throw headerTruncated(where, member, start);
  return p + 1;
}

function headerTruncated(where: string, member: number, start: number): Error {
  return corrupt(where, 'gzip', `truncated: the header of member ${member} (input offset ${start}) runs past the end of the input`);
}
