import { closeSync, openSync } from 'node:fs';
import { basename } from 'node:path';
import { version } from '../../../package.json';
import { lowerHalfEnd, upperHalfEnd, upperHalfStart } from '../../arch/va.js';
import { hex16 } from '../../hex.js';
import type { AddressSpace } from '../../mm/address-space.js';
import { toBase64 } from '../../view/base64.js';
import type { ViewColumn, ViewData, ViewImage } from '../../view/data.js';
import { dumpColumn } from '../../view/dump-column.js';
import { viewHtml } from '../../view/html.js';
import { pageScript } from '../../view/page-script.js';
import { reachableTables } from '../../view/table-pages.js';
import { UsageError, parseNumber } from '../args.js';
import { EXIT_OK, images, type Command, type CommandArgs } from '../command.js';
import { LineWriter, fdSink } from '../output.js';
import { MARKER_HELP, MARKER_OPTIONS, checkArchOptions, ptdumpRequest } from '../ptdump-options.js';
import { BUDGET_HELP, BUDGET_OPTIONS, withBudget } from '../budget.js';
import { TARGET_HELP, openImages, targetOptions, withImages, withTarget, type Target, type TargetOptions } from '../target.js';

const DEFAULT_FILE = 'pagewalk-view.html';

export const viewCommand: Command = {
  name: 'view',
  summary: 'an HTML map of the address space: ranges by permission, markers, vtop on click',
  usage: `pagewalk view [options] [-o FILE.html] [IMAGE...]
  One self-contained HTML page (no network; opens from file://): the address space as a zoomable map of
  ptdump's ranges coloured by effective permissions, the kernel's markers, totals per permission class,
  filters, and the translation of any address level by level, as 'pagewalk translate' prints it.
  -o FILE, --output FILE  where the page goes; '-' for standard output. Default: standard output when it
                        is not a terminal, else ./${DEFAULT_FILE} (its path is printed on standard error)
  --root PHYS           as below; repeat it for one column per root (a kernel and a process, side by side)
  --user-root PHYS      one more column: a user address space (arm64 TTBR0, loongarch PGDL); repeatable
  --range START-END     walk this range instead of the arch's (repeatable; END exclusive; every column)
  IMAGE...              several images of one arch and mode (two dumps of a kernel): their columns side by side;
                        the parts of one makedumpfile --split dump among them form one image
${MARKER_HELP}
${BUDGET_HELP}
${TARGET_HELP}`,
  options: {
    output: { value: true },
    root: { value: true, repeat: true },
    'user-root': { value: true, repeat: true },
    range: { value: true, repeat: true },
    ...MARKER_OPTIONS,
    ...BUDGET_OPTIONS,
  },
  target: true,
  run(a) {
    const { output, rest } = outputOption(a);
    const request = ptdumpRequest(a);
    const roots = [
      ...(a.options.get('root') ?? []).map((r) => ({ root: r, kind: a.options.has('user') ? 'user' : 'kernel' }) as const),
      ...(a.options.get('user-root') ?? []).map((r) => ({ root: r, kind: 'user' }) as const),
    ].map((r) => ({ ...r, pa: parseNumber(r.root, r.kind === 'user' ? '--user-root' : '--root') }));
    let view: ViewData | null = null;
    const ranges: string[][] = [];
    for (const image of imageGroups(rest, targetOptions(a.options))) {
      const target = targetOptions(a.options, { ranges: request.ranges });
      const base = roots.length === 0 ? target : { ...target, root: roots[0].root, user: roots[0].kind === 'user' };
      withTarget(image, base, (t) => {
        checkArchOptions(a, t.mm.arch.arch);
        const spaces = [t.mm, ...roots.slice(1).map((r) => t.machine.openMm(r.pa, r.kind))];
        view ??= viewData(t.mm);
        if (view.arch !== t.mm.arch.arch || view.mode !== t.mm.arch.mode) {
          throw new UsageError(`images of one arch and mode only: ${image[0]} is ${t.mm.arch.arch} ${t.mm.arch.mode}, the first ${view.arch} ${view.mode}`);
        }
        const imageIndex = view.images.length;
        view.images.push(imageData(image[0], t, spaces));
        for (const mm of spaces) {
          const column = withBudget(a, (budget) => dumpColumn(mm, { ...request, budget }));
          ranges.push(column.ranges);
          view.columns.push(columnData(image[0], imageIndex, mm, column.markers));
        }
      });
    }
    write(output, a, (emit) => viewHtml(view!, ranges, pageScript(), emit));
    return EXIT_OK;
  },
};

/** `-o FILE` (a short option the parser leaves among the words) or `--output FILE`. */
function outputOption(a: CommandArgs): { output: string | undefined; rest: string[] } {
  const words = images(a);
  const rest: string[] = [];
  let output = a.options.get('output')?.[0];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '-o') {
      if (i + 1 >= words.length) throw new UsageError('-o needs a value');
      if (output !== undefined) throw new UsageError('--output given twice');
      output = words[++i];
    } else if (words[i].startsWith('-') && words[i] !== '-') {
      throw new UsageError(`unknown option ${words[i]} (see --help)`);
    } else {
      rest.push(words[i]);
    }
  }
  return { output, rest };
}

function viewData(mm: AddressSpace): ViewData {
  return {
    format: 1,
    generator: `pagewalk ${version}`,
    arch: mm.arch.arch,
    mode: mm.arch.mode,
    pageSize: mm.pageSize,
    lower: [hex16(0), hex16(lowerHalfEnd(mm.arch))],
    upper: [hex16(upperHalfStart(mm.arch)), hex16(upperHalfEnd(mm.arch))],
    images: [],
    columns: [],
  };
}

function imageData(path: string | undefined, t: Target, spaces: AddressSpace[]): ViewImage {
  const img: ViewImage = {
    name: path === undefined ? 'demo' : basename(path),
    tables: reachableTables(spaces).map((r) => ({ base: hex16(r.base), bytes: toBase64(r.bytes) })),
  };
  // loongarch: the codec options openImage() was given, which the page needs to open the same tables.
  const codec = t.machine.codec as { invalidTables?: { pte: number; pmd: number; pud: number }; dmwBase?: number };
  if (codec.invalidTables !== undefined) {
    const inv = codec.invalidTables;
    img.invalidTables = { pte: hex16(inv.pte), pmd: hex16(inv.pmd), pud: hex16(inv.pud) };
  }
  if (codec.dmwBase !== undefined) img.dmwBase = hex16(codec.dmwBase);
  return img;
}

function columnData(path: string | undefined, image: number, mm: AddressSpace, markers: { start: number; name: string }[]): ViewColumn {
  const name = path === undefined ? 'demo' : basename(path);
  return {
    label: `${name}: ${mm.kind} root 0x${mm.root.toString(16)}`,
    image,
    root: hex16(mm.root),
    kind: mm.kind,
    markers: markers.map((m) => ({ start: hex16(m.start), name: m.name })),
  };
}

/**
 * The page to FILE, or to standard output ('-', or no -o when standard
 * output is not a terminal). The file is opened only once everything is
 * computed, so a bad image leaves no half-written page behind.
 */
function write(output: string | undefined, a: CommandArgs, html: (emit: (line: string) => void) => void): void {
  const toStdout = output === '-' || (output === undefined && process.stdout.isTTY !== true);
  if (toStdout) {
    html((line) => a.out.line(line));
    return;
  }
  const path = output ?? DEFAULT_FILE;
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw new UsageError(`-o ${path}: cannot write: ${(e as Error).message}`);
  }
  try {
    const out = new LineWriter(fdSink(fd));
    html((line) => out.line(line));
    out.flush();
  } finally {
    closeSync(fd);
  }
  if (output === undefined) a.err(`pagewalk: wrote ${path}\n`);
}

/**
 * The IMAGE arguments as images: each file its own (columns side by side),
 * except the parts of a makedumpfile --split dump, which form one image as
 * they do for every other command.
 */
function imageGroups(paths: readonly string[], o: TargetOptions): string[][] {
  if (paths.length === 0) return [[]];
  if (paths.length === 1) return [[paths[0]]];
  const parts: string[] = [];
  const singles: string[][] = [];
  for (const p of paths) {
    const isPart = withImages([p], () => {
      const d = openImages([p], o);
      try {
        return d.kdump !== null && d.kdump.header.split;
      } finally {
        d.close();
      }
    });
    if (isPart) parts.push(p);
    else singles.push([p]);
  }
  return parts.length > 0 ? [parts, ...singles] : singles;
}
