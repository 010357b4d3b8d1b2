/**
 * The report page's own script: plain browser JavaScript kept as a string (it runs in the page,
 * not in Node). It reads the JSON payload (data.ts) and builds the page.
 *
 * Rules for this code, since every value in the payload comes from a log an attacker may write:
 * - DOM is built with createElement/textContent (`el()` below), never innerHTML;
 * - ECharts tooltips are HTML, so every tooltip formatter escapes with `esc()`;
 * - it never fetches anything (the page's CSP forbids it too).
 * Written without template literals (this file holds it in one), as ES2020 for any current browser.
 */
export const PAGE_SCRIPT = String.raw`(function () {
'use strict';

// ---------- helpers ----------
var D = JSON.parse(document.getElementById('report-data').textContent);
var VERDICT_COLOR = { beacon: '#d62728', 'active-c2': '#ff7f0e', strobe: '#9467bd', 'long-connection': '#1f77b4', anomaly: '#c9a400' };
var UNFLAGGED_COLOR = '#9aa0a6';
var IGNORED_COLOR = '#cfd3d7';
var SEVERITIES = ['critical', 'high', 'medium', 'low', 'none'];
var HAS_ECHARTS = typeof window.echarts === 'object' && window.echarts !== null;

/** Element with properties, attributes and children; text only ever goes in as text nodes. */
function el(tag, props, children) {
  var node = document.createElement(tag);
  props = props || {};
  Object.keys(props).forEach(function (k) {
    var v = props[k];
    if (v === undefined || v === null || v === false) return;
    if (k === 'text') node.textContent = String(v);
    else if (k === 'className') node.className = v;
    else if (k === 'on') Object.keys(v).forEach(function (type) { node.addEventListener(type, v[type]); });
    else node.setAttribute(k, String(v));
  });
  (children || []).forEach(function (c) {
    if (c === null || c === undefined || c === false) return;
    node.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  });
  return node;
}
function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
function byId(id) { return document.getElementById(id); }

var ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** For ECharts tooltips, which are HTML. */
function esc(value) { return String(value).replace(/[&<>"']/g, function (c) { return ESCAPES[c]; }); }

function fmtInt(n) { return n === null || n === undefined ? '–' : Math.round(n).toLocaleString('en-US'); }
function fmtNum(n) {
  if (n === null || n === undefined) return '–';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return Math.abs(n) >= 1000 ? n.toLocaleString('en-US', { maximumFractionDigits: 1 }) : String(Number(n.toPrecision(3)));
}
function fmtPct(x) { return (Math.round(x * 1000) / 10) + '%'; }
function fmtSeconds(s) {
  if (!isFinite(s)) return '–';
  if (s < 1) return Math.round(s * 1000) + ' ms';
  if (s < 120) return Number(s.toPrecision(3)) + ' s';
  if (s < 7200) return Number((s / 60).toPrecision(3)) + ' min';
  if (s < 172800) return Number((s / 3600).toPrecision(3)) + ' h';
  return Number((s / 86400).toPrecision(3)) + ' d';
}
function fmtBytes(b) {
  if (b < 1024) return b + ' B';
  if (b < 1048576) return Number((b / 1024).toPrecision(3)) + ' KiB';
  return Number((b / 1048576).toPrecision(3)) + ' MiB';
}
function fmtTime(ms) { return isFinite(ms) ? new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–'; }
function fmtIso(iso) { return iso ? fmtTime(Date.parse(iso)) : '–'; }
function pairText(f) {
  var br = function (a) { return a.indexOf(':') >= 0 ? '[' + a + ']' : a; };
  var tail = (f.dport === null ? '' : ':' + f.dport) + (f.proto ? '/' + f.proto : '');
  if (f.via) return f.src + ' → ' + br(f.dst) + ' via ' + br(f.via) + tail;
  return f.src + ' → ' + br(f.dst) + tail;
}
function badge(kind, value) { return el('span', { className: 'badge ' + kind + '-' + value, text: value }); }
function quantile(sorted, q) {
  if (!sorted.length) return 0;
  var at = (sorted.length - 1) * q, lo = Math.floor(at), hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}
/** Dotted-quad IPv4 as a number for sorting; null for anything else. */
function ipv4(s) {
  var m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  return m ? ((+m[1] * 256 + +m[2]) * 256 + +m[3]) * 256 + +m[4] : null;
}
function compareIp(a, b) {
  var x = ipv4(a), y = ipv4(b);
  if (x !== null && y !== null) return x - y;
  if (x !== null) return -1;
  if (y !== null) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

// zrender takes the width of '国' as a font's line height. Without a CJK font that glyph is a
// narrow fallback box, and echarts-gl's axis labels come out clipped: measure it as 1 em instead.
if (HAS_ECHARTS && window.echarts.setPlatformAPI) {
  var measuring = document.createElement('canvas').getContext('2d');
  window.echarts.setPlatformAPI({ measureText: function (text, font) {
    measuring.font = font || '12px sans-serif';
    var m = measuring.measureText(text);
    var px = /(\d+(?:\.\d+)?)px/.exec(measuring.font);
    if (text === '国' && px && m.width < 0.9 * Number(px[1])) return { width: Number(px[1]) };
    return m;
  } });
}

var charts = [];
function chart(node) {
  var c = window.echarts.init(node, null, { renderer: 'canvas' });
  charts.push(c);
  return c;
}
window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });

// ---------- header: the data read ----------
function renderSummary() {
  var s = D.summary;
  var box = clear(byId('summary'));
  var skippedTotal = s.lines_skipped;
  box.appendChild(el('p', { className: 'lead' }, [
    'Read ', el('b', { text: fmtInt(s.flows_read) }), ' rows from ', el('b', { text: String(s.files.length) }),
    s.files.length === 1 ? ' file: ' : ' files: ', el('b', { text: fmtInt(s.flows_used) }), ' used, ',
    el('b', { text: fmtInt(skippedTotal) }), ' skipped. ',
    el('b', { text: fmtInt(s.pairs) }), ' host pairs, ', el('b', { text: fmtInt(D.findingsTotal) }), ' findings.',
  ]));
  var facts = el('dl', { className: 'facts' });
  function fact(label, value) { facts.appendChild(el('dt', { text: label })); facts.appendChild(el('dd', {}, [value])); }
  fact('time range', s.time_range ? fmtIso(s.time_range[0]) + ' → ' + fmtIso(s.time_range[1]) : '–');
  var sev = el('span');
  SEVERITIES.forEach(function (k) {
    if (s.findings_by_severity[k]) sev.appendChild(el('span', { className: 'sevcount' }, [badge('sev', k), ' ' + s.findings_by_severity[k]]));
  });
  fact('findings', sev.childNodes.length ? sev : 'none');
  var excluded = Object.keys(s.pairs_excluded || {}).filter(function (k) { return s.pairs_excluded[k] > 0; });
  if (excluded.length) {
    fact('pairs not scored', excluded.map(function (k) { return fmtInt(s.pairs_excluded[k]) + ' × ' + k; }).join(', '));
  }
  if (typeof s.internal_hosts === 'number') fact('internal hosts', fmtInt(s.internal_hosts));
  fact('engine', s.engine + ', ' + s.mode + ' ranking on ' + s.size_field + ' sizes');
  var stages = Object.keys(s.stages_s || {}).map(function (k) { return k + ' ' + s.stages_s[k].toFixed(2) + ' s'; }).join(', ');
  fact('elapsed', s.elapsed_s.toFixed(2) + ' s' + (stages ? ' (' + stages + ')' : ''));
  var reasons = Object.keys(s.skipped_by_reason).sort(function (a, b) { return s.skipped_by_reason[b] - s.skipped_by_reason[a]; });
  if (reasons.length) {
    var ul = el('ul', { className: 'inline' });
    reasons.forEach(function (r) { ul.appendChild(el('li', { text: fmtInt(s.skipped_by_reason[r]) + ' × ' + r })); });
    fact('skipped', ul);
  }
  box.appendChild(facts);

  var table = el('table', { className: 'files' }, [el('thead', {}, [el('tr', {}, ['file', 'format', 'rows', 'used', 'skipped'].map(function (h) {
    return el('th', { text: h });
  }))])]);
  var body = el('tbody');
  s.files.forEach(function (f) {
    var skipped = Object.keys(f.skipped).map(function (r) { return fmtInt(f.skipped[r]) + ' × ' + r; }).join(', ');
    var row = el('tr', {}, [
      el('td', { className: 'path', text: f.path + (f.already_imported ? ' (imported before)' : '') }),
      el('td', { text: f.format }), el('td', { className: 'num', text: fmtInt(f.rows) }),
      el('td', { className: 'num', text: fmtInt(f.used) }), el('td', { text: skipped || '0' }),
    ]);
    body.appendChild(row);
    if (f.examples && f.examples.length) {
      var ex = el('details', {}, [el('summary', { text: 'examples of skipped rows' })]);
      f.examples.forEach(function (e) { ex.appendChild(el('pre', { text: e })); });
      body.appendChild(el('tr', { className: 'examples' }, [el('td', { colspan: 5 }, [ex])]));
    }
  });
  table.appendChild(body);
  box.appendChild(table);
}

// ---------- the seed's 3-D scatter ----------
var scatterChart = null;
var scatterMode = 'none';
var selectedSeries = -1;

function webglAvailable() {
  try {
    var c = document.createElement('canvas');
    return !!(c.getContext('webgl') || c.getContext('experimental-webgl'));
  } catch (e) { return false; }
}

function scatterGroups(sc) {
  // Unflagged pairs first, so flagged ones are drawn over them.
  var groups = [
    { name: 'not flagged', code: -1, color: UNFLAGGED_COLOR, size: 4 },
    { name: 'ignored (multicast/broadcast)', code: -2, color: IGNORED_COLOR, size: 4 },
  ];
  D.verdicts.forEach(function (v, k) { groups.push({ name: v, code: k, color: VERDICT_COLOR[v] || '#444', size: 11 }); });
  groups.forEach(function (g) { g.data = []; });
  var byCode = {};
  groups.forEach(function (g) { byCode[g.code] = g; });
  for (var i = 0; i < sc.src.length; i++) {
    var g = byCode[sc.verdict[i]] || byCode[-1];
    g.data.push([sc.avgcount[i], Math.max(sc.flows[i], 1), sc.distinct[i], i]);
  }
  return groups.filter(function (g) { return g.data.length; });
}

function scatterTooltip(p) {
  var sc = D.scatter;
  var i = p.value && p.value[3];
  if (typeof i !== 'number' || i < 0 || i >= sc.src.length) return '';
  var lines = ['<b>' + esc(sc.ips[sc.src[i]]) + ' → ' + esc(sc.ips[sc.dst[i]]) + '</b>',
    'avgcount ' + esc(fmtPct(sc.avgcount[i])) + ', ' + esc(fmtInt(sc.flows[i])) + ' flows, ' + esc(fmtInt(sc.distinct[i])) + ' distinct sizes'];
  var f = D.findings[sc.finding[i]];
  if (f) lines.push('#' + esc(f.rank) + ' ' + esc(f.verdict) + ', ' + esc(f.severity) + ', score ' + esc(f.score.toFixed(2)) + ' (click for details)');
  else if (sc.verdict[i] >= 0) lines.push(esc(D.verdicts[sc.verdict[i]]) + ' (not listed in this report)');
  else lines.push(sc.verdict[i] === -2 ? 'ignored destination' : 'not flagged');
  return lines.join('<br>');
}

function renderScatter() {
  var sc = D.scatter;
  var node = byId('scatter');
  var note = byId('scatter-note');
  if (!sc || !HAS_ECHARTS) {
    node.classList.add('empty');
    node.appendChild(el('p', { text: !sc ? 'No scatter data in this report.' : 'The chart library did not load.' }));
    return;
  }
  var gl = !!window['echarts-gl'] && webglAvailable();
  scatterMode = gl ? 'gl' : '2d';
  note.textContent = 'Each point is a host pair (' + fmtInt(sc.shown) + ' of ' + fmtInt(sc.pairs) + ' drawn' +
    (sc.shown < sc.pairs ? ': every flagged pair and a fixed random sample of the others' : '') + '). ' +
    (gl ? 'Drag to rotate, scroll to zoom; hover a coloured point for its pair and score, click it to open its finding.'
      : 'WebGL is not available here, so this is the 2-D view (point size: distinct sizes); click a coloured point to open its finding.');
  var groups = scatterGroups(sc);
  scatterChart = chart(node);
  var tooltip = { formatter: scatterTooltip, confine: true, className: 'bh-tooltip' };
  var legend = { top: 0, data: groups.filter(function (g) { return g.code >= 0; }).concat(groups.filter(function (g) { return g.code < 0; }))
    .map(function (g) { return g.name; }) };
  var option;
  if (gl) {
    option = {
      tooltip: tooltip,
      legend: legend,
      grid3D: { boxWidth: 110, boxHeight: 80, boxDepth: 110, top: -25, bottom: 25, viewControl: { distance: 235, alpha: 20, beta: 38 },
        axisPointer: { show: false }, light: { main: { intensity: 1 }, ambient: { intensity: 0.6 } } },
      xAxis3D: { type: 'value', name: 'beacon % (avgcount)', min: 0, max: 1, axisLabel: { formatter: function (v) { return Math.round(v * 100) + '%'; } } },
      yAxis3D: { type: 'log', name: 'flows (log)', logBase: 10 },
      zAxis3D: { type: 'value', name: 'distinct sizes', min: 0 },
      series: groups.map(function (g) {
        // In 3-D the nearest point takes the mouse: unflagged points, which are many and often
        // just in front of a flagged one, do not, so every finding stays easy to hover and click.
        return { type: 'scatter3D', name: g.name, data: g.data, symbolSize: g.size, silent: g.code < 0,
          itemStyle: { color: g.color, opacity: g.code < 0 ? 0.55 : 1 }, emphasis: { itemStyle: { color: '#000' } } };
      }).concat([{ type: 'scatter3D', name: 'selected', data: [], symbolSize: 26, itemStyle: { color: '#111', opacity: 0.3 }, silent: true }]),
    };
  } else {
    option = {
      tooltip: tooltip,
      legend: legend,
      grid: { left: 70, right: 30, top: 40, bottom: 50 },
      xAxis: { type: 'value', name: 'beacon % (avgcount)', nameLocation: 'middle', nameGap: 30, min: 0, max: 1, axisLabel: { formatter: function (v) { return Math.round(v * 100) + '%'; } } },
      yAxis: { type: 'log', name: 'flows (log)' },
      series: groups.map(function (g) {
        return { type: 'scatter', name: g.name, data: g.data, itemStyle: { color: g.color, opacity: g.code < 0 ? 0.5 : 0.95 },
          symbolSize: function (v) { return (g.code < 0 ? 3 : 7) + 3 * Math.log10(1 + v[2]); } };
      }).concat([{ type: 'scatter', name: 'selected', data: [], symbolSize: 20, itemStyle: { color: 'rgba(0,0,0,0.25)', borderColor: '#000', borderWidth: 2 }, silent: true }]),
    };
  }
  scatterChart.setOption(option);
  selectedSeries = option.series.length - 1;
  scatterChart.on('click', function (p) {
    var i = p.value && p.value[3];
    if (i === undefined || i === null) return;
    var f = sc.finding[i];
    if (f >= 0) { select(f, true); return; }
    note.textContent = sc.ips[sc.src[i]] + ' → ' + sc.ips[sc.dst[i]] + ': ' +
      (sc.verdict[i] === -2 ? 'an ignored destination (multicast/broadcast).' : sc.verdict[i] >= 0 ? 'flagged, beyond the findings listed here.' : 'not flagged, no finding to open.');
  });
  node.dataset.mode = scatterMode;
}

function markSelectedInScatter(f) {
  if (!scatterChart || !D.scatter) return;
  var sc = D.scatter, data = [];
  for (var i = 0; i < sc.src.length; i++) {
    if (sc.finding[i] === f) { data.push([sc.avgcount[i], Math.max(sc.flows[i], 1), sc.distinct[i], i]); break; }
  }
  var series = [];
  for (var k = 0; k < selectedSeries; k++) series.push({});
  series.push({ data: data });
  scatterChart.setOption({ series: series });
}

// ---------- findings table ----------
var COLUMNS = [
  { key: 'rank', label: '#', type: 'num', value: function (f) { return f.rank; } },
  { key: 'score', label: 'score', type: 'num', value: function (f) { return f.score; }, show: function (f) { return f.score.toFixed(2); } },
  { key: 'severity', label: 'severity', type: 'sev', value: function (f) { return f.severity; }, node: function (f) { return badge('sev', f.severity); } },
  { key: 'verdict', label: 'verdict', type: 'str', value: function (f) { return f.verdict; }, node: function (f) { return badge('verdict', f.verdict); } },
  { key: 'src', label: 'source', type: 'ip', value: function (f) { return f.src; }, cls: 'ip' },
  { key: 'dst', label: 'destination', type: 'ip', value: function (f) { return f.dst; }, cls: 'ip' },
  { key: 'dport', label: 'port', type: 'num', value: function (f) { return f.dport === null ? -1 : f.dport; },
    show: function (f) { return (f.dport === null ? '' : String(f.dport)) + (f.proto ? '/' + f.proto : ''); } },
  { key: 'host', label: 'host', type: 'str', value: function (f) { return f.host || ''; }, cls: 'host' },
  { key: 'flows', label: 'flows', type: 'num', value: function (f) { return f.flows; }, show: function (f) { return fmtInt(f.flows); } },
  { key: 'first_seen', label: 'first seen', type: 'str', value: function (f) { return f.first_seen; }, show: function (f) { return fmtIso(f.first_seen); } },
  { key: 'last_seen', label: 'last seen', type: 'str', value: function (f) { return f.last_seen; }, show: function (f) { return fmtIso(f.last_seen); } },
  { key: 'reason', label: 'first reason', type: 'str', value: function (f) { return f.reasons[0] || ''; }, cls: 'reason' },
];
var sortState = { key: 'rank', dir: 1 };
var selected = -1;

function matches(f, filters) {
  if (filters.verdict && f.verdict !== filters.verdict) return false;
  if (filters.severity && f.severity !== filters.severity) return false;
  if (filters.ip && f.src.toLowerCase().indexOf(filters.ip) < 0 && f.dst.toLowerCase().indexOf(filters.ip) < 0) return false;
  if (filters.text) {
    var hay = [f.src, f.dst, f.host || '', f.verdict, f.severity, f.proto || '', f.dport === null ? '' : String(f.dport)].concat(f.reasons).join('\n').toLowerCase();
    if (hay.indexOf(filters.text) < 0) return false;
  }
  return true;
}

function currentFilters() {
  return {
    verdict: byId('f-verdict').value,
    severity: byId('f-severity').value,
    ip: byId('f-ip').value.trim().toLowerCase(),
    text: byId('f-text').value.trim().toLowerCase(),
  };
}

function renderTable() {
  var filters = currentFilters();
  var col = COLUMNS.filter(function (c) { return c.key === sortState.key; })[0] || COLUMNS[0];
  var rows = D.findings.map(function (f, i) { return i; }).filter(function (i) { return matches(D.findings[i], filters); });
  rows.sort(function (a, b) {
    var x = col.value(D.findings[a]), y = col.value(D.findings[b]), d;
    if (col.type === 'num') d = x - y;
    else if (col.type === 'ip') d = compareIp(x, y);
    else if (col.type === 'sev') d = SEVERITIES.indexOf(y) - SEVERITIES.indexOf(x);
    else d = x < y ? -1 : x > y ? 1 : 0;
    return d * sortState.dir || D.findings[a].rank - D.findings[b].rank;
  });
  var body = clear(byId('findings-body'));
  rows.forEach(function (i) {
    var f = D.findings[i];
    var tr = el('tr', { tabindex: 0, 'data-index': i, className: i === selected ? 'selected' : '' , on: {
      click: function () { select(i, false); },
      keydown: function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(i, false); } },
    } });
    COLUMNS.forEach(function (c) {
      var td = el('td', { className: (c.type === 'num' ? 'num ' : '') + (c.cls || '') });
      if (c.node) td.appendChild(c.node(f));
      else td.textContent = c.show ? c.show(f) : String(c.value(f));
      if (c.key === 'reason' || c.key === 'host') td.title = td.textContent;
      tr.appendChild(td);
    });
    body.appendChild(tr);
  });
  byId('f-count').textContent = 'showing ' + rows.length + ' of ' + D.findings.length + ' findings' +
    (D.findingsTotal > D.findings.length ? ' (' + D.findingsTotal + ' in all; the JSON output has every one)' : '');
  byId('findings-empty').hidden = rows.length > 0;
  Array.prototype.forEach.call(document.querySelectorAll('#findings-table th'), function (th) {
    var on = th.dataset.key === sortState.key;
    th.setAttribute('aria-sort', on ? (sortState.dir > 0 ? 'ascending' : 'descending') : 'none');
  });
}

function setupTable() {
  var head = byId('findings-head');
  COLUMNS.forEach(function (c) {
    head.appendChild(el('th', { 'data-key': c.key, scope: 'col', tabindex: 0, title: 'sort by ' + c.label, text: c.label, on: {
      click: function () { sortBy(c.key); },
      keydown: function (e) { if (e.key === 'Enter') sortBy(c.key); },
    } }));
  });
  var verdict = byId('f-verdict');
  var present = {};
  D.findings.forEach(function (f) { present[f.verdict] = (present[f.verdict] || 0) + 1; });
  D.verdicts.forEach(function (v) { if (present[v]) verdict.appendChild(el('option', { value: v, text: v + ' (' + present[v] + ')' })); });
  var severity = byId('f-severity');
  var sevs = {};
  D.findings.forEach(function (f) { sevs[f.severity] = (sevs[f.severity] || 0) + 1; });
  SEVERITIES.forEach(function (s) { if (sevs[s]) severity.appendChild(el('option', { value: s, text: s + ' (' + sevs[s] + ')' })); });
  ['f-verdict', 'f-severity'].forEach(function (id) { byId(id).addEventListener('change', renderTable); });
  ['f-ip', 'f-text'].forEach(function (id) { byId(id).addEventListener('input', renderTable); });
}

function sortBy(key) {
  if (sortState.key === key) sortState.dir = -sortState.dir;
  else sortState = { key: key, dir: key === 'score' || key === 'flows' || key === 'severity' ? -1 : 1 };
  renderTable();
}

// ---------- one finding: timeline, histograms, reasons, features ----------
var detailCharts = null;

function flowsOf(i) {
  var d = D.flows[i];
  if (!d) return null;
  var n = d.dt.length, t = new Array(n), acc = d.t0;
  for (var k = 0; k < n; k++) { acc += d.dt[k]; t[k] = acc; }
  return {
    n: n, total: d.total, t: t, dur: d.dur, ob: d.ob, rb: d.rb,
    port: function (k) { return d.ports[d.pi ? d.pi[k] : 0]; },
    state: function (k) { return d.states[d.si ? d.si[k] : 0]; },
  };
}

function histogram(values, bins) {
  var sorted = values.slice().sort(function (a, b) { return a - b; });
  var lo = sorted.length ? sorted[0] : 0, hi = quantile(sorted, 0.99);
  if (hi <= lo) hi = sorted.length ? sorted[sorted.length - 1] : 0;
  var width = hi > lo ? (hi - lo) / bins : 1;
  var counts = new Array(hi > lo ? bins : 1).fill(0), over = 0;
  sorted.forEach(function (v) {
    if (v > hi) { over++; return; }
    counts[Math.min(counts.length - 1, Math.floor((v - lo) / width))]++;
  });
  var labels = counts.map(function (_, k) { return lo + k * width; });
  return { lo: lo, width: width, counts: counts, labels: labels, over: over, hi: hi };
}

function timelineOption(fl, finding) {
  var up = [], down = [];
  for (var k = 0; k < fl.n; k++) { up.push([fl.t[k], fl.ob[k], k]); down.push([fl.t[k], -fl.rb[k], k]); }
  var areas = finding.episodes.map(function (e) {
    return [{ xAxis: Date.parse(e.start), name: e.kind }, { xAxis: Date.parse(e.end) }];
  });
  function tip(p) {
    var k = p.value[2];
    var state = fl.state(k), port = fl.port(k);
    return [
      '<b>' + esc(fmtTime(fl.t[k])) + '</b>',
      'client→server ' + esc(fmtBytes(fl.ob[k])) + ', server→client ' + esc(fmtBytes(fl.rb[k])),
      'duration ' + esc(fmtSeconds(fl.dur[k] / 1000)) + (port >= 0 ? ', port ' + esc(port) : ''),
      'state ' + esc(state === null ? '–' : state),
    ].join('<br>');
  }
  return {
    useUTC: true,
    animation: false,
    tooltip: { trigger: 'item', formatter: tip, confine: true, className: 'bh-tooltip' },
    legend: { top: 0, data: ['client→server (up)', 'server→client (down)'] },
    grid: { left: 70, right: 25, top: 35, bottom: 70 },
    dataZoom: [{ type: 'inside', xAxisIndex: 0 }, { type: 'slider', xAxisIndex: 0, height: 18, bottom: 8 }],
    xAxis: { type: 'time', name: 'time (UTC)', nameLocation: 'middle', nameGap: 26 },
    yAxis: { type: 'value', name: 'bytes', minInterval: 1, axisLabel: { formatter: function (v) { return fmtBytes(Math.abs(v)); } } },
    series: [
      { type: 'scatter', name: 'client→server (up)', data: up, symbolSize: 4, itemStyle: { color: '#1f77b4' },
        markArea: areas.length ? { silent: true, itemStyle: { color: 'rgba(255,127,14,0.18)' }, label: { color: '#a35200' }, data: areas } : undefined },
      { type: 'scatter', name: 'server→client (down)', data: down, symbolSize: 4, itemStyle: { color: '#d62728' } },
    ],
  };
}

function gapsOption(fl, finding) {
  var gaps = [];
  for (var k = 1; k < fl.n; k++) gaps.push((fl.t[k] - fl.t[k - 1]) / 1000);
  var h = histogram(gaps, 40);
  var labels = h.labels.map(function (x) { return fmtSeconds(x); });
  var counts = h.counts.slice();
  if (h.over) { labels.push('> ' + fmtSeconds(h.hi)); counts.push(h.over); }
  var period = finding.features.period_s;
  var mark;
  if (period && h.width > 0 && period >= h.lo && period <= h.hi) {
    mark = { silent: true, symbol: 'none', lineStyle: { color: '#d62728', type: 'dashed' }, label: { formatter: 'period ' + fmtSeconds(period) },
      data: [{ xAxis: Math.min(h.counts.length - 1, Math.floor((period - h.lo) / h.width)) }] };
  }
  return {
    animation: false,
    tooltip: { trigger: 'axis', className: 'bh-tooltip', formatter: function (ps) {
      var p = ps[0];
      return esc(p.name) + (p.dataIndex < h.counts.length && h.width > 0 ? ' – ' + esc(fmtSeconds(h.lo + (p.dataIndex + 1) * h.width)) : '') + ': ' + esc(p.value) + ' gaps';
    } },
    grid: { left: 50, right: 45, top: 30, bottom: 45 },
    xAxis: { type: 'category', data: labels, name: 'gap between flows', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', name: 'gaps', minInterval: 1 },
    series: [{ type: 'bar', data: counts, itemStyle: { color: '#5470c6' }, barCategoryGap: '8%', markLine: mark }],
  };
}

function sizesOption(fl) {
  var distinct = {};
  fl.rb.forEach(function (b) { distinct[b] = 1; });
  fl.ob.forEach(function (b) { distinct[b] = 1; });
  var values = Object.keys(distinct).map(Number).sort(function (a, b) { return a - b; });
  var labels, resp, orig;
  if (values.length <= 40) {
    var at = {};
    values.forEach(function (v, k) { at[v] = k; });
    labels = values.map(function (v) { return fmtBytes(v); });
    resp = values.map(function () { return 0; });
    orig = values.map(function () { return 0; });
    fl.rb.forEach(function (b) { resp[at[b]]++; });
    fl.ob.forEach(function (b) { orig[at[b]]++; });
  } else {
    var all = fl.rb.concat(fl.ob);
    var h = histogram(all, 40);
    var bin = function (v) { return v > h.hi ? h.counts.length : Math.min(h.counts.length - 1, Math.floor((v - h.lo) / h.width)); };
    labels = h.labels.map(function (x) { return fmtBytes(Math.round(x)); });
    if (h.over) labels.push('> ' + fmtBytes(Math.round(h.hi)));
    resp = labels.map(function () { return 0; });
    orig = labels.map(function () { return 0; });
    fl.rb.forEach(function (b) { resp[bin(b)]++; });
    fl.ob.forEach(function (b) { orig[bin(b)]++; });
  }
  return {
    animation: false,
    tooltip: { trigger: 'axis', className: 'bh-tooltip', formatter: function (ps) {
      return esc(ps[0].name) + '<br>' + ps.map(function (p) { return esc(p.seriesName) + ': ' + esc(p.value) + ' flows'; }).join('<br>');
    } },
    legend: { top: 0, data: ['server→client', 'client→server'] },
    grid: { left: 50, right: 15, top: 30, bottom: 45 },
    xAxis: { type: 'category', data: labels, name: 'bytes per flow', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', name: 'flows', minInterval: 1 },
    series: [
      { type: 'bar', name: 'server→client', data: resp, itemStyle: { color: '#d62728' } },
      { type: 'bar', name: 'client→server', data: orig, itemStyle: { color: '#1f77b4' } },
    ],
  };
}

function featureValue(key, v) {
  if (v === null || v === undefined) return '–';
  if (/_ts$/.test(key)) return fmtTime(v * 1000);
  if (/share$|^avgcount$|^prevalence$/.test(key)) return fmtNum(v) + ' (' + fmtPct(v) + ')';
  if (/_s$/.test(key)) return fmtNum(v) + ' s';
  return fmtNum(v);
}

function renderDetail(i) {
  var f = D.findings[i];
  var box = byId('detail');
  box.hidden = false;
  byId('detail-title').textContent = '#' + f.rank + '  ' + pairText(f);
  var meta = clear(byId('detail-meta'));
  meta.appendChild(badge('sev', f.severity));
  meta.appendChild(badge('verdict', f.verdict));
  meta.appendChild(el('span', { text: 'score ' + f.score.toFixed(2) + ' · ' + fmtInt(f.flows) + ' flows · ' + fmtIso(f.first_seen) + ' → ' + fmtIso(f.last_seen) }));
  if (f.host) meta.appendChild(el('span', { className: 'host', text: 'host ' + f.host }));

  var reasons = clear(byId('detail-reasons'));
  f.reasons.forEach(function (r) { reasons.appendChild(el('li', { text: r })); });

  var fl = flowsOf(i);
  var note = byId('detail-flows-note');
  var chartsBox = byId('detail-charts');
  if (!fl || !HAS_ECHARTS) {
    chartsBox.hidden = true;
    note.textContent = !fl ? 'Flow detail is kept for the top findings only; this one has none in the report.' : 'The chart library did not load.';
  } else {
    chartsBox.hidden = false;
    note.textContent = fl.n < fl.total
      ? 'Showing ' + fmtInt(fl.n) + ' of ' + fmtInt(fl.total) + ' flows, sampled evenly over time (gaps are between the flows shown).'
      : 'All ' + fmtInt(fl.n) + ' flows.';
    if (!detailCharts) detailCharts = { timeline: chart(byId('timeline')), gaps: chart(byId('gaps')), sizes: chart(byId('sizes')) };
    detailCharts.timeline.setOption(timelineOption(fl, f), true);
    detailCharts.gaps.setOption(gapsOption(fl, f), true);
    detailCharts.sizes.setOption(sizesOption(fl), true);
    byId('timeline').dataset.points = String(fl.n);
    byId('timeline').dataset.index = String(i);
  }

  var comps = clear(byId('detail-components'));
  Object.keys(f.components).forEach(function (k) {
    var v = f.components[k];
    var bar = el('span', { className: 'bar' }, [el('span', { className: 'fill' })]);
    bar.firstChild.style.width = Math.max(0, Math.min(1, v)) * 100 + '%';
    comps.appendChild(el('div', { className: 'component' }, [el('span', { className: 'name', text: k }), bar, el('span', { className: 'num', text: fmtNum(v) })]));
  });

  var feats = clear(byId('detail-features'));
  Object.keys(f.features).forEach(function (k) {
    feats.appendChild(el('tr', { title: D.featureHelp[k] || null }, [el('th', { text: k }), el('td', { text: featureValue(k, f.features[k]) })]));
  });

  var eps = clear(byId('detail-episodes'));
  if (!f.episodes.length) eps.appendChild(el('p', { className: 'muted', text: 'No change episodes: the pattern did not turn from uniform to non-uniform.' }));
  f.episodes.forEach(function (e) {
    eps.appendChild(el('div', { className: 'episode' }, [
      el('b', { text: e.kind + ': ' + fmtIso(e.start) + ' → ' + fmtIso(e.end) }),
      el('ul', {}, e.reasons.map(function (r) { return el('li', { text: r }); })),
    ]));
  });
}

function select(i, scroll) {
  if (i < 0 || i >= D.findings.length) return;
  selected = i;
  Array.prototype.forEach.call(document.querySelectorAll('#findings-body tr'), function (tr) {
    tr.classList.toggle('selected', Number(tr.dataset.index) === i);
  });
  renderDetail(i);
  markSelectedInScatter(i);
  if (scroll) byId('detail').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

// ---------- start ----------
renderSummary();
setupTable();
renderTable();
renderScatter();
if (D.findings.length) select(0, false);
else byId('no-findings').hidden = false;
document.body.dataset.ready = '1';
})();
`;
