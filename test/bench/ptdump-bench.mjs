/**
 * ptdump and leaves timings: the real x86-64 fixture (74,577 leaves, 65,650
 * ESPfix-heavy ranges) and a 16 GiB direct map in 4K pages (4 Mi ptes), each
 * measured in a fresh process for its peak memory.
 * Prints one JSON line per measurement.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const JOBS = [
  ['fixture', 'ptdump --format kernel'],
  ['fixture', 'ptdump --format json'],
  ['fixture', 'leaves --format json'],
  ['16g-4k', 'ptdump --format kernel'],
  ['16g-4k', 'leaves --format text'],
];

if (process.argv[2] === 'job') {
  const [, , , source, command, format] = process.argv;
  const lib = await import('../../dist/index.js');
  const { readFileSync } = await import('node:fs');
  const { gunzipSync } = await import('node:zlib');
  let mm;
  if (source === 'fixture') {
    const fx = fileURLToPath(new URL('../fixtures/x86-64-4level/tables.elf.gz', import.meta.url));
    const { memory } = lib.loadElfCore(new Uint8Array(gunzipSync(readFileSync(fx))));
    mm = lib.openImage(memory, { arch: 'x86-64', mode: '4level', root: 0x6330000 }).initMm;
  } else {
    const m = lib.createMachine({ arch: 'x86-64', mode: '4level', ram: [{ base: 0, size: 64 << 20 }] });
    m.initMm.map(0xffff888000000000, 0, 16 * 2 ** 30, { write: true, global: true });
    mm = m.initMm;
  }
  let lines = 0;
  let bytes = 0;
  const sink = (l) => {
    lines++;
    bytes += l.length + 1;
  };
  const t0 = performance.now();
  if (command === 'ptdump') lib.ptdump(mm, sink, { format });
  else lib.forEachLeaf(mm, (leaf) => sink(format === 'json' ? JSON.stringify({ va: leaf.va, pa: leaf.pa }) : String(leaf.va)));
  const ms = performance.now() - t0;
  const mib = (n) => Math.round((n / 2 ** 20) * 10) / 10;
  console.log(JSON.stringify({ scenario: `${command}-${source}`, what: `${command} --format ${format} (${source})`, ms: Math.round(ms), lines, output_mib: mib(bytes), peak_rss_mib: mib(process.resourceUsage().maxRSS * 1024), heap_mib: mib(process.memoryUsage().heapUsed) }));
} else {
  for (const [source, cmd] of JOBS) {
    const [command, , format] = cmd.split(' ');
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'job', source, command, format], { encoding: 'utf8' });
    process.stdout.write(out);
  }
}
