import { writeFile } from 'node:fs/promises';
import type { HuntResult } from '../score/finding.js';
import { buildPayload, type HtmlReportOptions } from './html/data.js';
import { jsonForScript } from './html/escape.js';
import { pageScript } from './html/libraries.js';
import { PAGE_STYLE } from './html/style.js';
import { renderDocument } from './html/template.js';

export type { HtmlReportOptions } from './html/data.js';

/**
 * The offline HTML report: one self-contained file (the page script, bundled with the parts of
 * ECharts and echarts-gl it uses, and the data inlined) with the seed's 3-D scatter, the ranked findings and a drill-down per finding.
 * It loads nothing from the network; its CSP forbids it. Log values reach the page only as escaped
 * JSON in a data block, and the page script writes them as text.
 *
 * The scatter and the flow timelines need `hunt({ reportTop })`; without `result.report` the page
 * still has the summary, the findings table, reasons and features.
 */
export function renderHtmlReport(result: HuntResult, options: HtmlReportOptions = {}): string {
  const payload = buildPayload(result, options);
  const n = result.findings.length;
  return renderDocument({
    title: `beaconhunt report: ${n} finding${n === 1 ? '' : 's'}`,
    style: PAGE_STYLE,
    dataJson: jsonForScript(payload),
    scripts: [pageScript()],
  });
}

export async function writeHtmlReport(
  result: HuntResult,
  path: string,
  options: HtmlReportOptions = {},
): Promise<void> {
  await writeFile(path, renderHtmlReport(result, options));
}
