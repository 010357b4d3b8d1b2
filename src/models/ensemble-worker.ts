import { parentPort } from 'node:worker_threads';
import { runEnsemble } from './ensemble.js';
import type { EnsembleJob, EnsembleReply } from './ensemble-parallel.js';

// The models' worker (ensemble-parallel.ts): one job in, each model's ranks out.
parentPort?.once('message', (job: EnsembleJob) => {
  runEnsemble({ columns: job.columns, data: job.data }, job.options).then(
    (r) => {
      const reply: EnsembleReply = { ranks: r.ranks };
      parentPort?.postMessage(
        reply,
        Object.values(r.ranks).map((a) => a.buffer as ArrayBuffer),
      );
    },
    (err: unknown) => parentPort?.postMessage({ error: String(err) } satisfies EnsembleReply),
  );
});
