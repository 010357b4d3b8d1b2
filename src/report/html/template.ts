import { createHash } from 'node:crypto';
import { escapeHtml } from './escape.js';

/**
 * The report's HTML around its data: static markup (no log value is ever written into it; the page
 * script fills it from the JSON data block), the stylesheet, and the inline scripts, each allowed
 * by its hash in the Content-Security-Policy, which forbids every network request.
 */

export interface DocumentParts {
  title: string;
  style: string;
  /** JSON already escaped for a data block (escape.ts jsonForScript). */
  dataJson: string;
  /** Inline script texts in load order, already made safe (escape.ts inlineScriptText). */
  scripts: string[];
}

export function cspHash(script: string): string {
  return `'sha256-${createHash('sha256').update(script, 'utf8').digest('base64')}'`;
}

export function contentSecurityPolicy(scripts: readonly string[]): string {
  return [
    "default-src 'none'",
    `script-src ${scripts.map(cspHash).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

const BODY = `
<header>
  <h1>beaconhunt report <small>C2 beacon hunt over flow logs</small></h1>
  <noscript><p><b>This report needs JavaScript</b> (its scripts are inlined; it loads nothing from the network).</p></noscript>
  <div id="summary"></div>
</header>
<main>
  <section class="card" id="overview">
    <h2>Host pairs: beacon % × flows × distinct sizes</h2>
    <div id="scatter" class="chart"></div>
    <p id="scatter-note" class="muted"></p>
  </section>
  <section class="card" id="findings">
    <h2>Findings</h2>
    <div class="controls">
      <input id="f-ip" type="search" placeholder="search IP" aria-label="search by IP address" autocomplete="off">
      <input id="f-text" type="search" placeholder="filter text (host, reason, …)" aria-label="filter by any text" autocomplete="off">
      <select id="f-verdict" aria-label="filter by verdict"><option value="">any verdict</option></select>
      <select id="f-severity" aria-label="filter by severity"><option value="">any severity</option></select>
      <span id="f-count"></span>
    </div>
    <div class="table-wrap">
      <table id="findings-table">
        <thead><tr id="findings-head"></tr></thead>
        <tbody id="findings-body"></tbody>
      </table>
    </div>
    <p id="findings-empty" class="muted" hidden>No finding matches the filters.</p>
    <p id="no-findings" hidden>No findings: nothing in this data looks like a beacon or active C2.</p>
  </section>
  <section class="card" id="detail" hidden>
    <h2 id="detail-title"></h2>
    <div id="detail-meta"></div>
    <ul id="detail-reasons"></ul>
    <p id="detail-flows-note" class="muted"></p>
    <div id="detail-charts">
      <div id="timeline" class="chart timeline"></div>
      <div class="pair-charts">
        <div id="gaps" class="chart small"></div>
        <div id="sizes" class="chart small"></div>
      </div>
    </div>
    <div class="columns">
      <div><h3>Sub-scores</h3><div id="detail-components"></div></div>
      <div><h3>Features</h3><div class="features-wrap"><table id="detail-features"></table></div></div>
      <div><h3>Change episodes</h3><div id="detail-episodes"></div></div>
    </div>
  </section>
</main>
<footer>Written by beaconhunt. A single self-contained file: it works offline and loads nothing from the network.</footer>
`;

export function renderDocument(parts: DocumentParts): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(parts.scripts))}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(parts.title)}</title>`,
    `<style>${parts.style}</style>`,
    '</head>',
    '<body>',
    BODY,
    `<script type="application/json" id="report-data">${parts.dataJson}</script>`,
    ...parts.scripts.map((s) => `<script>${s}</script>`),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
