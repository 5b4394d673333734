/**
 * map() throughput: 1 GiB in base pages and in the arch's smallest huge
 * leaf, on each arch's usual mode, in a fresh machine each time. Prints one
 * JSON line per measurement (pages per second, best of 5).
 */
import { createMachine } from '../../dist/index.js';

const GiB = 2 ** 30;
const CASES = [
  ['x86-64', '4level', 0xffff888000000000],
  ['riscv64', 'sv39', 0xffffffd800000000],
  ['arm64', '4k-48', 0xffff000000000000],
  ['loongarch64', '16k-3level', 0xffff800000000000],
];

for (const [arch, mode, va] of CASES) {
  for (const huge of [false, true]) {
    let best = Infinity;
    let pages = 0;
    let pageSize = 0;
    for (let run = 0; run < 5; run++) {
      const m = createMachine({ arch, mode, ram: [{ base: { 'x86-64': 0, riscv64: 0x80000000, arm64: 0x40000000, loongarch64: 0 }[arch], size: 64 << 20 }] });
      const sizes = m.initMm.pageSizes;
      pageSize = huge ? sizes[1] : sizes[0];
      pages = GiB / pageSize;
      const t0 = performance.now();
      m.initMm.map(va, 0x100000000, GiB, { write: true, global: true }, { pageSize });
      best = Math.min(best, performance.now() - t0);
    }
    console.log(JSON.stringify({ scenario: `map-1g-${huge ? 'huge' : 'base'}`, arch, mode, page_size: pageSize, pages, ms: Math.round(best * 10) / 10, pages_per_sec: Math.round(pages / (best / 1000)) }));
  }
}
