/**
 * A writer of kdump-compressed and flattened files for the cases no real
 * file in test/fixtures covers (split sets, excluded pages, big-endian and
 * 32-bit layouts, DISKDUMP, old header versions, block sizes other than the
 * page size, corrupt files). It follows makedumpfile 1.7.2 as the kdump
 * README in test/fixtures/x86-64-4level/kdump describes it and as
 * makedumpfile.c does:
 *
 * - write_kdump_header(): `struct disk_dump_header` in block 0 (signature,
 *   header_version, utsname, timestamp, status, block_size, sub_hdr_size =
 *   divideup(sizeof(kdump_sub_header) + size_note, block_size),
 *   bitmap_blocks, max_mapnr = MIN(max_mapnr, UINT_MAX), nr_cpus);
 *   `struct kdump_sub_header` at block_size (phys_base, dump_level, split,
 *   start_pfn/end_pfn, offset/size of VMCOREINFO and of the notes, which
 *   follow the sub-header at block_size + sizeof(kh), start/end_pfn_64,
 *   max_mapnr_64);
 * - the two bitmaps at (1 + sub_hdr_size) * block_size, each
 *   bitmap_blocks / 2 blocks, of which ceil(max_mapnr / 8) bytes are
 *   written (makedumpfile's len_bitmap: two halves of
 *   divideup(max_mapnr, 8 * block_size) blocks);
 * - write_kdump_pages_and_bitmap_cyclic(): the page descriptors at
 *   (1 + sub_hdr_size + bitmap_blocks) * block_size, room for all
 *   `num_dumpable` pages (in every part of a split set), then the page
 *   data: with dump level bit 1 one raw zero block first, which every
 *   all-zero page's descriptor shares, then each page of this file's pfn
 *   range in pfn order, compressed when that makes it smaller, else raw;
 * - setup_splitting() / calculate_end_pfn_by_splitblock(): part i ends at
 *   the first splitblock boundary where it has num_dumpable / num_dumpfile
 *   dumpable pages; the last part ends at max_mapnr.
 *
 * Layout choices a real writer makes elsewhere (byte order and word size:
 * makedumpfile builds for the dumped machine; QEMU's create_header32/64)
 * are options. Tests that use it also check it against makedumpfile's own
 * output where one exists.
 */
import { deflateSync } from 'node:zlib';

/** A page as it is stored: a shared zero block, or bytes with their page_desc flags. */
export type StoredPage = { zero: true } | { zero?: false; flags: number; bytes: Uint8Array };

export interface KdumpSpec {
  blockSize: number;
  maxMapnr: number;
  /** Dumped pages by pfn (set in both bitmaps). */
  pages: Map<number, StoredPage>;
  /** RAM the dump level excluded: set in the 1st bitmap only. */
  excluded?: Iterable<number>;
  /** The source's ELF notes, and where the VMCOREINFO descriptor is in them. */
  notes?: Uint8Array;
  vmcoreinfoInNotes?: { offset: number; size: number };
  dumpLevel?: number;
  status?: number;
  headerVersion?: number;
  signature?: 'KDUMP   ' | 'DISKDUMP';
  littleEndian?: boolean;
  /** sizeof(long): 64, or 32 with 64-bit values aligned to 4 ('packed', i386) or to 8 ('padded', ARM). */
  word?: 64 | '32-packed' | '32-padded';
  machine?: string;
  nrCpus?: number;
  /** A part of a split set: its pfn range. */
  split?: { start: number; end: number };
  /** DISKDUMP-style single bitmap (the dumped pages are all the memory). */
  oneBitmap?: boolean;
}

const SUB_SIZE = { 64: 0x68, '32-packed': 0x50, '32-padded': 0x60 } as const;
const SUB = {
  64: { physBase: 0, dumpLevel: 8, split: 0xc, startPfn: 0x10, endPfn: 0x18, offVmci: 0x20, sizeVmci: 0x28, offNote: 0x30, sizeNote: 0x38, start64: 0x50, end64: 0x58, max64: 0x60 },
  '32-packed': { physBase: 0, dumpLevel: 4, split: 8, startPfn: 0xc, endPfn: 0x10, offVmci: 0x14, sizeVmci: 0x1c, offNote: 0x20, sizeNote: 0x28, start64: 0x38, end64: 0x40, max64: 0x48 },
  '32-padded': { physBase: 0, dumpLevel: 4, split: 8, startPfn: 0xc, endPfn: 0x10, offVmci: 0x18, sizeVmci: 0x20, offNote: 0x28, sizeNote: 0x30, start64: 0x48, end64: 0x50, max64: 0x58 },
} as const;

/** Writes one kdump-compressed file. */
export function buildKdump(spec: KdumpSpec): Uint8Array {
  const bs = spec.blockSize;
  const le = spec.littleEndian ?? true;
  const word = spec.word ?? 64;
  const bits64 = word === 64;
  const version = spec.headerVersion ?? 6;
  const notes = spec.notes ?? new Uint8Array(0);
  const dumpLevel = spec.dumpLevel ?? 1;
  const subSize = SUB_SIZE[word];
  const subBlocks = Math.ceil((subSize + notes.length) / bs);
  const halfBlocks = Math.ceil(spec.maxMapnr / (8 * bs));
  const bitmapBlocks = spec.oneBitmap ? halfBlocks : 2 * halfBlocks;
  const bitmap1 = (1 + subBlocks) * bs;
  const bitmap2 = spec.oneBitmap ? bitmap1 : bitmap1 + halfBlocks * bs;
  const descAt = (1 + subBlocks + bitmapBlocks) * bs;
  const pfns = [...spec.pages.keys()].sort((a, b) => a - b);
  const numDumpable = pfns.length;
  const range = spec.split ?? { start: 0, end: spec.maxMapnr };
  const mine = pfns.filter((p) => p >= range.start && p < range.end);
  const hasZero = (dumpLevel & 1) !== 0;

  // Page data, in pfn order after the zero block.
  let dataAt = descAt + 24 * numDumpable;
  const zeroAt = dataAt;
  if (hasZero) dataAt += bs;
  const descs: { offset: number; size: number; flags: number }[] = [];
  const chunks: { at: number; bytes: Uint8Array }[] = [];
  for (const pfn of mine) {
    const p = spec.pages.get(pfn)!;
    if (p.zero) {
      if (!hasZero) throw new Error('a shared zero page needs dump level bit 1');
      descs.push({ offset: zeroAt, size: bs, flags: 0 });
      continue;
    }
    descs.push({ offset: dataAt, size: p.bytes.length, flags: p.flags });
    chunks.push({ at: dataAt, bytes: p.bytes });
    dataAt += p.bytes.length;
  }
  const out = new Uint8Array(dataAt);
  const v = new DataView(out.buffer);

  // disk_dump_header
  const sig = spec.signature ?? 'KDUMP   ';
  for (let i = 0; i < 8; i++) out[i] = sig.charCodeAt(i);
  v.setInt32(8, version, le);
  const machine = spec.machine ?? '';
  for (let i = 0; i < machine.length; i++) out[0xc + 65 * 4 + i] = machine.charCodeAt(i);
  const status = bits64 ? 0x1a8 : 0x19c;
  v.setUint32(status, spec.status ?? 0, le);
  v.setInt32(status + 4, bs, le);
  v.setInt32(status + 8, subBlocks, le);
  v.setUint32(status + 12, bitmapBlocks, le);
  v.setUint32(status + 16, Math.min(spec.maxMapnr, 0xffffffff), le);
  v.setInt32(status + 36, spec.nrCpus ?? 1, le);

  // kdump_sub_header and the notes after it
  if (sig === 'KDUMP   ' && version >= 1) {
    const k = SUB[word];
    const at = bs;
    const setWord = (o: number, x: number) => (bits64 ? v.setBigUint64(at + o, BigInt(x), le) : v.setUint32(at + o, x, le));
    setWord(k.physBase, 0);
    v.setInt32(at + k.dumpLevel, dumpLevel, le);
    if (spec.split) {
      v.setInt32(at + k.split, 1, le);
      setWord(k.startPfn, Math.min(range.start, bits64 ? Number.MAX_SAFE_INTEGER : 0xffffffff));
      setWord(k.endPfn, Math.min(range.end, bits64 ? Number.MAX_SAFE_INTEGER : 0xffffffff));
    }
    const notesAt = bs + subSize;
    if (notes.length > 0) {
      out.set(notes, notesAt);
      if (version >= 4) {
        v.setBigUint64(at + k.offNote, BigInt(notesAt), le);
        setWord(k.sizeNote, notes.length);
      }
      if (version >= 3 && spec.vmcoreinfoInNotes) {
        v.setBigUint64(at + k.offVmci, BigInt(notesAt + spec.vmcoreinfoInNotes.offset), le);
        setWord(k.sizeVmci, spec.vmcoreinfoInNotes.size);
      }
    }
    if (version >= 6) {
      if (spec.split) {
        v.setBigUint64(at + k.start64, BigInt(range.start), le);
        v.setBigUint64(at + k.end64, BigInt(range.end), le);
      }
      v.setBigUint64(at + k.max64, BigInt(spec.maxMapnr), le);
    }
  }

  // bitmaps
  for (const pfn of pfns) {
    out[bitmap1 + (pfn >> 3)] |= 1 << (pfn & 7);
    out[bitmap2 + (pfn >> 3)] |= 1 << (pfn & 7);
  }
  for (const pfn of spec.excluded ?? []) out[bitmap1 + (pfn >> 3)] |= 1 << (pfn & 7);

  // page descriptors, then the data
  descs.forEach((d, i) => {
    const o = descAt + 24 * i;
    v.setBigInt64(o, BigInt(d.offset), le);
    v.setUint32(o + 8, d.size, le);
    v.setUint32(o + 12, d.flags, le);
  });
  for (const c of chunks) out.set(c.bytes, c.at);
  return out;
}

/** Stores page bytes as makedumpfile does: a shared zero block for all-zero pages (dump level 1), else compressed when smaller. */
export function storePages(pages: Map<number, Uint8Array>, compress: 'none' | 'zlib' = 'none', zeroPages = true): Map<number, StoredPage> {
  const out = new Map<number, StoredPage>();
  for (const [pfn, bytes] of pages) {
    if (zeroPages && bytes.every((b) => b === 0)) out.set(pfn, { zero: true });
    else if (compress === 'zlib') {
      const z = deflateSync(bytes, { level: 1 });
      out.set(pfn, z.length < bytes.length ? { flags: 1, bytes: new Uint8Array(z) } : { flags: 0, bytes });
    } else out.set(pfn, { flags: 0, bytes });
  }
  return out;
}

/** makedumpfile's split: the pfn ranges of `parts` files, splitblocks of `perSplitblock` pfns. */
export function splitRanges(dumpable: number[], maxMapnr: number, parts: number, perSplitblock: number): { start: number; end: number }[] {
  const blocks = Math.ceil(maxMapnr / perSplitblock);
  const table = new Array<number>(blocks).fill(0);
  for (const p of dumpable) table[Math.floor(p / perSplitblock)]++;
  const needed = Math.floor(dumpable.length / parts);
  const out: { start: number; end: number }[] = [];
  let cur = 0;
  let end = 0;
  for (let i = 0; i < parts - 1; i++) {
    const start = end;
    if (start >= maxMapnr) {
      end = maxMapnr;
    } else {
      let left = needed;
      while (cur < blocks && left > 0) left -= table[cur++];
      end = Math.min(cur * perSplitblock, maxMapnr);
    }
    out.push({ start, end });
  }
  out.push({ start: end, end: maxMapnr });
  return out;
}

/** The flattened form (makedumpfile -F) of a plain file: these records, in this order, then the end marker. */
export function flatten(plain: Uint8Array, records: readonly (readonly [number, number])[], extra: readonly { offset: number; bytes: Uint8Array; before?: boolean }[] = []): Uint8Array {
  const parts: Uint8Array[] = [];
  const head = new Uint8Array(4096);
  head.set(new TextEncoder().encode('makedumpfile'));
  new DataView(head.buffer).setBigInt64(16, 1n, false);
  new DataView(head.buffer).setBigInt64(24, 1n, false);
  parts.push(head);
  const record = (offset: number, bytes: Uint8Array) => {
    const h = new Uint8Array(16);
    new DataView(h.buffer).setBigInt64(0, BigInt(offset), false);
    new DataView(h.buffer).setBigInt64(8, BigInt(bytes.length), false);
    parts.push(h, bytes);
  };
  for (const e of extra) if (e.before) record(e.offset, e.bytes);
  for (const [o, n] of records) record(o, plain.subarray(o, o + n));
  for (const e of extra) if (!e.before) record(e.offset, e.bytes);
  const end = new Uint8Array(16).fill(0xff);
  parts.push(end);
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
