import { PagewalkError, hex } from '../errors.js';
import { levelGroups, leafSizes, type LevelGroup } from '../arch/groups.js';
import { resolveProt } from '../arch/prot.js';
import type { ArchMode, EntryCodec, Prot } from '../arch/types.js';
import {
  describeSpan,
  lowerHalfEnd,
  splitAddress,
  toAddress,
  vaInSpan,
  type VaSpan,
} from '../arch/va.js';
import type { PhysicalMemory, ReadOptions } from '../memory/physical-memory.js';
import { readVirtual } from './read-virtual.js';
import type { TableAllocator } from '../memory/table-allocator.js';
import { checkOptions } from '../options.js';
import { parseSize, sizeName, type SizeSpec } from '../units.js';
import { mapRange } from './map.js';
import { firstUnmapped, protectRange } from './protect.js';
import type { MmCore } from './table-ops.js';
import { Transaction } from './transaction.js';
import { translateAddress, type Translation } from './translate.js';
import { unmapRange } from './unmap.js';
import { EntryHandles } from '../walk/entry-handles.js';
import { makeWalkPlan, type WalkPlan } from '../walk/walk-plan.js';
import type { MmWalk } from '../walk/mm-walk.js';
import { WALK_TARGET, type WalkTarget } from '../walk/walk-target.js';

export interface MapOptions {
  /** Leaf size: the base page (default), a huge size the mode allows ("2M", "1G", ...), or 'auto' for the largest each step's alignment allows. */
  pageSize?: SizeSpec | 'auto';
  /** Replace whatever is mapped in the range instead of failing with EEXIST. */
  replace?: boolean;
}

const MAP_OPTION_KEYS = ['pageSize', 'replace'] as const;

export type AddressSpaceKind = 'kernel' | 'user';

export interface AddressSpaceInit {
  arch: ArchMode;
  codec: EntryCodec;
  memory: PhysicalMemory;
  allocator: TableAllocator | null;
  root: number;
  kind: AddressSpaceKind;
}

/**
 * One address space (the kernel's `struct mm_struct`): a root table (pgd) in
 * a physical-memory image, read and written through its arch's codec.
 *
 * Mutations are transactions: map/unmap/protect either complete or leave
 * the image and the table pool byte-for-byte as they were.
 */
export class AddressSpace implements MmCore, WalkTarget {
  /** @internal Marks this as a walk target for the walker (which does not import src/mm). */
  readonly [WALK_TARGET] = true as const;
  readonly arch: ArchMode;
  readonly codec: EntryCodec;
  readonly memory: PhysicalMemory;
  readonly root: number;
  readonly kind: AddressSpaceKind;
  readonly groups: readonly LevelGroup[];
  /** What addresses this root translates: both canonical halves, or one (arm64/loongarch split roots). */
  readonly span: VaSpan;
  /** @internal */ readonly allocator: TableAllocator | null;
  /** @internal Walks in progress on this address space (the kernel's mmap lock, modelled). */
  walkers = 0;
  /** @internal A debug walk (write lock) is in progress. */
  writeLocked = false;
  /** @internal The tables walks have entered, naming entry handles. */
  readonly entries: EntryHandles;
  /** @internal The geometry as the walker reads it. */
  readonly plan: WalkPlan;
  /** @internal The walk objects, one per nesting level of walks (see runWalk). */
  readonly walkObjects: MmWalk<unknown>[] = [];

  constructor(init: AddressSpaceInit) {
    this.arch = init.arch;
    this.codec = init.codec;
    this.memory = init.memory;
    this.allocator = init.allocator;
    this.root = init.root;
    this.kind = init.kind;
    this.groups = levelGroups(init.arch);
    this.plan = makeWalkPlan(init.arch);
    this.entries = new EntryHandles(this.plan.maxEntries);
    this.span = init.arch.roots === 'shared' ? 'both' : init.kind === 'user' ? 'lower' : 'upper';
    const top = this.groups[0];
    if (!Number.isInteger(init.root) || init.root % Math.min(top.tableBytes, 2 ** init.arch.pageShift) !== 0) {
      throw new PagewalkError('EINVAL', `root ${hex(init.root)} is not aligned to the ${top.tableBytes}-byte top-level table`);
    }
    if (init.memory.tableWords(init.root, top.tableBytes) === null) {
      throw new PagewalkError('EFAULT', `root table at physical ${hex(init.root)} is not inside the memory image`);
    }
  }

  /** @internal */
  get isUser(): boolean {
    return this.kind === 'user';
  }

  /** Base page size in bytes. */
  get pageSize(): number {
    return 2 ** this.arch.pageShift;
  }

  /** Page sizes map() accepts here, smallest first. */
  get pageSizes(): number[] {
    return leafSizes(this.groups).map((s) => s.size);
  }

  /**
   * Maps [va, va + size) to [pa, pa + size) with `prot`. Throws (and changes
   * nothing) for a misaligned or out-of-range address, a page size the mode
   * does not have, a physical address beyond the arch's width, or an
   * existing mapping in the range (unless `replace`).
   */
  map(va: number | bigint, pa: number | bigint, size: SizeSpec, prot: Prot, options: MapOptions = {}): void {
    checkOptions(options, MAP_OPTION_KEYS, 'map() options');
    const start = toAddress(va, 'va', this.pageSize);
    const phys = toAddress(pa, 'pa', this.pageSize);
    const bytes = parseSize(size, 'size');
    const full = resolveProt(prot);
    const { group, align } = this.leafGroupFor(options.pageSize);
    for (const [name, value] of [['va', start], ['pa', phys], ['size', bytes]] as const) {
      if (value % align !== 0) {
        throw new PagewalkError('EINVAL', `${name} ${hex(value)} is not aligned to the ${sizeName(align)} page size`);
      }
    }
    this.checkRange(start, bytes);
    const physLimit = 2 ** this.arch.physBits;
    if (phys + bytes > physLimit) {
      throw new PagewalkError(
        'EINVAL',
        `pa range [${hex(phys)}, ${hex(phys + bytes)}) goes beyond the ${this.arch.physBits}-bit physical address space of ${this.arch.arch} ${this.arch.mode}`,
      );
    }
    if (group >= 0) this.codec.leafTemplate(this.groups[group].real, full); // reject what the arch cannot express before any write
    this.transact((tx) => mapRange(this, tx, start, phys, bytes, full, group, options.replace === true));
  }

  /** Unmaps [va, va + size), splitting huge leaves at the edges and freeing empty tables. Returns the bytes that were mapped. */
  unmap(va: number | bigint, size: SizeSpec): number {
    const { start, bytes } = this.pageRange(va, size);
    return this.transact((tx) => unmapRange(this, tx, 0, this.root, start, start + bytes));
  }

  /**
   * Changes the protection of [va, va + size), which must be wholly mapped
   * (ENOENT names the first hole; nothing changes). Fields left out of
   * `prot` keep each page's current value; huge leaves the range only partly
   * covers are split.
   */
  protect(va: number | bigint, size: SizeSpec, prot: Prot): void {
    const { start, bytes } = this.pageRange(va, size);
    resolveProt(prot); // validate keys and types up front
    const hole = firstUnmapped(this, 0, this.root, start, start + bytes);
    if (hole >= 0) {
      throw new PagewalkError('ENOENT', `cannot protect [${hex(start)}, ${hex(start + bytes)}): ${hex(hole)} is not mapped`);
    }
    this.transact((tx) => protectRange(this, tx, 0, this.root, start, start + bytes, prot));
  }

  /**
   * What `va` translates to, with each level's table, index, raw entry and
   * decoded flags (crash's `vtop`), and the effective permissions. Accepts a
   * bigint for addresses a double cannot hold exactly (0xffff888000123456n).
   */
  translate(va: number | bigint): Translation {
    const { page, offset, full } = splitAddress(va, this.arch.pageShift, 'va');
    if (!vaInSpan(this.arch, this.span, page)) {
      throw new PagewalkError('EINVAL', `va ${hex(full)} is not in ${describeSpan(this.arch, this.span)}`);
    }
    return translateAddress(this, this.root, page, offset, full);
  }

  /** The bytes at virtual [va, va + length), read through these tables; EFAULT names the first unreadable byte (see readVirtual()). */
  read(va: number | bigint, length: number, options?: ReadOptions): Uint8Array {
    return readVirtual(this, va, length, options);
  }

  /** Physical address of the entry slot an entry handle (from a walk) names. */
  entryAddress(handle: number): number {
    if (!this.entries.valid(handle)) throw new PagewalkError('EINVAL', `${String(handle)} is not an entry handle of this address space`);
    return this.entries.address(handle);
  }

  /** The raw entry at physical address `pa` (any table of this image), or null outside the image. */
  readEntry(pa: number | bigint): bigint | null {
    const at = toAddress(pa, 'pa', 8);
    if (at % 8 !== 0) throw new PagewalkError('EINVAL', `pa ${hex(at)} is not 8-byte aligned: entries are 64-bit words`);
    return this.memory.readU64(at);
  }

  private leafGroupFor(spec: SizeSpec | 'auto' | undefined): { group: number; align: number } {
    if (spec === 'auto') return { group: -1, align: this.pageSize };
    const size = spec === undefined ? this.pageSize : parseSize(spec, 'pageSize');
    const found = leafSizes(this.groups).find((s) => s.size === size);
    if (found === undefined) {
      throw new PagewalkError(
        'EINVAL',
        `page size ${sizeName(size)} is not a leaf size of ${this.arch.arch} ${this.arch.mode}: use ${this.pageSizes.map(sizeName).join(', ')} or 'auto'`,
      );
    }
    return { group: found.group, align: size };
  }

  private pageRange(va: number | bigint, size: SizeSpec): { start: number; bytes: number } {
    const start = toAddress(va, 'va', this.pageSize);
    const bytes = parseSize(size, 'size');
    const page = this.pageSize;
    if (start % page !== 0) throw new PagewalkError('EINVAL', `va ${hex(start)} is not aligned to the ${sizeName(page)} page size`);
    if (bytes % page !== 0) throw new PagewalkError('EINVAL', `size ${hex(bytes)} is not a multiple of the ${sizeName(page)} page size`);
    this.checkRange(start, bytes);
    return { start, bytes };
  }

  /** [start, start + bytes) must lie in one canonical half this address space may change. */
  private checkRange(start: number, bytes: number): void {
    const last = start + bytes - this.pageSize;
    const mutable: VaSpan = this.span === 'both' && this.kind === 'user' ? 'lower' : this.span;
    if (!vaInSpan(this.arch, mutable, start) || !vaInSpan(this.arch, mutable, last) || (start < lowerHalfEnd(this.arch)) !== (last < lowerHalfEnd(this.arch))) {
      throw new PagewalkError(
        'EINVAL',
        `range [${hex(start)}, ${hex(start + bytes)}) is not inside ${describeSpan(this.arch, mutable)}` +
          (this.kind === 'user' && this.span === 'both' ? ' that a user address space may change' : ''),
      );
    }
  }

  private transact<T>(body: (tx: Transaction) => T): T {
    if (!this.memory.writable) {
      throw new PagewalkError('EROFS', 'this image was loaded read-only (a dump is evidence); load it with { writable: true } to change its tables');
    }
    const tx = new Transaction(this.memory, this.allocator, this.walkers > 0 ? 'a walk holds this address space (the mmap lock); change entries through the walk handle instead' : null);
    try {
      const out = body(tx);
      tx.commit();
      return out;
    } catch (e) {
      tx.rollback();
      throw e;
    }
  }
}

