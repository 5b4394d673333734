/**
 * The layers of src (DESIGN.md and the walker work of issue 8): arch ->
 * decompress -> memory -> dump -> walk -> mm -> ptdump -> view -> cli, a
 * layer importing only from itself and the layers before it (and the shared
 * top-level helpers errors, hex, units, options). memory defines the
 * PageSource interface the dump formats implement, as walk/ defines what it
 * needs of an address space. The programs (cli, the view's page script) may
 * use the entry-level files (machine, node/, index). Checked on the import
 * statements of every source file.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../src/', import.meta.url).pathname;
const LAYERS = ['arch', 'decompress', 'memory', 'dump', 'walk', 'mm', 'ptdump', 'view', 'cli'];
const SHARED = new Set(['errors.ts', 'hex.ts', 'units.ts', 'options.ts']);
/** Programs: they may import the entry-level files. */
const isProgram = (rel: string) => rel.startsWith('cli/') || rel.startsWith('view/page/');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The layer index of a path relative to src, -1 for a shared helper, null for anything else (entries, node/). */
function layerOf(rel: string): number | null {
  const top = rel.split('/')[0];
  if (SHARED.has(rel)) return -1;
  const i = LAYERS.indexOf(top);
  return i >= 0 ? i : null;
}

describe('layering: arch -> decompress -> memory -> dump -> walk -> mm -> ptdump -> view -> cli', () => {
  it('no file imports from a later layer (walk/ in particular imports nothing from mm/)', () => {
    const bad: string[] = [];
    for (const file of files(SRC)) {
      const rel = relative(SRC, file);
      const mine = layerOf(rel);
      if (mine === null || mine < 0) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gm)) {
        const target = relative(SRC, join(file, '..', m[1])).replace(/\.js$/, '.ts');
        const theirs = layerOf(target);
        // entry-level files (machine, node/, the demo layout, index) sit above mm: only programs may use them
        if (theirs === null) {
          if (!isProgram(rel)) bad.push(`${rel} imports ${target}, outside the layers`);
        }
        else if (theirs > mine) bad.push(`${rel} (${LAYERS[mine]}) imports ${target} (${LAYERS[theirs]})`);
      }
    }
    expect(bad).toEqual([]);
  });
});
