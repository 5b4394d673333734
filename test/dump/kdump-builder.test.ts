/**
 * The test-file builder against makedumpfile itself: built from the pages
 * of tables.elf.gz with the options `makedumpfile -d 1` used, it must write
 * tables.uncompressed.kdump byte for byte (test/fixtures/x86-64-4level/kdump,
 * real makedumpfile 1.7.2 output), and its split sets and flattened files
 * must read exactly as the real files they are made from.
 */
import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../support/fixtures.js';
import { buildKdump, storePages } from './kdump-builder.js';
import { elfPages } from './elf-pages.js';

describe('kdump-builder.ts against makedumpfile 1.7.2', () => {
  it('writes tables.uncompressed.kdump (makedumpfile -d 1) byte for byte', () => {
    const e = elfPages();
    const built = buildKdump({ blockSize: 4096, maxMapnr: e.maxMapnr, pages: storePages(e.pages), notes: e.notes, vmcoreinfoInNotes: e.vmcoreinfoInNotes });
    const real = fixtureBytes('x86-64-4level/kdump/tables.uncompressed.kdump.gz');
    expect(built.length).toBe(real.length);
    const diff = built.findIndex((b, i) => b !== real[i]);
    expect(diff).toBe(-1);
  });
});
