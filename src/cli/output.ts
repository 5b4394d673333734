import { writeSync } from 'node:fs';

const LATIN1 = new TextDecoder('latin1');

/** Where the CLI's text goes: a function taking a chunk of complete lines. */
export type ChunkSink = (chunk: string) => void;
/** Where binary output goes (`read --format raw`). */
export type ByteSink = (bytes: Uint8Array) => void;

/** Synchronous writes to a file descriptor; a reader that stops early (`| head`) ends the program quietly. */
export function fdSink(fd: number): ChunkSink & ByteSink {
  return (chunk: string | Uint8Array) => {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (data.length > 0) {
      try {
        data = data.subarray(writeSync(fd, data));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') continue;
        if (code === 'EPIPE') process.exit(0);
        throw e;
      }
    }
  };
}

/**
 * Lines gathered into 64 KiB chunks: a dump of 65,000 ranges never sits in
 * memory whole.
 */
export class LineWriter {
  private buffer: string[] = [];
  private pending = 0;

  constructor(
    private readonly sink: ChunkSink,
    private readonly byteSink?: ByteSink,
  ) {}

  line(text: string): void {
    this.buffer.push(text);
    this.pending += text.length + 1;
    if (this.pending >= 65536) this.flush();
  }

  /**
   * Writes ASCII text given as bytes after the lines so far (the bulk
   * writers format straight into a byte buffer). The bytes are written
   * before this returns, so the caller may reuse the buffer.
   */
  ascii(data: Uint8Array): void {
    this.flush();
    if (this.byteSink !== undefined) this.byteSink(data);
    else this.sink(LATIN1.decode(data));
  }

  /** Writes bytes after the lines so far (binary output). */
  bytes(data: Uint8Array): void {
    if (this.byteSink === undefined) throw new Error('this output takes text only');
    this.flush();
    this.byteSink(data);
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.pending = 0;
    this.sink(chunk);
  }
}
