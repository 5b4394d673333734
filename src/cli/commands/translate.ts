import { UsageError, parseAddress } from '../args.js';
import { EXIT_OK, formatOption, type Command } from '../command.js';
import { translationJson, vtopLines } from '../format.js';
import { TARGET_HELP, targetOptions, withTarget } from '../target.js';

export const translateCommand: Command = {
  name: 'translate',
  summary: "translate addresses level by level, like crash's vtop",
  usage: `pagewalk translate [options] VADDR... [IMAGE]
  Each address level by level (table, index, entry, flags), then the result, like crash's vtop.
  VADDR '-' reads addresses from standard input, one a line (blank lines and # comments skipped).
  On arm64 and loongarch, addresses in the lower half read the root as a user root (TTBR0, PGDL) without --user.
  --format text|json    text (default) or one JSON object per address
${TARGET_HELP}`,
  options: { format: { value: true } },
  target: true,
  run(a) {
    const json = formatOption(a, ['text', 'json'] as const) === 'json';
    // Words that start like numbers are addresses (and must parse); '-' is standard input; the rest is the image path.
    const isNumber = (s: string) => /^(0x|[0-9])/i.test(s) && !s.includes('/') && !s.includes('.');
    const vaddrs: bigint[] = [];
    const rest: string[] = [];
    for (const word of a.positional) {
      if (word === '-') vaddrs.push(...stdinAddresses(a.readStdin));
      else if (isNumber(word)) vaddrs.push(parseAddress(word, 'VADDR'));
      else rest.push(word);
    }
    if (vaddrs.length === 0) throw new UsageError("translate needs at least one VADDR (or '-' to read them from standard input)");
    return withTarget(rest, targetOptions(a.options, { addresses: vaddrs }), (t) => {
      for (const va of vaddrs) {
        const tr = t.mm.translate(va);
        if (json) a.out.line(translationJson(tr));
        else for (const l of vtopLines(tr)) a.out.line(l);
      }
      return EXIT_OK;
    });
  },
};

/** Addresses from standard input, one a line; a bad line is named by its number. */
function stdinAddresses(readStdin: () => string): bigint[] {
  let text: string;
  try {
    text = readStdin();
  } catch (e) {
    throw new UsageError(`cannot read addresses from standard input: ${(e as Error).message}`);
  }
  const out: bigint[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line !== '') out.push(parseAddress(line, `standard input line ${i + 1}:`));
  });
  return out;
}
