import type { ArchAndMode } from '../../arch/names.js';
import { PhysicalMemory, openImage, type AddressSpace } from '../../index.js';
import { vtopLines } from '../../mm/vtop-text.js';
import { fromBase64 } from '../base64.js';
import type { ViewData } from '../data.js';

/**
 * Translations in the page, by the library itself: each image's page tables
 * (the ones the CLI found reachable from its roots) become a PhysicalMemory,
 * opened with the same arch, mode and codec options, and each column's root
 * translates with AddressSpace.translate() and prints with vtopLines(), the
 * code behind `pagewalk translate`.
 */
export class Tracer {
  private readonly spaces: AddressSpace[];

  constructor(data: ViewData) {
    const machines = data.images.map((img, i) => {
      const regions = img.tables.map((t) => {
        const bytes = fromBase64(t.bytes);
        return { base: Number(t.base), size: bytes.length, bytes };
      });
      const first = data.columns.find((c) => c.image === i)!;
      const inv = img.invalidTables;
      return openImage(new PhysicalMemory(regions, false), {
        ...({ arch: data.arch, mode: data.mode } as ArchAndMode), // the names the CLI read them by
        root: Number(first.root),
        invalidTables: inv && { pte: Number(inv.pte), pmd: Number(inv.pmd), pud: Number(inv.pud) },
        dmwBase: img.dmwBase === undefined ? undefined : Number(img.dmwBase),
      });
    });
    this.spaces = data.columns.map((c) => machines[c.image].openMm(Number(c.root), c.kind));
  }

  /** `pagewalk translate`'s output for `va` in column `c`, or the one-line error it would print. */
  trace(c: number, va: bigint): { text: string; error: boolean } {
    try {
      return { text: vtopLines(this.spaces[c].translate(va)).join('\n'), error: false };
    } catch (e) {
      return { text: `pagewalk: ${e instanceof Error ? e.message : String(e)}`, error: true };
    }
  }
}
