import { PagewalkError } from '../errors.js';

/**
 * Entry handles: small integers naming one entry slot of one table read at
 * one level, `tableId * stride + index`. A handle is what a walk callback receives in
 * place of the kernel's `pte_t *`: a number V8 passes without boxing (a
 * physical address above 2^31 would be boxed on every call, DESIGN.md), and
 * one that stays valid after the walk, because the table it names is
 * remembered here by physical address.
 *
 * Tables get ids the first time a walk enters them; a later walk reuses the
 * id (open addressing on the physical address and level, no allocation once
 * a table has been seen). A table reached at two levels (a corrupt or
 * looping image) gets one id per level, so a handle always decodes as the
 * level its callback saw.
 *
 * Ids must stay small integers: at most 2^31 / stride tables (4M with 4K
 * pages, 256K with 64K pages). When a walk starts with the registry more
 * than half full it is emptied (`recycle()`): handles from earlier walks
 * then no longer name their entries. Only a scan over hundreds of
 * thousands of distinct roots gets there.
 */
export class EntryHandles {
  /** log2(stride): entries-per-table rounded up to a power of two. */
  readonly strideShift: number;
  readonly stride: number;
  /** Physical address of each table, by id. */
  tablePa: Float64Array = new Float64Array(64);
  /** The depth at which the kernel checks this table's entries (its group's real level), by id. */
  tableDepth: Uint8Array = new Uint8Array(64);
  private count = 0;
  private slots: Int32Array = new Int32Array(128).fill(-1);

  constructor(maxEntries: number) {
    let shift = 0;
    while (1 << shift < maxEntries) shift++;
    this.strideShift = shift;
    this.stride = 1 << shift;
  }

  /** Handles issued so far fit in a small integer; this many tables can be named. */
  get capacity(): number {
    return Math.floor(2 ** 31 / this.stride);
  }

  /** Id of the table at `pa` read at `depth` (the level its entries are checked at), registering it if new. */
  idOf(pa: number, depth: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    let h = hash(pa, depth) & mask;
    for (;;) {
      const id = slots[h];
      if (id < 0) break;
      if (this.tablePa[id] === pa && this.tableDepth[id] === depth) return id;
      h = (h + 1) & mask;
    }
    return this.add(pa, depth, h);
  }

  /** Empties the registry when it is more than half full (called before a walk, never during one). */
  recycleIfFull(): void {
    if (this.count * 2 <= this.capacity) return;
    this.count = 0;
    this.slots.fill(-1);
  }

  private add(pa: number, depth: number, slot: number): number {
    const id = this.count;
    if (id >= this.capacity) {
      throw new PagewalkError('ENOMEM', `too many distinct tables for small-integer entry handles (${this.capacity})`);
    }
    if (id === this.tablePa.length) {
      const pas = new Float64Array(id * 2);
      pas.set(this.tablePa);
      this.tablePa = pas;
      const depths = new Uint8Array(id * 2);
      depths.set(this.tableDepth);
      this.tableDepth = depths;
    }
    this.tablePa[id] = pa;
    this.tableDepth[id] = depth;
    this.count = id + 1;
    this.slots[slot] = id;
    if (this.count * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let id = 0; id < this.count; id++) {
      let h = hash(this.tablePa[id], this.tableDepth[id]) & mask;
      while (slots[h] >= 0) h = (h + 1) & mask;
      slots[h] = id;
    }
    this.slots = slots;
  }

  /** True when `handle` names an entry of a table this registry knows. */
  valid(handle: number): boolean {
    return Number.isInteger(handle) && handle >= 0 && handle >>> this.strideShift < this.count;
  }

  /** Physical address of the entry a handle names (check `valid` first). */
  address(handle: number): number {
    return this.tablePa[handle >>> this.strideShift] + (handle & (this.stride - 1)) * 8;
  }

  depth(handle: number): number {
    return this.tableDepth[handle >>> this.strideShift];
  }
}

/** Table addresses are 8-byte aligned (pages, or arm64's small pgds): mix the address and the level. */
function hash(pa: number, depth: number): number {
  return (Math.imul((Math.floor(pa / 8) | 0) ^ (depth << 28), 0x9e3779b1) >>> 7) | 0;
}
