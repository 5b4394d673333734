import { PagewalkError } from '../errors.js';
import type { MmWalk } from './mm-walk.js';

/**
 * What a callback returns: 0 (or nothing) to go on; any other number stops
 * the walk, which returns it (positive: your value, negative: an error).
 * Any other truthy value (true, a string, an object, a bigint) stops the
 * walk with a PagewalkError EINVAL naming the callback. The test runs only
 * when the walk would stop, so falsy values (false, null, '', NaN) go on
 * like 0.
 */
export type CallbackResult = number | undefined | void;

/**
 * A callback for one entry: `entry` is a small-integer handle naming the
 * entry's slot (read, decode or write it through `walk`), and the range it
 * covers is `walk.addr`..`walk.next` (kept on the walk, as the kernel's
 * `struct mm_walk` keeps context, because addresses passed as arguments
 * would be boxed by V8 on every call; DESIGN.md). See CallbackResult for
 * what to return.
 */
export type EntryCallback<P = unknown> = (entry: number, walk: MmWalk<P>) => CallbackResult;

/** A hole: nothing mapped in `walk.addr`..`walk.next`; `depth` is the kernel's (0 pgd .. 3 pmd, real_depth() for folded levels). */
export type HoleCallback<P = unknown> = (depth: number, walk: MmWalk<P>) => CallbackResult;

/**
 * pagewalk's batch form of pte_entry: one call for the `count` ptes of one
 * walk_pte_range() run, whose handles are `first` .. `first + count - 1` and
 * whose range is `walk.addr`..`walk.next` (pte i covers
 * `walk.addr + i * walk.pageSize`). The run's words are exposed read-only:
 * pte i is `walk.ptes[walk.pteWord + 2 * i]` (low 32 bits) and
 * `walk.ptes[walk.pteWord + 2 * i + 1]` (high), to be decoded with
 * `walk.codec` at depth PTE (4), e.g. `walk.codec.present(PTE, lo, hi)`,
 * in the caller's own loop (which V8 can then inline: DESIGN.md). The handle
 * accessors (`walk.present(first + i)`...) work too. Write entries through
 * `walk.writeWords()`, never into `walk.ptes`.
 *
 * Semantics are pte_entry's: every slot of the run is reported (none ones
 * too); a non-zero return stops the walk; walk.action ACTION_AGAIN left
 * when it returns re-runs the pmd.
 */
export type PteRangeCallback<P = unknown> = (first: number, count: number, walk: MmWalk<P>) => CallbackResult;

/**
 * `struct mm_walk_ops` (include/linux/pagewalk.h), the callbacks of a walk
 * with no VMAs behind it, plus pagewalk's `pteRange` and `badEntry`.
 */
export interface MmWalkOps<P = unknown> {
  pgdEntry?: EntryCallback<P>;
  p4dEntry?: EntryCallback<P>;
  pudEntry?: EntryCallback<P>;
  pmdEntry?: EntryCallback<P>;
  pteEntry?: EntryCallback<P>;
  /**
   * pagewalk's addition: every pte of a run in one call (see
   * PteRangeCallback), several times faster than pteEntry. Give pteEntry or
   * pteRange, not both: ops with both are refused with -EINVAL.
   */
  pteRange?: PteRangeCallback<P>;
  pteHole?: HoleCallback<P>;
  /**
   * Not allowed: the entry points reject ops that set it with -EINVAL, as
   * check_ops_valid() does (installing PTEs is mm-internal in the kernel).
   */
  installPte?: unknown;
  /**
   * pagewalk's addition: an entry the walker does not follow, with
   * `walk.badReason` saying why:
   * - 'bad': a pgd/p4d entry failing *_bad() (the kernel would clear it;
   *   pagewalk never writes a dump), or a user pmd failing pmd_bad() where
   *   pte_offset_map() would refuse it;
   * - 'outside': its table is not in the memory image (or the entry holds
   *   no table address the arch can decode);
   * - 'excluded': its table's page is RAM the dump left out (its dump level);
   * - 'loop': its table is the table holding the entry or a table above it
   *   on the current path.
   * It is counted in `walk.badEntries`, reported here, and its range is then
   * handed to pteHole at the entry's depth.
   */
  badEntry?: EntryCallback<P>;
}

export const OP_NAMES = ['pgdEntry', 'p4dEntry', 'pudEntry', 'pmdEntry', 'pteEntry', 'pteRange', 'pteHole', 'installPte', 'badEntry'] as const;
export type OpName = (typeof OP_NAMES)[number];

/**
 * What is wrong with `ops`, or null. Unknown names are refused: a misspelt
 * callback that silently never runs is the classic bug.
 */
export function opsProblem(ops: unknown): string | null {
  if (ops === null || typeof ops !== 'object') return `ops must be an object of callbacks, got ${ops === null ? 'null' : typeof ops}`;
  // Indexed loops and for-in: this runs before every walk, and allocates nothing when the ops are fine.
  for (const key in ops) {
    if (!Object.prototype.hasOwnProperty.call(ops, key)) continue;
    if (!(OP_NAMES as readonly string[]).includes(key)) {
      return `unknown op "${key}": mm_walk_ops has ${OP_NAMES.filter((n) => n !== 'installPte').join(', ')}`;
    }
  }
  const o = ops as Record<string, unknown>;
  if (o.installPte !== undefined) return 'ops.installPte is not allowed outside mm (check_ops_valid() returns -EINVAL)';
  for (let i = 0; i < OP_NAMES.length; i++) {
    const f = o[OP_NAMES[i]];
    if (f !== undefined && typeof f !== 'function') return `ops.${OP_NAMES[i]} must be a function, got ${typeof f}`;
  }
  if (o.pteEntry !== undefined && o.pteRange !== undefined) {
    return 'ops has both pteEntry and pteRange: give one (pteRange gets every pte of a run in one call, pteEntry one pte a call)';
  }
  return null;
}

/**
 * The cold side of a callback's non-zero return: a number is the walk's
 * result; anything else is a programming error, thrown.
 */
export function stopValue(value: unknown, op: OpName): number {
  if (typeof value === 'number') return value;
  let shown: string;
  if (typeof value === 'string') shown = JSON.stringify(value);
  else if (typeof value === 'bigint') shown = `${value}n`;
  else if (typeof value === 'function') shown = 'a function';
  else if (typeof value === 'object') shown = Array.isArray(value) ? 'an array' : 'an object';
  else shown = String(value);
  throw new PagewalkError('EINVAL', `ops.${op} returned ${shown}: return 0 (or nothing) to go on, or a number to stop the walk`);
}
