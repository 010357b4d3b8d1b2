/** The seed's three features per pair as a 3-D scatter (2-D without WebGL); click opens a finding. */
import type { ECharts, EChartsCoreOption } from 'echarts/core';
import { type ChartOption, chart, webglAvailable } from './charts.js';
import { byId, el, esc } from './dom.js';
import { fmtInt, fmtPct } from './format.js';
import { D, IGNORED_COLOR, type Scatter, UNFLAGGED_COLOR, VERDICT_COLOR } from './payload.js';

interface Group {
  name: string;
  /** Index into D.verdicts, or -1 not flagged, -2 ignored destination. */
  code: number;
  color: string;
  size: number;
  data: [number, number, number, number][];
}

/** [avgcount, flows (≥ 1 for the log axis), distinct sizes, pair index]. */
function point(sc: Scatter, i: number): [number, number, number, number] {
  return [sc.avgcount[i] as number, Math.max(sc.flows[i] as number, 1), sc.distinct[i] as number, i];
}

function scatterGroups(sc: Scatter): Group[] {
  // Unflagged pairs first, so flagged ones are drawn over them.
  const groups: Group[] = [
    { name: 'not flagged', code: -1, color: UNFLAGGED_COLOR, size: 4, data: [] },
    { name: 'ignored (multicast/broadcast)', code: -2, color: IGNORED_COLOR, size: 4, data: [] },
  ];
  D.verdicts.forEach((v, k) => {
    groups.push({ name: v, code: k, color: VERDICT_COLOR[v] ?? '#444', size: 11, data: [] });
  });
  const byCode = new Map(groups.map((g) => [g.code, g]));
  for (let i = 0; i < sc.src.length; i++) {
    const g = byCode.get(sc.verdict[i] as number) ?? (byCode.get(-1) as Group);
    g.data.push(point(sc, i));
  }
  return groups.filter((g) => g.data.length);
}

function pairIndex(value: unknown, sc: Scatter): number | null {
  const i = Array.isArray(value) ? value[3] : undefined;
  return typeof i === 'number' && i >= 0 && i < sc.src.length ? i : null;
}

function tooltip(p: { value?: unknown }): string {
  const sc = D.scatter as Scatter;
  const i = pairIndex(p.value, sc);
  if (i === null) return '';
  const lines = [
    `<b>${esc(sc.ips[sc.src[i] as number])} → ${esc(sc.ips[sc.dst[i] as number])}</b>`,
    `avgcount ${esc(fmtPct(sc.avgcount[i] as number))}, ${esc(fmtInt(sc.flows[i]))} flows, ${esc(fmtInt(sc.distinct[i]))} distinct sizes`,
  ];
  const f = D.findings[sc.finding[i] as number];
  const verdict = sc.verdict[i] as number;
  if (f)
    lines.push(
      `#${esc(f.rank)} ${esc(f.verdict)}, ${esc(f.severity)}, score ${esc(f.score.toFixed(2))} (click for details)`,
    );
  else if (verdict >= 0) lines.push(`${esc(D.verdicts[verdict])} (not listed in this report)`);
  else lines.push(verdict === -2 ? 'ignored destination' : 'not flagged');
  return lines.join('<br>');
}

const percent = (v: number) => `${Math.round(v * 100)}%`;

let scatterChart: ECharts | null = null;
let selectedSeries = -1;

export function renderScatter(onSelect: (finding: number) => void): void {
  const sc = D.scatter;
  const node = byId('scatter');
  const note = byId('scatter-note');
  if (!sc) {
    node.classList.add('empty');
    node.appendChild(el('p', { text: 'No scatter data in this report.' }));
    return;
  }
  const gl = webglAvailable();
  note.textContent = `Each point is a host pair (${fmtInt(sc.shown)} of ${fmtInt(sc.pairs)} drawn${
    sc.shown < sc.pairs ? ': every flagged pair and a fixed random sample of the others' : ''
  }). ${
    gl
      ? 'Drag to rotate, scroll to zoom; hover a coloured point for its pair and score, click it to open its finding.'
      : 'WebGL is not available here, so this is the 2-D view (point size: distinct sizes); click a coloured point to open its finding.'
  }`;
  const groups = scatterGroups(sc);
  scatterChart = chart(node);
  const tip = { formatter: tooltip, confine: true, className: 'bh-tooltip' };
  const legend = {
    top: 0,
    data: [...groups.filter((g) => g.code >= 0), ...groups.filter((g) => g.code < 0)].map((g) => g.name),
  };
  let option: EChartsCoreOption;
  if (gl) {
    option = {
      tooltip: tip,
      legend,
      // A wide, shallow box seen from the front fills the card's width (a cube used under half of it).
      grid3D: {
        boxWidth: 220,
        boxHeight: 85,
        boxDepth: 95,
        top: -30,
        bottom: -20,
        viewControl: { distance: 235, alpha: 12, beta: 30 },
        axisPointer: { show: false },
        light: { main: { intensity: 1 }, ambient: { intensity: 0.6 } },
      },
      xAxis3D: {
        type: 'value',
        name: 'beacon % (avgcount)',
        nameGap: 32,
        min: 0,
        max: 1,
        axisLabel: { formatter: percent },
      },
      yAxis3D: { type: 'log', name: 'flows (log)', logBase: 10 },
      // The origin already reads "0%" on the x axis: a second "0" there overlapped it.
      zAxis3D: {
        type: 'value',
        name: 'distinct sizes',
        min: 0,
        axisLabel: { formatter: (v: number) => (v === 0 ? '' : String(v)) },
      },
      series: [
        ...groups.map((g) => ({
          // In 3-D the nearest point takes the mouse: unflagged points, which are many and often
          // just in front of a flagged one, do not, so every finding stays easy to hover and click.
          type: 'scatter3D',
          name: g.name,
          data: g.data,
          symbolSize: g.size,
          silent: g.code < 0,
          itemStyle: { color: g.color, opacity: g.code < 0 ? 0.55 : 1 },
          emphasis: { itemStyle: { color: '#000' } },
        })),
        selectedSeriesOption(true),
      ],
    };
  } else {
    const option2d: ChartOption = {
      tooltip: tip,
      legend,
      grid: { left: 70, right: 45, top: 40, bottom: 50 },
      xAxis: {
        type: 'value',
        name: 'beacon % (avgcount)',
        nameLocation: 'middle',
        nameGap: 30,
        min: 0,
        max: 1,
        axisLabel: { formatter: percent },
      },
      yAxis: { type: 'log', name: 'flows (log)' },
      series: [
        ...groups.map((g): ChartOption['series'] => ({
          type: 'scatter',
          name: g.name,
          data: g.data,
          itemStyle: { color: g.color, opacity: g.code < 0 ? 0.5 : 0.95 },
          symbolSize: (v: number[]) => (g.code < 0 ? 3 : 7) + 3 * Math.log10(1 + (v[2] as number)),
        })),
        selectedSeriesOption(false) as ChartOption['series'],
      ],
    } as ChartOption;
    option = option2d;
  }
  scatterChart.setOption(option);
  selectedSeries = groups.length;
  scatterChart.on('click', (p) => {
    const i = pairIndex(p.value, sc);
    if (i === null) return;
    const f = sc.finding[i] as number;
    if (f >= 0) {
      onSelect(f);
      return;
    }
    const v = sc.verdict[i] as number;
    note.textContent = `${sc.ips[sc.src[i] as number]} → ${sc.ips[sc.dst[i] as number]}: ${
      v === -2
        ? 'an ignored destination (multicast/broadcast).'
        : v >= 0
          ? 'flagged, beyond the findings listed here.'
          : 'not flagged, no finding to open.'
    }`;
  });
  node.dataset.mode = gl ? 'gl' : '2d';
}

/**
 * The selected finding: a translucent halo in its verdict's colour with its rank beside it. (A grey
 * sphere over the point made finding #1 look "not flagged".)
 */
function selectedSeriesOption(gl: boolean): Record<string, unknown> {
  return {
    type: gl ? 'scatter3D' : 'scatter',
    name: 'selected',
    data: [],
    symbolSize: gl ? 24 : 22,
    silent: true,
    itemStyle: gl ? { opacity: 0.35 } : { color: 'rgba(0,0,0,0)', borderWidth: 2.5 },
    label: {
      show: true,
      formatter: '',
      position: 'right',
      fontWeight: 'bold',
      ...(gl ? { textStyle: { fontSize: 14, color: '#111' }, distance: 6 } : { color: '#111' }),
    },
  };
}

export function markSelectedInScatter(f: number): void {
  if (!scatterChart || !D.scatter) return;
  const sc = D.scatter;
  const data: [number, number, number, number][] = [];
  for (let i = 0; i < sc.src.length; i++) {
    if (sc.finding[i] === f) {
      data.push(point(sc, i));
      break;
    }
  }
  const finding = D.findings[f];
  const color = (finding && VERDICT_COLOR[finding.verdict]) ?? '#111';
  const gl = byId('scatter').dataset.mode === 'gl';
  const series: Record<string, unknown>[] = [];
  for (let k = 0; k < selectedSeries; k++) series.push({});
  series.push({
    data,
    itemStyle: gl
      ? { color, opacity: 0.35 }
      : { color: 'rgba(0,0,0,0)', borderColor: color, borderWidth: 2.5 },
    label: { formatter: finding ? `#${finding.rank}` : '' },
  });
  scatterChart.setOption({ series });
}
