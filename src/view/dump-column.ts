import type { AddressSpace } from '../mm/address-space.js';
import { createDumper, rangeToJson, type PtdumpRequest } from '../ptdump/ptdump.js';
import { ptdumpWalkPgd } from '../ptdump/ptdump-walk.js';
import { parseKernelConfig } from '../ptdump/kernel-config.js';

/** One column of the view: ptdump's JSON ranges and the markers between them. */
export interface ColumnDump {
  /** `ptdump --format json`'s lines for the address space, unchanged. */
  ranges: string[];
  markers: { start: number; name: string }[];
}

const MARKER = /^---\[ (.*) \]---$/;

/**
 * Runs the arch's dumper once with both outputs: every closed range (the
 * JSON form) and the kernel text. The text is read only for its
 * `---[ name ]---` lines, because the dumpers keep their marker lists to
 * themselves: a marker is placed at the start of the next range the dumper
 * closes, which is the range the kernel text prints right after the marker
 * line (note_page() prints the marker between closing one range and opening
 * the next). So a marker sits where the kernel text shows it: where the walk
 * first reached an address at or past it. Markers the walk passed in one
 * step (an empty top-level slot spanning several) share that address, as
 * their lines share a place in the text.
 */
export function dumpColumn(mm: AddressSpace, request: PtdumpRequest): ColumnDump {
  const ranges: string[] = [];
  const markers: { start: number; name: string }[] = [];
  let pending: string[] = [];
  let lastEnd = 0;
  const config = typeof request.config === 'string' ? parseKernelConfig(request.config) : request.config;
  const st = createDumper(mm, { ...request, config }, {
    line: (text) => {
      const m = MARKER.exec(text);
      if (m !== null) pending.push(m[1]);
    },
    range: (r) => {
      for (const name of pending) markers.push({ start: r.start, name });
      pending = [];
      ranges.push(rangeToJson(r));
      lastEnd = r.end;
    },
  });
  ptdumpWalkPgd(mm, st, request.pgd, request.ranges ?? st.ranges, request.budget);
  for (const name of pending) markers.push({ start: lastEnd, name });
  return { ranges, markers };
}
