/**
 * `pagewalk view` pages, written by the built CLI (dist/cli.js) from the
 * real fixtures and opened from file:// in Chromium: they load without a
 * console or page error, show as many ranges as `pagewalk ptdump --format
 * json` prints, total the same bytes per permission class as those ranges
 * add up to, and show for a typed or clicked address exactly the text
 * `pagewalk translate` prints. A screenshot of each goes to the temporary
 * directory (printed), not into the repository.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RangeJson } from '../../src/view/data.js';
import { CLASSES, permClass } from '../../src/view/page/classes.js';
import { GUTTER, HEAD } from '../../src/view/page/render.js';
import { NO_BROWSER, buildPackage, launchChromium, type Browser } from './chromium.js';
import { DEBIAN, KERNEL_CASES, columnArgs, viewArgs, type ViewCase } from './fixture-cases.js';

const SHOTS = join(tmpdir(), 'pagewalk-view-screenshots');

describe.skipIf(NO_BROWSER !== null)('pagewalk view pages in Chromium', () => {
  let dist = '';
  let out = '';
  let browser: Browser | undefined;
  const files = new Map<ViewCase, string>();

  /** The built CLI: stdout, or the one-line error. */
  const cli = (...argv: string[]) => execFileSync(process.execPath, [join(dist, 'cli.js'), ...argv], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const ptdumpJson = (c: ViewCase, col: number) =>
    cli('ptdump', '--format', 'json', ...columnArgs(c, col), c.image)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as RangeJson);
  /** `pagewalk translate`'s text for each address, in order. */
  const translate = (c: ViewCase, col: number, vas: string[]) =>
    cli('translate', ...columnArgs(c, col, false).filter((a, i, all) => a !== '--range' && all[i - 1] !== '--range'), ...vas, c.image)
      .split(/(?=^VIRTUAL )/m)
      .map((t) => t.trimEnd());

  beforeAll(async () => {
    dist = buildPackage();
    out = mkdtempSync(join(tmpdir(), 'pagewalk-view-'));
    for (const c of [DEBIAN, ...KERNEL_CASES]) {
      const file = join(out, `${files.size}.html`);
      const [command, ...rest] = viewArgs(c);
      cli(command, '-o', file, ...rest);
      files.set(c, file);
    }
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    for (const dir of [dist, out]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(c: ViewCase): Promise<{ page: Page; errors: string[]; ms: number }> {
    const { page, errors } = await browser!.page();
    const t0 = Date.now();
    await page.goto('file://' + files.get(c)!);
    await page.waitForSelector('html[data-ready]', { timeout: 60_000 });
    return { page, errors, ms: Date.now() - t0 };
  }

  async function typed(page: Page, va: string): Promise<string[]> {
    await page.fill('#addr', va);
    await page.press('#addr', 'Enter');
    return page.$$eval('pre.trace', (pres) => pres.map((p) => p.textContent ?? ''));
  }

  async function shot(page: Page, name: string): Promise<void> {
    const path = join(SHOTS, `${name}.png`);
    await page.screenshot({ path });
    console.log(`pagewalk view screenshot: ${path}`);
  }

  describe('the Debian 6.1 core, 131,335 ranges over both halves of CR3 0x6330000', () => {
    let page: Page;
    let errors: string[];
    let ranges: RangeJson[];
    /** Bytes per permission class [kernel, user], as the ranges add up. */
    const expected: Record<string, [number, number]> = {};

    beforeAll(async () => {
      ({ page, errors } = await open(DEBIAN));
      ranges = ptdumpJson(DEBIAN, 0);
      for (const r of ranges) {
        if (!r.present) continue;
        const label = CLASSES[permClass(r.read, r.write, r.exec)].label;
        expected[label] ??= [0, 0];
        expected[label][r.user ? 1 : 0] += Number(BigInt(r.size));
      }
    }, 120_000);

    it('opens from file:// in a few seconds, without a console or page error', async () => {
      const { page: again, errors: errs, ms } = await open(DEBIAN);
      console.log(`pagewalk view: the 131,335-range page was ready ${ms} ms after navigation started`);
      expect(ms).toBeLessThan(20_000);
      expect(errs).toEqual([]);
      await again.close();
    }, 60_000);

    it('shows as many ranges as pagewalk ptdump --format json prints', async () => {
      expect(ranges).toHaveLength(131335); // test/fixtures/README.md, the issue
      expect(await page.getAttribute('#columns li', 'data-ranges')).toBe(String(ranges.length));
    });

    it('totals the bytes of each permission class as the ranges add up to', async () => {
      const shown = await page.$$eval('#totals table[data-column="0"] tr[data-class]', (rows) =>
        rows.map((tr) => [(tr as HTMLElement).dataset.class!, Array.from(tr.querySelectorAll('td')).slice(1).map((td) => Number(td.title.replace(/[^0-9]/g, '')))]),
      );
      expect(Object.fromEntries(shown)).toEqual(expected);
    });

    it('shows for a typed address the trace pagewalk translate prints', async () => {
      // Kernel text, the direct map unaligned, a user page (kernel-pagemap.txt), ESPfix, an unmapped kernel address.
      const vas = ['0xffffffff81000000', '0xffff888000001234', '0x401000', '0xffffff7913000000', '0xffffc90000000000'];
      const expected = translate(DEBIAN, 0, vas);
      for (let i = 0; i < vas.length; i++) expect(await typed(page, vas[i])).toEqual([expected[i]]);
    });

    it('shows for a clicked address the trace pagewalk translate prints, and the range under the pointer', async () => {
      await typed(page, '0xffffffff81234567'); // centres its page on the map
      const box = (await page.locator('#canvas').boundingBox())!;
      const at = { x: GUTTER + 40, y: HEAD + (box.height - HEAD) / 2 };
      await page.mouse.move(box.x + at.x, box.y + at.y);
      await page.mouse.down();
      await page.mouse.up();
      const trace = (await page.textContent('pre.trace'))!;
      expect(trace.split('\n')[0]).toBe('VIRTUAL 0xffffffff81234000');
      expect(await page.inputValue('#addr')).toBe('0xffffffff81234000');
      expect(trace).toBe(translate(DEBIAN, 0, ['0xffffffff81234000'])[0]);

      // Anywhere else (here, in the direct map of the whole-map view): whatever address the page says it translated, the CLI agrees.
      await page.click('#fit');
      await page.mouse.click(box.x + GUTTER + 80, box.y + HEAD + (box.height - HEAD) * 0.3);
      const other = (await page.textContent('pre.trace'))!;
      const va = /^VIRTUAL (0x[0-9a-f]{16})/.exec(other)![1];
      expect(va).not.toBe('0xffffffff81234000');
      expect(other).toBe(translate(DEBIAN, 0, [va])[0]);

      // The tooltip names the ptdump range that holds the hovered address.
      await page.mouse.move(box.x + GUTTER + 81, box.y + HEAD + (box.height - HEAD) * 0.3);
      const tip = (await page.textContent('#tip'))!;
      const hit = ranges.find((r) => BigInt(r.start) <= BigInt(va) && BigInt(va) < BigInt(r.start) + BigInt(r.size))!;
      expect(tip.split('\n')[0]).toBe(`${hit.start}-${hit.end}`);
      await shot(page, 'x86-64-debian');
    });

    it('pans the whole map, every range on screen, at a frame or so a step', async () => {
      await page.click('#fit');
      const box = (await page.locator('#canvas').boundingBox())!;
      const x = box.x + GUTTER + 60;
      const y = box.y + box.height / 2;
      await page.mouse.move(x, y);
      await page.mouse.down();
      const steps: number[] = [];
      for (let i = 1; i <= 30; i++) {
        const t0 = performance.now();
        await page.mouse.move(x, y + (i % 10) * 12);
        await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
        steps.push(performance.now() - t0);
      }
      await page.mouse.up();
      steps.sort((a, b) => a - b);
      console.log(`pagewalk view: panning the whole map: ${steps[15].toFixed(0)} ms a step (median; two frames and the round trip)`);
      expect(steps[15]).toBeLessThan(150);
    });

    it('filters: "W+X only" totals only W+X, "user only" only user ranges', async () => {
      await page.selectOption('#perm', 'wx');
      const wx = await page.$$eval('#totals table[data-column="0"] tr[data-class]', (rows) => rows.map((tr) => (tr as HTMLElement).dataset.class));
      expect(wx).toEqual(expected['W+X'] ? ['W+X'] : []);
      await page.selectOption('#perm', 'user');
      const kernelCells = await page.$$eval('#totals table[data-column="0"] tr[data-class] td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
      expect(kernelCells.length).toBeGreaterThan(0);
      expect(kernelCells.every((t) => t === '-')).toBe(true);
      await page.selectOption('#perm', 'all');
      expect(errors).toEqual([]);
    });
  });

  describe.each(KERNEL_CASES.map((c) => [c.name, c] as const))('%s', (name, c) => {
    it('opens without errors, shows each root as pagewalk ptdump does and translates as pagewalk translate does', async () => {
      const { page, errors } = await open(c);
      const counts = await page.$$eval('#columns li', (lis) => lis.map((li) => Number((li as HTMLElement).dataset.ranges)));
      expect(counts).toEqual(c.roots.map((_r, i) => ptdumpJson(c, i).length));
      for (let col = 0; col < c.roots.length; col++) {
        // The first byte of a present leaf range (unaligned by 0x123) of this column: a full walk down.
        const range = ptdumpJson(c, col).find((r) => r.present && BigInt(r.size) > 0x123n)!;
        const va = '0x' + (BigInt(range.start) + 0x123n).toString(16);
        const traces = await typed(page, va);
        expect(traces[col]).toBe(translate(c, col, [va])[0]);
      }
      expect(errors).toEqual([]);
      await shot(page, name.split(':')[0].replace(/[^a-z0-9]+/gi, '-'));
      await page.close();
    }, 120_000);
  });
});
