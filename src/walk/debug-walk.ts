import { EBUSY, EINVAL } from './actions.js';
import { runWalk, walkKernelPageTableRange } from './kernel-walk.js';
import type { MmWalkOps } from './ops.js';
import { walkArgsProblem, type WalkOptions } from './walk-args.js';
import type { WalkTarget } from './walk-target.js';

/**
 * walk_page_range_debug(): walks [start, end) of any address space's
 * tables, user ones included, for ptdump. INTERNAL to the package (the
 * kernel declares it in mm/internal.h): not exported from 'pagewalk'.
 *
 * For a kernel address space it is walkKernelPageTableRange(), as in the
 * kernel. Otherwise it takes the address space's write lock: it returns
 * -EBUSY when another walk holds it (the kernel asserts
 * mmap_assert_write_locked()), and -EINVAL for the arguments
 * walkKernelPageTableRange() refuses.
 */
export function walkPageRangeDebug<P = unknown>(
  mm: WalkTarget,
  start: number | bigint,
  end: number | bigint,
  ops: MmWalkOps<P>,
  options: WalkOptions<P> = {},
): number {
  if (walkArgsProblem(mm, start, end, ops, options, 'debug') !== null) return EINVAL;
  if (mm.kind === 'kernel') return walkKernelPageTableRange(mm, start, end, ops, options);
  if (mm.walkers > 0) return EBUSY;
  return runWalk(mm, Number(start), Number(end), ops, options, true);
}
