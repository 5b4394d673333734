/**
 * The 113 page-table pages of the x86-64 fixture core (tables.elf.gz), as
 * makedumpfile sees them: pages by pfn, max_mapnr (the end of the last
 * PT_LOAD, makedumpfile's get_max_mapnr()), and the PT_NOTE segment with
 * where its VMCOREINFO descriptor is. Input for kdump-builder.ts.
 */
import { parseElfCore } from '../../src/index.js';
import { fixtureBytes } from '../support/fixtures.js';

export interface ElfPages {
  bytes: Uint8Array;
  pages: Map<number, Uint8Array>;
  maxMapnr: number;
  notes: Uint8Array;
  vmcoreinfoInNotes: { offset: number; size: number };
}

const cache = new Map<string, ElfPages>();

export function elfPages(path = 'x86-64-4level/tables.elf.gz'): ElfPages {
  const hit = cache.get(path);
  if (hit !== undefined) return hit;
  const bytes = fixtureBytes(path);
  const core = parseElfCore(bytes);
  const pages = new Map<number, Uint8Array>();
  let end = 0;
  for (const s of core.segments) {
    for (let o = 0; o < s.filesz; o += 4096) pages.set((s.paddr + o) / 4096, bytes.slice(s.offset + o, s.offset + o + 4096));
    end = Math.max(end, s.paddr + s.memsz);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const phoff = Number(view.getBigUint64(32, true));
  let notes = new Uint8Array(0);
  for (let i = 0; i < view.getUint16(56, true); i++) {
    const at = phoff + 56 * i;
    if (view.getUint32(at, true) !== 4) continue;
    const off = Number(view.getBigUint64(at + 8, true));
    notes = bytes.slice(off, off + Number(view.getBigUint64(at + 32, true)));
    const vmci = core.notes.find((n) => n.name === 'VMCOREINFO')!;
    cache.set(path, { bytes, pages, maxMapnr: end / 4096, notes, vmcoreinfoInNotes: { offset: vmci.desc.byteOffset - bytes.byteOffset - off, size: vmci.desc.length } });
  }
  return cache.get(path)!;
}

/**
 * The pages of a real kdump file of the fixture as stored (compressed
 * bytes and flags), read by the layout its README gives (2nd bitmap at
 * 0x5000, descriptors at 0x7000, the shared zero block first in the data at
 * 0x7a98), independently of the reader under test.
 */
export function storedPagesOf(file: Uint8Array): Map<number, { zero: true } | { flags: number; bytes: Uint8Array }> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const out = new Map<number, { zero: true } | { flags: number; bytes: Uint8Array }>();
  let i = 0;
  for (let pfn = 0; pfn < 0xfead; pfn++) {
    if (((file[0x5000 + (pfn >> 3)] >> (pfn & 7)) & 1) === 0) continue;
    const d = 0x7000 + 24 * i++;
    const offset = Number(view.getBigInt64(d, true));
    const size = view.getUint32(d + 8, true);
    const flags = view.getUint32(d + 12, true);
    out.set(pfn, offset === 0x7a98 ? { zero: true } : { flags, bytes: file.slice(offset, offset + size) });
  }
  return out;
}
