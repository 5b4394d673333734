/**
 * What `pagewalk info` says about a dump: its format, how its pages are
 * stored, how many pages are data, excluded or absent, and what the kernel
 * says about itself (VMCOREINFO: release, paging mode, top-level table).
 */
import type { ArchName } from '../arch/types.js';
import { kernelTablesFromVmcoreinfo } from '../memory/vmcoreinfo.js';
import type { DumpFormat, LoadedDump } from './assemble-dump.js';
import type { Compression } from './compression.js';

export interface DumpSummary {
  format: DumpFormat;
  /** What a flattened file's records rebuild ('kdump' or 'elf'); else the same as format. */
  content: 'elf' | 'kdump' | 'raw';
  /** Compressions the page data uses (kdump; raw-stored pages are not listed). */
  compression: Compression[];
  /** Pages by how they are stored (kdump): 'none' counts pages stored uncompressed. */
  pagesByCompression: Partial<Record<Compression | 'none', number>>;
  /** Bytes a page is counted in: the kdump block_size; for ELF and raw images VMCOREINFO's PAGESIZE, else 4096. */
  blockSize: number;
  /** makedumpfile's dump level (kdump), else null. */
  dumpLevel: number | null;
  /**
   * Pages below the image's end (kdump: max_mapnr; ELF and raw: the end of
   * the highest region): data, excluded by the dump level, absent (not RAM,
   * not in a part given, or incomplete); `incomplete` and `missingParts`
   * count the absent pages the dump meant to hold.
   */
  pages: { data: number; excluded: number; absent: number; incomplete: number; missingParts: number };
  /** The header says the dump is incomplete (kdump status INCOMPLETE, or a flattened stream cut short). */
  incomplete: boolean;
  arch: ArchName | null;
  /** The machine as the dump names it: utsname.machine, the ELF e_machine number, or null. */
  machine: string | null;
  /** The kernel release: VMCOREINFO's OSRELEASE, else utsname.release, else null. */
  release: string | null;
  /** Paging mode and kernel top-level table from VMCOREINFO (null when it does not say, or the arch is unknown). */
  mode: string | null;
  root: number | null;
  rootFrom: string | null;
  /** The parts of a split dump: pfn ranges in order. */
  parts: { startPfn: number; endPfn: number }[] | null;
  vmcoreinfo: Map<string, string>;
}

/** The summary of a loaded dump; `arch` overrides the dump's own when it names none. Reads every kdump descriptor once. */
export function summarizeDump(d: LoadedDump, arch: ArchName | null = d.arch): DumpSummary {
  const pageSize = Number(d.vmcoreinfo.get('PAGESIZE') ?? 4096);
  const tables = arch !== null && d.vmcoreinfo.size > 0 ? kernelTablesFromVmcoreinfo(d.vmcoreinfo, arch) : null;
  const common = {
    format: d.format,
    content: d.content,
    incomplete: false,
    arch,
    release: d.vmcoreinfo.get('OSRELEASE') ?? null,
    mode: tables?.mode ?? null,
    root: tables?.root ?? null,
    rootFrom: tables === null ? null : tables.rootFrom,
    parts: null,
    vmcoreinfo: d.vmcoreinfo,
  };
  if (d.kdump !== null) {
    const k = d.kdump;
    const h = k.header;
    const c = k.countPages();
    return {
      ...common,
      compression: (['zlib', 'lzo', 'snappy', 'zstd'] as const).filter((x) => (c.byCompression[x] ?? 0) > 0),
      pagesByCompression: c.byCompression,
      blockSize: h.blockSize,
      dumpLevel: h.dumpLevel,
      pages: { data: c.data, excluded: c.excluded, absent: c.absent, incomplete: c.incomplete, missingParts: c.missingParts },
      incomplete: k.parts.some((p) => p.incomplete),
      machine: h.utsname.machine === '' ? null : h.utsname.machine,
      release: common.release ?? (h.utsname.release === '' ? null : h.utsname.release),
      parts: h.split ? k.parts.map((p) => ({ startPfn: p.header.startPfn, endPfn: p.header.endPfn })) : null,
    };
  }
  const ps = Number.isInteger(pageSize) && pageSize > 0 ? pageSize : 4096;
  let data = 0;
  let end = 0;
  let last = -1; // the last page counted
  for (const r of d.memory.ranges) {
    const first = Math.max(Math.floor(r.base / ps), last + 1);
    const lastPage = Math.ceil((r.base + r.size) / ps) - 1;
    if (lastPage >= first) data += lastPage - first + 1;
    last = Math.max(last, lastPage);
    end = Math.max(end, lastPage + 1);
  }
  return {
    ...common,
    compression: [],
    pagesByCompression: {},
    blockSize: ps,
    dumpLevel: null,
    pages: { data, excluded: 0, absent: end - data, incomplete: 0, missingParts: 0 },
    machine: d.core === null ? null : String(d.core.machine),
  };
}
