import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Set by tsup.config.ts when it bundles the CLI: the page script, built for browsers. */
declare const __PAGEWALK_VIEW_PAGE__: string | undefined;

/**
 * How the page script is bundled (esbuild options, shared with
 * tsup.config.ts): src/view/page/main.ts and the library code it uses, as
 * one classic script a file:// page can run. Not minified: a kernel
 * developer curious about what the page does can read it in the HTML.
 */
export const PAGE_BUILD = {
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  write: false,
  legalComments: 'none',
} as const;

export const PAGE_ENTRY = fileURLToPath(new URL('./page/main.ts', import.meta.url));

/**
 * The page's script. dist/cli.js carries it built in; run from the sources
 * (the tests, development) it is bundled here and now with esbuild, which
 * tsup brings.
 */
export function pageScript(): string {
  if (typeof __PAGEWALK_VIEW_PAGE__ === 'string') return __PAGEWALK_VIEW_PAGE__;
  const esbuild = createRequire(import.meta.url)('esbuild') as {
    buildSync(o: object): { outputFiles: { text: string }[] };
  };
  return esbuild.buildSync({ ...PAGE_BUILD, entryPoints: [PAGE_ENTRY] }).outputFiles[0].text;
}
