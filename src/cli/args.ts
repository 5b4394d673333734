/**
 * Command-line parsing for `pagewalk`: `--flag value` / `--flag=value`
 * options (some repeatable), positional words, and the one-line errors the
 * CLI prints for misuse.
 */
export class UsageError extends Error {}

export interface OptionSpec {
  /** Takes a value (else a boolean switch). */
  value: boolean;
  /** May be given more than once. */
  repeat?: boolean;
}

export interface ParsedArgs {
  options: Map<string, string[]>;
  positional: string[];
}

export function parseArgs(argv: readonly string[], spec: Record<string, OptionSpec>): ParsedArgs {
  const options = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const s = spec[name];
    if (s === undefined) throw new UsageError(`unknown option --${name} (see --help)`);
    let value = 'true';
    if (s.value) {
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length) value = argv[++i];
      else throw new UsageError(`--${name} needs a value`);
    } else if (eq >= 0) {
      throw new UsageError(`--${name} takes no value`);
    }
    const list = options.get(name) ?? [];
    if (list.length > 0 && !s.repeat) throw new UsageError(`--${name} given twice`);
    list.push(value);
    options.set(name, list);
  }
  return { options, positional };
}

/** An address or size on the command line: 0x hex, or decimal; `_` separators allowed. */
export function parseNumber(text: string, what: string): number {
  const t = text.replace(/_/g, '');
  let v: bigint;
  if (/^0x[0-9a-f]+$/i.test(t)) v = BigInt(t);
  else if (/^\d+$/.test(t)) v = BigInt(t);
  else throw new UsageError(`${what} ${JSON.stringify(text)} is not a number (use 0x... hex or decimal)`);
  if (v > 1n << 64n) throw new UsageError(`${what} ${text} is beyond 2^64`);
  const n = Number(v);
  if (BigInt(n) !== v) throw new UsageError(`${what} ${text} is not exactly representable (page-align it)`);
  return n;
}

/** A big address that need not be page aligned (translate's vaddr). */
export function parseAddress(text: string, what: string): bigint {
  const t = text.replace(/_/g, '');
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) throw new UsageError(`${what} ${JSON.stringify(text)} is not a number (use 0x... hex or decimal)`);
  const v = BigInt(t);
  if (v >= 1n << 64n) throw new UsageError(`${what} ${text} is beyond 2^64 - 1`);
  return v;
}

/** `--range START-END` (END exclusive; 0x10000000000000000 allowed). */
export function parseRange(text: string): { start: number; end: number } {
  const m = /^([^-]+)-([^-]+)$/.exec(text);
  if (m === null) throw new UsageError(`--range ${JSON.stringify(text)} must be START-END, e.g. 0xffff888000000000-0xffff888040000000`);
  const start = parseNumber(m[1], '--range start');
  const end = parseNumber(m[2], '--range end');
  if (start >= end) throw new UsageError(`--range ${text}: start must be below end`);
  return { start, end };
}
