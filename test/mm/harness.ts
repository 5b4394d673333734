import type { ArchAndMode } from '../../src/arch/names.js';
/**
 * Machines for the test/mm suites.
 *
 * src/machine.ts imports src/arch/registry.ts, which imports every arch file;
 * while some arch files are still being written that import fails. The
 * harness loads machine.ts dynamically and, when it cannot, builds x86-64 and
 * riscv64 machines by hand the way createMachine() does (PhysicalMemory +
 * TableAllocator + codec + a zeroed root). Tests that exercise
 * createMachine/openImage/createUserMm themselves are skipped in that case
 * (see `machineModule`).
 */
import { PagewalkError } from '../../src/errors.js';
import { levelGroups } from '../../src/arch/groups.js';
import { RISCV64_MODES } from '../../src/arch/riscv64.js';
import { X86_64_MODES } from '../../src/arch/x86_64.js';
import type { ArchMode, EntryCodec } from '../../src/arch/types.js';
import { AddressSpace } from '../../src/mm/address-space.js';
import { PhysicalMemory, type RamRegion } from '../../src/memory/physical-memory.js';
import { TableAllocator } from '../../src/memory/table-allocator.js';

type MachineModule = typeof import('../../src/machine.js');
type RegistryModule = typeof import('../../src/arch/registry.js');

export let machineModule: MachineModule | null = null;
export let registryModule: RegistryModule | null = null;
export let loadError: unknown = null;
try {
  registryModule = await import('../../src/arch/registry.js');
  machineModule = await import('../../src/machine.js');
} catch (e) {
  loadError = e;
  registryModule = null;
  machineModule = null;
}

/** What the suites use of a Machine. */
export interface Rig {
  readonly arch: ArchMode;
  readonly memory: PhysicalMemory;
  readonly allocator: TableAllocator | null;
  readonly codec: EntryCodec;
  readonly initMm: AddressSpace;
  readonly tablePages: number;
  createUserMm(): AddressSpace;
}

export interface RigOptions {
  ram?: RamRegion[];
  tablePool?: RamRegion;
}

/** Every mode the registry has, or x86-64 + riscv64 while it does not load. */
export function testModes(): ArchMode[] {
  if (registryModule !== null) return registryModule.allModes();
  return [...X86_64_MODES, ...RISCV64_MODES];
}

export function findMode(arch: string, mode: string): ArchMode | undefined {
  return testModes().find((m) => m.arch === arch && m.mode === mode);
}

export function modeName(m: ArchMode): string {
  return `${m.arch} ${m.mode}`;
}

/** A fresh machine: createMachine() when it loads, else the same steps by hand (x86-64 / riscv64 only). */
export function makeRig(mode: ArchMode, options: RigOptions = {}): Rig {
  if (machineModule !== null) {
    return machineModule.createMachine({ ...({ arch: mode.arch, mode: mode.mode } as ArchAndMode), ram: options.ram, tablePool: options.tablePool });
  }
  if (mode.arch !== 'x86-64' && mode.arch !== 'riscv64') throw new Error(`cannot hand-build ${modeName(mode)}`);
  return new HandMachine(mode, options);
}

class HandMachine implements Rig {
  readonly memory: PhysicalMemory;
  readonly allocator: TableAllocator;
  readonly codec: EntryCodec;
  readonly initMm: AddressSpace;

  constructor(
    readonly arch: ArchMode,
    options: RigOptions,
  ) {
    const ram = options.ram ?? [{ base: arch.defaultRamBase, size: 64 * 1024 * 1024 }];
    this.memory = PhysicalMemory.create(ram);
    const pool = options.tablePool ?? ram[0];
    this.allocator = new TableAllocator(this.memory, pool.base, pool.size, 2 ** arch.pageShift);
    this.codec = arch.createCodec({ pti: true });
    const root = this.allocRoot();
    this.initMm = new AddressSpace({ arch, codec: this.codec, memory: this.memory, allocator: this.allocator, root, kind: 'kernel' });
  }

  get tablePages(): number {
    return this.allocator.inUse;
  }

  private allocRoot(): number {
    const pa = this.allocator.alloc();
    if (pa < 0) throw new PagewalkError('ENOMEM', 'hand-built machine: no pgd');
    this.memory.fill(pa, 2 ** this.arch.pageShift, 0, 0);
    return pa;
  }

  /** pgd_alloc(): a new root with the kernel half of init_mm's pgd copied (x86-64 and riscv share one root). */
  createUserMm(): AddressSpace {
    const root = this.allocRoot();
    const top = levelGroups(this.arch)[0];
    const first = top.entries / 2;
    this.memory.writeBytes(root + first * 8, this.memory.readBytes(this.initMm.root + first * 8, (top.entries - first) * 8)!);
    return new AddressSpace({ arch: this.arch, codec: this.codec, memory: this.memory, allocator: this.allocator, root, kind: 'user' });
  }
}

export { mulberry32 } from '../support/rng.js';

/** The PagewalkError thrown by fn (fails the test if fn returns or throws something else). */
export function catchPw(fn: () => unknown): PagewalkError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PagewalkError) return e;
    throw new Error(`expected a PagewalkError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected a PagewalkError, but the call returned');
}

/** A byte-for-byte copy of the whole image and the allocator's counters. */
export interface Snapshot {
  regions: Uint8Array[];
  inUse: number;
  available: number;
}

export function snapshot(rig: Pick<Rig, 'memory' | 'allocator'>): Snapshot {
  return {
    regions: rig.memory.regions.map((r) => r.bytes.slice()),
    inUse: rig.allocator?.inUse ?? -1,
    available: rig.allocator?.available ?? -1,
  };
}

/** Describes the first difference between the image and a snapshot, or null when identical. */
export function diffSnapshot(rig: Pick<Rig, 'memory' | 'allocator'>, snap: Snapshot): string | null {
  const now = rig.memory.regions;
  for (let i = 0; i < now.length; i++) {
    const a = Buffer.from(now[i].bytes.buffer, now[i].bytes.byteOffset, now[i].bytes.byteLength);
    const b = Buffer.from(snap.regions[i].buffer, snap.regions[i].byteOffset, snap.regions[i].byteLength);
    if (!a.equals(b)) {
      let j = 0;
      while (a[j] === b[j]) j++;
      return `region ${i} differs first at physical 0x${(now[i].base + j).toString(16)}`;
    }
  }
  const inUse = rig.allocator?.inUse ?? -1;
  const available = rig.allocator?.available ?? -1;
  if (inUse !== snap.inUse || available !== snap.available) {
    return `allocator inUse ${snap.inUse} -> ${inUse}, available ${snap.available} -> ${available}`;
  }
  return null;
}
