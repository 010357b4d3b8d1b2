/**
 * The ensemble's rank-averaged score with its costliest model on a worker thread while this thread
 * runs the others. Every model is seeded from the seed and its own name and sees the same imputed,
 * scaled matrix (ensemble.ts), so splitting the models over two threads changes no rank; the ranks
 * are summed in the ensemble's model order, so the score is bit for bit runEnsemble's.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ALL_MODELS, type EnsembleOptions, type ModelName, runEnsemble } from './ensemble.js';
import type { FeatureMatrix } from './matrix.js';
import { nRows } from './matrix.js';

/**
 * Models run on the worker: the elliptic envelope's FastMCD (random starts and C-steps on the fit
 * sample) takes about as long as the four others together, so it balances two threads.
 */
const WORKER_MODELS: readonly ModelName[] = ['elliptic'];

/**
 * Rows below which everything runs in this thread: starting a worker and loading the models there
 * costs ~0.1 s, about what the whole ensemble takes on a few thousand rows.
 */
export const PARALLEL_MIN_ROWS = 5_000;

/** The compiled worker script; absent when running from the TypeScript sources (tests, tsx). */
const WORKER_URL = new URL('./ensemble-worker.js', import.meta.url);

/** What the worker is sent: the matrix and the options of its share of the models. */
export interface EnsembleJob {
  columns: readonly string[];
  data: readonly Float64Array[];
  options: EnsembleOptions;
}

export type EnsembleReply = { ranks: Partial<Record<ModelName, Float64Array>> } | { error: string };

function onWorker(job: EnsembleJob): Promise<Partial<Record<ModelName, Float64Array>>> {
  // --input-type (from `node --input-type=module -e …`) is refused by a worker given a file
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  const worker = new Worker(fileURLToPath(WORKER_URL), { execArgv });
  return new Promise<Partial<Record<ModelName, Float64Array>>>((resolve, reject) => {
    worker.once('message', (reply: EnsembleReply) =>
      'error' in reply ? reject(new Error(reply.error)) : resolve(reply.ranks),
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the models' worker stopped (exit code ${code})`)));
    worker.postMessage(job);
  }).finally(() => worker.terminate());
}

/**
 * runEnsemble(m, options).score, with WORKER_MODELS on a worker thread when there are enough rows,
 * a second core and the compiled worker script; otherwise in this thread.
 */
export async function ensembleScore(m: FeatureMatrix, options: EnsembleOptions = {}): Promise<Float64Array> {
  const models = [...new Set(options.models ?? ALL_MODELS)];
  const away = models.filter((name) => WORKER_MODELS.includes(name));
  const here = models.filter((name) => !WORKER_MODELS.includes(name));
  const n = nRows(m);
  const parallel =
    away.length > 0 &&
    here.length > 0 &&
    n >= PARALLEL_MIN_ROWS &&
    availableParallelism() > 1 &&
    existsSync(fileURLToPath(WORKER_URL));
  if (!parallel) return (await runEnsemble(m, { ...options, models })).score;
  const remote = onWorker({ columns: m.columns, data: m.data, options: { ...options, models: away } });
  // a failure here must not leave the worker's rejection unhandled
  remote.catch(() => {});
  const local = await runEnsemble(m, { ...options, models: here });
  const ranks = { ...local.ranks, ...(await remote) };
  // summed in the ensemble's model order, as runEnsemble sums them
  const score = new Float64Array(n);
  for (const name of models) {
    const r = ranks[name] as Float64Array;
    for (let i = 0; i < n; i++) score[i] = (score[i] as number) + (r[i] as number);
  }
  for (let i = 0; i < n; i++) score[i] = (score[i] as number) / models.length;
  return score;
}
