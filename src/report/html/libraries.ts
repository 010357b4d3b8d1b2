import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { inlineScriptText } from './escape.js';
import { patchEchartsGl } from './gl-expression.js';

/**
 * ECharts and echarts-gl, read from node_modules at render time (never from a CDN) and inlined.
 * echarts' package exports do not list its dist folder, so it is found beside its main entry.
 */
export interface ChartLibraries {
  echarts: string;
  echartsGl: string;
  /**
   * True when echarts-gl's `new Function` could not be patched out (a changed echarts-gl build):
   * the page then needs 'unsafe-eval' for the 3-D scatter. A test fails when this happens.
   */
  needsEval: boolean;
}

let cached: ChartLibraries | undefined;

export function chartLibraries(): ChartLibraries {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const echartsPath = join(dirname(require.resolve('echarts')), 'echarts.min.js');
    const glPath = require.resolve('echarts-gl/dist/echarts-gl.min.js');
    const gl = patchEchartsGl(readFileSync(glPath, 'utf8'));
    cached = {
      echarts: inlineScriptText(readFileSync(echartsPath, 'utf8'), 'echarts'),
      echartsGl: inlineScriptText(gl.text, 'echarts-gl'),
      needsEval: !gl.patched,
    };
  }
  return cached;
}
