import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { getArchMode, resolveArchName } from '../arch/registry.js';
import type { ArchName } from '../arch/types.js';
import { buildDemo, demoLayout } from '../demo-layout.js';
import { openImage } from '../machine.js';
import { kernelTablesFromVmcoreinfo } from '../memory/vmcoreinfo.js';
import type { AddressSpace } from '../mm/address-space.js';
import { openDumpFile } from '../node/open-dump.js';
import { parseKernelConfig, type KernelConfig } from '../ptdump/kernel-config.js';
import { UsageError, parseNumber } from './args.js';

/** The address space a command works on, and where it came from. */
export interface Target {
  mm: AddressSpace;
  /** One line saying what is being read (for --verbose / errors). */
  what: string;
  close(): void;
}

export interface TargetOptions {
  arch?: string;
  mode?: string;
  root?: string;
  rawBase?: string;
  user?: boolean;
  /** loongarch: invalid_pte_table,invalid_pmd_table[,invalid_pud_table] kernel VAs. */
  invalidTables?: string;
}

/**
 * An image by path (ELF core or raw, `.gz` too), with arch, mode and root
 * from the options or, where the dump has them, from its ELF header and
 * VMCOREINFO; without an image, the embedded demo address space.
 */
export function openTarget(image: string | undefined, o: TargetOptions): Target {
  if (image === undefined) {
    const arch = resolveArchName(o.arch ?? 'x86-64');
    const layout = demoLayout(arch);
    if (o.mode !== undefined && getArchMode(arch, o.mode).mode !== layout.mode) {
      throw new UsageError(`the demo address space of ${arch} is in mode ${layout.mode}; give an IMAGE to read ${o.mode}`);
    }
    if (o.root !== undefined) throw new UsageError('--root needs an IMAGE (the demo has its own roots; use --user for its user address space)');
    const demo = buildDemo(arch);
    return { mm: o.user ? demo.user : demo.machine.initMm, what: `demo ${arch} ${layout.mode}`, close: () => {} };
  }
  const dump = openDumpFile(image, { rawBase: o.rawBase === undefined ? undefined : parseNumber(o.rawBase, '--raw-base') });
  try {
    const arch: ArchName | undefined = o.arch !== undefined ? resolveArchName(o.arch) : (dump.arch ?? undefined);
    if (arch === undefined) throw new UsageError(`${image}: --arch is needed (the image does not name its machine)`);
    const info = dump.vmcoreinfo.size > 0 ? kernelTablesFromVmcoreinfo(dump.vmcoreinfo, arch) : null;
    const mode = o.mode ?? info?.mode ?? undefined;
    if (mode === undefined) throw new UsageError(`${image}: --mode is needed (${info ? 'VMCOREINFO does not name the paging mode' : 'the image has no VMCOREINFO'})`);
    const root = o.root !== undefined ? parseNumber(o.root, '--root') : (info?.root ?? undefined);
    if (root === undefined) throw new UsageError(`${image}: --root is needed (${info ? info.rootFrom : 'the image has no VMCOREINFO'})`);
    const machine = openImage(dump.memory, { arch, mode, root, invalidTables: parseInvalidTables(o.invalidTables) });
    const mm = o.user ? machine.openMm(root, 'user') : machine.initMm;
    return { mm, what: `${image} (${arch} ${mm.arch.mode}, root ${root.toString(16)})`, close: () => dump.close() };
  } catch (e) {
    dump.close();
    throw e;
  }
}

function parseInvalidTables(text: string | undefined): { pte: number; pmd: number; pud: number } | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((p, i) => parseNumber(p, `--invalid-tables entry ${i + 1}`));
  if (parts.length < 1 || parts.length > 3) throw new UsageError('--invalid-tables takes PTE[,PMD[,PUD]] (kernel VAs of invalid_pte_table, invalid_pmd_table, invalid_pud_table)');
  return { pte: parts[0], pmd: parts[1] ?? parts[0], pud: parts[2] ?? parts[1] ?? parts[0] };
}

/** A kernel .config file (or .config.gz), for ptdump's markers. */
export function readConfig(path: string): KernelConfig {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw new UsageError(`cannot read --config ${path}: ${(e as Error).message}`);
  }
  return parseKernelConfig((path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'));
}
