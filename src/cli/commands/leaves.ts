import { forEachLeaf, spanRanges, walkLeaves } from '../../mm/leaves.js';
import { parseRange } from '../args.js';
import { EXIT_OK, formatOption, images, one, type Command } from '../command.js';
import { leafJson } from '../format.js';
import { LeafTextWriter } from '../leaf-text.js';
import { FILTER_HELP, parsePermFilter } from '../perm-filter.js';
import { BUDGET_HELP, BUDGET_OPTIONS, withBudget } from '../budget.js';
import { TARGET_HELP, targetOptions, withTarget } from '../target.js';

export const leavesCommand: Command = {
  name: 'leaves',
  summary: 'list every present leaf with its physical address and effective permissions',
  usage: `pagewalk leaves [options] [IMAGE]
  Every present leaf (like QEMU's info tlb, for every arch): va, pa, size, level, effective permissions, flags.
  --format text|json    text (default) or one JSON object per leaf
  --range START-END     only this range (repeatable; END exclusive). On arm64 and loongarch, ranges in the
                        lower half read the root as a user root (TTBR0, PGDL) without --user
${FILTER_HELP}
${BUDGET_HELP}
${TARGET_HELP}`,
  options: { format: { value: true }, range: { value: true, repeat: true }, filter: { value: true }, ...BUDGET_OPTIONS },
  target: true,
  run(a) {
    const json = formatOption(a, ['text', 'json'] as const) === 'json';
    const ranges = a.options.get('range')?.map(parseRange);
    const filterExpr = one(a, 'filter');
    const keep = filterExpr === undefined ? null : parsePermFilter(filterExpr);
    return withTarget(images(a), targetOptions(a.options, { ranges }), (t) => {
      return withBudget(a, (budget) => {
        const options = { ranges: ranges ?? spanRanges(t.mm), budget };
        if (json) {
          forEachLeaf(t.mm, (l) => (keep === null || keep(l.perms) ? a.out.line(leafJson(l)) : undefined), options);
        } else {
          const text = new LeafTextWriter(a.out);
          try {
            walkLeaves(t.mm, (va, pa, size, kind) => (keep === null || keep(kind.perms) ? text.leaf(va, pa, size, kind) : undefined), options);
          } finally {
            text.flush();
          }
        }
        return EXIT_OK;
      });
    });
  },
};
