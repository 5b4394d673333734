import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/**
 * The real page tables in test/fixtures (copied from the shared fixture store
  * with their provenance, test/fixtures/README.md): read a file, gunzipping `.gz` ones.
 */
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export function fixtureBytes(path: string): Uint8Array {
  const raw = readFileSync(FIXTURES + path);
  return new Uint8Array(path.endsWith('.gz') ? gunzipSync(raw) : raw);
}

export function fixtureText(path: string): string {
  return new TextDecoder().decode(fixtureBytes(path));
}

/** One line of QEMU's `info tlb` (target/i386/monitor.c tlb_info_la48): `vaddr: paddr XGPDACTUW`. */
export interface QemuTlbLine {
  va: bigint;
  pa: bigint;
  flags: string;
}

export function qemuInfoTlb(path: string): QemuTlbLine[] {
  return fixtureText(path)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const m = /^([0-9a-f]{16}): ([0-9a-f]{16}) ([X-][G-][P-][D-][A-][C-][T-][U-][W-])$/.exec(l);
      if (m === null) throw new Error(`not an info tlb line: ${l}`);
      return { va: BigInt('0x' + m[1]), pa: BigInt('0x' + m[2]), flags: m[3] };
    });
}
