/**
 * An independent model of an address space, kept beside the real one by the
 * round-trip tests: a sorted list of leaves (va, size, pa, perms) that never
 * overlap. It knows nothing of tables; it only knows what the kernel's
 * semantics say the result of map/unmap/protect must be:
 *
 * - map refuses (EEXIST) a range that overlaps anything mapped, unless
 *   `replace`; with replace the overlapped parts vanish first.
 * - unmap and protect split a leaf the range only partly covers into leaves
 *   of the next smaller level (split_huge_pud()/split_huge_pmd()), repeatedly,
 *   so that only the pieces the range touches shrink.
 * - protect refuses (ENOENT) a range with a hole and changes only the fields
 *   it is given.
 * - 'auto' picks, at each step, the largest leaf size that the virtual and
 *   physical cursors are aligned to and that still fits (as
 *   vmap_try_huge_pmd()/ioremap's huge-page selection does).
 *
 * What an arch can express, and how directory entries limit a leaf, come
 * from primary sources (cited at each rule), never from the code under test.
 */
import type { ArchMode } from '../../src/arch/types.js';

export interface Perm5 {
  read: boolean;
  write: boolean;
  exec: boolean;
  user: boolean;
  global: boolean;
}

export const PERM5_KEYS = ['read', 'write', 'exec', 'user', 'global'] as const;

export interface Leaf {
  va: number;
  size: number;
  pa: number;
  perms: Perm5;
}

/**
 * Whether a leaf with these permissions (accessed and dirty on, the other
 * attributes at their defaults) can be written in this arch's format.
 */
export function expressible(arch: ArchMode, p: Perm5): boolean {
  switch (arch.arch) {
    case 'x86-64':
      // Intel SDM vol. 3A 4.6: a present (P=1) entry always permits reads at
      // its privilege; there is no read-disable bit.
      return p.read;
    case 'riscv64':
      // RISC-V privileged spec, "Encoding of PTE R/W/X fields": R=W=X=0 is a
      // pointer to the next level; W=1 with R=0 (with or without X) is reserved.
      return (p.read || p.write || p.exec) && !(p.write && !p.read);
    case 'arm64':
      // Arm ARM D8 (stage-1 AP[2:1]): no write-only encoding, and a valid
      // entry is readable at the privilege AP[1] names, so exec needs read.
      // read=write=exec=false is PAGE_NONE, mainline's PTE_PRESENT_INVALID,
      // which is the nG bit (arch/arm64/include/asm/pgtable-prot.h), so such
      // an entry cannot be global.
      if (p.write && !p.read) return false;
      if (p.exec && !p.read) return false;
      if (!p.read && p.global) return false;
      return true;
    case 'loongarch64':
      // LoongArch manual vol. 1, 5.4: NR, NX and D are independent bits.
      return true;
  }
}

/**
 * The permissions translate() must report for a leaf mapped with `p` in an
 * address space of `kind` (the effect of the directory entries map() writes).
 * arm64 user tables carry PXNTable (arch/arm64/include/asm/pgalloc.h:
 * pmd_populate() and friends use PMD_TABLE_PXN / PUD_TABLE_PXN /
 * P4D_TABLE_PXN), which forbids EL1 execution of everything below (Arm ARM
 * D8, hierarchical permissions): a kernel page below a table of a user
 * address space is never executable. A block in the top-level table itself
 * (`inRoot`: 4k-39's 1G, 16k-36's 32M, 64k-42's 512M) has no table
 * descriptor above it and keeps its own permissions.
 */
export function effectivePerms(arch: ArchMode, kind: 'kernel' | 'user', p: Perm5, inRoot: boolean): Perm5 {
  if (arch.arch === 'arm64' && kind === 'user' && !p.user && !inRoot) return { ...p, exec: false };
  return p;
}

/**
 * Whether the MMU can use a leaf with these permissions, i.e. whether
 * translate() reports it mapped rather than faulting 'not-present'. On arm64
 * read=write=exec=false is PAGE_NONE: a descriptor with bit[0] (valid)
 * clear, which the hardware treats as invalid and faults on (Arm ARM D8,
 * "Translation fault"), although the kernel counts it present and so do
 * unmap() and protect().
 */
export function mmuValid(arch: ArchMode, p: Perm5): boolean {
  return arch.arch === 'arm64' ? p.read : true;
}

export class LeafModel {
  /** Sorted by va; never overlapping. */
  readonly leaves: Leaf[] = [];

  /**
   * @param childSize the size of the leaves a leaf of `size` splits into, or
   *   null when it cannot be split (no smaller leaf level).
   */
  constructor(private readonly childSize: (size: number) => number | null) {}

  /** Index of the first leaf that ends after va. */
  private first(va: number): number {
    let lo = 0;
    let hi = this.leaves.length;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      const l = this.leaves[m];
      if (l.va + l.size > va) hi = m;
      else lo = m + 1;
    }
    return lo;
  }

  find(va: number): Leaf | undefined {
    const l = this.leaves[this.first(va)];
    return l !== undefined && l.va <= va ? l : undefined;
  }

  overlaps(a: number, b: number): boolean {
    const l = this.leaves[this.first(a)];
    return l !== undefined && l.va < b;
  }

  /** Leaves overlapping [a, b). */
  inRange(a: number, b: number): Leaf[] {
    const out: Leaf[] = [];
    for (let i = this.first(a); i < this.leaves.length && this.leaves[i].va < b; i++) out.push(this.leaves[i]);
    return out;
  }

  /** First address of [a, b) that no leaf maps, or -1. */
  firstHole(a: number, b: number): number {
    let cur = a;
    let i = this.first(a);
    while (cur < b) {
      const l = this.leaves[i];
      if (l === undefined || l.va > cur) return cur;
      cur = l.va + l.size;
      i++;
    }
    return -1;
  }

  /** End of the run of contiguously mapped pages that starts at va (va itself must be mapped). */
  mappedRunEnd(va: number, limit: number): number {
    let cur = va;
    let i = this.first(va);
    while (cur < limit) {
      const l = this.leaves[i];
      if (l === undefined || l.va > cur) break;
      cur = l.va + l.size;
      i++;
    }
    return Math.min(cur, limit);
  }

  /**
   * Splits every leaf that [a, b) covers only in part, recursively, so that
   * afterwards each leaf is either inside [a, b) or outside it. Returns false
   * (having changed nothing) when a split is impossible.
   */
  carve(a: number, b: number): boolean {
    for (const l of this.inRange(a, b)) {
      if (l.va >= a && l.va + l.size <= b) continue;
      if (!this.canCarve(l, a, b)) return false;
    }
    let i = this.first(a);
    while (i < this.leaves.length && this.leaves[i].va < b) {
      const l = this.leaves[i];
      if (l.va >= a && l.va + l.size <= b) {
        i++;
        continue;
      }
      const c = this.childSize(l.size)!;
      const kids: Leaf[] = [];
      for (let off = 0; off < l.size; off += c) kids.push({ va: l.va + off, size: c, pa: l.pa + off, perms: l.perms });
      const tail = this.leaves.splice(i);
      tail.shift();
      for (const k of kids) this.leaves.push(k);
      for (const t of tail) this.leaves.push(t);
      i = this.first(Math.max(a, l.va));
    }
    return true;
  }

  private canCarve(l: Leaf, a: number, b: number): boolean {
    const c = this.childSize(l.size);
    if (c === null) return false;
    // Only the children holding a or b are cut again.
    for (const edge of [a, b]) {
      if (edge > l.va && edge < l.va + l.size && edge % c !== 0) {
        const kid = { va: Math.floor(edge / c) * c, size: c, pa: 0, perms: l.perms };
        if (!this.canCarve(kid, a, b)) return false;
      }
    }
    return true;
  }

  /** Removes the leaves inside [a, b) (call carve first); returns the bytes they mapped. */
  remove(a: number, b: number): number {
    const i = this.first(a);
    let j = i;
    let bytes = 0;
    while (j < this.leaves.length && this.leaves[j].va < b) {
      const l = this.leaves[j];
      if (l.va < a || l.va + l.size > b) throw new Error(`model: leaf ${l.va.toString(16)} straddles the range; carve first`);
      bytes += l.size;
      j++;
    }
    this.leaves.splice(i, j - i);
    return bytes;
  }

  /** Inserts a sorted, contiguous run of leaves into a hole. */
  insertRun(run: readonly Leaf[]): void {
    if (run.length === 0) return;
    const first = run[0];
    const last = run[run.length - 1];
    const i = this.first(first.va);
    const next = this.leaves[i];
    if (next !== undefined && next.va < last.va + last.size) throw new Error(`model: overlapping insert at ${first.va.toString(16)}`);
    const tail = this.leaves.splice(i);
    for (const l of run) this.leaves.push(l);
    for (const l of tail) this.leaves.push(l);
  }

  totalBytes(): number {
    let n = 0;
    for (const l of this.leaves) n += l.size;
    return n;
  }
}

/**
 * The leaves map() must write for [va, va + bytes) -> pa: all of `size`, or
 * with size 'auto' the largest of `sizes` each step allows.
 */
export function planLeaves(va: number, pa: number, bytes: number, size: number | 'auto', sizes: readonly number[], perms: Perm5): Leaf[] {
  const out: Leaf[] = [];
  const end = va + bytes;
  let cur = va;
  let curPa = pa;
  while (cur < end) {
    let s = size;
    if (s === 'auto') {
      s = 0;
      for (const c of sizes) if (cur % c === 0 && curPa % c === 0 && end - cur >= c && c > s) s = c;
    }
    out.push({ va: cur, size: s, pa: curPa, perms });
    cur += s;
    curPa += s;
  }
  return out;
}
