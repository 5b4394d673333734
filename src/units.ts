import { PagewalkError } from './errors.js';

const UNITS = ['', 'K', 'M', 'G', 'T', 'P', 'E'];

/** "4K", "2M", "1G" for a power-of-1024 multiple; plain bytes otherwise. */
export function sizeName(bytes: number): string {
  let u = 0;
  let v = bytes;
  while (v >= 1024 && v % 1024 === 0 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v}${UNITS[u]}`;
}

/** A size written as a number of bytes or as "4K", "2M", "1G", "512M" (also "2MiB", "2m"). */
export type SizeSpec = number | string;

export function parseSize(spec: SizeSpec, what: string): number {
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec <= 0) throw new PagewalkError('EINVAL', `${what} ${spec} must be a positive integer number of bytes`);
    return spec;
  }
  const m = typeof spec === 'string' ? /^\s*(\d+)\s*([kmgtpe]?)(?:i?b)?\s*$/i.exec(spec) : null;
  if (m === null) throw new PagewalkError('EINVAL', `${what} ${JSON.stringify(spec)} is not a size like "4K", "2M" or "1G"`);
  return Number(m[1]) * 1024 ** UNITS.indexOf(m[2].toUpperCase());
}
