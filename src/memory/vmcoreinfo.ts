import { CACHE_BASE } from '../arch/loongarch64.js';
import type { ArchName } from '../arch/types.js';

/** What a VMCOREINFO note tells about the kernel's page tables. */
export interface KernelTablesInfo {
  /** Physical address of the kernel's top-level table, when the note allows computing it. */
  root: number | null;
  /** How `root` was computed (for messages), or why it could not be. */
  rootFrom: string;
  /** The paging mode, when the note names it. */
  mode: string | null;
}

/** __START_KERNEL_map (arch/x86/include/asm/page_64_types.h). */
const X86_START_KERNEL_MAP = 0xffffffff80000000n;
/** CACHE_BASE, the cached direct-mapped window, as a bigint. */
const LOONGARCH_CACHE_BASE = BigInt(CACHE_BASE);

/** A SYMBOL(...) value (hex without 0x) as a bigint, or null. */
function symbol(info: Map<string, string>, name: string): bigint | null {
  const v = info.get(`SYMBOL(${name})`);
  return v !== undefined && /^[0-9a-fA-F]+$/.test(v) ? BigInt('0x' + v) : null;
}

/** A NUMBER(...) value (decimal, or 0x hex as arm64/riscv print some), or null. */
function number(info: Map<string, string>, name: string): bigint | null {
  const v = info.get(`NUMBER(${name})`);
  if (v === undefined) return null;
  if (/^-?\d+$/.test(v)) return BigInt(v);
  if (/^0x[0-9a-fA-F]+$/i.test(v)) return BigInt(v);
  return null;
}

const MASK64 = (1n << 64n) - 1n;

/**
 * The kernel's top-level table and paging mode from VMCOREINFO, as crash
 * and makedumpfile find them:
 * - x86-64: __pa_symbol(init_top_pgt) = SYMBOL(init_top_pgt) -
 *   __START_KERNEL_map + NUMBER(phys_base); 5-level when
 *   NUMBER(pgtable_l5_enabled) is 1;
 * - arm64: SYMBOL(swapper_pg_dir) - NUMBER(kimage_voffset); mode from
 *   NUMBER(VA_BITS) and PAGESIZE;
 * - riscv64: SYMBOL(swapper_pg_dir) - NUMBER(va_kernel_pa_offset);
 * - loongarch64: SYMBOL(swapper_pg_dir) minus the cached DMW window base.
 */
export function kernelTablesFromVmcoreinfo(info: Map<string, string>, arch: ArchName): KernelTablesInfo {
  const pageSize = info.get('PAGESIZE');
  const fail = (why: string, mode: string | null = null): KernelTablesInfo => ({ root: null, rootFrom: why, mode });
  const done = (pa: bigint, from: string, mode: string | null): KernelTablesInfo => {
    const v = pa & MASK64;
    return v < 1n << 53n ? { root: Number(v), rootFrom: from, mode } : fail(`${from} gives ${v.toString(16)}, not a physical address`, mode);
  };
  switch (arch) {
    case 'x86-64': {
      const l5 = number(info, 'pgtable_l5_enabled');
      const mode = l5 === null ? null : l5 === 1n ? '5level' : '4level';
      const sym = symbol(info, 'init_top_pgt');
      const physBase = number(info, 'phys_base');
      if (sym === null || physBase === null) return fail('VMCOREINFO lacks SYMBOL(init_top_pgt) or NUMBER(phys_base)', mode);
      return done(sym - X86_START_KERNEL_MAP + physBase, 'SYMBOL(init_top_pgt) - __START_KERNEL_map + NUMBER(phys_base)', mode);
    }
    case 'arm64': {
      const vaBits = number(info, 'VA_BITS');
      const granule = pageSize === '4096' ? '4k' : pageSize === '16384' ? '16k' : pageSize === '65536' ? '64k' : null;
      const mode = vaBits !== null && granule !== null ? `${granule}-${vaBits}` : null;
      const sym = symbol(info, 'swapper_pg_dir');
      const voff = number(info, 'kimage_voffset');
      if (sym === null || voff === null) return fail('VMCOREINFO lacks SYMBOL(swapper_pg_dir) or NUMBER(kimage_voffset)', mode);
      return done(sym - voff, 'SYMBOL(swapper_pg_dir) - NUMBER(kimage_voffset)', mode);
    }
    case 'riscv64': {
      const sym = symbol(info, 'swapper_pg_dir');
      const off = number(info, 'va_kernel_pa_offset');
      if (sym === null || off === null) return fail('VMCOREINFO lacks SYMBOL(swapper_pg_dir) or NUMBER(va_kernel_pa_offset)');
      return done(sym - off, 'SYMBOL(swapper_pg_dir) - NUMBER(va_kernel_pa_offset)', null);
    }
    case 'loongarch64': {
      const sym = symbol(info, 'swapper_pg_dir');
      if (sym === null || sym >> 60n !== LOONGARCH_CACHE_BASE >> 60n) return fail('VMCOREINFO lacks SYMBOL(swapper_pg_dir) in the cached window');
      return done(sym - LOONGARCH_CACHE_BASE, 'SYMBOL(swapper_pg_dir) - CACHE_BASE', null);
    }
  }
}
