/**
 * The W+X warning lines of one check, in bounded memory: a crafted table
 * set can hold billions of W+X ranges, and the kernel itself only counts
 * pages and warns once. Lines go to the caller's sink as they are found
 * (nothing kept), or, without a sink, the first `keep` are kept for
 * WxResult.warnings and the rest only counted.
 */
export class WxWarnings {
  private readonly kept: string[] = [];
  /** Lines neither kept nor sent (over `keep`, without a sink). */
  omitted = 0;

  constructor(
    private readonly sink: ((line: string) => void) | undefined,
    private readonly keep = 1000,
  ) {}

  add(line: string): void {
    if (this.sink !== undefined) this.sink(line);
    else if (this.kept.length < this.keep) this.kept.push(line);
    else this.omitted++;
  }

  /** The kept lines (empty when they went to a sink). */
  list(): string[] {
    return this.kept.slice();
  }
}
