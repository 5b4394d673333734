import { ptdump } from '../../ptdump/ptdump.js';
import { EXIT_OK, formatOption, images, type Command } from '../command.js';
import { MARKER_HELP, MARKER_OPTIONS, checkArchOptions, ptdumpRequest } from '../ptdump-options.js';
import { TARGET_HELP, targetOptions, withTarget } from '../target.js';

export const ptdumpCommand: Command = {
  name: 'ptdump',
  summary: "the kernel's ptdump of an address space (kernel text or JSON)",
  usage: `pagewalk ptdump [options] [IMAGE]
  The kernel's ptdump (debugfs kernel_page_tables) of the address space, line for line, or JSON.
  --format kernel|json  kernel text (default) or one JSON object per coalesced range
  --range START-END     walk this range instead of the arch's (repeatable; END exclusive)
${MARKER_HELP}
${TARGET_HELP}`,
  options: { format: { value: true }, range: { value: true, repeat: true }, ...MARKER_OPTIONS },
  target: true,
  run(a) {
    const format = formatOption(a, ['kernel', 'json'] as const);
    const request = ptdumpRequest(a);
    return withTarget(images(a), targetOptions(a.options), (t) => {
      checkArchOptions(a, t.mm.arch.arch);
      ptdump(t.mm, (line) => a.out.line(line), { ...request, format });
      return EXIT_OK;
    });
  },
};
