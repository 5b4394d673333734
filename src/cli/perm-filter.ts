import { UsageError } from './args.js';

/** The effective permissions a filter looks at (a Leaf's perms, a ptdump DumpedRange). */
export interface PermView {
  read: boolean;
  write: boolean;
  exec: boolean;
  user: boolean;
  global: boolean;
}

const LETTERS: Record<string, keyof PermView> = { r: 'read', w: 'write', x: 'exec', u: 'user', g: 'global' };

export const FILTER_HELP = `  --filter EXPR         only mappings whose effective permissions match: letters r w x u g joined by ','
                        (all must hold), '!' negates one: --filter w,x (W+X), --filter u,!x, --filter !g`;

/**
 * `--filter w,x` / `u,!x`: every term must hold. Returns the predicate; a
 * bad expression is a usage error naming the term.
 */
export function parsePermFilter(expr: string): (p: PermView) => boolean {
  const terms = expr.split(',').map((t) => t.trim());
  const want: [keyof PermView, boolean][] = terms.map((t) => {
    const m = /^(!?)([rwxug])$/.exec(t);
    if (m === null) throw new UsageError(`--filter ${expr}: ${JSON.stringify(t)} is not one of r w x u g, optionally with ! before it`);
    return [LETTERS[m[2]], m[1] === ''];
  });
  return (p) => want.every(([key, value]) => p[key] === value);
}
