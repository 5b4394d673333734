import { hex } from '../errors.js';
import { describeSpan, lowerHalfEnd, vaInSpan } from '../arch/va.js';
import { AddressSpace } from '../mm/address-space.js';
import { opsProblem } from './ops.js';

/** Options of both walk entry points (the kernel's trailing `pgd` and `private` arguments). */
export interface WalkOptions<P = unknown> {
  /** Physical address of a top-level table to walk instead of the address space's own (ptdump's EFI and KPTI user tables). */
  pgd?: number;
  /** Handed to callbacks as `walk.private`. */
  private?: P;
}

const OPTION_KEYS = ['pgd', 'private'];

/**
 * Why a walk would be refused with -EINVAL, or null. The entry points run
 * exactly this check before any callback; call it to learn the reason
 * behind a -EINVAL. `entryPoint` 'kernel' (the default, for
 * walkKernelPageTableRange()) also refuses user address spaces.
 */
export function walkArgsProblem(
  mm: unknown,
  start: unknown,
  end: unknown,
  ops: unknown,
  options: unknown = {},
  entryPoint: 'kernel' | 'debug' = 'kernel',
): string | null {
  if (!(mm instanceof AddressSpace)) return 'mm must be an AddressSpace (machine.initMm, machine.createUserMm(), machine.openMm())';
  if (entryPoint === 'kernel' && mm.kind !== 'kernel') return 'walkKernelPageTableRange() walks a kernel address space; this one is a user address space';
  const opsWhy = opsProblem(ops);
  if (opsWhy !== null) return opsWhy;
  if (options === null || typeof options !== 'object') return `options must be an object { pgd?, private? }, got ${String(options)}`;
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) return `unknown walk option "${key}": expected pgd or private`;
  }
  for (const [name, v] of [['start', start], ['end', end]] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2 ** 64) return `${name} ${String(v)} must be an integer address in [0, 2^64]`;
  }
  const s = start as number;
  const e = end as number;
  if (s >= e) return `start ${hex(s)} >= end ${hex(e)}`;
  const page = 2 ** mm.arch.pageShift;
  if (s % page !== 0 || e % page !== 0) return `[${hex(s)}, ${hex(e)}) is not aligned to the ${page}-byte page size`;
  if (!vaInSpan(mm.arch, mm.span, s) || !vaInSpan(mm.arch, mm.span, e - page)) {
    return `[${hex(s)}, ${hex(e)}) is not inside ${describeSpan(mm.arch, mm.span)}`;
  }
  const half = lowerHalfEnd(mm.arch);
  if (s < half !== e - page < half) return `[${hex(s)}, ${hex(e)}) crosses the non-canonical hole; walk each half separately`;
  const pgd = (options as { pgd?: unknown }).pgd;
  if (pgd !== undefined) {
    if (typeof pgd !== 'number' || !Number.isInteger(pgd) || pgd < 0 || pgd % 8 !== 0) return `pgd ${String(pgd)} must be the 8-byte aligned physical address of a top-level table`;
    if (mm.memory.tableWords(pgd, mm.plan.tableBytes[0]) === null) return `pgd ${hex(pgd)} is not inside the memory image`;
  }
  return null;
}
