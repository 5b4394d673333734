/**
 * pagewalk/node: dumps opened by path and read on demand. The fixture core is
 * written out uncompressed (and as a raw image of one segment) so the file
 * reader, not the in-memory loader, serves every page; a tiny block cache
 * forces evictions. Expected values: QEMU's info tlb of the same tables.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImage, parseElfCore } from '../src/index.js';
import { openDumpFile } from '../src/node.js';
import { fixtureBytes, qemuInfoTlb } from './support/fixtures.js';

describe('openDumpFile: an ELF core read on demand', () => {
  let dir = '';
  let elf = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pagewalk-dump-'));
    elf = join(dir, 'tables.elf');
    writeFileSync(elf, fixtureBytes('x86-64-4level/tables.elf.gz'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the machine, VMCOREINFO and the segments from the file', () => {
    const d = openDumpFile(elf);
    try {
      expect(d.arch).toBe('x86-64');
      expect(d.vmcoreinfo.get('SYMBOL(init_top_pgt)')).toBe('ffffffff82a10000'); // fixtures README
      expect(d.memory.writable).toBe(false);
      expect(d.memory.regions).toHaveLength(0); // nothing held in memory: all on demand
      expect(d.memory.ranges.length).toBe(26); // readelf -l: 26 PT_LOAD
    } finally {
      d.close();
    }
  });

  it('translates every QEMU info tlb leaf through a 1 MiB block cache (evicting as it goes)', () => {
    const d = openDumpFile(elf, { cacheBytes: 1 << 20 });
    try {
      const mm = openImage(d.memory, { arch: 'x86-64', mode: '4level', root: 0x6330000 }).initMm;
      let wrong = 0;
      for (const l of qemuInfoTlb('x86-64-4level/qemu-info-tlb.txt.gz')) {
        const t = mm.translate(l.va);
        if (!t.mapped || t.phys !== l.pa) wrong++;
      }
      expect(wrong).toBe(0);
    } finally {
      d.close();
    }
  });

  it('reads a raw image placed at --raw-base', () => {
    // One PT_LOAD of the core as a raw file: its bytes at its p_paddr.
    const bytes = fixtureBytes('x86-64-4level/tables.elf.gz');
    const seg = parseElfCore(bytes).segments.find((s) => s.paddr <= 0x6330000 && 0x6330000 < s.paddr + s.memsz)!;
    const raw = join(dir, 'pgd.raw');
    writeFileSync(raw, bytes.subarray(seg.offset, seg.offset + seg.filesz));
    const d = openDumpFile(raw, { rawBase: seg.paddr });
    try {
      expect(d.core).toBeNull();
      expect(d.memory.readU64(0x6330000 + 273 * 8)).toBe(0x0000000004401067n); // pgd[273] (test/arch/x86_64.test.ts)
    } finally {
      d.close();
    }
  });

  it('refuses a missing file and a truncated core with one clear error', () => {
    expect(() => openDumpFile(join(dir, 'nope.elf'))).toThrow(/nope\.elf: cannot open: no such file/);
    const cut = join(dir, 'cut.elf');
    writeFileSync(cut, fixtureBytes('x86-64-4level/tables.elf.gz').subarray(0, 0x3000));
    expect(() => openDumpFile(cut)).toThrow(/ELF core: at offset 0x[0-9a-f]+: .*truncated/);
  });
});
