/**
 * Page decompression speed: MB/s of output for each decoder of src/decompress
 * on the real makedumpfile pages (test/fixtures/decompress/makedumpfile: the
 * 49 compressed 4 KiB page-table pages of each kdump fixture), and for zlib
 * the same pages through node:zlib inflateSync. `ratio` is our MB/s divided by
 * node:zlib's (1 = as fast as native zlib, 0.5 = twice as slow). A `gzip` row
 * times gunzip() against node:zlib gunzipSync on a committed gzip file.
 * Time is CPU time, so a busy machine (other tests running) skews little.
 *
 * usage: node test/bench/decompress-bench.mjs [--json] [--ms N]   (N: ms per codec, default 1000)
 *
 * The decoders are TypeScript: the script bundles src/decompress/index.ts with
 * esbuild (tsup's dependency) into the temp directory and imports that.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync, inflateSync } from 'node:zlib';

const root = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const json = args.includes('--json');
const msAt = args.indexOf('--ms');
const MIN_MS = msAt >= 0 ? Number(args[msAt + 1]) : 1000;

const dir = mkdtempSync(join(tmpdir(), 'pagewalk-decompress-bench-'));
const bundle = join(dir, 'decompress.mjs');
execFileSync(join(root, 'node_modules/.bin/esbuild'), [join(root, 'src/decompress/index.ts'), '--bundle', '--format=esm', '--platform=neutral', '--minify-syntax', `--outfile=${bundle}`, '--log-level=warning']);
const lib = await import(pathToFileURL(bundle).href);
rmSync(dir, { recursive: true, force: true });

const fixtures = join(root, 'test/fixtures/decompress/');
const manifest = JSON.parse(readFileSync(fixtures + 'vectors.json', 'utf8'));

/** The real makedumpfile pages of one codec: [compressed page, ...]. */
function realPages(codec) {
  const vs = manifest.vectors.filter((v) => v.codec === codec && v.file.startsWith('makedumpfile/'));
  let file = readFileSync(fixtures + vs[0].file);
  if (vs[0].wrapped === 'gzip') file = gunzipSync(file);
  return vs.map((v) => new Uint8Array(file.buffer, file.byteOffset + v.slice[0], v.slice[1]));
}

/**
 * MB/s of output per CPU second (process.cpuUsage: user + system), the best of
 * `SLICES` slices of ~100 ms per case, the cases of one row interleaved so that
 * ours and node:zlib see the same machine load.
 */
const SLICES = Math.max(3, Math.round(MIN_MS / 100));
function measure(cases) {
  for (const c of cases) for (let i = 0; i < 50; i++) c.round(); // warm up: let the optimizing compiler see the loop
  const best = cases.map(() => 0);
  for (let s = 0; s < SLICES; s++) {
    cases.forEach((c, k) => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let rounds = 0;
      while (performance.now() - t0 < 100) {
        c.round();
        rounds++;
      }
      const cpu = process.cpuUsage(cpu0);
      best[k] = Math.max(best[k], (c.bytes * rounds) / ((cpu.user + cpu.system) / 1e6) / 1e6);
    });
  }
  return best;
}

const rows = [];
const PAGE = 4096;
const decoders = { zlib: lib.inflateZlib, lzo: lib.decompressLzo1x, snappy: lib.decompressSnappy, zstd: lib.decompressZstd };
for (const [codec, decode] of Object.entries(decoders)) {
  const pages = realPages(codec);
  const dst = new Uint8Array(PAGE);
  const round = () => {
    for (const p of pages) if (decode(p, dst, 'bench') !== PAGE) throw new Error(`${codec}: short page`);
  };
  const cases = [{ round, bytes: pages.length * PAGE }];
  if (codec === 'zlib') {
    const native = () => {
      for (const p of pages) if (inflateSync(p).length !== PAGE) throw new Error('node:zlib: short page');
    };
    cases.push({ round: native, bytes: pages.length * PAGE });
  }
  const [ours, node] = measure(cases);
  const row = { scenario: 'decompress', codec, mb_per_s: +ours.toFixed(1) };
  if (codec === 'zlib') {
    row.node_zlib_mb_per_s = +node.toFixed(1);
    row.ratio = +(ours / node).toFixed(2);
  }
  row.pages = pages.length;
  row.compressed_bytes = pages.reduce((n, p) => n + p.length, 0);
  rows.push(row);
}

{
  const v = manifest.vectors.find((x) => x.file === 'gzip/pages-64k.9n.gz');
  const gz = new Uint8Array(readFileSync(fixtures + v.file));
  const n = v.expect_size;
  const [ours, native] = measure([
    { round: () => lib.gunzip(gz, n, 'bench'), bytes: n },
    { round: () => gunzipSync(gz), bytes: n },
  ]);
  rows.push({ scenario: 'decompress', codec: 'gzip', mb_per_s: +ours.toFixed(1), node_zlib_mb_per_s: +native.toFixed(1), ratio: +(ours / native).toFixed(2), bytes: n, file: v.file });
}

if (json) {
  for (const r of rows) console.log(JSON.stringify(r));
} else {
  console.log(`${'codec'.padEnd(8)} ${'MB/s'.padStart(8)} ${'node:zlib'.padStart(10)} ${'ratio'.padStart(6)}  input`);
  for (const r of rows) {
    const what = r.pages ? `${r.pages} real makedumpfile pages (${r.compressed_bytes} bytes compressed)` : `${r.file} (${r.bytes} bytes out)`;
    console.log(`${r.codec.padEnd(8)} ${String(r.mb_per_s).padStart(8)} ${String(r.node_zlib_mb_per_s ?? '-').padStart(10)} ${String(r.ratio ?? '-').padStart(6)}  ${what}`);
  }
}
