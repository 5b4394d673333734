import { lowerHalfEnd } from '../arch/va.js';
import { EINVAL } from './actions.js';
import { MmWalk } from './mm-walk.js';
import type { MmWalkOps } from './ops.js';
import { walkArgsProblem, type WalkOptions } from './walk-args.js';
import { budgetEnd, budgetStart, walkPgdRange } from './walk-pgd-range.js';
import type { WalkTarget } from './walk-target.js';

/**
 * walk_kernel_page_table_range(): walks [start, end) of a kernel address
 * space's tables (no VMAs behind them), calling `ops` for each entry.
 *
 * `start` and `end` are numbers or bigints. A number above 2^53 must be a
 * multiple of the page size (it always is when page aligned; any other
 * value that large may have been rounded): pass such addresses as bigints.
 *
 * Returns 0, or the first non-zero callback value (positive: the caller's,
 * negative: an error), or E2BIG (-7) when `options.budget` ran out, or
 * -EINVAL before any callback for: start >= end, ops with installPte
 * (check_ops_valid()), with both pteEntry and pteRange, or with an unknown
 * name, an address that is not page aligned (or a number that may not be
 * the value written), not canonical or outside what the address space
 * translates (both halves where one root serves both, the kernel half of a
 * split root), a range crossing the canonical hole, a `pgd` outside the
 * image, a malformed budget, or an address space that is not a kernel one.
 * `walkArgsProblem()` says which. A callback returning something other than
 * a number or a falsy value throws PagewalkError EINVAL (see CallbackResult).
 *
 * The walk holds the address space as the kernel's mmap read lock does:
 * nested kernel walks are fine; map/unmap calls that would allocate or free
 * a table are refused until it returns; entries may be rewritten through
 * the callbacks' handles.
 */
export function walkKernelPageTableRange<P = unknown>(
  kernel: WalkTarget,
  start: number | bigint,
  end: number | bigint,
  ops: MmWalkOps<P>,
  options: WalkOptions<P> = {},
): number {
  if (walkArgsProblem(kernel, start, end, ops, options, 'kernel') !== null) return EINVAL;
  return runWalk(kernel, Number(start), Number(end), ops, options, false);
}

/**
 * @internal Runs a validated walk under the address space's lock (read, or
 * write for debug walks). A debug walk of a user address space reads user
 * pte tables as pte_offset_map() does (a pmd_bad() entry below TASK_SIZE is
 * not followed); kernel walks use pte_offset_kernel().
 */
export function runWalk<P>(mm: WalkTarget, start: number, end: number, ops: MmWalkOps<P>, options: WalkOptions<P>, write: boolean): number {
  if (mm.walkers === 0) mm.entries.recycleIfFull();
  // One walk object per nesting level, reused: no allocation per walk, one
  // object shape for V8 (and its map stays alive: were every walk object to
  // die, each GC would collect the map and the walker's optimized code).
  const pool = mm.walkObjects;
  let walk = pool[mm.walkers] as MmWalk<P> | undefined;
  if (walk === undefined) {
    walk = new MmWalk<P>(mm, ops, options.private as P, options.pgd ?? mm.root);
    pool.push(walk as MmWalk<unknown>);
  }
  walk.reset(ops, options.private as P, options.pgd ?? mm.root);
  const w = walk as MmWalk<unknown>;
  w.st.budget = options.budget ?? null;
  budgetStart(w);
  const userPtesBelow = mm.kind === 'user' ? lowerHalfEnd(mm.arch) : 0;
  mm.walkers++;
  if (write) mm.writeLocked = true;
  try {
    return walkPgdRange(w, start, end, userPtesBelow);
  } finally {
    budgetEnd(w);
    mm.walkers--;
    if (write) mm.writeLocked = false;
  }
}
