import type { Flow } from '../flow/schema.js';

/**
 * k-way merge of time-ordered flow iterators with a binary min-heap keyed on (ts, source index).
 * Memory is one pending flow per source, whatever the total; ties break on source order so the
 * output is deterministic. Keys live in typed arrays: this loop runs once per flow.
 */
export function* mergeByTime(sources: readonly Iterator<Flow>[]): Generator<Flow> {
  const k = sources.length;
  const keys = new Float64Array(k);
  const owner = new Int32Array(k);
  const heads: Flow[] = [];
  let n = 0;

  const less = (a: number, b: number): boolean =>
    (keys[a] as number) < (keys[b] as number) ||
    (keys[a] === keys[b] && (owner[a] as number) < (owner[b] as number));
  const swap = (a: number, b: number): void => {
    const key = keys[a] as number;
    keys[a] = keys[b] as number;
    keys[b] = key;
    const o = owner[a] as number;
    owner[a] = owner[b] as number;
    owner[b] = o;
    const f = heads[a] as Flow;
    heads[a] = heads[b] as Flow;
    heads[b] = f;
  };
  const down = (start: number): void => {
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const m = r < n && less(r, l) ? r : l;
      if (!less(m, i)) return;
      swap(i, m);
      i = m;
    }
  };

  for (let index = 0; index < k; index++) {
    const r = (sources[index] as Iterator<Flow>).next();
    if (r.done) continue;
    heads[n] = r.value;
    keys[n] = r.value.ts;
    owner[n] = index;
    n++;
  }
  for (let i = (n >>> 1) - 1; i >= 0; i--) down(i);

  while (n > 0) {
    const top = heads[0] as Flow;
    const r = (sources[owner[0] as number] as Iterator<Flow>).next();
    if (r.done) {
      n--;
      heads[0] = heads[n] as Flow;
      keys[0] = keys[n] as number;
      owner[0] = owner[n] as number;
      heads.length = n;
    } else {
      heads[0] = r.value;
      keys[0] = r.value.ts;
    }
    down(0);
    yield top;
  }
}
