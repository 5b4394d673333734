import { describe, it, expect } from 'vitest';
import { PagewalkError } from '../src/errors.js';
import { parseElfCore, parseVmcoreinfo } from '../src/memory/elf-core.js';
import type { ElfCore } from '../src/memory/elf-core.js';
import { fixtureBytes } from './support/fixtures.js';

function loadFixture(dir: string): Uint8Array {
  return fixtureBytes(`${dir}/tables.elf.gz`);
}

/** [name, type, descsz] of every note. */
function noteSummary(core: ElfCore): [string, number, number][] {
  return core.notes.map((n) => [n.name, n.type, n.desc.length]);
}

// Expected values below were copied by hand from `readelf -h -l -n` (GNU binutils)
// run on the gunzipped fixtures, and from the fixtures' README / root.txt.

describe('parseElfCore on the real QEMU dump-guest-memory fixtures', () => {
  it('x86-64-4level (Debian 6.1.0-56-amd64)', () => {
    const core = parseElfCore(loadFixture('x86-64-4level'));
    // readelf -h: Type CORE, Machine Advanced Micro Devices X86-64, 27 program headers
    expect(core.machine).toBe(62);
    expect(core.arch).toBe('x86-64');
    expect(core.type).toBe(4);
    // readelf -l: 1 NOTE + 26 LOAD; their FileSiz sum to 0x71000 = the README's 113 pages
    expect(core.segments).toHaveLength(26);
    expect(core.aliases).toEqual([]);
    expect(core.segments.reduce((sum, s) => sum + s.filesz, 0)).toBe(113 * 4096);
    // readelf -l: first LOAD  Offset 0x2000  VirtAddr = PhysAddr 0x2a10000  FileSiz = MemSiz 0x1000, Flags 0
    expect(core.segments[0]).toEqual({
      index: 1, paddr: 0x2a10000, vaddr: 0x2a10000n, offset: 0x2000, filesz: 0x1000, memsz: 0x1000, flags: 0,
    });
    // readelf -l: last LOAD  Offset 0x71000  PhysAddr 0xfeab000  FileSiz = MemSiz 0x2000
    expect(core.segments[25]).toEqual({
      index: 26, paddr: 0xfeab000, vaddr: 0xfeab000n, offset: 0x71000, filesz: 0x2000, memsz: 0x2000, flags: 0,
    });
    // the CR3 root from the README is the start of a segment (readelf -l: PhysAddr 0x6330000)
    expect(core.segments.some((s) => s.paddr === 0x6330000 && s.filesz === 0x1000)).toBe(true);
    // readelf -n: notes at file offset 0x628: CORE NT_PRSTATUS 0x150, QEMU type 0 0x1b8, VMCOREINFO type 0 0xcbf
    expect(noteSummary(core)).toEqual([
      ['CORE', 1, 0x150],
      ['QEMU', 0, 0x1b8],
      ['VMCOREINFO', 0, 0xcbf],
    ]);
    expect(core.notes[0].offset).toBe(0x628);
    const vmci = core.vmcoreinfo!;
    expect(vmci).not.toBeNull();
    // readelf -n description data of the VMCOREINFO note, decoded by hand
    expect(vmci.get('OSRELEASE')).toBe('6.1.0-56-amd64');
    expect(vmci.get('BUILD-ID')).toBe('eb4fbcd037e7253717950bf2b93bd5566f47c56f');
    expect(vmci.get('PAGESIZE')).toBe('4096');
    expect(vmci.get('SYMBOL(init_top_pgt)')).toBe('ffffffff82a10000'); // fixtures README
    expect(vmci.get('SYMBOL(swapper_pg_dir)')).toBe('ffffffff82a10000');
    expect(vmci.get('NUMBER(phys_base)')).toBe('0');
    expect(vmci.get('NUMBER(pgtable_l5_enabled)')).toBe('0');
    expect(vmci.get('NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)')).toBe('-129');
    expect(vmci.get('OFFSET(uts_namespace.name)')).toBe('0');
    expect(vmci.get('KERNELOFFSET')).toBe('0');
    expect(vmci.get('NUMBER(sme_mask)')).toBe('0'); // the last line of the text
  });

  it('kernel-6.1-x86-64-4level', () => {
    const core = parseElfCore(loadFixture('kernel-6.1-x86-64-4level'));
    // readelf -h: CORE, X86-64, 16 program headers
    expect(core.machine).toBe(62);
    expect(core.arch).toBe('x86-64');
    expect(core.type).toBe(4);
    // readelf -l: 1 NOTE + 15 LOAD, FileSiz sum 0x68000
    expect(core.segments).toHaveLength(15);
    expect(core.segments.reduce((sum, s) => sum + s.filesz, 0)).toBe(0x68000);
    // readelf -l: first LOAD Offset 0x2000 PhysAddr 0x100000 FileSiz 0x40000; last Offset 0x69000 PhysAddr 0xff7b000 FileSiz 0x1000
    expect(core.segments[0]).toMatchObject({ index: 1, paddr: 0x100000, offset: 0x2000, filesz: 0x40000, memsz: 0x40000 });
    expect(core.segments[14]).toMatchObject({ index: 15, paddr: 0xff7b000, offset: 0x69000, filesz: 0x1000, memsz: 0x1000 });
    // root.txt: root_cr3=0x1b0000, root_init_top_pgt=0x181e000 (readelf -l has LOADs starting there)
    expect(core.segments.some((s) => s.paddr === 0x1b0000)).toBe(true);
    expect(core.segments.some((s) => s.paddr === 0x181e000)).toBe(true);
    // readelf -n: at 0x3c0: CORE 1 0x150, QEMU 0 0x1b8, VMCOREINFO 0 0xc6e
    expect(noteSummary(core)).toEqual([
      ['CORE', 1, 0x150],
      ['QEMU', 0, 0x1b8],
      ['VMCOREINFO', 0, 0xc6e],
    ]);
    expect(core.notes[0].offset).toBe(0x3c0);
    const vmci = core.vmcoreinfo!;
    expect(vmci.get('SYMBOL(init_top_pgt)')).toBe('ffffffff8181e000'); // root.txt
    expect(vmci.get('OSRELEASE')).toBe('6.1.192-oracle-x86_64');
    expect(vmci.get('NUMBER(phys_base)')).toBe('0');
    expect(vmci.get('KERNELOFFSET')).toBe('0');
    expect(vmci.get('NUMBER(KERNEL_IMAGE_SIZE)')).toBe('1073741824');
  });

  it('kernel-6.1-arm64-4k-48 (no VMCOREINFO note)', () => {
    const core = parseElfCore(loadFixture('kernel-6.1-arm64-4k-48'));
    // readelf -h: CORE, AArch64, 7 program headers
    expect(core.machine).toBe(183);
    expect(core.arch).toBe('arm64');
    expect(core.type).toBe(4);
    // readelf -l: 6 LOAD; first Offset 0x1000 PhysAddr 0x40472000 FileSiz 0x1000; last Offset 0x1a000 PhysAddr 0x4ff7a000 FileSiz 0x86000
    expect(core.segments).toHaveLength(6);
    expect(core.segments[0]).toMatchObject({ index: 1, paddr: 0x40472000, offset: 0x1000, filesz: 0x1000 });
    expect(core.segments[5]).toMatchObject({ index: 6, paddr: 0x4ff7a000, offset: 0x1a000, filesz: 0x86000 });
    // readelf -n: at 0x1c8: CORE NT_PRSTATUS 0x188, CORE NT_FPREGSET 0x210
    expect(noteSummary(core)).toEqual([
      ['CORE', 1, 0x188],
      ['CORE', 2, 0x210],
    ]);
    expect(core.notes[0].offset).toBe(0x1c8);
    expect(core.vmcoreinfo).toBeNull();
  });

  it('kernel-6.1-riscv-sv39 (no VMCOREINFO note)', () => {
    const core = parseElfCore(loadFixture('kernel-6.1-riscv-sv39'));
    // readelf -h: CORE, RISC-V, 9 program headers
    expect(core.machine).toBe(243);
    expect(core.arch).toBe('riscv64');
    // readelf -l: 8 LOAD; first Offset 0x1000 PhysAddr 0x80c9a000 FileSiz 0x1000; last Offset 0x1a000 PhysAddr 0x8fffe000 FileSiz 0x2000
    expect(core.segments).toHaveLength(8);
    expect(core.segments[0]).toMatchObject({ index: 1, paddr: 0x80c9a000, offset: 0x1000, filesz: 0x1000 });
    expect(core.segments[7]).toMatchObject({ index: 8, paddr: 0x8fffe000, offset: 0x1a000, filesz: 0x2000 });
    // readelf -n: at 0x238: CORE NT_PRSTATUS 0x178
    expect(noteSummary(core)).toEqual([['CORE', 1, 0x178]]);
    expect(core.notes[0].offset).toBe(0x238);
    expect(core.vmcoreinfo).toBeNull();
  });
});

// ---------------------------------------------------------------------------
// A small writer of synthetic cores: ELF header, PT_NOTE [0], PT_LOAD [1..n],
// the notes (4-byte aligned, as Linux and QEMU write them), then the load data.

interface LoadSpec {
  paddr: number | bigint;
  data: Uint8Array;
  memsz?: number;
  vaddr?: bigint;
  flags?: number;
}
interface NoteSpec {
  name: string;
  type: number;
  desc: Uint8Array;
}

const EHDR = 64;
const PHDR = 56;
/** File offset of program header i in a synthetic core. */
const ph = (i: number): number => EHDR + PHDR * i;

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const pad4 = (n: number): number => (n + 3) & ~3;

function noteBlob(notes: NoteSpec[]): Uint8Array {
  const size = notes.reduce((sum, n) => sum + 12 + pad4(n.name.length + 1) + pad4(n.desc.length), 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  let off = 0;
  for (const n of notes) {
    dv.setUint32(off, n.name.length + 1, true);
    dv.setUint32(off + 4, n.desc.length, true);
    dv.setUint32(off + 8, n.type, true);
    out.set(ascii(n.name), off + 12);
    off += 12 + pad4(n.name.length + 1);
    out.set(n.desc, off);
    off += pad4(n.desc.length);
  }
  return out;
}

interface Built {
  bytes: Uint8Array;
  dv: DataView;
  notesOff: number;
  dataOffs: number[];
}

function writeCore(opts: { machine?: number; loads: LoadSpec[]; notes: NoteSpec[] }): Built {
  const phnum = 1 + opts.loads.length;
  const notes = noteBlob(opts.notes);
  const notesOff = EHDR + PHDR * phnum;
  let off = (notesOff + notes.length + 7) & ~7;
  const dataOffs: number[] = [];
  for (const l of opts.loads) {
    dataOffs.push(off);
    off += l.data.length;
  }
  const bytes = new Uint8Array(off);
  const dv = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0); // ELFMAG, ELFCLASS64, ELFDATA2LSB, EV_CURRENT
  dv.setUint16(16, 4, true); // ET_CORE
  dv.setUint16(18, opts.machine ?? 62, true);
  dv.setUint32(20, 1, true);
  dv.setBigUint64(32, BigInt(EHDR), true); // e_phoff
  dv.setUint16(52, EHDR, true);
  dv.setUint16(54, PHDR, true);
  dv.setUint16(56, phnum, true);
  // PT_NOTE
  dv.setUint32(ph(0), 4, true);
  dv.setBigUint64(ph(0) + 8, BigInt(notesOff), true);
  dv.setBigUint64(ph(0) + 32, BigInt(notes.length), true);
  dv.setBigUint64(ph(0) + 40, BigInt(notes.length), true);
  bytes.set(notes, notesOff);
  opts.loads.forEach((l, k) => {
    const at = ph(k + 1);
    dv.setUint32(at, 1, true); // PT_LOAD
    dv.setUint32(at + 4, l.flags ?? 7, true);
    dv.setBigUint64(at + 8, BigInt(dataOffs[k]), true);
    dv.setBigUint64(at + 16, l.vaddr ?? BigInt(l.paddr), true);
    dv.setBigUint64(at + 24, BigInt(l.paddr), true);
    dv.setBigUint64(at + 32, BigInt(l.data.length), true);
    dv.setBigUint64(at + 40, BigInt(l.memsz ?? l.data.length), true);
    bytes.set(l.data, dataOffs[k]);
  });
  return { bytes, dv, notesOff, dataOffs };
}

function filled(size: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 7 + seed) & 0xff);
}

const VMCI_TEXT = 'OSRELEASE=6.1.0-test\nPAGESIZE=4096\nSYMBOL(init_top_pgt)=ffffffff82a10000\nNUMBER(phys_base)=0\n';

/** The minimal valid core: two PT_LOADs (written out of paddr order), a CORE and a VMCOREINFO note. */
function minimal(): Built {
  return writeCore({
    loads: [
      { paddr: 0x200000, data: filled(0x2000, 1), vaddr: 0xffff888000200000n, flags: 4 },
      { paddr: 0x1000, data: filled(0x1000, 2) },
    ],
    notes: [
      { name: 'CORE', type: 1, desc: filled(0x150, 3) },
      { name: 'VMCOREINFO', type: 0, desc: ascii(VMCI_TEXT) },
    ],
  });
}

/** Parses and expects EBADIMAGE whose message names `offset`. */
function expectBad(bytes: Uint8Array, offset: number, ...fragments: (string | RegExp)[]): string {
  let err: unknown;
  try {
    parseElfCore(bytes);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(PagewalkError);
  const pe = err as PagewalkError;
  expect(pe.code).toBe('EBADIMAGE');
  expect(pe.message).toContain(`ELF core: at offset 0x${offset.toString(16)}:`);
  for (const f of fragments) expect(pe.message).toMatch(f);
  return pe.message;
}

describe('parseElfCore on synthetic cores', () => {
  it('reads a minimal core: segments sorted by paddr, notes, VMCOREINFO', () => {
    const { bytes, notesOff, dataOffs } = minimal();
    const core = parseElfCore(bytes);
    expect(core.machine).toBe(62);
    expect(core.arch).toBe('x86-64');
    expect(core.type).toBe(4);
    expect(core.segments).toEqual([
      { index: 2, paddr: 0x1000, vaddr: 0x1000n, offset: dataOffs[1], filesz: 0x1000, memsz: 0x1000, flags: 7 },
      { index: 1, paddr: 0x200000, vaddr: 0xffff888000200000n, offset: dataOffs[0], filesz: 0x2000, memsz: 0x2000, flags: 4 },
    ]);
    expect(core.aliases).toEqual([]);
    expect(core.notes.map((n) => [n.name, n.type, n.desc.length, n.offset])).toEqual([
      ['CORE', 1, 0x150, notesOff],
      ['VMCOREINFO', 0, VMCI_TEXT.length, notesOff + 12 + 8 + 0x150],
    ]);
    // desc is a view into the input, not a copy
    const desc = core.notes[0].desc;
    expect(desc.buffer).toBe(bytes.buffer);
    expect(desc.byteOffset).toBe(notesOff + 12 + 8);
    expect(Array.from(core.vmcoreinfo!.entries())).toEqual([
      ['OSRELEASE', '6.1.0-test'],
      ['PAGESIZE', '4096'],
      ['SYMBOL(init_top_pgt)', 'ffffffff82a10000'],
      ['NUMBER(phys_base)', '0'],
    ]);
  });

  it('maps e_machine to arch names, null for others', () => {
    const cases: [number, string | null][] = [[62, 'x86-64'], [183, 'arm64'], [243, 'riscv64'], [258, 'loongarch64'], [3, null], [0, null]];
    for (const [machine, arch] of cases) {
      const { bytes } = writeCore({ machine, loads: [], notes: [] });
      const core = parseElfCore(bytes);
      expect(core.machine).toBe(machine);
      expect(core.arch).toBe(arch);
      expect(core.vmcoreinfo).toBeNull();
    }
  });

  it('reads a view at a non-zero byteOffset of a larger buffer', () => {
    const { bytes } = minimal();
    const big = new Uint8Array(bytes.length + 4096 + 3);
    big.fill(0xee);
    big.set(bytes, 4099); // odd offset: DataView reads must not assume alignment
    const view = big.subarray(4099, 4099 + bytes.length);
    const a = parseElfCore(bytes);
    const b = parseElfCore(view);
    expect(b.segments).toEqual(a.segments);
    expect(b.vmcoreinfo).toEqual(a.vmcoreinfo);
    expect(b.notes.map((n) => [n.name, n.offset, Array.from(n.desc)])).toEqual(a.notes.map((n) => [n.name, n.offset, Array.from(n.desc)]));
    expect(b.notes[0].desc.buffer).toBe(big.buffer);
    // an error message's offset is relative to the view, not the buffer
    const junk = big.subarray(4099 + 1, 4099 + bytes.length);
    expectBad(junk, 0, 'magic 45 4c 46 02');
  });

  it('accepts memsz > filesz (the rest reads as zero)', () => {
    const { bytes } = writeCore({ loads: [{ paddr: 0x10000, data: filled(0x800, 5), memsz: 0x3000 }], notes: [] });
    const core = parseElfCore(bytes);
    expect(core.segments[0]).toMatchObject({ paddr: 0x10000, filesz: 0x800, memsz: 0x3000 });
  });

  it('accepts filesz 0 with p_offset -1 (QEMU: memory not stored)', () => {
    const built = writeCore({ loads: [{ paddr: 0x5000, data: new Uint8Array(0), memsz: 0x1000 }], notes: [] });
    built.dv.setBigUint64(ph(1) + 8, 0xffffffffffffffffn, true);
    const core = parseElfCore(built.bytes);
    expect(core.segments[0]).toMatchObject({ paddr: 0x5000, offset: 0, filesz: 0, memsz: 0x1000 });
  });

  it('moves a PT_LOAD that repeats part of another (kdump kernel-text segment) to aliases', () => {
    const ram = filled(0x10000, 9);
    const text = ram.slice(0x3000, 0x5000);
    const { bytes } = writeCore({
      loads: [
        { paddr: 0x103000, data: text, vaddr: 0xffffffff81000000n },
        { paddr: 0x100000, data: ram, vaddr: 0xffff888000100000n },
      ],
      notes: [],
    });
    const core = parseElfCore(bytes);
    expect(core.segments.map((s) => s.index)).toEqual([2]);
    expect(core.aliases.map((s) => [s.index, s.paddr, s.vaddr])).toEqual([[1, 0x103000, 0xffffffff81000000n]]);
  });

  it('supports PN_XNUM: e_phnum 0xffff, real count in section header 0 sh_info', () => {
    const base = minimal().bytes;
    // append one section header with sh_info = 3
    const bytes = new Uint8Array(base.length + 64);
    bytes.set(base);
    const dv = new DataView(bytes.buffer);
    dv.setUint16(56, 0xffff, true);
    dv.setBigUint64(40, BigInt(base.length), true); // e_shoff
    dv.setUint16(58, 64, true); // e_shentsize
    dv.setUint16(60, 1, true); // e_shnum
    dv.setUint32(base.length + 44, 3, true); // sh_info
    expect(parseElfCore(bytes).segments).toHaveLength(2);
    // PN_XNUM without a section header table
    dv.setBigUint64(40, 0n, true);
    expectBad(bytes, 0x28, 'PN_XNUM');
    // section header 0 beyond the end of the file
    dv.setBigUint64(40, BigInt(base.length + 8), true);
    expectBad(bytes, base.length + 8, 'section header 0', 'past the end');
  });
});

describe('parseElfCore rejects malformed cores with EBADIMAGE naming the offset', () => {
  it('a file shorter than the ELF header', () => {
    expectBad(new Uint8Array(10), 0, 'too short');
  });

  it('not an ELF file', () => {
    const { bytes } = minimal();
    bytes.set([0x4d, 0x5a, 0x90, 0x00], 0);
    expectBad(bytes, 0, 'not an ELF file (magic 4d 5a 90 00');
  });

  it('ELFCLASS32', () => {
    const { bytes } = minimal();
    bytes[4] = 1;
    expectBad(bytes, 4, 'ELFCLASS64');
  });

  it('big-endian', () => {
    const { bytes } = minimal();
    bytes[5] = 2;
    expectBad(bytes, 5, 'little-endian');
  });

  it('e_type not ET_CORE', () => {
    const { bytes, dv } = minimal();
    dv.setUint16(16, 2, true); // ET_EXEC
    expectBad(bytes, 0x10, 'e_type 2', 'ET_CORE');
  });

  it('e_phentsize != 56', () => {
    const { bytes, dv } = minimal();
    dv.setUint16(54, 32, true);
    expectBad(bytes, 0x36, 'e_phentsize 32');
  });

  it('program header table beyond the end of the file', () => {
    const { bytes, dv } = minimal();
    dv.setUint16(56, 0xfffe, true); // 65534 entries do not fit: rejected, not walked
    expectBad(bytes, 0x40, 'program header table', 'past the end of the file');
    const { bytes: b2, dv: dv2 } = minimal();
    dv2.setBigUint64(32, 0xffffffffffff0000n, true); // e_phoff not an exact number
    expectBad(b2, 0x20, 'e_phoff');
  });

  it('a PT_LOAD whose file bytes run past the end (truncated file)', () => {
    const { bytes } = minimal();
    const cut = bytes.subarray(0, bytes.length - 1); // the last segment's last byte is missing
    expectBad(cut, ph(2), 'PT_LOAD [2]', 'truncated');
    const { bytes: b2, dv } = minimal();
    dv.setBigUint64(ph(1) + 32, 0x1_0000_0000n, true); // p_filesz huge
    dv.setBigUint64(ph(1) + 40, 0x1_0000_0000n, true);
    expectBad(b2, ph(1), 'PT_LOAD [1]', 'past the end');
  });

  it('memsz < filesz', () => {
    const { bytes, dv } = minimal();
    dv.setBigUint64(ph(2) + 40, 0x800n, true);
    expectBad(bytes, ph(2), 'p_memsz 0x800 < p_filesz 0x1000');
  });

  it('p_paddr or paddr + memsz beyond 2^53', () => {
    const { bytes, dv } = minimal();
    dv.setBigUint64(ph(1) + 24, 1n << 53n, true);
    expectBad(bytes, ph(1) + 24, 'p_paddr 0x20000000000000');
    const { bytes: b2, dv: dv2 } = minimal();
    dv2.setBigUint64(ph(1) + 24, (1n << 53n) - 0x1000n, true); // + memsz 0x2000 passes 2^53
    expectBad(b2, ph(1), 'beyond 2^53');
  });

  it('two PT_LOADs overlapping in physical addresses with different bytes', () => {
    const { bytes } = writeCore({
      loads: [
        { paddr: 0x100000, data: filled(0x4000, 1) },
        { paddr: 0x102000, data: filled(0x1000, 2) }, // inside the first, other bytes
      ],
      notes: [],
    });
    const msg = expectBad(bytes, ph(2), 'PT_LOAD [2] paddr [0x102000, 0x103000)', 'PT_LOAD [1] paddr [0x100000, 0x104000)');
    expect(msg).toContain('differ at paddr 0x102000');
  });

  it('two PT_LOADs overlapping partially', () => {
    const ram = filled(0x6000, 4);
    const { bytes } = writeCore({
      loads: [
        { paddr: 0x3000, data: ram.slice(0x3000) }, // [0x3000, 0x6000)
        { paddr: 0x0, data: ram.slice(0, 0x4000) }, // [0, 0x4000): same bytes, but not contained
      ],
      notes: [],
    });
    expectBad(bytes, ph(1), 'PT_LOAD [1] paddr [0x3000, 0x6000) overlaps PT_LOAD [2] paddr [0x0, 0x4000)', 'partial');
  });

  it('a PT_NOTE beyond the end of the file', () => {
    const { bytes, dv } = minimal();
    dv.setBigUint64(ph(0) + 8, BigInt(bytes.length - 8), true);
    expectBad(bytes, ph(0), 'PT_NOTE [0]', 'past the end of the file');
  });

  it('a note whose namesz runs past its segment', () => {
    const { bytes, dv, notesOff } = minimal();
    dv.setUint32(notesOff, 0x10000, true);
    expectBad(bytes, notesOff, 'PT_NOTE [0]', 'n_namesz 0x10000');
  });

  it('a note with a huge descsz is rejected, not allocated', () => {
    const { bytes, dv, notesOff } = minimal();
    const second = notesOff + 12 + 8 + 0x150;
    dv.setUint32(second + 4, 0xffffffff, true);
    expectBad(bytes, second, 'n_descsz 0xffffffff', 'runs past the end of its segment');
  });

  it('a PT_NOTE whose last bytes are too few for a header and not zero', () => {
    const built = writeCore({ loads: [], notes: [{ name: 'CORE', type: 1, desc: filled(0x10, 3) }] });
    const size = Number(built.dv.getBigUint64(ph(0) + 32, true));
    // copy the core up to the end of its notes, plus 4 zero bytes the PT_NOTE now covers
    const bytes = new Uint8Array(built.notesOff + size + 4);
    bytes.set(built.bytes.subarray(0, built.notesOff + size));
    const dv = new DataView(bytes.buffer);
    dv.setBigUint64(ph(0) + 32, BigInt(size + 4), true);
    expect(parseElfCore(bytes).notes).toHaveLength(1); // zero padding is fine
    bytes[built.notesOff + size + 2] = 1;
    expectBad(bytes, built.notesOff + size, 'trailing bytes');
  });

  it('a note with n_namesz 0 ends the segment (as fs/proc/vmcore.c reads notes)', () => {
    const built = writeCore({ loads: [], notes: [{ name: 'CORE', type: 1, desc: filled(0x10, 3) }] });
    const size = Number(built.dv.getBigUint64(ph(0) + 32, true));
    const bytes = new Uint8Array(built.notesOff + size + 64);
    bytes.set(built.bytes.subarray(0, built.notesOff + size));
    const dv = new DataView(bytes.buffer);
    dv.setBigUint64(ph(0) + 32, BigInt(size + 64), true);
    dv.setUint32(built.notesOff + size + 4, 0xffffffff, true); // descsz of the empty note: not read
    expect(parseElfCore(bytes).notes.map((n) => n.name)).toEqual(['CORE']);
  });
});

describe('parseVmcoreinfo', () => {
  it('splits KEY=VALUE at the first =', () => {
    const m = parseVmcoreinfo('A=1\nCRASHTIME=x=y=z\nSYMBOL(init_top_pgt)=ffffffff82a10000\n');
    expect(Array.from(m)).toEqual([
      ['A', '1'],
      ['CRASHTIME', 'x=y=z'],
      ['SYMBOL(init_top_pgt)', 'ffffffff82a10000'],
    ]);
  });

  it('skips empty lines and lines without =, keeps the first of repeated keys', () => {
    const m = parseVmcoreinfo('\n\nA=1\nnot a pair\n\nA=2\nB=\n');
    expect(Array.from(m)).toEqual([
      ['A', '1'],
      ['B', ''],
    ]);
  });

  it('drops CR before LF and stops at the first NUL', () => {
    const m = parseVmcoreinfo('OSRELEASE=6.1\r\nPAGESIZE=4096\r\nLAST=1\0\0\0\0');
    expect(Array.from(m)).toEqual([
      ['OSRELEASE', '6.1'],
      ['PAGESIZE', '4096'],
      ['LAST', '1'],
    ]);
    expect(parseVmcoreinfo('A=1\n\0B=2\n').has('B')).toBe(false);
    expect(parseVmcoreinfo('').size).toBe(0);
  });
});
