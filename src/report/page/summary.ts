/** The header: what was read, skipped and found. */
import { badge, byId, clear, el } from './dom.js';
import { fmtInt, fmtIso } from './format.js';
import { D, SEVERITIES } from './payload.js';

export function renderSummary(): void {
  const s = D.summary;
  const box = clear(byId('summary'));
  box.appendChild(
    el('p', { className: 'lead' }, [
      'Read ',
      el('b', { text: fmtInt(s.flows_read) }),
      ' rows from ',
      el('b', { text: String(s.files.length) }),
      s.files.length === 1 ? ' file: ' : ' files: ',
      el('b', { text: fmtInt(s.flows_used) }),
      ' used, ',
      el('b', { text: fmtInt(s.lines_skipped) }),
      ' skipped. ',
      el('b', { text: fmtInt(s.pairs) }),
      ' host pairs, ',
      el('b', { text: fmtInt(D.findingsTotal) }),
      ' findings.',
    ]),
  );
  const facts = el('dl', { className: 'facts' });
  const fact = (label: string, value: Node | string) => {
    facts.appendChild(el('dt', { text: label }));
    facts.appendChild(el('dd', {}, [value]));
  };
  fact('time range', s.time_range ? `${fmtIso(s.time_range[0])} → ${fmtIso(s.time_range[1])}` : '–');
  const sev = el('span');
  for (const k of SEVERITIES) {
    const n = s.findings_by_severity[k];
    if (n) sev.appendChild(el('span', { className: 'sevcount' }, [badge('sev', k), ` ${n}`]));
  }
  fact('findings', sev.childNodes.length ? sev : 'none');
  const excluded = Object.entries(s.pairs_excluded ?? {}).filter(([, n]) => n > 0);
  if (excluded.length) fact('pairs not scored', excluded.map(([k, n]) => `${fmtInt(n)} × ${k}`).join(', '));
  if (typeof s.internal_hosts === 'number') fact('internal hosts', fmtInt(s.internal_hosts));
  fact('engine', `${s.engine}, ${s.mode} ranking on ${s.size_field} sizes`);
  const stages = Object.entries(s.stages_s ?? {})
    .map(([k, v]) => `${k} ${v.toFixed(2)} s`)
    .join(', ');
  fact('elapsed', `${s.elapsed_s.toFixed(2)} s${stages ? ` (${stages})` : ''}`);
  const reasons = Object.entries(s.skipped_by_reason).sort((a, b) => b[1] - a[1]);
  if (reasons.length) {
    fact(
      'skipped',
      el(
        'ul',
        { className: 'inline' },
        reasons.map(([r, n]) => el('li', { text: `${fmtInt(n)} × ${r}` })),
      ),
    );
  }
  box.appendChild(facts);

  const head = el(
    'tr',
    {},
    ['file', 'format', 'rows', 'used', 'skipped'].map((h) => el('th', { text: h })),
  );
  const body = el('tbody');
  for (const f of s.files) {
    const skipped = Object.entries(f.skipped)
      .map(([r, n]) => `${fmtInt(n)} × ${r}`)
      .join(', ');
    body.appendChild(
      el('tr', {}, [
        el('td', { className: 'path', text: f.path + (f.already_imported ? ' (imported before)' : '') }),
        el('td', { text: f.format }),
        el('td', { className: 'num', text: fmtInt(f.rows) }),
        el('td', { className: 'num', text: fmtInt(f.used) }),
        el('td', { text: skipped || '0' }),
      ]),
    );
    if (f.examples?.length) {
      const ex = el('details', {}, [el('summary', { text: 'examples of skipped rows' })]);
      for (const e of f.examples) ex.appendChild(el('pre', { text: e }));
      body.appendChild(el('tr', { className: 'examples' }, [el('td', { colspan: 5 }, [ex])]));
    }
  }
  box.appendChild(el('table', { className: 'files' }, [el('thead', {}, [head]), body]));
}
