import { type Flow, SKIP_REASONS } from '../../flow/schema.js';
import type { FileAccounting } from '../../read/plan.js';
import { InputError } from '../../util/errors.js';
import { compileConverter, type FlowPlan } from './convert.js';
import { UnsupportedTimeFormat } from './duck-cast.js';
import { type ReadStats, readRawRows } from './read-raw.js';

/**
 * Read, convert and validate a whole file in JavaScript, handing the usable flows to `sink` in
 * batches (which may apply back-pressure by returning a promise). Returns the same accounting the
 * DuckDB import records: data rows, used, skipped by reason, examples of malformed lines.
 */
export async function convertFile(
  plan: FlowPlan,
  sink: (flows: Flow[]) => void | Promise<void>,
): Promise<Omit<FileAccounting, 'alreadyImported'>> {
  let convert: ReturnType<typeof compileConverter>;
  try {
    convert = compileConverter(plan);
  } catch (err) {
    if (err instanceof UnsupportedTimeFormat) throw new InputError(err.message, plan.path);
    throw err;
  }
  const stats: ReadStats = { malformed: 0, examples: [], nonDataLines: 0 };
  const skipped: Record<string, number> = {};
  let used = 0;
  for await (const batch of readRawRows(plan, stats)) {
    const flows: Flow[] = [];
    batch.rows.forEach((raw, i) => {
      const out = convert(raw, batch.jsonOk ? batch.jsonOk[i] : true);
      if (typeof out === 'string') skipped[out] = (skipped[out] ?? 0) + 1;
      else flows.push(out);
    });
    used += flows.length;
    if (flows.length) await sink(flows);
  }
  if (stats.malformed > 0) skipped[SKIP_REASONS.malformedLine] = (skipped[SKIP_REASONS.malformedLine] ?? 0) + stats.malformed;
  const dataRows = used + Object.values(skipped).reduce((a, b) => a + b, 0);
  return {
    path: plan.path,
    format: plan.format,
    dataRows,
    used,
    skipped,
    examples: stats.examples,
    nonDataLines: stats.nonDataLines,
    notes: plan.notes ?? [],
  };
}
