import { PagewalkError, hex } from '../errors.js';
import type { PhysicalMemory } from './physical-memory.js';

/**
 * Hands out page-table pages from a pool of physical memory: page-aligned,
 * one base page each (a top-level table smaller than a page, as on arm64,
 * still takes a whole page, aligned as the hardware requires), and takes
 * them back. The caller fills a new page with its level's empty entries
 * (zero, or loongarch's invalid-table pointers).
 *
 * Every alloc/free is recorded in `log` while a transaction is open, so a
 * failed map/unmap/protect can undo them exactly (see Transaction).
 */
export class TableAllocator {
  private next: number;
  private readonly end: number;
  private readonly freeList: number[] = [];
  private live = 0;

  /** Undo log of the open transaction: pairs (op, pa), op -1 popped from the free list, -2 bumped, -3 freed. */
  private undo: number[] | null = null;

  constructor(
    readonly memory: PhysicalMemory,
    readonly poolBase: number,
    readonly poolSize: number,
    readonly pageSize: number,
  ) {
    if (poolBase % pageSize !== 0 || poolSize % pageSize !== 0 || poolSize <= 0) {
      throw new PagewalkError(
        'EINVAL',
        `table pool [${hex(poolBase)}, ${hex(poolBase + poolSize)}) must be a non-empty run of whole ${pageSize}-byte pages`,
      );
    }
    if (!memory.contains(poolBase, poolSize)) {
      throw new PagewalkError('EINVAL', `table pool [${hex(poolBase)}, ${hex(poolBase + poolSize)}) is not inside the memory image`);
    }
    this.next = poolBase;
    this.end = poolBase + poolSize;
  }

  /** Table pages handed out and not yet freed. */
  get inUse(): number {
    return this.live;
  }

  /** Pages still available. */
  get available(): number {
    return this.freeList.length + (this.end - this.next) / this.pageSize;
  }

  /**
   * A table page for the caller to fill, or -1 when the pool is exhausted
   * (the caller turns that into ENOMEM after undoing).
   */
  alloc(): number {
    let pa: number;
    if (this.freeList.length > 0) {
      pa = this.freeList.pop()!;
      this.undo?.push(-1, pa);
    } else if (this.next < this.end) {
      pa = this.next;
      this.next += this.pageSize;
      this.undo?.push(-2, pa);
    } else {
      return -1;
    }
    this.live++;
    return pa;
  }

  /** Returns a table page to the pool. Its contents are left as they are (an empty table). */
  free(pa: number): void {
    if (pa < this.poolBase || pa >= this.end || (pa - this.poolBase) % this.pageSize !== 0) {
      throw new PagewalkError('EINVAL', `table page ${hex(pa)} was not handed out by this allocator`);
    }
    this.freeList.push(pa);
    this.live--;
    this.undo?.push(-3, pa);
  }

  /** Starts recording allocations and frees so that `rollback()` can undo them. */
  begin(): void {
    this.undo = [];
  }

  /** Stops recording: the changes stay. */
  commit(): void {
    this.undo = null;
  }

  /** Undoes every alloc and free since `begin()`, in reverse order. Page contents are restored by the caller's journal. */
  rollback(): void {
    const log = this.undo;
    this.undo = null;
    if (log === null) return;
    for (let i = log.length - 2; i >= 0; i -= 2) {
      const op = log[i];
      const pa = log[i + 1];
      if (op === -1) {
        this.freeList.push(pa);
        this.live--;
      } else if (op === -2) {
        this.next -= this.pageSize;
        this.live--;
      } else {
        this.freeList.pop();
        this.live++;
      }
    }
  }
}
