/**
 * Layouts no real file in test/fixtures has, written by kdump-builder.ts
 * (checked byte for byte against makedumpfile in kdump-builder.test.ts):
 * big-endian headers, the 32-bit layouts (i386's packed and ARM's padded
 * kdump_sub_header: makedumpfile.h, crash's kdump_sub_header_ARM_target),
 * DISKDUMP with one bitmap or two (crash's dump_is_partial()), header
 * versions 1 to 6 (each field read only from the version that has it), and
 * block sizes other than the page size (QEMU writes arm64 dumps in 64 KiB
 * blocks; a 1 KiB block puts a 4 KiB table across four). Each must read
 * every page of tables.elf.gz exactly (expected.json's SHA-256s) and, where
 * the tables are whole, walk to the leaf count expected.json gives.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { forEachLeaf, loadDump, openImage, type LoadedDump } from '../../src/index.js';
import { fixtureText } from '../support/fixtures.js';
import { buildKdump, storePages, type KdumpSpec } from './kdump-builder.js';
import { elfPages } from './elf-pages.js';

const expected = JSON.parse(fixtureText('x86-64-4level/kdump/expected.json')) as { page_sha256: Record<string, string>; walks: { cr3: { leaves: number } } };
const e = elfPages();
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function build(over: Partial<KdumpSpec>): Uint8Array {
  return buildKdump({ blockSize: 4096, maxMapnr: e.maxMapnr, pages: storePages(e.pages), notes: e.notes, vmcoreinfoInNotes: e.vmcoreinfoInNotes, ...over });
}

function readsTheElf(d: LoadedDump, walk = true): void {
  for (const [pa, hash] of Object.entries(expected.page_sha256)) expect(sha(d.memory.readBytes(Number(pa), 4096)), pa).toBe(hash);
  if (!walk) return;
  const mm = openImage(d.memory, { arch: 'x86-64', mode: '4level', root: 0x6330000 }).initMm;
  let leaves = 0;
  forEachLeaf(mm, () => {
    leaves++;
  });
  expect(leaves).toBe(expected.walks.cr3.leaves);
}

describe('header layouts', () => {
  it.each<[string, Partial<KdumpSpec>]>([
    ['64-bit big-endian', { littleEndian: false }],
    ['32-bit little-endian, packed sub-header (i386)', { word: '32-packed', machine: 'i686' }],
    ['32-bit little-endian, padded sub-header (ARM)', { word: '32-padded', machine: 'armv7l' }],
    ['32-bit big-endian, packed sub-header (ppc)', { word: '32-packed', littleEndian: false, machine: 'ppc' }],
    ['32-bit, machine not named', { word: '32-packed' }],
  ])('%s', (_name, over) => {
    const d = loadDump(build(over));
    const h = d.kdump!.header;
    expect(h.littleEndian).toBe(over.littleEndian ?? true);
    expect(h.wordBits).toBe(over.word === undefined ? 64 : 32);
    if (over.word !== undefined && over.word !== 64) expect(h.subHeaderLayout).toBe(over.word);
    expect(h.maxMapnr).toBe(e.maxMapnr);
    expect(d.vmcoreinfo.get('OSRELEASE')).toBe('6.1.0-56-amd64');
    readsTheElf(d);
  });

  it.each([1, 2, 3, 4, 5, 6])('header_version %i: only the fields it has', (version) => {
    const d = loadDump(build({ headerVersion: version }));
    const h = d.kdump!.header;
    expect(h.headerVersion).toBe(version);
    expect(h.dumpLevel).toBe(1);
    // VMCOREINFO: offset_vmcoreinfo from version 3; from version 4 the notes hold it too.
    expect(d.vmcoreinfo.get('OSRELEASE')).toBe(version >= 3 ? '6.1.0-56-amd64' : undefined);
    expect(h.notes === null).toBe(version < 4);
    readsTheElf(d);
  });

  it('VMCOREINFO found in the notes when the sub-header does not point at it (QEMU before it filled offset_vmcoreinfo)', () => {
    const d = loadDump(build({ vmcoreinfoInNotes: undefined }));
    expect(d.kdump!.header.vmcoreinfo).toBeNull();
    expect(d.vmcoreinfo.get('SYMBOL(init_top_pgt)')).toBe('ffffffff82a10000');
    expect(d.arch).toBe('x86-64');
  });

  it('utsname.machine names the arch', () => {
    expect(loadDump(build({ machine: 'aarch64', vmcoreinfoInNotes: undefined, notes: undefined })).arch).toBe('arm64');
    expect(loadDump(build({ machine: 'riscv64', vmcoreinfoInNotes: undefined, notes: undefined })).arch).toBe('riscv64');
    expect(loadDump(build({ machine: 's390x', vmcoreinfoInNotes: undefined, notes: undefined })).arch).toBeNull();
  });

  it.each([
    ['two bitmaps', false],
    ['one bitmap (a full diskdump)', true],
  ])('DISKDUMP, %s: no sub-header is read', (_n, oneBitmap) => {
    const d = loadDump(build({ signature: 'DISKDUMP', headerVersion: 0, oneBitmap, notes: undefined, vmcoreinfoInNotes: undefined }));
    const h = d.kdump!.header;
    expect(h.signature).toBe('DISKDUMP');
    expect(h.dumpLevel).toBeNull();
    expect(h.maxMapnr).toBe(e.maxMapnr);
    expect(d.kdump!.countPages()).toMatchObject({ data: 113, excluded: 0 });
    readsTheElf(d);
  });
});

describe('block sizes other than the page size', () => {
  /** The 4 KiB pages regrouped in blocks of `bs` (missing parts of a block zero, as RAM the ELF did not hold). */
  function regroup(bs: number): Map<number, Uint8Array> {
    const out = new Map<number, Uint8Array>();
    for (const [pfn, bytes] of e.pages) {
      for (let o = 0; o < 4096; o += Math.min(bs, 4096)) {
        const pa = pfn * 4096 + o;
        const block = Math.floor(pa / bs);
        let b = out.get(block);
        if (b === undefined) out.set(block, (b = new Uint8Array(bs)));
        b.set(bytes.subarray(o, o + Math.min(bs, 4096)), pa - block * bs);
      }
    }
    return out;
  }

  it.each([65536, 16384, 1024])('%i-byte blocks', (bs) => {
    const d = loadDump(buildKdump({ blockSize: bs, maxMapnr: Math.ceil((e.maxMapnr * 4096) / bs), pages: storePages(regroup(bs)), notes: e.notes, vmcoreinfoInNotes: e.vmcoreinfoInNotes }));
    expect(d.kdump!.header.blockSize).toBe(bs);
    readsTheElf(d);
    // Within a block, the pages the ELF lacked read as the block holds them (zeros), not absent.
    if (bs > 4096) expect(d.memory.pageState(0x2a11000)).toBe('data');
  });
});
