/**
 * `npm run bench`: the walk scenarios, each in fresh processes for `mono`
 * and `mega` call sites, plus the allocation-method calibration, the
 * ptdump/leaves timings, map(), ptdump from kdump files against the ELF
 * core (kdump), and page decompression (decompress). Prints a table, or
 * with --json one line per run.
 *
 * usage: node test/bench/run.mjs [--json] [--only SCENARIO[,SCENARIO...]]
 *   SCENARIO: a walk scenario below, ptdump, map, kdump or decompress
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const json = args.includes('--json');
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args[onlyAt + 1].split(',') : null;
// A young generation that starts (not only may grow to) 256 MiB a semi-space: no scavenge in a measured window.
const NODE_FLAGS = ['--expose-gc', '--max-semi-space-size=256', '--min-semi-space-size=256'];

const WALKS = ['dense-4k', 'dense-4k-big', 'sparse', 'huge-2m', 'dense-4k-riscv', 'dense-4k-arm64', 'dense-16k-loongarch'];

function child(script, ...argv) {
  const out = execFileSync(process.execPath, [...NODE_FLAGS, here + script, ...argv], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return out.trim().split('\n').map((l) => JSON.parse(l));
}

const rows = [];
const emit = (r) => {
  rows.push(r);
  if (json) console.log(JSON.stringify(r));
};

for (const s of ['alloc-calibration', ...WALKS]) {
  if (only && !only.includes(s)) continue;
  for (const api of ['pteEntry', 'pteRange']) {
    if (s === 'alloc-calibration' && api === 'pteRange') continue;
    for (const callsite of ['mono', 'mega']) {
      if (s === 'alloc-calibration' && callsite === 'mega') continue;
      for (const r of child('walk-scenario.mjs', s, callsite, api)) emit(r);
    }
  }
}
if (!only || only.includes('ptdump')) for (const r of child('ptdump-bench.mjs')) emit(r);
if (!only || only.includes('map')) for (const r of child('map-bench.mjs')) emit(r);
if (!only || only.includes('kdump')) for (const r of child('kdump-bench.mjs', '--json')) emit({ ...r, bench: 'kdump' });
if (!only || only.includes('decompress')) for (const r of child('decompress-bench.mjs', '--json')) emit(r);

if (!json) {
  const fmt = (v, w = 9) => String(v ?? '-').padStart(w);
  console.log(`${'scenario'.padEnd(20)} ${'arch/mode'.padEnd(24)} ${'api'.padEnd(8)} ${'callsite'.padEnd(8)} ${fmt('entries', 9)} ${fmt('ns/entry')} ${fmt('B/entry')} ${fmt('base ns')} ${fmt('base B')} ${fmt('ratio', 6)}`);
  for (const r of rows.filter((x) => 'ns_per_entry' in x)) {
    console.log(
      `${r.scenario.padEnd(20)} ${`${r.arch} ${r.mode}`.padEnd(24)} ${r.api.padEnd(8)} ${r.callsite.padEnd(8)} ${fmt(r.entries, 9)} ${fmt(r.ns_per_entry)} ${fmt(r.bytes_per_entry)} ${fmt(r.baseline_ns_per_entry)} ${fmt(r.baseline_bytes_per_entry)} ${fmt(r.ratio, 6)}`,
    );
  }
  for (const r of rows.filter((x) => 'pages_per_sec' in x)) {
    console.log(`${r.scenario.padEnd(20)} ${`${r.arch} ${r.mode}`.padEnd(24)} ${String(r.pages).padStart(9)} pages of ${r.page_size} B ${fmt(r.ms, 9)} ms ${fmt(r.pages_per_sec, 12)} pages/s`);
  }
  for (const r of rows.filter((x) => x.bench === 'kdump')) {
    console.log(`kdump ${r.scenario.padEnd(14)} ${r.format.padEnd(14)} cache ${String(r.cache_mib).padStart(3)} MiB ${fmt(r.ms, 7)} ms ${fmt(r.cpu_ms, 7)} ms CPU${r.ratio === undefined ? '' : `  ${r.ratio}x the ELF`}  peak RSS ${r.peak_rss_mib} MiB`);
  }
  for (const r of rows.filter((x) => x.scenario === 'decompress')) {
    console.log(`decompress ${r.codec.padEnd(8)} ${fmt(r.mb_per_s, 8)} MB/s${r.node_zlib_mb_per_s === undefined ? '' : `  node:zlib ${r.node_zlib_mb_per_s} MB/s, ratio ${r.ratio}`}`);
  }
  for (const r of rows.filter((x) => 'ms' in x && 'what' in x && !('pages_per_sec' in x))) {
    console.log(`${r.scenario.padEnd(20)} ${r.what.padEnd(40)} ${fmt(r.ms, 9)} ms ${fmt(r.lines, 9)} lines  peak RSS ${r.peak_rss_mib} MiB, heap ${r.heap_mib} MiB`);
  }
}
