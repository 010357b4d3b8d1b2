/**
 * The chart library, cut to what the page draws: ECharts core with the canvas renderer, the 2-D
 * scatter and bar charts, grid, legend, tooltip, data zoom, mark line/area, and from echarts-gl only
 * the 3-D scatter and its grid. (The full builds carried maps, globes and every other chart.)
 */
import { BarChart, type BarSeriesOption, ScatterChart, type ScatterSeriesOption } from 'echarts/charts';
import {
  type DataZoomComponentOption,
  DataZoomInsideComponent,
  DataZoomSliderComponent,
  GridComponent,
  type GridComponentOption,
  LegendComponent,
  type LegendComponentOption,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
  type TooltipComponentOption,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { install as Scatter3DChart } from 'echarts-gl/lib/chart/scatter3D/install.js';
import { install as Grid3DComponent } from 'echarts-gl/lib/component/grid3D/install.js';

echarts.use([
  CanvasRenderer,
  ScatterChart,
  BarChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  DataZoomInsideComponent,
  DataZoomSliderComponent,
  MarkAreaComponent,
  MarkLineComponent,
  Scatter3DChart,
  Grid3DComponent,
]);

/** Options of the 2-D charts, type-checked against ECharts' declarations. */
export type ChartOption = echarts.ComposeOption<
  | ScatterSeriesOption
  | BarSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
  | DataZoomComponentOption
>;

/** The tests (and a curious user's console) reach the charts through `echarts.getInstanceByDom`. */
(window as unknown as { echarts: Pick<typeof echarts, 'getInstanceByDom'> }).echarts = {
  getInstanceByDom: echarts.getInstanceByDom,
};

// zrender takes the width of '国' as a font's line height. Without a CJK font that glyph is a
// narrow fallback box, and echarts-gl's axis labels come out clipped: measure it as 1 em instead.
const measuring = document.createElement('canvas').getContext('2d');
if (measuring) {
  echarts.setPlatformAPI({
    measureText(text: string, font?: string) {
      measuring.font = font || '12px sans-serif';
      const m = measuring.measureText(text);
      const px = /(\d+(?:\.\d+)?)px/.exec(measuring.font);
      if (text === '国' && px && m.width < 0.9 * Number(px[1])) return { width: Number(px[1]) };
      return m;
    },
  });
}

const charts: echarts.ECharts[] = [];

export function chart(node: HTMLElement): echarts.ECharts {
  const c = echarts.init(node, null, { renderer: 'canvas' });
  charts.push(c);
  return c;
}

window.addEventListener('resize', () => {
  for (const c of charts) c.resize();
});

export function webglAvailable(): boolean {
  try {
    const c = document.createElement('canvas');
    return !!(c.getContext('webgl') || c.getContext('experimental-webgl'));
  } catch {
    return false;
  }
}
