/**
 * Issue 7 §4: the API refuses what it cannot do exactly, naming the
 * parameter: addresses a `number` cannot hold, misspelt option keys, wrong
 * types. Expected values come from IEEE 754 (a double has 53 significant
 * bits, so above 2^53 it holds only multiples of a power of two) and from
 * the messages' own promise to name the thing that exists.
 */
import { describe, expect, it } from 'vitest';
import { PagewalkError, checkWx, createMachine, loadElfCore, openImage, parseKernelConfig, ptdump } from '../src/index.js';
import { fixtureBytes, fixtureText } from './support/fixtures.js';

function codeOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof PagewalkError) return { code: e.code, message: e.message };
    return { code: `not a PagewalkError: ${String(e)}`, message: '' };
  }
  return { code: 'no error', message: '' };
}

const X86_ELF = fixtureBytes('x86-64-4level/tables.elf.gz');

function x86(): ReturnType<typeof createMachine> {
  const m = createMachine({ arch: 'x86-64', mode: '4level' });
  m.initMm.map(0xffff888000000000, 0, 1 << 30, { write: true, global: true }, { pageSize: '2M' });
  return m;
}

describe('addresses given as numbers must be exact', () => {
  it('translate(0xffff888000123456) is refused: the literal reached pagewalk as 0xffff888000123800', () => {
    // 0xffff888000123456 lies in [2^63, 2^64), where doubles are 2^11 = 2048 apart: it rounds to ...123800.
    expect(0xffff888000123456).toBe(0xffff888000123800);
    const r = codeOf(() => x86().initMm.translate(0xffff888000123456));
    expect(r.code).toBe('EINVAL');
    expect(r.message).toMatch(/va 0xffff888000123800 is not an exact number.*pass a bigint/);
  });

  it('the same address as a bigint translates exactly; page-aligned numbers above 2^53 are fine', () => {
    const mm = x86().initMm;
    expect(mm.translate(0xffff888000123456n).phys).toBe(0x123456n);
    expect(mm.translate(0xffff888000123000).phys).toBe(0x123000n);
    expect(mm.translate(0x1000000).mapped).toBe(false); // a safe integer in the lower half: exact
  });

  it('map/unmap/protect refuse an inexact va before anything changes', () => {
    const mm = x86().initMm;
    expect(codeOf(() => mm.unmap(0xffff888000000800 + 0, 4096))).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/not an exact number/) });
    expect(codeOf(() => mm.protect(0xffff888000000800, 4096, { write: false }))).toMatchObject({ code: 'EINVAL' });
    expect(mm.translate(0xffff888000000000n).perms?.write).toBe(true); // unchanged
  });

  it('a non-number, non-bigint address names the parameter', () => {
    const mm = x86().initMm;
    expect(codeOf(() => mm.translate('0x1000' as unknown as number))).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/^va \(a string\) must be an integer or a bigint/) });
    expect(codeOf(() => mm.map(null as unknown as number, 0, 4096, {}))).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/^va \(a object\)/) });
  });
});

describe('options objects refuse unknown keys', () => {
  it('map(…, { pagesize }) is a typo, not a 4K mapping', () => {
    const mm = x86().initMm;
    const r = codeOf(() => mm.map(0xffffc90000000000, 0x200000, 0x200000, {}, { pagesize: '2M' } as never));
    expect(r).toEqual({ code: 'EINVAL', message: 'unknown map() options key "pagesize": expected pageSize, replace' });
    expect(mm.translate(0xffffc90000000000n).mapped).toBe(false);
  });

  it('ptdump(mm, f, { fromat }) and checkWx(mm, { fromat })', () => {
    const mm = x86().initMm;
    expect(codeOf(() => ptdump(mm, () => {}, { fromat: 'json' } as never)).message).toMatch(/^unknown ptdump\(\) options key "fromat": expected format, /);
    expect(codeOf(() => checkWx(mm, { format: 'json' } as never)).message).toMatch(/^unknown checkWx\(\) options key "format"/);
  });

  it('createMachine, openImage and loadElfCore options', () => {
    expect(codeOf(() => createMachine({ arch: 'x86-64', mode: '4level', rams: [] } as never)).message).toMatch(/^unknown createMachine\(\) options key "rams"/);
    const { memory } = loadElfCore(X86_ELF);
    expect(codeOf(() => openImage(memory, { arch: 'x86-64', mode: '4level', root: 0x6330000, pgd: 1 } as never)).message).toMatch(/^unknown openImage\(\) options key "pgd"/);
    expect(codeOf(() => loadElfCore(X86_ELF, { writeable: true } as never)).message).toMatch(/^unknown loadElfCore\(\) options key "writeable": expected writable/);
  });

  it('PhysicalMemory.fromRaw and create, loadDump, the walker', async () => {
    const { PhysicalMemory, loadDump, walkKernelPageTableRange, walkArgsProblem, EINVAL } = await import('../src/index.js');
    expect(codeOf(() => PhysicalMemory.fromRaw(new Uint8Array(8), 0, { writeable: true } as never)).message).toBe('unknown PhysicalMemory.fromRaw() options key "writeable": expected writable');
    expect(codeOf(() => PhysicalMemory.create([{ base: 0, size: 4096, bsae: 0 } as never])).message).toBe('unknown RAM region key "bsae": expected base, size');
    expect(codeOf(() => loadDump(X86_ELF, { cachebytes: 1 } as never)).message).toMatch(/^unknown loadDump\(\) options key "cachebytes"/);
    // The walker answers as the kernel does, -EINVAL, and says why on request.
    const mm = x86().initMm;
    expect(walkKernelPageTableRange(mm, 0, 4096, {}, { privat: 1 } as never)).toBe(EINVAL);
    expect(walkArgsProblem(mm, 0, 4096, {}, { privat: 1 })).toMatch(/unknown walk option "privat"/);
  });
});

describe('wrong types are EINVAL naming the parameter, never a TypeError from inside', () => {
  it('loadElfCore takes an ArrayBuffer, a Uint8Array or a Node Buffer; the same core either way', () => {
    const copy = X86_ELF.slice();
    const fromBuffer = loadElfCore(copy.buffer);
    const fromView = loadElfCore(X86_ELF);
    const fromNode = loadElfCore(Buffer.from(X86_ELF));
    // SYMBOL(init_top_pgt)=ffffffff82a10000 in the fixture's VMCOREINFO (test/fixtures/README.md).
    for (const c of [fromBuffer, fromView, fromNode]) expect(c.vmcoreinfo.get('SYMBOL(init_top_pgt)')).toBe('ffffffff82a10000');
    expect(codeOf(() => loadElfCore('tables.elf' as never))).toEqual({
      code: 'EINVAL',
      message: 'loadElfCore(bytes) must be an ArrayBuffer or a Uint8Array (a Node Buffer is one), got string',
    });
  });

  it("ptdump's config may be .config text: it selects the same markers as the parsed config", () => {
    const { memory } = loadElfCore(fixtureBytes('kernel-6.1-arm64-4k-48/tables.elf.gz'));
    const root = /0x[0-9a-f]+/.exec(fixtureText('kernel-6.1-arm64-4k-48/root.txt').split('\n').find((l) => /init_mm|swapper/.test(l))!)![0];
    const mm = openImage(memory, { arch: 'arm64', mode: '4k-48', root: Number(root) }).initMm;
    const text = fixtureText('kernel-6.1-arm64-4k-48/config.gz');
    const a: string[] = [];
    const b: string[] = [];
    ptdump(mm, (l) => a.push(l), { config: text });
    ptdump(mm, (l) => b.push(l), { config: parseKernelConfig(text) });
    expect(a).toEqual(b);
    expect(a.join('\n') + '\n').toBe(fixtureText('kernel-6.1-arm64-4k-48/kernel-ptdump-kernel_page_tables.txt'));
    expect(codeOf(() => ptdump(mm, () => {}, { config: 42 } as never)).message).toMatch(/config must be \.config text/);
  });

  it('ptdump of something that is not an address space', () => {
    expect(codeOf(() => ptdump({} as never, () => {}))).toEqual({
      code: 'EINVAL',
      message: 'ptdump() needs an AddressSpace (machine.initMm, machine.openMm()), got object',
    });
  });

  it('openImage takes the root as a bigint too', () => {
    const { memory } = loadElfCore(X86_ELF);
    const m = openImage(memory, { arch: 'x86-64', mode: '4level', root: 0x6330000n });
    expect(m.initMm.root).toBe(0x6330000);
  });
});

describe('messages name things that exist', () => {
  it('openImage without a PhysicalMemory names loadElfCore, not a method that does not exist', () => {
    const r = codeOf(() => openImage({} as never, { arch: 'x86-64', mode: '4level', root: 0 }));
    expect(r.message).toContain('loadElfCore()');
    expect(r.message).not.toContain('fromElfCore');
  });

  it('a loongarch image without its invalid tables names the CLI option and the openImage option', () => {
    const { memory } = loadElfCore(fixtureBytes('kernel-6.12-loongarch64-16k-3level/tables.elf.gz'));
    const r = codeOf(() => openImage(memory, { arch: 'loongarch64', mode: '16k-3level', root: memory.ranges[0].base }));
    expect(r.code).toBe('EINVAL');
    expect(r.message).toContain('--invalid-tables PTE,PMD[,PUD]');
    expect(r.message).toContain('openImage() option invalidTables');
    expect(r.message).not.toContain('CodecOptions');
  });
});

describe('PhysicalMemory refuses addresses and lengths that are not ones', () => {
  it('NaN, fractional and negative addresses; bad lengths and data', async () => {
    const { PhysicalMemory } = await import('../src/index.js');
    const m = PhysicalMemory.create([{ base: 0, size: 4096 }]);
    for (const pa of [NaN, 1.5, -8, Infinity]) {
      expect(codeOf(() => m.read(pa))).toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/^physical address .* must be an integer >= 0$/) });
      expect(codeOf(() => m.write(pa, 0, 0)).code).toBe('EINVAL');
      expect(codeOf(() => m.fill(pa, 8, 0, 0)).code).toBe('EINVAL');
      expect(codeOf(() => m.writeBytes(pa, new Uint8Array(8))).code).toBe('EINVAL');
      expect(codeOf(() => m.readBytes(pa, 8)).code).toBe('EINVAL');
    }
    for (const len of [NaN, 1.5, -1]) expect(codeOf(() => m.readBytes(0, len)).code).toBe('EINVAL');
    expect(codeOf(() => m.fill(0, 12, 0, 0)).code).toBe('EINVAL');
    expect(codeOf(() => m.writeBytes(0, [1, 2] as never)).code).toBe('EINVAL');
    // An address that is one but lies outside the image stays a plain false/null for the walker.
    expect(m.read(8192)).toBe(false);
    expect(m.readU64(8192)).toBe(null);
  });
});
