/**
 * What every `pagewalk` command is: its name, help text, options and a run
 * function returning the exit status. Commands live in ./commands/, one a
 * file; main.ts dispatches and turns errors into one stderr line.
 */
import { UsageError, type OptionSpec } from './args.js';
import type { ChunkSink, LineWriter } from './output.js';

/** Exit status: the command did what was asked. */
export const EXIT_OK = 0;
/** Exit status: a finding (checkwx found W+X pages). The only non-error, non-zero status. */
export const EXIT_FINDING = 1;
/** Exit status: anything that stopped the command (usage, bad image, I/O, budget). */
export const EXIT_ERROR = 2;

/** A command's parsed arguments and where its output goes. */
export interface CommandArgs {
  options: Map<string, string[]>;
  positional: string[];
  out: LineWriter;
  /** Standard error (progress lines; errors are main's). */
  err: ChunkSink;
  /** True when standard error is a terminal (progress is shown only there). */
  errIsTty: boolean;
  /** Standard input, whole, as text (read when a command asks for it). */
  readStdin: () => string;
}

export interface Command {
  name: string;
  /** One line for `pagewalk --help`. */
  summary: string;
  /** `pagewalk <name> --help`. */
  usage: string;
  /** The command's own options (the target options are added by main when `target` is set). */
  options: Record<string, OptionSpec>;
  /** Reads an address space (takes the target options and IMAGE). */
  target: boolean;
  run(a: CommandArgs): number;
}

/** The value of a single-valued option. */
export function one(a: CommandArgs, name: string): string | undefined {
  return a.options.get(name)?.[0];
}

/** `--format`, checked against what the command offers (the first is the default). */
export function formatOption<F extends string>(a: CommandArgs, allowed: readonly F[]): F {
  const f = one(a, 'format') ?? allowed[0];
  if (!(allowed as readonly string[]).includes(f)) throw new UsageError(`--format ${f}: expected ${allowed.join(' or ')}`);
  return f as F;
}

/** The IMAGE arguments (none: the embedded demo). */
export function images(a: CommandArgs): string[] {
  return a.positional;
}
