/**
 * The `pagewalk` CLI on crash dumps as people have them: the real
 * makedumpfile outputs of test/fixtures/x86-64-4level/kdump (expected.json
 * and README.md there give the expected values), split sets and excluded
 * pages written by test/dump/kdump-builder.ts (checked against makedumpfile
 * in test/dump/kdump-builder.test.ts), gzip-wrapped files. ptdump, leaves,
 * checkwx and translate over a kdump file print what they print over the ELF
 * core of the same tables (the ELF's own output is checked against QEMU and
 * the kernel in cli.test.ts); ptdump of a kdump file made from the 6.1
 * kernel's tables is its debugfs text byte for byte.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { FIXTURES, fixtureBytes, fixtureText, qemuInfoTlb } from './support/fixtures.js';
import { buildKdump, splitRanges, storePages } from './dump/kdump-builder.js';
import { elfPages, storedPagesOf } from './dump/elf-pages.js';

function run(...argv: string[]): { status: number; out: string; err: string; bytes: Buffer } {
  let out = '';
  let err = '';
  const chunks: Uint8Array[] = [];
  const status = main(argv, {
    stdout: (c) => {
      out += c;
    },
    stdoutBytes: (b) => {
      chunks.push(b.slice());
    },
    stderr: (c) => {
      err += c;
    },
  });
  return { status, out, err, bytes: Buffer.concat(chunks) as Buffer };
}

const K = FIXTURES + 'x86-64-4level/kdump/';
const ELF = FIXTURES + 'x86-64-4level/tables.elf.gz';
const expected = JSON.parse(fixtureText('x86-64-4level/kdump/expected.json')) as { page_sha256: Record<string, string>; walks: { cr3: { leaves: number } } };
const dir = mkdtempSync(join(tmpdir(), 'pagewalk-cli-dump-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const e = elfPages();

function file(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** The real zlib file cut into a --split set of two (makedumpfile's splitblock rule). */
const SPLIT = (() => {
  const stored = storedPagesOf(fixtureBytes('x86-64-4level/kdump/tables.zlib.kdump.gz'));
  const ranges = splitRanges([...stored.keys()].sort((a, b) => a - b), e.maxMapnr, 2, 64);
  return ranges.map((split, i) => file(`split.${i}`, buildKdump({ blockSize: 4096, maxMapnr: e.maxMapnr, pages: stored, notes: e.notes, vmcoreinfoInNotes: e.vmcoreinfoInNotes, status: 1, split })));
})();

describe('pagewalk info', () => {
  it('kdump (zlib): format, compression, block size, dump level, page counts, arch, mode, root, VMCOREINFO (JSON)', () => {
    const r = run('info', '--format', 'json', K + 'tables.zlib.kdump.gz');
    expect(r).toMatchObject({ status: 0, err: '' });
    const j = JSON.parse(r.out);
    expect(Object.keys(j).slice(0, 9)).toEqual(['format', 'compression', 'blockSize', 'dumpLevel', 'pages', 'arch', 'mode', 'root', 'vmcoreinfo']);
    expect(j).toMatchObject({
      format: 'kdump',
      compression: ['zlib'], // expected.json page_descs_by_flags: 0x1 49, 0x0 64 (the zero block)
      blockSize: 4096,
      dumpLevel: 1,
      pages: { data: 113, excluded: 0, absent: 0xfead - 113, incomplete: 0 },
      arch: 'x86-64',
      mode: '4level',
      root: '0x2a10000', // README: init_top_pgt
      release: '6.1.0-56-amd64',
      pagesByCompression: { zlib: 49, none: 64 },
    });
    expect(j.vmcoreinfo['SYMBOL(init_top_pgt)']).toBe('ffffffff82a10000');
  });

  it('text, one field a line', () => {
    const r = run('info', K + 'tables.lzo.kdump.gz');
    expect(r.status).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('format        kdump');
    expect(lines).toContain('header        KDUMP version 6, 64-bit little-endian, status 0x2');
    expect(lines).toContain('compression   lzo 49, none 64 pages');
    expect(lines).toContain(`pages         113 data, 0 excluded, ${0xfead - 113} absent`);
    expect(lines).toContain('root          0x2a10000 (SYMBOL(init_top_pgt) - __START_KERNEL_map + NUMBER(phys_base))');
  });

  it('incomplete, flattened, split, ELF, raw', () => {
    const inc = JSON.parse(run('info', '--format', 'json', K + 'tables.zlib-incomplete.kdump.gz').out);
    expect(inc).toMatchObject({ format: 'kdump', incomplete: true, pages: { data: 0, incomplete: 113, absent: 0xfead } });
    expect(run('info', K + 'tables.zlib-incomplete.kdump.gz').out).toMatch(/^pages +0 data, 0 excluded, 65197 absent \(113 incomplete\)$/m);
    const flat = JSON.parse(run('info', '--format', 'json', K + 'tables.zlib.flat.gz').out);
    expect(flat).toMatchObject({ format: 'flattened', content: 'kdump', compression: ['zlib'], pages: { data: 113 } });
    const split = JSON.parse(run('info', '--format', 'json', ...SPLIT).out);
    expect(split.pages).toMatchObject({ data: 113, missingParts: 0 });
    expect(split.parts).toHaveLength(2);
    expect(split.parts[0].startPfn).toBe(0);
    expect(split.parts[1].endPfn).toBe(0xfead);
    const one = JSON.parse(run('info', '--format', 'json', SPLIT[1]).out);
    expect(one.pages.missingParts).toBeGreaterThan(0);
    const elf = JSON.parse(run('info', '--format', 'json', ELF).out);
    expect(elf).toMatchObject({ format: 'elf', compression: [], blockSize: 4096, dumpLevel: null, pages: { data: 113, excluded: 0 }, arch: 'x86-64', root: '0x2a10000', machine: '62' });
    const raw = JSON.parse(run('info', '--format', 'json', '--raw-base', '0x1000', file('raw.bin', new Uint8Array(8192))).out);
    expect(raw).toMatchObject({ format: 'raw', pages: { data: 2, absent: 1 }, arch: null, mode: null, root: null, vmcoreinfo: {} });
  });
});

describe('ptdump, leaves, checkwx, translate on kdump, flattened, split and gzip-wrapped files', () => {
  const ELF_PTDUMP = run('ptdump', '--root', '0x6330000', ELF);
  const ELF_LEAVES = run('leaves', '--format', 'json', '--root', '0x6330000', ELF);

  it.each([
    ['zlib', [K + 'tables.zlib.kdump.gz']],
    ['lzo', [K + 'tables.lzo.kdump.gz']],
    ['snappy', [K + 'tables.snappy.kdump.gz']],
    ['zstd', [K + 'tables.zstd.kdump.gz']],
    ['flattened', [K + 'tables.zlib.flat.gz']],
    ['split set', SPLIT],
  ])('%s: ptdump and leaves print what they print over the ELF core', (_n, images) => {
    const p = run('ptdump', '--root', '0x6330000', ...images);
    expect(p.err).toBe('');
    expect(p.out).toBe(ELF_PTDUMP.out);
    const l = run('leaves', '--format', 'json', '--root', '0x6330000', ...images);
    expect(l.out).toBe(ELF_LEAVES.out);
    expect(l.out.trim().split('\n').length).toBe(qemuInfoTlb('x86-64-4level/qemu-info-tlb.txt.gz').length); // 74,577: QEMU info tlb
    expect(l.out.trim().split('\n').length).toBe(expected.walks.cr3.leaves); // the fixture's expected.json says the same
  });

  it('a plain (not gzipped) kdump file: checkwx and translate, root and mode from VMCOREINFO', () => {
    const plain = file('tables.zstd.kdump', fixtureBytes('x86-64-4level/kdump/tables.zstd.kdump.gz'));
    // That kernel's boot log: "x86/mm: Checked W+X mappings: passed, no W+X pages found." (cli.test.ts)
    expect(run('checkwx', plain)).toMatchObject({ status: 0, out: 'x86/mm: Checked W+X mappings: passed, no W+X pages found.\n' });
    const t = run('translate', '--root', '0x6330000', '0xffff888000001234', plain);
    expect(t.out).toBe(run('translate', '--root', '0x6330000', '0xffff888000001234', ELF).out);
    expect(t.out.trim().split('\n').pop()).toBe('  PHYSICAL 0x0000000000001234  4K pte leaf, effective -rw-gad'); // qemu-info-tlb
  });

  it("ptdump of a kdump file of the 6.1 kernel's tables is the kernel's debugfs text byte for byte", () => {
    const k = elfPages('kernel-6.1-x86-64-4level/tables.elf.gz');
    const path = file('kernel-6.1.kdump', buildKdump({ blockSize: 4096, maxMapnr: k.maxMapnr, pages: storePages(k.pages), notes: k.notes, vmcoreinfoInNotes: k.vmcoreinfoInNotes }));
    const r = run('ptdump', '--config', FIXTURES + 'kernel-6.1-x86-64-4level/config.gz', path);
    expect(r.err).toBe('');
    expect(r.out).toBe(fixtureText('kernel-6.1-x86-64-4level/kernel-ptdump-kernel.txt'));
  });

  it('the incomplete file: the root table is absent, one line, exit 2', () => {
    const r = run('ptdump', K + 'tables.zlib-incomplete.kdump.gz');
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/^pagewalk: \S+tables\.zlib-incomplete\.kdump\.gz: root table at physical 0x2a10000 is not inside the memory image\n$/);
  });
});

describe('pagewalk read', () => {
  const page = (pa: number) => e.pages.get(pa / 4096)!;

  it('--phys, hex: xxd layout with the address', () => {
    const r = run('read', '--phys', '0x6330000', '20', K + 'tables.zlib.kdump.gz');
    expect(r).toMatchObject({ status: 0, err: '' });
    const b = page(0x6330000);
    const hex = (i: number) => b[i].toString(16).padStart(2, '0');
    expect(r.out.split('\n')[0]).toBe(`0000000006330000: ${hex(0)}${hex(1)} ${hex(2)}${hex(3)} ${hex(4)}${hex(5)} ${hex(6)}${hex(7)} ${hex(8)}${hex(9)} ${hex(10)}${hex(11)} ${hex(12)}${hex(13)} ${hex(14)}${hex(15)}  ${[...b.subarray(0, 16)].map((c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.')).join('')}`);
    expect(r.out.split("\n")[1]).toMatch(/^0000000006330010: [0-9a-f]{4} [0-9a-f]{4} {32}.{4}$/); // xxd pads a short line to the ASCII column
  });

  it('--phys and --virt, raw: the bytes of the page, from a split set and through the tables', () => {
    const phys = run('read', '--phys', '0x4401000', '4096', '--format', 'raw', ...SPLIT);
    expect(phys).toMatchObject({ status: 0, out: '', err: '' });
    expect(phys.bytes).toEqual(Buffer.from(page(0x4401000)));
    const virt = run('read', '--virt', '0xffff888004401000', '8192', '--format', 'raw', K + 'tables.snappy.kdump.gz');
    expect(virt.status).toBe(0);
    expect(virt.bytes).toEqual(Buffer.concat([page(0x4401000), page(0x4402000)]));
  });

  it('stops at the first unreadable byte: what came before, then one line naming it, exit 2', () => {
    const r = run('read', '--phys', '0x6330ff0', '32', K + 'tables.zlib.kdump.gz');
    expect(r.status).toBe(2);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    expect(r.out).toMatch(/^0000000006330ff0: /);
    expect(r.err).toMatch(/^pagewalk: \S+tables\.zlib\.kdump\.gz: physical 0x6331000: absent: not memory in the dumped machine \(clear in the dump's memory bitmap\)\n$/);
    const v = run('read', '--virt', '0xffff888000000000', '8', K + 'tables.zlib.kdump.gz');
    expect(v.status).toBe(2);
    expect(v.err).toMatch(/: virtual 0xffff888000000000 \(physical 0x0\): absent: not memory/);
    const inc = run('read', '--phys', '0x6330000', '8', K + 'tables.zlib-incomplete.kdump.gz');
    expect(inc.err).toMatch(/: physical 0x6330000: absent: the dump is incomplete/);
  });

  it('excluded pages: "excluded by the dump level", or zeros with --fill-excluded zero', () => {
    const pages = new Map(e.pages);
    pages.delete(0x4402);
    const path = file('excluded.kdump', buildKdump({ blockSize: 4096, maxMapnr: e.maxMapnr, pages: storePages(pages), excluded: [0x4402], notes: e.notes, vmcoreinfoInNotes: e.vmcoreinfoInNotes, dumpLevel: 31 }));
    const r = run('read', '--phys', '0x4402000', '16', path);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/: physical 0x4402000: excluded by the dump level \(makedumpfile -d 31 left this page out\)\n$/);
    const z = run('read', '--phys', '0x4401ff8', '16', '--fill-excluded', 'zero', '--format', 'raw', path);
    expect(z.status).toBe(0);
    expect(z.bytes).toEqual(Buffer.concat([page(0x4401000).subarray(4088), new Uint8Array(8)]));
    expect(JSON.parse(run('info', '--format', 'json', path).out).pages).toMatchObject({ data: 112, excluded: 1 });
    expect(run('read', '--phys', '0x1000', '1', '--fill-excluded', 'zero', path).err).toMatch(/physical 0x1000: absent/);
  });

  it('refuses what does not apply', () => {
    expect(run('read', '--phys', '0x0', '8', '--root', '0x1000', K + 'tables.zlib.kdump.gz').err).toBe('pagewalk: --root applies to --virt (a physical read needs no page tables)\n');
    expect(run('read', '8', K + 'tables.zlib.kdump.gz').err).toBe('pagewalk: read needs one of --phys ADDR and --virt ADDR\n');
    expect(run('read', '--phys', '0', '8', '--fill-excluded', 'ones', K + 'tables.zlib.kdump.gz').status).toBe(2);
  });
});

describe('pagewalk find', () => {
  it('finds bytes across a page boundary, at every address that maps them, as over the ELF', () => {
    // The last 4 bytes of page 0x4401000 and the first 4 of 0x4402000: contiguous in the direct map.
    const pattern = Buffer.concat([e.pages.get(0x4401)!.subarray(4092), e.pages.get(0x4402)!.subarray(0, 4)]).toString('hex');
    const r = run('find', '--hex', pattern, '--root', '0x6330000', K + 'tables.zlib.kdump.gz');
    expect(r.status).toBe(0);
    const found = r.out.trim().split('\n');
    expect(found).toContain('0xffff888004401ffc');
    expect(r.err).toMatch(/^pagewalk: find: skipped \d+ unreadable pages \(0 excluded by the dump level, \d+ absent\)\n$/);
    // Every address found holds the bytes (read through the ELF core's tables).
    for (const va of found) expect(run('read', '--virt', va, '8', '--format', 'raw', '--root', '0x6330000', ELF).bytes.toString('hex')).toBe(pattern);
    expect(run('find', '--hex', pattern, '--root', '0x6330000', ELF).out).toBe(r.out);
  });

  it('--string and --range; bad patterns refused', () => {
    const none = run('find', '--string', 'no such text in page tables', '--range', '0xffff888000000000-0xffff888010000000', K + 'tables.zlib.kdump.gz');
    expect(none).toMatchObject({ status: 0, out: '' });
    expect(run('find', '--hex', 'abc', K + 'tables.zlib.kdump.gz').err).toMatch(/^pagewalk: --hex "abc" must be pairs of hex digits/);
    expect(run('find', K + 'tables.zlib.kdump.gz').err).toBe('pagewalk: find needs one of --hex BYTES and --string TEXT\n');
  });
});

describe('errors on dump files: one line, exit 2', () => {
  it.each<[string, () => string[], RegExp]>([
    ['a truncated kdump file', () => [file('cut.kdump', fixtureBytes('x86-64-4level/kdump/tables.zlib.kdump.gz').subarray(0, 0x7100))], /^pagewalk: \S+cut\.kdump: kdump: at offset 0x7000: the 113 page descriptors .* run past the end/],
    ['split parts that overlap', () => [SPLIT[0], SPLIT[0].replace(/\.0$/, '.0b')], /overlap/],
    ['a split part with an ELF core', () => [SPLIT[0], ELF], /is an ELF core: several files must be the parts of one kdump --split dump/],
  ])('%s', (_n, images, message) => {
    const paths = images();
    if (paths[1]?.endsWith('.0b')) writeFileSync(paths[1], readFileSync(paths[0]));
    const r = run('ptdump', ...paths);
    expect(r.status).toBe(2);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
  });
});
