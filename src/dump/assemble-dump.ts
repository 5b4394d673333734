/**
 * A dump's files, whatever they hold, as one physical memory: format
 * detection by content (never by file name) and the assembly shared by the
 * core's loadDump() (bytes in memory) and the Node entry's openDumpFile()
 * (files read on demand). gzip is the callers' business: they inflate
 * before this.
 */
import { PagewalkError } from '../errors.js';
import type { ArchName } from '../arch/types.js';
import { parseElfCore, parseVmcoreinfo, type ElfCore } from '../memory/elf-core.js';
import { loadElfCore } from '../memory/load-image.js';
import { PhysicalMemory, type OnDemandRegion } from '../memory/physical-memory.js';
import type { ByteSource } from './byte-source.js';
import type { PageDecoder } from './compression.js';
import { flattenedSource, isFlattened } from './flattened.js';
import { KdumpImage } from './kdump-image.js';
import { archFromMachine, archFromVmcoreinfo } from './machine-name.js';
import { findNote } from './notes.js';

/** What a dump file is: an ELF core, kdump-compressed, flattened (makedumpfile -F, QEMU), or raw memory. */
export type DumpFormat = 'elf' | 'kdump' | 'flattened' | 'raw';

/** A dump opened as physical memory, with what it says about itself. */
export interface LoadedDump {
  format: DumpFormat;
  /** What the records of a flattened file rebuild ('kdump' or 'elf'); otherwise the same as `format`. */
  content: 'elf' | 'kdump' | 'raw';
  memory: PhysicalMemory;
  /** The ELF core's headers and notes (ELF content only). */
  core: ElfCore | null;
  /** The kdump file or split set (kdump content only): headers, parts, page counts. */
  kdump: KdumpImage | null;
  /** VMCOREINFO key/values (empty when the dump has none). */
  vmcoreinfo: Map<string, string>;
  /** The arch the dump names (ELF e_machine, kdump utsname.machine, else VMCOREINFO), or null. */
  arch: ArchName | null;
}

export interface DumpInput {
  source: ByteSource;
  /** For messages: a path, or "part 2". */
  name: string;
  /** The same bytes when they are in memory (an ELF core is then shared rather than read in blocks). */
  bytes?: Uint8Array;
}

export interface AssembleOptions {
  /** Physical address of a raw image's first byte (default 0); refused for the other formats. */
  rawBase?: number;
  /** Bytes of decompressed pages or file blocks kept (default 64 MiB). */
  cacheBytes?: number;
  /** Decompressor of kdump pages. */
  decoder?: PageDecoder;
}

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

function isKdump(head: Uint8Array): boolean {
  const sig = String.fromCharCode(...head.subarray(0, 8));
  return sig === 'KDUMP   ' || sig === 'DISKDUMP';
}

type Sniffed = { format: DumpFormat; content: 'elf' | 'kdump' | 'raw'; source: ByteSource };

function sniff(input: DumpInput): Sniffed {
  const head = input.source.read(0, Math.min(16, input.source.size));
  if (startsWith(head, ELF_MAGIC)) return { format: 'elf', content: 'elf', source: input.source };
  if (isKdump(head)) return { format: 'kdump', content: 'kdump', source: input.source };
  if (isFlattened(head)) {
    const plain = flattenedSource(input.source);
    const inner = plain.read(0, Math.min(16, plain.size));
    if (isKdump(inner)) return { format: 'flattened', content: 'kdump', source: plain };
    if (startsWith(inner, ELF_MAGIC)) return { format: 'flattened', content: 'elf', source: plain };
    const starts = [...inner.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new PagewalkError('EBADIMAGE', `flattened dump: at offset 0x0 of the file its records rebuild: neither a kdump-compressed file nor an ELF core (it starts ${starts || 'with nothing'}, not "KDUMP   ", "DISKDUMP" or 7f 45 4c 46)`);
  }
  return { format: 'raw', content: 'raw', source: input.source };
}

/** Prefixes an error with the input's name. */
function named<T>(input: DumpInput, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof PagewalkError && !e.message.startsWith(input.name)) throw new PagewalkError(e.code, `${input.name}: ${e.message}`);
    throw e;
  }
}

/**
 * Opens `inputs` as one dump: one file of any format, or several files
 * that are the parts of one `makedumpfile --split` dump (each kdump, plain
 * or flattened). Throws PagewalkError (EBADIMAGE for malformed content,
 * EINVAL for options that do not apply), the message starting with the
 * input's name.
 */
export function assembleDump(inputs: readonly DumpInput[], options: AssembleOptions = {}): LoadedDump {
  if (inputs.length === 0) throw new PagewalkError('EINVAL', 'a dump needs at least one file');
  const sniffed = inputs.map((input) => named(input, () => sniff(input)));
  if (inputs.length > 1) {
    sniffed.forEach((s, i) => {
      if (s.content !== 'kdump') {
        throw new PagewalkError('EINVAL', `${inputs[i].name}: is ${s.content === 'raw' ? 'not a dump file pagewalk knows (raw memory)' : 'an ELF core'}: several files must be the parts of one kdump --split dump`);
      }
    });
  }
  const first = sniffed[0];
  if (first.content !== 'raw' && options.rawBase !== undefined) {
    const what = first.content === 'elf' ? 'an ELF core, whose segments say' : 'a kdump dump, whose bitmaps say';
    throw new PagewalkError('EINVAL', `${inputs[0].name}: is ${what} where memory is: a raw base does not apply`);
  }
  if (first.content === 'kdump') return kdumpDump(inputs, sniffed, options);
  const input = inputs[0];
  if (first.content === 'elf') return named(input, () => elfDump(first, first.format === 'elf' ? input.bytes : undefined, options));
  const memory =
    input.bytes !== undefined
      ? PhysicalMemory.fromRaw(input.bytes, options.rawBase ?? 0)
      : new PhysicalMemory([{ base: options.rawBase ?? 0, size: input.source.size, load: (o, n) => input.source.read(o, n) }], false, { cacheBytes: options.cacheBytes });
  return { format: 'raw', content: 'raw', memory, core: null, kdump: null, vmcoreinfo: new Map(), arch: null };
}

function kdumpDump(inputs: readonly DumpInput[], sniffed: Sniffed[], options: AssembleOptions): LoadedDump {
  const image =
    inputs.length === 1
      ? named(inputs[0], () => new KdumpImage([sniffed[0].source], { decoder: options.decoder }))
      : new KdumpImage(
          sniffed.map((s) => s.source),
          { decoder: options.decoder, names: inputs.map((i) => i.name) },
        );
  const h = image.header;
  const part = image.parts[0];
  let vmcoreinfo = new Map<string, string>();
  if (h.vmcoreinfo !== null) {
    vmcoreinfo = parseVmcoreinfo(latin1(part.source.read(h.vmcoreinfo.offset, h.vmcoreinfo.size)));
  } else if (h.notes !== null) {
    const desc = findNote(part.source.read(h.notes.offset, h.notes.size).slice(), h.littleEndian, 'VMCOREINFO');
    if (desc !== null) vmcoreinfo = parseVmcoreinfo(latin1(desc));
  }
  return {
    format: sniffed.every((s) => s.format === 'flattened') ? 'flattened' : 'kdump',
    content: 'kdump',
    memory: PhysicalMemory.fromPages(image, options.cacheBytes === undefined ? {} : { cacheBytes: options.cacheBytes }),
    core: null,
    kdump: image,
    vmcoreinfo,
    arch: archFromMachine(h.utsname.machine) ?? archFromVmcoreinfo(vmcoreinfo),
  };
}

/** An ELF core: shared in memory when its bytes are, else read through the source in blocks. */
function elfDump(s: Sniffed, bytes: Uint8Array | undefined, options: AssembleOptions): LoadedDump {
  const base = { format: s.format, content: 'elf' as const, kdump: null };
  if (bytes !== undefined) {
    const { memory, core, vmcoreinfo } = loadElfCore(bytes);
    return { ...base, memory, core, vmcoreinfo, arch: core.arch };
  }
  const source = s.source;
  const size = source.size;
  const ehdr = source.read(0, Math.min(size, 64)).slice();
  const view = new DataView(ehdr.buffer);
  const phoff = ehdr.length >= 64 ? Number(view.getBigUint64(32, true)) : 0;
  const phnum = ehdr.length >= 64 ? view.getUint16(56, true) : 0;
  const headBytes = Math.min(size, Math.max(65536, Math.min(phoff, size) + (phnum === 0xffff ? 65536 * 56 : phnum * 56)));
  const core = parseElfCore(source.read(0, headBytes).slice(), source);
  const regions: OnDemandRegion[] = core.segments
    .filter((seg) => seg.memsz > 0)
    .map((seg) => ({
      base: seg.paddr,
      size: seg.memsz,
      load: (off: number, length: number) => {
        const out = new Uint8Array(length);
        const inFile = Math.max(0, Math.min(length, seg.filesz - off));
        if (inFile > 0) out.set(source.read(seg.offset + off, inFile));
        return out;
      },
    }));
  return { ...base, memory: new PhysicalMemory(regions, false, { cacheBytes: options.cacheBytes }), core, vmcoreinfo: core.vmcoreinfo ?? new Map(), arch: core.arch };
}

/** Bytes as Latin-1 text (VMCOREINFO is ASCII). */
function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}
