import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeEpisodesDetailed, episodeCloseIndex, resolveChangeOptions } from '../src/change/index.js';
import type { Truth } from '../src/generate/index.js';
import { planImport } from '../src/read/formats.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';
import { alertOf } from '../src/watch/alerts.js';
import { generatedLog, rng } from './change-fixtures.js';
import { ENTRY, ensureBuilt } from './watch-build.js';

/*
 * Live mode end to end: a Zeek conn.log grows in chunks (lines cut in half between writes), is
 * rotated twice (renamed; once also gzipped, as Zeek's archiver does), while the watch process is
 * killed with SIGKILL again and again and restarted. At the end the database must hold exactly
 * the flows of the log and the alerts file exactly the alerts a one-shot batch run finds.
 */

interface Run {
  proc: ChildProcess;
  exited: Promise<number | null>;
  stderr: string[];
}

/** Everything the watch processes said on stderr, for the failure message. */
const said: string[] = [];

function startWatch(args: string[]): Run {
  const proc = spawn(process.execPath, [ENTRY, 'watch', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: string[] = [];
  proc.stderr?.on('data', (d: Buffer) => {
    stderr.push(d.toString());
    said.push(d.toString());
  });
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  return { proc, exited, stderr };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watch: growing and rotated conn.log, killed with SIGKILL and restarted', () => {
  let dir: string;
  let source: string;
  let truth: Truth;

  beforeAll(async () => {
    ensureBuilt();
    ({ dir, path: source, truth } = await generatedLog(5));
  });

  afterAll(async () => {
    if (process.env.BEACONHUNT_KEEP) console.log(`kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  });

  it('stores every flow exactly once and writes exactly the alerts of a batch run, each once', async () => {
    const lines = readFileSync(source, 'utf8').split('\n');
    const firstData = lines.findIndex((l) => l !== '' && !l.startsWith('#'));
    const header = lines.slice(0, firstData);
    const data = lines.filter((l) => l !== '' && !l.startsWith('#'));
    expect(data.length).toBe(truth.total_flows);

    const live = join(dir, 'live');
    await mkdir(live);
    const log = join(live, 'conn.log');
    const db = join(dir, 'watch.duckdb');
    const alerts = join(dir, 'alerts.ndjson');
    const args = [log, '--db', db, '--alerts', alerts, '--poll', '0.05', '--batch', '8000', '-q'];
    const random = rng(42);
    const headerFor = (n: number) =>
      `${header.map((h) => (h.startsWith('#open') ? `#open\t2024-03-05-0${n}-00-00` : h)).join('\n')}\n`;

    // Watching starts: the first process registers the log with its first lines before the kills
    // begin (what is rotated away before a watcher ever ran is an old archive, not followed).
    writeFileSync(
      log,
      `${headerFor(0)}${data
        .slice(0, 1000)
        .map((l) => `${l}\n`)
        .join('')}`,
    );
    let run = startWatch(args.filter((a) => a !== '-q'));
    for (let waited = 0; !run.stderr.join('').includes('following'); waited += 50) {
      if (waited > 20_000) throw new Error(`watch did not start: ${run.stderr.join('')}`);
      await sleep(50);
    }
    let kills = 0;
    let writing = true;
    // The killer: every 0.4–1.2 s (a process lives long enough to store some batches, and dies
    // wherever it is: reading, converting, committing, writing alerts) SIGKILL, then restart.
    const killer = (async () => {
      const r = rng(7);
      while (writing || kills < 4) {
        await sleep(400 + r() * 800);
        run.proc.kill('SIGKILL');
        expect(await run.exited).toBe(null);
        kills++;
        run = startWatch(args);
      }
    })();
    let at = 1000;
    let carry = '';
    let chunkNo = 0;
    let rotations = 0;
    let toGzip: string | undefined;
    const rotateAt = [Math.floor(data.length * 0.35), Math.floor(data.length * 0.7)];
    while (at < data.length) {
      const size = 500 + Math.floor(random() * 2000);
      let end = Math.min(data.length, at + size);
      const rotation = rotateAt[rotations];
      if (rotation !== undefined && at < rotation && end >= rotation) end = rotation;
      let text =
        carry +
        data
          .slice(at, end)
          .map((l) => `${l}\n`)
          .join('');
      carry = '';
      if (end < data.length && random() < 0.5) {
        // Cut the last line in two: the watcher must wait for its end.
        const cut = text.length - 1 - Math.floor(random() * 40);
        carry = text.slice(cut);
        text = text.slice(0, cut);
      }
      appendFileSync(log, text);
      at = end;
      chunkNo++;
      if (toGzip && random() < 0.3) {
        // The archiver compresses the rotated log a little later and removes the plain one.
        writeFileSync(`${toGzip}.gz`, gzipSync(readFileSync(toGzip)));
        unlinkSync(toGzip);
        toGzip = undefined;
      }
      if (at === rotateAt[rotations]) {
        appendFileSync(log, `${carry}#close\t2024-03-05-0${rotations + 1}-00-00\n`);
        carry = '';
        const rotated = join(live, `conn.2024-03-05-0${rotations}-00-00.log`);
        renameSync(log, rotated);
        if (rotations === 1) toGzip = rotated;
        rotations++;
        writeFileSync(log, headerFor(rotations));
      }
      await sleep(30 + random() * 90);
    }
    writing = false;
    await killer;
    if (carry) appendFileSync(log, carry);
    if (toGzip) {
      writeFileSync(`${toGzip}.gz`, gzipSync(readFileSync(toGzip)));
      unlinkSync(toGzip);
    }
    // Let the last process get going (a signal before its handler is installed is a plain kill).
    await sleep(1500);
    // A clean stop: the current batch is finished, the database closed, exit code 0.
    run.proc.kill('SIGTERM');
    expect(await run.exited, run.stderr.join('')).toBe(0);
    // Catch up with whatever is left, then exit.
    const last = startWatch([...args, '--once']);
    expect(await last.exited, last.stderr.join('')).toBe(0);
    expect(kills).toBeGreaterThanOrEqual(4);
    expect((await readdir(live)).sort()).toEqual([
      'conn.2024-03-05-00-00-00.log',
      'conn.2024-03-05-01-00-00.log.gz',
      'conn.log',
    ]);

    // The database: every flow once.
    const engine = await DuckDbEngine.open(db);
    const store = await engine.watchStore();
    const summary = await engine.summary();
    const stored = await store.flowCount();
    const meta = await store.getMeta();
    const streams = await store.streams();
    await engine.close();
    expect(stored, said.join('')).toBe(truth.total_flows);
    expect(summary.flowsRead).toBe(truth.total_flows);
    expect(summary.flowsUsed).toBe(truth.total_flows);
    expect(streams).toHaveLength(3);

    // The alerts: numbered 1…n, none twice, the same as a batch run over the same flows.
    const written = readFileSync(alerts, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(written.map((a) => a.seq)).toEqual(written.map((_, i) => i + 1));
    const batch = await DuckDbEngine.open();
    await batch.importFile(await planImport(source));
    const options = resolveChangeOptions({});
    const found = await changeEpisodesDetailed(batch, undefined, { minFlows: 1 });
    await batch.close();
    const nextWindow = Number(meta.next_window);
    const expected: Record<string, unknown>[] = [];
    for (const [key, episodes] of found) {
      const [src, dst] = key.split('\u0000') as [string, string];
      for (const e of episodes) {
        if (e.first.index < nextWindow) expected.push(alertOf({ src, dst }, { type: 'start', episode: e }));
        if (episodeCloseIndex(e, options) <= nextWindow)
          expected.push(alertOf({ src, dst }, { type: 'end', episode: e }));
      }
    }
    const key = (a: Record<string, unknown>) =>
      JSON.stringify({ ...a, seq: undefined, detected_at: undefined });
    expect(written.map(key).sort()).toEqual(expected.map(key).sort());
    expect(expected.filter((a) => a.event === 'episode-start').length).toBeGreaterThanOrEqual(2);
    console.log(
      `watch: ${truth.total_flows} flows in ${chunkNo} appends, 2 rotations (one gzipped), ${kills} SIGKILLs: ` +
        `${stored} flows stored, ${written.length} alerts (= batch run)`,
    );
  });
});
