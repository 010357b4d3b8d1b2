#!/usr/bin/env node
// Measure the default ranking on every labelled capture of ../shared/data: each calibration case
// (main input and nfdump variant) and the shared fixtures with a known C2 (test/fixtures/shared-truth.csv).
// Usage: npm run eval:calibration [-- --json] [--only SUBSTRING] [--why]
// --why: under each failing case, the reasons and its top findings with the truth roles they match.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runCorpus, sharedDataGroups } from '../dist/eval/corpus.js';
import { corpusTable, groupTotals } from '../dist/eval/report.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const why = args.includes('--why');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(root, '..', 'shared', 'data');
if (!existsSync(join(dataDir, 'calibration', 'truth-all.csv'))) {
  console.error(
    `eval:calibration: no calibration corpus at ${join(dataDir, 'calibration')}; nothing to measure`,
  );
  process.exit(2);
}
const groups = await sharedDataGroups(dataDir, join(root, 'test', 'fixtures', 'shared-truth.csv'));
const results = [];
for (const group of groups) {
  const entries = only ? group.entries.filter((e) => e.case.includes(only)) : group.entries;
  if (entries.length) results.push({ title: group.title, results: await runCorpus(entries, { seed: 1 }) });
}
if (json) {
  const totals = results.map((g) => ({ group: g.title, ...groupTotals(g.results) }));
  process.stdout.write(`${JSON.stringify({ groups: results, totals }, null, 2)}\n`);
} else {
  process.stdout.write(corpusTable(results, Boolean(process.stdout.isTTY) && !process.env.NO_COLOR, why));
}
