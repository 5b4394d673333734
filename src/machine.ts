import { PagewalkError } from './errors.js';
import { getArchMode } from './arch/registry.js';
import { tableIndex, toAddress, upperHalfStart } from './arch/va.js';
import { checkOptions } from './options.js';
import { loWord, hiWord } from './arch/words.js';
import type { ArchMode, CodecOptions, EntryCodec } from './arch/types.js';
import type { ArchAndMode } from './arch/names.js';
import { levelGroups } from './arch/groups.js';
import { CACHE_BASE as LOONGARCH_CACHE_BASE } from './arch/loongarch64.js';
import { PhysicalMemory, type RamRegion } from './memory/physical-memory.js';
import { TableAllocator } from './memory/table-allocator.js';
import { AddressSpace, type AddressSpaceKind } from './mm/address-space.js';

/**
 * `arch`: 'x86-64', 'riscv64', 'arm64', 'loongarch64' (aliases such as
 * 'aarch64' work); `mode`: one of that arch's modes ('4level', 'sv39',
 * '4k-48', '16k-3level', ...). Both are literal types: a typo does not
 * compile.
 */
export type MachineOptions = ArchAndMode & MachineExtras;

export interface MachineExtras {
  /** RAM regions; default one 64 MiB region at the platform's usual base (0, 0x40000000 arm64 virt, 0x80000000 riscv virt). */
  ram?: RamRegion[];
  /** Where table pages come from; default the whole first RAM region. */
  tablePool?: RamRegion;
  /** x86-64: the kernel has CONFIG_PAGE_TABLE_ISOLATION (pgd_bad() tolerates NX); default true. */
  pti?: boolean;
}

export type OpenImageOptions = ArchAndMode & ImageExtras;

export interface ImageExtras {
  /** Physical address of the kernel's top-level table (x86 CR3 / init_top_pgt, riscv satp.PPN << 12, arm64 TTBR1, loongarch PGDH). */
  root: number | bigint;
  /** Free physical memory the library may put new tables in, for a writable image. Without it the tables can be read and rewritten but not grown. */
  tablePool?: RamRegion;
  pti?: boolean;
  /** loongarch: kernel virtual addresses of invalid_pte_table, invalid_pmd_table, invalid_pud_table (from System.map). */
  invalidTables?: CodecOptions['invalidTables'];
  /** loongarch: base of the direct-mapped window that directory entries use (default 0x9000000000000000). */
  dmwBase?: number;
}

const DEFAULT_RAM = 64 * 1024 * 1024;
const MACHINE_OPTION_KEYS = ['arch', 'mode', 'ram', 'tablePool', 'pti'] as const;
const OPEN_IMAGE_OPTION_KEYS = ['arch', 'mode', 'root', 'tablePool', 'pti', 'invalidTables', 'dmwBase'] as const;

/**
 * A machine: physical memory, a table allocator, one paging mode, and the
 * kernel address space (`initMm`, the kernel's init_mm). User address spaces
 * are created from it, and any root in its memory can be opened.
 */
export class Machine {
  readonly arch: ArchMode;
  readonly memory: PhysicalMemory;
  readonly allocator: TableAllocator | null;
  readonly codec: EntryCodec;
  readonly initMm: AddressSpace;

  /** @internal use createMachine() or openImage(). */
  constructor(arch: ArchMode, memory: PhysicalMemory, allocator: TableAllocator | null, codec: EntryCodec, kernelRoot: number) {
    this.arch = arch;
    this.memory = memory;
    this.allocator = allocator;
    this.codec = codec;
    this.initMm = new AddressSpace({ arch, codec, memory, allocator, root: kernelRoot, kind: 'kernel' });
  }

  /** Table pages currently handed out by the allocator (0 for an image opened without a pool). */
  get tablePages(): number {
    return this.allocator?.inUse ?? 0;
  }

  /**
   * A new user address space (mm_alloc + pgd_alloc). Where one root serves
   * both halves (x86-64, riscv) the kernel half of the top-level table is
   * copied from init_mm, as pgd_alloc() does.
   */
  createUserMm(): AddressSpace {
    if (this.allocator === null) {
      throw new PagewalkError('ENOMEM', 'this machine was opened on an image without a table pool: it cannot allocate a pgd');
    }
    if (this.initMm.walkers > 0) {
      throw new PagewalkError('EBUSY', 'cannot allocate a pgd while a walk holds the kernel address space');
    }
    const root = allocRoot(this.arch, this.memory, this.allocator, this.codec);
    if (this.arch.roots === 'shared') {
      const top = levelGroups(this.arch)[0];
      const first = tableIndex(this.arch, 0, upperHalfStart(this.arch));
      const src = this.initMm.root + first * 8;
      const bytes = (top.entries - first) * 8;
      this.memory.writeBytes(root + first * 8, this.memory.readBytes(src, bytes)!);
    }
    return new AddressSpace({ arch: this.arch, codec: this.codec, memory: this.memory, allocator: this.allocator, root, kind: 'user' });
  }

  /** An address space on any root in this machine's memory (a CR3, a satp, a TTBR0/TTBR1, a PGDL/PGDH). */
  openMm(root: number, kind: AddressSpaceKind = 'kernel'): AddressSpace {
    if (kind !== 'kernel' && kind !== 'user') throw new PagewalkError('EINVAL', `kind ${JSON.stringify(kind)} must be 'kernel' or 'user'`);
    return new AddressSpace({ arch: this.arch, codec: this.codec, memory: this.memory, allocator: this.allocator, root, kind });
  }
}

/** A machine with zeroed RAM and an empty kernel address space. */
export function createMachine(options: MachineOptions): Machine {
  if (options === null || typeof options !== 'object') throw new PagewalkError('EINVAL', 'createMachine needs { arch, mode }');
  checkOptions(options, MACHINE_OPTION_KEYS, 'createMachine() options');
  const arch = getArchMode(options.arch, options.mode);
  const ram = options.ram ?? [{ base: arch.defaultRamBase, size: DEFAULT_RAM }];
  const memory = PhysicalMemory.create(ram);
  const pool = options.tablePool ?? ram[0];
  const allocator = new TableAllocator(memory, pool.base, pool.size, 2 ** arch.pageShift);
  const codecOptions: CodecOptions = { pti: options.pti ?? true };
  if (arch.arch === 'loongarch64') codecOptions.invalidTables = allocInvalidTables(arch, memory, allocator);
  const codec = arch.createCodec(codecOptions);
  const root = allocRoot(arch, memory, allocator, codec);
  return new Machine(arch, memory, allocator, codec, root);
}

/** A machine over an existing image (a dump, a raw snapshot), its kernel address space at `root`. */
export function openImage(memory: PhysicalMemory, options: OpenImageOptions): Machine {
  if (!(memory instanceof PhysicalMemory)) throw new PagewalkError('EINVAL', 'openImage needs a PhysicalMemory (PhysicalMemory.fromRaw(), loadElfCore().memory, openDumpFile().memory)');
  if (options === null || typeof options !== 'object') throw new PagewalkError('EINVAL', 'openImage needs { arch, mode, root }');
  checkOptions(options, OPEN_IMAGE_OPTION_KEYS, 'openImage() options');
  const arch = getArchMode(options.arch, options.mode);
  const allocator = options.tablePool
    ? new TableAllocator(memory, options.tablePool.base, options.tablePool.size, 2 ** arch.pageShift)
    : null;
  const codec = arch.createCodec({ pti: options.pti ?? true, invalidTables: options.invalidTables, dmwBase: options.dmwBase });
  const root = options.root as number | bigint;
  if (typeof root !== 'number' && typeof root !== 'bigint') throw new PagewalkError('EINVAL', `openImage needs the physical address of the kernel's top-level table as root, got ${String(root)}`);
  return new Machine(arch, memory, allocator, codec, toAddress(root, 'root', 8));
}

function allocRoot(arch: ArchMode, memory: PhysicalMemory, allocator: TableAllocator, codec: EntryCodec): number {
  const pa = allocator.alloc();
  if (pa < 0) throw new PagewalkError('ENOMEM', 'out of page-table memory allocating a pgd');
  codec.encodeNone(levelGroups(arch)[0].real);
  memory.fill(pa, 2 ** arch.pageShift, codec.lo, codec.hi);
  return pa;
}

/**
 * loongarch: Linux keeps empty directory entries pointing at zero-filled
 * invalid_pte_table, and at invalid_pmd_table / invalid_pud_table whose
 * entries point one level down (arch/loongarch/mm/pgtable.c, pmd_init and
 * pud_init), so the hardware walker always finds a table. Allocate them.
 */
function allocInvalidTables(arch: ArchMode, memory: PhysicalMemory, allocator: TableAllocator): { pte: number; pmd: number; pud: number } {
  const page = 2 ** arch.pageShift;
  const take = (lo: number, hi: number): number => {
    const pa = allocator.alloc();
    if (pa < 0) throw new PagewalkError('ENOMEM', 'out of memory for the loongarch invalid tables');
    memory.fill(pa, page, lo, hi);
    return LOONGARCH_CACHE_BASE + pa; // directory entries hold DMW virtual addresses
  };
  const pte = take(0, 0);
  const pmd = arch.tableAt[3] ? take(loWord(pte), hiWord(pte)) : pte;
  const pud = arch.tableAt[2] ? take(loWord(pmd), hiWord(pmd)) : pmd;
  return { pte, pmd, pud };
}


