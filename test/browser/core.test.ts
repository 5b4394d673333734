/**
 * "The core runs in browsers too", proved: the package's core entry, built
 * by `npm run build`, imported as an ES module by a page in Chromium, walks,
 * dumps and translates the real fixtures exactly as it does under Node, and
 * reads the Debian core's 74,577 leaves (QEMU's `info tlb` line count,
 * test/fixtures/README.md) and the kernels' own ptdump texts.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, fixtureBytes, fixtureText } from '../support/fixtures.js';
import { NO_BROWSER, ROOT, buildPackage, launchChromium, serve, type Browser } from './chromium.js';
// @ts-expect-error plain JavaScript, shared with the page
import { CASES, runChecks } from './core-checks.js';

type Results = Record<string, { leaves: number; ptdump: string; ranges: number; rcs: number[] }> & { error?: string };

describe.skipIf(NO_BROWSER !== null)('the core entry in Chromium', () => {
  let dist = '';
  let browser: Browser | undefined;
  let server: Awaited<ReturnType<typeof serve>> | undefined;
  let inPage: Results;
  let inNode: Results;
  let errors: string[] = [];

  beforeAll(async () => {
    dist = buildPackage();
    server = await serve({ '/dist/': dist, '/fixtures/': FIXTURES, '/checks/': join(ROOT, 'test/browser') });
    browser = await launchChromium();
    const p = await browser.page();
    errors = p.errors;
    await p.page.goto(`${server.url}/checks/core.html`);
    await p.page.waitForFunction(() => 'results' in window, null, { timeout: 120_000 });
    inPage = (await p.page.evaluate(() => (window as unknown as { results: unknown }).results)) as Results;
    const pw: unknown = await import(pathToFileURL(join(dist, 'index.js')).href);
    inNode = (await runChecks(pw, async (path: string) => fixtureBytes(path))) as Results;
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  it('runs without an error in the page', () => {
    expect(inPage.error).toBeUndefined();
    expect(errors).toEqual([]);
    expect(Object.keys(inPage)).toEqual(CASES.map((c: { name: string }) => c.name));
  });

  it('gives the same walks, ptdumps (text and JSON), translations, leaves and W^X verdicts as under Node', () => {
    expect(inPage).toEqual(inNode);
  });

  it("counts the Debian core's 74,577 leaves, as QEMU's info tlb lists them", () => {
    expect(inPage['x86-64 Debian 6.1'].leaves).toBe(74577);
    expect(fixtureText('x86-64-4level/qemu-info-tlb.txt.gz').trim().split('\n')).toHaveLength(74577);
  });

  it.each([
    ['x86-64 6.1.192', 'kernel-6.1-x86-64-4level/kernel-ptdump-kernel.txt'],
    ['arm64 4k-48 6.1.192', 'kernel-6.1-arm64-4k-48/kernel-ptdump-kernel_page_tables.txt'],
    ['riscv64 sv39 6.1.192', 'kernel-6.1-riscv-sv39/kernel-ptdump-kernel_page_tables.txt'],
  ])("prints %s's ptdump as that kernel printed it", (name, text) => {
    expect(inPage[name].ptdump).toBe(fixtureText(text));
  });

  it('walks every half with return code 0', () => {
    for (const c of CASES as { name: string }[]) expect(inPage[c.name].rcs.every((rc) => rc === 0)).toBe(true);
  });
});
