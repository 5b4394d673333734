/**
 * mm.read(): bytes at virtual addresses, through an address space's tables
 * the way the MMU finds them, page by page (each leaf's page at a time).
 */
import { PagewalkError, hex } from '../errors.js';
import { describeSpan, splitAddress, vaInSpan } from '../arch/va.js';
import type { MemoryFault, ReadOptions } from '../memory/physical-memory.js';
import { checkOptions } from '../options.js';
import type { AddressSpace } from './address-space.js';
import { translateAddress, type Translation } from './translate.js';

const TWO64 = 1n << 64n;

/** A read that stopped: EFAULT naming the virtual address and why; `fault` says the same for code. */
export type VirtualFault = PagewalkError & { fault: { virtual: bigint; physical: number | null; reason: string } };

function virtualFault(virtual: bigint, physical: number | null, reason: string): VirtualFault {
  const where = physical === null ? `virtual ${hex(virtual)}` : `virtual ${hex(virtual)} (physical ${hex(physical)})`;
  return Object.assign(new PagewalkError('EFAULT', `${where}: ${reason}`), { fault: { virtual, physical, reason } });
}

/**
 * Copies [va, va + length) of `mm` out of its memory. Stops at the first
 * byte that cannot be read, with PagewalkError EFAULT naming its virtual
 * address and why: not canonical (outside the address space's halves), not
 * mapped (the level and the fault, as translate() gives them), a table
 * absent from the image or excluded by the dump level, or a data page
 * absent or excluded (with `fillExcluded: 'zero'` excluded pages read as
 * zeros).
 */
export function readVirtual(mm: AddressSpace, va: number | bigint, length: number, options: ReadOptions = {}): Uint8Array {
  checkOptions(options, ['fillExcluded'], 'read() options');
  const { full } = splitAddress(va, mm.arch.pageShift, 'va');
  if (!Number.isSafeInteger(length) || length < 0 || full + BigInt(length) > TWO64) {
    throw new PagewalkError('EINVAL', `length ${String(length)} must be an integer >= 0 with va + length at most 2^64`);
  }
  const out = new Uint8Array(length);
  for (let pos = 0; pos < length; ) {
    const cur = full + BigInt(pos);
    const { page, offset } = splitAddress(cur, mm.arch.pageShift);
    if (!vaInSpan(mm.arch, mm.span, page)) {
      throw virtualFault(cur, null, `not mapped: not in ${describeSpan(mm.arch, mm.span)}`);
    }
    const t = translateAddress(mm, mm.root, page, offset, cur);
    if (!t.mapped) throw virtualFault(cur, null, unmapped(t));
    const size = BigInt(t.pageSize!);
    const n = Math.min(length - pos, Number(size - (cur % size)));
    try {
      out.set(mm.memory.readBytes(t.phys!, n, options), pos);
    } catch (e) {
      const f = (e as Partial<MemoryFault>).fault;
      if (f === undefined) throw e;
      throw virtualFault(cur + BigInt(f.physical) - t.phys!, f.physical, f.reason);
    }
    pos += n;
  }
  return out;
}

/** Why a translation failed, in words: the fault and where. */
function unmapped(t: Translation): string {
  const last = t.trace[t.trace.length - 1];
  const at = `${last.level} entry ${last.index} of the table at physical ${hex(last.table)}`;
  switch (t.fault) {
    case 'excluded':
      return `not readable: its ${last.level} table at physical ${hex(last.table)} is in a page excluded by the dump level`;
    case 'outside-image':
      return `not readable: its ${last.level} table at physical ${hex(last.table)} is absent from the image`;
    case 'none':
      return `not mapped: ${at} is empty`;
    case 'not-present':
      return `not mapped: ${at} is not present`;
    default:
      return `not mapped: ${at} is bad`;
  }
}
