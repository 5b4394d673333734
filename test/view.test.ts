import type { ArchAndMode } from '../src/arch/names.js';
/**
 * `pagewalk view` under Node: what the HTML carries. The ranges must be
 * `pagewalk ptdump --format json`'s, column for column; the markers where
 * the kernels' own debugfs texts print them (test/fixtures/kernel-6.1-*);
 * the embedded tables exactly the page-table pages each fixture's core was
 * cut down to (the fixtures hold "only the page-table pages reachable from
 * the roots", test/fixtures/README.md); and translating over those tables
 * alone gives `pagewalk translate`'s text. The page itself is tested in
 * Chromium (test/browser/).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { openImage } from '../src/machine.js';
import { loadElfCore } from '../src/memory/load-image.js';
import { PhysicalMemory } from '../src/memory/physical-memory.js';
import type { Translation } from '../src/mm/translate.js';
import { vtopLines } from '../src/mm/vtop-text.js';
import { fromBase64 } from '../src/view/base64.js';
import type { RangeJson, ViewData } from '../src/view/data.js';
import { DEBIAN, KERNEL_CASES, columnArgs, viewArgs, type ViewCase } from './browser/fixture-cases.js';
import { FIXTURES, fixtureBytes, fixtureText } from './support/fixtures.js';

function run(...argv: string[]): { status: number; out: string; err: string } {
  const out: string[] = [];
  let err = '';
  const status = main(argv, { stdout: (c) => void out.push(c), stderr: (c) => void (err += c) });
  return { status, out: out.join(''), err };
}

/** The JSON of `<script type="application/json" id="ID">`. */
export function embedded<T>(html: string, id: string): T {
  const open = `<script type="application/json" id="${id}">`;
  const at = html.indexOf(open);
  if (at < 0) throw new Error(`no ${id} in the page`);
  return JSON.parse(html.slice(at + open.length, html.indexOf('</script>', at))) as T;
}

const pages = new Map<ViewCase, string>();
function page(c: ViewCase): string {
  if (!pages.has(c)) {
    const r = run(...viewArgs(c).slice(0, 1), '-o', '-', ...viewArgs(c).slice(1));
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    pages.set(c, r.out);
  }
  return pages.get(c)!;
}

const jsonLines = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as RangeJson);

describe.each([DEBIAN, ...KERNEL_CASES].map((c) => [c.name, c] as const))('pagewalk view of %s', (_name, c) => {
  it("embeds each column's ranges exactly as pagewalk ptdump --format json prints them", () => {
    const ranges = embedded<RangeJson[][]>(page(c), 'pagewalk-ranges');
    expect(ranges).toHaveLength(c.roots.length);
    c.roots.forEach((_r, i) => {
      const dump = run('ptdump', '--format', 'json', ...columnArgs(c, i), c.image);
      expect(dump.status).toBe(0);
      expect(ranges[i]).toEqual(jsonLines(dump.out));
    });
  }, 60_000);

  it("embeds exactly the fixture's page-table pages, byte for byte", () => {
    const data = embedded<ViewData>(page(c), 'pagewalk-data');
    expect(data.images).toHaveLength(1);
    const { memory } = loadElfCore(fixtureBytes(c.image.slice(FIXTURES.length)));
    const size = data.pageSize;
    const expected = new Map<number, string>();
    for (const r of memory.ranges) for (let pa = r.base; pa < r.base + r.size; pa += size) expected.set(pa, Buffer.from(memory.readBytes(pa, size)!).toString('hex'));
    // loongarch: root.txt's invalid_pmd_table and invalid_pte_table are in the core, but translate never reads them;
    // the Debian core also holds init_top_pgt (0x2a10000, README), the top table of a root this view does not show.
    if (data.arch === 'loongarch64') for (const pa of [0x5d8000, 0x5dc000]) expect(expected.delete(pa)).toBe(true);
    if (c === DEBIAN) expect(expected.delete(0x2a10000)).toBe(true);
    const got = new Map<number, string>();
    for (const t of data.images[0].tables) {
      const bytes = fromBase64(t.bytes);
      for (let off = 0; off < bytes.length; off += size) got.set(Number(t.base) + off, Buffer.from(bytes.subarray(off, off + size)).toString('hex'));
    }
    expect([...got.keys()].sort((a, b) => a - b)).toEqual([...expected.keys()].sort((a, b) => a - b));
    expect(got).toEqual(expected);
  }, 60_000);

  it('translates over the embedded tables alone as pagewalk translate does over the whole core', () => {
    const data = embedded<ViewData>(page(c), 'pagewalk-data');
    const ranges = embedded<RangeJson[][]>(page(c), 'pagewalk-ranges');
    const img = data.images[0];
    const memory = new PhysicalMemory(
      img.tables.map((t) => {
        const bytes = fromBase64(t.bytes);
        return { base: Number(t.base), size: bytes.length, bytes };
      }),
      false,
    );
    const inv = img.invalidTables;
    const m = openImage(memory, {
      ...({ arch: data.arch, mode: data.mode } as ArchAndMode),
      root: Number(data.columns[0].root),
      invalidTables: inv && { pte: Number(inv.pte), pmd: Number(inv.pmd), pud: Number(inv.pud) },
    });
    data.columns.forEach((col, i) => {
      const mm = m.openMm(Number(col.root), col.kind);
      // Every range's first byte and a byte inside it (a sample of the 131,335 of the Debian core), canonical ones only.
      const step = Math.max(1, Math.floor(ranges[i].length / 400));
      const vas = ranges[i]
        .filter((_r, k) => k % step === 0)
        .flatMap((r) => [BigInt(r.start), BigInt(r.start) + 0x123n])
        .filter((va) => {
          try {
            mm.translate(va);
            return true;
          } catch {
            return false;
          }
        });
      expect(vas.length).toBeGreaterThan(10);
      const ours = vas.map((va) => vtop(mm.translate(va)));
      const cli = run('translate', ...columnArgs(c, i, false).filter((a) => a !== '--range' && !a.startsWith('0x0-')), ...vas.map((v) => '0x' + v.toString(16)), c.image);
      expect(cli.err).toBe('');
      expect(ours.join('')).toBe(cli.out);
    });
  }, 60_000);
});

const vtop = (t: Translation) => vtopLines(t).join('\n') + '\n';

/** `---[ name ]---` lines of a kernel text with the start of the range line that follows each (if one does). */
function textMarkers(text: string): { name: string; next: number | null; prev: number | null }[] {
  const lines = text.split('\n');
  const rangeStart = (l: string | undefined) => {
    const m = /^0x([0-9a-f]{16})-0x([0-9a-f]{16})/.exec(l ?? '');
    return m === null ? null : Number(BigInt('0x' + m[1]));
  };
  const out: { name: string; next: number | null; prev: number | null }[] = [];
  let prev: number | null = null;
  lines.forEach((l, i) => {
    const m = /^---\[ (.*) \]---$/.exec(l);
    if (m !== null) out.push({ name: m[1], next: rangeStart(lines[i + 1]), prev });
    const s = rangeStart(l);
    if (s !== null) prev = s;
  });
  return out;
}

describe("markers sit where the kernels' own ptdump text prints them", () => {
  const texts: [ViewCase, string, 'exact' | 'between'][] = [
    [KERNEL_CASES[0], 'kernel-6.1-x86-64-4level/kernel-ptdump-kernel.txt', 'exact'],
    [KERNEL_CASES[1], 'kernel-6.1-arm64-4k-48/kernel-ptdump-kernel_page_tables.txt', 'exact'],
    // riscv prints present ranges only: a marker lies between the printed lines around it.
    [KERNEL_CASES[2], 'kernel-6.1-riscv-sv39/kernel-ptdump-kernel_page_tables.txt', 'between'],
  ];
  it.each(texts.map(([c, file, how]) => [file, c, how] as const))('%s', { timeout: 60_000 }, (file, c, how) => {
    const markers = embedded<ViewData>(page(c), 'pagewalk-data').columns[0].markers.map((m) => ({ name: m.name, start: Number(m.start) }));
    const kernel = textMarkers(fixtureText(file));
    expect(markers.map((m) => m.name)).toEqual(kernel.map((k) => k.name));
    markers.forEach((m, i) => {
      const k = kernel[i];
      if (how === 'exact' && k.next !== null) expect([m.name, m.start]).toEqual([k.name, k.next]);
      if (how === 'between') {
        if (k.next !== null) expect(m.start).toBeLessThanOrEqual(k.next);
        if (k.prev !== null) expect(m.start).toBeGreaterThan(k.prev);
      }
    });
  });
});

describe('pagewalk view on the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pagewalk-view-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const small = KERNEL_CASES[2];

  it('-o FILE writes the page there and nothing to standard output', () => {
    const file = join(dir, 'riscv.html');
    const r = run('view', '-o', file, ...viewArgs(small).slice(1));
    expect([r.status, r.out, r.err]).toEqual([0, '', '']);
    const html = readFileSync(file, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toBe(page(small));
  }, 60_000);

  it('keeps a marker named </script> inside its JSON (the page has exactly its three script elements)', () => {
    const r = run('view', '-o', '-', '--arch', 'riscv64', '--marker', '0xffffffc000000000=</script><b>x', '--marker', '0xffffffff80000000=K');
    expect(r.status).toBe(0);
    expect(r.out.match(/<\/script>/g)).toHaveLength(3);
    expect(embedded<ViewData>(r.out, 'pagewalk-data').columns[0].markers.map((m) => m.name)).toContain('</script><b>x');
  });

  it.each([
    [['view', '-o'], /-o needs a value/],
    [['view', '-x'], /unknown option -x/],
    [['view', '-o', '-', '--output', 'a.html'], /--output given twice/],
    [['view', '--root', 'zz', small.image], /--root "zz" is not a number/],
    [['view', '-o', '/nonexistent/dir/v.html', '--arch', 'riscv64'], /-o \/nonexistent\/dir\/v.html: cannot write/],
  ])('%j fails with one line on stderr and exit status 2', (argv, message) => {
    const r = run(...argv);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.trim().split('\n')).toHaveLength(1);
  });

  it('several images of one arch and mode: a column each (roots from VMCOREINFO), as ptdump dumps each', () => {
    const other = FIXTURES + 'kernel-6.1-x86-64-4level/tables.elf.gz';
    const r = run('view', '-o', '-', DEBIAN.image, other);
    expect(r.err).toBe('');
    const data = embedded<ViewData>(r.out, 'pagewalk-data');
    expect(data.columns.map((col) => [col.image, col.root])).toEqual([
      [0, '0x0000000002a10000'], // SYMBOL(init_top_pgt) of each core's VMCOREINFO (README, root.txt)
      [1, '0x000000000181e000'],
    ]);
    const ranges = embedded<RangeJson[][]>(r.out, 'pagewalk-ranges');
    expect(ranges[0]).toEqual(jsonLines(run('ptdump', '--format', 'json', DEBIAN.image).out));
    expect(ranges[1]).toEqual(jsonLines(run('ptdump', '--format', 'json', other).out));
  }, 60_000);
});
