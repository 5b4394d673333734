import { forEachLeaf, spanRanges } from '../../mm/leaves.js';
import { parseRange } from '../args.js';
import { EXIT_OK, formatOption, images, type Command } from '../command.js';
import { leafJson, leafText } from '../format.js';
import { TARGET_HELP, targetOptions, withTarget } from '../target.js';

export const leavesCommand: Command = {
  name: 'leaves',
  summary: 'list every present leaf with its physical address and effective permissions',
  usage: `pagewalk leaves [options] [IMAGE]
  Every present leaf (like QEMU's info tlb, for every arch): va, pa, size, level, effective permissions, flags.
  --format text|json    text (default) or one JSON object per leaf
  --range START-END     only this range (repeatable; END exclusive)
${TARGET_HELP}`,
  options: { format: { value: true }, range: { value: true, repeat: true } },
  target: true,
  run(a) {
    const json = formatOption(a, ['text', 'json'] as const) === 'json';
    const ranges = a.options.get('range')?.map(parseRange);
    return withTarget(images(a), targetOptions(a.options), (t) => {
      forEachLeaf(t.mm, (l) => a.out.line(json ? leafJson(l) : leafText(l)), { ranges: ranges ?? spanRanges(t.mm) });
      return EXIT_OK;
    });
  },
};
