import { readFileSync } from 'node:fs';
import { inlineScriptText } from './escape.js';

/**
 * The page script, bundled at build time (scripts/build-page.mjs) with the parts of ECharts and
 * echarts-gl it draws with, read from dist/ at render time (never from a CDN) and inlined. The same
 * relative path works from src/report/html (tests) and dist/report/html (the installed tool).
 */
const PAGE_BUNDLE = new URL('../../../dist/report-page.js', import.meta.url);

let cached: string | undefined;

export function pageScript(): string {
  if (cached === undefined) {
    let text: string;
    try {
      text = readFileSync(PAGE_BUNDLE, 'utf8');
    } catch {
      throw new Error(`the report page script is missing (${PAGE_BUNDLE.pathname}): run npm run build`);
    }
    cached = inlineScriptText(text, 'report page script');
  }
  return cached;
}
