/** The report page's stylesheet (inlined in a <style> element). */
export const PAGE_STYLE = `
:root { --fg: #1d2125; --muted: #5f6770; --line: #dde1e5; --bg: #f6f7f9; --card: #fff; --accent: #2457c5; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
header, main { max-width: 1500px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h1 small { font-weight: normal; color: var(--muted); font-size: 14px; }
h2 { font-size: 17px; margin: 0 0 10px; }
h3 { font-size: 14px; margin: 14px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
section.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 14px 0; }
.lead { margin: 6px 0 10px; font-size: 15px; }
.muted { color: var(--muted); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 0 0 10px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
ul.inline { list-style: none; margin: 0; padding: 0; display: inline; }
ul.inline li { display: inline; margin-right: 12px; }
.sevcount { margin-right: 12px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.path, td.ip, td.host, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; word-break: break-all; unicode-bidi: isolate; }
/* The reason takes the width the other columns leave and ends in an ellipsis (full text in its title): a long reason cannot push the table wider than the card. */
td.reason { max-width: 0; width: 100%; min-width: 160px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; color: var(--muted); }
td.ip, #findings-body td { white-space: nowrap; }
td.host { max-width: 220px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
table.files { margin-top: 4px; }
pre { margin: 4px 0; white-space: pre-wrap; }
.chart { width: 100%; height: 560px; }
.chart.empty { height: auto; }
.chart.small { height: 260px; }
.chart.timeline { height: 330px; }
.controls { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin-bottom: 8px; }
.controls input, .controls select { font: inherit; padding: 4px 8px; border: 1px solid var(--line); border-radius: 5px; background: #fff; }
.controls input[type=search] { width: 200px; }
#f-count { color: var(--muted); margin-left: auto; }
#findings-table th { cursor: pointer; user-select: none; white-space: nowrap; position: sticky; top: 0; background: var(--card); }
#findings-table th[aria-sort=ascending]::after { content: " ▲"; font-size: 10px; }
#findings-table th[aria-sort=descending]::after { content: " ▼"; font-size: 10px; }
#findings-body tr { cursor: pointer; }
#findings-body tr:hover { background: #f0f4fb; }
#findings-body tr.selected { background: #e2ebfb; }
#findings-body tr:focus { outline: 2px solid var(--accent); outline-offset: -2px; }
.table-wrap { max-height: 460px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; line-height: 19px; border: 1px solid transparent; margin-right: 6px; white-space: nowrap; }
.sev-critical { background: #d62728; color: #fff; }
.sev-high { background: #e377c2; color: #fff; }
.sev-medium { background: #ffd84d; color: #3b3000; }
.sev-low { background: #d6ecf5; color: #11495e; }
.sev-none { background: #eceff1; color: #555; }
.verdict-beacon { border-color: #d62728; color: #a81d1e; }
.verdict-active-c2 { border-color: #ff7f0e; color: #a35200; }
.verdict-strobe { border-color: #9467bd; color: #6a4391; }
.verdict-long-connection { border-color: #1f77b4; color: #175a88; }
.verdict-anomaly { border-color: #c9a400; color: #7a6400; }
#detail-title { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 16px; word-break: break-all; unicode-bidi: isolate; }
#detail-meta { display: flex; flex-wrap: wrap; gap: 6px 10px; align-items: center; color: var(--muted); margin-bottom: 6px; }
#detail-reasons li { margin: 2px 0; }
.pair-charts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.columns { display: grid; grid-template-columns: minmax(260px, 1fr) minmax(300px, 1.3fr) minmax(260px, 1.2fr); gap: 20px; }
@media (max-width: 1000px) { .pair-charts, .columns { grid-template-columns: 1fr; } }
.component { display: grid; grid-template-columns: 120px 1fr 48px; gap: 8px; align-items: center; margin: 3px 0; }
.component .bar { height: 10px; background: #eceff1; border-radius: 5px; overflow: hidden; }
.component .fill { display: block; height: 100%; background: var(--accent); }
#detail-features th { font-weight: normal; color: var(--muted); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
#detail-features td { font-variant-numeric: tabular-nums; }
.features-wrap { max-height: 420px; overflow: auto; }
.episode { margin: 6px 0; }
footer { max-width: 1500px; margin: 0 auto; padding: 4px 20px 30px; color: var(--muted); font-size: 12px; }
`;
