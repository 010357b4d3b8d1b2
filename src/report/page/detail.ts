/** One finding: timeline, gap and size histograms, reasons, sub-scores, features, episodes. */
import type { ECharts } from 'echarts/core';
import { type ChartOption, chart } from './charts.js';
import { badge, byId, clear, el, esc } from './dom.js';
import {
  fmtBytes,
  fmtInt,
  fmtIso,
  fmtNum,
  fmtPct,
  fmtSeconds,
  fmtTime,
  histogram,
  niceByteStep,
  niceSecondsStep,
  roundLabels,
} from './format.js';
import { D, type Finding, type FlowDetail, pairText } from './payload.js';

interface Flows {
  n: number;
  total: number;
  /** Epoch ms. */
  t: number[];
  dur: number[];
  ob: number[];
  rb: number[];
  port(k: number): number;
  state(k: number): string | null;
}

function flowsOf(i: number): Flows | null {
  const d: FlowDetail | null | undefined = D.flows[i];
  if (!d) return null;
  const t: number[] = [];
  let acc = d.t0;
  for (const dt of d.dt) {
    acc += dt;
    t.push(acc);
  }
  return {
    n: t.length,
    total: d.total,
    t,
    dur: d.dur,
    ob: d.ob,
    rb: d.rb,
    port: (k) => d.ports[d.pi ? (d.pi[k] as number) : 0] as number,
    state: (k) => d.states[d.si ? (d.si[k] as number) : 0] ?? null,
  };
}

/** ECharts hands tooltip formatters one item or, for trigger 'axis', a list. */
interface TipItem {
  value: unknown;
  name: string;
  seriesName?: string;
  dataIndex: number;
}
const items = (p: unknown): TipItem[] => (Array.isArray(p) ? p : [p]) as TipItem[];

/** Ticks about this many per axis. */
const TICKS = 4;

function timelineOption(fl: Flows, finding: Finding): ChartOption {
  const areas = finding.episodes.map((e) => [
    { xAxis: Date.parse(e.start), name: e.kind },
    { xAxis: Date.parse(e.end) },
  ]);
  const markArea = areas.length
    ? {
        silent: true,
        itemStyle: { color: 'rgba(255,127,14,0.18)' },
        label: { color: '#a35200' },
        data: areas as never,
      }
    : undefined;
  const tip = (p: unknown) => {
    const k = ((items(p)[0] as TipItem).value as number[])[2] as number;
    const state = fl.state(k);
    const port = fl.port(k);
    return [
      `<b>${esc(fmtTime(fl.t[k] as number))}</b>`,
      `client→server ${esc(fmtBytes(fl.ob[k] as number))}, server→client ${esc(fmtBytes(fl.rb[k] as number))}`,
      `duration ${esc(fmtSeconds((fl.dur[k] as number) / 1000))}${port >= 0 ? `, port ${esc(port)}` : ''}`,
      `state ${esc(state ?? '–')}`,
    ].join('<br>');
  };
  const base: ChartOption = {
    useUTC: true,
    animation: false,
    tooltip: { trigger: 'item', formatter: tip, confine: true, className: 'bh-tooltip' },
    grid: { left: 70, right: 25, top: 35, bottom: 70 },
    dataZoom: [
      { type: 'inside', xAxisIndex: 0 },
      { type: 'slider', xAxisIndex: 0, height: 18, bottom: 8 },
    ],
    xAxis: { type: 'time', name: 'time (UTC)', nameLocation: 'middle', nameGap: 26 },
  };
  const maxUp = Math.max(0, ...fl.ob);
  const maxDown = Math.max(0, ...fl.rb);
  if (maxUp === 0 && maxDown === 0) return rateStripOption(fl, base, markArea);
  const up = fl.t.map((t, k) => [t, fl.ob[k] as number, k]);
  const down = fl.t.map((t, k) => [t, -(fl.rb[k] as number), k]);
  // Round byte ticks (20 KiB, 50 KiB …): ECharts' decimal steps printed as KiB read 48.8 KiB.
  const step = niceByteStep(Math.max(maxUp, maxDown) / TICKS);
  return {
    ...base,
    legend: { top: 0, data: ['client→server (up)', 'server→client (down)'] },
    yAxis: {
      type: 'value',
      name: 'bytes',
      interval: step,
      max: Math.ceil(maxUp / step) * step,
      min: -Math.ceil(maxDown / step) * step,
      axisLabel: { formatter: (v: number) => fmtBytes(Math.abs(v)) },
    },
    series: [
      {
        type: 'scatter',
        name: 'client→server (up)',
        data: up,
        symbolSize: 4,
        itemStyle: { color: '#1f77b4' },
        markArea,
      },
      {
        type: 'scatter',
        name: 'server→client (down)',
        data: down,
        symbolSize: 4,
        itemStyle: { color: '#d62728' },
      },
    ],
  };
}

/** Bins of the rate strip across the whole capture: fine enough to show gaps of an hour in a day. */
const RATE_BINS = 96;

/**
 * No bytes recorded (a refused or empty connection each time): a line at zero would hide the
 * cadence, so the timeline becomes connections per round time bin.
 */
function rateStripOption(fl: Flows, base: ChartOption, markArea: unknown): ChartOption {
  const first = fl.t[0] ?? 0;
  const span = ((fl.t[fl.n - 1] ?? first) - first) / 1000;
  const bin = niceSecondsStep(Math.max(span / RATE_BINS, 1)) * 1000;
  const start = Math.floor(first / bin) * bin;
  const counts = new Map<number, number>();
  for (const t of fl.t) {
    const at = start + Math.floor((t - start) / bin) * bin;
    counts.set(at, (counts.get(at) ?? 0) + 1);
  }
  const name = `connections per ${fmtSeconds(bin / 1000)} (no bytes recorded)`;
  return {
    ...base,
    tooltip: {
      trigger: 'item',
      confine: true,
      className: 'bh-tooltip',
      formatter: (p: unknown) => {
        const [t, n] = (items(p)[0] as TipItem).value as [number, number];
        return `<b>${esc(fmtTime(t - bin / 2))} – ${esc(fmtTime(t + bin / 2))}</b><br>${esc(fmtInt(n))} connections, no bytes`;
      },
    },
    legend: { top: 0, data: [name] },
    yAxis: { type: 'value', name: 'connections', minInterval: 1 },
    series: [
      {
        type: 'bar',
        name,
        data: [...counts].map(([t, n]) => [t + bin / 2, n]),
        itemStyle: { color: '#555' },
        barWidth: '70%',
        markArea: markArea as never,
      },
    ],
  };
}

/** Bins at most: enough to see a period's peak, few enough for readable labels. */
const BINS = 40;

function gapsOption(fl: Flows, finding: Finding): ChartOption {
  const gaps: number[] = [];
  for (let k = 1; k < fl.n; k++) gaps.push(((fl.t[k] as number) - (fl.t[k - 1] as number)) / 1000);
  const h = histogram(gaps, BINS, niceSecondsStep);
  const labels = h.counts.map((_, k) => fmtSeconds(h.lo + k * h.width));
  const counts = h.counts.slice();
  if (h.over) {
    labels.push(`> ${fmtSeconds(h.hi)}`);
    counts.push(h.over);
  }
  const period = finding.features.period_s;
  const markLine =
    period && period >= h.lo && period <= h.hi
      ? {
          silent: true,
          symbol: 'none',
          lineStyle: { color: '#d62728', type: 'dashed' as const },
          label: { formatter: `period ${fmtSeconds(period)}` },
          data: [{ xAxis: Math.min(h.counts.length - 1, Math.floor((period - h.lo) / h.width)) }],
        }
      : undefined;
  return {
    animation: false,
    tooltip: {
      trigger: 'axis',
      className: 'bh-tooltip',
      formatter: (ps: unknown) => {
        const p = items(ps)[0] as TipItem;
        const upper =
          p.dataIndex < h.counts.length ? ` – ${esc(fmtSeconds(h.lo + (p.dataIndex + 1) * h.width))}` : '';
        return `${esc(p.name)}${upper}: ${esc(p.value)} gaps`;
      },
    },
    grid: { left: 50, right: 45, top: 30, bottom: 45 },
    xAxis: {
      type: 'category',
      data: labels,
      name: 'gap between flows',
      nameLocation: 'middle',
      nameGap: 28,
      axisLabel: { interval: roundLabels(h.lo, h.width, h.counts.length, niceSecondsStep) },
      axisTick: { alignWithLabel: true },
    },
    yAxis: { type: 'value', name: 'gaps', minInterval: 1 },
    series: [{ type: 'bar', data: counts, itemStyle: { color: '#5470c6' }, barCategoryGap: '8%', markLine }],
  };
}

/** Distinct sizes shown one bar each up to this many; beyond, round-width bins. */
const MAX_EXACT_SIZES = 40;

function sizesOption(fl: Flows): ChartOption {
  const values = [...new Set([...fl.rb, ...fl.ob])].sort((a, b) => a - b);
  let labels: string[];
  let bin: (v: number) => number;
  let labelled: ((index: number) => boolean) | 'auto' = 'auto';
  if (values.length <= MAX_EXACT_SIZES) {
    const at = new Map(values.map((v, k) => [v, k]));
    labels = values.map(fmtBytes);
    bin = (v) => at.get(v) as number;
  } else {
    const h = histogram([...fl.rb, ...fl.ob], BINS, niceByteStep);
    labels = h.counts.map((_, k) => fmtBytes(h.lo + k * h.width));
    labelled = roundLabels(h.lo, h.width, h.counts.length, niceByteStep);
    if (h.over) labels.push(`> ${fmtBytes(Math.round(h.hi))}`);
    bin = (v) =>
      v > h.hi ? h.counts.length : Math.min(h.counts.length - 1, Math.floor((v - h.lo) / h.width));
  }
  const resp = labels.map(() => 0);
  const orig = labels.map(() => 0);
  for (const b of fl.rb) resp[bin(b)] = (resp[bin(b)] as number) + 1;
  for (const b of fl.ob) orig[bin(b)] = (orig[bin(b)] as number) + 1;
  return {
    animation: false,
    tooltip: {
      trigger: 'axis',
      className: 'bh-tooltip',
      formatter: (ps: unknown) => {
        const list = items(ps);
        return `${esc(list[0]?.name ?? '')}<br>${list.map((p) => `${esc(p.seriesName)}: ${esc(p.value)} flows`).join('<br>')}`;
      },
    },
    legend: { top: 0, data: ['server→client', 'client→server'] },
    grid: { left: 50, right: 15, top: 30, bottom: 45 },
    xAxis: {
      type: 'category',
      data: labels,
      name: 'bytes per flow',
      nameLocation: 'middle',
      nameGap: 28,
      axisLabel: { interval: labelled },
    },
    yAxis: { type: 'value', name: 'flows', minInterval: 1 },
    series: [
      { type: 'bar', name: 'server→client', data: resp, itemStyle: { color: '#d62728' } },
      { type: 'bar', name: 'client→server', data: orig, itemStyle: { color: '#1f77b4' } },
    ],
  };
}

function featureValue(key: string, v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (/_ts$/.test(key)) return fmtTime(v * 1000);
  if (/share$|^avgcount$|^prevalence$/.test(key)) return `${fmtNum(v)} (${fmtPct(v)})`;
  if (/_s$/.test(key)) return `${fmtNum(v)} s`;
  return fmtNum(v);
}

let detailCharts: { timeline: ECharts; gaps: ECharts; sizes: ECharts } | null = null;

export function renderDetail(i: number): void {
  const f = D.findings[i] as Finding;
  byId('detail').hidden = false;
  byId('detail-title').textContent = `#${f.rank}  ${pairText(f)}`;
  const meta = clear(byId('detail-meta'));
  meta.appendChild(badge('sev', f.severity));
  meta.appendChild(badge('verdict', f.verdict));
  meta.appendChild(
    el('span', {
      text: `score ${f.score.toFixed(2)} · ${fmtInt(f.flows)} flows · ${fmtIso(f.first_seen)} → ${fmtIso(f.last_seen)}`,
    }),
  );
  if (f.host) meta.appendChild(el('span', { className: 'host', text: `host ${f.host}` }));

  const reasons = clear(byId('detail-reasons'));
  for (const r of f.reasons) reasons.appendChild(el('li', { text: r }));

  const fl = flowsOf(i);
  const note = byId('detail-flows-note');
  const chartsBox = byId('detail-charts');
  if (!fl) {
    chartsBox.hidden = true;
    note.textContent = 'Flow detail is kept for the top findings only; this one has none in the report.';
  } else {
    chartsBox.hidden = false;
    note.textContent =
      fl.n < fl.total
        ? `Showing ${fmtInt(fl.n)} of ${fmtInt(fl.total)} flows, sampled evenly over time (gaps are between the flows shown).`
        : `All ${fmtInt(fl.n)} flows.`;
    detailCharts ??= {
      timeline: chart(byId('timeline')),
      gaps: chart(byId('gaps')),
      sizes: chart(byId('sizes')),
    };
    detailCharts.timeline.setOption(timelineOption(fl, f), true);
    detailCharts.gaps.setOption(gapsOption(fl, f), true);
    detailCharts.sizes.setOption(sizesOption(fl), true);
    byId('timeline').dataset.points = String(fl.n);
    byId('timeline').dataset.index = String(i);
  }

  const comps = clear(byId('detail-components'));
  for (const [k, v] of Object.entries(f.components)) {
    const fill = el('span', { className: 'fill' });
    fill.style.width = `${Math.max(0, Math.min(1, v)) * 100}%`;
    comps.appendChild(
      el('div', { className: 'component' }, [
        el('span', { className: 'name', text: k }),
        el('span', { className: 'bar' }, [fill]),
        el('span', { className: 'num', text: fmtNum(v) }),
      ]),
    );
  }

  const feats = clear(byId('detail-features'));
  for (const [k, v] of Object.entries(f.features)) {
    feats.appendChild(
      el('tr', { title: D.featureHelp[k] ?? null }, [
        el('th', { text: k }),
        el('td', { text: featureValue(k, v) }),
      ]),
    );
  }

  const eps = clear(byId('detail-episodes'));
  if (!f.episodes.length)
    eps.appendChild(
      el('p', {
        className: 'muted',
        text: 'No change episodes: the pattern did not turn from uniform to non-uniform.',
      }),
    );
  for (const e of f.episodes) {
    eps.appendChild(
      el('div', { className: 'episode' }, [
        el('b', { text: `${e.kind}: ${fmtIso(e.start)} → ${fmtIso(e.end)}` }),
        el(
          'ul',
          {},
          e.reasons.map((r) => el('li', { text: r })),
        ),
      ]),
    );
  }
}
