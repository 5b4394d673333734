import { UsageError, parseAddress } from '../args.js';
import { EXIT_OK, formatOption, type Command } from '../command.js';
import { translationJson, vtopLines } from '../format.js';
import { TARGET_HELP, targetOptions, withTarget } from '../target.js';

export const translateCommand: Command = {
  name: 'translate',
  summary: "translate addresses level by level, like crash's vtop",
  usage: `pagewalk translate [options] VADDR... [IMAGE]
  Each address level by level (table, index, entry, flags), then the result, like crash's vtop.
  --format text|json    text (default) or one JSON object per address
${TARGET_HELP}`,
  options: { format: { value: true } },
  target: true,
  run(a) {
    const json = formatOption(a, ['text', 'json'] as const) === 'json';
    // Words that start like numbers are addresses (and must parse); the rest is the image path.
    const isNumber = (s: string) => /^(0x|[0-9])/i.test(s) && !s.includes('/') && !s.includes('.');
    const vaddrs = a.positional.filter(isNumber).map((s) => parseAddress(s, 'VADDR'));
    const rest = a.positional.filter((s) => !isNumber(s));
    if (vaddrs.length === 0) throw new UsageError('translate needs at least one VADDR');
    return withTarget(rest, targetOptions(a.options), (t) => {
      for (const va of vaddrs) {
        const tr = t.mm.translate(va);
        if (json) a.out.line(translationJson(tr));
        else for (const l of vtopLines(tr)) a.out.line(l);
      }
      return EXIT_OK;
    });
  },
};
