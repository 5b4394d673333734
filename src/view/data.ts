import type { ArchName } from '../arch/types.js';

/**
 * What `pagewalk view` embeds in its HTML page beside the ranges, as JSON in
 * `<script type="application/json" id="pagewalk-data">`. The ranges
 * themselves are `ptdump --format json`'s objects, one array per column, in
 * `<script type="application/json" id="pagewalk-ranges">`.
 *
 * Addresses are strings as ptdump's JSON writes them (`0x` + 16 hex digits),
 * so that the file reads the same to a person and to the page.
 */
export interface ViewData {
  /** Bumped when the shape changes. */
  format: 1;
  /** What made the page (`pagewalk 0.1.0`). */
  generator: string;
  arch: ArchName;
  mode: string;
  /** Base page size, bytes (4 KiB, 16 KiB, 64 KiB). */
  pageSize: number;
  /** The canonical halves [start, end): the map shows both, the hole between them collapsed. */
  lower: [string, string];
  upper: [string, string];
  images: ViewImage[];
  /** One column of the map per root, in the order given. */
  columns: ViewColumn[];
}

/** One memory image: what the page needs to open it with the library and translate in it. */
export interface ViewImage {
  /** The IMAGE argument's file name, or `demo`. */
  name: string;
  /** loongarch64: the codec's invalid_{pte,pmd,pud}_table kernel VAs and direct-map window base. */
  invalidTables?: { pte: string; pmd: string; pud: string };
  dmwBase?: string;
  /**
   * Every page table translate() can read from this image's roots, as
   * physically contiguous runs: physical base and the bytes, base64. The
   * page builds a PhysicalMemory of exactly these, so a typed address walks
   * the same entries the CLI walks.
   */
  tables: { base: string; bytes: string }[];
}

export interface ViewColumn {
  /** What the column header says: image, root and kind. */
  label: string;
  /** Index into ViewData.images. */
  image: number;
  root: string;
  kind: 'kernel' | 'user';
  /**
   * The dumper's `---[ name ]---` markers, each at the start of the range
   * the kernel text prints after it (see src/view/dump-column.ts).
   */
  markers: { start: string; name: string }[];
}

/** One object of `ptdump --format json` (src/ptdump/ptdump.ts rangeToJson). */
export interface RangeJson {
  start: string;
  end: string;
  size: string;
  level: string;
  present: boolean;
  user: boolean;
  read: boolean;
  write: boolean;
  exec: boolean;
  global: boolean;
  phys: string | null;
  flags: string[];
}
