/**
 * A kernel .config (as in /boot/config-*, or /proc/config.gz once
 * decompressed): `CONFIG_FOO=y`, `CONFIG_BAR="text"`, `# CONFIG_BAZ is not set`.
 */
export class KernelConfig {
  private readonly values: Map<string, string>;
  /** Lines that parsed as config lines (assignments and "is not set" comments). */
  readonly lines: number;

  constructor(values: Map<string, string> = new Map(), lines = values.size) {
    this.values = values;
    this.lines = lines;
  }

  /** The value of an option (without quotes), or undefined when unset. Accepts names with or without CONFIG_. */
  get(name: string): string | undefined {
    return this.values.get(name.startsWith('CONFIG_') ? name : `CONFIG_${name}`);
  }

  /** True for =y and =m. */
  enabled(name: string): boolean {
    const v = this.get(name);
    return v === 'y' || v === 'm';
  }

  /** A numeric option (decimal or 0x hex), or `fallback`. */
  number(name: string, fallback: number): number {
    const v = this.get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    return Number.isFinite(n) ? n : fallback;
  }

  get size(): number {
    return this.values.size;
  }
}

/** Parses .config text. Lines that are neither assignments nor "is not set" comments are ignored. */
export function parseKernelConfig(text: string): KernelConfig {
  const values = new Map<string, string>();
  let lines = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (/^# CONFIG_[A-Za-z0-9_]+ is not set$/.test(line)) lines++;
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (m === null) continue;
    lines++;
    let v = m[2];
    if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    values.set(m[1], v);
  }
  return new KernelConfig(values, lines);
}
