/**
 * The one way the decompressors fail. Every message starts with the caller's
 * `where` (which page, which file offset), then the codec, then what was wrong
 * and at which input offset, so a user can find the bad bytes in the dump.
 */
import { PagewalkError } from '../errors.js';

/** Codec names as they appear in messages. */
export type CodecName = 'zlib' | 'deflate' | 'gzip' | 'lzo' | 'snappy' | 'zstd';

/** A PagewalkError('EBADIMAGE') whose message is `${where}: ${codec}: ${msg}`. */
export function corrupt(where: string, codec: CodecName, msg: string): PagewalkError {
  return new PagewalkError('EBADIMAGE', `${where}: ${codec}: ${msg}`);
}

/** The message for a stream that decodes to more than its destination holds. */
export function overflowMessage(capacity: number): string {
  return `output would exceed the ${capacity}-byte destination`;
}
