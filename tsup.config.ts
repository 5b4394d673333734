import { defineConfig } from 'tsup';

// Two bundles: the public library (ESM + CJS + .d.ts) and the demo program.
// The library bundle has no Node imports, so it runs in browsers too.
export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'neutral',
  },
  {
    entry: { demo: 'src/demo.ts' },
    format: ['esm'],
    target: 'es2022',
    platform: 'node',
  },
]);
