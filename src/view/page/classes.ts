import type { RangeJson } from '../data.js';

/**
 * How the map colours a range: by its effective read/write/exec (ptdump's
 * JSON gives them as the hardware combines every level). Anything both
 * writable and executable is one class, W+X, in the one colour nothing
 * else uses. User-accessible ranges also get a strip down the column's
 * left edge, so user/kernel and rwx read independently.
 */
export interface PermClass {
  label: string;
  colour: string;
  what: string;
}

/** Indexes into CLASSES. */
export const WX = 0;
export const CLASSES: readonly PermClass[] = [
  { label: 'W+X', colour: '#ff2d55', what: 'writable and executable' },
  { label: 'RX', colour: '#f0a431', what: 'read, execute' },
  { label: 'RW', colour: '#3fb45f', what: 'read, write' },
  { label: 'R', colour: '#4f86d9', what: 'read only' },
  { label: 'X', colour: '#b47cf0', what: 'execute only' },
  { label: 'W', colour: '#2ab7a9', what: 'write only' },
  { label: 'none', colour: '#6b7280', what: 'present, no access' },
];
export const USER_COLOUR = '#8be9ff';
/** Ranges the filter leaves out are drawn in this, so the shape of the space stays visible. */
export const FILTERED_COLOUR = '#3a3f48';

/** The class of effective permissions. */
export function permClass(read: boolean, write: boolean, exec: boolean): number {
  if (write && exec) return WX;
  if (exec) return read ? 1 : 4;
  if (write) return read ? 2 : 5;
  return read ? 3 : 6;
}

/** The permission filters of the toolbar's "show" box. */
export const PERM_FILTERS: Record<string, (r: RangeJson, cls: number) => boolean> = {
  all: () => true,
  wx: (_r, cls) => cls === WX,
  user: (r) => r.user,
  kernel: (r) => !r.user,
  exec: (r) => r.exec,
  write: (r) => r.write,
  ro: (r) => r.read && !r.write && !r.exec,
};
