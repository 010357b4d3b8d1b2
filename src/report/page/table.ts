/** The findings table: sortable columns, filters by verdict, severity, IP and any text. */
import { badge, byId, clear, el } from './dom.js';
import { compareIp, fmtInt, fmtIso } from './format.js';
import { D, type Finding, SEVERITIES } from './payload.js';

interface Column {
  key: string;
  label: string;
  type: 'num' | 'str' | 'ip' | 'sev';
  value: (f: Finding) => number | string;
  show?: (f: Finding) => string;
  node?: (f: Finding) => Node;
  cls?: string;
}

const COLUMNS: Column[] = [
  { key: 'rank', label: '#', type: 'num', value: (f) => f.rank },
  { key: 'score', label: 'score', type: 'num', value: (f) => f.score, show: (f) => f.score.toFixed(2) },
  {
    key: 'severity',
    label: 'severity',
    type: 'sev',
    value: (f) => f.severity,
    node: (f) => badge('sev', f.severity),
  },
  {
    key: 'verdict',
    label: 'verdict',
    type: 'str',
    value: (f) => f.verdict,
    node: (f) => badge('verdict', f.verdict),
  },
  { key: 'src', label: 'source', type: 'ip', value: (f) => f.src, cls: 'ip' },
  { key: 'dst', label: 'destination', type: 'ip', value: (f) => f.dst, cls: 'ip' },
  {
    key: 'dport',
    label: 'port',
    type: 'num',
    value: (f) => (f.dport === null ? -1 : f.dport),
    show: (f) => (f.dport === null ? '' : String(f.dport)) + (f.proto ? `/${f.proto}` : ''),
  },
  { key: 'host', label: 'host', type: 'str', value: (f) => f.host ?? '', cls: 'host' },
  { key: 'flows', label: 'flows', type: 'num', value: (f) => f.flows, show: (f) => fmtInt(f.flows) },
  {
    key: 'first_seen',
    label: 'first seen',
    type: 'str',
    value: (f) => f.first_seen,
    show: (f) => fmtIso(f.first_seen),
    cls: 'time',
  },
  {
    key: 'last_seen',
    label: 'last seen',
    type: 'str',
    value: (f) => f.last_seen,
    show: (f) => fmtIso(f.last_seen),
    cls: 'time',
  },
  { key: 'reason', label: 'first reason', type: 'str', value: (f) => f.reasons[0] ?? '', cls: 'reason' },
];

/** Columns that clip long text: the whole text is in the cell's title. */
const CLIPPED = new Set(['reason', 'host', 'src', 'dst']);

let sortState = { key: 'rank', dir: 1 };
let selected = -1;
let onSelect: (i: number) => void = () => {};

interface Filters {
  verdict: string;
  severity: string;
  ip: string;
  text: string;
}

function matches(f: Finding, filters: Filters): boolean {
  if (filters.verdict && f.verdict !== filters.verdict) return false;
  if (filters.severity && f.severity !== filters.severity) return false;
  if (filters.ip && !f.src.toLowerCase().includes(filters.ip) && !f.dst.toLowerCase().includes(filters.ip))
    return false;
  if (filters.text) {
    const hay = [
      f.src,
      f.dst,
      f.host ?? '',
      f.verdict,
      f.severity,
      f.proto ?? '',
      f.dport === null ? '' : String(f.dport),
      ...f.reasons,
    ]
      .join('\n')
      .toLowerCase();
    if (!hay.includes(filters.text)) return false;
  }
  return true;
}

function currentFilters(): Filters {
  return {
    verdict: byId<HTMLSelectElement>('f-verdict').value,
    severity: byId<HTMLSelectElement>('f-severity').value,
    ip: byId<HTMLInputElement>('f-ip').value.trim().toLowerCase(),
    text: byId<HTMLInputElement>('f-text').value.trim().toLowerCase(),
  };
}

function compare(col: Column, a: Finding, b: Finding): number {
  const x = col.value(a);
  const y = col.value(b);
  if (col.type === 'num') return (x as number) - (y as number);
  if (col.type === 'ip') return compareIp(String(x), String(y));
  if (col.type === 'sev')
    return (
      SEVERITIES.indexOf(y as (typeof SEVERITIES)[number]) -
      SEVERITIES.indexOf(x as (typeof SEVERITIES)[number])
    );
  return x < y ? -1 : x > y ? 1 : 0;
}

export function renderTable(): void {
  const filters = currentFilters();
  const col = COLUMNS.find((c) => c.key === sortState.key) ?? (COLUMNS[0] as Column);
  const rows = D.findings.map((_, i) => i).filter((i) => matches(D.findings[i] as Finding, filters));
  rows.sort((a, b) => {
    const fa = D.findings[a] as Finding;
    const fb = D.findings[b] as Finding;
    return compare(col, fa, fb) * sortState.dir || fa.rank - fb.rank;
  });
  const body = clear(byId('findings-body'));
  for (const i of rows) {
    const f = D.findings[i] as Finding;
    const tr = el('tr', {
      tabindex: 0,
      'data-index': i,
      className: i === selected ? 'selected' : '',
      on: {
        click: () => onSelect(i),
        keydown: (e: KeyboardEvent) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            onSelect(i);
          }
        },
      },
    });
    for (const c of COLUMNS) {
      const td = el('td', { className: `${c.type === 'num' ? 'num ' : ''}${c.cls ?? ''}` });
      if (c.node) td.appendChild(c.node(f));
      else td.textContent = c.show ? c.show(f) : String(c.value(f));
      if (CLIPPED.has(c.key)) td.title = td.textContent ?? '';
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  byId('f-count').textContent = `showing ${rows.length} of ${D.findings.length} findings${
    D.findingsTotal > D.findings.length ? ` (${D.findingsTotal} in all; the JSON output has every one)` : ''
  }`;
  byId('findings-empty').hidden = rows.length > 0;
  for (const th of document.querySelectorAll<HTMLElement>('#findings-table th')) {
    const on = th.dataset.key === sortState.key;
    th.setAttribute('aria-sort', on ? (sortState.dir > 0 ? 'ascending' : 'descending') : 'none');
  }
}

function sortBy(key: string): void {
  if (sortState.key === key) sortState.dir = -sortState.dir;
  else sortState = { key, dir: key === 'score' || key === 'flows' || key === 'severity' ? -1 : 1 };
  renderTable();
}

function counts(key: (f: Finding) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of D.findings) out.set(key(f), (out.get(key(f)) ?? 0) + 1);
  return out;
}

export function setupTable(select: (i: number) => void): void {
  onSelect = select;
  const head = byId('findings-head');
  for (const c of COLUMNS) {
    head.appendChild(
      el('th', {
        'data-key': c.key,
        scope: 'col',
        tabindex: 0,
        title: `sort by ${c.label}`,
        text: c.label,
        on: {
          click: () => sortBy(c.key),
          keydown: (e: KeyboardEvent) => {
            if (e.key === 'Enter') sortBy(c.key);
          },
        },
      }),
    );
  }
  const verdicts = counts((f) => f.verdict);
  const verdict = byId('f-verdict');
  for (const v of D.verdicts) {
    const n = verdicts.get(v);
    if (n) verdict.appendChild(el('option', { value: v, text: `${v} (${n})` }));
  }
  const severities = counts((f) => f.severity);
  const severity = byId('f-severity');
  for (const s of SEVERITIES) {
    const n = severities.get(s);
    if (n) severity.appendChild(el('option', { value: s, text: `${s} (${n})` }));
  }
  for (const id of ['f-verdict', 'f-severity']) byId(id).addEventListener('change', renderTable);
  for (const id of ['f-ip', 'f-text']) byId(id).addEventListener('input', renderTable);
}

export function markSelectedRow(i: number): void {
  selected = i;
  for (const tr of document.querySelectorAll<HTMLElement>('#findings-body tr')) {
    tr.classList.toggle('selected', Number(tr.dataset.index) === i);
  }
}
