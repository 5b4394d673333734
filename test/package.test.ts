/**
 * "Imported by other TypeScript projects" stays true: `npm pack` a copy of
 * the sources as a fresh clone has them (no dist/: the prepack script must
 * build it), install the tarball into a scratch project (offline: the
 * package has no dependencies), type-check consumers with tsc under
 * NodeNext resolution, run them under both `import` and `require`, and run
 * the installed `pagewalk` command.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const CONSUMER = `
import { createMachine, walkKernelPageTableRange, PagewalkError, type MmWalk, type Translation } from 'pagewalk';
const m = createMachine({ arch: 'x86-64', mode: '4level' });
m.initMm.map(0xffff888000000000, 0, 1 << 30, { write: true, global: true }, { pageSize: '2M' });
const t: Translation = m.initMm.translate(0xffff888000123456n);
let leaves = 0;
const rc: number = walkKernelPageTableRange(m.initMm, 0xffff888000000000, 0xffff888040000000, {
  pmdEntry: (e: number, w: MmWalk) => { if (w.leaf(e)) leaves++; return 0; },
});
let code = '';
try {
  // @ts-expect-error 'vax' is not an arch name: the published types catch it, the run-time check too
  createMachine({ arch: 'vax', mode: 'x' });
} catch (e) { if (e instanceof PagewalkError) code = e.code; }
console.log(JSON.stringify({ phys: t.phys!.toString(16), level: t.level, rc, leaves, code }));
`;

const EXPECTED = JSON.stringify({ phys: '123456', level: 'pmd', rc: 0, leaves: 512, code: 'EINVAL' });

describe('the packed package, installed into another TypeScript project', () => {
  let dir = '';
  let clone = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pagewalk-consumer-'));
    // What a fresh clone has (tracked sources, no dist/), with this checkout's dev dependencies.
    clone = mkdtempSync(join(tmpdir(), 'pagewalk-clone-'));
    for (const f of ['src', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsup.config.ts', 'README.md', 'LICENSE']) {
      cpSync(join(ROOT, f), join(clone, f), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    run('npm', ['pack', '--pack-destination', dir], clone);
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))!;
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(dir, tarball)], dir);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], strict: true, types: [], skipLibCheck: false },
        files: ['esm.mts', 'cjs.cts'],
      }),
    );
    writeFileSync(join(dir, 'esm.mts'), CONSUMER);
    writeFileSync(join(dir, 'cjs.cts'), CONSUMER);
  }, 180_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (clone) rmSync(clone, { recursive: true, force: true });
  });

  it('the tarball holds the built package (prepack ran on a dist-less tree)', () => {
    const files = run('tar', ['-tzf', join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz'))!)], dir).split('\n');
    for (const f of ['package/dist/index.js', 'package/dist/index.cjs', 'package/dist/index.d.ts', 'package/dist/node.js', 'package/dist/cli.js']) {
      expect(files).toContain(f);
    }
  });

  it('installs a working pagewalk command that knows its version', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    expect(run(join(dir, 'node_modules', '.bin', 'pagewalk'), ['--version'], dir).trim()).toBe(`pagewalk ${version}`);
    // The demo kernel maps no W+X page; the verdict in arch/x86/mm/dump_pagetables.c's words.
    expect(run(join(dir, 'node_modules', '.bin', 'pagewalk'), ['checkwx'], dir).trim()).toBe(
      'x86/mm: Checked W+X mappings: passed, no W+X pages found.',
    );
  }, 60_000);

  it('type-checks and compiles an ESM and a CJS consumer with tsc', () => {
    expect(() => run(process.execPath, [TSC, '-p', '.'], dir)).not.toThrow();
  }, 60_000);

  it('runs under import (ESM build)', () => {
    expect(run(process.execPath, ['esm.mjs'], dir).trim()).toBe(EXPECTED);
  });

  it('runs under require (CJS build)', () => {
    expect(run(process.execPath, ['cjs.cjs'], dir).trim()).toBe(EXPECTED);
  });

  it('does not let users import the internal walk_page_range_debug counterpart', () => {
    writeFileSync(join(dir, 'internal.mts'), `import { walkPageRangeDebug } from 'pagewalk';\nconsole.log(walkPageRangeDebug);\n`);
    writeFileSync(
      join(dir, 'tsconfig.internal.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022', 'dom'], types: [], noEmit: true }, files: ['internal.mts'] }),
    );
    let out = '';
    try {
      run(process.execPath, [TSC, '-p', 'tsconfig.internal.json'], dir);
    } catch (e) {
      out = String((e as { stdout?: string }).stdout);
    }
    expect(out).toMatch(/TS2305|has no exported member/);
    const probe = `const m = await import('pagewalk'); console.log('walkPageRangeDebug' in m);
try { await import('pagewalk/dist/index.js'); console.log('deep import allowed'); } catch (e) { console.log(e.code); }`;
    writeFileSync(join(dir, 'probe.mjs'), probe);
    expect(run(process.execPath, ['probe.mjs'], dir).trim().split('\n')).toEqual(['false', 'ERR_PACKAGE_PATH_NOT_EXPORTED']);
  }, 60_000);
});
