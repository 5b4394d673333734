/**
 * `enum page_walk_action` of include/linux/pagewalk.h: what a pud/pmd
 * callback asks the walker to do next by setting `walk.action`.
 */
/** Descend into the entry's table (the default; reset before each pud/pmd callback). */
export const ACTION_SUBTREE = 0;
/** Do not descend; go on with the next entry. */
export const ACTION_CONTINUE = 1;
/** Run the same entry again (it was changed under the walker). */
export const ACTION_AGAIN = 2;

export type WalkAction = typeof ACTION_SUBTREE | typeof ACTION_CONTINUE | typeof ACTION_AGAIN;

/** Negative errno values the walk entry points return, as the kernel's do. */
export const EINVAL = -22;
/** A walk that needs the write lock while another walk holds the address space. */
export const EBUSY = -16;
/**
 * pagewalk's addition, not a value the kernel's walkers return: the walk's
 * entry budget ran out (WalkOptions.budget, `visited > maxEntries`). The
 * errno is E2BIG ("argument list too long"): the range asked for more
 * entries than the caller allowed.
 */
export const E2BIG = -7;
