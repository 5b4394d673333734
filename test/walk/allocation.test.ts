/**
 * No allocation per visited entry (issue 8): the bundled library (built here
 * as tsup builds the package, module constants and all) walks each scenario
 * in a child process of its own, so the walker has seen only that ops object
 * (the "mono" call-site state, where V8 inlines the callback and a boxed
 * loop variable shows), and the child reports the young-generation bytes
 * allocated per visited entry. A byte count, not a timing: a regression
 * that boxes a number per entry reads 16.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const child = fileURLToPath(new URL('./alloc-child.mjs', import.meta.url));
let out = '';

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'pagewalk-alloc-'));
  const { build } = await import('tsup');
  await build({
    config: false,
    entry: { index: join(root, 'src/index.ts') },
    outDir: out,
    format: ['esm'],
    target: 'es2022',
    platform: 'node',
    minifySyntax: true, // as tsup.config.ts builds the package
    dts: false,
    sourcemap: false,
    silent: true,
  });
}, 120_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

function bytesPerEntry(scenario: string): number {
  const text = execFileSync(process.execPath, ['--expose-gc', '--max-semi-space-size=128', '--min-semi-space-size=128', child, join(out, 'index.js'), scenario], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const r = JSON.parse(text.trim().split('\n').at(-1)!) as { bytesPerEntry: number | null };
  if (r.bytesPerEntry === null) throw new Error(`${scenario}: a GC ran in every window; no measurement`);
  return r.bytesPerEntry;
}

describe('young-generation bytes per visited entry < 1 (mono call sites, bundled build)', () => {
  const accessors = ['lo', 'hi', 'none', 'present', 'leaf', 'pfn', 'phys', 'present+pfn', 'lo+hi+leaf'];
  for (const scenario of [...accessors.map((a) => `pteEntry-${a}`), 'pteRange', 'huge-2m', 'sparse-holes']) {
    it(scenario, () => {
      expect(bytesPerEntry(scenario)).toBeLessThan(1);
    }, 120_000);
  }
});
