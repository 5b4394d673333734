/**
 * Node-only: memory images opened by path and read on demand, so a 64 GiB
 * vmcore works in a small heap. Published as the `pagewalk/node` entry; the
 * core entry stays free of Node APIs.
 */
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { PagewalkError, hex } from '../errors.js';
import { checkOptions } from '../options.js';
import { assembleDump, type DumpInput, type LoadedDump } from '../dump/assemble-dump.js';
import { bytesSource, type ByteSource } from '../dump/byte-source.js';

export interface OpenDumpOptions {
  /** Physical address of the first byte of a raw (non-ELF, non-kdump) image; default 0. */
  rawBase?: number;
  /** Bytes of the on-demand cache of file blocks and decompressed pages (default 64 MiB). */
  cacheBytes?: number;
  /** Most bytes a gzip-compressed image may inflate to (it is held in memory); default 1 GiB. */
  maxGunzip?: number;
}

/** A dump file (or the files of a split dump) opened for reading. */
export interface OpenedDump extends LoadedDump {
  /** Releases the files. */
  close(): void;
}

const GZIP_MAGIC = [0x1f, 0x8b];
/** Output inflated to check a gzip whose trailer claims more than the limit (a bomb is refused after this much). */
const GZIP_PROBE = 64 * 1024 * 1024;
/** Default limit of an inflated `.gz` image, which is held in memory whole. */
export const DEFAULT_MAX_GUNZIP = 2 ** 30;

/**
 * Opens a dump by path: an ELF core (QEMU dump-guest-memory, kdump
 * /proc/vmcore), a kdump-compressed file (makedumpfile, QEMU), a flattened
 * one (makedumpfile -F, read without rewriting it), or a raw image; or,
 * given several paths, the parts of one `makedumpfile --split` dump.
 * The format is found from the content, not the name; gzip-compressed files
 * (any format) are inflated in memory up to `maxGunzip` bytes. Pages are
 * read on demand through a bounded cache. The image is read-only.
 *
 * Errors (PagewalkError, the message starting with the path): `EIO` for a
 * file that cannot be read as an image (missing, unreadable, empty, a
 * directory, FIFO, device or socket, gzip output over the limit),
 * `EBADIMAGE` for malformed content (ELF core, kdump, flattened, gzip data,
 * split parts that overlap or come from different dumps), `EINVAL` for
 * arguments that do not apply.
 */
export function openDumpFile(path: string | readonly string[], options: OpenDumpOptions = {}): OpenedDump {
  checkOptions(options, ['rawBase', 'cacheBytes', 'maxGunzip'], 'openDumpFile() options');
  const paths = typeof path === 'string' ? [path] : path;
  if (!Array.isArray(paths) || paths.length === 0 || paths.some((p) => typeof p !== 'string' || p === '')) {
    throw new PagewalkError('EINVAL', `openDumpFile needs a file path or a non-empty array of them, got ${JSON.stringify(path)}`);
  }
  const seen = new Set<string>();
  for (const p of paths) {
    if (seen.has(p)) throw new PagewalkError('EINVAL', `${p}: given twice`);
    seen.add(p);
  }
  const opened: { fd: number | null; input: DumpInput }[] = [];
  try {
    for (const p of paths) opened.push(openInput(p, options));
    const dump = assembleDump(
      opened.map((o) => o.input),
      { rawBase: options.rawBase, cacheBytes: options.cacheBytes },
    );
    return { ...dump, close: () => closeAll(opened) };
  } catch (e) {
    closeAll(opened);
    if (e instanceof PagewalkError && !paths.some((p) => e.message.startsWith(p))) throw new PagewalkError(e.code, `${paths[0]}: ${e.message}`);
    throw e;
  }
}

function closeAll(opened: { fd: number | null }[]): void {
  for (const o of opened) {
    if (o.fd === null) continue;
    try {
      closeSync(o.fd);
    } catch {
      // already closed
    }
    o.fd = null;
  }
}

/** One file as a dump input: its fd and a source reading it (or its bytes, for gzip). */
function openInput(path: string, options: OpenDumpOptions): { fd: number | null; input: DumpInput } {
  checkRegularFile(path);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw ioError(path, e);
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) throw new PagewalkError('EIO', `${path}: empty file`);
    const source = fileSource(fd, size);
    const head = source.read(0, Math.min(size, 4));
    if (startsWith(head, GZIP_MAGIC)) {
      const bytes = gunzipFile(path, fd, size, options.maxGunzip ?? DEFAULT_MAX_GUNZIP);
      closeSync(fd);
      if (bytes.length === 0) throw new PagewalkError('EBADIMAGE', `${path}: the gzip data inflates to an empty image`);
      return { fd: null, input: { source: bytesSource(bytes), name: path, bytes } };
    }
    if (/\.gz$/i.test(path)) {
      throw new PagewalkError('EBADIMAGE', `${path}: named .gz but not gzip data (it starts ${[...head].map((b) => b.toString(16).padStart(2, '0')).join(' ')}, not 1f 8b)`);
    }
    return { fd, input: { source, name: path } };
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    throw e;
  }
}

/** File bytes read at once for small reads, and how many such blocks are kept: neighbouring pages and descriptors come in one read. */
const READ_BLOCK = 65536;
const READ_BLOCKS_KEPT = 32;

/**
 * Reads of a file by offset; a read the file cannot satisfy whole is an I/O
 * error (the file shrank). Reads smaller than a block come from a few
 * cached 64 KiB blocks (a kdump's page data and descriptors are read in
 * pieces of a few hundred bytes to a page).
 */
function fileSource(fd: number, size: number): ByteSource {
  const readAt = (offset: number, length: number): Uint8Array => {
    const buf = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, done, length - done, offset + done);
      if (n === 0) throw new PagewalkError('EIO', `read of ${length} bytes at offset ${hex(offset)} ended early: the file is shorter than when it was opened`);
      done += n;
    }
    return buf;
  };
  const blocks = new Map<number, Uint8Array>();
  let lastBlock = -1;
  let lastData: Uint8Array = new Uint8Array(0);
  const block = (b: number): Uint8Array => {
    if (b === lastBlock) return lastData;
    let data = blocks.get(b);
    if (data !== undefined) {
      blocks.delete(b);
    } else {
      data = readAt(b * READ_BLOCK, Math.min(READ_BLOCK, size - b * READ_BLOCK));
      if (blocks.size >= READ_BLOCKS_KEPT) blocks.delete(blocks.keys().next().value as number);
    }
    blocks.set(b, data);
    lastBlock = b;
    lastData = data;
    return data;
  };
  return {
    size,
    truncated: false,
    read(offset, length) {
      if (length > READ_BLOCK / 2) return readAt(offset, length);
      const first = Math.floor(offset / READ_BLOCK);
      const last = Math.floor((offset + length - 1) / READ_BLOCK);
      if (length === 0) return new Uint8Array(0);
      if (first === last) return block(first).subarray(offset - first * READ_BLOCK, offset - first * READ_BLOCK + length);
      const out = new Uint8Array(length);
      const split = last * READ_BLOCK - offset;
      out.set(block(first).subarray(offset - first * READ_BLOCK));
      out.set(block(last).subarray(0, length - split), split);
      return out;
    },
    readOnce: readAt,
    locate: (offset) => hex(offset),
  };
}

/** Refuses what is not a regular file before opening it (opening a FIFO would block until a writer comes). */
function checkRegularFile(path: string): void {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    throw ioError(path, e);
  }
  if (st.isFile()) return;
  const kind = st.isDirectory()
    ? 'a directory'
    : st.isFIFO()
      ? 'a FIFO'
      : st.isSocket()
        ? 'a socket'
        : st.isCharacterDevice() || st.isBlockDevice()
          ? 'a device'
          : 'not a regular file';
  throw new PagewalkError('EIO', `${path}: is ${kind}, not a dump file`);
}

function ioError(path: string, e: unknown): PagewalkError {
  const code = (e as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOTDIR'
          ? 'a part of the path is not a directory'
          : code === 'ELOOP'
            ? 'too many symbolic links'
            : ((e as Error).message ?? String(e));
  return new PagewalkError('EIO', `${path}: cannot open: ${why}`);
}

/**
 * Inflates a gzip file in memory, refusing input that cannot fit the limit
 * and stopping the inflate as soon as its output would pass it (a gzip bomb
 * costs at most `limit` bytes and the time to produce them).
 */
function gunzipFile(path: string, fd: number, size: number, limit: number): Uint8Array {
  // Deflate cannot shrink data by more than ~1032:1, nor grow it by more than a few bytes per 64 KiB:
  // compressed input larger than the limit cannot inflate to within it.
  if (size > limit + 65536) {
    throw new PagewalkError('EIO', `${path}: gzip file of ${size} bytes would inflate beyond the ${limit}-byte limit; gunzip it first (or raise the limit: --max-gunzip)`);
  }
  const input = new Uint8Array(size);
  let done = 0;
  while (done < size) {
    const n = readSync(fd, input, done, size - done, done);
    if (n === 0) break;
    done += n;
  }
  // ISIZE, the last member's size mod 2^32 (RFC 1952 2.3.1): the output is at least that big. When
  // it is over the limit, inflate only a probe's worth: a truncated or corrupt file shows itself
  // there (its "ISIZE" is garbage); otherwise refuse without inflating the limit's worth.
  const isize = done >= 18 ? new DataView(input.buffer, done - 4, 4).getUint32(0, true) : 0;
  const probe = isize > limit ? Math.min(limit, GZIP_PROBE) : limit;
  try {
    const out = gunzipSync(input.subarray(0, done), { maxOutputLength: probe });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      const size = probe < limit ? `to ${isize} bytes (its trailer says), ` : '';
      throw new PagewalkError('EIO', `${path}: gzip data inflates ${size}beyond the ${limit}-byte limit (raise it with --max-gunzip, or gunzip the file first)`);
    }
    if (code === 'Z_BUF_ERROR') throw new PagewalkError('EBADIMAGE', `${path}: truncated gzip data (the stream ends before its end marker)`);
    throw new PagewalkError('EBADIMAGE', `${path}: corrupt gzip data (${(e as Error).message})`);
  }
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}
