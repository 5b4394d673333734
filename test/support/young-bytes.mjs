/**
 * Bytes allocated per visited entry, as the bench and the allocation test
 * both measure it (the process must run with --expose-gc and a young
 * generation large enough that no GC runs in a window): the growth of
 * used_heap_size across `runs` calls of `fn`, minus the same around an
 * empty function, per entry; the least of three windows (a deoptimization
 * and re-optimization inside one window shows up as the interpreter's
 * allocations; steady allocation shows in all three). null if a GC ran
 * in every window anyway.
 */
import v8 from 'node:v8';
import { PerformanceObserver } from 'node:perf_hooks';

let gcs = 0;
new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });

const tick = () => new Promise((r) => setTimeout(r, 20));

async function window(f, runs) {
  globalThis.gc();
  globalThis.gc();
  await tick(); // let the observer see the forced collections
  const gcBefore = gcs;
  const before = v8.getHeapStatistics().used_heap_size;
  for (let i = 0; i < runs; i++) f();
  const after = v8.getHeapStatistics().used_heap_size;
  await tick();
  return gcs === gcBefore ? after - before : null;
}

export async function bytesPerEntry(fn, entries, runs) {
  let best = null;
  for (let k = 0; k < 3; k++) {
    const used = await window(fn, runs);
    const base = await window(() => {}, runs);
    if (used === null || base === null) continue;
    const b = (used - base) / (runs * entries);
    if (best === null || b < best) best = b;
  }
  return best;
}
