import type { ArchName } from '../arch/types.js';
import { LEVEL_NAMES } from '../arch/types.js';
import { levelGroups } from '../arch/groups.js';
import { PagewalkError } from '../errors.js';
import { hex16 } from '../hex.js';
import { AddressSpace } from '../mm/address-space.js';
import { checkOptions } from '../options.js';
import type { WalkBudget } from '../walk/walk-args.js';
import { KernelConfig, parseKernelConfig } from './kernel-config.js';
import { createArm64Dumper } from './arm64.js';
import { createLoongarch64Dumper } from './loongarch64.js';
import { ptdumpOps, ptdumpWalkPgd, ptdumpWalkRange } from './ptdump-walk.js';
import { createRiscv64Dumper } from './riscv64.js';
import type { ArchDumper, DumpedRange, PtdumpOptions, PtdumpOutput, PtdumpRange, WxResult } from './types.js';
import { createX86_64Dumper } from './x86_64.js';

/** What to dump and how. */
export interface PtdumpRequest extends Omit<PtdumpOptions, 'config' | 'checkWx' | 'onWxWarning'> {
  /** The kernel's .config: parseKernelConfig()'s result or the text itself (selects the markers). */
  config?: KernelConfig | string;
  /** 'kernel': the kernel's debugfs text, line for line (default); 'json': one object per coalesced range. */
  format?: 'kernel' | 'json';
  /** Walk this top-level table instead of the address space's (a CR3, a TTBR, EFI's pgd). */
  pgd?: number;
  /** Walk these ranges instead of the arch's own. */
  ranges?: PtdumpRange[];
  /** Bounds the entries visited over the whole dump (WalkBudget); PagewalkError E2BIG when it runs out. Default: no limit. */
  budget?: WalkBudget;
}

/** What checkWx() takes: ptdump's marker options, a `pgd` override, a budget, and where warnings go. */
export interface CheckWxRequest extends Omit<PtdumpOptions, 'config' | 'checkWx'> {
  config?: KernelConfig | string;
  /** Walk this top-level table instead of the address space's. */
  pgd?: number;
  /** Bounds the entries visited (WalkBudget); PagewalkError E2BIG when it runs out. Default: no limit. */
  budget?: WalkBudget;
}

type DumperFactory = (mm: AddressSpace, options: PtdumpOptions, out: PtdumpOutput) => ArchDumper;

const DUMPERS: Record<ArchName, DumperFactory> = {
  'x86-64': createX86_64Dumper,
  riscv64: createRiscv64Dumper,
  arm64: createArm64Dumper,
  loongarch64: createLoongarch64Dumper,
};

/** The keys ptdump()/ptdumpLines() read; checkWx() reads the same but `format` and `ranges`, plus onWxWarning. */
const REQUEST_KEYS = ['format', 'pgd', 'ranges', 'config', 'markers', 'bases', 'levelNames', 'budget'] as const;
const RANGES_KEYS = REQUEST_KEYS.filter((k) => k !== 'format');
const CHECK_WX_KEYS = ['pgd', 'config', 'markers', 'bases', 'levelNames', 'onWxWarning', 'budget'] as const;

/**
 * The request checked (unknown keys refused, a wrong type named) and its
 * `config` parsed when given as .config text.
 */
function checkedRequest<R extends { config?: KernelConfig | string }>(mm: unknown, request: R, keys: readonly string[], what: string): R & { config?: KernelConfig } {
  if (!(mm instanceof AddressSpace)) throw new PagewalkError('EINVAL', `${what} needs an AddressSpace (machine.initMm, machine.openMm()), got ${mm === null ? 'null' : typeof mm}`);
  checkOptions(request, keys, `${what} options`);
  const config = request.config as unknown;
  if (config === undefined || config instanceof KernelConfig) return request as R & { config?: KernelConfig };
  if (typeof config === 'string') return { ...request, config: parseKernelConfig(config) };
  throw new PagewalkError('EINVAL', `${what} option config must be .config text or parseKernelConfig()'s result, got ${config === null ? 'null' : typeof config}`);
}

/** The arch's dumper (its ptdump_state and note_page()) for an address space. */
export function createDumper(mm: AddressSpace, options: PtdumpOptions, out: PtdumpOutput): ArchDumper {
  return DUMPERS[mm.arch.arch](mm, options, out);
}

/**
 * One coalesced range as a JSON line: every address `0x` + 16 lowercase hex
 * digits (the end of the last range, 2^64, has 17: `size` is authoritative).
 */
export function rangeToJson(r: DumpedRange): string {
  // Built by hand, in JSON.stringify()'s key order and spelling: this runs
  // once per range (131,335 for a busy machine), where stringify() of a
  // fresh object cost several times the walk itself.
  let flags = '';
  for (let i = 0; i < r.flags.length; i++) flags += (i === 0 ? '' : ',') + flagJson(r.flags[i]);
  return (
    `{"start":"${hex16(r.start)}","end":"${hex16(r.end)}","size":"${hex16(r.end - r.start)}",` +
    `"level":${flagJson(LEVEL_NAMES[r.level] ?? String(r.level))},"present":${r.present},"user":${r.user},"read":${r.read},` +
    `"write":${r.write},"exec":${r.exec},"global":${r.global},"phys":${r.phys === null ? 'null' : `"${hex16(r.phys)}"`},"flags":[${flags}]}`
  );
}

/** The JSON text of a flag or level name, remembered: a dumper prints a few dozen distinct ones. */
const FLAG_JSON = new Map<string, string>();
function flagJson(name: string): string {
  let json = FLAG_JSON.get(name);
  if (json === undefined) {
    json = JSON.stringify(name);
    if (FLAG_JSON.size < 4096) FLAG_JSON.set(name, json);
  }
  return json;
}

function outputFor(format: 'kernel' | 'json' | undefined, onLine: (line: string) => void): PtdumpOutput {
  if (format === 'json') return { range: (r) => onLine(rangeToJson(r)) };
  if (format === undefined || format === 'kernel') return { line: onLine };
  throw new PagewalkError('EINVAL', `ptdump format ${JSON.stringify(format)}: expected 'kernel' or 'json'`);
}

/**
 * Dumps an address space's page tables as the kernel's ptdump does, one line
 * at a time to `onLine` (never one giant string): the kernel's debugfs text
 * for the arch, or JSON lines.
 */
export function ptdump(mm: AddressSpace, onLine: (line: string) => void, request: PtdumpRequest = {}): void {
  const r = checkedRequest(mm, request, REQUEST_KEYS, 'ptdump()');
  if (typeof onLine !== 'function') throw new PagewalkError('EINVAL', `ptdump() needs an onLine callback, got ${typeof onLine}`);
  const st = createDumper(mm, r, outputFor(r.format, onLine));
  ptdumpWalkPgd(mm, st, r.pgd, r.ranges ?? st.ranges, r.budget);
}

/**
 * The coalesced ranges themselves (what `format: 'json'` prints, as
 * objects): start, end, level, effective permissions, physical address,
 * the kernel's flag names. `format` does not apply.
 */
export function ptdumpRanges(mm: AddressSpace, onRange: (range: DumpedRange) => void, request: Omit<PtdumpRequest, 'format'> = {}): void {
  const r = checkedRequest(mm, request, RANGES_KEYS, 'ptdumpRanges()');
  if (typeof onRange !== 'function') throw new PagewalkError('EINVAL', `ptdumpRanges() needs an onRange callback, got ${typeof onRange}`);
  const st = createDumper(mm, r, { range: onRange });
  ptdumpWalkPgd(mm, st, r.pgd, r.ranges ?? st.ranges, r.budget);
}

/**
 * The same lines as an iterator, produced lazily: the walk advances one
 * batch of top-level slots at a time (walking a range in pieces split at
 * top-level boundaries visits exactly what one walk would).
 */
export function* ptdumpLines(mm: AddressSpace, options: PtdumpRequest = {}): Generator<string, void, undefined> {
  const request = checkedRequest(mm, options, REQUEST_KEYS, 'ptdumpLines()');
  let pending: string[] = [];
  const st = createDumper(mm, request, outputFor(request.format, (l) => pending.push(l)));
  const ops = ptdumpOps(mm);
  const step = levelGroups(mm.arch)[0].size * 8;
  for (const r of request.ranges ?? st.ranges) {
    for (let start = r.start; start < r.end; ) {
      const end = Math.min(r.end, (Math.floor(start / step) + 1) * step);
      ptdumpWalkRange(mm, st, ops, { start, end }, request.pgd, request.budget);
      start = end;
      if (pending.length > 0) {
        const out = pending;
        pending = [];
        yield* out;
      }
    }
  }
  st.notePage(0, -1, 0, 0);
  yield* pending;
}

/**
 * ptdump_check_wx(): walks the kernel's tables counting pages that are both
 * writable and executable, and returns the arch's verdict in its own words.
 */
export function checkWx(mm: AddressSpace, options: CheckWxRequest = {}): WxResult {
  const request = checkedRequest(mm, options, CHECK_WX_KEYS, 'checkWx()');
  const st = createDumper(mm, { ...request, checkWx: true }, {});
  ptdumpWalkPgd(mm, st, request.pgd, st.ranges, request.budget);
  return st.wx();
}
