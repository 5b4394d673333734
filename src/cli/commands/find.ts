import { forEachLeaf, spanRanges } from '../../mm/leaves.js';
import type { AddressSpace } from '../../mm/address-space.js';
import { hex16 } from '../../hex.js';
import { UsageError, parseRange } from '../args.js';
import { EXIT_OK, images, one, type Command } from '../command.js';
import { BUDGET_HELP, BUDGET_OPTIONS, withBudget } from '../budget.js';
import { TARGET_HELP, targetOptions, withTarget } from '../target.js';
import type { WalkBudget } from '../../walk/walk-args.js';

export const findCommand: Command = {
  name: 'find',
  summary: 'every virtual address where some bytes occur in mapped memory',
  usage: `pagewalk find (--hex 'de ad be ef' | --string TEXT) [--range START-END]... [options] [IMAGE...]
  Every virtual address of the mapped ranges where the bytes occur, across page boundaries too (as
  gdb-pt-dump's search does), one per line in address order as found; a physical page mapped at several
  addresses is found at each. Pages that cannot be read (excluded by the dump level, absent from the dump)
  are skipped, and one line on stderr says how many; ranges whose page tables the dump does not hold are
  not searched (the walk cannot see their leaves).
  --hex BYTES           the bytes in hex, spaces allowed ('de ad be ef', 'deadbeef')
  --string TEXT         the bytes of TEXT in UTF-8
  --range START-END     only this range (repeatable; END exclusive; default: all the address space translates)
${BUDGET_HELP}
${TARGET_HELP}`,
  options: { hex: { value: true }, string: { value: true }, range: { value: true, repeat: true }, ...BUDGET_OPTIONS },
  target: true,
  run(a) {
    const pattern = patternOf(one(a, 'hex'), one(a, 'string'));
    const ranges = a.options.get('range')?.map(parseRange);
    return withTarget(images(a), targetOptions(a.options, { ranges }), (t) => {
      const skipped = { excluded: 0, absent: 0 };
      const search = new Search(pattern, (va) => a.out.line(hex16(va)));
      withBudget(a, (budget) => {
        for (const r of ranges ?? spanRanges(t.mm)) searchRange(t.mm, r, search, skipped, budget);
      });
      const n = skipped.excluded + skipped.absent;
      if (n > 0) {
        a.out.flush();
        a.err(`pagewalk: find: skipped ${n} unreadable page${n === 1 ? '' : 's'} (${skipped.excluded} excluded by the dump level, ${skipped.absent} absent)\n`);
      }
      return EXIT_OK;
    });
  },
};

function patternOf(hexText: string | undefined, text: string | undefined): Uint8Array {
  if ((hexText === undefined) === (text === undefined)) throw new UsageError('find needs one of --hex BYTES and --string TEXT');
  if (text !== undefined) {
    if (text === '') throw new UsageError('--string needs at least one character');
    return new TextEncoder().encode(text);
  }
  const digits = hexText!.replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})+$/i.test(digits)) throw new UsageError(`--hex ${JSON.stringify(hexText)} must be pairs of hex digits, e.g. 'de ad be ef'`);
  return Uint8Array.from(digits.match(/../g)!, (h) => parseInt(h, 16));
}

/**
 * Leaf by leaf, base page by base page: readable pages are searched with
 * the last pattern-length - 1 bytes of the page before when the two are
 * virtually contiguous, so a match across a page boundary is found once.
 */
function searchRange(mm: AddressSpace, r: { start: number; end: number }, search: Search, skipped: { excluded: number; absent: number }, budget: WalkBudget): void {
  const page = mm.pageSize;
  forEachLeaf(
    mm,
    (leaf) => {
      // A huge leaf may start before the range: the walk gives the range's start as its address.
      const leafBase = Math.floor(leaf.va / leaf.size) * leaf.size;
      const end = Math.min(leafBase + leaf.size, r.end);
      for (let va = leaf.va; va < end; va += page) {
        const pa = leaf.pa + (va - leafBase);
        const state = mm.memory.pageState(pa);
        if (state !== 'data') {
          skipped[state]++;
          search.gap();
          continue;
        }
        search.feed(va, mm.memory.readBytes(pa, Math.min(page, end - va)));
      }
    },
    { ranges: [r], budget },
  );
}

class Search {
  private tail = new Uint8Array(0);
  /** The virtual address right after the tail (where the next page must start to continue it). */
  private tailEnd = -1;

  constructor(
    private readonly pattern: Uint8Array,
    private readonly found: (va: number | bigint) => void,
  ) {}

  /** The next page is not contiguous with what came before. */
  gap(): void {
    this.tail = new Uint8Array(0);
    this.tailEnd = -1;
  }

  feed(va: number, bytes: Uint8Array): void {
    const p = this.pattern;
    const carry = va === this.tailEnd ? this.tail : new Uint8Array(0);
    const buf = new Uint8Array(carry.length + bytes.length);
    buf.set(carry);
    buf.set(bytes, carry.length);
    const base = BigInt(va) - BigInt(carry.length);
    for (let i = buf.indexOf(p[0]); i >= 0 && i + p.length <= buf.length; i = buf.indexOf(p[0], i + 1)) {
      let k = 1;
      while (k < p.length && buf[i + k] === p[k]) k++;
      if (k === p.length) this.found(base + BigInt(i));
    }
    this.tail = buf.slice(Math.max(0, buf.length - (p.length - 1)));
    this.tailEnd = va + bytes.length;
  }
}
