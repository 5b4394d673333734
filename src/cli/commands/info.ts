import { resolveArchName } from '../../arch/registry.js';
import { summarizeDump, type DumpSummary } from '../../dump/summary.js';
import { UsageError } from '../args.js';
import { EXIT_OK, formatOption, images, one, type Command } from '../command.js';
import { openImages, withImages } from '../target.js';

export const infoCommand: Command = {
  name: 'info',
  summary: 'what a dump is: format, compression, page counts, machine, kernel release, paging mode and root',
  usage: `pagewalk info [--format text|json] [--arch A] IMAGE...
  The dump's format (elf, kdump, flattened, raw), the compressions its pages use, the block size, the
  dump level, how many pages are data, excluded by the dump level or absent (not RAM, in a split part not
  given, or incomplete: how many of those), the machine, the kernel release, and the paging mode and
  top-level table VMCOREINFO gives, then VMCOREINFO's keys (JSON: all its key/values).
  --format text|json    text (default) or one JSON object:
                        {"format","compression":[...],"blockSize","dumpLevel","pages":{"data","excluded","absent",
                        "incomplete","missingParts"},"arch","mode","root","vmcoreinfo":{...},"content","release","machine",
                        "incomplete","pagesByCompression":{...},"parts":[{"startPfn","endPfn"}] or null}
  --arch A              the arch, for the mode and root, when the dump does not name it
  --raw-base PHYS       physical address of the first byte of a raw IMAGE (default 0)
  --max-gunzip N        most bytes a gzip-compressed IMAGE may inflate to in memory (default 1 GiB)
  IMAGE...              a dump of any format pagewalk reads; several: the parts of one makedumpfile --split dump`,
  options: { format: { value: true }, arch: { value: true }, 'raw-base': { value: true }, 'max-gunzip': { value: true } },
  target: false,
  run(a) {
    const json = formatOption(a, ['text', 'json'] as const) === 'json';
    const paths = images(a);
    if (paths.length === 0) throw new UsageError('info needs an IMAGE');
    const archText = one(a, 'arch');
    const arch = archText === undefined ? undefined : resolveArchName(archText);
    return withImages(paths, () => {
      const dump = openImages(paths, { rawBase: one(a, 'raw-base'), maxGunzip: one(a, 'max-gunzip') });
      try {
        if (arch !== undefined && dump.arch !== null && dump.arch !== arch) throw new UsageError(`--arch ${archText} contradicts the dump, which is of ${dump.arch}`);
        const s = summarizeDump(dump, arch ?? dump.arch);
        if (json) a.out.line(infoJson(s));
        else for (const l of infoText(s, dump.kdump?.header)) a.out.line(l);
        return EXIT_OK;
      } finally {
        dump.close();
      }
    });
  },
};

function infoJson(s: DumpSummary): string {
  return JSON.stringify({
    format: s.format,
    compression: s.compression,
    blockSize: s.blockSize,
    dumpLevel: s.dumpLevel,
    pages: s.pages,
    arch: s.arch,
    mode: s.mode,
    root: s.root === null ? null : '0x' + s.root.toString(16),
    vmcoreinfo: Object.fromEntries(s.vmcoreinfo),
    content: s.content,
    release: s.release,
    machine: s.machine,
    incomplete: s.incomplete,
    pagesByCompression: s.pagesByCompression,
    parts: s.parts,
  });
}

function infoText(s: DumpSummary, h: { signature: string; headerVersion: number; wordBits: number; littleEndian: boolean; status: number } | undefined): string[] {
  const row = (k: string, v: string) => `${k.padEnd(13)} ${v}`;
  const out = [row('format', s.format === 'flattened' ? `flattened (its records rebuild ${s.content === 'kdump' ? 'a kdump-compressed file' : 'an ELF core'})` : s.format)];
  if (h !== undefined) {
    out.push(row('header', `${h.signature} version ${h.headerVersion}, ${h.wordBits}-bit ${h.littleEndian ? 'little' : 'big'}-endian, status 0x${h.status.toString(16)}${s.incomplete ? ' (INCOMPLETE)' : ''}`));
    const stored = Object.entries(s.pagesByCompression).map(([k, v]) => `${k} ${v}`);
    out.push(row('compression', stored.length === 0 ? '-' : stored.join(', ') + ' pages'));
  }
  out.push(row('block size', String(s.blockSize)));
  out.push(row('dump level', s.dumpLevel === null ? '-' : String(s.dumpLevel)));
  const p = s.pages;
  const absentWhy = [p.incomplete > 0 || s.incomplete ? `${p.incomplete} incomplete` : '', p.missingParts > 0 ? `${p.missingParts} in parts not given` : ''].filter((x) => x !== '');
  out.push(row('pages', `${p.data} data, ${p.excluded} excluded, ${p.absent} absent${absentWhy.length > 0 ? ` (${absentWhy.join(', ')})` : ''}`));
  for (const [i, part] of (s.parts ?? []).entries()) out.push(row(i === 0 ? 'split parts' : '', `pfns [0x${part.startPfn.toString(16)}, 0x${part.endPfn.toString(16)})`));
  out.push(row('arch', s.arch ?? '-'));
  out.push(row('machine', s.machine ?? '-'));
  out.push(row('release', s.release ?? '-'));
  out.push(row('mode', s.mode ?? '-'));
  out.push(row('root', s.root === null ? `-${s.rootFrom !== null ? ` (${s.rootFrom})` : ''}` : `0x${s.root.toString(16)} (${s.rootFrom})`));
  out.push(row('vmcoreinfo', s.vmcoreinfo.size === 0 ? '-' : `${s.vmcoreinfo.size} keys: ${[...s.vmcoreinfo.keys()].join(' ')}`));
  return out;
}
