/**
 * Issue 7 §6, input files: mutations of a real ELF core (the x86-64
 * fixture: QEMU dump-guest-memory layout with VMCOREINFO) and of gzip
 * input — truncations, flipped header fields, huge counts and offsets.
 * Each case ends in exactly one PagewalkError (EBADIMAGE naming an
 * offset, or EIO for a file that cannot be used) or in success; a success
 * must then walk (checkWx of the VMCOREINFO root) without any other
 * exception. Seeded and bounded; every failure names its seed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { checkWx, kernelTablesFromVmcoreinfo, loadElfCore, openImage } from '../../src/index.js';
import { openDumpFile } from '../../src/node.js';
import { fixtureBytes } from '../support/fixtures.js';
import { BASE_SEED, below, pick, rng, type Rng } from '../support/rng.js';
import { bitFlips, outcome, truncation } from './mutations.js';

const ELF = fixtureBytes('x86-64-4level/tables.elf.gz');
const view = new DataView(ELF.buffer, ELF.byteOffset, ELF.byteLength);
const PHOFF = Number(view.getBigUint64(32, true));
const PHNUM = view.getUint16(56, true);

/** Offsets of the header fields worth breaking: ELF header, and p_offset/p_paddr/p_filesz/p_memsz of every program header. */
const FIELDS: { at: number; size: 2 | 4 | 8 }[] = [
  { at: 16, size: 2 }, // e_type
  { at: 18, size: 2 }, // e_machine
  { at: 32, size: 8 }, // e_phoff
  { at: 40, size: 8 }, // e_shoff
  { at: 54, size: 2 }, // e_phentsize
  { at: 56, size: 2 }, // e_phnum
  { at: 58, size: 2 }, // e_shentsize
];
for (let i = 0; i < PHNUM; i++) {
  const at = PHOFF + i * 56;
  FIELDS.push({ at, size: 4 }, { at: at + 8, size: 8 }, { at: at + 24, size: 8 }, { at: at + 32, size: 8 }, { at: at + 40, size: 8 });
}

const HUGE = [0n, 1n, 0xffffn, 0xffffffffn, 1n << 40n, 1n << 52n, 1n << 53n, (1n << 63n) - 1n, (1n << 64n) - 1n];

/** One mutation of the bytes, described for the failure message. */
function mutate(r: Rng, src: Uint8Array): { bytes: Uint8Array; what: string } {
  const kind = below(r, 4);
  if (kind === 0) return truncation(r, src);
  if (kind === 1) return bitFlips(r, src, 0x4000);
  const bytes = src.slice();
  const dv = new DataView(bytes.buffer);
  const f = pick(r, FIELDS);
  const v = kind === 2 ? pick(r, HUGE) : BigInt(below(r, 2 ** 32)) * BigInt(1 + below(r, 3));
  if (f.size === 8) dv.setBigUint64(f.at, BigInt.asUintN(64, v), true);
  else if (f.size === 4) dv.setUint32(f.at, Number(BigInt.asUintN(32, v)), true);
  else dv.setUint16(f.at, Number(BigInt.asUintN(16, v)), true);
  return { bytes, what: `field at ${f.at} set to 0x${v.toString(16)}` };
}

let walked = 0;

/** After a successful load: the tables at the VMCOREINFO root walk, or fail with a PagewalkError. */
function walkLoaded(memory: ReturnType<typeof loadElfCore>['memory'], vmcoreinfo: Map<string, string>, context: string): void {
  outcome(() => {
    walked++;
    const info = kernelTablesFromVmcoreinfo(vmcoreinfo, 'x86-64');
    if (info.root === null) return;
    const m = openImage(memory, { arch: 'x86-64', mode: (info.mode ?? '4level') as '4level', root: info.root });
    checkWx(m.initMm);
  }, `${context}: walking the loaded core`);
}

describe('fuzz: mutated ELF cores', () => {
  it('loadElfCore: 1500 mutations, each a PagewalkError with an offset or a core that walks', () => {
    const r = rng(BASE_SEED);
    for (let i = 0; i < 1500; i++) {
      const seed = `seed ${BASE_SEED}#${i}`;
      const { bytes, what } = mutate(r, ELF);
      let loaded: ReturnType<typeof loadElfCore> | undefined;
      const code = outcome(() => void (loaded = loadElfCore(bytes)), `${seed} (${what})`);
      expect(['ok', 'EBADIMAGE', 'EINVAL'], `${seed} (${what}): ${code}`).toContain(code);
      if (code === 'EBADIMAGE') {
        let message = '';
        try {
          loadElfCore(bytes);
        } catch (e) {
          message = (e as Error).message;
        }
        expect(message, `${seed} (${what})`).toMatch(/at offset 0x[0-9a-f]+/);
      }
      if (loaded !== undefined && i % 10 === 0) walkLoaded(loaded.memory, loaded.vmcoreinfo, `${seed} (${what})`);
    }
    expect(walked).toBeGreaterThan(50); // the loads that succeed do get walked
  }, 60_000);
});

describe('fuzz: files through openDumpFile (ELF and gzip)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pagewalk-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const gz = gzipSync(ELF);

  it('300 mutated ELF files and 300 mutated gzip files: one PagewalkError or success, never another exception', () => {
    const r = rng(BASE_SEED ^ 0x5eed);
    for (let i = 0; i < 600; i++) {
      const seed = `seed ${BASE_SEED ^ 0x5eed}#${i}`;
      const gzip = i >= 300;
      const { bytes, what } = gzip ? mutateGzip(r, gz) : mutate(r, ELF);
      const path = join(dir, gzip ? `case${i}.elf.gz` : `case${i}.elf`);
      writeFileSync(path, bytes);
      const code = outcome(() => {
        const d = openDumpFile(path, { cacheBytes: 1 << 20 });
        try {
          walkLoaded(d.memory, d.vmcoreinfo, `${seed} (${what})`);
        } finally {
          d.close();
        }
      }, `${seed} (${gzip ? 'gzip' : 'elf'}, ${what})`);
      expect(['ok', 'EBADIMAGE', 'EIO', 'EINVAL'], `${seed}: ${code}`).toContain(code);
    }
  }, 60_000);
});

function mutateGzip(r: Rng, src: Uint8Array): { bytes: Uint8Array; what: string } {
  const kind = below(r, 3);
  if (kind === 0) {
    const n = 2 + below(r, src.length - 2);
    return { bytes: src.slice(0, n), what: `gzip truncated to ${n} bytes` };
  }
  const bytes = src.slice();
  if (kind === 1) {
    // The header (flags, method) and the trailer (CRC32, ISIZE).
    const at = below(r, 2) === 0 ? 2 + below(r, 8) : bytes.length - 1 - below(r, 8);
    bytes[at] ^= 1 << below(r, 8);
    return { bytes, what: `gzip header/trailer bit flip at ${at}` };
  }
  const at = 10 + below(r, bytes.length - 18);
  bytes[at] ^= 1 << below(r, 8);
  return { bytes, what: `deflate data bit flip at ${at}` };
}
