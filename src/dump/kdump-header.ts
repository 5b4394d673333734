/**
 * The headers of a kdump-compressed file (makedumpfile's "KDUMP   "; the old
 * diskdump "DISKDUMP" where its layout is the same): `struct
 * disk_dump_header` in block 0 and `struct kdump_sub_header` in block 1,
 * as makedumpfile's diskdump_mod.h / makedumpfile.h and QEMU's dump.h
 * define them, in the byte order and word size of the dumped machine.
 *
 * Layouts (offsets in bytes):
 * - disk_dump_header: signature[8] @0, int header_version @8,
 *   new_utsname (6 x char[65]) @0xc, then `struct timeval` aligned to the
 *   word: @0x198 (16 bytes) with 8-byte longs, @0x194 (8 bytes) with 4-byte
 *   longs; then status, block_size, sub_hdr_size, bitmap_blocks, max_mapnr,
 *   total_ram_blocks, device_blocks, written_blocks, current_cpu, nr_cpus
 *   (4 bytes each).
 * - kdump_sub_header, 64-bit: phys_base u64 @0, dump_level i32 @8, split
 *   i32 @0xc, start_pfn @0x10, end_pfn @0x18, offset_vmcoreinfo @0x20,
 *   size_vmcoreinfo @0x28, offset_note @0x30, size_note @0x38,
 *   offset_eraseinfo @0x40, size_eraseinfo @0x48, start_pfn_64 @0x50,
 *   end_pfn_64 @0x58, max_mapnr_64 @0x60.
 * - 32-bit, 64-bit values aligned to 4 (i386; QEMU's KdumpSubHeader32):
 *   phys_base u32 @0, dump_level @4, split @8, start_pfn u32 @0xc, end_pfn
 *   @0x10, offset_vmcoreinfo u64 @0x14, size_vmcoreinfo u32 @0x1c,
 *   offset_note u64 @0x20, size_note @0x28, offset_eraseinfo @0x2c,
 *   size_eraseinfo @0x34, start_pfn_64 @0x38, end_pfn_64 @0x40,
 *   max_mapnr_64 @0x48.
 * - 32-bit, 64-bit values aligned to 8 (ARM; crash's
 *   kdump_sub_header_ARM_target): as above to end_pfn, then
 *   offset_vmcoreinfo @0x18, size_vmcoreinfo @0x20, offset_note @0x28,
 *   size_note @0x30, offset_eraseinfo @0x38, size_eraseinfo @0x40,
 *   start_pfn_64 @0x48, end_pfn_64 @0x50, max_mapnr_64 @0x58.
 * A field is read only when header_version says it exists (the version in
 * which it appeared is in the struct's comments).
 */
import { hex } from '../errors.js';
import { badDump, readRange, type ByteSource } from './byte-source.js';

/** header status bits (makedumpfile.h). */
export const DUMP_DH_COMPRESSED_ZLIB = 0x1;
export const DUMP_DH_COMPRESSED_LZO = 0x2;
export const DUMP_DH_COMPRESSED_SNAPPY = 0x4;
export const DUMP_DH_COMPRESSED_INCOMPLETE = 0x8;
export const DUMP_DH_EXCLUDED_VMEMMAP = 0x10;
export const DUMP_DH_COMPRESSED_ZSTD = 0x20;

const MIN_BLOCK = 1024;
const MAX_BLOCK = 1 << 20;
/** Physical memory a dump may describe: 2^52 bytes, the widest of the four arches. */
const MAX_PHYS = 2 ** 52;
/** Bounds on the header's side data, whatever the file claims. */
const MAX_VMCOREINFO = 1 << 20;
const MAX_NOTES = 64 << 20;
/** Machines whose kernels have 4-byte longs: makedumpfile writes them the 32-bit layouts. */
const MACHINES_32 = /^(i[3-6]86|arm(v\d+\w*)?|mips|mipsel|ppc|s390|sh\d*|sparc|m68k|xtensa|riscv32|or1k|microblaze|nios2|csky|hexagon|arc)$/;

export type SubHeaderLayout = '64' | '32-packed' | '32-padded';

export interface Utsname {
  sysname: string;
  nodename: string;
  release: string;
  version: string;
  machine: string;
  domainname: string;
}

/** What the headers of one kdump file say, checked. */
export interface KdumpHeader {
  /** "KDUMP" (makedumpfile, QEMU) or "DISKDUMP" (the old diskdump: no sub-header is read). */
  signature: 'KDUMP' | 'DISKDUMP';
  littleEndian: boolean;
  /** sizeof(long) of the dumped kernel, in bits. */
  wordBits: 32 | 64;
  /** Which kdump_sub_header layout was read (null for DISKDUMP or header_version 0). */
  subHeaderLayout: SubHeaderLayout | null;
  headerVersion: number;
  utsname: Utsname;
  /** timestamp tv_sec. */
  timestamp: number;
  status: number;
  blockSize: number;
  /** log2(blockSize). */
  blockShift: number;
  /** sub_hdr_size, in blocks. */
  subHdrBlocks: number;
  bitmapBlocks: number;
  /** Effective max_mapnr: max_mapnr_64 from header_version 6 on, else the header's 32-bit field. */
  maxMapnr: number;
  nrCpus: number;
  physBase: bigint | null;
  dumpLevel: number | null;
  /** This file is one part of a --split set. */
  split: boolean;
  /** The pfns whose descriptors this file holds: [0, maxMapnr) unless split. */
  startPfn: number;
  endPfn: number;
  vmcoreinfo: { offset: number; size: number } | null;
  notes: { offset: number; size: number } | null;
  /** File offsets of the 1st bitmap (memory present), the 2nd (dumped), and the page descriptors. */
  bitmap1Offset: number;
  bitmap2Offset: number;
  /** Bytes of each bitmap the file has room for. */
  bitmapBytes: number;
  descOffset: number;
  /** The raw disk_dump_header: parts of one split dump have identical ones (makedumpfile --reassemble compares them). */
  raw: Uint8Array;
}

/** Where a disk_dump_header field is, for the two word sizes. */
const FIELDS = {
  64: { timestamp: 0x198, status: 0x1a8, end: 0x1d0 },
  32: { timestamp: 0x194, status: 0x19c, end: 0x1c4 },
} as const;

interface Candidate {
  le: boolean;
  bits: 32 | 64;
  version: number;
  status: number;
  blockSize: number;
  subHdrBlocks: number;
  bitmapBlocks: number;
  maxMapnr32: number;
  nrCpus: number;
}

function readCandidate(view: DataView, le: boolean, bits: 32 | 64): Candidate {
  const at = FIELDS[bits].status;
  return {
    le,
    bits,
    version: view.getInt32(8, le),
    status: view.getUint32(at, le),
    blockSize: view.getInt32(at + 4, le),
    subHdrBlocks: view.getInt32(at + 8, le),
    bitmapBlocks: view.getUint32(at + 12, le),
    maxMapnr32: view.getUint32(at + 16, le),
    nrCpus: view.getInt32(at + 36, le),
  };
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/** A reading of the header that a real writer could have produced, and whose areas lie in the file. */
function plausible(c: Candidate, size: number, incomplete: boolean): boolean {
  if (c.version < 0 || c.version > 0xffff) return false;
  if (!isPowerOfTwo(c.blockSize) || c.blockSize < MIN_BLOCK || c.blockSize > MAX_BLOCK) return false;
  if (c.subHdrBlocks < 0 || c.bitmapBlocks === 0) return false;
  const bitmapEnd = (1 + c.subHdrBlocks + c.bitmapBlocks) * c.blockSize;
  return incomplete || bitmapEnd <= size;
}

function cString(bytes: Uint8Array): string {
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  let s = '';
  for (let i = 0; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function readUtsname(block0: Uint8Array): Utsname {
  const field = (i: number) => cString(block0.subarray(0xc + 65 * i, 0xc + 65 * (i + 1)));
  return { sysname: field(0), nodename: field(1), release: field(2), version: field(3), machine: field(4), domainname: field(5) };
}

/**
 * Reads and checks the headers of a kdump-compressed file. The byte order
 * and word size are not written anywhere: they are the reading of the
 * header that is plausible (a header_version below 2^16, a power-of-two
 * block size from 1 KiB to 1 MiB, bitmaps that lie in the file), trying
 * little-endian before big-endian and 64-bit before 32-bit, or 32-bit first
 * when utsname.machine names a 32-bit machine (i686, arm...).
 *
 * Throws PagewalkError EBADIMAGE naming the offset: a file shorter than
 * its header, a signature other than KDUMP/DISKDUMP, no plausible reading,
 * a sub-header, bitmap or side area (VMCOREINFO, notes) outside the file,
 * max_mapnr beyond what the bitmaps cover or beyond 2^52 bytes, a split
 * range outside [0, max_mapnr], an impossible version-dependent field.
 */
export function parseKdumpHeader(source: ByteSource): KdumpHeader {
  if (source.size < FIELDS[64].end) {
    throw badDump(source, 0, `file too short for a kdump header (${source.size} bytes, need ${FIELDS[64].end})`);
  }
  const raw = source.read(0, FIELDS[64].end).slice();
  const sig = cString(raw.subarray(0, 8));
  const signature = sig === 'KDUMP   ' || sig === 'KDUMP' ? 'KDUMP' : sig === 'DISKDUMP' ? 'DISKDUMP' : null;
  if (signature === null) throw badDump(source, 0, `signature ${JSON.stringify(sig)} is neither "KDUMP   " nor "DISKDUMP"`);
  const view = new DataView(raw.buffer);
  const utsname = readUtsname(raw);
  const statusLe64 = view.getUint32(FIELDS[64].status, true);
  const statusBe64 = view.getUint32(FIELDS[64].status, false);
  const maybeIncomplete = ((statusLe64 | statusBe64) & DUMP_DH_COMPRESSED_INCOMPLETE) !== 0 || source.truncated;
  const order: (32 | 64)[] = MACHINES_32.test(utsname.machine) ? [32, 64] : [64, 32];
  let c: Candidate | null = null;
  for (const bits of order) {
    for (const le of [true, false]) {
      const cand = readCandidate(view, le, bits);
      if (c === null && plausible(cand, source.size, maybeIncomplete)) c = cand;
    }
  }
  if (c === null) {
    // A reading that fits but for the file's length: the file was cut short.
    for (const bits of order) {
      for (const le of [true, false]) {
        const cand = readCandidate(view, le, bits);
        if (plausible(cand, Infinity, true)) {
          const start = (1 + cand.subHdrBlocks) * cand.blockSize;
          const end = start + cand.bitmapBlocks * cand.blockSize;
          throw badDump(source, start, `the bitmaps [${hex(start)}, ${hex(end)}) run past the end of the file (${hex(source.size)} bytes), and the header does not say the dump is incomplete: truncated`);
        }
      }
    }
    const le = readCandidate(view, true, 64);
    throw badDump(
      source,
      FIELDS[64].status + 4,
      `no reading of the disk_dump_header is plausible in either byte order or word size (as 64-bit little-endian: header_version ${le.version}, ` +
        `block_size ${le.blockSize}, sub_hdr_size ${le.subHdrBlocks}, bitmap_blocks ${le.bitmapBlocks}: need a power-of-two block size from 1 KiB to 1 MiB and bitmaps inside the ${hex(source.size)}-byte file)`,
    );
  }
  const f = FIELDS[c.bits];
  const le = c.le;
  const blockSize = c.blockSize;
  const timestamp = c.bits === 64 ? Number(view.getBigInt64(f.timestamp, le)) : view.getInt32(f.timestamp, le);

  let maxMapnr = c.maxMapnr32;
  let physBase: bigint | null = null;
  let dumpLevel: number | null = null;
  let split = false;
  let startPfn = 0;
  let endPfn = -1;
  let vmcoreinfo: { offset: number; size: number } | null = null;
  let notes: { offset: number; size: number } | null = null;
  let layout: SubHeaderLayout | null = null;

  if (signature === 'KDUMP' && c.version >= 1) {
    if (c.subHdrBlocks < 1) throw badDump(source, f.status + 8, `sub_hdr_size ${c.subHdrBlocks}: header_version ${c.version} has a sub-header, which needs at least one block`);
    const subLen = Math.min(0x68, c.subHdrBlocks * blockSize);
    const sub = readRange(source, blockSize, subLen, 'kdump_sub_header').slice();
    const s = new DataView(sub.buffer);
    layout = c.bits === 64 ? '64' : subHeaderLayout32(s, le, c.version, blockSize, c.subHdrBlocks);
    const at = SUB_FIELDS[layout];
    const u64 = (o: number) => (o + 8 <= sub.length ? s.getBigUint64(o, le) : 0n);
    const u32 = (o: number) => (o + 4 <= sub.length ? s.getUint32(o, le) : 0);
    const word = (o: number) => (c!.bits === 64 ? u64(o) : BigInt(u32(o)));
    const num = (v: bigint, o: number, what: string): number => {
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw badDump(source, blockSize + o, `${what} ${hex(v)} does not fit an exact number`);
      return Number(v);
    };
    physBase = word(at.physBase);
    dumpLevel = s.getInt32(at.dumpLevel, le);
    if (c.version >= 2) {
      split = s.getInt32(at.split, le) !== 0;
      if (split) {
        startPfn = num(word(at.startPfn), at.startPfn, 'start_pfn');
        endPfn = num(word(at.endPfn), at.endPfn, 'end_pfn');
      }
    }
    if (c.version >= 3) {
      const off = num(u64(at.offsetVmcoreinfo), at.offsetVmcoreinfo, 'offset_vmcoreinfo');
      const size = num(c.bits === 64 ? u64(at.sizeVmcoreinfo) : BigInt(u32(at.sizeVmcoreinfo)), at.sizeVmcoreinfo, 'size_vmcoreinfo');
      if (off !== 0 && size !== 0) vmcoreinfo = checkSide(source, blockSize + at.offsetVmcoreinfo, off, size, MAX_VMCOREINFO, 'VMCOREINFO');
    }
    if (c.version >= 4) {
      const off = num(u64(at.offsetNote), at.offsetNote, 'offset_note');
      const size = num(c.bits === 64 ? u64(at.sizeNote) : BigInt(u32(at.sizeNote)), at.sizeNote, 'size_note');
      if (off !== 0 && size !== 0) notes = checkSide(source, blockSize + at.offsetNote, off, size, MAX_NOTES, 'ELF notes');
    }
    if (c.version >= 6) {
      maxMapnr = num(u64(at.maxMapnr64), at.maxMapnr64, 'max_mapnr_64');
      if (split) {
        startPfn = num(u64(at.startPfn64), at.startPfn64, 'start_pfn_64');
        endPfn = num(u64(at.endPfn64), at.endPfn64, 'end_pfn_64');
      }
    }
  }

  if (maxMapnr * blockSize > MAX_PHYS) {
    throw badDump(source, f.status + 16, `max_mapnr ${hex(maxMapnr)} pages of ${blockSize} bytes is beyond 2^52 bytes of physical memory`);
  }
  const bitmapTotal = c.bitmapBlocks * blockSize;
  const needed = Math.ceil(maxMapnr / 8);
  // Two bitmaps (memory, dumped) when there is room for them (crash's dump_is_partial()); an old full
  // diskdump has one, which is both. makedumpfile and QEMU always write two.
  const two = c.bitmapBlocks >= 2 * Math.ceil(needed / blockSize);
  const half = two ? Math.floor(bitmapTotal / 2) : bitmapTotal;
  if (signature === 'KDUMP' && !two) {
    throw badDump(source, f.status + 12, `bitmap_blocks ${c.bitmapBlocks} (${hex(bitmapTotal)} bytes) cannot hold two bitmaps of the ${hex(needed)} bytes max_mapnr ${hex(maxMapnr)} needs`);
  }
  if (half * 8 < maxMapnr) {
    throw badDump(source, f.status + 16, `max_mapnr ${hex(maxMapnr)} is beyond the ${half * 8} pages the bitmap covers`);
  }
  if (!split) endPfn = maxMapnr;
  else if (!(startPfn <= endPfn && endPfn <= maxMapnr)) {
    throw badDump(source, blockSize, `split range [${hex(startPfn)}, ${hex(endPfn)}) is not inside [0, max_mapnr ${hex(maxMapnr)})`);
  }
  const bitmap1Offset = (1 + c.subHdrBlocks) * blockSize;
  return {
    signature,
    littleEndian: le,
    wordBits: c.bits,
    subHeaderLayout: layout,
    headerVersion: c.version,
    utsname,
    timestamp,
    status: c.status,
    blockSize,
    blockShift: Math.log2(blockSize),
    subHdrBlocks: c.subHdrBlocks,
    bitmapBlocks: c.bitmapBlocks,
    maxMapnr,
    nrCpus: c.nrCpus,
    physBase,
    dumpLevel,
    split,
    startPfn,
    endPfn,
    vmcoreinfo,
    notes,
    bitmap1Offset,
    bitmap2Offset: two ? bitmap1Offset + half : bitmap1Offset,
    bitmapBytes: Math.min(half, needed),
    descOffset: bitmap1Offset + bitmapTotal,
    raw: raw.subarray(0, f.end),
  };
}

const SUB_FIELDS: Record<SubHeaderLayout, Record<string, number>> = {
  '64': {
    physBase: 0, dumpLevel: 8, split: 0xc, startPfn: 0x10, endPfn: 0x18, offsetVmcoreinfo: 0x20, sizeVmcoreinfo: 0x28,
    offsetNote: 0x30, sizeNote: 0x38, startPfn64: 0x50, endPfn64: 0x58, maxMapnr64: 0x60,
  },
  '32-packed': {
    physBase: 0, dumpLevel: 4, split: 8, startPfn: 0xc, endPfn: 0x10, offsetVmcoreinfo: 0x14, sizeVmcoreinfo: 0x1c,
    offsetNote: 0x20, sizeNote: 0x28, startPfn64: 0x38, endPfn64: 0x40, maxMapnr64: 0x48,
  },
  '32-padded': {
    physBase: 0, dumpLevel: 4, split: 8, startPfn: 0xc, endPfn: 0x10, offsetVmcoreinfo: 0x18, sizeVmcoreinfo: 0x20,
    offsetNote: 0x28, sizeNote: 0x30, startPfn64: 0x48, endPfn64: 0x50, maxMapnr64: 0x58,
  },
};

/**
 * Which 32-bit sub-header layout a file has: the one whose VMCOREINFO and
 * note areas lie inside the sub-header blocks (where makedumpfile and QEMU
 * put them) or are absent. The layouts agree up to end_pfn, so a header
 * older than version 3 reads the same either way.
 */
function subHeaderLayout32(s: DataView, le: boolean, version: number, blockSize: number, subBlocks: number): SubHeaderLayout {
  if (version < 3) return '32-packed';
  const end = (1 + subBlocks) * blockSize;
  const fits = (layout: SubHeaderLayout): boolean => {
    const at = SUB_FIELDS[layout];
    const inside = (offAt: number, sizeAt: number): boolean => {
      if (sizeAt + 4 > s.byteLength || offAt + 8 > s.byteLength) return false;
      const off = Number(s.getBigUint64(offAt, le));
      const size = s.getUint32(sizeAt, le);
      return (off === 0 && size === 0) || (off >= blockSize && off + size <= end);
    };
    return inside(at.offsetVmcoreinfo, at.sizeVmcoreinfo) && (version < 4 || inside(at.offsetNote, at.sizeNote));
  };
  if (fits('32-packed')) return '32-packed';
  if (fits('32-padded')) return '32-padded';
  return '32-packed';
}

function checkSide(source: ByteSource, fieldAt: number, offset: number, size: number, max: number, what: string): { offset: number; size: number } {
  if (size > max) throw badDump(source, fieldAt, `${what} size ${hex(size)} is beyond the ${hex(max)}-byte limit`);
  if (offset + size > source.size) {
    throw badDump(source, fieldAt, `${what} [${hex(offset)}, ${hex(offset + size)}) runs past the end of the file (${hex(source.size)} bytes)`);
  }
  return { offset, size };
}
