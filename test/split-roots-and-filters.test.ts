/**
 * Issue 10 §3–§4: on arm64 (TTBR0/TTBR1) and loongarch (PGDL/PGDH) a root
 * translates one half, and the CLI reads it as the half the command asks
 * about; user address spaces dump their own half with no kernel markers;
 * `--filter` over effective permissions; `translate -`.
 *
 * Ground truth: the loongarch 6.12 guest's own /proc/<pid>/pagemap of the
 * process whose PGDL is 0x6274000 (test/fixtures/kernel-6.12-loongarch64-
 * 16k-3level), QEMU's `info mem` of the x86-64 CR3 (effective U and W per
 * run, test/fixtures/x86-64-4level), the arm64 fixture's root.txt (TTBR0 /
 * TTBR1), and arch/arm64/mm/ptdump.c's ptdump_walk() (a walk that starts
 * below TASK_SIZE_64 ends there).
 */
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { checkWx, forEachLeaf, loadElfCore, openImage, ptdump } from '../src/index.js';
import { FIXTURES, fixtureBytes, fixtureText } from './support/fixtures.js';

function run(argv: string[], stdin = ''): { status: number; out: string; err: string } {
  let out = '';
  let err = '';
  const status = main(argv, { stdout: (c) => void (out += c), stderr: (c) => void (err += c), stderrIsTty: false, env: {}, stdin: () => stdin });
  return { status, out, err };
}

const LOONG = 'kernel-6.12-loongarch64-16k-3level/';
const LOONG_ARGS = ['--arch', 'loongarch64', '--mode', '16k-3level', '--invalid-tables', '0x90000000005dc000,0x90000000005d8000'];
const PGDL = '0x6274000';
const ARM = 'kernel-6.1-arm64-4k-48/';
const ARM_ARGS = ['--arch', 'arm64', '--mode', '4k-48'];
const TTBR0 = '0x40c80000';
const TTBR1 = '0x40472000';

/** The guest kernel's own reading: present user pages and their physical addresses (pfn << 14, 16K pages). */
function pagemapPresent(): string[] {
  return fixtureText(LOONG + 'kernel-pagemap.txt')
    .split('\n')
    .filter((l) => / present pfn=/.test(l))
    .map((l) => {
      const [va, , , pfn] = l.split(/\s+/);
      return `${BigInt(va).toString(16)} ${(BigInt(pfn.slice(4)) << 14n).toString(16)}`;
    });
}

function leafPages(jsonLines: string): string[] {
  const out: string[] = [];
  for (const line of jsonLines.trim().split('\n')) {
    const l = JSON.parse(line) as { va: string; pa: string; size: string };
    for (let off = 0n; off < BigInt(l.size); off += 0x4000n) out.push(`${(BigInt(l.va) + off).toString(16)} ${(BigInt(l.pa) + off).toString(16)}`);
  }
  return out;
}

describe('a split root is read as the half the command asks about', () => {
  it('loongarch: --root PGDL with a lower-half --range and no --user lists exactly the pages the guest kernel\'s pagemap shows', () => {
    const r = run(['leaves', '--format', 'json', ...LOONG_ARGS, '--root', PGDL, '--range', '0x0-0x800000000000', FIXTURES + LOONG + 'tables.elf.gz']);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(leafPages(r.out)).toEqual(pagemapPresent());
  });

  it('loongarch: --user without --range walks the user half by default, with the same result', () => {
    const a = run(['leaves', '--format', 'json', ...LOONG_ARGS, '--root', PGDL, '--user', FIXTURES + LOONG + 'tables.elf.gz']);
    expect(a.status).toBe(0);
    expect(leafPages(a.out)).toEqual(pagemapPresent());
  });

  it("arm64: the issue's command (TTBR0, the lower half, no --user) works and starts in the user half", () => {
    const r = run(['leaves', ...ARM_ARGS, '--root', TTBR0, '--range', '0x0-0x1000000000000', FIXTURES + ARM + 'tables.elf.gz']);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    const vas = r.out.trim().split('\n').map((l) => BigInt(l.split(':')[0]));
    expect(vas.length).toBeGreaterThan(0);
    expect(vas.every((va) => va < 1n << 48n)).toBe(true);
    const user = run(['leaves', ...ARM_ARGS, '--root', TTBR0, '--user', FIXTURES + ARM + 'tables.elf.gz']);
    expect(user.out).toBe(r.out);
  });

  it('arm64: a lower-half address translates through TTBR0 without --user', () => {
    const r = run(['translate', ...ARM_ARGS, '--root', TTBR0, '0x400000', FIXTURES + ARM + 'tables.elf.gz']);
    expect(r.status).toBe(0);
    expect(r.out.split('\n')[1]).toMatch(/^ {2}PGD: table 0x0000000040c80000 \[ {3}0\]/);
  });

  it('ranges in both halves with one root: one line naming what to do, exit 2', () => {
    const r = run(['leaves', ...ARM_ARGS, '--root', TTBR1, '--range', '0x0-0x1000', '--range', '0xffff000000000000-0xffff000000001000', FIXTURES + ARM + 'tables.elf.gz']);
    expect(r.status).toBe(2);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/--range 0x0-0x1000 is in the user half and --range 0xffff000000000000-0xffff000000001000 in the kernel half of arm64 4k-48.*TTBR0 root.*TTBR1 root/);
    const l = run(['translate', ...LOONG_ARGS, '--root', PGDL, '0x20000', '0xffff800082008000', FIXTURES + LOONG + 'tables.elf.gz']);
    expect(l.status).toBe(2);
    expect(l.err).toMatch(/PGDL root.*PGDH root/);
  });

  it('"not inside the … half" names the other half\'s option', () => {
    const user = run(['leaves', ...ARM_ARGS, '--root', TTBR0, '--user', '--range', '0xffff000000000000-0xffff000000001000', FIXTURES + ARM + 'tables.elf.gz']);
    expect(user.status).toBe(2);
    expect(user.err).toMatch(/is not inside \[0x0, 0x1000000000000\) \(the user half of arm64 4k-48, which a TTBR0 root translates; for the kernel half .* without --user\)/);
    const kernel = run(['translate', ...ARM_ARGS, '--root', TTBR1, '--user', '0xffff800008010000', FIXTURES + ARM + 'tables.elf.gz']);
    expect(kernel.status).toBe(2);
    expect(kernel.err).toMatch(/without --user/);
  });
});

describe('user address spaces dump their own half, with no kernel markers (API and CLI)', () => {
  const { memory } = loadElfCore(fixtureBytes(ARM + 'tables.elf.gz'));
  const machine = openImage(memory, { arch: 'arm64', mode: '4k-48', root: Number(TTBR1) });
  const user = machine.openMm(Number(TTBR0), 'user');

  it("ptdump of the TTBR0 address space covers [0, TASK_SIZE_64) and carries none of the kernel's markers", () => {
    const lines: string[] = [];
    ptdump(user, (l) => lines.push(l));
    expect(lines[0]).toBe('---[ User space ]---');
    expect(lines.filter((l) => l.startsWith('---['))).toEqual(['---[ User space ]---']);
    expect(lines[1].startsWith('0x0000000000000000-')).toBe(true);
    // TASK_SIZE_64 = 1 << VA_BITS (48): ptdump_walk() ends a walk that starts below it there.
    // (The kernel's flush, note_page(st, 0, -1, 0), would print that end as 0; pagewalk prints it.)
    expect(lines[lines.length - 1]).toMatch(/^0x0000[0-9a-f]{12}-0x0001000000000000 /);
    const ranges: string[] = [];
    ptdump(user, (l) => ranges.push(l), { format: 'json' });
    expect(JSON.parse(ranges[ranges.length - 1]).end).toBe('0x0001000000000000');
    // The kernel's own dump of TTBR1 has its markers; the user dump has none of them.
    const kernelText = fixtureText(ARM + 'kernel-ptdump-kernel_page_tables.txt');
    for (const m of kernelText.split('\n').filter((l) => l.startsWith('---['))) expect(lines).not.toContain(m);
  });

  it('checkWx and forEachLeaf of the TTBR0 address space run; every leaf is a user page', () => {
    expect(checkWx(user).passed).toBe(true);
    let n = 0;
    forEachLeaf(user, (l) => {
      n++;
      expect(l.perms.user).toBe(true);
      expect(l.va).toBeLessThan(2 ** 48);
    });
    expect(n).toBeGreaterThan(0);
  });

  it('the CLI: ptdump/checkwx of a TTBR0 root with --user', () => {
    const p = run(['ptdump', ...ARM_ARGS, '--root', TTBR0, '--user', FIXTURES + ARM + 'tables.elf.gz']);
    expect(p.status).toBe(0);
    expect(p.out.split('\n')[0]).toBe('---[ User space ]---');
    expect(p.out).not.toContain('Linear Mapping');
    const c = run(['checkwx', ...ARM_ARGS, '--root', TTBR0, '--user', FIXTURES + ARM + 'tables.elf.gz']);
    expect(c.status).toBe(0);
  });
});

describe('--filter over effective permissions', () => {
  const X86 = FIXTURES + 'x86-64-4level/tables.elf.gz';
  const BOTH = ['--range', '0x0-0x800000000000', '--range', '0xffff800000000000-0x10000000000000000'];
  // QEMU's info mem: runs with equal *effective* U and W; their sizes per class.
  const infoMem = fixtureText('x86-64-4level/qemu-info-mem.txt.gz')
    .trim()
    .split('\n')
    .map((l) => {
      const [, size, perms] = l.split(' ');
      return { size: BigInt('0x' + size), perms };
    });
  const qemuBytes = (pred: (perms: string) => boolean) => infoMem.filter((r) => pred(r.perms)).reduce((a, r) => a + r.size, 0n);
  const leafBytes = (out: string) =>
    out
      .trim()
      .split('\n')
      .filter((l) => l !== '')
      .reduce((a, l) => a + BigInt((JSON.parse(l) as { size: string }).size), 0n);

  for (const [expr, pred] of [
    ['u,w', (p: string) => p === 'urw'],
    ['u,!w', (p: string) => p === 'ur-'],
    ['!u,w', (p: string) => p === '-rw'],
    ['!u', (p: string) => p.startsWith('-')],
  ] as const) {
    it(`leaves --filter ${expr} maps as many bytes as QEMU's info mem runs of that class`, () => {
      const r = run(['leaves', '--format', 'json', '--root', '0x6330000', '--filter', expr, ...BOTH, X86]);
      expect(r.status).toBe(0);
      expect(leafBytes(r.out)).toBe(qemuBytes(pred));
    });
  }

  it('ptdump --format json --filter gives present ranges of the same bytes; the JSON objects are unchanged', () => {
    const all = run(['ptdump', '--format', 'json', '--root', '0x6330000', ...BOTH, X86]);
    const filtered = run(['ptdump', '--format', 'json', '--root', '0x6330000', '--filter', 'u,w', ...BOTH, X86]);
    expect(filtered.status).toBe(0);
    expect(leafBytes(filtered.out)).toBe(qemuBytes((p) => p === 'urw'));
    const allLines = new Set(all.out.trim().split('\n'));
    for (const l of filtered.out.trim().split('\n')) expect(allLines.has(l)).toBe(true);
  });

  it('a bad expression, and --filter with the kernel text, are usage errors', () => {
    expect(run(['leaves', '--filter', 'w,q']).err).toBe('pagewalk: --filter w,q: "q" is not one of r w x u g, optionally with ! before it\n');
    expect(run(['ptdump', '--filter', 'w']).err).toMatch(/^pagewalk: --filter needs --format json/);
  });
});

describe('translate - reads addresses from standard input', () => {
  it('gives the same output as the addresses on the command line', () => {
    const X86 = FIXTURES + 'x86-64-4level/tables.elf.gz';
    const addrs = ['0xffff888000001000', '0x400000', '0xffffffff81000000'];
    const args = run(['translate', '--root', '0x6330000', ...addrs, X86]);
    const stdin = run(['translate', '--root', '0x6330000', '-', X86], `${addrs[0]}\n# a comment\n\n${addrs[1]}\n  ${addrs[2]}  \n`);
    expect(stdin.status).toBe(0);
    expect(stdin.out).toBe(args.out);
    const bad = run(['translate', '--root', '0x6330000', '-', X86], '0x1000\nzz\n');
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/standard input line 2: "zz" is not a number/);
  });
});
