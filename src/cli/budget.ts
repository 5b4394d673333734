/**
 * The entry budget of every command that walks (issue: crafted tables).
 * Shared tables are legal (KASAN's early shadow, loongarch's invalid
 * tables), so a loop-free table set can still ask for 2^36 entries; the
 * budget stops such a walk with exit status 2 and a line naming the option.
 * A walk that runs longer than about 2 s shows its progress on standard
 * error when that is a terminal.
 */
import { PagewalkError } from '../errors.js';
import type { WalkBudget } from '../walk/walk-args.js';
import { parseNumber, UsageError, type OptionSpec } from './args.js';
import { one, type CommandArgs } from './command.js';

/**
 * The default: 2^32 entries, more than any real kernel's tables ask for
 * (a 4-level x86-64 KASAN kernel's early shadow, walked whole, is 2^32
 * ptes), and reached in well under a minute.
 */
export const DEFAULT_MAX_ENTRIES = 2 ** 32;
const PROGRESS_AFTER_MS = 2000;

export const BUDGET_OPTIONS: Record<string, OptionSpec> = { 'max-entries': { value: true } };

export const BUDGET_HELP = `  --max-entries N   stop with exit status 2 after visiting N table entries (default 2^32 = 4294967296): the
                    bound for crafted tables whose entries share tables to ask for ever more`;

/** The budget the options ask for, with progress on a terminal, and how to clear that progress line. */
export function walkBudget(a: CommandArgs): { budget: WalkBudget; finish(): void } {
  const text = one(a, 'max-entries');
  const maxEntries = text === undefined ? DEFAULT_MAX_ENTRIES : parseNumber(text, '--max-entries');
  if (maxEntries < 1) throw new UsageError(`--max-entries ${text} must be at least 1`);
  const started = Date.now();
  let shown = false;
  const budget: WalkBudget = { maxEntries, visited: 0, progressEvery: 1 << 22 };
  if (a.errIsTty) {
    budget.onProgress = (visited, addr) => {
      if (Date.now() - started < PROGRESS_AFTER_MS) return;
      shown = true;
      a.err(`\rpagewalk: ${visited.toLocaleString('en-US')} entries visited, at 0x${addr.toString(16).padStart(16, '0')}\x1b[K`);
    };
  }
  return { budget, finish: () => (shown ? a.err('\r\x1b[K') : undefined) };
}

/**
 * Runs the walks of a command under its budget: the progress line is
 * cleared at the end, and a budget that ran out becomes the CLI's one line
 * naming --max-entries.
 */
export function withBudget<T>(a: CommandArgs, use: (budget: WalkBudget) => T): T {
  const { budget, finish } = walkBudget(a);
  try {
    return use(budget);
  } catch (e) {
    if (e instanceof PagewalkError && e.code === 'E2BIG') {
      throw new PagewalkError(
        'E2BIG',
        `the walk visited more than ${budget.maxEntries} table entries (--max-entries): tables that share tables without end are crafted or corrupt; raise --max-entries to walk further`,
      );
    }
    throw e;
  } finally {
    finish();
  }
}
