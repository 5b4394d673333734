import { writeSync } from 'node:fs';

/** Where the CLI's text goes: a function taking a chunk of complete lines. */
export type ChunkSink = (chunk: string) => void;

/** Synchronous writes to a file descriptor; a reader that stops early (`| head`) ends the program quietly. */
export function fdSink(fd: number): ChunkSink {
  return (chunk) => {
    let data = Buffer.from(chunk);
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
  private bytes = 0;

  constructor(private readonly sink: ChunkSink) {}

  line(text: string): void {
    this.buffer.push(text);
    this.bytes += text.length + 1;
    if (this.bytes >= 65536) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    const chunk = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.bytes = 0;
    this.sink(chunk);
  }
}
