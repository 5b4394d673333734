/**
 * Child process of allocation.test.ts: builds one scenario with the bundled
 * library (argv[2]: its index.js), walks it in a fresh process (so the walker
 * has seen only these ops: "mono"), and prints the young-generation bytes
 * allocated per visited entry, the least of three windows of >= 1M visits
 * with no GC inside (run with --expose-gc and a large --min-semi-space-size).
 */
import { bytesPerEntry } from '../support/young-bytes.mjs';

const [lib, scenario] = process.argv.slice(2);
const { createMachine, walkKernelPageTableRange } = await import(lib);
const GiB = 2 ** 30;
const DIRECT = 0xffff888000000000;

const m = createMachine({ arch: 'x86-64', mode: '4level' });
const mm = m.initMm;
const priv = { count: 0, sum: -0, x: 0 };
let ops;
let range = [DIRECT, DIRECT + GiB / 4];
/** pteEntry callbacks using the cheap accessors, each in a process of its own (mono: inlined into the walker). */
const PTE_CALLBACKS = {
  lo: (e, w) => ((w.private.x ^= w.lo(e)), w.private.count++, 0),
  hi: (e, w) => ((w.private.x ^= w.hi(e)), w.private.count++, 0),
  none: (e, w) => (w.none(e) ? 0 : w.private.count++, 0),
  present: (e, w) => (w.present(e) ? w.private.count++ : 0, 0),
  leaf: (e, w) => (w.leaf(e) ? w.private.count++ : 0, 0),
  pfn: (e, w) => ((w.private.sum += w.pfn(e)), w.private.count++, 0),
  phys: (e, w) => ((w.private.sum += w.phys(e)), w.private.count++, 0),
  // the bench's callback, and ptdump's (lo, hi, leaf)
  'present+pfn': (e, w) => {
    if (w.present(e)) {
      const p = w.private;
      p.count++;
      p.sum += w.pfn(e);
    }
    return 0;
  },
  'lo+hi+leaf': (e, w) => {
    const p = w.private;
    p.x ^= w.lo(e) ^ w.hi(e);
    if (w.leaf(e)) p.count++;
    return 0;
  },
};

if (scenario.startsWith('pteEntry-')) {
  mm.map(DIRECT, 0x100000000, GiB / 4, { write: true, global: true });
  ops = { pteEntry: PTE_CALLBACKS[scenario.slice('pteEntry-'.length)] };
  if (ops.pteEntry === undefined) throw new Error(`unknown scenario ${scenario}`);
} else if (scenario === 'pteRange') {
  mm.map(DIRECT, 0x100000000, GiB / 4, { write: true, global: true });
  ops = {
    pteRange(first, count, w) {
      const words = w.ptes;
      const codec = w.codec;
      let wi = w.pteWord;
      let n = 0;
      let sum = 0;
      for (let i = 0; i < count; i++, wi += 2) {
        if (codec.present(4, words[wi], words[wi + 1])) {
          n++;
          sum += codec.outputPa(4, words[wi], words[wi + 1]) / 4096;
        }
      }
      w.private.count += n;
      w.private.sum += sum;
      return 0;
    },
  };
} else if (scenario === 'huge-2m') {
  mm.map(DIRECT, 0x100000000, 64 * GiB, { write: true, global: true }, { pageSize: '2M' });
  range = [DIRECT, DIRECT + 64 * GiB];
  ops = {
    pmdEntry(e, w) {
      if (w.leaf(e)) {
        const p = w.private;
        p.count++;
        p.sum += w.pfn(e);
      }
      return 0;
    },
    pteEntry: () => 0,
  };
} else if (scenario === 'sparse-holes') {
  mm.map(DIRECT, 0x100000000, GiB / 4, { write: true, global: true });
  for (const va of [0xffffc90000000000, 0xffffffff81000000, 0xfffffe0000000000]) mm.map(va, 0x200000000, 4096, { write: true });
  range = [0xffff800000000000, 2 ** 64];
  ops = {
    pteEntry(e, w) {
      if (w.present(e)) w.private.count++;
      return 0;
    },
    pteHole(depth, w) {
      w.private.sum += w.next - w.addr;
      return 0;
    },
  };
} else {
  throw new Error(`unknown scenario ${scenario}`);
}

const walk = () => walkKernelPageTableRange(mm, range[0], range[1], ops, { private: priv });
priv.count = 0;
walk();
const entries = priv.count;
if (entries === 0) throw new Error('no entries');
for (let i = 0; i < 40; i++) walk(); // warm up: optimized code for the walker and the callbacks

const best = await bytesPerEntry(walk, entries, Math.max(4, Math.ceil(1e6 / entries)));
console.log(JSON.stringify({ scenario, entries, bytesPerEntry: best }));
