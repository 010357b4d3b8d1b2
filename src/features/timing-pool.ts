import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PairSeries } from './pair-features.js';
import { type PairTiming, timingOfSeries } from './pair-timing.js';

/** One batch of pairs packed into flat buffers, so it moves to a worker without copying. */
export interface TimingBatch {
  id: number;
  /** Pair index per series (where the result goes). */
  pairs: Int32Array;
  /** Series k is ts/sizes[offsets[k], offsets[k + 1]). */
  offsets: Int32Array;
  ts: Float64Array;
  sizes: Float64Array;
  /** 1: the periodogram may run (the pair's score can still reach a finding). */
  periodogram: Uint8Array;
  window?: { start: number; end: number };
}

/** The timing of every series of a batch, in batch order: the same pure call as in process. */
export function timeBatch(batch: TimingBatch): PairTiming[] {
  const out: PairTiming[] = [];
  for (let k = 0; k < batch.pairs.length; k++) {
    const from = batch.offsets[k] as number;
    const to = batch.offsets[k + 1] as number;
    const series: PairSeries = {
      src: '',
      dst: '',
      ts: batch.ts.slice(from, to),
      sizes: batch.sizes.slice(from, to),
    };
    out.push(timingOfSeries(series, batch.window, batch.periodogram[k] === 1));
  }
  return out;
}

/**
 * Flows per batch: large enough that posting a message costs nothing next to the work in it,
 * small enough that both workers get work early and little waits at the end.
 */
const BATCH_POINTS = 1 << 16;
/** Batches in flight per worker before the producer waits: keeps memory flat on any input. */
const IN_FLIGHT_PER_WORKER = 3;

/** Workers the timing stage uses by default: two where there are two cores, none on one core. */
export function defaultTimingWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.BEACONHUNT_TIMING_WORKERS;
  if (text !== undefined && text !== '') {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`BEACONHUNT_TIMING_WORKERS must be a whole number ≥ 0, not "${text}"`);
    return n;
  }
  return Math.min(2, availableParallelism() > 1 ? availableParallelism() : 0);
}

/** The compiled worker script; absent when running from the TypeScript sources (tests, tsx). */
const WORKER_URL = new URL('./timing-worker.js', import.meta.url);

/**
 * Per-pair timing analysis, on `workers` worker threads (0 or no compiled worker script: in this
 * thread). Results are identical either way: the same pure function runs on the same series.
 */
export class TimingPool {
  private readonly workers: Worker[] = [];
  private readonly busy: number[] = [];
  private readonly waiting = new Map<
    number,
    { resolve: () => void; reject: (e: Error) => void; worker: number }
  >();
  private readonly done: Promise<void>[] = [];
  private nextId = 0;
  private failure: Error | undefined;
  private batch: {
    pairs: number[];
    offsets: number[];
    ts: Float64Array;
    sizes: Float64Array;
    flags: number[];
  };
  private drained: (() => void) | undefined;

  private readonly wanted: number;

  constructor(
    private readonly out: (PairTiming | undefined)[],
    private readonly window: { start: number; end: number } | undefined,
    workers: number,
    /** Flows per batch (tests make it small to exercise the workers on a small input). */
    private readonly batchPoints = BATCH_POINTS,
  ) {
    this.batch = this.fresh();
    this.wanted = workers > 0 && existsSync(fileURLToPath(WORKER_URL)) ? workers : 0;
  }

  /**
   * Workers start with the first full batch: an input smaller than one batch (fixtures, small
   * captures) is timed in this thread and never pays for starting threads.
   */
  private start() {
    if (this.workers.length > 0) return;
    // --input-type (from `node --input-type=module -e …`) is refused by a worker given a file
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    for (let w = 0; w < this.wanted; w++) {
      const worker = new Worker(fileURLToPath(WORKER_URL), { execArgv });
      worker.on('message', (msg: { id: number; results: PairTiming[]; pairs: Int32Array }) => {
        msg.pairs.forEach((pair, k) => {
          this.out[pair] = msg.results[k];
        });
        this.settle(msg.id);
      });
      worker.on('error', (err) => this.fail(err));
      this.workers.push(worker);
      this.busy.push(0);
    }
  }

  /** How many worker threads have run the analysis (0: all of it ran in this thread). */
  get threads(): number {
    return this.workers.length;
  }

  private fresh() {
    return {
      pairs: [],
      offsets: [0],
      ts: new Float64Array(this.batchPoints),
      sizes: new Float64Array(this.batchPoints),
      flags: [],
    };
  }

  /** Queues one pair; resolves when there is room for more (backpressure), else returns nothing. */
  add(pair: number, series: PairSeries, periodogram: boolean): Promise<void> | undefined {
    if (this.wanted === 0) {
      this.out[pair] = timingOfSeries(series, this.window, periodogram);
      return undefined;
    }
    const b = this.batch;
    const used = b.offsets[b.offsets.length - 1] as number;
    const n = series.ts.length;
    if (used + n > b.ts.length) {
      const grow = Math.max(b.ts.length * 2, used + n);
      const ts = new Float64Array(grow);
      ts.set(b.ts.subarray(0, used));
      const sizes = new Float64Array(grow);
      sizes.set(b.sizes.subarray(0, used));
      b.ts = ts;
      b.sizes = sizes;
    }
    b.ts.set(series.ts, used);
    b.sizes.set(series.sizes, used);
    b.pairs.push(pair);
    b.offsets.push(used + n);
    b.flags.push(periodogram ? 1 : 0);
    return used + n >= this.batchPoints ? this.flush() : undefined;
  }

  private flush(last = false): Promise<void> | undefined {
    const b = this.batch;
    if (b.pairs.length === 0) return undefined;
    this.batch = this.fresh();
    if (last && this.workers.length === 0) {
      // the whole input was less than one batch: time it here
      const used = b.offsets[b.offsets.length - 1] as number;
      const results = timeBatch({
        id: -1,
        pairs: Int32Array.from(b.pairs),
        offsets: Int32Array.from(b.offsets),
        ts: b.ts.subarray(0, used),
        sizes: b.sizes.subarray(0, used),
        periodogram: Uint8Array.from(b.flags),
        ...(this.window ? { window: this.window } : {}),
      });
      b.pairs.forEach((pair, k) => {
        this.out[pair] = results[k];
      });
      return undefined;
    }
    this.start();
    const used = b.offsets[b.offsets.length - 1] as number;
    const batch: TimingBatch = {
      id: this.nextId++,
      pairs: Int32Array.from(b.pairs),
      offsets: Int32Array.from(b.offsets),
      ts: b.ts.slice(0, used),
      sizes: b.sizes.slice(0, used),
      periodogram: Uint8Array.from(b.flags),
      ...(this.window ? { window: this.window } : {}),
    };
    // the least busy worker; ties to the lowest index, so the schedule is reproducible
    let w = 0;
    for (let i = 1; i < this.busy.length; i++) if ((this.busy[i] as number) < (this.busy[w] as number)) w = i;
    this.busy[w] = (this.busy[w] as number) + 1;
    this.done.push(
      new Promise<void>((resolve, reject) => {
        this.waiting.set(batch.id, { resolve, reject, worker: w });
      }),
    );
    const moved = [batch.pairs, batch.offsets, batch.ts, batch.sizes, batch.periodogram];
    (this.workers[w] as Worker).postMessage(
      batch,
      moved.map((a) => a.buffer as ArrayBuffer),
    );
    if (this.failure) return Promise.reject(this.failure);
    const full = this.busy.every((x) => x >= IN_FLIGHT_PER_WORKER);
    return full ? new Promise<void>((resolve) => (this.drained = resolve)) : undefined;
  }

  private settle(id: number) {
    const entry = this.waiting.get(id);
    if (!entry) return;
    this.waiting.delete(id);
    this.busy[entry.worker] = (this.busy[entry.worker] as number) - 1;
    entry.resolve();
    const wake = this.drained;
    this.drained = undefined;
    wake?.();
  }

  private fail(err: Error) {
    this.failure = err;
    for (const entry of this.waiting.values()) entry.reject(err);
    this.waiting.clear();
    const wake = this.drained;
    this.drained = undefined;
    wake?.();
  }

  /** Waits for every queued pair, then stops the workers. */
  async finish(): Promise<void> {
    try {
      this.flush(true);
      await Promise.all(this.done);
      if (this.failure) throw this.failure;
    } finally {
      await Promise.all(this.workers.map((w) => w.terminate()));
    }
  }
}
