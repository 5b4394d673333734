/**
 * `pagewalk`: ptdump, W^X check, leaf listing and translation of page tables
 * in a memory dump (ELF core or raw, by path) or, without one, in the
 * embedded demo address space of an arch.
 *
 * Exit status, everywhere: 0 success, 1 a finding (checkwx found W+X
 * pages), 2 anything that stopped the command. Errors are one line on
 * stderr, `pagewalk: <what>: <why>`; PAGEWALK_DEBUG=1 adds the stack.
 */
import { readFileSync } from 'node:fs';
import { version } from '../../package.json';
import { UsageError, parseArgs } from './args.js';
import { EXIT_ERROR, EXIT_OK, type Command } from './command.js';
import { COMMANDS } from './commands/index.js';
import { LineWriter, fdSink, type ByteSink, type ChunkSink } from './output.js';
import { TARGET_OPTIONS } from './target.js';

const MAIN_HELP = `usage: pagewalk <command> [options] [IMAGE]
commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(11)} ${c.summary}`).join('\n')}
Without IMAGE every command runs on an embedded demo address space.
'pagewalk <command> --help' describes each; 'pagewalk --version' prints the version.
Exit status: 0 success, 1 checkwx found W+X pages, 2 an error (usage, bad image, I/O, budget).`;

export interface MainIo {
  stdout?: ChunkSink;
  /** Binary output (read --format raw); default: file descriptor 1, or none when `stdout` is given. */
  stdoutBytes?: ByteSink;
  stderr?: ChunkSink;
  /** Whether stderr is a terminal (progress is shown only there); default: process.stderr.isTTY. */
  stderrIsTty?: boolean;
  /** Environment (PAGEWALK_DEBUG); default process.env. */
  env?: Record<string, string | undefined>;
  /** Standard input as text; default: read file descriptor 0 to its end. */
  stdin?: () => string;
}

/** Runs the CLI; returns the exit status. */
export function main(argv: readonly string[], io: MainIo = {}): number {
  const out = new LineWriter(io.stdout ?? fdSink(1), io.stdoutBytes ?? (io.stdout === undefined ? fdSink(1) : undefined));
  const stderr = io.stderr ?? fdSink(2);
  const env = io.env ?? process.env;
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      out.line(MAIN_HELP);
      out.flush();
      return name === undefined ? EXIT_ERROR : EXIT_OK;
    }
    if (name === '--version' || name === '-V') {
      out.line(`pagewalk ${version}`);
      out.flush();
      return EXIT_OK;
    }
    const c: Command | undefined = COMMANDS.find((x) => x.name === name);
    if (c === undefined) throw new UsageError(`unknown command ${JSON.stringify(name)}: expected ${COMMANDS.map((x) => x.name).join(', ')}`);
    const spec = { help: { value: false }, ...(c.target ? TARGET_OPTIONS : {}), ...c.options };
    const { options, positional } = parseArgs(rest, spec);
    if (options.has('help')) {
      out.line(c.usage);
      out.flush();
      return EXIT_OK;
    }
    const readStdin = io.stdin ?? (() => readFileSync(0, 'utf8'));
    const status = c.run({ options, positional, out, err: stderr, errIsTty: io.stderrIsTty ?? process.stderr.isTTY === true, readStdin });
    out.flush();
    return status;
  } catch (e) {
    try {
      out.flush();
    } catch {
      // stdout is gone; the error still goes to stderr
    }
    const message = e instanceof Error ? e.message : String(e);
    stderr(`pagewalk: ${message.split('\n')[0]}\n`);
    if (env.PAGEWALK_DEBUG === '1' && e instanceof Error && e.stack) stderr(`${e.stack}\n`);
    return EXIT_ERROR;
  }
}
