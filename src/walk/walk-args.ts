import { hex } from '../errors.js';
import { describeSpan, lowerHalfEnd, vaInSpan } from '../arch/va.js';
import { opsProblem } from './ops.js';
import { isWalkTarget } from './walk-target.js';

/**
 * An entry budget (pagewalk's addition): bounds the work of walks over
 * crafted tables, where shared subtables (legal: KASAN's early shadow,
 * loongarch's invalid tables) can ask for 2^36 entries. One budget may be
 * shared by several walks (ptdump walks several ranges; the count is for the
 * whole command).
 *
 * A walk counts one entry per directory entry it visits (each level of a
 * folded group, each ACTION_AGAIN re-run) and a whole pte run's length when
 * the run starts, so a pte table costs O(1) to count. Once `visited`
 * exceeds `maxEntries` the walk stops and returns E2BIG (-7); the pte run
 * that would cross the limit is not walked.
 */
export interface WalkBudget {
  /** The most entries the walks may visit (Infinity: no limit). */
  maxEntries: number;
  /** Entries visited so far by the walks given this budget; the walker adds to it (start it at 0). */
  visited: number;
  /**
   * Called about every `progressEvery` entries with the count so far and the
   * address the walk is at (e.g. to show progress on a long walk). It may
   * throw to abandon the walk.
   */
  onProgress?: (visited: number, addr: number) => void;
  /** Entries between onProgress calls (default 2^20). */
  progressEvery?: number;
}

/** Options of both walk entry points (the kernel's trailing `pgd` and `private` arguments, and pagewalk's budget). */
export interface WalkOptions<P = unknown> {
  /** Physical address of a top-level table to walk instead of the address space's own (ptdump's EFI and KPTI user tables). */
  pgd?: number;
  /** Handed to callbacks as `walk.private`. */
  private?: P;
  /** Bounds the entries the walk may visit: see WalkBudget. Default: no limit. */
  budget?: WalkBudget;
}

const OPTION_KEYS = ['pgd', 'private', 'budget'];
const BUDGET_KEYS = ['maxEntries', 'visited', 'onProgress', 'progressEvery'];

/** What is wrong with a budget option, or null. */
export function budgetProblem(budget: unknown): string | null {
  if (budget === null || typeof budget !== 'object') return `budget must be an object { maxEntries, visited, onProgress?, progressEvery? }, got ${budget === null ? 'null' : typeof budget}`;
  for (const key in budget) {
    if (Object.prototype.hasOwnProperty.call(budget, key) && !BUDGET_KEYS.includes(key)) return `unknown budget field "${key}": expected ${BUDGET_KEYS.join(', ')}`;
  }
  const b = budget as Record<string, unknown>;
  if (typeof b.maxEntries !== 'number' || !(b.maxEntries >= 0) || (Number.isFinite(b.maxEntries) && !Number.isInteger(b.maxEntries))) {
    return `budget.maxEntries ${String(b.maxEntries)} must be a non-negative integer (or Infinity)`;
  }
  if (typeof b.visited !== 'number' || !Number.isInteger(b.visited) || b.visited < 0) {
    return `budget.visited ${String(b.visited)} must be a non-negative integer (start it at 0)`;
  }
  if (b.onProgress !== undefined && typeof b.onProgress !== 'function') return `budget.onProgress must be a function, got ${typeof b.onProgress}`;
  if (b.progressEvery !== undefined && (typeof b.progressEvery !== 'number' || !Number.isInteger(b.progressEvery) || b.progressEvery < 1)) {
    return `budget.progressEvery ${String(b.progressEvery)} must be a positive integer`;
  }
  return null;
}

/**
 * What is wrong with one walk bound (start or end), or null. Bounds are
 * numbers or bigints; a number must be one the caller could have written
 * exactly: a safe integer, or above 2^53 a multiple of the page size (every
 * page-aligned address below 2^64 is exact as a double; other large values
 * were rounded when they became doubles).
 */
function boundProblem(name: string, v: unknown, page: number): string | null {
  if (typeof v === 'bigint') {
    if (v < 0n || v > 1n << 64n) return `${name} ${hex(v)}n is outside [0, 2^64]`;
    if (v % BigInt(page) !== 0n) return `${name} ${hex(v)}n is not aligned to the ${page}-byte page size`;
    return null;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2 ** 64) {
    return `${name} ${typeof v === 'string' ? JSON.stringify(v) : String(v)} must be an integer address in [0, 2^64], a number or a bigint`;
  }
  if (v > Number.MAX_SAFE_INTEGER && v % page !== 0) {
    let ulp = 0;
    while (2 ** (ulp + 53) <= v) ulp++;
    return (
      `${name} ${hex(v)} is above 2^53 and not a multiple of the ${page}-byte page size, so it may not be the value written ` +
      `(a number that large is rounded to a multiple of 2^${ulp}); pass the address as a bigint`
    );
  }
  return null;
}

/**
 * Why a walk would be refused with -EINVAL, or null. The entry points run
 * exactly this check before any callback; call it to learn the reason
 * behind a -EINVAL. `entryPoint` 'kernel' (the default, for
 * walkKernelPageTableRange()) also refuses user address spaces.
 */
export function walkArgsProblem(
  mm: unknown,
  start: unknown,
  end: unknown,
  ops: unknown,
  options: unknown = {},
  entryPoint: 'kernel' | 'debug' = 'kernel',
): string | null {
  if (!isWalkTarget(mm)) return 'mm must be an AddressSpace (machine.initMm, machine.createUserMm(), machine.openMm())';
  if (entryPoint === 'kernel' && mm.kind !== 'kernel') return 'walkKernelPageTableRange() walks a kernel address space; this one is a user address space';
  const opsWhy = opsProblem(ops);
  if (opsWhy !== null) return opsWhy;
  if (options === null || typeof options !== 'object') return `options must be an object { pgd?, private?, budget? }, got ${String(options)}`;
  for (const key in options) {
    if (Object.prototype.hasOwnProperty.call(options, key) && !OPTION_KEYS.includes(key)) return `unknown walk option "${key}": expected pgd, private or budget`;
  }
  const page = 2 ** mm.arch.pageShift;
  const startWhy = boundProblem('start', start, page) ?? boundProblem('end', end, page);
  if (startWhy !== null) return startWhy;
  const s = Number(start as number | bigint);
  const e = Number(end as number | bigint);
  if (s >= e) return `start ${hex(s)} >= end ${hex(e)}`;
  if (s % page !== 0 || e % page !== 0) return `[${hex(s)}, ${hex(e)}) is not aligned to the ${page}-byte page size`;
  if (!vaInSpan(mm.arch, mm.span, s) || !vaInSpan(mm.arch, mm.span, e - page)) {
    return `[${hex(s)}, ${hex(e)}) is not inside ${describeSpan(mm.arch, mm.span)}`;
  }
  const half = lowerHalfEnd(mm.arch);
  if (s < half !== e - page < half) return `[${hex(s)}, ${hex(e)}) crosses the non-canonical hole; walk each half separately`;
  const pgd = (options as { pgd?: unknown }).pgd;
  if (pgd !== undefined) {
    if (typeof pgd !== 'number' || !Number.isInteger(pgd) || pgd < 0 || pgd % 8 !== 0) return `pgd ${String(pgd)} must be the 8-byte aligned physical address of a top-level table`;
    if (mm.memory.tableWords(pgd, mm.plan.tableBytes[0]) === null) return `pgd ${hex(pgd)} is not inside the memory image`;
  }
  const budget = (options as { budget?: unknown }).budget;
  if (budget !== undefined) return budgetProblem(budget);
  return null;
}
