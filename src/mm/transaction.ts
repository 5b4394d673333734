import { PagewalkError } from '../errors.js';
import type { PhysicalMemory } from '../memory/physical-memory.js';
import type { TableAllocator } from '../memory/table-allocator.js';

/**
 * The undo journal of one map/unmap/protect. Every byte range is saved
 * before its first change and every table page taken or given back is
 * logged, so a failed operation (bad input found half-way, the table pool
 * running dry, a refused allocation during a walk) puts the image and the
 * allocator back exactly as they were.
 */
export class Transaction {
  private readonly savedPa: number[] = [];
  private readonly savedWords: Int32Array[] = [];

  constructor(
    private readonly memory: PhysicalMemory,
    private readonly allocator: TableAllocator | null,
    /** Why structural changes are refused right now (a walk holds the address space), or null. */
    private readonly refuseTables: string | null,
  ) {
    allocator?.begin();
  }

  /** Saves [pa, pa + bytes) before the caller changes it. */
  save(pa: number, bytes: number): void {
    const w = this.memory.tableWords(pa, bytes);
    if (w === null) return;
    const b = this.memory.wordBase;
    this.savedPa.push(pa);
    this.savedWords.push(w.slice(b, b + bytes / 4));
  }

  /** Writes one entry, saving its old value first. */
  write(pa: number, lo: number, hi: number): void {
    this.save(pa, 8);
    this.memory.write(pa, lo, hi);
  }

  /** A table page filled with (lo, hi); throws ENOMEM when the pool is empty. */
  allocTable(pageSize: number, lo: number, hi: number): number {
    if (this.refuseTables !== null) throw new PagewalkError('EBUSY', `cannot allocate a page table: ${this.refuseTables}`);
    if (this.allocator === null) {
      throw new PagewalkError('ENOMEM', 'this address space has no table allocator (it was opened on an existing image); pass tablePool to open it with one');
    }
    const pa = this.allocator.alloc();
    if (pa < 0) {
      throw new PagewalkError('ENOMEM', `out of page-table memory: the table pool of ${this.allocator.poolSize} bytes is exhausted`);
    }
    this.save(pa, pageSize);
    this.memory.fill(pa, pageSize, lo, hi);
    return pa;
  }

  freeTable(pa: number): void {
    if (this.refuseTables !== null) throw new PagewalkError('EBUSY', `cannot free a page table: ${this.refuseTables}`);
    if (this.allocator === null) {
      throw new PagewalkError('EINVAL', 'this address space has no table allocator, so it cannot free tables');
    }
    this.allocator.free(pa);
  }

  commit(): void {
    this.allocator?.commit();
  }

  rollback(): void {
    for (let i = this.savedPa.length - 1; i >= 0; i--) {
      const w = this.memory.tableWords(this.savedPa[i], this.savedWords[i].length * 4)!;
      w.set(this.savedWords[i], this.memory.wordBase);
    }
    this.allocator?.rollback();
  }
}
