import { checkOptions } from '../options.js';
import { asBytes, type BytesLike } from './bytes.js';
import { parseElfCore, type ElfCore } from './elf-core.js';
import { PhysicalMemory, type MemoryRegion } from './physical-memory.js';

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
 * An ELF64 core held in memory (QEMU `dump-guest-memory`, kdump
 * `/proc/vmcore`) as physical memory: each PT_LOAD placed at its p_paddr,
 * sharing the input's bytes (segments whose memsz exceeds filesz get their
 * own zero-filled copy). `bytes` may be an ArrayBuffer, a Uint8Array or a
 * Node Buffer. Throws PagewalkError EBADIMAGE for a malformed core.
 */
export function loadElfCore(input: BytesLike, options: LoadOptions = {}): LoadedCore {
  const bytes = asBytes(input, 'loadElfCore(bytes)');
  checkOptions(options, ['writable'], 'loadElfCore() options');
  const core = parseElfCore(bytes);
  const regions: MemoryRegion[] = [];
  for (const seg of core.segments) {
    if (seg.memsz === 0) continue;
    let data = bytes.subarray(seg.offset, seg.offset + seg.filesz);
    if (seg.memsz > seg.filesz) {
      const full = new Uint8Array(seg.memsz);
      full.set(data);
      data = full;
    }
    regions.push({ base: seg.paddr, size: seg.memsz, bytes: data });
  }
  return { memory: new PhysicalMemory(regions, options.writable === true), core, vmcoreinfo: core.vmcoreinfo ?? new Map() };
}
