import { PagewalkError } from '../../errors.js';
import type { MemoryFault } from '../../memory/physical-memory.js';
import type { VirtualFault } from '../../mm/read-virtual.js';
import { UsageError, parseAddress, parseNumber } from '../args.js';
import { EXIT_OK, formatOption, one, type Command, type CommandArgs } from '../command.js';
import { TARGET_HELP, openImages, openTarget, targetOptions, withImages, withTarget } from '../target.js';

/** Bytes read and written at a time: the output is streamed, memory stays bounded whatever LEN is. */
const CHUNK = 65536;

export const readCommand: Command = {
  name: 'read',
  summary: 'bytes of physical or virtual memory, as an xxd-style dump or raw',
  usage: `pagewalk read (--phys ADDR | --virt ADDR) LEN [options] [IMAGE...]
  LEN bytes of physical memory (--phys) or of virtual memory through the page tables (--virt; arch, mode and
  root from the options or the dump, as the other commands). The first byte that cannot be read (excluded
  by the dump level, absent from the dump, or not mapped) stops it: what came before is written, then one
  line names that address and why, exit status 2.
  --phys ADDR           a physical address
  --virt ADDR           a virtual address in the address space of --root (default: the kernel's)
  --format hex|raw      hex (default): address, 16 bytes in groups of two, their ASCII, as xxd; raw: the bytes
  --fill-excluded zero  pages the dump level excluded read as zeros (absent ones still stop the read)
${TARGET_HELP}`,
  options: { phys: { value: true }, virt: { value: true }, format: { value: true }, 'fill-excluded': { value: true } },
  target: true,
  run(a) {
    const format = formatOption(a, ['hex', 'raw'] as const);
    const fill = one(a, 'fill-excluded');
    if (fill !== undefined && fill !== 'zero') throw new UsageError(`--fill-excluded ${fill}: the only choice is zero`);
    const phys = one(a, 'phys');
    const virt = one(a, 'virt');
    if ((phys === undefined) === (virt === undefined)) throw new UsageError('read needs one of --phys ADDR and --virt ADDR');
    const [lenText, ...paths] = a.positional;
    if (lenText === undefined) throw new UsageError('read needs LEN, the number of bytes');
    const length = parseNumber(lenText, 'LEN');
    const options = fill === 'zero' ? { fillExcluded: 'zero' as const } : {};
    const sink = format === 'raw' ? (bytes: Uint8Array) => a.out.bytes(bytes) : hexSink(a);
    if (phys !== undefined) {
      const start = parseNumber(phys, '--phys');
      for (const o of ['arch', 'mode', 'root', 'user', 'invalid-tables']) {
        if (a.options.has(o)) throw new UsageError(`--${o} applies to --virt (a physical read needs no page tables)`);
      }
      if (paths.length === 0) {
        const t = openTarget([], targetOptions(a.options));
        stream(length, (at, n) => t.machine.memory.readBytes(start + at, n, options), (f) => f.physical! - start, sink);
        return EXIT_OK;
      }
      return withImages(paths, () => {
        const dump = openImages(paths, { rawBase: one(a, 'raw-base'), maxGunzip: one(a, 'max-gunzip') });
        try {
          stream(length, (at, n) => dump.memory.readBytes(start + at, n, options), (f) => f.physical! - start, sink);
          return EXIT_OK;
        } finally {
          dump.close();
        }
      });
    }
    const va = parseAddress(virt!, '--virt');
    return withTarget(paths, targetOptions(a.options, { addresses: [va] }), (t) => {
      stream(length, (at, n) => t.mm.read(va + BigInt(at), n, options), (f) => Number(f.virtual! - va), sink);
      return EXIT_OK;
    });
  },
};

/**
 * Reads [0, length) in chunks through `read(offset, n)` and hands them to
 * `sink`. At a fault, the bytes before the faulting address are read and
 * written first (`offsetOf` places the fault), then the fault is thrown.
 */
function stream(
  length: number,
  read: (offset: number, n: number) => Uint8Array,
  offsetOf: (f: { physical?: number | null; virtual?: bigint }) => number,
  sink: (bytes: Uint8Array, done: boolean) => void,
): void {
  for (let at = 0; at < length; at += CHUNK) {
    const n = Math.min(CHUNK, length - at);
    let bytes: Uint8Array;
    try {
      bytes = read(at, n);
    } catch (e) {
      const f = (e as Partial<MemoryFault | VirtualFault>).fault;
      if (!(e instanceof PagewalkError) || f === undefined) throw e;
      const before = offsetOf(f) - at;
      sink(before > 0 && before < n ? read(at, before) : new Uint8Array(0), true);
      throw e;
    }
    sink(bytes, at + n >= length);
  }
}

/** xxd's layout: `address: 0011 2233 ... eeff  ................`, the address in 16 hex digits; a short line at the end. */
function hexSink(a: CommandArgs): (bytes: Uint8Array, done: boolean) => void {
  const start = one(a, 'phys') !== undefined ? BigInt(parseNumber(one(a, 'phys')!, '--phys')) : parseAddress(one(a, 'virt')!, '--virt');
  let offset = 0n;
  let carry = new Uint8Array(0);
  return (bytes, done) => {
    const all = new Uint8Array(carry.length + bytes.length);
    all.set(carry);
    all.set(bytes, carry.length);
    let i = 0;
    for (; i + 16 <= all.length || (done && i < all.length); i += 16) {
      const row = all.subarray(i, Math.min(i + 16, all.length));
      let hex = '';
      let ascii = '';
      for (let k = 0; k < 16; k++) {
        hex += k < row.length ? row[k].toString(16).padStart(2, '0') : '  ';
        if (k % 2 === 1 && k < 15) hex += ' ';
        if (k < row.length) ascii += row[k] >= 0x20 && row[k] < 0x7f ? String.fromCharCode(row[k]) : '.';
      }
      a.out.line(`${(start + offset).toString(16).padStart(16, '0')}: ${hex}  ${ascii}`);
      offset += 16n;
    }
    carry = all.slice(i);
  };
}
