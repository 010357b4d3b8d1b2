import { createHash } from 'node:crypto';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { pairKey } from '../src/features/pair-features.js';
import { buildPayload, evenSample, flowDetail, roundNumber, shareBudget } from '../src/report/html/data.js';
import { escapeHtml, inlineScriptText, jsonForScript } from '../src/report/html/escape.js';
import { GL_EXPRESSION_EVALUATOR, patchEchartsGl } from '../src/report/html/gl-expression.js';
import { pageScript } from '../src/report/html/libraries.js';
import { renderHtmlReport } from '../src/report/html-report.js';
import type { HuntResult } from '../src/score/finding.js';
import { hostileResult, PROBES } from './browser/hostile.js';

/** The <script> elements of a page: attributes and text. */
function scripts(html: string): { attrs: string; text: string }[] {
  return [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((m) => ({
    attrs: m[1] ?? '',
    text: m[2] ?? '',
  }));
}

function dataBlock(html: string): unknown {
  const block = scripts(html).find((s) => s.attrs.includes('application/json'));
  return JSON.parse(block?.text ?? 'null');
}

describe('escaping for the HTML report', () => {
  it('escapeHtml escapes the five HTML metacharacters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('jsonForScript leaves no < > & U+2028 U+2029 and parses back to the same value', () => {
    for (const probe of PROBES) {
      const value = { probe, list: [probe, 1.5, null] };
      const json = jsonForScript(value);
      expect(json).not.toMatch(/[<>&\u2028\u2029]/);
      expect(JSON.parse(json)).toEqual(value);
    }
  });

  it('inlineScriptText breaks up </script and refuses what cannot be made safe', () => {
    expect(inlineScriptText('var s = "</script>";\r\n//# sourceMappingURL=x.map', 's')).toBe(
      'var s = "<\\/script>";\n',
    );
    expect(() => inlineScriptText('var s = "<!--";', 's')).toThrow(/cannot be inlined/);
    expect(() => inlineScriptText('var s = "<script>";', 's')).toThrow(/cannot be inlined/);
  });
});

describe('the bundled page script', () => {
  it('has echarts-gl patched so the page needs no eval, and inlines safely', () => {
    const text = pageScript();
    expect(text).not.toMatch(/new Function\(|\beval\(/);
    expect(text).toContain('Invalid expression.');
    expect(text).not.toMatch(/<\/script|<!--/i);
  });

  it('carries only the charts the page draws', () => {
    const text = pageScript();
    // The full ECharts and echarts-gl builds together were 1.7 MB, map-tile servers (cartocdn, osm,
    // mapbox) and SVG export among them; the cut bundle has no URL at all.
    expect(text.length).toBeLessThan(1_200_000);
    expect(text).not.toMatch(/https?:\/\//);
  });

  it("the evaluator that replaces new Function computes echarts-gl's size expressions and nothing else", () => {
    const compile = new Function(`return ${GL_EXPRESSION_EVALUATOR}`)() as (
      src: string,
    ) => (w: number, h: number, dpr: number) => unknown;
    expect(compile(' [width * 1.0 / 16, height / 16] ')(320, 160, 2)).toEqual([20, 10]);
    expect(compile('height * 1.0 / 4')(320, 160, 2)).toBe(40);
    expect(compile('(width + 2) * dpr - -1')(10, 0, 2)).toBe(25);
    for (const bad of ['alert(1)', 'width.constructor', 'this', 'width; 1', '[width', 'window']) {
      expect(() => compile(bad), bad).toThrow('Invalid expression.');
    }
    expect(patchEchartsGl('x=new Function("width","height","dpr","return "+t[1]);').patched).toBe(true);
    expect(patchEchartsGl('nothing here').patched).toBe(false);
  });

  it('the page script is valid JavaScript', () => {
    expect(() => new Script(pageScript())).not.toThrow();
  });
});

describe('renderHtmlReport on hostile data', () => {
  const result = hostileResult();
  const html = renderHtmlReport(result);

  it('holds one data block and one script, and no probe as markup', () => {
    const all = scripts(html);
    expect(all.map((s) => s.attrs)).toEqual([' type="application/json" id="report-data"', '']);
    expect((html.match(/<script/gi) ?? []).length).toBe(2);
    expect((html.match(/<\/script/gi) ?? []).length).toBe(2);
    for (const needle of ['<img src=x', '<svg onload', '</script><script>window', '</SCRIPT >', '\u2028']) {
      expect(html.includes(needle), needle).toBe(false);
    }
  });

  it('carries every probe intact in its data, for the page to write as text', () => {
    const data = dataBlock(html) as ReturnType<typeof buildPayload>;
    expect(data).toEqual(JSON.parse(JSON.stringify(buildPayload(result))));
    expect(data.findings[0]?.src).toBe(PROBES[0]);
    expect(data.findings[0]?.reasons).toContain(PROBES[1]);
    expect(data.summary.files[0]?.path).toBe(`/tmp/${PROBES[0]}.log`);
    expect(data.flows[0]?.states).toEqual([PROBES[0], PROBES[1], PROBES[2]]);
  });

  it('has a CSP that forbids the network and allows exactly its inline scripts by hash', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/
      .exec(html)?.[1]
      ?.replaceAll('&#39;', "'");
    expect(csp).toBeDefined();
    const directives = Object.fromEntries(
      (csp ?? '')
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([k, ...v]) => [k, v]),
    );
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['style-src']).toEqual(["'unsafe-inline'"]);
    expect(directives['img-src']).toEqual(['data:']);
    const hashes = scripts(html)
      .filter((s) => s.attrs === '')
      .map((s) => `'sha256-${createHash('sha256').update(s.text, 'utf8').digest('base64')}'`);
    expect(directives['script-src']).toEqual(hashes);
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline'[^;]*;?\s*$|https?:/);
  });

  it('links nothing outside the file', () => {
    const markup = html.replace(/<script[^>]*>[\s\S]*?<\/script>/g, '');
    expect(markup).not.toMatch(/\b(src|href|action|srcset)\s*=|<link|<iframe|@import|url\(/i);
    expect(markup).toContain('<title>beaconhunt report: 3 findings</title>');
  });
});

describe('the report payload', () => {
  /** A result with many pairs, a few flagged, and flows for the flagged ones. */
  function bigResult(pairs: number, flagged: number, flowsEach: number): HuntResult {
    const base = hostileResult();
    const src = Array.from({ length: pairs }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
    const dst = Array.from({ length: pairs }, (_, i) => `198.51.${i >> 8}.${i & 255}`);
    const template = base.findings[0] as HuntResult['findings'][number];
    const findings = Array.from({ length: flagged }, (_, k) => ({
      ...template,
      rank: k + 1,
      src: src[k * 7] as string,
      dst: dst[k * 7] as string,
    }));
    const flows = new Map(
      findings.map((f) => [
        pairKey(f.src, f.dst),
        {
          total: flowsEach * 2,
          ts: Float64Array.from({ length: flowsEach }, (_, i) => 1_709_600_000.1234 + i * 30.0005),
          duration: new Float64Array(flowsEach).fill(0.25),
          origBytes: new Float64Array(flowsEach).fill(100),
          respBytes: new Float64Array(flowsEach).fill(52),
          dport: new Int32Array(flowsEach).fill(443),
          connState: new Array(flowsEach).fill('SF'),
        },
      ]),
    );
    return {
      findings,
      summary: base.summary,
      report: {
        pairs: {
          src,
          dst,
          avgcount: Float64Array.from(src, (_, i) => (i % 100) / 99),
          t_bytecount: Float64Array.from(src, (_, i) => 1 + (i % 50)),
          distinct_byte_count: Float64Array.from(src, (_, i) => 1 + (i % 9)),
          ignored: new Uint8Array(pairs),
        },
        flows,
      },
    };
  }

  it('keeps every flagged pair in the scatter and samples the rest with a fixed seed', () => {
    const result = bigResult(20_000, 30, 10);
    const a = buildPayload(result, { maxScatterPoints: 1000 });
    const b = buildPayload(result, { maxScatterPoints: 1000 });
    const other = buildPayload(result, { maxScatterPoints: 1000, seed: 2 });
    expect(a.scatter?.pairs).toBe(20_000);
    expect(a.scatter?.shown).toBe(1000);
    expect(a.scatter).toEqual(b.scatter);
    expect(other.scatter?.ips).not.toEqual(a.scatter?.ips);
    const flaggedShown = a.scatter?.finding.filter((f) => f >= 0) ?? [];
    expect(new Set(flaggedShown).size).toBe(30);
    expect(a.scatter?.verdict.filter((v) => v === 0).length).toBe(30);
  });

  it('keeps the flows of all findings within the budget, sampled evenly, times exact to the ms', () => {
    const result = bigResult(500, 12, 5000);
    const payload = buildPayload(result, { maxFlows: 24_000 });
    const shown = payload.flows.map((d) => d?.dt.length ?? 0);
    expect(shown.reduce((x, y) => x + y, 0)).toBeLessThanOrEqual(24_000);
    expect(Math.min(...shown)).toBe(2000);
    const d = payload.flows[0];
    expect(d?.total).toBe(10_000);
    expect(d?.ports).toEqual([443]);
    expect(d?.pi).toBeNull();
    let t = d?.t0 ?? 0;
    const times = (d?.dt ?? []).map((x) => {
      t += x;
      return t;
    });
    expect(times[0]).toBe(1_709_600_000_123);
    expect(times.at(-1)).toBe(Math.round((1_709_600_000.1234 + 4999 * 30.0005) * 1000));
  });

  it('flowDetail indexes ports and states only when they vary', () => {
    const d = flowDetail(
      {
        total: 3,
        ts: Float64Array.of(1, 2, 3),
        duration: Float64Array.of(0, 0, 0),
        origBytes: Float64Array.of(1, 2, 3),
        respBytes: Float64Array.of(0, 0, 0),
        dport: Int32Array.of(443, 80, 443),
        connState: ['SF', 'SF', null],
      },
      10,
    );
    expect(d).toMatchObject({
      ports: [443, 80],
      pi: [0, 1, 0],
      states: ['SF', null],
      si: [0, 0, 1],
      dt: [0, 1000, 1000],
    });
  });

  it('small helpers', () => {
    expect(evenSample(10, 3)).toEqual([0, 5, 9]);
    expect(evenSample(3, 10)).toEqual([0, 1, 2]);
    expect(shareBudget([10, 1000, 5000], 1000)).toEqual([10, 495, 495]);
    expect(roundNumber(0.9651567944250871)).toBe(0.9652);
    expect(roundNumber(1709604769.345464)).toBe(1709604769.345);
    expect(roundNumber(Number.NaN)).toBeNull();
  });

  it('renders without report data (hunt without reportTop): no scatter, no flows', () => {
    const { report: _, ...plain } = hostileResult();
    const data = dataBlock(renderHtmlReport(plain)) as ReturnType<typeof buildPayload>;
    expect(data.scatter).toBeNull();
    expect(data.flows).toEqual([null, null, null]);
    expect(data.findings).toHaveLength(3);
  });
});
