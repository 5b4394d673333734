/**
 * pagewalk: multi-level CPU page tables (x86-64, riscv64, arm64,
 * loongarch64) stored in a physical-memory image in the hardware's own bit
 * layout, and walked the way Linux's mm/pagewalk.c walks them.
 *
 * walk_page_range_debug()'s counterpart is deliberately not exported: as in
 * the kernel (mm/internal.h) it is internal, for the package's ptdump.
 */
export { PagewalkError, type PagewalkErrorCode } from './errors.js';

export {
  PGD,
  P4D,
  PUD,
  PMD,
  PTE,
  LEVEL_NAMES,
  LIMIT_NO_WRITE,
  LIMIT_NO_USER,
  LIMIT_NO_KEXEC,
  LIMIT_NO_UEXEC,
  type ArchAttrs,
  type ArchMode,
  type ArchName,
  type CodecOptions,
  type DecodedEntry,
  type Depth,
  type EntryCodec,
  type EntryKind,
  type FullProt,
  type LevelName,
  type ModeGeometry,
  type Perms,
  type Prot,
} from './arch/types.js';
export { ARCH_NAMES, allModes, getArchMode } from './arch/registry.js';
export type { ArchAlias, ArchAndMode, ModeNames } from './arch/names.js';
export { DEFAULT_PERMS } from './arch/prot.js';

export { PhysicalMemory, type MemoryRegion, type RamRegion, type ReadOptions } from './memory/physical-memory.js';
export { TableAllocator } from './memory/table-allocator.js';
export { parseElfCore, parseVmcoreinfo, type ElfCore, type ElfLoadSegment, type ElfNote } from './memory/elf-core.js';
export { loadElfCore, type LoadedCore, type LoadOptions } from './memory/load-image.js';

export { Machine, createMachine, openImage, type MachineOptions, type MachineExtras, type OpenImageOptions, type ImageExtras } from './machine.js';
export { AddressSpace, type AddressSpaceKind, type MapOptions } from './mm/address-space.js';
export type { Translation, TranslationFault, TranslationStep } from './mm/translate.js';

export { walkKernelPageTableRange } from './walk/kernel-walk.js';
export { walkArgsProblem, type WalkOptions, type WalkBudget } from './walk/walk-args.js';
export { MmWalk, type BadEntryReason } from './walk/mm-walk.js';
export type { CallbackResult, EntryCallback, HoleCallback, MmWalkOps, PteRangeCallback } from './walk/ops.js';
export type { WalkTarget } from './walk/walk-target.js';
export { ACTION_SUBTREE, ACTION_CONTINUE, ACTION_AGAIN, EINVAL, EBUSY, E2BIG, type WalkAction } from './walk/actions.js';
export { sizeName, parseSize, type SizeSpec } from './units.js';
export { forEachLeaf, spanRanges, type Leaf } from './mm/leaves.js';
export { kernelTablesFromVmcoreinfo, type KernelTablesInfo } from './memory/vmcoreinfo.js';
export type { OnDemandRegion, PagedRegion } from './memory/physical-memory.js';
export { loadDump, type LoadDumpOptions } from './dump/load-dump.js';
export type { DumpFormat, LoadedDump } from './dump/assemble-dump.js';
export { summarizeDump, type DumpSummary } from './dump/summary.js';
export type { KdumpImage, KdumpCensus } from './dump/kdump-image.js';
export type { KdumpHeader, Utsname } from './dump/kdump-header.js';
export type { PageSource, PageState, BlockState } from './memory/page-source.js';
export type { Compression } from './dump/compression.js';
export type { ElfSource } from './memory/elf-core.js';

export { ptdump, ptdumpLines, ptdumpRanges, checkWx, rangeToJson, createDumper, type PtdumpRequest, type CheckWxRequest } from './ptdump/ptdump.js';
export { KernelConfig, parseKernelConfig } from './ptdump/kernel-config.js';
export type { AddressMarker, ArchDumper, DumpedRange, PtdumpOptions, PtdumpOutput, PtdumpRange, WxResult } from './ptdump/types.js';
