import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeEpisodesDetailed, episodeCloseIndex, resolveChangeOptions } from '../src/change/index.js';
import { generateToFile } from '../src/generate/index.js';
import { planImport } from '../src/read/formats.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';
import { alertOf, emitPending, fileSink, reconcile } from '../src/watch/alerts.js';
import { ENTRY, ensureBuilt } from './watch-build.js';

let dir: string;

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(join(tmpdir(), 'bh-watch-modes-'));
});

afterAll(async () => {
  if (process.env.BEACONHUNT_KEEP) console.log(`kept ${dir}`);
  else await rm(dir, { recursive: true, force: true });
});

function watchCli(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [ENTRY, 'watch', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('alerts file after a kill', () => {
  it('a line cut by the kill is removed and written again; alerts already written are not repeated', async () => {
    const engine = await DuckDbEngine.open();
    const store = await engine.watchStore();
    const alert = (seq: number) =>
      JSON.stringify({ seq, event: 'episode-start', src: '10.0.0.5', dst: '203.0.113.7' });
    await store.begin();
    await store.addAlerts([1, 2, 3].map((seq) => ({ seq, alert: alert(seq) })));
    await store.commit();
    const path = join(dir, 'cut.ndjson');
    // Written 1 and 2, then killed half-way through 3, before any was marked written.
    writeFileSync(path, `${alert(1)}\n${alert(2)}\n${alert(3).slice(0, 20)}`);
    const sink = fileSink(path);
    expect(sink.last?.seq).toBe(2);
    await reconcile(store, sink);
    expect(await emitPending(store, sink)).toBe(1);
    expect(await emitPending(store, sink)).toBe(0);
    sink.close();
    expect(readFileSync(path, 'utf8')).toBe(`${alert(1)}\n${alert(2)}\n${alert(3)}\n`);

    // Another database's file (same seq, other alert): not taken for ours, everything is written.
    const other = join(dir, 'other.ndjson');
    writeFileSync(other, `${JSON.stringify({ seq: 3, event: 'episode-end' })}\n`);
    const sink2 = fileSink(other);
    await store.begin();
    await store.addAlerts([{ seq: 4, alert: alert(4) }]);
    await store.commit();
    await reconcile(store, sink2);
    expect(await emitPending(store, sink2)).toBe(1);
    sink2.close();
    await engine.close();
  });
});

describe('watch modes through the CLI entry', () => {
  it('a folder of Zeek JSON logs: every row accounted for (bad ones by reason), the alerts of a batch run', async () => {
    const logs = join(dir, 'json');
    await mkdir(logs);
    const path = join(logs, 'conn.log');
    const { truth } = await generateToFile({
      seed: 8,
      flows: 20_000,
      hours: 12,
      format: 'zeek-json',
      out: path,
      hardNegatives: false, // the 12 h monitoring fan-out would double the log and the failpoint reruns
    });
    appendFileSync(
      path,
      'not json at all\n{"ts":"yesterday","id.orig_h":"10.0.0.1","id.resp_h":"1.2.3.4"}\n\n',
    );
    writeFileSync(join(logs, 'dns.log'), '{"ts":1,"query":"example.com"}\n'); // not a conn log: not followed
    const db = join(dir, 'json.duckdb');
    const alerts = join(dir, 'json.ndjson');
    const run = watchCli([logs, '--db', db, '--alerts', alerts, '--once', '--batch', '7000']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/following .*conn\.log \(zeek-json\)/);
    const engine = await DuckDbEngine.open(db);
    const summary = await engine.summary();
    const meta = await (await engine.watchStore()).getMeta();
    await engine.close();
    expect(summary.flowsUsed).toBe(truth.total_flows);
    expect(summary.flowsRead).toBe(truth.total_flows + 2);
    expect(summary.skippedByReason).toEqual({ 'invalid json': 1, 'bad timestamp': 1 });

    const batch = await DuckDbEngine.open();
    await batch.importFile(await planImport(path));
    const found = await changeEpisodesDetailed(batch, undefined, { minFlows: 1 });
    await batch.close();
    const next = Number(meta.next_window);
    const options = resolveChangeOptions({});
    const expected: Record<string, unknown>[] = [];
    for (const [key, episodes] of found) {
      const [src, dst] = key.split('\u0000') as [string, string];
      for (const e of episodes) {
        if (e.first.index < next) expected.push(alertOf({ src, dst }, { type: 'start', episode: e }));
        if (episodeCloseIndex(e, options) <= next)
          expected.push(alertOf({ src, dst }, { type: 'end', episode: e }));
      }
    }
    const strip = (a: Record<string, unknown>) =>
      JSON.stringify({ ...a, seq: undefined, detected_at: undefined });
    const written = readFileSync(alerts, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(written.map(strip).sort()).toEqual(expected.map(strip).sort());
    expect(written.some((a) => a.event === 'episode-start' && a.verdict === 'active-c2')).toBe(true);
    const start = written.find((a) => a.event === 'episode-start') as {
      before: { distinct_sizes: number };
      after: { distinct_sizes: number };
      reasons: string[];
    };
    expect(start.after.distinct_sizes).toBeGreaterThan(start.before.distinct_sizes);
    expect(start.reasons.length).toBeGreaterThan(0);

    // Run again: nothing new, nothing stored or written twice.
    const again = watchCli([logs, '--db', db, '--alerts', alerts, '--once']);
    expect(again.status, again.stderr).toBe(0);
    expect(readFileSync(alerts, 'utf8').trim().split('\n')).toHaveLength(written.length);
    const reopened = await DuckDbEngine.open(db);
    expect((await reopened.summary()).flowsUsed).toBe(truth.total_flows);
    await reopened.close();

    // Other detection settings on the same database are refused (usage error).
    const other = watchCli([logs, '--db', db, '--once', '--window', '5m']);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(/other detection settings/);
  });

  it('killed at the worst moments (failpoints), a rerun stores every flow once and writes every alert once', async () => {
    const path = join(dir, 'json', 'conn.log');
    const reference = readFileSync(join(dir, 'json.ndjson'), 'utf8');
    const first = await DuckDbEngine.open(join(dir, 'json.duckdb'));
    const rows = (await first.summary()).flowsRead;
    await first.close();
    const strip = (text: string) =>
      text
        .trim()
        .split('\n')
        .map((l) => JSON.stringify({ ...(JSON.parse(l) as object), detected_at: undefined }));
    for (const point of ['in-batch', 'committed-alerts', 'written-alerts']) {
      const db = join(dir, `fp-${point}.duckdb`);
      const alerts = join(dir, `fp-${point}.ndjson`);
      const args = [path, '--db', db, '--alerts', alerts, '--once', '--batch', '7000'];
      const killed = spawnSync(process.execPath, [ENTRY, 'watch', ...args], {
        encoding: 'utf8',
        env: { ...process.env, BEACONHUNT_FAILPOINT: point },
      });
      expect(killed.signal, `${point}: ${killed.stderr}`).toBe('SIGKILL');
      const rerun = watchCli(args);
      expect(rerun.status, rerun.stderr).toBe(0);
      expect(strip(readFileSync(alerts, 'utf8')), point).toEqual(strip(reference));
      const engine = await DuckDbEngine.open(db);
      const summary = await engine.summary();
      await engine.close();
      expect(summary.flowsRead, point).toBe(rows);
    }
  });

  it('SIGINT while waiting for data: clean stop, exit 0', async () => {
    const log = join(dir, 'idle.log');
    writeFileSync(log, '');
    const proc: ChildProcess = spawn(
      process.execPath,
      [ENTRY, 'watch', log, '--db', join(dir, 'idle.duckdb'), '--poll', '0.1'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
    await new Promise((r) => setTimeout(r, 1500));
    proc.kill('SIGINT');
    expect(await exited, stderr).toBe(0);
    expect(stderr).toMatch(/stopped: 0 flows/);
  });

  it('--help lists examples', () => {
    const help = spawnSync(process.execPath, [ENTRY, 'watch', '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Examples:/);
    expect(help.stdout).toMatch(/--alerts/);
    expect(help.stdout).toMatch(/kill -9/);
  });
});
