import { buildSync } from 'esbuild';
import { defineConfig } from 'tsup';
import { PAGE_BUILD, PAGE_ENTRY } from './src/view/page-script.js';

// The view's page script (src/view/page/main.ts), bundled for browsers with
// tsup's own esbuild and built into the CLI as a string: `pagewalk view`
// writes it into each HTML file, so dist/cli.js stays one self-sufficient file.
const viewPage = buildSync({ ...PAGE_BUILD, entryPoints: [PAGE_ENTRY] }).outputFiles[0].text;

// The library: the core entry (no Node APIs, runs in browsers) and the
// Node-only entry 'pagewalk/node', ESM + CJS + .d.ts, sharing one copy of
// the code through split chunks (so a PhysicalMemory from 'pagewalk/node'
// is the class 'pagewalk' exports). The CLI and the demo are programs.
export default defineConfig([
  {
    entry: { index: 'src/index.ts', node: 'src/node.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    splitting: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'node',
    // Inline the bit-mask and level constants: esbuild turns top-level
    // `const`s into `var`s in a bundle, which V8 then loads and checks on
    // every use in the hot path (and boxes a value around the generic op).
    minifySyntax: true,
  },
  {
    entry: { cli: 'src/cli/bin.ts', demo: 'src/demo.ts' },
    format: ['esm'],
    target: 'es2022',
    platform: 'node',
    define: { __PAGEWALK_VIEW_PAGE__: JSON.stringify(viewPage) },
  },
]);
