import { ptdump, ptdumpRanges, rangeToJson } from '../../ptdump/ptdump.js';
import { UsageError } from '../args.js';
import { EXIT_OK, formatOption, images, one, type Command } from '../command.js';
import { FILTER_HELP, parsePermFilter } from '../perm-filter.js';
import { MARKER_HELP, MARKER_OPTIONS, checkArchOptions, ptdumpRequest } from '../ptdump-options.js';
import { BUDGET_HELP, BUDGET_OPTIONS, withBudget } from '../budget.js';
import { TARGET_HELP, targetOptions, withTarget } from '../target.js';

export const ptdumpCommand: Command = {
  name: 'ptdump',
  summary: "the kernel's ptdump of an address space (kernel text or JSON)",
  usage: `pagewalk ptdump [options] [IMAGE]
  The kernel's ptdump (debugfs kernel_page_tables) of the address space, line for line, or JSON.
  --format kernel|json  kernel text (default) or one JSON object per coalesced range
  --range START-END     walk this range instead of the arch's (repeatable; END exclusive). On arm64 and
                        loongarch, ranges in the lower half read the root as a user root (TTBR0, PGDL) without --user
${FILTER_HELP}
                        (JSON only: present ranges that match; the kernel text is the kernel's, whole)
${MARKER_HELP}
${BUDGET_HELP}
${TARGET_HELP}`,
  options: { format: { value: true }, range: { value: true, repeat: true }, filter: { value: true }, ...MARKER_OPTIONS, ...BUDGET_OPTIONS },
  target: true,
  run(a) {
    const format = formatOption(a, ['kernel', 'json'] as const);
    const request = ptdumpRequest(a);
    const filterExpr = one(a, 'filter');
    if (filterExpr !== undefined && format !== 'json') throw new UsageError('--filter needs --format json (the kernel text is printed whole, as the kernel prints it)');
    const keep = filterExpr === undefined ? null : parsePermFilter(filterExpr);
    return withTarget(images(a), targetOptions(a.options, { ranges: request.ranges }), (t) => {
      checkArchOptions(a, t.mm.arch.arch);
      return withBudget(a, (budget) => {
        if (keep === null) ptdump(t.mm, (line) => a.out.line(line), { ...request, format, budget });
        else ptdumpRanges(t.mm, (r) => (r.present && keep(r) ? a.out.line(rangeToJson(r)) : undefined), { ...request, budget });
        return EXIT_OK;
      });
    });
  },
};
