import type { Page } from 'playwright-core';

/*
 * In-page helpers for the report tests. The project compiles without the DOM library, so what runs
 * inside the page is written as JavaScript source here.
 */

/** Points in one series of the ECharts chart drawn in element `id`. */
export async function seriesLength(page: Page, id: string, series: number): Promise<number> {
  return (await page.evaluate(
    `echarts.getInstanceByDom(document.getElementById(${JSON.stringify(id)})).getOption().series[${series}].data.length`,
  )) as number;
}

/** Where the first point of a series (by name; the first series if none) of the chart in `id` is, relative to it. */
export async function firstPointPixel(
  page: Page,
  id: string,
  seriesName?: string,
): Promise<[number, number]> {
  return (await page.evaluate(`(() => {
    const chart = echarts.getInstanceByDom(document.getElementById(${JSON.stringify(id)}));
    const series = chart.getOption().series;
    const index = Math.max(0, series.findIndex((s) => s.name === ${JSON.stringify(seriesName ?? null)}));
    const first = series[index].data[0];
    return chart.convertToPixel({ seriesIndex: index }, [first[0], first[1]]);
  })()`)) as [number, number];
}

/** What the XSS probes set when any of them runs. */
export async function xssFlag(page: Page): Promise<unknown> {
  return page.evaluate('window.__xss');
}

/** Make the page believe it has no WebGL (before its scripts run): the report falls back to 2-D. */
export async function withoutWebgl(page: Page): Promise<void> {
  await page.addInitScript({
    content: `(() => {
      const getContext = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
        return /webgl/i.test(type) ? null : getContext.call(this, type, ...rest);
      };
    })();`,
  });
}
