#!/usr/bin/env node
// Benchmark: the outlier models and the scoring on N per-pair rows (default 1 M), synthetic but
// shaped like real pair features (heavy-tailed counts, shares in 0..1). Seconds per model, peak RSS.
// Usage: node bench/models.js [--pairs 1000000]
import { performance } from 'node:perf_hooks';
import { PAIR_MATRIX_SCALING } from '../dist/features/feature-matrix.js';
import { ALL_MODELS, runEnsemble } from '../dist/models/ensemble.js';
import { featureMatrix } from '../dist/models/matrix.js';

const args = process.argv.slice(2);
const n = args.includes('--pairs') ? Number(args[args.indexOf('--pairs') + 1]) : 1_000_000;
let state = 12345;
const rand = () => {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0;
  return state / 2 ** 32;
};
const logNormal = (mu, sigma) =>
  Math.exp(mu + sigma * Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand()));
const columns = [
  'avgcount',
  't_bytecount',
  'distinct_byte_count',
  'orig_mode_share',
  'orig_distinct_sizes',
  'failed_share',
  'zero_byte_share',
  'duration_total',
  'prevalence',
  'timing_score',
  'gap_mad_ratio',
  'rita_score',
];
const data = columns.map(() => new Float64Array(n));
for (let i = 0; i < n; i++) {
  const flows = Math.ceil(logNormal(2, 1.5));
  const distinct = Math.min(flows, Math.ceil(logNormal(1, 1)));
  const row = [
    1 / distinct + rand() * (1 - 1 / distinct) * 0.3,
    flows,
    distinct,
    rand(),
    distinct,
    rand() < 0.05 ? rand() : 0,
    rand() * 0.1,
    logNormal(0, 2),
    rand() * 0.05,
    rand() * 0.5,
    rand() * 1.5,
    rand() * 0.8,
  ];
  row.forEach((v, j) => {
    data[j][i] = v;
  });
}
const m = featureMatrix(columns, data);
const rows = [];
for (const models of [...ALL_MODELS.map((x) => [x]), ALL_MODELS]) {
  const t = performance.now();
  await runEnsemble(m, { models, seed: 1, scale: PAIR_MATRIX_SCALING });
  rows.push({
    models: models.join('+'),
    pairs: n,
    seconds: +((performance.now() - t) / 1000).toFixed(2),
    rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
  });
  console.log(JSON.stringify(rows.at(-1)));
}
console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
console.table(rows);
