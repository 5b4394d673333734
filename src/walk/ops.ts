import type { MmWalk } from './mm-walk.js';

/**
 * A callback for one entry: `entry` is a small-integer handle naming the
 * entry's slot (read, decode or write it through `walk`), and the range it
 * covers is `walk.addr`..`walk.next` (kept on the walk, as the kernel's
 * `struct mm_walk` keeps context, because addresses passed as arguments
 * would be boxed by V8 on every call; DESIGN.md). Return 0 to go on; any
 * other value stops the walk and is returned (positive: your value,
 * negative: an error).
 */
export type EntryCallback<P = unknown> = (entry: number, walk: MmWalk<P>) => number;

/** A hole: nothing mapped in `walk.addr`..`walk.next`; `depth` is the kernel's (0 pgd .. 3 pmd, real_depth() for folded levels). */
export type HoleCallback<P = unknown> = (depth: number, walk: MmWalk<P>) => number;

/**
 * `struct mm_walk_ops` (include/linux/pagewalk.h), the callbacks of a walk
 * with no VMAs behind it.
 */
export interface MmWalkOps<P = unknown> {
  pgdEntry?: EntryCallback<P>;
  p4dEntry?: EntryCallback<P>;
  pudEntry?: EntryCallback<P>;
  pmdEntry?: EntryCallback<P>;
  pteEntry?: EntryCallback<P>;
  pteHole?: HoleCallback<P>;
  /**
   * Not allowed: the entry points reject ops that set it with -EINVAL, as
   * check_ops_valid() does (installing PTEs is mm-internal in the kernel).
   */
  installPte?: unknown;
  /**
   * pagewalk's addition: an entry the walker could not follow. Either a
   * pgd/p4d entry failing *_bad() (the kernel would clear it; pagewalk never
   * writes a dump) or a directory entry whose table lies outside the memory
   * image. It is counted in `walk.badEntries`, reported here, and its range
   * is then handed to pteHole at the entry's depth.
   */
  badEntry?: EntryCallback<P>;
}

export const OP_NAMES = ['pgdEntry', 'p4dEntry', 'pudEntry', 'pmdEntry', 'pteEntry', 'pteHole', 'installPte', 'badEntry'] as const;

/**
 * What is wrong with `ops`, or null. Unknown names are refused: a misspelt
 * callback that silently never runs is the classic bug.
 */
export function opsProblem(ops: unknown): string | null {
  if (ops === null || typeof ops !== 'object') return `ops must be an object of callbacks, got ${ops === null ? 'null' : typeof ops}`;
  for (const key of Object.keys(ops)) {
    if (!(OP_NAMES as readonly string[]).includes(key)) {
      return `unknown op "${key}": mm_walk_ops has ${OP_NAMES.filter((n) => n !== 'installPte').join(', ')}`;
    }
  }
  const o = ops as Record<string, unknown>;
  if (o.installPte !== undefined) return 'ops.installPte is not allowed outside mm (check_ops_valid() returns -EINVAL)';
  for (const name of OP_NAMES) {
    const f = o[name];
    if (f !== undefined && typeof f !== 'function') return `ops.${name} must be a function, got ${typeof f}`;
  }
  return null;
}
