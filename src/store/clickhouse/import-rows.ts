import { type Flow, SKIP_REASONS } from '../../flow/schema.js';
import type { FileAccounting } from '../../read/plan.js';
import { InputError } from '../../util/errors.js';
import { compileConverter, type FlowPlan } from './convert.js';
import { UnsupportedTimeFormat } from './duck-cast.js';
import { NeedsLineByLine, type ReadStats, readRawRows } from './read-raw.js';

export { NeedsLineByLine };

/**
 * Read, convert and validate a whole file in JavaScript, handing the usable flows to `sink` in
 * batches (which may apply back-pressure by returning a promise). Returns the same accounting the
 * DuckDB import records: data rows, used, skipped by reason, examples of malformed lines.
 */
export async function convertFile(
  plan: FlowPlan,
  sink: (flows: Flow[]) => void | Promise<void>,
  lineByLine = false,
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
  for await (const batch of readRawRows(plan, stats, lineByLine)) {
    const flows: Flow[] = [];
    batch.rows.forEach((raw, i) => {
      const out = convert(raw, batch.jsonOk ? batch.jsonOk[i] : true);
      if (typeof out === 'string') skipped[out] = (skipped[out] ?? 0) + 1;
      else flows.push(out);
    });
    used += flows.length;
    if (flows.length) await sink(flows);
  }
  const malformed = stats.malformed + (stats.malformedRows ?? 0);
  if (malformed > 0)
    skipped[SKIP_REASONS.malformedLine] = (skipped[SKIP_REASONS.malformedLine] ?? 0) + malformed;
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

/**
 * convertFile, restarting line by line when the quoted-CSV reading meets an unterminated quote (as
 * the DuckDB engine does). `reset` is called before the restart: drop what the sink has received.
 */
export async function convertFileWithRestart(
  plan: FlowPlan,
  sink: (flows: Flow[]) => void | Promise<void>,
  reset: () => void | Promise<void>,
): Promise<Omit<FileAccounting, 'alreadyImported'>> {
  try {
    return await convertFile(plan, sink);
  } catch (err) {
    if (!(err instanceof NeedsLineByLine)) throw err;
    await reset();
    return convertFile(plan, sink, true);
  }
}
