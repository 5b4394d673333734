import { PagewalkError } from '../errors.js';

/** What an API taking a file's bytes accepts: an ArrayBuffer, a Uint8Array, or a Node Buffer (a Uint8Array). */
export type BytesLike = ArrayBuffer | Uint8Array;

/** The bytes as a Uint8Array view (no copy), or EINVAL naming the parameter. */
export function asBytes(value: unknown, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new PagewalkError('EINVAL', `${what} must be an ArrayBuffer or a Uint8Array (a Node Buffer is one), got ${got}`);
}
