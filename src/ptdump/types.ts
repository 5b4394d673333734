import type { KernelConfig } from './kernel-config.js';

/**
 * The shapes shared by ptdump's generic walk (mm/ptdump.c) and each arch's
 * dumper (arch/x86/mm/dump_pagetables.c, arch/arm64/mm/ptdump.c,
 * arch/riscv/mm/ptdump.c, the posted loongarch one).
 */

/** `struct ptdump_range`: one [start, end) the walk covers (end may be 2^64). */
export interface PtdumpRange {
  start: number;
  end: number;
}

/** `struct addr_marker`: a named address; the dumper prints `---[ name ]---` when it passes it. */
export interface AddressMarker {
  start: number;
  name: string;
  /** x86's max_lines: after this many lines in the area, print "... N entries skipped ... ". */
  maxLines?: number;
}

/** One range as note_page() closes it: the unit of the kernel text and of the JSON form. */
export interface DumpedRange {
  start: number;
  /** Exclusive; 2^64 for a range that runs to the top. */
  end: number;
  /** The kernel's level index (0 pgd .. 4 pte). */
  level: number;
  /** The level as the text names it ('pmd', 'PMD', ...). */
  levelName: string;
  present: boolean;
  /** Effective permissions of the range (false when not present). */
  user: boolean;
  read: boolean;
  write: boolean;
  exec: boolean;
  global: boolean;
  /** Physical address of `start` when the range is physically contiguous, else null. */
  phys: number | null;
  /** The flag names the kernel's text shows for the range, in its order (blank columns left out). */
  flags: string[];
}

/** Where a dump goes. Every callback is optional; lines come without their newline. */
export interface PtdumpOutput {
  /** One line of the kernel's debugfs text, exactly as seq_printf() would produce it. */
  line?(text: string): void;
  /** One coalesced range (also the ranges the text skips, e.g. riscv's holes or x86's capped lines). */
  range?(r: DumpedRange): void;
}

/** What an arch dumper is built from. */
export interface PtdumpOptions {
  /** The kernel's .config (parseKernelConfig); selects the markers as the kernel's #ifdefs do. Default: the arch's defconfig-like assumptions, documented per arch. */
  config?: KernelConfig;
  /** Markers to use instead of the computed ones (a KASLR kernel moves the bases). */
  markers?: AddressMarker[];
  /** Overrides for individual marker bases by name (e.g. from VMCOREINFO: page_offset_base). */
  bases?: Record<string, number>;
  /** Count W+X pages (ptdump_check_wx()) instead of only printing. */
  checkWx?: boolean;
  /**
   * W+X check: each warning line as it is found (then WxResult.warnings
   * stays empty). Without it the first 1000 are kept and the rest counted
   * in WxResult.warningsOmitted, so memory stays bounded either way.
   */
  onWxWarning?: (line: string) => void;
  /**
   * riscv: 'in-use' (default) names levels after the levels the paging mode
   * uses, as Linux 6.1.64+ (so 6.1.192) and mainline do; 'five-level' gives
   * 6.1.0-6.1.63's fixed PGD P4D PUD PMD PTE (an Sv39 1G leaf reads PUD).
   */
  levelNames?: 'in-use' | 'five-level';
}

/** Result of a W+X check, in the arch's own words. */
export interface WxResult {
  passed: boolean;
  wxPages: number;
  /** arm64 also counts kernel pages that user space could execute. */
  nonUxnPages?: number;
  /** The message the kernel prints at the end of its boot-time check. */
  message: string;
  /** One line per W+X range found (the kernel's WARN text), at most 1000; none when they went to `onWxWarning`. */
  warnings: string[];
  /** W+X range lines found beyond those in `warnings` (not kept, so that memory stays bounded). */
  warningsOmitted: number;
}

/** An arch's `struct ptdump_state` with its note_page(). */
export interface ArchDumper {
  /** The ranges the arch's dumper walks for this address space. */
  readonly ranges: readonly PtdumpRange[];
  /** note_page(st, addr, level, val): level -1 flushes; val as its two 32-bit halves. */
  notePage(addr: number, level: number, lo: number, hi: number): void;
  /** effective_prot(st, level, val), where the arch has one (x86). */
  effectiveProt?(level: number, lo: number, hi: number): void;
  /** After the walk: the W+X verdict (when built with checkWx). */
  wx(): WxResult;
}

export type { KernelConfig };
