import { checkWx } from '../../ptdump/ptdump.js';
import { EXIT_FINDING, EXIT_OK, images, type Command } from '../command.js';
import { MARKER_HELP, MARKER_OPTIONS, checkArchOptions, ptdumpRequest } from '../ptdump-options.js';
import { BUDGET_HELP, BUDGET_OPTIONS, withBudget } from '../budget.js';
import { TARGET_HELP, targetOptions, withTarget } from '../target.js';

/** W+X range lines printed before the rest are only counted (the kernel warns once). */
const MAX_WARNING_LINES = 1000;

export const checkwxCommand: Command = {
  name: 'checkwx',
  summary: 'count writable+executable kernel pages, as ptdump_check_wx() does',
  usage: `pagewalk checkwx [options] [IMAGE]
  ptdump_check_wx(): kernel pages that are writable and executable, with the arch's own verdict.
  Prints one line per W+X range (the first ${MAX_WARNING_LINES}, then how many more), then the verdict.
  Exit status 0 when none are found, 1 when some are, 2 when the check could not run.
${MARKER_HELP}
${BUDGET_HELP}
${TARGET_HELP}`,
  options: { ...MARKER_OPTIONS, ...BUDGET_OPTIONS },
  target: true,
  run(a) {
    const request = ptdumpRequest(a);
    return withTarget(images(a), targetOptions(a.options), (t) => {
      checkArchOptions(a, t.mm.arch.arch);
      let lines = 0;
      const r = withBudget(a, (budget) =>
        checkWx(t.mm, {
        ...request,
        budget,
        onWxWarning: (line) => {
          if (lines++ < MAX_WARNING_LINES) a.out.line(line);
        },
      }),
      );
      if (lines > MAX_WARNING_LINES) a.out.line(`... ${lines - MAX_WARNING_LINES} more W+X ranges not listed`);
      a.out.line(r.message);
      return r.passed ? EXIT_OK : EXIT_FINDING;
    });
  },
};
