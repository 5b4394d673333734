/**
 * Node-only: memory images opened by path and read on demand, so a 64 GiB
 * vmcore works in a small heap. Published as the `pagewalk/node` entry; the
 * core entry stays free of Node APIs.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
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
/** `.gz` input is decompressed in memory: fine for fixtures and small dumps, not for a 64 GiB vmcore. */
const MAX_GZIP_INPUT = 1 << 30;

/**
 * Opens an ELF core (QEMU dump-guest-memory, kdump /proc/vmcore) or a raw
 * image by path. Pages are read on demand through a bounded cache; `.gz`
 * files are decompressed in memory. The image is read-only. Errors:
 * PagewalkError ENOENT/EACCES-style `EINVAL` naming the path, EBADIMAGE for
 * a malformed core.
 */
export function openDumpFile(path: string, options: OpenDumpOptions = {}): OpenedDump {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new PagewalkError('EINVAL', `cannot open ${path}: ${(e as Error).message}`);
  }
  try {
    const size = fstatSync(fd).size;
    if (path.endsWith('.gz')) {
      if (size > MAX_GZIP_INPUT) throw new PagewalkError('EINVAL', `${path}: compressed dumps over 1 GiB are not supported; decompress it first`);
      const bytes = new Uint8Array(gunzipSync(readFileSync(fd)));
      closeSync(fd);
      return inMemory(bytes, options);
    }
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
    if (!isElf(head)) {
      const base = options.rawBase ?? 0;
      const region: OnDemandRegion = { base, size, load: read };
      return { memory: new PhysicalMemory([region], false, options), core: null, vmcoreinfo: new Map(), arch: null, close: () => closeSync(fd) };
    }
    const source: ElfSource = { size, read };
    const ehdr = read(0, Math.min(size, 64));
    const view = new DataView(ehdr.buffer);
    const phoff = ehdr.length >= 64 ? Number(view.getBigUint64(32, true)) : 0;
    const phnum = ehdr.length >= 64 ? view.getUint16(56, true) : 0;
    const headBytes = Math.min(size, Math.max(65536, phoff + (phnum === 0xffff ? 65536 * 56 : phnum * 56)));
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
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    throw e;
  }
}

function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && ELF_MAGIC.every((b, i) => bytes[i] === b);
}

function inMemory(bytes: Uint8Array, options: OpenDumpOptions): OpenedDump {
  if (isElf(bytes)) {
    const { memory, core, vmcoreinfo } = loadElfCore(bytes);
    return { memory, core, vmcoreinfo, arch: core.arch, close: () => {} };
  }
  if (bytes.length === 0) throw new PagewalkError('EBADIMAGE', 'empty image');
  return { memory: PhysicalMemory.fromRaw(bytes, options.rawBase ?? 0), core: null, vmcoreinfo: new Map(), arch: null, close: () => {} };
}


