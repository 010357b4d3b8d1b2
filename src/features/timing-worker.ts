import { parentPort } from 'node:worker_threads';
import { type TimingBatch, timeBatch } from './timing-pool.js';

// A timing-pool worker: batches of pair series in, their PairTiming out (plain data, cloned back).
parentPort?.on('message', (batch: TimingBatch) => {
  parentPort?.postMessage({ id: batch.id, pairs: batch.pairs, results: timeBatch(batch) });
});
