/**
 * A pure parser of ELF64 core files as Linux memory dumps are written:
 * QEMU's `dump-guest-memory` in ELF format (QEMU `dump/dump.c`) and the kdump
 * kernel's `/proc/vmcore` (headers from `crash_prepare_elf64_headers()` in the
 * kernel or from kexec-tools, notes merged by `fs/proc/vmcore.c`).
 *
 * It reads only the headers and notes: no memory is copied, note payloads are
 * subarrays of the input. Every field it relies on is validated; anything
 * malformed throws `PagewalkError('EBADIMAGE')` naming the file offset (hex)
 * and the rule broken, never a partial result.
 */
import { PagewalkError, hex } from '../errors.js';
import { asBytes, type BytesLike } from './bytes.js';

/** One PT_LOAD program header: a run of physical memory stored in the file. */
export interface ElfLoadSegment {
  /** Program header index (0-based, as `readelf -l` counts). */
  index: number;
  /** p_paddr: the physical address of the segment's first byte (exact, < 2^53). */
  paddr: number;
  /** p_vaddr, unsigned (kernel virtual addresses do not fit a number exactly). */
  vaddr: bigint;
  /**
   * p_offset: file offset of the segment's bytes. When `filesz` is 0 no byte is
   * read from the file and the value is not checked; if it does not fit a
   * number (QEMU writes -1 for a segment whose memory it did not store) it is 0.
   */
  offset: number;
  /** p_filesz: bytes present in the file. */
  filesz: number;
  /** p_memsz: size of the physical range; bytes past `filesz` read as zero. */
  memsz: number;
  /** p_flags (PF_X 1, PF_W 2, PF_R 4). */
  flags: number;
}

/** One ELF note. */
export interface ElfNote {
  /** The note's name without its NUL terminator ("CORE", "QEMU", "VMCOREINFO"). */
  name: string;
  /** n_type (NT_PRSTATUS 1, NT_FPREGSET 2; 0 for QEMU's and VMCOREINFO notes). */
  type: number;
  /** The descriptor bytes: a subarray of the input, not a copy. */
  desc: Uint8Array;
  /** File offset of the note header. */
  offset: number;
}

export type ElfCoreArch = 'x86-64' | 'arm64' | 'riscv64' | 'loongarch64';

/** What {@link parseElfCore} found in a core file. */
export interface ElfCore {
  /** e_machine. */
  machine: number;
  /** e_machine as an arch name, or null for a machine pagewalk does not model. */
  arch: ElfCoreArch | null;
  /** e_type (always ET_CORE, 4: anything else is rejected). */
  type: number;
  /**
   * PT_LOAD segments sorted by `paddr`, with pairwise disjoint physical ranges
   * (segments with `memsz` 0 are kept and take no range).
   */
  segments: ElfLoadSegment[];
  /**
   * PT_LOAD segments left out of `segments` because their physical range lies
   * inside another segment's and holds exactly the same bytes there: the same
   * memory stored twice. kdump writes this: on x86-64 (and riscv)
   * `crash_prepare_elf64_headers()` adds a PT_LOAD for the kernel image
   * (`_text`..`_end`) besides the System RAM PT_LOAD that contains it.
   * Sorted by `paddr`; usually empty.
   */
  aliases: ElfLoadSegment[];
  /** All notes of all PT_NOTE segments, in file order. */
  notes: ElfNote[];
  /** The first VMCOREINFO note parsed by {@link parseVmcoreinfo}, or null if there is none. */
  vmcoreinfo: Map<string, string> | null;
}

const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const SHDR_SIZE = 64;
const NHDR_SIZE = 12;

const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const EV_CURRENT = 1;
const ET_CORE = 4;
const PT_LOAD = 1;
const PT_NOTE = 4;
/** e_phnum value meaning "the real count is in section header 0's sh_info". */
const PN_XNUM = 0xffff;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TWO_53 = 1n << 53n;

const ARCH_BY_MACHINE: ReadonlyMap<number, ElfCoreArch> = new Map<number, ElfCoreArch>([
  [62, 'x86-64'], // EM_X86_64
  [183, 'arm64'], // EM_AARCH64
  [243, 'riscv64'], // EM_RISCV
  [258, 'loongarch64'], // EM_LOONGARCH
]);

function bad(offset: number, msg: string): PagewalkError {
  return new PagewalkError('EBADIMAGE', `ELF core: at offset ${hex(offset)}: ${msg}`);
}

/** A 64-bit field as an exact number, or EBADIMAGE naming the field. */
function safe(value: bigint, at: number, what: string): number {
  if (value > MAX_SAFE) throw bad(at, `${what} ${hex(value)} does not fit an exact number (>= 2^53)`);
  return Number(value);
}

function range(start: number, size: number): string {
  return `[${hex(start)}, ${hex(start + size)})`;
}

/** Bytes as Latin-1 text (note names and VMCOREINFO are ASCII). */
function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/**
 * Parses an ELF64 little-endian core file (ET_CORE) from `bytes`, which may
 * be a view at any byteOffset into a larger buffer; offsets in the result and
 * in error messages are relative to `bytes[0]`.
 *
 * Accepts: any e_machine (`arch` is null for machines pagewalk does not
 * model); PN_XNUM (e_phnum 0xffff, the real count in section header 0's
 * sh_info, as QEMU writes for more than 65534 segments); PT_LOAD segments
 * with memsz > filesz (the rest reads as zero) and with filesz 0 whatever
 * their p_offset; PT_LOADs that overlap physically only when one lies inside
 * the other with identical bytes (moved to `aliases`); program header types
 * other than PT_LOAD and PT_NOTE (ignored).
 *
 * Notes are read with 4-byte alignment of name and descriptor, as Linux
 * (`append_elf_note()`, `fs/proc/vmcore.c`) and QEMU write ELF64 core notes;
 * 8-byte-aligned notes (the gABI's ELF64 rule, used by some other writers)
 * are not detected and will normally be rejected as malformed. A note with
 * n_namesz 0 ends its segment's notes, as `fs/proc/vmcore.c` reads them;
 * fewer than 12 bytes left at the end of a segment must be zero padding.
 *
 * Rejects with `PagewalkError('EBADIMAGE')`, naming the file offset: a file
 * shorter than the ELF header; bad magic; a class other than ELFCLASS64; a
 * byte order other than little-endian; EI_VERSION other than EV_CURRENT;
 * e_type other than ET_CORE; e_phentsize other than 56; a program header
 * table (or, for PN_XNUM, section header 0) beyond the end of the file; a
 * p_paddr, p_offset, p_filesz or p_memsz that is not an exact number, or a
 * paddr + memsz beyond 2^53; memsz < filesz; a PT_LOAD or PT_NOTE whose file
 * bytes run past the end of the file; two PT_LOADs whose physical ranges
 * overlap partially, or overlap with different contents (both indices and
 * ranges named); a note whose header, name or descriptor runs past its
 * segment. Work and memory are bounded by the file size: nothing is
 * allocated from a size field.
 */
export function parseElfCore(input: BytesLike, source?: ElfSource): ElfCore {
  const bytes = asBytes(input, 'parseElfCore(bytes)');
  // With a source, `bytes` holds only the start of the file (headers, usually the notes too).
  const length = source?.size ?? bytes.length;
  if (length < EHDR_SIZE) {
    throw bad(0, `file too short for an ELF64 header (${length} bytes, need ${EHDR_SIZE})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);

  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw bad(0, `not an ELF file (magic ${magic}, need 7f 45 4c 46)`);
  }
  if (bytes[4] !== ELFCLASS64) {
    throw bad(4, `EI_CLASS ${bytes[4]}: need ELFCLASS64 (2)`);
  }
  if (bytes[5] !== ELFDATA2LSB) {
    throw bad(5, `EI_DATA ${bytes[5]}: need little-endian (ELFDATA2LSB, 1)`);
  }
  if (bytes[6] !== EV_CURRENT) {
    throw bad(6, `EI_VERSION ${bytes[6]}: need EV_CURRENT (1)`);
  }
  const type = view.getUint16(16, true);
  if (type !== ET_CORE) throw bad(16, `e_type ${type}: not a core file (need ET_CORE, 4)`);
  const machine = view.getUint16(18, true);
  const rawPhoff = view.getBigUint64(32, true);
  const phentsize = view.getUint16(54, true);
  let phnum = view.getUint16(56, true);

  if (phnum === PN_XNUM) {
    // The real count is in section header 0's sh_info (QEMU write_elf_section()).
    const shoff = safe(view.getBigUint64(40, true), 40, 'e_shoff');
    const shentsize = view.getUint16(58, true);
    if (shoff === 0) throw bad(40, 'e_phnum is PN_XNUM (0xffff) but e_shoff is 0: no section header 0 to hold the count');
    if (shentsize !== SHDR_SIZE) throw bad(58, `e_phnum is PN_XNUM but e_shentsize is ${shentsize} (need ${SHDR_SIZE})`);
    if (shoff + SHDR_SIZE > Math.min(length, bytes.length)) {
      throw bad(shoff, `section header 0 ${range(shoff, SHDR_SIZE)} (for PN_XNUM) runs past the end of the file (${hex(length)} bytes)`);
    }
    phnum = view.getUint32(shoff + 44, true);
  }

  let phoff = 0;
  if (phnum > 0) {
    phoff = safe(rawPhoff, 32, 'e_phoff');
    if (phentsize !== PHDR_SIZE) throw bad(54, `e_phentsize ${phentsize}: need ${PHDR_SIZE}`);
    if (phoff + phnum * PHDR_SIZE > length) {
      throw bad(phoff, `program header table ${range(phoff, phnum * PHDR_SIZE)} (${phnum} entries) runs past the end of the file (${hex(length)} bytes)`);
    }
    if (phoff + phnum * PHDR_SIZE > bytes.length) {
      throw bad(phoff, `program header table ${range(phoff, phnum * PHDR_SIZE)} lies beyond the ${hex(bytes.length)} bytes read from the start of the file`);
    }
  }

  const loads: ElfLoadSegment[] = [];
  const notes: ElfNote[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * PHDR_SIZE;
    const pType = view.getUint32(at, true);
    if (pType !== PT_LOAD && pType !== PT_NOTE) continue;
    const what = pType === PT_LOAD ? `PT_LOAD [${i}]` : `PT_NOTE [${i}]`;
    const rawOffset = view.getBigUint64(at + 8, true);
    const filesz = safe(view.getBigUint64(at + 32, true), at + 32, `${what} p_filesz`);
    const memsz = safe(view.getBigUint64(at + 40, true), at + 40, `${what} p_memsz`);
    let offset = 0;
    if (filesz > 0) {
      offset = safe(rawOffset, at + 8, `${what} p_offset`);
      if (offset + filesz > length) {
        throw bad(at, `${what} file bytes ${range(offset, filesz)} run past the end of the file (${hex(length)} bytes): truncated`);
      }
    } else if (rawOffset <= MAX_SAFE) {
      offset = Number(rawOffset);
    }

    if (pType === PT_NOTE) {
      if (offset + filesz <= bytes.length) readNotes(bytes, view, offset, filesz, i, notes, 0);
      else {
        const seg = source!.read(offset, filesz);
        readNotes(seg, new DataView(seg.buffer, seg.byteOffset, seg.length), 0, filesz, i, notes, offset);
      }
      continue;
    }

    const rawPaddr = view.getBigUint64(at + 24, true);
    const paddr = safe(rawPaddr, at + 24, `${what} p_paddr`);
    if (memsz < filesz) {
      throw bad(at, `${what} p_memsz ${hex(memsz)} < p_filesz ${hex(filesz)}`);
    }
    if (rawPaddr + BigInt(memsz) > TWO_53) {
      throw bad(at, `${what} physical range ${hex(rawPaddr)} + ${hex(memsz)} ends beyond 2^53`);
    }
    loads.push({
      index: i,
      paddr,
      vaddr: view.getBigUint64(at + 16, true),
      offset,
      filesz,
      memsz,
      flags: view.getUint32(at + 4, true),
    });
  }

  const { segments, aliases } = disjoinLoads(source ?? { size: bytes.length, read: (o, n) => bytes.subarray(o, o + n) }, loads, phoff);

  let vmcoreinfo: Map<string, string> | null = null;
  for (const note of notes) {
    if (note.name === 'VMCOREINFO') {
      vmcoreinfo = parseVmcoreinfo(latin1(note.desc));
      break;
    }
  }

  return { machine, arch: ARCH_BY_MACHINE.get(machine) ?? null, type, segments, aliases, notes, vmcoreinfo };
}

/**
 * A core file too big to hold: its size and a reader of byte ranges (the
 * Node entry reads them from the file). parseElfCore() then needs only the
 * file's first bytes in memory.
 */
export interface ElfSource {
  size: number;
  read(offset: number, length: number): Uint8Array;
}

/** Appends the notes of one PT_NOTE segment (bytes [start, start + size) of `bytes`, which starts at file offset `base`). */
function readNotes(bytes: Uint8Array, view: DataView, start: number, size: number, index: number, out: ElfNote[], base: number): void {
  const end = start + size;
  let off = start;
  while (off < end) {
    if (end - off < NHDR_SIZE) {
      for (let k = off; k < end; k++) {
        if (bytes[k] !== 0) {
          throw bad(base + off, `PT_NOTE [${index}]: ${end - off} trailing bytes are too few for a note header (${NHDR_SIZE}) and not zero padding`);
        }
      }
      return;
    }
    const namesz = view.getUint32(off, true);
    const descsz = view.getUint32(off + 4, true);
    const type = view.getUint32(off + 8, true);
    if (namesz === 0) return; // end of notes, as fs/proc/vmcore.c reads them
    const nameAt = off + NHDR_SIZE;
    const descAt = nameAt + align4(namesz);
    if (nameAt + namesz > end || descAt > end) {
      throw bad(base + off, `PT_NOTE [${index}]: note name (n_namesz ${hex(namesz)}) runs past the end of its segment ${range(base + start, size)}`);
    }
    if (descAt + descsz > end) {
      throw bad(base + off, `PT_NOTE [${index}]: note descriptor (n_descsz ${hex(descsz)}) at ${hex(base + descAt)} runs past the end of its segment ${range(base + start, size)}`);
    }
    let nameEnd = nameAt;
    while (nameEnd < nameAt + namesz && bytes[nameEnd] !== 0) nameEnd++;
    out.push({
      name: latin1(bytes.subarray(nameAt, nameEnd)),
      type,
      desc: bytes.subarray(descAt, descAt + descsz),
      offset: base + off,
    });
    off = descAt + align4(descsz);
  }
}

/**
 * Sorts PT_LOADs by paddr and makes their physical ranges disjoint: a segment
 * inside another with the same bytes becomes an alias; any other overlap is
 * an error naming both.
 */
function disjoinLoads(
  file: ElfSource,
  loads: ElfLoadSegment[],
  phoff: number,
): { segments: ElfLoadSegment[]; aliases: ElfLoadSegment[] } {
  // Containers before what they contain: equal paddr sorts the larger first.
  const sorted = loads.slice().sort((a, b) => a.paddr - b.paddr || b.memsz - a.memsz || a.index - b.index);
  const segments: ElfLoadSegment[] = [];
  const aliases: ElfLoadSegment[] = [];
  let cover: ElfLoadSegment | null = null; // the kept segment reaching highest
  for (const s of sorted) {
    if (s.memsz === 0) {
      segments.push(s);
      continue;
    }
    if (cover === null || s.paddr >= cover.paddr + cover.memsz) {
      segments.push(s);
      cover = s;
      continue;
    }
    const at = phoff + s.index * PHDR_SIZE;
    const both = `PT_LOAD [${s.index}] paddr ${range(s.paddr, s.memsz)} overlaps PT_LOAD [${cover.index}] paddr ${range(cover.paddr, cover.memsz)}`;
    if (s.paddr + s.memsz > cover.paddr + cover.memsz) {
      throw bad(at, `${both} (partial overlap: physical ranges of PT_LOAD segments must be disjoint, or one must alias part of the other)`);
    }
    const diff = firstDifference(file, s, cover);
    if (diff >= 0) {
      throw bad(at, `${both} and their bytes differ at paddr ${hex(s.paddr + diff)}`);
    }
    aliases.push(s);
  }
  return { segments, aliases };
}

/**
 * Compares `inner` (whose physical range lies inside `outer`'s) with the
 * same physical bytes of `outer`, bytes past filesz reading as zero. Returns
 * the first differing offset into `inner`, or -1. Work is bounded by the two
 * filesz values, never by memsz.
 */
function firstDifference(file: ElfSource, inner: ElfLoadSegment, outer: ElfLoadSegment): number {
  const delta = inner.paddr - outer.paddr;
  const limit = Math.min(inner.memsz, Math.max(inner.filesz, outer.filesz - delta));
  const CHUNK = 1 << 20;
  for (let at = 0; at < limit; at += CHUNK) {
    const n = Math.min(CHUNK, limit - at);
    const a = file.read(inner.offset + at, Math.max(0, Math.min(n, inner.filesz - at)));
    const bStart = delta + at;
    const b = file.read(outer.offset + bStart, Math.max(0, Math.min(n, outer.filesz - bStart)));
    for (let i = 0; i < n; i++) {
      if ((i < a.length ? a[i] : 0) !== (i < b.length ? b[i] : 0)) return at + i;
    }
  }
  return -1;
}

/**
 * Parses VMCOREINFO text (the descriptor of the kernel's "VMCOREINFO" note,
 * `kernel/crash_core.c`) into a map: one `KEY=VALUE` per line, e.g.
 * `OSRELEASE=6.1.0-56-amd64`, `PAGESIZE=4096`,
 * `SYMBOL(init_top_pgt)=ffffffff82a10000` (hex without 0x),
 * `NUMBER(phys_base)=0` (decimal, may be negative), `OFFSET(page.flags)=0`.
 * Values stay strings: the kernel prints SYMBOL in hex and NUMBER/OFFSET/SIZE
 * in decimal, and the caller knows which it asked for.
 *
 * Accepts any string. The text ends at its first NUL (a C string: writers may
 * pad the note with NULs). Lines end in LF; a CR before the LF is dropped.
 * The key is everything before the first '=', the value everything after it
 * (so a value may contain '='); nothing is trimmed. Empty lines and lines
 * without '=' are skipped. If a key repeats, the first value is kept, as C
 * readers that search with strstr() see it.
 */
export function parseVmcoreinfo(text: string): Map<string, string> {
  const map = new Map<string, string>();
  const nul = text.indexOf('\0');
  const body = nul >= 0 ? text.slice(0, nul) : text;
  for (let line of body.split('\n')) {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    if (!map.has(key)) map.set(key, line.slice(eq + 1));
  }
  return map;
}
