import type { EntryCallback } from './ops.js';
import type { WalkBudget } from './walk-args.js';

const EMPTY = new Int32Array(0);

/**
 * @internal The iterator's state for one walk object, per depth (0 pgd ..
 * 4 pte), allocated once and reused by every walk of that object: what the
 * kernel keeps in the locals of its five walk_*_range() frames.
 */
export class WalkState {
  /** Address of the entry being visited at each depth. */
  readonly addr = new Float64Array(5);
  /** End of the range walked at each depth (the parent's next). */
  readonly stop = new Float64Array(5);
  /** End of the entry being visited at each depth (*_addr_end()). */
  readonly next = new Float64Array(5);
  /** Word index of the entry in its table's words: small integers (memory pieces are at most 1 GiB). */
  readonly word = new Int32Array(5);
  /** Entry handle of the entry (small integers, kept int32 so calls pass them unboxed). */
  readonly handle = new Int32Array(5);
  /** The words of the table each depth reads (a folded depth: its parent's). */
  readonly tables: Int32Array[] = [EMPTY, EMPTY, EMPTY, EMPTY, EMPTY];
  /** Physical [start, end) of the table entered at each depth where a table starts: the current path, for loop checks. */
  readonly pathStart = new Float64Array(5);
  readonly pathEnd = new Float64Array(5);
  /** has_handler of each walk_*_range(): 1 when a callback exists below the depth. */
  readonly below = new Uint8Array(5);
  /** The entry callback of each depth (ops.pgdEntry .. ops.pteEntry). */
  readonly cbs: (EntryCallback<unknown> | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  /**
   * The budget's counter: [0] entries this walk counted, [1] the count past
   * which the walker stops at a checkpoint (Infinity without a budget).
   */
  readonly count = new Float64Array(2);
  /** count[0] when the budget was last brought up to date. */
  synced = 0;
  /** budget.visited at which onProgress is next due. */
  nextProgress = 0;
  budget: WalkBudget | null = null;
}
