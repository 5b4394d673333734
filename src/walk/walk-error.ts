import { PagewalkError } from '../errors.js';
import { E2BIG, EBUSY } from './actions.js';
import type { WalkBudget } from './walk-args.js';

/**
 * The PagewalkError a library function throws for a walk that returned
 * `rc` (not 0): E2BIG when the entry budget ran out (naming the count and
 * the maxEntries option), EBUSY when another walk holds the address space,
 * else EINVAL with `why()` (walkArgsProblem()'s reason).
 */
export function walkFailure(what: string, rc: number, why: () => string | null, budget: WalkBudget | undefined): PagewalkError {
  if (rc === E2BIG) {
    const seen = budget === undefined ? 'more entries than allowed' : `${budget.visited} entries`;
    const max = budget === undefined ? '' : ` (budget.maxEntries is ${budget.maxEntries})`;
    return new PagewalkError('E2BIG', `${what}: the entry budget ran out after ${seen}${max}; raise budget.maxEntries to walk further`);
  }
  if (rc === EBUSY) return new PagewalkError('EBUSY', `${what}: the address space is held by another walk`);
  return new PagewalkError('EINVAL', `${what}: ${why() ?? `the walk returned ${rc}`}`);
}
