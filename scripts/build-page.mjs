#!/usr/bin/env node
/**
 * Bundles the report page (src/report/page/main.ts) with the parts of ECharts and echarts-gl it uses
 * into one minified browser script, dist/report-page.js, which the HTML report inlines and allows by
 * its CSP hash. echarts-gl's one `new Function` (which the CSP forbids) is replaced by the evaluator
 * in src/report/html/gl-expression.ts; the build fails if that replacement no longer applies.
 * Run by `npm run build` and before the tests (test/setup/build-page.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PAGE_BUNDLE = join(root, 'dist', 'report-page.js');

/** The patch lives in TypeScript beside its tests; esbuild compiles it for this script. */
async function loadPatch() {
  const out = await build({
    entryPoints: [join(root, 'src/report/html/gl-expression.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
  });
  const code = out.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

/**
 * echarts-gl imports echarts' and zrender's internals without a file extension, which their package
 * exports ("./*": "./*") do not map: add the ".js".
 */
const extensionlessInternals = {
  name: 'extensionless-internals',
  setup(b) {
    b.onResolve({ filter: /^(echarts|zrender)\/lib\/[^.]+$/ }, (args) =>
      b.resolve(`${args.path}.js`, { kind: args.kind, resolveDir: args.resolveDir }),
    );
  },
};

export async function buildPage() {
  const { patchEchartsGl } = await loadPatch();
  const out = await build({
    entryPoints: [join(root, 'src/report/page/main.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    platform: 'browser',
    legalComments: 'none',
    // echarts' development warnings are dropped with its __DEV__ checks.
    define: { __DEV__: 'false', 'process.env.NODE_ENV': '"production"' },
    write: false,
    logLevel: 'warning',
    plugins: [extensionlessInternals],
  });
  const gl = patchEchartsGl(out.outputFiles[0].text);
  if (!gl.patched)
    throw new Error("build-page: echarts-gl's new Function was not found to replace (echarts-gl changed?)");
  mkdirSync(dirname(PAGE_BUNDLE), { recursive: true });
  writeFileSync(PAGE_BUNDLE, gl.text);
  return { path: PAGE_BUNDLE, bytes: Buffer.byteLength(gl.text) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { path, bytes } = await buildPage();
  process.stdout.write(`report page: ${path} (${(bytes / 1024).toFixed(0)} KiB)\n`);
}
