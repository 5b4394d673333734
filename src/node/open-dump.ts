/**
 * Node-only: memory images opened by path and read on demand, so a 64 GiB
 * vmcore works in a small heap. Published as the `pagewalk/node` entry; the
 * core entry stays free of Node APIs.
 */
import { closeSync, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { PagewalkError } from '../errors.js';
import type { ArchName } from '../arch/types.js';
import { parseElfCore, type ElfCore, type ElfSource } from '../memory/elf-core.js';
import { loadElfCore } from '../memory/load-image.js';
import { PhysicalMemory, type OnDemandRegion } from '../memory/physical-memory.js';

export interface OpenDumpOptions {
  /** Physical address of the first byte of a raw (non-ELF) image; default 0. */
  rawBase?: number;
  /** Bytes of the on-demand block cache (default 64 MiB). */
  cacheBytes?: number;
  /** Most bytes a gzip-compressed image may inflate to (it is held in memory); default 1 GiB. */
  maxGunzip?: number;
}

/** A dump file opened for reading. */
export interface OpenedDump {
  memory: PhysicalMemory;
  /** The ELF core's headers and notes, or null for a raw image. */
  core: ElfCore | null;
  /** VMCOREINFO key/values (empty when the dump has none). */
  vmcoreinfo: Map<string, string>;
  /** The arch the ELF header names, or null. */
  arch: ArchName | null;
  /** Releases the file. */
  close(): void;
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const GZIP_MAGIC = [0x1f, 0x8b];
/** Output inflated to check a gzip whose trailer claims more than the limit (a bomb is refused after this much). */
const GZIP_PROBE = 64 * 1024 * 1024;
/** Default limit of an inflated `.gz` image, which is held in memory whole. */
export const DEFAULT_MAX_GUNZIP = 2 ** 30;

/**
 * Opens an ELF core (QEMU dump-guest-memory, kdump /proc/vmcore) or a raw
 * image by path; gzip-compressed ones (recognised by content) are inflated
 * in memory up to `maxGunzip` bytes. Pages are read on demand through a
 * bounded cache. The image is read-only.
 *
 * Errors (PagewalkError, the message starting with the path): `EIO` for a
 * file that cannot be read as an image (missing, unreadable, empty, a
 * directory, FIFO, device or socket, gzip output over the limit),
 * `EBADIMAGE` for malformed content (ELF core, gzip data).
 */
export function openDumpFile(path: string, options: OpenDumpOptions = {}): OpenedDump {
  if (typeof path !== 'string' || path === '') throw new PagewalkError('EINVAL', `openDumpFile needs a file path, got ${JSON.stringify(path)}`);
  checkRegularFile(path);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw ioError(path, e);
  }
  try {
    return openFd(path, fd, options);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    if (e instanceof PagewalkError && !e.message.startsWith(path)) throw new PagewalkError(e.code, `${path}: ${e.message}`);
    throw e;
  }
}

function openFd(path: string, fd: number, options: OpenDumpOptions): OpenedDump {
  const size = fstatSync(fd).size;
  if (size === 0) throw new PagewalkError('EIO', `${path}: empty file`);
  const read = (offset: number, length: number): Uint8Array => {
    const buf = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buf, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return buf;
  };
  const head = read(0, Math.min(size, 4));
  if (startsWith(head, GZIP_MAGIC)) {
    const bytes = gunzipFile(path, fd, size, options.maxGunzip ?? DEFAULT_MAX_GUNZIP);
    closeSync(fd);
    return inMemory(bytes, options);
  }
  if (/\.gz$/i.test(path)) {
    throw new PagewalkError('EBADIMAGE', `${path}: named .gz but not gzip data (it starts ${[...head].map((b) => b.toString(16).padStart(2, '0')).join(' ')}, not 1f 8b)`);
  }
  if (!startsWith(head, ELF_MAGIC)) {
    const base = options.rawBase ?? 0;
    const region: OnDemandRegion = { base, size, load: read };
    return { memory: new PhysicalMemory([region], false, options), core: null, vmcoreinfo: new Map(), arch: null, close: () => closeSync(fd) };
  }
  if (options.rawBase !== undefined) throw new PagewalkError('EINVAL', `${path}: is an ELF core, whose segments say where memory is: a raw base does not apply`);
  const source: ElfSource = { size, read };
  const ehdr = read(0, Math.min(size, 64));
  const view = new DataView(ehdr.buffer);
  const phoff = ehdr.length >= 64 ? Number(view.getBigUint64(32, true)) : 0;
  const phnum = ehdr.length >= 64 ? view.getUint16(56, true) : 0;
  const headBytes = Math.min(size, Math.max(65536, Math.min(phoff, size) + (phnum === 0xffff ? 65536 * 56 : phnum * 56)));
  const core = parseElfCore(read(0, headBytes), source);
  const regions: OnDemandRegion[] = core.segments
    .filter((s) => s.memsz > 0)
    .map((s) => ({
      base: s.paddr,
      size: s.memsz,
      load: (off: number, length: number) => {
        const out = new Uint8Array(length);
        const inFile = Math.max(0, Math.min(length, s.filesz - off));
        if (inFile > 0) out.set(read(s.offset + off, inFile));
        return out;
      },
    }));
  return {
    memory: new PhysicalMemory(regions, false, options),
    core,
    vmcoreinfo: core.vmcoreinfo ?? new Map(),
    arch: core.arch,
    close: () => closeSync(fd),
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

function inMemory(bytes: Uint8Array, options: OpenDumpOptions): OpenedDump {
  if (bytes.length === 0) throw new PagewalkError('EBADIMAGE', 'the gzip data inflates to an empty image');
  if (startsWith(bytes, ELF_MAGIC)) {
    if (options.rawBase !== undefined) throw new PagewalkError('EINVAL', 'is an ELF core, whose segments say where memory is: a raw base does not apply');
    const { memory, core, vmcoreinfo } = loadElfCore(bytes);
    return { memory, core, vmcoreinfo, arch: core.arch, close: () => {} };
  }
  return { memory: PhysicalMemory.fromRaw(bytes, options.rawBase ?? 0), core: null, vmcoreinfo: new Map(), arch: null, close: () => {} };
}
