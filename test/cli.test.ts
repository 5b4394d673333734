/**
 * The `pagewalk` CLI, run in-process (src/cli/main.ts) on the real fixtures
 * and on the embedded demo. Expected values come from QEMU's own readings of
 * the same tables (info mem / info tlb), the guest kernel's pagemap and
 * ptdump text, and that kernel's boot-time W+X verdict.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { FIXTURES, fixtureText, qemuInfoTlb } from './support/fixtures.js';

function run(...argv: string[]): { status: number; out: string; err: string; chunks: number } {
  let out = '';
  let err = '';
  let chunks = 0;
  const status = main(argv, {
    stdout: (c) => {
      out += c;
      chunks++;
    },
    stderr: (c) => {
      err += c;
    },
  });
  return { status, out, err, chunks };
}

const DEBIAN = FIXTURES + 'x86-64-4level/tables.elf.gz';
const BOTH_HALVES = ['--range', '0x0-0x800000000000', '--range', '0xffff800000000000-0x10000000000000000'];

describe('pagewalk CLI on the Debian 6.1 x86-64 fixture', () => {
  it('ptdump --format json, reduced to QEMU info mem\'s shape, equals qemu-info-mem.txt line for line', () => {
    const { status, out } = run('ptdump', '--format', 'json', '--root', '0x6330000', ...BOTH_HALVES, DEBIAN);
    expect(status).toBe(0);
    // info mem (target/i386/monitor.c mem_info_la48): runs of present leaves with equal effective U and W.
    const runs: { start: bigint; end: bigint; u: boolean; w: boolean }[] = [];
    for (const line of out.trim().split('\n')) {
      const r = JSON.parse(line) as { start: string; size: string; present: boolean; user: boolean; write: boolean };
      if (!r.present) continue;
      const start = BigInt(r.start);
      const end = start + BigInt(r.size);
      const last = runs[runs.length - 1];
      if (last && last.end === start && last.u === r.user && last.w === r.write) last.end = end;
      else runs.push({ start, end, u: r.user, w: r.write });
    }
    const qemu = fixtureText('x86-64-4level/qemu-info-mem.txt.gz')
      .trim()
      .split('\n')
      .map((l) => {
        const [range, size, perms] = l.split(' ');
        const start = BigInt('0x' + range.split('-')[0]);
        return `${start.toString(16)} ${(start + BigInt('0x' + size)).toString(16)} ${perms}`; // README: take start + size
      });
    const ours = runs.map((r) => `${r.start.toString(16)} ${r.end.toString(16)} ${r.u ? 'u' : '-'}r${r.w ? 'w' : '-'}`);
    expect(ours.length).toBe(65650);
    expect(ours).toEqual(qemu);
  });

  it('leaves equals QEMU info tlb leaf for leaf (address, physical address, size, the leaf\'s G/D/A bits)', () => {
    const { status, out } = run('leaves', '--format', 'json', '--root', '0x6330000', DEBIAN);
    expect(status).toBe(0);
    const ours = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { va: string; pa: string; size: string; global: boolean; accessed: boolean; dirty: boolean })
      .map((l) => `${BigInt(l.va).toString(16)} ${BigInt(l.pa).toString(16)} ${BigInt(l.size).toString(16)} ${l.global ? 'G' : '-'}${l.dirty ? 'D' : '-'}${l.accessed ? 'A' : '-'}`);
    const qemu = qemuInfoTlb('x86-64-4level/qemu-info-tlb.txt.gz').map(
      (l) => `${l.va.toString(16)} ${l.pa.toString(16)} ${l.flags[2] === 'P' ? '200000' : '1000'} ${l.flags[1]}${l.flags[3]}${l.flags[4]}`,
    );
    expect(ours.length).toBe(74577);
    expect(ours).toEqual(qemu);
  });

  it("the user half's leaves agree with the guest kernel's /proc/<pid>/pagemap", () => {
    const { out } = run('leaves', '--root', '0x6330000', '--range', '0x0-0x800000000000', '--format', 'json', DEBIAN);
    const ours = new Map(
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { va: string; pa: string })
        .map((l) => [BigInt(l.va), BigInt(l.pa) >> 12n] as const),
    );
    let present = 0;
    for (const line of fixtureText('x86-64-4level/kernel-pagemap.txt').split('\n')) {
      if (!line.startsWith('0x')) continue;
      const [va, entry] = line.split(/\s+/).slice(0, 2).map((x) => BigInt(x));
      if (((entry >> 63n) & 1n) === 0n) continue; // Documentation/admin-guide/mm/pagemap.rst: bit 63 present
      present++;
      expect(ours.get(va)).toBe(entry & ((1n << 55n) - 1n)); // bits 0-54: PFN
    }
    expect(present).toBeGreaterThan(100);
  });

  it('checkwx of init_top_pgt passes in the kernel\'s own words; the root comes from VMCOREINFO', () => {
    // That kernel's boot log: "x86/mm: Checked W+X mappings: passed, no W+X pages found."
    const explicit = run('checkwx', '--root', '0x2a10000', DEBIAN);
    expect(explicit).toMatchObject({ status: 0, out: 'x86/mm: Checked W+X mappings: passed, no W+X pages found.\n' });
    // SYMBOL(init_top_pgt)=ffffffff82a10000, NUMBER(phys_base)=0: root 0x2a10000 without --root or --arch/--mode.
    expect(run('checkwx', DEBIAN)).toEqual(explicit);
  });

  it('translate prints the levels like vtop and the result', () => {
    const { status, out } = run('translate', '--root', '0x6330000', '0xffff888000001234', DEBIAN);
    expect(status).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toBe('VIRTUAL 0xffff888000001234');
    expect(lines[1]).toMatch(/^ {2}PGD: table 0x0000000006330000 \[ 273\]/); // pgd index 273 (issue text)
    // qemu-info-tlb.txt: ffff888000001000: 0000000000001000 XG-DA---W
    expect(lines[lines.length - 1]).toBe('  PHYSICAL 0x0000000000001234  4K pte leaf, effective -rw-gad');
  });

  it('streams a 65,000-range dump in 64 KiB chunks', () => {
    const { out, chunks } = run('ptdump', '--format', 'json', '--root', '0x6330000', DEBIAN);
    expect(out.split('\n').length).toBeGreaterThan(65000);
    expect(chunks).toBeGreaterThan(out.length / 70000);
  });
});

describe('pagewalk ptdump reproduces the 6.1 kernels\' own debugfs text byte for byte', () => {
  const cases = [
    ['kernel-6.1-x86-64-4level', 'kernel-ptdump-kernel.txt', []], // root from VMCOREINFO (SYMBOL(init_top_pgt))
    ['kernel-6.1-arm64-4k-48', 'kernel-ptdump-kernel_page_tables.txt', ['--arch', 'arm64', '--mode', '4k-48', '--root', '0x40472000']],
    ['kernel-6.1-riscv-sv39', 'kernel-ptdump-kernel_page_tables.txt', ['--arch', 'riscv64', '--mode', 'sv39', '--root', '0x80c9e000', '--base', '_end=0xffffffff80acf000']],
  ] as const;
  for (const [dir, text, args] of cases) {
    it(dir, () => {
      const { status, out, err } = run('ptdump', '--config', `${FIXTURES}${dir}/config.gz`, ...args, `${FIXTURES}${dir}/tables.elf.gz`);
      expect(err).toBe('');
      expect(status).toBe(0);
      expect(out).toBe(fixtureText(`${dir}/${text}`));
    });
  }
});

describe('pagewalk CLI without an image: the embedded demo', () => {
  for (const arch of ['x86-64', 'riscv64', 'arm64', 'loongarch64']) {
    it(`${arch}: ptdump, leaves, translate and checkwx run`, () => {
      const dump = run('ptdump', '--arch', arch);
      expect(dump.status).toBe(0);
      expect(dump.out).toMatch(/^---\[ /);
      const leaves = run('leaves', '--arch', arch, '--format', 'json');
      expect(leaves.status).toBe(0);
      const first = JSON.parse(leaves.out.split('\n')[0]) as Record<string, unknown>;
      expect(Object.keys(first)).toEqual(['va', 'size', 'pa', 'level', 'raw', 'user', 'read', 'write', 'exec', 'global', 'accessed', 'dirty']);
      expect(run('translate', '--arch', arch, '--format', 'json', String(first.va)).out).toContain('"mapped":true');
      expect(run('checkwx', '--arch', arch).status).toBe(0);
    });
  }
});

describe('pagewalk CLI misuse: one clear line on stderr, exit status 2', () => {
  const cases: [string[], RegExp, number][] = [
    [[], /usage: pagewalk/, 2],
    [['frobnicate'], /unknown command "frobnicate"/, 2],
    [['ptdump', '--frobnicate'], /unknown option --frobnicate/, 2],
    [['ptdump', '--format', 'xml'], /--format xml: expected kernel or json/, 2],
    [['translate', '0xzz'], /VADDR "0xzz" is not a number/, 2],
    [['leaves', '--range', '0x2000-0x1000'], /start must be below end/, 2],
    [['leaves', '/nonexistent/dump.elf'], /\/nonexistent\/dump.elf: cannot open: no such file/, 2],
    [['ptdump', '--arch', 'vax'], /unknown arch "vax"/, 2],
    [['ptdump', '--arch', 'arm64', '--mode', '64k-42'], /demo address space of arm64 is in mode 4k-48/, 2],
    [['ptdump', '--root', '0x1000', FIXTURES + 'kernel-6.1-arm64-4k-48/config.gz'], /--arch is needed/, 2],
  ];
  for (const [argv, message, status] of cases) {
    it(argv.join(' ') || '(no arguments)', () => {
      const r = run(...argv);
      expect(r.status).toBe(status);
      const text = argv.length === 0 ? r.out : r.err;
      expect(text).toMatch(message);
      if (argv.length > 0) expect(r.err.trim().split('\n')).toHaveLength(1);
    });
  }

  it('--help works for every command', () => {
    for (const c of ['ptdump', 'checkwx', 'leaves', 'translate']) {
      const r = run(c, '--help');
      expect(r.status).toBe(0);
      expect(r.out).toContain(`pagewalk ${c}`);
    }
  });
});
