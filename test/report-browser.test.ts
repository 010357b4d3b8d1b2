import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToFile } from '../src/generate/index.js';
import { hunt } from '../src/hunt/hunt.js';
import { writeHtmlReport } from '../src/report/html-report.js';
import type { HuntResult } from '../src/score/finding.js';
import {
  type Browser,
  chromiumMissing,
  launchChromium,
  type PageWatch,
  watchPage,
} from './browser/chromium.js';
import { seriesLength } from './browser/page.js';
import { countColour, countInk, decodePng, lowestBlobCentre } from './browser/png.js';

/*
 * The HTML report of generated demo data, opened from file:// in headless chromium as an analyst
 * would: offline, the 3-D scatter drawn, the table filtered and sorted, a finding drilled into.
 * Screenshots go to test-artifacts/.
 */
const ARTIFACTS = resolve(import.meta.dirname, '..', 'test-artifacts');
const BEACON_RED = '#d62728';
const missing = chromiumMissing();
if (missing) console.warn(missing);

let dir: string;
let reportPath: string;
let result: HuntResult;
let flowsWritten: number;
let browser: Browser;
let page: Page;
let watch: PageWatch;

async function shot(name: string, selector?: string): Promise<Buffer> {
  const path = join(ARTIFACTS, `report-${name}.png`);
  return selector ? page.locator(selector).screenshot({ path }) : page.screenshot({ path, fullPage: true });
}

async function rowCount(): Promise<number> {
  return page.locator('#findings-body tr').count();
}

describe.skipIf(missing)('the HTML report of demo data, in chromium', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bh-report-'));
    await mkdir(ARTIFACTS, { recursive: true });
    const log = join(dir, 'conn.log');
    const [generated, launched] = await Promise.all([
      generateToFile({ format: 'zeek', out: log, flows: 60_000, seed: 3 }),
      launchChromium(),
    ]);
    browser = launched;
    flowsWritten = generated.flows; // the recorded pairs may take more than the 60 000 asked for
    result = await hunt({ inputs: [log], reportTop: 50, reportFlowLimit: 5000 });
    reportPath = join(dir, 'report.html');
    await writeHtmlReport(result, reportPath);
    page = await browser.context.newPage();
    watch = watchPage(page);
    await page.goto(pathToFileURL(reportPath).href);
    await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is one file of reasonable size that shows the data read', async () => {
    expect(result.findings.length).toBeGreaterThan(5);
    expect((await stat(reportPath)).size).toBeLessThan(3_000_000);
    const summary = await page.locator('#summary').textContent();
    expect(summary).toContain(flowsWritten.toLocaleString('en-US'));
    expect(summary).toContain('zeek-tsv');
    expect(summary).toContain('conn.log');
    expect(summary).toMatch(/2024-03-05 00:00:\d\dZ → 2024-03-05 23:59:\d\dZ/);
    expect(summary).toContain('duckdb');
    // The top finding is open from the start.
    expect(await page.getAttribute('#timeline', 'data-index')).toBe('0');
  });

  it('draws the 3-D scatter with WebGL: flagged pairs in their colours', async () => {
    expect(await page.getAttribute('#scatter', 'data-mode')).toBe('gl');
    let red = 0;
    let ink = 0;
    for (let tries = 0; tries < 20 && red < 30; tries++) {
      await page.waitForTimeout(250);
      const image = decodePng(await shot('scatter', '#scatter'));
      red = countColour(image, BEACON_RED);
      ink = countInk(image);
    }
    expect(red, 'beacon-red pixels in the scatter').toBeGreaterThan(30);
    expect(ink, 'pixels drawn in the scatter').toBeGreaterThan(5000);
  });

  it('a click on a beacon point in the 3-D scatter opens that finding', async () => {
    const image = decodePng(await page.locator('#scatter').screenshot());
    const point = lowestBlobCentre(image, BEACON_RED, 30);
    expect(point).not.toBeNull();
    const before = await page.getAttribute('#timeline', 'data-index');
    // echarts-gl picks on hover, so the mouse moves onto the point first, as a person's would.
    const box = await page.locator('#scatter').boundingBox();
    const [x, y] = [(box?.x ?? 0) + (point?.x ?? 0), (box?.y ?? 0) + (point?.y ?? 0) - 1];
    await page.mouse.move(x - 20, y - 20);
    await page.mouse.move(x, y, { steps: 4 });
    await page.waitForTimeout(150);
    await page.mouse.click(x, y);
    await expect.poll(() => page.getAttribute('#timeline', 'data-index')).not.toBe(before);
    const opened = result.findings[Number(await page.getAttribute('#timeline', 'data-index'))];
    expect(opened?.verdict).toBe('beacon');
    expect(await page.locator('#detail-title').textContent()).toContain(`${opened?.src} → ${opened?.dst}`);
  });

  it('marks the selected finding in its verdict colour with its rank, not as a grey (unflagged-looking) sphere', async () => {
    const f = result.findings[0] as HuntResult['findings'][number];
    await page.locator('#findings-body tr[data-index="0"]').click();
    await expect.poll(() => page.getAttribute('#timeline', 'data-index')).toBe('0');
    const selected = (await page.evaluate(`(() => {
      const s = echarts.getInstanceByDom(document.getElementById('scatter')).getOption().series;
      const m = s[s.length - 1];
      return { name: m.name, points: m.data.length, color: m.itemStyle.color, label: m.label.formatter };
    })()`)) as { name: string; points: number; color: string; label: string };
    expect(selected).toEqual({
      name: 'selected',
      points: 1,
      color: f.verdict === 'beacon' ? BEACON_RED : expect.any(String),
      label: '#1',
    });
    expect(selected.color).not.toBe('#111');
  });

  it('fits the findings table in a 1400 px window', async () => {
    const widths = (await page.evaluate(`(() => ({
      table: document.getElementById('findings-table').scrollWidth,
      wrap: document.querySelector('#findings .table-wrap').clientWidth,
      page: document.documentElement.scrollWidth,
    }))()`)) as { table: number; wrap: number; page: number };
    expect(page.viewportSize()?.width).toBe(1400);
    expect(widths.table).toBeLessThanOrEqual(widths.wrap);
    expect(widths.page).toBeLessThanOrEqual(1400);
  });

  it("draws a zero-byte beacon's timeline as connections per round time bin, adding up to its flows", async () => {
    const i = result.findings.findIndex(
      (f) => f.features.orig_bytes_total === 0 && f.features.resp_bytes_total === 0 && f.flows > 100,
    );
    expect(i, 'the generator plants a beacon whose C2 refuses connections').toBeGreaterThanOrEqual(0);
    await page.locator(`#findings-body tr[data-index="${i}"]`).click();
    await expect.poll(() => page.getAttribute('#timeline', 'data-index')).toBe(String(i));
    const strip = (await page.evaluate(`(() => {
      const s = echarts.getInstanceByDom(document.getElementById('timeline')).getOption().series[0];
      return { type: s.type, name: s.name, total: s.data.reduce((a, d) => a + d[1], 0), bars: s.data.length };
    })()`)) as { type: string; name: string; total: number; bars: number };
    expect(strip.type).toBe('bar');
    expect(strip.name).toMatch(/^connections per \d+ (s|min|h) \(no bytes recorded\)$/);
    expect(strip.total).toBe(Number(await page.getAttribute('#timeline', 'data-points')));
    expect(strip.bars).toBeGreaterThan(10);
    await shot('timeline-zero-bytes', '#timeline');
  });

  it('a clicked row shows its own timeline, histograms, reasons and sub-scores', async () => {
    // a finding with bytes, so the timeline has a point per flow
    const index = result.findings.findIndex((f, k) => k >= 2 && (f.features.resp_bytes_total ?? 0) > 0);
    const f = result.findings[index] as HuntResult['findings'][number];
    await page.locator(`#findings-body tr[data-index="${index}"]`).click();
    await expect.poll(() => page.getAttribute('#timeline', 'data-index')).toBe(String(index));
    expect(await page.locator('#detail-title').textContent()).toContain(`${f.src} → ${f.dst}`);
    expect(await page.locator('#findings-body tr.selected').getAttribute('data-index')).toBe(String(index));
    const points = Number(await page.getAttribute('#timeline', 'data-points'));
    expect(points).toBe(Math.min(f.flows, 5000));
    expect(await seriesLength(page, 'timeline', 0)).toBe(points);
    expect(await seriesLength(page, 'gaps', 0)).toBeGreaterThan(1);
    expect(await page.locator('#detail-reasons li').count()).toBe(f.reasons.length);
    expect(await page.locator('#detail-components .component').count()).toBe(
      Object.keys(f.components).length,
    );
    // Byte ticks on round values: 1-2-5 × 10^k bytes, KiB or MiB (never 48.8 KiB).
    const interval = (await page.evaluate(
      `echarts.getInstanceByDom(document.getElementById('timeline')).getOption().yAxis[0].interval`,
    )) as number;
    const unit = interval >= 1024 * 1024 ? 1024 * 1024 : interval >= 1024 ? 1024 : 1;
    const mantissa = interval / unit / 10 ** Math.floor(Math.log10(interval / unit));
    expect([1, 2, 5]).toContain(Math.round(mantissa * 1e9) / 1e9);
    await page.waitForTimeout(200);
    const timeline = decodePng(await shot('timeline', '#timeline'));
    expect(countColour(timeline, '#1f77b4', 30) + countColour(timeline, BEACON_RED, 30)).toBeGreaterThan(50);
    await shot('detail', '#detail');
  });

  it('filters the table by IP, verdict, severity and text, and sorts by a column', async () => {
    const all = result.findings.length;
    expect(await rowCount()).toBe(all);
    const ip = (result.findings[0] as HuntResult['findings'][number]).dst;
    await page.fill('#f-ip', ip);
    const withIp = result.findings.filter((f) => f.src.includes(ip) || f.dst.includes(ip)).length;
    await expect.poll(rowCount).toBe(withIp);
    expect(withIp).toBeLessThan(all);
    await page.fill('#f-ip', '');
    await expect.poll(rowCount).toBe(all);

    // the rarest verdict present, so the filter must drop rows
    const counts = new Map<string, number>();
    for (const f of result.findings) counts.set(f.verdict, (counts.get(f.verdict) ?? 0) + 1);
    const verdict = [...counts.entries()].sort((a, b) => a[1] - b[1])[0]?.[0] ?? 'beacon';
    await page.selectOption('#f-verdict', verdict);
    const anomalies = result.findings.filter((f) => f.verdict === verdict).length;
    expect(anomalies).toBeGreaterThan(0);
    expect(anomalies).toBeLessThan(all);
    await expect.poll(rowCount).toBe(anomalies);
    expect(await page.locator('#f-count').textContent()).toBe(`showing ${anomalies} of ${all} findings`);
    await page.selectOption('#f-verdict', '');

    await page.selectOption('#f-severity', 'critical');
    await expect.poll(rowCount).toBe(result.findings.filter((f) => f.severity === 'critical').length);
    await page.selectOption('#f-severity', '');

    await page.fill('#f-text', 'no such text anywhere');
    await expect.poll(rowCount).toBe(0);
    expect(await page.locator('#findings-empty').isVisible()).toBe(true);
    await page.fill('#f-text', '');
    await expect.poll(rowCount).toBe(all);

    await page.locator('#findings-head th[data-key="flows"]').click();
    const most = Math.max(...result.findings.map((f) => f.flows));
    expect(await page.locator('#findings-body tr:first-child td:nth-child(9)').textContent()).toBe(
      most.toLocaleString('en-US'),
    );
    await page.locator('#findings-head th[data-key="rank"]').click();
    expect(await page.locator('#findings-body tr:first-child td:first-child').textContent()).toBe('1');
    await shot('page');
  });

  it('a hunt with no findings and no report data still makes a working page', async () => {
    const empty: HuntResult = {
      findings: [],
      summary: {
        ...result.summary,
        findings_by_severity: { critical: 0, high: 0, medium: 0, low: 0, none: 0 },
      },
    };
    const path = join(dir, 'empty.html');
    await writeHtmlReport(empty, path);
    const other = await browser.context.newPage();
    const otherWatch = watchPage(other);
    await other.goto(pathToFileURL(path).href);
    await other.waitForSelector('body[data-ready="1"]', { state: 'attached' });
    expect(await other.locator('#no-findings').isVisible()).toBe(true);
    expect(await other.locator('#detail').isVisible()).toBe(false);
    expect(await other.locator('#scatter').textContent()).toContain('No scatter data');
    expect(otherWatch.errors).toEqual([]);
    expect(otherWatch.network).toEqual([]);
    await other.close();
  });

  it('never touched the network and logged no error (CSP included)', async () => {
    expect(watch.network).toEqual([]);
    expect(watch.errors).toEqual([]);
    await copyFile(reportPath, join(ARTIFACTS, 'report-demo.html'));
  });
});
