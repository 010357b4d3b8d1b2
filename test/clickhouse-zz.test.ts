import { it } from 'vitest';
import { planImport } from '../src/read/formats.js';
import { convertFile } from '../src/store/clickhouse/import-rows.js';
import type { FlowPlan } from '../src/store/clickhouse/convert.js';
import { readRawRows } from '../src/store/clickhouse/read-raw.js';
it('prof', async () => {
  const plan = (await planImport('/tmp/bhbench/conn-1m.log')) as FlowPlan;
  let t = performance.now(); let rows = 0;
  for await (const b of readRawRows(plan, { malformed: 0, examples: [], nonDataLines: 0 })) rows += b.rows.length;
  console.log('PROF read', rows, (performance.now() - t) / 1000);
  t = performance.now();
  const acc = await convertFile(plan, () => {});
  console.log('PROF read+convert', acc.used, (performance.now() - t) / 1000);
}, 600000);
