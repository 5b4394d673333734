import type { ArchAndMode } from '../../src/arch/names.js';
/**
 * Random small page tables for the differential tests, written entry by
 * entry with the arch's codec (so they hold real encodings), plus the odd
 * things real images hold: huge leaves, swap-like (non-present, non-none)
 * entries, *_bad() pgd/p4d entries, table pointers outside the image,
 * pointers to tables of the wrong level (sharing, loops), loongarch zero
 * directory entries, raw garbage.
 */
import { levelGroups, type LevelGroup } from '../../src/arch/groups.js';
import { resolveProt } from '../../src/arch/prot.js';
import { PTE, P4D, type ArchMode, type Depth, type EntryCodec } from '../../src/arch/types.js';
import { lowerHalfEnd, upperHalfEnd, upperHalfStart } from '../../src/arch/va.js';
import { createMachine, type Machine } from '../../src/machine.js';
import type { PhysicalMemory } from '../../src/memory/physical-memory.js';
import type { AddressSpace } from '../../src/mm/address-space.js';

import { pick, type Rng } from '../support/rng.js';
export { mulberry32, pick, type Rng } from '../support/rng.js';

export const u32 = (rng: Rng): number => Math.floor(rng() * 4294967296) >>> 0;
/** A uniform double in [0, 1) with 53 random bits. */
const u53 = (rng: Rng): number => (Math.floor(rng() * 2 ** 26) * 2 ** 27 + Math.floor(rng() * 2 ** 27)) / 2 ** 53;

export interface Half {
  start: number;
  end: number;
}

export interface RandomImage {
  machine: Machine;
  mm: AddressSpace;
  /** Canonical ranges a walk of `mm` may cover. */
  halves: Half[];
  /** Addresses near which things were built. */
  targets: number[];
  /** Values callbacks may write, by the depth their slot is checked at. */
  palette: [number, number][][];
  /** Other top-level tables (for the pgd override), each a modified copy of the root. */
  altRoots: number[];
  /** Physical address of a table outside the image (page aligned, representable by every codec). */
  outside: number;
}

export interface BuildOptions {
  user: boolean;
  /** Targets to build paths to. */
  targets: number;
  /** Scale of the odd entries (0: only clean tables, 1: the default mix). */
  oddness: number;
}

const TWO32 = 4294967296;

function words(v: number): [number, number] {
  return [v % TWO32 | 0, Math.floor(v / TWO32) | 0];
}

/** Everything known about building entries of one mode. */
class EntryFactory {
  readonly swap: [number, number][][] = [[], [], [], [], []];
  readonly bad: [number, number][][] = [[], [], [], [], []];

  constructor(
    readonly arch: ArchMode,
    readonly codec: EntryCodec,
    readonly rng: Rng,
    readonly user: boolean,
  ) {
    for (let d = 0 as Depth; d <= PTE; d++) {
      if (!arch.realAt[d]) continue;
      this.swap[d] = this.sample(d, 6, (lo, hi) => !codec.none(d, lo, hi) && !codec.present(d, lo, hi), () => {
        const andMasks = [~0xfff, ~0x1, ~0x81, ~0x481, ~0x4c1, ~0x803, ~0xf01, ~0xffff];
        const orMasks = [0, 0, 0x40, 0x100, 0x2, 0x4, 0x80, 0x1000];
        let lo = (u32(rng) & pick(rng, andMasks)) | pick(rng, orMasks);
        const hi = u32(rng) & pick(rng, [0x000fffff, 0, 0x0000ffff, 0x000000ff]);
        if (rng() < 0.5) lo &= ~0x7ff;
        return [lo | 0, hi | 0];
      });
      if (d <= P4D) {
        this.bad[d] = this.sample(d, 4, (lo, hi) => !codec.none(d, lo, hi) && codec.bad(d, lo, hi), () => {
          const [lo, hi] = this.table(d, 0x200000);
          const flip = pick(rng, [1, 2, 0x80, 0x100, 0x10, 0x200, 0x800, 0x3, 0x1]);
          const hiFlip = rng() < 0.2 ? 1 << Math.floor(rng() * 12) << 20 : 0;
          return [(lo ^ flip) | 0, (hi ^ hiFlip) | 0];
        });
      }
    }
  }

  private sample(
    d: Depth,
    want: number,
    ok: (lo: number, hi: number) => boolean,
    gen: () => [number, number],
  ): [number, number][] {
    const out: [number, number][] = [];
    for (let i = 0; i < 2000 && out.length < want; i++) {
      const [lo, hi] = gen();
      if (ok(lo, hi)) out.push([lo, hi]);
    }
    void d;
    return out;
  }

  none(d: Depth): [number, number] {
    this.codec.encodeNone(d);
    return [this.codec.lo, this.codec.hi];
  }

  table(d: Depth, pa: number): [number, number] {
    this.codec.encodeTable(d, pa, this.user);
    return [this.codec.lo, this.codec.hi];
  }

  /** A leaf at depth d (PTE, or a depth in leafDepths). */
  leaf(d: Depth): [number, number] {
    const size = 2 ** (d === PTE ? this.arch.pageShift : this.arch.shift[d]);
    const pa = Math.floor((this.rng() * 2 ** 32) / size) * size;
    const rng = this.rng;
    const tries = [
      { write: rng() < 0.5, exec: rng() < 0.3, user: this.user && rng() < 0.7, global: rng() < 0.5 },
      { write: rng() < 0.5 },
      {},
    ];
    for (const p of tries) {
      try {
        this.codec.leafTemplate(d, resolveProt(p));
        this.codec.encodeLeaf(d, pa, this.codec.lo, this.codec.hi);
        return [this.codec.lo, this.codec.hi];
      } catch {
        // the arch refuses this combination: try a plainer one
      }
    }
    throw new Error(`cannot encode a leaf at depth ${d} of ${this.arch.arch} ${this.arch.mode}`);
  }

  leafOk(d: Depth): boolean {
    return d === PTE || this.arch.leafDepths.includes(d);
  }
}

/**
 * A machine with a random kernel (or user) address space. RAM: the table
 * pool, then a gap, then a small second region (pointers into the gap are
 * outside the image too).
 */
export function buildRandomImage(arch: ArchMode, rng: Rng, options: BuildOptions): RandomImage {
  const page = 2 ** arch.pageShift;
  const poolPages = arch.pageShift === 12 ? 160 : arch.pageShift === 14 ? 64 : 40;
  const base = arch.defaultRamBase;
  const ram = [
    { base, size: poolPages * page },
    { base: base + (poolPages + 4) * page, size: 4 * page },
  ];
  const machine = createMachine({ ...({ arch: arch.arch, mode: arch.mode } as ArchAndMode), ram, tablePool: ram[0], pti: rng() < 0.8 });
  const mm = options.user ? machine.createUserMm() : machine.initMm;
  const memory = machine.memory;
  const codec = machine.codec;
  const groups = levelGroups(arch);
  const f = new EntryFactory(arch, codec, rng, options.user);
  const outsideChoices = [2 ** 40, base + poolPages * page, base + (poolPages + 2) * page, base + (poolPages + 8) * page];
  const outside = pick(rng, outsideChoices);

  const halves: Half[] = [];
  const lowerEnd = lowerHalfEnd(arch);
  const upperStart = upperHalfStart(arch);
  if (mm.span !== 'upper') halves.push({ start: 0, end: lowerEnd });
  if (mm.span !== 'lower') halves.push({ start: upperStart, end: upperHalfEnd(arch) });
  // A user mm of a shared-root arch may be walked in both halves (debug walks), but its upper half belongs to init_mm.
  const buildHalves = options.user && mm.span === 'both' ? halves.filter((h) => h.start === 0) : halves;

  /** Tables by group index. */
  const tablesOf: number[][] = groups.map(() => []);
  tablesOf[0].push(mm.root);
  const children = new Map<number, number>(); // slot pa -> child table pa (tables this builder made)

  const alloc = (gi: number): number => {
    const pa = machine.allocator!.alloc();
    if (pa < 0) return -1;
    const [lo, hi] = f.none(groups[gi].real);
    memory.fill(pa, page, lo, hi);
    tablesOf[gi].push(pa);
    return pa;
  };

  const odd = options.oddness;
  /** A terminal (non-descending) value for a slot of group gi, or a pointer somewhere odd. */
  const terminal = (gi: number): [number, number] => {
    const g = groups[gi];
    const d = g.real;
    const r = rng();
    if (d === PTE) {
      if (r < 0.65) return f.leaf(PTE);
      if (r < 0.85 && f.swap[PTE].length) return pick(rng, f.swap[PTE]);
      if (r < 0.9) return f.none(PTE);
      return [u32(rng) | 0, u32(rng) | 0];
    }
    if (r < 0.3 && f.leafOk(d)) return f.leaf(d);
    if (r < 0.5 && f.swap[d].length) return pick(rng, f.swap[d]);
    if (r < 0.6 && f.bad[d].length) return pick(rng, f.bad[d]);
    if (r < 0.6 + 0.1 * odd) return f.table(d, outside);
    if (r < 0.6 + 0.15 * odd) return [0, 0];
    if (r < 0.6 + 0.2 * odd) {
      // a pointer to some existing table, of any level (sharing, loops, type confusion)
      const all = tablesOf.flat();
      return f.table(d, pick(rng, all));
    }
    if (r < 0.6 + 0.25 * odd) return [u32(rng) | 0, u32(rng) | 0];
    if (f.leafOk(d)) return f.leaf(d);
    return f.none(d);
  };

  const write = (pa: number, v: [number, number]) => memory.write(pa, v[0], v[1]);

  // The second RAM region: two pages that odd pointers may name as tables
  // (tables in another region of the image), with a few entries of any kind.
  const regionB = ram[1].base;
  for (let p = 0; p < 2; p++) {
    const gi = Math.floor(rng() * groups.length);
    const [lo, hi] = f.none(groups[gi].real);
    memory.fill(regionB + p * page, page, lo, hi);
    tablesOf[gi].push(regionB + p * page);
  }

  const targets: number[] = [];
  const halfOf = (h: Half) => h.start + Math.floor((u53(rng) * (h.end - h.start)) / page) * page;
  let cluster = halfOf(pick(rng, buildHalves));
  for (let t = 0; t < options.targets; t++) {
    const h = pick(rng, buildHalves);
    let va: number;
    if (rng() < 0.6 && cluster >= h.start && cluster < h.end) {
      const span = 2 ** pick(rng, [arch.pageShift + 3, groups[groups.length - 2]?.shift ?? arch.pageShift, groups[1]?.shift ?? 30]);
      va = Math.min(h.end - page, Math.max(h.start, cluster + Math.floor((rng() - 0.5) * span / page) * page));
    } else {
      va = halfOf(h);
      cluster = va;
    }
    targets.push(va);
    buildPath(va);
  }

  function buildPath(va: number): void {
    let table = mm.root;
    for (let gi = 0; gi < groups.length; gi++) {
      const g = groups[gi];
      const idx = Math.floor(va / g.size) % g.entries;
      const slot = table + idx * 8;
      if (gi === groups.length - 1) {
        // a run of ptes around the target
        const n = 1 + Math.floor(rng() * 24);
        for (let i = Math.max(0, idx - Math.floor(n / 2)); i < Math.min(g.entries, idx + n); i++) {
          if (rng() < 0.85) write(table + i * 8, terminal(gi));
        }
        return;
      }
      const child = children.get(slot);
      if (child !== undefined) {
        table = child;
        continue;
      }
      memory.read(slot);
      const isNone = codec.none(g.real, memory.lo, memory.hi);
      if (!isNone) return; // something odd is already there: stop
      if (rng() < 0.8 - 0.15 * odd || gi === 0) {
        const pa = alloc(gi + 1);
        if (pa < 0) return;
        write(slot, f.table(g.real, pa));
        children.set(slot, pa);
        // a few random neighbours in the new child
        const extra = Math.floor(rng() * 4 * odd);
        for (let k = 0; k < extra; k++) {
          const cg = groups[gi + 1];
          const j = Math.floor(rng() * cg.entries);
          if (cg.real !== PTE && rng() < 0.3) continue;
          write(pa + j * 8, terminal(gi + 1));
        }
        table = pa;
      } else {
        write(slot, terminal(gi));
        return;
      }
    }
  }

  for (let p = 0; p < 2; p++) {
    for (let k = 0; k < 6; k++) {
      const gi = groups.length - 1 - Math.floor(rng() * 2);
      write(regionB + p * page + Math.floor(rng() * (page / 8)) * 8, terminal(Math.max(0, gi)));
    }
  }

  // A few odd entries straight in the root (bad pgd/p4d, outside pointers, swap-like).
  const topGroup: LevelGroup = groups[0];
  const nOdd = Math.floor(rng() * 3 * odd);
  for (let k = 0; k < nOdd; k++) {
    const h = pick(rng, buildHalves);
    const va = halfOf(h);
    const slot = mm.root + (Math.floor(va / topGroup.size) % topGroup.entries) * 8;
    memory.read(slot);
    if (codec.none(topGroup.real, memory.lo, memory.hi)) {
      write(slot, terminal(0));
      targets.push(va);
    }
  }

  // Values for callbacks to write.
  const palette: [number, number][][] = [[], [], [], [], []];
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi];
    const d = g.real;
    const values: [number, number][] = [f.none(d), f.none(d)];
    if (f.leafOk(d)) values.push(f.leaf(d));
    if (f.swap[d].length) values.push(pick(rng, f.swap[d]));
    if (f.bad[d].length) values.push(pick(rng, f.bad[d]));
    if (d !== PTE) {
      values.push(f.table(d, outside));
      if (gi + 1 < groups.length && tablesOf[gi + 1].length) values.push(f.table(d, pick(rng, tablesOf[gi + 1])));
    }
    // every depth of the group checks its slots at g.real: the palette is indexed by check depth
    palette[d] = values;
  }

  // Alternative roots for the pgd override: a copy of the root with a few slots changed.
  const altRoots: number[] = [];
  const rootBytes = topGroup.tableBytes;
  for (let k = 0; k < 2; k++) {
    const pa = machine.allocator!.alloc();
    if (pa < 0) break;
    const [lo, hi] = f.none(topGroup.real);
    memory.fill(pa, page, lo, hi);
    memory.writeBytes(pa, memory.readBytes(mm.root, rootBytes)!);
    for (let j = 0; j < 3; j++) {
      const i = Math.floor(rng() * topGroup.entries);
      write(pa + i * 8, rng() < 0.5 ? f.none(topGroup.real) : terminal(0));
    }
    altRoots.push(pa);
  }
  // and one that is only 8-byte aligned (the pgd option asks no more), overlapping the root
  if (rng() < 0.5) altRoots.push(mm.root + 8 * (1 + Math.floor(rng() * 3)));

  return { machine, mm, halves, targets, palette, altRoots, outside };
}

/** A random page-aligned walk range inside one of the image's halves. */
export function randomRange(img: RandomImage, rng: Rng): { start: number; end: number } {
  const arch = img.mm.arch;
  const page = 2 ** arch.pageShift;
  const r = rng();
  if (r < 0.1 || img.targets.length === 0) {
    const h = pick(rng, img.halves);
    return { start: h.start, end: h.end };
  }
  const t = pick(rng, img.targets);
  const h = img.halves.find((x) => t >= x.start && t < x.end) ?? img.halves[0];
  const groups = levelGroups(arch);
  const grain = 2 ** pick(rng, [arch.pageShift, ...groups.map((g) => g.shift)]);
  let start = Math.floor(t / grain) * grain;
  if (rng() < 0.5) start -= Math.floor(rng() * 3) * (rng() < 0.5 ? page : grain);
  if (rng() < 0.3) start += Math.floor(rng() * 5) * page;
  let len: number;
  const q = rng();
  if (q < 0.3) len = (1 + Math.floor(rng() * 8)) * page;
  else if (q < 0.8) len = (1 + Math.floor(rng() * 3)) * grain + Math.floor(rng() * 3) * page;
  else len = 2 ** pick(rng, groups.map((g) => g.shift)) * (1 + Math.floor(rng() * 2));
  start = Math.max(h.start, Math.min(start, h.end - page));
  let end = Math.min(h.end, start + len);
  if (end <= start) end = start + page;
  return { start, end };
}

export function snapshot(memory: PhysicalMemory): Uint8Array[] {
  return memory.regions.map((r) => r.bytes.slice());
}

export function restore(memory: PhysicalMemory, snap: Uint8Array[]): void {
  memory.regions.forEach((r, i) => r.bytes.set(snap[i]));
}

export function sameBytes(memory: PhysicalMemory, snap: Uint8Array[]): boolean {
  return memory.regions.every((r, i) => Buffer.compare(r.bytes, snap[i]) === 0);
}

