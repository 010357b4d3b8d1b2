import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hunt } from '../src/hunt/hunt.js';
import { writeHtmlReport } from '../src/report/html-report.js';
import type { HuntResult } from '../src/score/finding.js';
import { type Browser, chromiumMissing, launchChromium, watchPage } from './browser/chromium.js';
import { hostileResult, PROBES } from './browser/hostile.js';
import { firstPointPixel, withoutWebgl, xssFlag } from './browser/page.js';

/*
 * Log data is attacker-controlled. A Zeek conn.log whose service, conn_state and host fields (and
 * its file name) hold script-injection probes, and a hand-made result whose addresses and reasons
 * hold them, are rendered and used in chromium: no probe may run (window.__xss stays undefined),
 * and each is shown as the text it is.
 */
const ARTIFACTS = resolve(import.meta.dirname, '..', 'test-artifacts');
const IMG = PROBES[0] as string;
const SCRIPT = PROBES[1] as string;
const QUOTES = PROBES[2] as string;
const missing = chromiumMissing();
if (missing) console.warn(missing);

const FIELDS = [
  'ts',
  'uid',
  'id.orig_h',
  'id.orig_p',
  'id.resp_h',
  'id.resp_p',
  'proto',
  'service',
  'duration',
  'orig_bytes',
  'resp_bytes',
  'conn_state',
  'host',
];
const TYPES = [
  'time',
  'string',
  'addr',
  'port',
  'addr',
  'port',
  'enum',
  'string',
  'interval',
  'count',
  'count',
  'string',
  'string',
];

/** A beacon with probes in its text fields, background pairs, and a row with a probe for an address. */
function hostileConnLog(): string {
  const lines = [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tconn',
    `#fields\t${FIELDS.join('\t')}`,
    `#types\t${TYPES.join('\t')}`,
  ];
  const states = [IMG, SCRIPT, QUOTES, 'SF'];
  for (let i = 0; i < 120; i++) {
    const ts = 1_709_600_000 + i * 60 + (i % 5) * 0.3;
    lines.push(
      [
        ts.toFixed(3),
        `C${i}`,
        '10.0.0.5',
        50_000 + i,
        '203.0.113.7',
        443,
        'tcp',
        IMG,
        0.1,
        120,
        52,
        states[i % 4],
        SCRIPT,
      ].join('\t'),
    );
  }
  for (let i = 0; i < 200; i++) {
    const ts = 1_709_600_000 + i * 37.3;
    lines.push(
      [
        ts.toFixed(3),
        `B${i}`,
        `10.0.1.${i % 40}`,
        40_000 + i,
        `198.51.100.${i % 17}`,
        80,
        'tcp',
        QUOTES,
        0.5,
        300 + i,
        1000 + 13 * i,
        'SF',
        IMG,
      ].join('\t'),
    );
  }
  lines.push(['1709600001.0', 'X', IMG, 1, SCRIPT, 2, 'tcp', '-', '0', '1', '1', 'SF', '-'].join('\t'));
  lines.push([IMG, SCRIPT, QUOTES].join('\t')); // malformed: kept as an example of a skipped row
  return `${lines.join('\n')}\n`;
}

describe.skipIf(missing)('hostile log values in the HTML report, in chromium', () => {
  let dir: string;
  let browser: Browser;
  let fromLog: HuntResult;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bh-xss-'));
    await mkdir(ARTIFACTS, { recursive: true });
    const log = join(dir, `${IMG}.log`);
    await writeFile(log, hostileConnLog());
    [fromLog, browser] = await Promise.all([hunt({ inputs: [log], reportTop: 10 }), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Open a report, use everything that shows log values, and return the page. */
  async function exercise(result: HuntResult, name: string, options: { webgl: boolean }): Promise<Page> {
    const path = join(dir, `${name}.html`);
    await writeHtmlReport(result, path);
    const page = await browser.context.newPage();
    const watch = watchPage(page);
    if (!options.webgl) await withoutWebgl(page); // a machine without WebGL: the 2-D scatter
    await page.goto(pathToFileURL(path).href);
    await page.waitForSelector('body[data-ready="1"]', { state: 'attached' });
    const rows = await page.locator('#findings-body tr').count();
    for (let i = 0; i < rows; i++) {
      await page.locator('#findings-body tr').nth(i).click();
      if (await page.locator('#detail-charts').isVisible()) await hoverFirstPoint(page, 'timeline');
    }
    await page.fill('#f-text', IMG);
    await page.fill('#f-text', '');
    await page.screenshot({ path: join(ARTIFACTS, `report-xss-${name}.png`), fullPage: true });
    expect(await xssFlag(page)).toBeUndefined();
    expect(await page.locator('img, svg, iframe, object, embed').count()).toBe(0);
    expect(watch.network).toEqual([]);
    expect(watch.errors).toEqual([]);
    return page;
  }

  /** Move the mouse onto a chart's first data point so its (HTML) tooltip renders. */
  async function hoverFirstPoint(page: Page, id: string, seriesName?: string): Promise<void> {
    const at = await firstPointPixel(page, id, seriesName);
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    const box = await page.locator(`#${id}`).boundingBox();
    if (!box) throw new Error(`${id} is not visible`);
    await page.mouse.move(box.x + (at[0] as number), box.y + (at[1] as number));
    await page.locator(`#${id} .bh-tooltip`).waitFor({ state: 'visible' });
  }

  it('a Zeek log with probes in service, conn_state, host and its file name', async () => {
    const beacon = fromLog.findings.find((f) => f.src === '10.0.0.5');
    expect(beacon, 'the probe beacon is a finding').toBeDefined();
    expect(beacon?.host).toBe(SCRIPT);
    expect(fromLog.summary.lines_skipped, JSON.stringify(fromLog.summary.files)).toBe(2);
    const page = await exercise(fromLog, 'zeek-log', { webgl: true });
    expect(await page.getAttribute('#scatter', 'data-mode')).toBe('gl');
    // Shown as text, not dropped: the file name, the skipped row, the host and the states.
    expect(await page.locator('#summary').textContent()).toContain(`${IMG}.log`);
    expect(await page.locator('#summary').textContent()).toContain('1 × malformed');
    await page
      .locator(
        `#findings-body tr[data-index="${fromLog.findings.indexOf(beacon as HuntResult['findings'][number])}"]`,
      )
      .click();
    expect(await page.locator('#detail-meta').textContent()).toContain(SCRIPT);
    await hoverFirstPoint(page, 'timeline');
    expect(await page.locator('#timeline .bh-tooltip').textContent()).toContain(`state ${IMG}`);
    expect(await xssFlag(page)).toBeUndefined();
  });

  it('a hand-made result with probes for addresses, reasons, episodes, file names and states', async () => {
    const result = hostileResult();
    const page = await exercise(result, 'hand-made', { webgl: false });
    expect(await page.getAttribute('#scatter', 'data-mode')).toBe('2d');
    await page.locator('#findings-body tr[data-index="0"]').click();
    expect(await page.locator('#detail-title').textContent()).toContain(`${IMG} → ${SCRIPT}`);
    expect(await page.locator('#detail-reasons li').allTextContents()).toContain(QUOTES);
    expect(await page.locator('#detail-episodes').textContent()).toContain(IMG);
    // The scatter's tooltip (the same formatter in 2-D and 3-D) is HTML too: hover the point
    // whose source address is a probe.
    await hoverFirstPoint(page, 'scatter', 'beacon');
    expect(await page.locator('#scatter .bh-tooltip').textContent()).toContain(`${IMG} → ${SCRIPT}`);
    await page.locator('#findings-body tr[data-index="0"]').hover();
    expect(await xssFlag(page)).toBeUndefined();
  });
});
