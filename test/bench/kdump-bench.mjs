/**
 * ptdump from kdump-compressed and flattened dumps against ptdump of the
 * same tables from an ELF core (target: at most 2x), each in a fresh
 * process (opened by path through openDumpFile, pages read on demand) for
 * its time and peak RSS:
 *
 * - fixture: the real makedumpfile outputs of test/fixtures/x86-64-4level
 *   (113 table pages, 74,577 leaves from CR3) in every format;
 * - 16g: a 16 GiB direct map in 4 KiB pages (4 Mi ptes, 8,200 table pages)
 *   in a dump whose bitmaps describe 64 GiB of RAM with everything but the
 *   tables excluded (what -d 31 leaves of a 64 GiB machine's tables), as an
 *   ELF core and as kdump files (zlib, uncompressed, flattened, a split set
 *   of two), walked with the default 64 MiB cache and with a 4 MiB one.
 *
 * The dumps are written by test/dump/kdump-builder.ts (bundled here with
 * esbuild) into a temporary folder. Needs dist/ (npm run build).
 *
 * usage: node test/bench/kdump-bench.mjs [--json]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';

const here = fileURLToPath(new URL('.', import.meta.url));
const fixtures = join(here, '../fixtures/x86-64-4level');

if (process.argv[2] === 'job') {
  // One measurement: node kdump-bench.mjs job CACHE_BYTES ROOT PATH...
  const [, , , cache, root, ...paths] = process.argv;
  const { openImage, ptdump } = await import('../../dist/index.js');
  const { openDumpFile } = await import('../../dist/node.js');
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const t0 = performance.now();
  const c0 = cpu();
  const d = openDumpFile(paths, { cacheBytes: Number(cache) });
  const opened = performance.now();
  const c1 = cpu();
  const mm = openImage(d.memory, { arch: 'x86-64', mode: '4level', root: Number(root) }).initMm;
  let lines = 0;
  ptdump(mm, () => {
    lines++;
  });
  const done = performance.now();
  const c2 = cpu();
  d.close();
  console.log(
    JSON.stringify({
      open_ms: Math.round((opened - t0) * 10) / 10,
      open_cpu_ms: Math.round((c1 - c0) * 10) / 10,
      ms: Math.round(done - opened),
      cpu_ms: Math.round(c2 - c1),
      lines,
      peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
  process.exit(0);
}

const json = process.argv.includes('--json');
const dir = mkdtempSync(join(tmpdir(), 'pagewalk-kdump-bench-'));
try {
  const esbuild = await import('esbuild');
  const builderJs = join(dir, 'kdump-builder.mjs');
  await esbuild.build({ entryPoints: [join(here, '../dump/kdump-builder.ts')], bundle: true, platform: 'node', format: 'esm', outfile: builderJs, logLevel: 'silent' });
  const { buildKdump, flatten, splitRanges, storePages } = await import(pathToFileURL(builderJs).href);
  const lib = await import('../../dist/index.js');

  const rows = [];
  const measure = (scenario, format, cache, root, paths) => {
    const best = [0, 1, 2]
      .map(() => JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), 'job', String(cache), String(root), ...paths], { encoding: 'utf8' })))
      .sort((a, b) => a.cpu_ms - b.cpu_ms)[0];
    const row = { scenario, format, cache_mib: cache / 2 ** 20, ...best };
    rows.push(row);
    if (json) console.log(JSON.stringify(row));
  };

  // The real files, gunzipped to disk.
  const real = (name) => {
    const path = join(dir, name.replace(/\.gz$/, '').replace('/', '-'));
    writeFileSync(path, gunzipSync(readFileSync(join(fixtures, name))));
    return path;
  };
  const DEFAULT = 64 * 2 ** 20;
  measure('fixture', 'elf', DEFAULT, 0x6330000, [real('tables.elf.gz')]);
  for (const f of ['zlib.kdump', 'lzo.kdump', 'snappy.kdump', 'zstd.kdump', 'uncompressed.kdump', 'zlib.flat']) {
    measure('fixture', f.replace('.kdump', '').replace('zlib.flat', 'flattened (zlib)'), DEFAULT, 0x6330000, [real(`kdump/tables.${f}.gz`)]);
  }

  // 16 GiB in 4K pages; the tables live in the first 64 MiB.
  const m = lib.createMachine({ arch: 'x86-64', mode: '4level', ram: [{ base: 0, size: 64 * 2 ** 20 }] });
  m.initMm.map(0xffff888000000000, 0x100000000, 16 * 2 ** 30, { write: true, global: true });
  const ram = m.memory.regions[0].bytes;
  const pages = new Map();
  for (let pfn = 0; pfn < ram.length / 4096; pfn++) {
    const page = ram.subarray(pfn * 4096, (pfn + 1) * 4096);
    if (page.some((b) => b !== 0) || pfn * 4096 === m.initMm.root) pages.set(pfn, page.slice());
  }
  const maxMapnr = (64 * 2 ** 30) / 4096;
  const excluded = [];
  for (let pfn = 0; pfn < maxMapnr; pfn++) if (!pages.has(pfn)) excluded.push(pfn);
  // The ELF core: one PT_LOAD holding the 64 MiB of table memory.
  const elf = new Uint8Array(4096 + ram.length);
  const ev = new DataView(elf.buffer);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  ev.setUint16(16, 4, true); // ET_CORE
  ev.setUint16(18, 62, true); // EM_X86_64
  ev.setUint32(20, 1, true);
  ev.setBigUint64(32, 64n, true); // e_phoff
  ev.setUint16(52, 64, true);
  ev.setUint16(54, 56, true);
  ev.setUint16(56, 1, true);
  ev.setUint32(64, 1, true); // PT_LOAD
  ev.setBigUint64(64 + 8, 4096n, true);
  ev.setBigUint64(64 + 32, BigInt(ram.length), true);
  ev.setBigUint64(64 + 40, BigInt(ram.length), true);
  elf.set(ram, 4096);
  const file = (name, bytes) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const spec = (stored, extra = {}) => ({ blockSize: 4096, maxMapnr, pages: stored, excluded, dumpLevel: 31, ...extra });
  const zlib = storePages(pages, 'zlib', false);
  const zlibFile = buildKdump({ ...spec(zlib), status: 1 });
  const paths = {
    elf: [file('16g.elf', elf)],
    zlib: [file('16g.zlib.kdump', zlibFile)],
    uncompressed: [file('16g.kdump', buildKdump(spec(storePages(pages, 'none', false))))],
    'flattened (zlib)': [file('16g.zlib.flat', flatten(zlibFile, Array.from({ length: Math.ceil(zlibFile.length / 65536) }, (_, i) => [i * 65536, Math.min(65536, zlibFile.length - i * 65536)])))],
    'split (zlib, 2 parts)': splitRanges([...pages.keys()].sort((a, b) => a - b), maxMapnr, 2, 4096).map((split, i) => file(`16g.split.${i}`, buildKdump({ ...spec(zlib), status: 1, split }))),
  };
  for (const cache of [DEFAULT, 4 * 2 ** 20]) for (const [format, p] of Object.entries(paths)) measure('16g-4k', format, cache, m.initMm.root, p);

  if (!json) {
    console.log('ptdump CPU time (user + system, best of 3 fresh processes; wall time varies with the machine\'s load), its ratio to the ELF core\'s, open time, peak RSS');
    console.log('scenario  format                 cache MiB  ptdump cpu ms  x ELF  wall ms  open cpu ms  lines  peak RSS MiB');
    for (const r of rows) {
      const elfRow = rows.find((x) => x.scenario === r.scenario && x.format === 'elf' && x.cache_mib === r.cache_mib) ?? rows.find((x) => x.scenario === r.scenario && x.format === 'elf');
      const ratio = (r.cpu_ms / Math.max(1, elfRow.cpu_ms)).toFixed(2);
      console.log(
        `${r.scenario.padEnd(9)} ${r.format.padEnd(22)} ${String(r.cache_mib).padStart(9)}  ${String(r.cpu_ms).padStart(13)}  ${ratio.padStart(5)}  ${String(r.ms).padStart(7)}  ${String(r.open_cpu_ms).padStart(11)}  ${String(r.lines).padStart(5)}  ${String(r.peak_rss_mib).padStart(12)}`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
