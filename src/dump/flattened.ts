/**
 * The flattened format: what makedumpfile writes to a pipe with -F (and
 * QEMU's dump-guest-memory -z/-l/-s before QEMU 8.2): a 4 KiB header
 * ("makedumpfile" NUL-padded to 16 bytes, big-endian int64 type 1 and
 * version 1), then records of big-endian int64 offset and size followed by
 * `size` bytes, which are bytes [offset, offset + size) of the plain file
 * (`makedumpfile -R` writes them there), ended by a record with offset and
 * size both -1 (makedumpfile.h struct makedumpfile_data_header,
 * END_FLAG_FLAT_HEADER). Records come in the order they were written, not in
 * offset order; a later one overwrites what an earlier one wrote; bytes no
 * record writes are zero.
 *
 * Rather than rewrite the file, this indexes the records once (16 bytes
 * read per record) and serves reads of the plain file from them.
 */
import { PagewalkError, hex } from '../errors.js';
import type { ByteSource } from './byte-source.js';

export const FLAT_HEADER_SIZE = 4096;
const SIGNATURE = 'makedumpfile';
const TYPE_FLAT_HEADER = 1n;
const VERSION_FLAT_HEADER = 1n;
const END_FLAG = -1n;
const MAX_OFFSET = 2n ** 53n;

function bad(at: number, message: string): PagewalkError {
  return new PagewalkError('EBADIMAGE', `flattened dump: at file offset ${hex(at)}: ${message}`);
}

/** True when `head` starts with the flattened format's signature. */
export function isFlattened(head: Uint8Array): boolean {
  if (head.length < 16) return false;
  for (let i = 0; i < 16; i++) {
    const want = i < SIGNATURE.length ? SIGNATURE.charCodeAt(i) : 0;
    if (head[i] !== want) return false;
  }
  return true;
}

/**
 * The plain file a flattened file stands for, as a ByteSource over `file`.
 * Throws EBADIMAGE naming the file offset: a bad header, a record with a
 * negative size or offset (other than the end marker), or one whose range
 * passes 2^53. A file that ends inside a record or before the end marker
 * (a stream cut short) is read as far as it goes and marked `truncated`.
 */
export function flattenedSource(file: ByteSource): ByteSource & { records: number } {
  if (file.size < FLAT_HEADER_SIZE) throw bad(0, `file too short for the ${FLAT_HEADER_SIZE}-byte flattened header (${file.size} bytes)`);
  const head = file.read(0, 32);
  if (!isFlattened(head)) throw bad(0, 'no "makedumpfile" signature');
  const hv = new DataView(head.buffer, head.byteOffset, 32);
  const type = hv.getBigInt64(16, false);
  const version = hv.getBigInt64(24, false);
  if (type !== TYPE_FLAT_HEADER) throw bad(16, `type ${type}: need 1 (TYPE_FLAT_HEADER)`);
  if (version !== VERSION_FLAT_HEADER) throw bad(24, `version ${version}: need 1 (VERSION_FLAT_HEADER)`);

  // Records in file order.
  let starts = new Float64Array(1024);
  let sizes = new Float64Array(1024);
  let srcs = new Float64Array(1024);
  let n = 0;
  let truncated = true;
  let window = new Uint8Array(0);
  let windowAt = 0;
  // Record headers are read through a 4 KiB window: many small records per read, one small read per large record.
  const readOnce = file.readOnce ?? file.read;
  const header = (pos: number): DataView => {
    if (pos < windowAt || pos + 16 > windowAt + window.length) {
      windowAt = pos;
      window = readOnce.call(file, pos, Math.min(4096, file.size - pos)).slice();
    }
    return new DataView(window.buffer, pos - windowAt, 16);
  };
  let pos = FLAT_HEADER_SIZE;
  while (pos + 16 <= file.size) {
    const v = header(pos);
    const offset = v.getBigInt64(0, false);
    const size = v.getBigInt64(8, false);
    if (offset === END_FLAG && size === END_FLAG) {
      truncated = false;
      break;
    }
    if (offset < 0n) throw bad(pos, `record offset ${offset} is negative`);
    if (size < 0n) throw bad(pos + 8, `record size ${size} is negative`);
    if (offset + size > MAX_OFFSET) throw bad(pos, `record [${hex(offset)}, ${hex(offset + size)}) ends beyond 2^53`);
    let len = Number(size);
    const data = pos + 16;
    if (data + len > file.size) len = file.size - data; // cut short: keep what is there
    if (n === starts.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      starts = grow(starts);
      sizes = grow(sizes);
      srcs = grow(srcs);
    }
    starts[n] = Number(offset);
    sizes[n] = len;
    srcs[n] = data;
    n++;
    pos = data + len;
  }
  const pieces = resolve(starts.subarray(0, n), sizes.subarray(0, n), srcs.subarray(0, n));
  return plainSource(file, pieces, truncated, n);
}

interface Pieces {
  start: Float64Array;
  end: Float64Array;
  /** File offset of each piece's first byte. */
  src: Float64Array;
}

/**
 * Disjoint pieces of the plain file, in offset order, each taken from the
 * last record that wrote it: a sweep over the records' ends with a heap of
 * the records covering the current point, latest on top.
 */
function resolve(start: Float64Array, size: Float64Array, src: Float64Array): Pieces {
  const n = start.length;
  const order = Array.from({ length: n }, (_, i) => i).filter((i) => size[i] > 0);
  order.sort((a, b) => start[a] - start[b] || a - b);
  let disjoint = true;
  for (let k = 1; k < order.length && disjoint; k++) {
    const p = order[k - 1];
    if (start[p] + size[p] > start[order[k]]) disjoint = false;
  }
  if (disjoint) {
    return {
      start: Float64Array.from(order, (i) => start[i]),
      end: Float64Array.from(order, (i) => start[i] + size[i]),
      src: Float64Array.from(order, (i) => src[i]),
    };
  }
  const points = Array.from(new Set(order.flatMap((i) => [start[i], start[i] + size[i]]))).sort((a, b) => a - b);
  const heap: number[] = []; // record indexes, the latest (highest index) on top
  const push = (x: number) => {
    heap.push(x);
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (heap[p] >= heap[i]) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  };
  const pop = () => {
    const last = heap.pop()!;
    if (heap.length === 0) return;
    heap[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && heap[l] > heap[m]) m = l;
      if (r < heap.length && heap[r] > heap[m]) m = r;
      if (m === i) break;
      [heap[m], heap[i]] = [heap[i], heap[m]];
      i = m;
    }
  };
  const outStart: number[] = [];
  const outEnd: number[] = [];
  const outSrc: number[] = [];
  let next = 0;
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k];
    const b = points[k + 1];
    while (next < order.length && start[order[next]] <= a) push(order[next++]);
    while (heap.length > 0 && start[heap[0]] + size[heap[0]] <= a) pop();
    if (heap.length === 0) continue;
    const w = heap[0];
    const from = src[w] + (a - start[w]);
    const last = outStart.length - 1;
    if (last >= 0 && outEnd[last] === a && outSrc[last] + (a - outStart[last]) === from) outEnd[last] = b;
    else {
      outStart.push(a);
      outEnd.push(b);
      outSrc.push(from);
    }
  }
  return { start: Float64Array.from(outStart), end: Float64Array.from(outEnd), src: Float64Array.from(outSrc) };
}

function plainSource(file: ByteSource, p: Pieces, truncated: boolean, records: number): ByteSource & { records: number } {
  const count = p.start.length;
  const size = count === 0 ? 0 : p.end[count - 1];
  /** The first piece ending after `offset`. */
  const find = (offset: number): number => {
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (p.end[mid] <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    size,
    truncated,
    records,
    read(offset, length) {
      let i = find(offset);
      if (i < count && p.start[i] <= offset && offset + length <= p.end[i]) return file.read(p.src[i] + (offset - p.start[i]), length);
      const out = new Uint8Array(length);
      for (; i < count && p.start[i] < offset + length; i++) {
        const from = Math.max(offset, p.start[i]);
        const to = Math.min(offset + length, p.end[i]);
        if (to > from) out.set(file.read(p.src[i] + (from - p.start[i]), to - from), from - offset);
      }
      return out;
    },
    covered(offset, length) {
      let at = offset;
      for (let i = find(offset); i < count && at < offset + length; i++) {
        if (p.start[i] > at) return false;
        at = p.end[i];
      }
      return at >= offset + length;
    },
    locate(offset) {
      const i = find(offset);
      if (i < count && p.start[i] <= offset) return `${hex(offset)} (file offset ${hex(p.src[i] + (offset - p.start[i]))})`;
      return `${hex(offset)} (written by no record)`;
    },
  };
}
