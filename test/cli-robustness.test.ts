/**
 * Issue 7 §3: for every input file and option the CLI cannot use, one line
 * on stderr, `pagewalk: <what>: <why>` naming the file (and the offset where
 * there is one), exit status 2, never a stack trace (unless
 * PAGEWALK_DEBUG=1), never a hang. Exit status 1 is reserved for checkwx
 * finding W+X pages.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { FIXTURES } from './support/fixtures.js';

function run(argv: string[], env: Record<string, string> = {}): { status: number; out: string; err: string } {
  let out = '';
  let err = '';
  const status = main(argv, { stdout: (c) => void (out += c), stderr: (c) => void (err += c), stderrIsTty: false, env });
  return { status, out, err };
}

const X86 = FIXTURES + 'x86-64-4level/tables.elf.gz';
const ARM64_CONFIG = FIXTURES + 'kernel-6.1-arm64-4k-48/config.gz';

let dir = '';
let socketServer: Server | undefined;
const at = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pagewalk-robust-'));
  writeFileSync(at('empty.elf'), new Uint8Array(0));
  mkdirSync(at('a-directory'));
  execFileSync('mkfifo', [at('fifo')]);
  writeFileSync(at('not-gzip.gz'), 'this is text, not gzip data\n');
  const elfGz = readFileSync(X86);
  writeFileSync(at('truncated.elf.gz'), elfGz.subarray(0, elfGz.length >> 1));
  // 4 MiB of zeros gzip to ~4 KiB: over a 1 MiB --max-gunzip, the inflate must stop at the limit.
  writeFileSync(at('bomb.gz'), gzipSync(new Uint8Array(4 << 20), { level: 9 }));
  writeFileSync(at('config-not-gzip.gz'), 'CONFIG_X86_64=y\n');
  writeFileSync(at('config-no-lines'), 'hello\nworld\n');
  writeFileSync(at('unreadable.elf'), 'x');
  // Crafted raw x86-64 4-level images at physical 0 (entries 0x63: P|RW|A|D, _KERNPG_TABLE).
  const table = (pointsAt: (page: number) => number, pages: number) => {
    const img = new DataView(new ArrayBuffer(pages * 4096));
    for (let p = 0; p < pages; p++) for (let i = 0; i < 512; i++) img.setUint32(p * 4096 + 8 * i, pointsAt(p) * 4096 + 0x63, true);
    return new Uint8Array(img.buffer);
  };
  writeFileSync(at('self-loop.raw'), table(() => 0, 1)); // a pgd whose 512 entries point at itself
  // pgd[0] -> pud, pud[0] -> pmd, pmd[0] -> the pgd again (its ancestor); every other entry empty.
  const loop = new DataView(new ArrayBuffer(3 * 4096));
  for (const [page, next] of [[0, 1], [1, 2], [2, 0]]) loop.setUint32(page * 4096, next * 4096 + 0x63, true);
  writeFileSync(at('ancestor-loop.raw'), new Uint8Array(loop.buffer));
  writeFileSync(at('dag.raw'), dag());
  chmodSync(at('unreadable.elf'), 0);
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer!.listen(at('socket'), resolve));
});

/** pgd -> pud -> pmd -> pte, every entry of each pointing at the next page: 512^4 leaves in 20 KiB, no loop. */
function dag(): Uint8Array {
  const img = new DataView(new ArrayBuffer(5 * 4096));
  for (let p = 0; p < 4; p++) for (let i = 0; i < 512; i++) img.setUint32(p * 4096 + 8 * i, (p + 1) * 4096 + 0x63, true);
  return new Uint8Array(img.buffer);
}

afterAll(async () => {
  await new Promise<void>((resolve) => (socketServer ? socketServer.close(() => resolve()) : resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** [case, argv (IMAGE paths relative to the scratch dir start with @), expected stderr line] */
const CASES: [string, string[], RegExp][] = [
  ['a missing file', ['leaves', '--arch', 'x86-64', '@missing.elf'], /^pagewalk: \S*missing\.elf: cannot open: no such file$/],
  ['an empty file', ['leaves', '--arch', 'x86-64', '@empty.elf'], /^pagewalk: \S*empty\.elf: empty file$/],
  ['a directory', ['ptdump', '@a-directory'], /^pagewalk: \S*a-directory: is a directory, not a dump file$/],
  ['a FIFO (would block forever if opened)', ['checkwx', '@fifo'], /^pagewalk: \S*fifo: is a FIFO, not a dump file$/],
  ['a socket', ['leaves', '@socket'], /^pagewalk: \S*socket: is a socket, not a dump file$/],
  ['a device', ['leaves', '/dev/null'], /^pagewalk: \/dev\/null: is a device, not a dump file$/],
  ['a .gz that is not gzip', ['ptdump', '@not-gzip.gz'], /^pagewalk: \S*not-gzip\.gz: named \.gz but not gzip data \(it starts 74 68 69 73, not 1f 8b\)$/],
  ['a truncated .gz', ['ptdump', '@truncated.elf.gz'], /^pagewalk: \S*truncated\.elf\.gz: truncated gzip data/],
  ['a gzip inflating beyond --max-gunzip', ['leaves', '--arch', 'x86-64', '--max-gunzip', '1048576', '@bomb.gz'], /^pagewalk: \S*bomb\.gz: gzip data inflates beyond the 1048576-byte limit/],
  ['a --config named .gz that is not gzip', ['ptdump', '--config', '@config-not-gzip.gz', X86], /^pagewalk: --config \S*config-not-gzip\.gz: named \.gz but not gzip data$/],
  ['a --config with no config line', ['ptdump', '--config', '@config-no-lines', X86], /^pagewalk: --config \S*config-no-lines: no line is a kernel config line/],
  ['a missing --config', ['ptdump', '--config', '@no-config', X86], /^pagewalk: --config \S*no-config: cannot read: no such file$/],
  ['--arch contradicting e_machine', ['ptdump', '--arch', 'arm64', X86], /^pagewalk: \S*tables\.elf\.gz: --arch arm64 contradicts the ELF header, whose e_machine is x86-64$/],
  ['--raw-base on an ELF core', ['ptdump', '--raw-base', '0x1000', X86], /^pagewalk: \S*tables\.elf\.gz: is an ELF core, whose segments say where memory is: a raw base does not apply$/],
  ['--invalid-tables off loongarch', ['ptdump', '--invalid-tables', '0x1000,0x2000', X86], /^pagewalk: --invalid-tables applies to loongarch64 only, not x86-64$/],
  ['--level-names off riscv', ['ptdump', '--level-names', 'five-level', X86], /^pagewalk: --level-names applies to riscv64 only, not x86-64$/],
  ['an unknown arch', ['ptdump', '--arch', 'vax'], /^pagewalk: unknown arch "vax": expected one of x86-64, riscv64, arm64, loongarch64$/],
  ['an unknown mode', ['ptdump', '--mode', '9level', X86], /^pagewalk: \S*tables\.elf\.gz: unknown mode "9level" for x86-64: expected one of 4level, 5level$/],
  ['an unaligned --root', ['ptdump', '--root', '0x6330001', X86], /^pagewalk: \S*tables\.elf\.gz: root 0x6330001 is not aligned to the 4096-byte top-level table$/],
  ['a --root outside the image', ['leaves', '--root', '0x1000000000', X86], /^pagewalk: \S*tables\.elf\.gz: root table at physical 0x1000000000 is not inside the memory image$/],
  ['an unaligned --range', ['leaves', '--range', '0x1001-0x2000', X86], /^pagewalk: \S*tables\.elf\.gz: cannot walk \[0x1001, 0x2000\): \[0x1001, 0x2000\) is not aligned to the 4096-byte page size$/],
  ['translate of a non-canonical address', ['translate', '0x800000000000', X86], /^pagewalk: \S*tables\.elf\.gz: va 0x800000000000 is not in \[0x0, 0x800000000000\) or \[0xffff800000000000, 0x10000000000000000\)/],
  ['--max-gunzip that is not a number', ['leaves', '--max-gunzip', 'lots', X86], /^pagewalk: --max-gunzip "lots" is not a number/],
  ['--raw-base without an IMAGE', ['leaves', '--raw-base', '0x1000'], /^pagewalk: --raw-base needs a raw IMAGE$/],
];

describe('pagewalk on input it cannot use: one line, exit status 2', () => {
  for (const [what, argv, expected] of CASES) {
    it(what, () => {
      const r = run(argv.map((s) => (s.startsWith('@') ? at(s.slice(1)) : s)));
      expect(r.status).toBe(2);
      expect(r.err.endsWith('\n')).toBe(true);
      const lines = r.err.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(expected);
      expect(r.err).not.toMatch(/^\s+at /m); // no stack frames
    });
  }

  it('an unreadable file (only checkable when not running as root)', () => {
    if (process.getuid?.() === 0) return; // root reads anything: nothing to check
    const r = run(['leaves', '--arch', 'x86-64', at('unreadable.elf')]);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/unreadable\.elf: cannot open: permission denied/);
  });

  it('PAGEWALK_DEBUG=1 adds the stack after the one line', () => {
    const r = run(['ptdump', at('a-directory')], { PAGEWALK_DEBUG: '1' });
    expect(r.status).toBe(2);
    const lines = r.err.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^pagewalk: \S*a-directory: is a directory/);
    expect(lines.slice(1).some((l) => /^\s+at /.test(l))).toBe(true);
  });

  it('--config as a real gzip-compressed .config still works (arm64 6.1 fixture)', () => {
    const r = run(['ptdump', '--config', ARM64_CONFIG, '--arch', 'arm64']);
    expect(r.status).toBe(0);
  });
});

describe('crafted tables end, with bounded work (issue 7 §2)', () => {
  const RAW = ['--arch', 'x86-64', '--mode', '4level', '--root', '0'];
  for (const command of ['ptdump', 'checkwx', 'leaves']) {
    it(`${command} of a pgd whose entries all point at itself, and of a loop through three levels: no entry followed twice`, () => {
      for (const image of ['self-loop.raw', 'ancestor-loop.raw']) {
        const r = run([command, ...RAW, at(image)]);
        expect(r.err).toBe('');
        expect(r.status).toBe(0);
      }
    });

    it(`${command} of the 512^4-leaf DAG stops at --max-entries with exit 2 and a line naming the option`, () => {
      const r = run([command, ...RAW, '--max-entries', '100000', at('dag.raw')]);
      expect(r.status).toBe(2);
      const lines = r.err.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^pagewalk: \S*dag\.raw: the walk visited more than 100000 table entries \(--max-entries\)/);
    });
  }

  it('leaves of the DAG under a budget big enough for the first pte table lists its 512 leaves first', () => {
    const r = run(['leaves', ...RAW, '--max-entries', '1000', at('dag.raw')]);
    expect(r.status).toBe(2);
    // One pgd, pud and pmd entry, then the pte table's 512 entries: each maps physical 0x4000.
    const leaves = r.out.trim().split('\n');
    expect(leaves.length).toBeGreaterThanOrEqual(512);
    expect(leaves[0]).toMatch(/^0x0000000000000000: 0x0000000000004000 +4K pte /);
  });

  it('checkwx of the self-loop reports no W+X page in the kernel\'s words (nothing is mapped: every entry is a loop)', () => {
    const r = run(['checkwx', ...RAW, at('self-loop.raw')]);
    expect(r.out).toBe('x86/mm: Checked W+X mappings: passed, no W+X pages found.\n');
  });
});

describe('exit status 1: checkwx found W+X pages, and only then', () => {
  it('a raw image whose kernel text is writable: the warning, the verdict, exit 1', async () => {
    const { createMachine } = await import('../src/index.js');
    const m = createMachine({ arch: 'x86-64', mode: '4level' });
    m.initMm.map(0xffffffff81000000, 0x200000, 0x200000, { write: true, exec: true, global: true }, { pageSize: '2M' });
    writeFileSync(at('wx.raw'), m.memory.regions[0].bytes);
    const r = run(['checkwx', '--arch', 'x86-64', '--mode', '4level', '--root', `0x${m.initMm.root.toString(16)}`, at('wx.raw')]);
    expect(r.status).toBe(1);
    expect(r.err).toBe('');
    // arch/x86/mm/dump_pagetables.c: note_wx()'s WARN text, then ptdump_walk_pgd_level_checkwx()'s pr_warn().
    expect(r.out).toBe('x86/mm: Found insecure W+X mapping at address 0xffffffff81000000\nx86/mm: Checked W+X mappings: FAILED, 512 W+X pages found.\n');
  });
});

describe('pagewalk --version and exit statuses in --help', () => {
  it('--version prints the version of package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = run(['--version']);
    expect(r.status).toBe(0);
    expect(r.out).toBe(`pagewalk ${pkg.version}\n`);
  });

  it('--help documents the exit statuses', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/Exit status: 0 success, 1 checkwx found W\+X pages, 2 an error/);
  });
});
