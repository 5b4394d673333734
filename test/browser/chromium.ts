/**
 * What the browser tests share: Debian's Chromium driven by playwright-core,
 * a fresh build of the package, and a localhost server for it.
 *
 * The machine reaches nothing but the npm and Debian registries, so Chromium
 * runs with everything that would phone home switched off, in a profile of
 * its own. Only /usr/bin/chromium (Debian's package, which .ci/run
 * installs) is used: playwright never downloads a browser here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export const NO_BROWSER: string | null = existsSync(CHROMIUM)
  ? null
  : `${CHROMIUM} not found: browser tests skipped (install Debian's package: apt-get install -y chromium; .ci/run does)`;
if (NO_BROWSER !== null) console.warn(`pagewalk: ${NO_BROWSER}`);

const FLAGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  /** A new page that records console errors and uncaught exceptions in `errors`. */
  page(): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'pagewalk-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 900 },
  });
  return {
    context,
    async page() {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      return { page, errors };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * `npm run build` into a directory of its own: test/package.test.ts builds
 * dist/ at the same time, and tsup cleans its output directory first. No
 * .d.ts: a browser does not read them.
 */
export function buildPackage(): string {
  const out = mkdtempSync(join(tmpdir(), 'pagewalk-build-'));
  execFileSync('npm', ['run', 'build', '--', '--out-dir', out, '--no-dts', '--silent'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  return out;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json',
};

/** Serves files under URL prefixes ({ '/dist/': dir }) on 127.0.0.1; everything else is a 404. */
export async function serve(mounts: Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const prefix = Object.keys(mounts).find((p) => path.startsWith(p));
    const file = prefix === undefined ? null : resolve(mounts[prefix], path.slice(prefix.length));
    if (file === null || !file.startsWith(resolve(mounts[prefix!]) + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
