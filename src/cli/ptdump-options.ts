/**
 * The options ptdump, checkwx (and the view) share: the kernel's .config,
 * marker bases and markers, riscv level names, ranges.
 */
import type { PtdumpRequest } from '../ptdump/ptdump.js';
import type { AddressMarker } from '../ptdump/types.js';
import { UsageError, parseNumber, parseRange, type OptionSpec } from './args.js';
import { one, type CommandArgs } from './command.js';
import { readConfig } from './target.js';

export const MARKER_OPTIONS: Record<string, OptionSpec> = {
  config: { value: true },
  base: { value: true, repeat: true },
  marker: { value: true, repeat: true },
  'level-names': { value: true },
};

export const MARKER_HELP = `  --config FILE         the kernel's .config (or .config.gz, as in /boot) selecting the markers
  --base NAME=ADDR      override a marker base (e.g. page_offset_base=0xff11000000000000 on a KASLR kernel; repeatable)
  --marker ADDR=NAME    use these markers instead of the computed ones (repeatable)
  --level-names in-use|five-level   riscv: levels named after those the mode uses (default: 6.1.64+, mainline)
                        or 6.1.0-6.1.63's fixed five (an Sv39 1G leaf reads PUD)`;

/** The ptdump request the options describe (ranges included when the command takes --range). */
export function ptdumpRequest(a: CommandArgs): PtdumpRequest {
  const request: PtdumpRequest = {};
  const config = one(a, 'config');
  if (config !== undefined) request.config = readConfig(config);
  const bases = a.options.get('base');
  if (bases) {
    request.bases = {};
    for (const b of bases) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(b);
      if (m === null) throw new UsageError(`--base ${b} must be NAME=ADDR`);
      request.bases[m[1]] = parseNumber(m[2], `--base ${m[1]}`);
    }
  }
  const markers = a.options.get('marker');
  if (markers) {
    request.markers = markers.map((s): AddressMarker => {
      const m = /^([^=]+)=(.+)$/.exec(s);
      if (m === null) throw new UsageError(`--marker ${s} must be ADDR=NAME`);
      return { start: parseNumber(m[1], '--marker address'), name: m[2] };
    });
    request.markers.sort((x, y) => x.start - y.start);
  }
  const names = one(a, 'level-names');
  if (names !== undefined) {
    if (names !== 'in-use' && names !== 'five-level') throw new UsageError(`--level-names ${names}: expected in-use or five-level`);
    request.levelNames = names;
  }
  const ranges = a.options.get('range');
  if (ranges) request.ranges = ranges.map(parseRange);
  return request;
}

/** Options that only one arch's dumper reads, refused for the others. */
export function checkArchOptions(a: CommandArgs, arch: string): void {
  if (a.options.has('level-names') && arch !== 'riscv64') throw new UsageError(`--level-names applies to riscv64 only, not ${arch}`);
}
