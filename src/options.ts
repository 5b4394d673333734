import { PagewalkError } from './errors.js';

/**
 * Refuses an options object with a key the callee does not read: a
 * misspelt option (`{ pagesize: '2M' }`, `{ fromat: 'json' }`) must fail,
 * not be silently ignored. Also refuses a non-object.
 */
export function checkOptions(options: unknown, allowed: readonly string[], what: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new PagewalkError('EINVAL', `${what} must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new PagewalkError('EINVAL', `unknown ${what} key "${key}": expected ${allowed.length > 0 ? allowed.join(', ') : 'none'}`);
    }
  }
}
