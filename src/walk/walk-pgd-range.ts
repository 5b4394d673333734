import { P4D, PMD, PTE, PUD } from '../arch/types.js';
import { ACTION_AGAIN, ACTION_CONTINUE, ACTION_SUBTREE, E2BIG } from './actions.js';
import type { BadEntryReason, MmWalk } from './mm-walk.js';
import { stopValue, type EntryCallback, type HoleCallback, type OpName } from './ops.js';

/** The entry callback of each depth, for messages. */
const ENTRY_OPS: readonly OpName[] = ['pgdEntry', 'p4dEntry', 'pudEntry', 'pmdEntry', 'pteEntry'];

/** budget.progressEvery when not given. */
const PROGRESS_EVERY = 2 ** 20;

/**
 * The one iterator behind both walk entry points: mm/pagewalk.c's
 * walk_pgd_range() -> walk_p4d_range() -> walk_pud_range() ->
 * walk_pmd_range() -> walk_pte_range(), unrolled into a loop over the
 * five depths so no level needs a function of its own, with per-depth state
 * in typed arrays the walk object keeps (WalkState). Arch differences come
 * only from the plan (geometry) and the codec; nothing here asks which arch
 * it is.
 *
 * Per level, as the kernel does it (line references are to mm/pagewalk.c
 * after the walk_kernel_page_table_range()/walk_page_range_debug() split):
 * - pgd, p4d: `*_none_or_clear_bad()` -> pte_hole(depth 0 / real_depth(1));
 *   else the entry callback; descend when any lower callback exists.
 *   walk->action is neither reset nor read at these levels.
 * - pud, pmd: `*_none()` -> pte_hole(real_depth(d)); action = SUBTREE; the
 *   callback; AGAIN re-runs the entry, CONTINUE skips it; no lower callback
 *   -> next; a leaf or non-present entry is not descended; pud re-checks
 *   none ("goto again") before descending; after the pte range, pmd re-runs
 *   on AGAIN.
 * - pte: pte_entry for every slot of the range, none or not (or one
 *   pteRange call for the whole run).
 * Folded levels (no table of their own) see their parent's slot and next,
 * and their none/bad/leaf checks are the trivial ones of pgtable-nop*d.h
 * (never none, never bad, never a leaf, always present): only the lowest
 * level of a folded group checks the entry.
 *
 * User pte tables below TASK_SIZE (`userPtesBelow`, 0 for kernel walks)
 * are reached as pte_offset_map() reaches them: a pmd_bad() entry is not
 * followed. The kernel clears it, walk_pte_range() sets ACTION_AGAIN
 * ("if (!pte) walk->action = ACTION_AGAIN"), and walk_pmd_range() re-runs
 * the pmd, which is then pmd_none(): pte_hole at the pmd's depth, and on to
 * the next pmd without reading the action. pagewalk, which never writes a
 * dump, does the same but reports the entry (badEntry, reason 'bad')
 * before that hole.
 *
 * pagewalk's additions, never in the kernel's way:
 * - a bad pgd/p4d entry is reported (badEntry, reason 'bad') instead of
 *   cleared, then its range goes to pte_hole;
 * - a directory entry whose table cannot be followed (outside the image,
 *   left out of a dump, or on the current path: a loop) is reported after
 *   its own callback ran, and its range handed to pte_hole at its depth.
 *   For a pmd this stands in for walk_pte_range(), so walk_pmd_range()'s
 *   "if (walk->action == ACTION_AGAIN) goto again" applies after it;
 * - an entry budget (WalkOptions.budget) ends the walk with E2BIG.
 */
export function walkPgdRange(w: MmWalk<unknown>, start: number, end: number, userPtesBelow: number): number {
  const mm = w.mm;
  const plan = mm.plan;
  const codec = mm.codec;
  const memory = mm.memory;
  const handles = mm.entries;
  const st = w.st;
  const ops = w.ops;
  const pteHole = ops.pteHole as HoleCallback<unknown> | undefined;
  const pteEntry = ops.pteEntry as EntryCallback<unknown> | undefined;
  const pteRange = ops.pteRange;
  const cbs = st.cbs;
  cbs[0] = ops.pgdEntry as EntryCallback<unknown> | undefined;
  cbs[1] = ops.p4dEntry as EntryCallback<unknown> | undefined;
  cbs[2] = ops.pudEntry as EntryCallback<unknown> | undefined;
  cbs[3] = ops.pmdEntry as EntryCallback<unknown> | undefined;
  cbs[4] = pteEntry;
  // has_handler of each walk_*_range(): a callback exists below this depth.
  const below = st.below;
  below[PTE] = 0;
  below[PMD] = pteEntry !== undefined || pteRange !== undefined ? 1 : 0;
  below[PUD] = below[PMD] | (cbs[PMD] !== undefined ? 1 : 0);
  below[P4D] = below[PUD] | (cbs[PUD] !== undefined ? 1 : 0);
  below[0] = below[P4D] | (cbs[P4D] !== undefined ? 1 : 0);

  const addr = st.addr;
  const stop = st.stop;
  const next = st.next;
  const word = st.word;
  const handle = st.handle;
  const tables = st.tables;
  const count = st.count;
  const tableAt = plan.tableAt;
  const realAt = plan.realAt;
  const size = plan.size;
  const invSize = plan.invSize;
  const checkDepth = plan.checkDepth;
  const holeDepth = plan.holeDepth;
  const strideShift = handles.strideShift;
  const pageSize = size[PTE];

  // Open the top-level table (walk->pgd + pgd_index(addr)); the entry point checked it lies in the image.
  {
    const words = memory.tableWords(w.pgd, plan.tableBytes[0])!;
    const idx = Math.floor(start * invSize[0]) % plan.entries[0];
    tables[0] = words;
    word[0] = memory.wordBase + 2 * idx;
    handle[0] = (handles.idOf(w.pgd, checkDepth[0]) << strideShift) + idx;
    st.pathStart[0] = w.pgd;
    st.pathEnd[0] = w.pgd + plan.tableBytes[0];
  }
  addr[0] = start;
  stop[0] = end;

  let d = 0;
  let err: unknown = 0;
  for (;;) {
    // ---- visit the entry at depth d (the "again:" label of the kernel's loops) ----
    const a = addr[d];
    const e = stop[d];
    let n = e;
    if (tableAt[d]) {
      // *_addr_end(): exact, powers of two (a multiplication by 1 / size: a division would cost ~15 cycles here)
      const boundary = (Math.floor(a * invSize[d]) + 1) * size[d];
      if (boundary < e) n = boundary;
    }
    next[d] = n;
    const h = handle[d];

    if (d === PTE) {
      // walk_pte_range() for [a, e) of one pte table: the budget counts the run at once.
      const run = ((e - a) * invSize[PTE]) | 0;
      count[0] += run;
      if (count[0] > count[1] && budgetCheckpoint(w, a) !== 0) return E2BIG;
      if (pteRange !== undefined) {
        w.ptes = tables[PTE];
        w.pteWord = word[PTE];
        w.addr = a;
        w.next = e;
        err = pteRange(h, run, w);
        if (err) return stopValue(err, 'pteRange');
      } else {
        err = walkPteRangeInner(w, pteEntry!, a, e, pageSize, h);
        if (err) return stopValue(err, 'pteEntry');
      }
      // Back in walk_pmd_range() after walk_pte_range(): AGAIN re-runs the pmd.
      d = PMD;
      if (w.action === ACTION_AGAIN) continue;
    } else {
      if (++count[0] > count[1] && budgetCheckpoint(w, a) !== 0) return E2BIG;
      const words = tables[d];
      const wi = word[d];
      let lo = words[wi];
      let hi = words[wi + 1];
      const cd = checkDepth[d] as 0;
      let descend = false;
      if (realAt[d] && codec.none(cd, lo, hi)) {
        if (pteHole !== undefined) {
          w.addr = a;
          w.next = n;
          err = pteHole(holeDepth[d], w);
          if (err) return stopValue(err, 'pteHole');
        }
      } else if (realAt[d] && d <= P4D && codec.bad(cd, lo, hi)) {
        err = reportUnfollowed(w, d, 'bad');
        if (err) return err as number;
      } else {
        const upper = d >= PUD;
        if (upper) w.action = ACTION_SUBTREE;
        const cb = cbs[d];
        if (cb !== undefined) {
          enter(w, d);
          w.addr = a;
          w.next = n;
          err = cb(h, w);
          if (err) return stopValue(err, ENTRY_OPS[d]);
        }
        if (upper && w.action === ACTION_AGAIN) continue;
        if (below[d] && !(upper && w.action === ACTION_CONTINUE)) {
          descend = true;
          if (upper && realAt[d]) {
            // The callback may have changed the entry: read it again, as the kernel dereferences *pmd again.
            lo = words[wi];
            hi = words[wi + 1];
            if (codec.leaf(cd, lo, hi) || !codec.present(cd, lo, hi)) descend = false;
            else if (d === PUD && codec.none(cd, lo, hi)) continue;
          }
        }
      }
      if (descend) {
        const c = d + 1;
        addr[c] = a;
        stop[c] = n;
        if (!tableAt[c]) {
          tables[c] = words;
          word[c] = wi;
          handle[c] = h;
          d = c;
          continue;
        }
        const why = openTable(w, d, c, userPtesBelow);
        if (why === null) {
          d = c;
          continue;
        }
        if (c === PTE && why === 'bad') {
          // pte_offset_map() refused a bad user pmd: walk_pte_range() sets ACTION_AGAIN, the pmd is
          // run again and is now none: pte_hole; the action is not read on that path.
          w.action = ACTION_AGAIN;
          err = reportUnfollowed(w, d, why);
          if (err) return err as number;
        } else {
          err = reportUnfollowed(w, d, why);
          if (err) return err as number;
          // For a pmd the report stood in for walk_pte_range(): walk_pmd_range() reads the action after it.
          if (c === PTE && w.action === ACTION_AGAIN) continue;
        }
      }
    }

    // ---- advance: the "while (pxd++, addr = next, addr != end)" of each level ----
    while (next[d] === stop[d]) {
      if (d === 0) return 0;
      d--;
    }
    addr[d] = next[d];
    word[d] += 2;
    handle[d] += 1;
  }
}

/**
 * Opens the table the entry at depth d names, for depth c = d + 1: sets the
 * state of depth c and returns null, or says why it cannot be followed.
 */
function openTable(w: MmWalk<unknown>, d: number, c: number, userPtesBelow: number): BadEntryReason | null {
  const mm = w.mm;
  const plan = mm.plan;
  const codec = mm.codec;
  const st = w.st;
  const a = st.addr[c];
  const words = st.tables[d];
  const wi = st.word[d];
  const lo = words[wi];
  const hi = words[wi + 1];
  const cd = plan.checkDepth[d] as 0;
  if (c === PTE && a < userPtesBelow && codec.bad(cd, lo, hi)) return 'bad';
  const tpa = codec.tablePa(cd, lo, hi);
  if (tpa < 0) return 'outside';
  const bytes = plan.tableBytes[c];
  // A table on the current path (the one holding the entry or one above it) is never entered again.
  const tableAt = plan.tableAt;
  const pathStart = st.pathStart;
  const pathEnd = st.pathEnd;
  for (let g = 0; g <= d; g++) {
    if (tableAt[g] && tpa < pathEnd[g] && pathStart[g] < tpa + bytes) return 'loop';
  }
  const memory = mm.memory;
  const child = memory.tableWords(tpa, bytes);
  if (child === null) return memory.missingReason(tpa, bytes);
  const handles = mm.entries;
  const idx = Math.floor(a * plan.invSize[c]) % plan.entries[c];
  st.tables[c] = child;
  st.word[c] = memory.wordBase + 2 * idx;
  st.handle[c] = (handles.idOf(tpa, plan.checkDepth[c]) << handles.strideShift) + idx;
  pathStart[c] = tpa;
  pathEnd[c] = tpa + bytes;
  // The pte callbacks' accessors read through the walk's current-table fields.
  if (c === PTE) enter(w, c);
  return null;
}

/**
 * walk_pte_range_inner(): pte_entry for every pte of [addr, end), none or
 * not. A function of its own so V8 compiles the hottest loop on its own.
 */
function walkPteRangeInner(w: MmWalk<unknown>, pteEntry: EntryCallback<unknown>, addr: number, end: number, step: number, handle: number): unknown {
  // `+`: a loop variable that starts from a parameter is typed "any" by
  // TurboFan and stays boxed (16 bytes an iteration) unless V8 peels the
  // first iteration, which inlined callbacks with a never-taken branch
  // prevent (DESIGN.md).
  let pa = +addr;
  const s = +step;
  const last = end - s;
  let h = handle | 0;
  for (;;) {
    w.addr = pa;
    w.next = pa + s;
    const err = pteEntry(h, w);
    if (err) return err;
    if (pa >= last) return 0;
    pa += s;
    // `| 0` keeps the handle an int32 for V8: `h + 1` may be typed as a
    // double (it could overflow), and a double argument is passed boxed.
    h = (h + 1) | 0;
  }
}

/**
 * An entry the walker does not follow, at depth d (its state in w.st):
 * counted, its reason set, handed to ops.badEntry if there is one, then its
 * range to pte_hole() at its depth. Returns the walk's result if a callback
 * stopped it.
 */
function reportUnfollowed(w: MmWalk<unknown>, d: number, reason: BadEntryReason): number {
  const st = w.st;
  const ops = w.ops;
  w.badEntries++;
  w.badReason = reason;
  const badEntry = ops.badEntry;
  if (badEntry !== undefined) {
    enter(w, d);
    w.addr = st.addr[d];
    w.next = st.next[d];
    const err: unknown = badEntry(st.handle[d], w);
    if (err) return stopValue(err, 'badEntry');
  }
  const pteHole = ops.pteHole;
  if (pteHole !== undefined) {
    w.addr = st.addr[d];
    w.next = st.next[d];
    const err: unknown = pteHole(w.mm.plan.holeDepth[d], w);
    if (err) return stopValue(err, 'pteHole');
  }
  return 0;
}

/** Points the walk's current-table fields at the table holding the entry of depth d (for the accessors' fast path). */
function enter(w: MmWalk<unknown>, d: number): void {
  const st = w.st;
  const h = st.handle[d];
  const i = h - w.cHandle0;
  if (i >= 0 && i < w.cEntries) return; // still in the same table (a handle range names one table)
  const handles = w.mm.entries;
  const plan = w.mm.plan;
  const first = h - (h & (handles.stride - 1));
  w.cWords = st.tables[d];
  w.cWord0 = st.word[d] - 2 * (h - first);
  w.cHandle0 = first;
  w.cEntries = plan.entries[d];
  w.cDepth = plan.checkDepth[d];
}

/**
 * The budget's slow path, run when the walk's count passes st.count[1]:
 * brings budget.visited up to date, calls onProgress when due, and says
 * whether the walk must stop (non-zero: E2BIG).
 */
function budgetCheckpoint(w: MmWalk<unknown>, at: number): number {
  const st = w.st;
  const b = st.budget;
  if (b === null) {
    st.count[1] = Infinity;
    return 0;
  }
  b.visited += st.count[0] - st.synced;
  st.synced = st.count[0];
  if (b.visited > b.maxEntries) return E2BIG;
  if (b.visited >= st.nextProgress) {
    const every = b.progressEvery ?? PROGRESS_EVERY;
    st.nextProgress = (Math.floor(b.visited / every) + 1) * every;
    b.onProgress?.(b.visited, at);
  }
  st.count[1] = st.synced + Math.min(b.maxEntries - b.visited, st.nextProgress - b.visited);
  return 0;
}

/** @internal Starts the budget's count for a walk (before walkPgdRange). */
export function budgetStart(w: MmWalk<unknown>): void {
  const st = w.st;
  const b = st.budget;
  st.count[0] = 0;
  st.synced = 0;
  if (b === null) {
    st.count[1] = Infinity;
    return;
  }
  const every = b.progressEvery ?? PROGRESS_EVERY;
  st.nextProgress = b.onProgress === undefined ? Infinity : (Math.floor(b.visited / every) + 1) * every;
  st.count[1] = Math.min(b.maxEntries - b.visited, st.nextProgress - b.visited);
}

/** @internal Adds what the walk counted to its budget (after walkPgdRange, however it ended). */
export function budgetEnd(w: MmWalk<unknown>): void {
  const st = w.st;
  const b = st.budget;
  if (b !== null) b.visited += st.count[0] - st.synced;
  st.synced = st.count[0];
  st.budget = null;
}
