/**
 * The one error type pagewalk throws. `code` is the errno-style reason (what
 * the kernel would return); the message names the offending value and the
 * rule it broke, so a caller can act on it without reading the source.
 */
export type PagewalkErrorCode =
  /** A value breaks a rule of the arch or the API (alignment, range, unknown name). */
  | 'EINVAL'
  /** No memory left for a table page. */
  | 'ENOMEM'
  /** The range is already mapped (map without `replace`). */
  | 'EEXIST'
  /** The range (or part of it) is not mapped. */
  | 'ENOENT'
  /** A physical address outside the memory image. */
  | 'EFAULT'
  /** A write to a read-only image (a loaded dump is evidence). */
  | 'EROFS'
  /** The address space is held by a walk in progress. */
  | 'EBUSY'
  /**
   * pagewalk's: a walk's entry budget ran out (WalkOptions.budget /
   * the budget option of ptdump(), ptdumpLines(), checkWx(), forEachLeaf():
   * more than `maxEntries` entries visited). The walk returns E2BIG (-7).
   */
  | 'E2BIG'
  /** Malformed input image (ELF core, raw dump, gzip data). */
  | 'EBADIMAGE'
  /** A file that cannot be read as an image: missing, unreadable, empty, not a regular file, or over a size limit. */
  | 'EIO';

export class PagewalkError extends Error {
  readonly code: PagewalkErrorCode;

  constructor(code: PagewalkErrorCode, message: string) {
    super(message);
    this.name = 'PagewalkError';
    this.code = code;
  }
}

/** 0x-prefixed lowercase hex of a number or bigint, for messages. */
export function hex(value: number | bigint): string {
  if (typeof value === 'bigint') return (value < 0n ? '-0x' + (-value).toString(16) : '0x' + value.toString(16));
  if (!Number.isFinite(value)) return String(value);
  return value < 0 ? '-0x' + (-value).toString(16) : '0x' + value.toString(16);
}
