import { P4D, PMD, PTE, PUD, type EntryCodec } from '../arch/types.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import { ACTION_AGAIN, ACTION_CONTINUE, ACTION_SUBTREE } from './actions.js';
import type { EntryHandles } from './entry-handles.js';
import type { MmWalk } from './mm-walk.js';
import type { EntryCallback, HoleCallback } from './ops.js';
import type { WalkPlan } from './walk-plan.js';

const EMPTY = new Int32Array(0);

/**
 * The one iterator behind both walk entry points: mm/pagewalk.c's
 * walk_pgd_range() -> walk_p4d_range() -> walk_pud_range() ->
 * walk_pmd_range() -> walk_pte_range(), unrolled into a loop over the
 * five depths so no level needs a function of its own, with per-depth state
 * in typed arrays allocated once per walk. Arch differences come only from
 * the plan (geometry) and the codec; nothing here asks which arch it is.
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
 * - pte: pte_entry for every slot of the range, none or not.
 * Folded levels (no table of their own) see their parent's slot and next,
 * and their none/bad/leaf checks are the trivial ones of pgtable-nop*d.h
 * (never none, never bad, never a leaf, always present): only the lowest
 * level of a folded group checks the entry.
 *
 * User pte tables below TASK_SIZE (`userPtesBelow`, 0 for kernel walks)
 * are reached as pte_offset_map() reaches them: a pmd_bad() entry is not
 * followed. The kernel clears it and re-runs the pmd, which is then none
 * (ACTION_AGAIN, pte_hole at the pmd's depth); pagewalk, which never writes
 * a dump, reports it instead.
 *
 * pagewalk's additions, never in the kernel's way: a bad pgd/p4d (or such a
 * user pmd) entry is reported (badEntry, walk.badEntries) instead of
 * cleared, and a directory entry whose table lies outside the image is
 * reported after its own callback ran and its range handed to pte_hole at
 * its depth.
 */
export function walkPgdRange(
  w: MmWalk<unknown>,
  plan: WalkPlan,
  codec: EntryCodec,
  memory: PhysicalMemory,
  handles: EntryHandles,
  start: number,
  end: number,
  userPtesBelow: number,
): number {
  const ops = w.ops;
  const cbs: (EntryCallback<unknown> | undefined)[] = [ops.pgdEntry, ops.p4dEntry, ops.pudEntry, ops.pmdEntry, ops.pteEntry];
  const pteHole = ops.pteHole as HoleCallback<unknown> | undefined;
  const badEntry = ops.badEntry;
  const pteEntry = ops.pteEntry!;
  // has_handler of each walk_*_range: a callback exists below this depth.
  const below = new Uint8Array(5);
  below[PMD] = ops.pteEntry ? 1 : 0;
  below[PUD] = below[PMD] | (ops.pmdEntry ? 1 : 0);
  below[P4D] = below[PUD] | (ops.pudEntry ? 1 : 0);
  below[0] = below[P4D] | (ops.p4dEntry ? 1 : 0);

  const addr = new Float64Array(5);
  const stop = new Float64Array(5);
  const next = new Float64Array(5);
  const word = new Int32Array(5); // word indexes into a memory piece (at most 1 GiB): small integers
  const handle = new Int32Array(5); // handles are small integers: keep them int32 so calls pass them unboxed
  const tables: Int32Array[] = [EMPTY, EMPTY, EMPTY, EMPTY, EMPTY];
  const tableAt = plan.tableAt;
  const realAt = plan.realAt;
  const size = plan.size;
  const checkDepth = plan.checkDepth;
  const holeDepth = plan.holeDepth;
  const strideShift = handles.strideShift;

  // Open the top-level table (walk->pgd + pgd_index(addr)); the entry point checked it lies in the image.
  {
    const words = memory.tableWords(w.pgd, plan.tableBytes[0])!;
    const idx = Math.floor(start / size[0]) % plan.entries[0];
    tables[0] = words;
    word[0] = memory.wordBase + 2 * idx;
    handle[0] = (handles.idOf(w.pgd, checkDepth[0]) << strideShift) + idx;
  }
  addr[0] = start;
  stop[0] = end;

  let d = 0;
  let err = 0;
  for (;;) {
    // ---- visit the entry at depth d (the "again:" label of the kernel's loops) ----
    const a = addr[d];
    const e = stop[d];
    let n = e;
    if (tableAt[d]) {
      const s = size[d];
      const boundary = (Math.floor(a / s) + 1) * s; // *_addr_end(): exact, powers of two
      if (boundary < e) n = boundary;
    }
    next[d] = n;
    const words = tables[d];
    const wi = word[d];
    const h = handle[d];
    let advance = false;

    if (d === PTE) {
      err = walkPteRangeInner(w, pteEntry, a, e, size[PTE], h);
      if (err) return err;
      // Back in walk_pmd_range() after walk_pte_range(): AGAIN re-runs the pmd.
      d = PMD;
      if (w.action === ACTION_AGAIN) continue;
      advance = true;
    } else {
      let lo = words[wi];
      let hi = words[wi + 1];
      const cd = checkDepth[d] as 0;
      let visit = true;
      if (realAt[d]) {
        let bad = false;
        if (codec.none(cd, lo, hi) || (bad = d <= P4D && codec.bad(cd, lo, hi))) {
          err = bad ? reportUnfollowed(w, badEntry, pteHole, words, wi, h, handles, plan, d, a, n) : hole(w, pteHole, holeDepth[d], a, n);
          if (err) return err;
          visit = false;
          advance = true;
        }
      }
      if (visit) {
        const upper = d >= PUD;
        if (upper) w.action = ACTION_SUBTREE;
        const cb = cbs[d];
        if (cb) {
          enter(w, words, wi, h, handles, plan, d);
          w.addr = a;
          w.next = n;
          err = cb(h, w);
          if (err) return err;
        }
        if (upper && w.action === ACTION_AGAIN) continue;
        if ((upper && w.action === ACTION_CONTINUE) || !below[d]) {
          advance = true;
        } else {
          // The callback may have changed the entry: read it again, as the kernel dereferences *pmd again.
          lo = words[wi];
          hi = words[wi + 1];
          if (upper && realAt[d]) {
            if (codec.leaf(cd, lo, hi) || !codec.present(cd, lo, hi)) advance = true;
            else if (d === PUD && codec.none(cd, lo, hi)) continue;
          }
          if (!advance) {
            const c = d + 1;
            addr[c] = a;
            stop[c] = n;
            if (tableAt[c]) {
              const tpa = c === PTE && a < userPtesBelow && codec.bad(cd, lo, hi) ? -1 : codec.tablePa(cd, lo, hi);
              const child = tpa >= 0 ? memory.tableWords(tpa, plan.tableBytes[c]) : null;
              if (child === null) {
                // A table pointer that leaves the image (or a bad user pmd): not followed, not written; reported.
                err = reportUnfollowed(w, badEntry, pteHole, words, wi, h, handles, plan, d, a, n);
                if (err) return err;
                advance = true;
              } else {
                const idx = Math.floor(a / size[c]) % plan.entries[c];
                tables[c] = child;
                word[c] = memory.wordBase + 2 * idx;
                handle[c] = (handles.idOf(tpa, checkDepth[c]) << strideShift) + idx;
                // The pte loop's accessors read through the walk's current-table fields.
                if (c === PTE) enter(w, child, word[c], handle[c], handles, plan, c);
              }
            } else {
              tables[c] = words;
              word[c] = wi;
              handle[c] = h;
            }
            if (!advance) {
              d = c;
              continue;
            }
          }
        }
      }
    }

    // ---- advance: the "while (pxd++, addr = next, addr != end)" of each level ----
    if (advance) {
      while (next[d] === stop[d]) {
        if (d === 0) return 0;
        d--;
      }
      addr[d] = next[d];
      word[d] += 2;
      handle[d] += 1;
    }
  }
}

/**
 * walk_pte_range_inner(): pte_entry for every pte of [addr, end), none or
 * not. A function of its own so V8 compiles the hottest loop on its own.
 */
function walkPteRangeInner(w: MmWalk<unknown>, pteEntry: EntryCallback<unknown>, addr: number, end: number, step: number, handle: number): number {
  let pa = addr;
  let h = handle | 0;
  for (;;) {
    w.addr = pa;
    w.next = pa + step;
    const err = pteEntry(h, w);
    if (err) return err;
    if (pa >= end - step) return 0;
    pa += step;
    // `| 0` keeps the handle an int32 for V8: `h + 1` may be typed as a
    // double (it could overflow), and a double argument is passed boxed.
    h = (h + 1) | 0;
  }
}

/** pte_hole() for [addr, next) at `depth`, if the ops have one. */
function hole(w: MmWalk<unknown>, pteHole: HoleCallback<unknown> | undefined, depth: number, addr: number, next: number): number {
  if (!pteHole) return 0;
  w.addr = addr;
  w.next = next;
  return pteHole(depth, w);
}

/**
 * An entry the walker cannot follow: counted, handed to ops.badEntry if
 * there is one, then its range to pte_hole() at its depth.
 */
function reportUnfollowed(
  w: MmWalk<unknown>,
  badEntry: EntryCallback<unknown> | undefined,
  pteHole: HoleCallback<unknown> | undefined,
  words: Int32Array,
  wi: number,
  h: number,
  handles: EntryHandles,
  plan: WalkPlan,
  d: number,
  addr: number,
  next: number,
): number {
  w.badEntries++;
  if (badEntry) {
    enter(w, words, wi, h, handles, plan, d);
    w.addr = addr;
    w.next = next;
    const err = badEntry(h, w);
    if (err) return err;
  }
  return hole(w, pteHole, plan.holeDepth[d], addr, next);
}

/** Points the walk's current-table fields at the table holding handle h (for the accessors' fast path). */
function enter(w: MmWalk<unknown>, words: Int32Array, wi: number, h: number, handles: EntryHandles, plan: WalkPlan, d: number): void {
  const i = h - w.cHandle0;
  if (i >= 0 && i < w.cEntries) return; // still in the same table (a handle range names one table)
  const first = h - (h & (handles.stride - 1));
  w.cWords = words;
  w.cWord0 = wi - 2 * (h - first);
  w.cHandle0 = first;
  w.cEntries = plan.entries[d];
  w.cDepth = plan.checkDepth[d];
}

