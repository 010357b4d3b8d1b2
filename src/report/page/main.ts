/**
 * The report page's script (bundled by scripts/build-page.mjs with the chart library, inlined in the
 * report and allowed by its CSP hash). It reads the JSON payload (html/data.ts) and builds the page;
 * it never fetches anything (the page's CSP forbids it too).
 */
import { renderDetail } from './detail.js';
import { byId } from './dom.js';
import { D } from './payload.js';
import { markSelectedInScatter, renderScatter } from './scatter.js';
import { renderSummary } from './summary.js';
import { markSelectedRow, renderTable, setupTable } from './table.js';

function select(i: number, scroll: boolean): void {
  if (i < 0 || i >= D.findings.length) return;
  markSelectedRow(i);
  renderDetail(i);
  markSelectedInScatter(i);
  if (scroll) byId('detail').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

renderSummary();
setupTable((i) => select(i, false));
renderTable();
renderScatter((f) => select(f, true));
if (D.findings.length) select(0, false);
else byId('no-findings').hidden = false;
document.body.dataset.ready = '1';
