import type { ArchAndMode } from '../arch/names.js';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { getArchMode, resolveArchName } from '../arch/registry.js';
import type { ArchMode, ArchName } from '../arch/types.js';
import { lowerHalfEnd } from '../arch/va.js';
import { buildDemo, demoLayout } from '../demo-layout.js';
import { openImage, type Machine } from '../machine.js';
import { kernelTablesFromVmcoreinfo } from '../memory/vmcoreinfo.js';
import type { AddressSpace } from '../mm/address-space.js';
import { DEFAULT_MAX_GUNZIP, openDumpFile, type OpenedDump } from '../node/open-dump.js';
import { parseKernelConfig, type KernelConfig } from '../ptdump/kernel-config.js';
import { PagewalkError, hex } from '../errors.js';
import { UsageError, parseNumber, type OptionSpec } from './args.js';

/** The options every command that reads an address space takes. */
export const TARGET_OPTIONS: Record<string, OptionSpec> = {
  arch: { value: true },
  mode: { value: true },
  root: { value: true },
  'raw-base': { value: true },
  user: { value: false },
  'invalid-tables': { value: true },
  'max-gunzip': { value: true },
};

export const TARGET_HELP = `  --arch A          x86-64, riscv64, arm64 or loongarch64 (default: the ELF header's, or x86-64 for the demo)
  --mode M          4level 5level | sv39 sv48 sv57 | 4k-48 16k-47 64k-42 ... | 16k-3level ... (default: from VMCOREINFO)
  --root PHYS       physical address of the top-level table: CR3 & ~0xfff, satp.PPN << 12, TTBR1 (kernel) or
                    TTBR0 (user), PGDH/PGDL (default: from VMCOREINFO: init_top_pgt, swapper_pg_dir)
  --user            the root is a user address space (arm64 TTBR0, loongarch PGDL; the demo's user process)
  --raw-base PHYS   physical address of the first byte of a raw (non-ELF) IMAGE (default 0)
  --invalid-tables PTE,PMD[,PUD]
                    loongarch: kernel VAs of invalid_pte_table, invalid_pmd_table, invalid_pud_table (System.map)
  --max-gunzip N    most bytes a gzip-compressed IMAGE may inflate to in memory (default 1 GiB)
  IMAGE...          an ELF core (QEMU dump-guest-memory, kdump /proc/vmcore), a kdump-compressed file (makedumpfile,
                    QEMU), a flattened one (makedumpfile -F, QEMU), or a raw dump; gzip-compressed ones too. Several
                    IMAGEs: the parts of one makedumpfile --split dump. Without it, the embedded demo address space.`;

/** The address space a command works on, and where it came from. */
export interface Target {
  mm: AddressSpace;
  /** The machine the address space is in (open other roots of the same image with machine.openMm()). */
  machine: Machine;
  /** One line saying what is being read. */
  what: string;
  /** The dump file(s) opened (null for the demo). */
  dump: OpenedDump | null;
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
  maxGunzip?: string;
  /** The ranges the command will walk, or the addresses it will translate: on a split-root arch they say which half the root is for. */
  ranges?: readonly { start: number; end: number }[];
  addresses?: readonly bigint[];
}

/** The target options as given on the command line. */
export function targetOptions(options: Map<string, string[]>, walked: Pick<TargetOptions, 'ranges' | 'addresses'> = {}): TargetOptions {
  const one = (name: string) => options.get(name)?.[0];
  return {
    arch: one('arch'),
    mode: one('mode'),
    root: one('root'),
    rawBase: one('raw-base'),
    user: options.has('user'),
    invalidTables: one('invalid-tables'),
    maxGunzip: one('max-gunzip'),
    ...walked,
  };
}

/**
 * An image by path (ELF core or raw, gzip-compressed too), with arch, mode
 * and root from the options or, where the dump has them, from its ELF
 * header and VMCOREINFO; without an image, the embedded demo address space.
 * Options that cannot apply to the input are refused, not ignored.
 */
export function openTarget(images: readonly string[], o: TargetOptions): Target {
  if (images.length === 0) return openDemo(o);
  const image = images.join(' ');
  const arch0 = o.arch !== undefined ? resolveArchName(o.arch) : undefined;
  if (o.invalidTables !== undefined && arch0 !== undefined && arch0 !== 'loongarch64') {
    throw new UsageError(`--invalid-tables applies to loongarch64 only, not ${arch0}`);
  }
  const dump = openImages(images, o);
  try {
    if (arch0 !== undefined && dump.arch !== null && dump.arch !== arch0) {
      throw new UsageError(
        dump.core !== null
          ? `${image}: --arch ${o.arch} contradicts the ELF header, whose e_machine is ${dump.arch}`
          : `${image}: --arch ${o.arch} contradicts the dump, which is of ${dump.arch} (${dump.kdump?.header.utsname.machine ? `utsname.machine ${dump.kdump.header.utsname.machine}` : 'from its VMCOREINFO'})`,
      );
    }
    const arch: ArchName | undefined = arch0 ?? dump.arch ?? undefined;
    if (arch === undefined) throw new UsageError(`${image}: --arch is needed (the image does not name its machine)`);
    if (o.invalidTables !== undefined && arch !== 'loongarch64') throw new UsageError(`--invalid-tables applies to loongarch64 only, not ${arch}`);
    const info = dump.vmcoreinfo.size > 0 ? kernelTablesFromVmcoreinfo(dump.vmcoreinfo, arch) : null;
    const mode = o.mode ?? info?.mode ?? undefined;
    if (mode === undefined) throw new UsageError(`${image}: --mode is needed (${info ? 'VMCOREINFO does not name the paging mode' : 'the image has no VMCOREINFO'})`);
    const names = { arch, mode } as ArchAndMode; // checked by getArchMode() below, at run time
    getArchMode(arch, mode);
    const root = o.root !== undefined ? parseNumber(o.root, '--root') : (info?.root ?? undefined);
    if (root === undefined) throw new UsageError(`${image}: --root is needed (${info ? info.rootFrom : 'the image has no VMCOREINFO'})`);
    const machine = openImage(dump.memory, { ...names, root, invalidTables: parseInvalidTables(o.invalidTables) });
    const mm = userRoot(machine.arch, o) ? machine.openMm(root, 'user') : machine.initMm;
    return { mm, machine, what: `${image} (${arch} ${mm.arch.mode}, root 0x${root.toString(16)})`, dump, close: () => dump.close() };
  } catch (e) {
    dump.close();
    throw e;
  }
}

/** The IMAGE arguments as one dump (several: the parts of a split dump), with --raw-base and --max-gunzip. */
export function openImages(images: readonly string[], o: Pick<TargetOptions, 'rawBase' | 'maxGunzip'>): OpenedDump {
  return openDumpFile(images, {
    rawBase: o.rawBase === undefined ? undefined : parseNumber(o.rawBase, '--raw-base'),
    maxGunzip: o.maxGunzip === undefined ? DEFAULT_MAX_GUNZIP : positive(o.maxGunzip, '--max-gunzip'),
  });
}

/**
 * Opens the target, runs `use` on it and closes it. An error names the
 * image it came from (`pagewalk: IMAGE: why`) unless it does already.
 */
export function withTarget<T>(images: readonly string[], o: TargetOptions, use: (t: Target) => T): T {
  return withImages(images, () => {
    const t = openTarget(images, o);
    try {
      return use(t);
    } finally {
      t.close();
    }
  });
}

/** Runs `use`; an error names the IMAGE arguments (`pagewalk: IMAGE: why`) unless it names one already. */
export function withImages<T>(images: readonly string[], use: () => T): T {
  try {
    return use();
  } catch (e) {
    throw nameImage(e, images);
  }
}

function nameImage(e: unknown, images: readonly string[]): unknown {
  if (images.length === 0 || !(e instanceof Error) || images.some((i) => e.message.startsWith(i)) || e.message.startsWith('--')) return e;
  const image = images.join(' ');
  if (e instanceof UsageError) return new UsageError(`${image}: ${e.message}`);
  if (e instanceof PagewalkError) return new PagewalkError(e.code, `${image}: ${e.message}`);
  return e;
}

function openDemo(o: TargetOptions): Target {
  const arch = resolveArchName(o.arch ?? 'x86-64');
  const layout = demoLayout(arch);
  if (o.mode !== undefined && getArchMode(arch, o.mode).mode !== layout.mode) {
    throw new UsageError(`the demo address space of ${arch} is in mode ${layout.mode}; give an IMAGE to read ${o.mode}`);
  }
  if (o.root !== undefined) throw new UsageError('--root needs an IMAGE (the demo has its own roots; use --user for its user address space)');
  if (o.rawBase !== undefined) throw new UsageError('--raw-base needs a raw IMAGE');
  if (o.maxGunzip !== undefined) throw new UsageError('--max-gunzip needs a gzip-compressed IMAGE');
  if (o.invalidTables !== undefined) throw new UsageError('--invalid-tables needs a loongarch64 IMAGE (the demo allocates its own)');
  const demo = buildDemo(arch);
  return { mm: userRoot(demo.machine.arch, o) ? demo.user : demo.machine.initMm, machine: demo.machine, what: `demo ${arch} ${layout.mode}`, dump: null, close: () => {} };
}

/**
 * Whether the root is a user root. --user says so; on arm64 (TTBR0/TTBR1)
 * and loongarch (PGDL/PGDH), where a root translates one half, so do
 * ranges or addresses that all lie in the lower half (and all in the upper
 * half say kernel). Both halves with one root cannot be walked: say which
 * option to use instead of failing later or reading one half as the other.
 */
function userRoot(arch: ArchMode, o: TargetOptions): boolean {
  if (o.user === true) return true;
  if (arch.roots !== 'split') return false;
  const half = lowerHalfEnd(arch);
  const points: { text: string; lower: boolean }[] = [
    ...(o.ranges ?? []).map((r) => ({ text: `--range ${hex(r.start)}-${hex(r.end)}`, lower: r.start < half })),
    ...(o.addresses ?? []).map((a) => ({ text: `address ${hex(a)}`, lower: a < BigInt(half) })),
  ];
  const lower = points.find((p) => p.lower);
  const upper = points.find((p) => !p.lower);
  if (lower !== undefined && upper !== undefined) {
    const regs = arch.arch === 'arm64' ? ['TTBR0', 'TTBR1'] : ['PGDL', 'PGDH'];
    throw new UsageError(
      `${lower.text} is in the user half and ${upper.text} in the kernel half of ${arch.arch} ${arch.mode}, where one root translates one half: ` +
        `give a ${regs[0]} root with user-half addresses (read as --user), or a ${regs[1]} root with kernel-half ones, one command each`,
    );
  }
  return lower !== undefined;
}

function positive(text: string, what: string): number {
  const n = parseNumber(text, what);
  if (n <= 0) throw new UsageError(`${what} ${text} must be above 0`);
  return n;
}

function parseInvalidTables(text: string | undefined): { pte: number; pmd: number; pud: number } | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((p, i) => parseNumber(p, `--invalid-tables entry ${i + 1}`));
  if (parts.length < 1 || parts.length > 3) throw new UsageError('--invalid-tables takes PTE[,PMD[,PUD]] (kernel VAs of invalid_pte_table, invalid_pmd_table, invalid_pud_table)');
  return { pte: parts[0], pmd: parts[1] ?? parts[0], pud: parts[2] ?? parts[1] ?? parts[0] };
}

/** Most bytes a --config may hold once inflated (a real .config is ~300 KB). */
const MAX_CONFIG = 64 * 1024 * 1024;

/**
 * A kernel .config (or .config.gz as in /boot, /proc/config.gz), for
 * ptdump's markers. Refused when unreadable, when it says .gz but is not
 * gzip data, and when no line is a kernel config line.
 */
export function readConfig(path: string): KernelConfig {
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UsageError(`--config ${path}: cannot read: ${why}`);
  }
  const gzip = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  if (!gzip && /\.gz$/i.test(path)) throw new UsageError(`--config ${path}: named .gz but not gzip data`);
  if (gzip) {
    try {
      raw = gunzipSync(raw, { maxOutputLength: MAX_CONFIG });
    } catch (e) {
      throw new UsageError(`--config ${path}: bad gzip data (${(e as Error).message})`);
    }
  }
  const config = parseKernelConfig(new TextDecoder().decode(raw));
  if (config.lines === 0) throw new UsageError(`--config ${path}: no line is a kernel config line (CONFIG_X=..., # CONFIG_X is not set)`);
  return config;
}
