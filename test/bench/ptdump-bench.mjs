/**
 * ptdump and leaves timings: the real x86-64 fixture (74,577 leaves, 65,650
 * ESPfix-heavy ranges) and a 16 GiB direct map in 4K pages (4 Mi ptes), each
 * measured in a fresh process for its peak memory: the library in-process
 * (first call: V8 has not compiled anything yet), and the `pagewalk`
 * command end to end as a user runs it (process start, reading the image,
 * output to /dev/null).
 * Prints one JSON line per measurement.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI_JOBS = [
  ['fixture', ['ptdump', '--format', 'json']],
  ['fixture', ['leaves', '--format', 'text']],
  ['16g-4k', ['leaves', '--format', 'text']],
  ['16g-4k', ['ptdump', '--format', 'kernel']],
];

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
} else if (process.argv[2] === 'image') {
  // The 16 GiB table set as a raw image for the command to read (64 MiB RAM at 0, root 0).
  const lib = await import('../../dist/index.js');
  const m = lib.createMachine({ arch: 'x86-64', mode: '4level', ram: [{ base: 0, size: 64 << 20 }] });
  m.initMm.map(0xffff888000000000, 0, 16 * 2 ** 30, { write: true, global: true });
  writeFileSync(process.argv[3], m.memory.regions[0].bytes);
  console.log(m.initMm.root);
} else {
  for (const [source, cmd] of JOBS) {
    const [command, , format] = cmd.split(' ');
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'job', source, command, format], { encoding: 'utf8' });
    process.stdout.write(out);
  }
  const dir = mkdtempSync(join(tmpdir(), 'pagewalk-bench-'));
  try {
    const raw = join(dir, '16g.raw');
    const root = execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'image', raw], { encoding: 'utf8' }).trim();
    const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
    const image = {
      fixture: ['--root', '0x6330000', fileURLToPath(new URL('../fixtures/x86-64-4level/tables.elf.gz', import.meta.url))],
      '16g-4k': ['--arch', 'x86-64', '--mode', '4level', '--root', root, raw],
    };
    for (const [source, args] of CLI_JOBS) {
      let best = Infinity;
      let rss = 0;
      for (let i = 0; i < 3; i++) {
        const out = openSync('/dev/null', 'w');
        const t0 = performance.now();
        const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, cli, ...args, ...image[source]], { stdio: ['ignore', out, 'pipe'], encoding: 'utf8' });
        const ms = performance.now() - t0;
        closeSync(out);
        if (r.status !== 0) throw new Error(`pagewalk ${args.join(' ')}: ${r.stderr}`);
        if (ms < best) best = ms;
        rss = Math.max(rss, Number(r.stderr.trim().split('\n').pop()) / 1024);
      }
      const what = `pagewalk ${args.join(' ')} (${source}), whole command`;
      console.log(JSON.stringify({ scenario: `cli-${args[0]}-${source}`, what, ms: Math.round(best), lines: null, peak_rss_mib: Math.round(rss * 10) / 10, heap_mib: null }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
