/**
 * `pagewalk`: ptdump, W^X check, leaf listing and translation of page tables
 * in a memory dump (ELF core or raw, by path) or, without one, in the
 * embedded demo address space of an arch.
 */
import { PagewalkError } from '../errors.js';
import { forEachLeaf, spanRanges } from '../mm/leaves.js';
import { checkWx, ptdump } from '../ptdump/ptdump.js';
import type { PtdumpRequest } from '../ptdump/ptdump.js';
import type { AddressMarker } from '../ptdump/types.js';
import { UsageError, parseAddress, parseArgs, parseNumber, parseRange, type OptionSpec } from './args.js';
import { leafJson, leafText, translationJson, vtopLines } from './format.js';
import { LineWriter, fdSink, type ChunkSink } from './output.js';
import { openTarget, readConfig, type TargetOptions } from './target.js';

const TARGET_OPTIONS: Record<string, OptionSpec> = {
  arch: { value: true },
  mode: { value: true },
  root: { value: true },
  'raw-base': { value: true },
  user: { value: false },
  'invalid-tables': { value: true },
  help: { value: false },
};

const TARGET_HELP = `  --arch A          x86-64, riscv64, arm64 or loongarch64 (default: the ELF header's, or x86-64 for the demo)
  --mode M          4level 5level | sv39 sv48 sv57 | 4k-48 16k-47 64k-42 ... | 16k-3level ... (default: from VMCOREINFO)
  --root PHYS       physical address of the top-level table: CR3 & ~0xfff, satp.PPN << 12, TTBR1 (kernel) or
                    TTBR0 (user), PGDH/PGDL (default: from VMCOREINFO: init_top_pgt, swapper_pg_dir)
  --user            the root is a user address space (arm64 TTBR0, loongarch PGDL; the demo's user process)
  --raw-base PHYS   physical address of the first byte of a raw (non-ELF) IMAGE (default 0)
  --invalid-tables PTE,PMD[,PUD]
                    loongarch: kernel VAs of invalid_pte_table, invalid_pmd_table, invalid_pud_table (System.map)
  IMAGE             an ELF core (QEMU dump-guest-memory, kdump /proc/vmcore) or a raw dump; .gz accepted.
                    Without it, the embedded demo address space of the arch.`;

const COMMANDS: Record<string, { usage: string; options: Record<string, OptionSpec>; run: (a: Args) => number }> = {
  ptdump: {
    usage: `pagewalk ptdump [options] [IMAGE]
  The kernel's ptdump (debugfs kernel_page_tables) of the address space, line for line, or JSON.
  --format kernel|json  kernel text (default) or one JSON object per coalesced range
  --range START-END     walk this range instead of the arch's (repeatable; END exclusive)
  --config FILE         the kernel's .config (or .config.gz, as in /boot) selecting the markers
  --base NAME=ADDR      override a marker base (e.g. page_offset_base=0xff11000000000000 on a KASLR kernel; repeatable)
  --marker ADDR=NAME    use these markers instead of the computed ones (repeatable)
  --level-names in-use|five-level   riscv: levels named after those the mode uses (default: 6.1.64+, mainline)
                        or 6.1.0-6.1.63's fixed five (an Sv39 1G leaf reads PUD)
${TARGET_HELP}`,
    options: {
      format: { value: true },
      range: { value: true, repeat: true },
      config: { value: true },
      base: { value: true, repeat: true },
      marker: { value: true, repeat: true },
      'level-names': { value: true },
    },
    run: runPtdump,
  },
  checkwx: {
    usage: `pagewalk checkwx [options] [IMAGE]
  ptdump_check_wx(): kernel pages that are writable and executable, with the arch's own verdict.
  Exit status 0 when none are found, 1 when some are.
  --config FILE, --base NAME=ADDR as for ptdump
${TARGET_HELP}`,
    options: { config: { value: true }, base: { value: true, repeat: true } },
    run: runCheckWx,
  },
  leaves: {
    usage: `pagewalk leaves [options] [IMAGE]
  Every present leaf (like QEMU's info tlb, for every arch): va, pa, size, level, effective permissions, flags.
  --format text|json    text (default) or one JSON object per leaf
  --range START-END     only this range (repeatable; END exclusive)
${TARGET_HELP}`,
    options: { format: { value: true }, range: { value: true, repeat: true } },
    run: runLeaves,
  },
  translate: {
    usage: `pagewalk translate [options] VADDR... [IMAGE]
  Each address level by level (table, index, entry, flags), then the result, like crash's vtop.
  --format text|json    text (default) or one JSON object per address
${TARGET_HELP}`,
    options: { format: { value: true } },
    run: runTranslate,
  },
};

const MAIN_HELP = `usage: pagewalk <command> [options] [IMAGE]
commands:
  ptdump      the kernel's ptdump of an address space (kernel text or JSON)
  checkwx     count writable+executable kernel pages, as ptdump_check_wx() does
  leaves      list every present leaf with its physical address and effective permissions
  translate   translate addresses level by level, like crash's vtop
Without IMAGE every command runs on an embedded demo address space.
'pagewalk <command> --help' describes each.`;

interface Args {
  options: Map<string, string[]>;
  positional: string[];
  out: LineWriter;
}

const one = (a: Args, name: string): string | undefined => a.options.get(name)?.[0];

function targetOptions(a: Args): TargetOptions {
  return {
    arch: one(a, 'arch'),
    mode: one(a, 'mode'),
    root: one(a, 'root'),
    rawBase: one(a, 'raw-base'),
    user: a.options.has('user'),
    invalidTables: one(a, 'invalid-tables'),
  };
}

function format(a: Args, allowed: string[]): string {
  const f = one(a, 'format') ?? allowed[0];
  if (!allowed.includes(f)) throw new UsageError(`--format ${f}: expected ${allowed.join(' or ')}`);
  return f;
}

function image(a: Args, max = 1): string | undefined {
  if (a.positional.length > max) throw new UsageError(`unexpected argument ${JSON.stringify(a.positional[max])}`);
  return a.positional[0];
}

function ptdumpRequest(a: Args): PtdumpRequest {
  const request: PtdumpRequest = {};
  const config = one(a, 'config');
  if (config !== undefined) request.config = readConfig(config);
  const bases = a.options.get('base');
  if (bases) {
    request.bases = {};
    for (const b of bases) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(b);
      if (m === null) throw new UsageError(`--base ${b} must be NAME=ADDR`);
      request.bases[m[1]] = parseNumber(m[2], `--base ${m[1]}`);
    }
  }
  const markers = a.options.get('marker');
  if (markers) {
    request.markers = markers.map((s): AddressMarker => {
      const m = /^([^=]+)=(.+)$/.exec(s);
      if (m === null) throw new UsageError(`--marker ${s} must be ADDR=NAME`);
      return { start: parseNumber(m[1], '--marker address'), name: m[2] };
    });
    request.markers.sort((x, y) => x.start - y.start);
  }
  const names = one(a, 'level-names');
  if (names !== undefined) {
    if (names !== 'in-use' && names !== 'five-level') throw new UsageError(`--level-names ${names}: expected in-use or five-level`);
    request.levelNames = names;
  }
  const ranges = a.options.get('range');
  if (ranges) request.ranges = ranges.map(parseRange);
  return request;
}

function runPtdump(a: Args): number {
  const fmt = format(a, ['kernel', 'json']) as 'kernel' | 'json';
  const request = ptdumpRequest(a);
  const t = openTarget(image(a), targetOptions(a));
  try {
    ptdump(t.mm, (line) => a.out.line(line), { ...request, format: fmt });
  } finally {
    t.close();
  }
  return 0;
}

function runCheckWx(a: Args): number {
  const request = ptdumpRequest(a);
  const t = openTarget(image(a), targetOptions(a));
  try {
    const r = checkWx(t.mm, request);
    for (const w of r.warnings) a.out.line(w);
    a.out.line(r.message);
    return r.passed ? 0 : 1;
  } finally {
    t.close();
  }
}

function runLeaves(a: Args): number {
  const json = format(a, ['text', 'json']) === 'json';
  const ranges = a.options.get('range')?.map(parseRange);
  const t = openTarget(image(a), targetOptions(a));
  try {
    forEachLeaf(t.mm, (l) => a.out.line(json ? leafJson(l) : leafText(l)), { ranges: ranges ?? spanRanges(t.mm) });
  } finally {
    t.close();
  }
  return 0;
}

function runTranslate(a: Args): number {
  const json = format(a, ['text', 'json']) === 'json';
  // Words that start like numbers are addresses (and must parse); the rest is the image path.
  const isNumber = (s: string) => /^(0x|[0-9])/i.test(s) && !s.includes('/') && !s.includes('.');
  const vaddrs = a.positional.filter(isNumber).map((s) => parseAddress(s, 'VADDR'));
  const rest = a.positional.filter((s) => !isNumber(s));
  if (vaddrs.length === 0) throw new UsageError('translate needs at least one VADDR');
  if (rest.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(rest[1])}`);
  const t = openTarget(rest[0], targetOptions(a));
  try {
    for (const va of vaddrs) {
      const tr = t.mm.translate(va);
      if (json) a.out.line(translationJson(tr));
      else for (const l of vtopLines(tr)) a.out.line(l);
    }
  } finally {
    t.close();
  }
  return 0;
}

/** Runs the CLI; returns the exit status. Errors are one line on stderr. */
export function main(argv: readonly string[], io: { stdout?: ChunkSink; stderr?: ChunkSink } = {}): number {
  const out = new LineWriter(io.stdout ?? fdSink(1));
  const stderr = io.stderr ?? fdSink(2);
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      out.line(MAIN_HELP);
      out.flush();
      return command === undefined ? 2 : 0;
    }
    const c = COMMANDS[command];
    if (c === undefined) throw new UsageError(`unknown command ${JSON.stringify(command)}: expected ptdump, checkwx, leaves or translate`);
    const { options, positional } = parseArgs(rest, { ...TARGET_OPTIONS, ...c.options });
    if (options.has('help')) {
      out.line(c.usage);
      out.flush();
      return 0;
    }
    const status = c.run({ options, positional, out });
    out.flush();
    return status;
  } catch (e) {
    out.flush();
    if (e instanceof UsageError || e instanceof PagewalkError) {
      stderr(`pagewalk: ${e.message}\n`);
      return e instanceof UsageError ? 2 : 1;
    }
    throw e;
  }
}
