/**
 * `pagewalk leaves --format text`, formatted straight into bytes: a 16 GiB
 * direct map in 4K pages is 4 Mi lines, and building a string per line
 * (and a Leaf object per leaf) cost three times the walk. Lines are
 * `VA: PA SIZE LEVEL PERMS FLAGS`, as leafText() writes them; everything
 * after the addresses depends only on the leaf's kind and is encoded once.
 */
import type { LeafKind } from '../mm/leaves.js';
import { permString } from './format.js';
import type { LineWriter } from './output.js';
import { sizeName } from '../units.js';

const HEX = new TextEncoder().encode('0123456789abcdef');
const TWO32 = 2 ** 32;
const LINE_MAX = 4096;

export class LeafTextWriter {
  private readonly buf = new Uint8Array(65536);
  private n = 0;
  private readonly tails = new Map<LeafKind, Uint8Array>();
  /** The kind of the leaf before (leaves come in runs of one kind) and its tail. */
  private lastKind: LeafKind | null = null;
  private lastTail: Uint8Array = new Uint8Array(0);
  private readonly encoder = new TextEncoder();

  constructor(private readonly out: LineWriter) {}

  leaf(va: number, pa: number, size: number, kind: LeafKind): void {
    const tail = kind === this.lastKind ? this.lastTail : this.tailOf(size, kind);
    if (this.n + 40 + tail.length > this.buf.length) this.flush();
    const b = this.buf;
    this.hex16(va);
    b[this.n++] = 0x3a; // ':'
    b[this.n++] = 0x20;
    this.hex16(pa);
    b.set(tail, this.n);
    this.n += tail.length;
  }

  private tailOf(size: number, kind: LeafKind): Uint8Array {
    let tail = this.tails.get(kind);
    if (tail === undefined) {
      tail = this.encoder.encode(` ${sizeName(size).padStart(4)} ${kind.level} ${permString(kind.perms)} ${kind.flags.join(' ')}\n`).subarray(0, LINE_MAX);
      this.tails.set(kind, tail);
    }
    this.lastKind = kind;
    this.lastTail = tail;
    return tail;
  }

  flush(): void {
    if (this.n === 0) return;
    this.out.ascii(this.buf.subarray(0, this.n));
    this.n = 0;
  }

  /** `0x` and 16 hex digits of an address below 2^64 (an exact double: its halves are exact). */
  private hex16(v: number): void {
    const b = this.buf;
    let n = this.n;
    b[n++] = 0x30;
    b[n++] = 0x78;
    const hi = Math.floor(v / TWO32);
    const lo = v - hi * TWO32;
    for (let s = 28; s >= 0; s -= 4) b[n++] = HEX[(hi >>> s) & 15];
    for (let s = 28; s >= 0; s -= 4) b[n++] = HEX[(lo >>> s) & 15];
    this.n = n;
  }
}
