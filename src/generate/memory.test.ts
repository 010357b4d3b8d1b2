import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { generateToFile } from './generate.js';

/** A real gc() without --expose-gc, so heap figures are live data, not uncollected garbage. */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MB = 1024 * 1024;

describe('streaming', () => {
  it('writes 1 M flows to /dev/null with flat memory (prints heap and speed)', async () => {
    gc();
    const base = process.memoryUsage().heapUsed;
    const samples: number[] = [];
    const started = performance.now();
    const { flows } = await generateToFile({
      format: 'zeek',
      out: '/dev/null',
      flows: 1_000_000,
      progressEvery: 200_000,
      onProgress: () => {
        gc();
        samples.push(process.memoryUsage().heapUsed - base);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    expect(flows).toBe(1_000_000);
    const growth = samples.map((b) => Math.round(b / MB));
    console.log(
      `generate 1M flows (zeek → /dev/null): ${seconds.toFixed(2)} s, ${Math.round(flows / seconds).toLocaleString('en-US')} flows/s; ` +
        `live heap above baseline at 200k…1M flows: ${growth.join(', ')} MB`,
    );
    // Holding 1 M flows would take hundreds of MB; the generator keeps one pending flow per actor.
    expect(Math.max(...samples)).toBeLessThan(64 * MB);
    expect((samples.at(-1) as number) - (samples[0] as number)).toBeLessThan(16 * MB);
  });
});
