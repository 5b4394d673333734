import { checkOptions } from '../options.js';
import { asBytes, type BytesLike } from './bytes.js';
import { parseElfCore, type ElfCore } from './elf-core.js';
import { PagewalkError, hex } from '../errors.js';
import { PhysicalMemory, type MemoryRegion, type OnDemandRegion } from './physical-memory.js';

export interface LoadOptions {
  /** Allow writes into the image (default false: a dump is evidence). Writes go into the caller's buffer. */
  writable?: boolean;
}

/** A memory image built from an ELF core, with what the core says about itself. */
export interface LoadedCore {
  memory: PhysicalMemory;
  core: ElfCore;
  /** VMCOREINFO key/values (e.g. SYMBOL(init_top_pgt), NUMBER(phys_base)), empty when the core has none. */
  vmcoreinfo: Map<string, string>;
}

/**
 * Bytes past a segment's file data (p_memsz > p_filesz) read as zero. Up
 * to this many are allocated as a zero-filled copy; beyond, they are a
 * region that reads as zeros without memory behind it (QEMU marks whole
 * RAM banks it did not store this way: allocating them would take the
 * machine's RAM size from a header field).
 */
const MAX_ZERO_FILL = 64 * 1024 * 1024;
/** The largest table any mode has: a table never straddles the file data and the zero tail. */
const TABLE_ALIGN = 65536;

/**
 * An ELF64 core held in memory (QEMU `dump-guest-memory`, kdump
 * `/proc/vmcore`) as physical memory: each PT_LOAD placed at its p_paddr,
 * sharing the input's bytes; bytes past a segment's p_filesz read as zero.
 * `bytes` may be an ArrayBuffer, a Uint8Array or a Node Buffer. Throws
 * PagewalkError EBADIMAGE for a malformed core; EINVAL for `writable` on a
 * core whose zero tails are too big to hold.
 */
export function loadElfCore(input: BytesLike, options: LoadOptions = {}): LoadedCore {
  const bytes = asBytes(input, 'loadElfCore(bytes)');
  checkOptions(options, ['writable'], 'loadElfCore() options');
  const writable = options.writable === true;
  const core = parseElfCore(bytes);
  const regions: (MemoryRegion | OnDemandRegion)[] = [];
  for (const seg of core.segments) {
    if (seg.memsz === 0) continue;
    const data = bytes.subarray(seg.offset, seg.offset + seg.filesz);
    if (seg.memsz === seg.filesz) {
      regions.push({ base: seg.paddr, size: seg.memsz, bytes: data });
      continue;
    }
    // Hold the file data and the zero tail up to a table boundary (or the
    // whole segment when the tail is small), and the rest as zeros on demand.
    const tailStart = seg.memsz - seg.filesz <= MAX_ZERO_FILL ? seg.memsz : Math.min(seg.memsz, Math.ceil((seg.paddr + seg.filesz) / TABLE_ALIGN) * TABLE_ALIGN - seg.paddr);
    if (tailStart < seg.memsz && writable) {
      throw new PagewalkError(
        'EINVAL',
        `PT_LOAD [${seg.index}] has ${hex(seg.memsz - seg.filesz)} bytes past its file data (zeros): too many to hold for a writable image; load it read-only`,
      );
    }
    if (tailStart > 0) {
      const held = new Uint8Array(tailStart);
      held.set(data);
      regions.push({ base: seg.paddr, size: tailStart, bytes: held });
    }
    if (tailStart < seg.memsz) regions.push({ base: seg.paddr + tailStart, size: seg.memsz - tailStart, load: (_offset, length) => new Uint8Array(length) });
  }
  return { memory: new PhysicalMemory(regions, writable), core, vmcoreinfo: core.vmcoreinfo ?? new Map() };
}
