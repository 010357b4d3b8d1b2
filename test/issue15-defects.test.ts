import { type ChildProcess, spawn } from 'node:child_process';
import { appendFile, chmod, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ConfigSchema, loadConfig } from '../src/config/config-file.js';
import { SCORING_DEFAULTS } from '../src/config/defaults.js';
import { generateToFile } from '../src/generate/index.js';
import { planImport } from '../src/read/formats.js';
import { columnMapFromConfig } from '../src/read/generic-csv.js';
import { csvSafeCell, findingsCsv } from '../src/report/csv-report.js';
import type { Finding, HuntResult } from '../src/score/finding.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';
import { runCli, ZEEK_CONN_HEADER } from './cli.js';

/*
 * Issue 15, "Nothing lost, nothing counted twice": one regression test per defect, named after its
 * item. Each failed before its fix.
 */

const ROOT = resolve(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'beaconhunt.js');

const HEADER = ZEEK_CONN_HEADER;
const row = (i: number, ts = 1700000000 + i * 60) =>
  `${ts}.25\tC${i}\t10.0.0.5\t${50000 + (i % 10000)}\t203.0.113.7\t443\ttcp\t-\t0.1\t120\t52\tSF`;
const zeek = (rows: string[]) => `${HEADER}\n${rows.join('\n')}\n`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bh-issue15-'));
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

/** Imports files into one in-memory (or file) engine and returns each file's accounting. */
async function importAll(paths: string[], db?: string) {
  const engine = await DuckDbEngine.open(db);
  try {
    const out = [];
    for (const p of paths) out.push(await engine.importFile(await planImport(p)));
    return { accounting: out, summary: await engine.summary() };
  } finally {
    await engine.close();
  }
}

function dataLines(text: string): number {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;
}

/** Spawns the built CLI with its own TMPDIR, so leftovers in the temp folder can be seen. */
function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

async function finished(
  child: ChildProcess,
): Promise<{ status: number | null; signal: string | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += String(d);
  });
  child.stdout?.resume();
  return new Promise((done) => child.on('close', (status, signal) => done({ status, signal, stderr })));
}

async function waitFor(check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting');
}

describe('issue 15', () => {
  it('item 1: every config example in README and docs/ is accepted', async () => {
    const docs = [
      join(ROOT, 'README.md'),
      ...(await readdir(join(ROOT, 'docs'))).map((f) => join(ROOT, 'docs', f)),
    ];
    const topKeys = new Set(Object.keys(ConfigSchema.shape));
    let examples = 0;
    for (const doc of docs.filter((d) => d.endsWith('.md'))) {
      const text = await readFile(doc, 'utf8');
      for (const m of text.matchAll(/```(ya?ml|json)\n([\s\S]*?)```/g)) {
        const parsed = (m[1] === 'json' ? JSON.parse(m[2] as string) : parseYaml(m[2] as string)) as unknown;
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) continue;
        // only blocks that are config files (their keys are config keys): findings JSON is not one
        if (!Object.keys(parsed).every((k) => topKeys.has(k))) continue;
        const path = await file(`example-${examples++}.yaml`, m[2] as string);
        const config = await loadConfig(path);
        if (config.csv) expect(() => columnMapFromConfig(config.csv as never, doc)).not.toThrow();
      }
    }
    expect(examples).toBeGreaterThanOrEqual(2); // README's config and FORMATS.md's csv section
  });

  it('item 2: one invalid UTF-8 byte in a large file loses no valid row', async () => {
    const path = join(dir, 'utf8-big.log');
    await generateToFile({ seed: 3, flows: 20_000, format: 'zeek', out: path });
    const lines = (await readFile(path)).toString('latin1').split('\n');
    const middle = lines.findIndex((l, i) => i > lines.length / 2 && l.includes('\ttcp\t'));
    lines[middle] = (lines[middle] as string).replace('\ttcp\t', '\tt\xffcp\t');
    const bytes = Buffer.from(lines.join('\n'), 'latin1');
    await writeFile(path, bytes);
    const rows = dataLines(bytes.toString('latin1'));
    const out = join(dir, 'utf8-big.json');
    const run = runCli(['hunt', path, '--json', out, '-q']);
    expect(run.status, run.stderr).toBe(0);
    const r = JSON.parse(await readFile(out, 'utf8')) as HuntResult;
    expect(r.summary.flows_read).toBe(rows);
    expect(r.summary.flows_used).toBe(rows - 1);
    expect(r.summary.skipped_by_reason).toEqual({ 'invalid utf-8': 1 });
  });

  it('item 3: --db re-import of a grown file imports only the appended rows', async () => {
    const db = join(dir, 'grown.duckdb');
    const first = Array.from({ length: 3000 }, (_, i) => row(i));
    const more = Array.from({ length: 1500 }, (_, i) => row(3000 + i));
    const path = await file('grown.log', zeek(first));
    const before = await importAll([path], db);
    expect(before.summary.flowsRead).toBe(3000);
    await appendFile(path, `${more.join('\n')}\n`);
    const after = await importAll([path], db);
    expect(after.accounting[0]?.dataRows).toBe(1500);
    expect(after.accounting[0]?.notes?.join(' ')).toMatch(/grew since its import/);
    expect(after.summary.flowsRead).toBe(4500);
    expect(after.summary.flowsUsed).toBe(4500);
    // a third run adds nothing
    const again = await importAll([path], db);
    expect(again.accounting[0]?.alreadyImported).toBe(true);
    expect(again.summary.flowsRead).toBe(4500);
    // the same, end to end: the pair's flow count is the file's, not 3000 + 4500
    const out = join(dir, 'grown.json');
    const run = runCli(['hunt', path, '--db', db, '--json', out, '-q']);
    expect(run.status, run.stderr).toBe(0);
    const r = JSON.parse(await readFile(out, 'utf8')) as HuntResult;
    expect(r.findings.find((f) => f.dst === '203.0.113.7')?.flows).toBe(4500);
  });

  it('item 3: a grown compressed file is refused, not imported twice', async () => {
    const db = join(dir, 'grown-gz.duckdb');
    const path = join(dir, 'grown.log.gz');
    const part1 = gzipSync(zeek(Array.from({ length: 500 }, (_, i) => row(i))));
    await writeFile(path, part1);
    await importAll([path], db);
    await appendFile(path, gzipSync(`${Array.from({ length: 100 }, (_, i) => row(500 + i)).join('\n')}\n`));
    await expect(importAll([path], db)).rejects.toThrow(/grew since it was imported.*compressed/);
  });

  it('item 4: a truncated .gz is reported as truncated, naming the file, with the rows recovered', async () => {
    const whole = gzipSync(zeek(Array.from({ length: 20_000 }, (_, i) => row(i))));
    const path = await file('cut.log.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    const out = join(dir, 'cut.json');
    const run = runCli(['hunt', path, '--json', out]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /warning: .*cut\.log\.gz: truncated or corrupt compressed file \(unexpected end of file\): only the [\d,]+ rows before the cut were read/,
    );
    const r = JSON.parse(await readFile(out, 'utf8')) as HuntResult;
    expect(r.summary.files[0]?.notes?.join(' ')).toMatch(/truncated/);
    expect(r.summary.flows_read).toBeGreaterThan(1000);
    expect(r.summary.flows_read).toBe(r.summary.flows_used + r.summary.lines_skipped);
  });

  it('item 5: a Zeek JSON line whose value contains the text \\x01 is kept', async () => {
    const line = (i: number, host: string) =>
      JSON.stringify({
        ts: 1700000000 + i * 60,
        'id.orig_h': '10.0.0.5',
        'id.orig_p': 40000 + i,
        'id.resp_h': '203.0.113.7',
        'id.resp_p': 80,
        proto: 'tcp',
        orig_bytes: 100,
        resp_bytes: 52,
        host,
      });
    const lines = Array.from({ length: 20 }, (_, i) => line(i, i % 2 ? 'evil\\x01.example' : 'a\\\\x01b'));
    const path = await file('x01.json', `${lines.join('\n')}\n`);
    const { accounting } = await importAll([path]);
    expect(accounting[0]?.format).toBe('zeek-json');
    expect(accounting[0]?.used).toBe(20);
    expect(accounting[0]?.skipped).toEqual({});
  });

  it('item 6: CSV output prefixes every formula-like cell (OWASP), numbers stay numbers', () => {
    for (const bad of ["-2+3+cmd|' /C calc'!A0", '=1+1', '+1+1', '@SUM(A1)', '\t=1', '\r=1', '-1)*cmd', '-'])
      expect(csvSafeCell(bad)).toBe(`'${bad}`);
    for (const ok of ['-2', '-2.5', '+3', '1e-7', '-0.25', '52', 'abc', '10.0.0.5', ''])
      expect(csvSafeCell(ok)).toBe(ok);
    const finding = {
      rank: 1,
      score: 0.9,
      severity: 'high',
      verdict: 'beacon',
      src: '10.0.0.5',
      dst: '203.0.113.7',
      dport: 443,
      proto: 'tcp',
      host: "-2+3+cmd|' /C calc'!A0",
      flows: 10,
      first_seen: 'a',
      last_seen: 'b',
      features: {},
      reasons: [],
    } as unknown as Finding;
    expect(findingsCsv([finding])).toContain(`'-2+3+cmd`);
  });

  it('item 7: the stdin copy is removed on success, on error and on SIGTERM', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'bh-stdin-tmp-'));
    const leftovers = async () => (await readdir(tmp)).filter((f) => f.startsWith('beaconhunt-'));
    // success
    const ok = spawnCli(['hunt', '-', '-q'], { TMPDIR: tmp });
    ok.stdin?.end(zeek(Array.from({ length: 50 }, (_, i) => row(i))));
    expect((await finished(ok)).status).toBe(0);
    expect(await leftovers()).toEqual([]);
    // input error
    const bad = spawnCli(['hunt', '-', '-q'], { TMPDIR: tmp });
    bad.stdin?.end('this is not a flow log\n');
    const badRun = await finished(bad);
    expect(badRun.status, badRun.stderr).toBe(2);
    expect(await leftovers()).toEqual([]);
    // a signal while the copy is being written
    const killed = spawnCli(['hunt', '-', '-q'], { TMPDIR: tmp });
    const done = finished(killed);
    killed.stdin?.write(`${HEADER}\n${row(1)}\n`);
    await waitFor(async () => {
      for (const d of await leftovers()) if ((await readdir(join(tmp, d))).length > 0) return true;
      return false;
    });
    killed.kill('SIGTERM');
    const end = await done;
    expect(end.status ?? end.signal).not.toBe(0);
    expect(await leftovers()).toEqual([]);
  });

  it('item 8: a bad output path fails before reading, naming the path', async () => {
    const input = await file('small.log', zeek(Array.from({ length: 30 }, (_, i) => row(i))));
    const html = runCli(['hunt', input, '--html', '/nonexistent/dir/r.html']);
    expect(html.status).toBe(2);
    expect(html.stderr).toMatch(
      /^beaconhunt: \/nonexistent\/dir\/r\.html: --html: the folder \/nonexistent\/dir does not exist\n$/,
    );
    const folder = runCli(['hunt', input, '--json', dir]);
    expect(folder.status).toBe(2);
    expect(folder.stderr).toMatch(/--json: is a directory/);
    expect(folder.stderr).not.toMatch(/internal error|Read /);
  });

  it('item 8: a bad CIDR in internal_networks or the allowlist names the key', async () => {
    for (const [yaml, key] of [
      ['internal_networks: [10.0.0.0/33]', 'internal_networks.0'],
      ['allowlist: { destinations: [192.0.2.0/24, banana] }', 'allowlist.destinations.1'],
      ['allowlist: { sources: ["10.1"] }', 'allowlist.sources.0'],
    ] as const) {
      const path = await file('bad-cidr.yaml', yaml);
      await expect(loadConfig(path)).rejects.toThrow(
        new RegExp(`invalid config: ${key.replace(/\./g, '\\.')}: not an address or network`),
      );
    }
  });

  it('item 8: watch --window 0s is a usage error, not an internal error', async () => {
    const input = await file('w.log', zeek([row(1)]));
    for (const args of [
      ['--window', '0s'],
      ['--hop', '0'],
      ['--window', '10m', '--hop', '7m'],
    ]) {
      const run = runCli(['watch', input, '--once', '--db', join(dir, 'w.duckdb'), ...args]);
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).not.toMatch(/internal error/);
    }
  });

  it('item 8: a file with rows but none usable is an error naming the file and the top skip reason', async () => {
    // a Zeek header whose columns do not fit the data (the data has two columns fewer)
    const rows = Array.from({ length: 40 }, (_, i) => row(i).split('\t').slice(0, 10).join('\t'));
    const path = await file('misfit.log', zeek(rows));
    const run = runCli(['hunt', path]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /misfit\.log: no usable rows: all skipped, most as malformed line \(40 of 40\)/,
    );
  });

  it('item 9: config values that make no sense are rejected with the key name', async () => {
    for (const [yaml, message] of [
      [
        'scoring: { severity: { critical: 0.5, high: 0.7 } }',
        /scoring\.severity\.critical: must not be below high/,
      ],
      ['scoring: { severity: { low: 1.5 } }', /scoring\.severity\.low: /],
      ['scoring: { severity: { medium: -0.1 } }', /scoring\.severity\.medium: /],
      [
        // every channel there is, so a channel added later is covered too
        `scoring: { channels: { ${Object.keys(SCORING_DEFAULTS.channels)
          .map((c) => `${c}: { weight: 0 }`)
          .join(', ')} } }`,
        /scoring\.channels: every channel weight is 0/,
      ],
      ['allowlist: { pairs: ["banana -> apple"] }', /allowlist\.pairs\.0: write a pair as two addresses/],
      ['allowlist: { pairs: ["10.0.0.5 -> apple"] }', /allowlist\.pairs\.0: write a pair as two addresses/],
    ] as const) {
      await expect(loadConfig(await file('nonsense.yaml', yaml))).rejects.toThrow(message);
    }
    // sensible values still pass
    const fine = await loadConfig(
      await file(
        'fine.yaml',
        'scoring: { severity: { critical: 0.9 } }\nallowlist: { pairs: ["10.0.0.5 -> 2001:db8::7"] }',
      ),
    );
    expect((fine.scoring as { severity?: { critical?: number } }).severity?.critical).toBe(0.9);
  });

  it('item 10: a named pipe with no writer says what it waits for, then reads it', async () => {
    const fifo = join(dir, 'pipe.log');
    const mk = spawn('mkfifo', [fifo]);
    await new Promise((r) => mk.on('close', r));
    const child = spawnCli(['hunt', fifo, '--json', join(dir, 'pipe.json')]);
    let stderr = '';
    child.stderr?.on('data', (d) => {
      stderr += String(d);
    });
    const done = finished(child);
    await waitFor(async () => stderr.includes('waiting for data on'));
    expect(stderr).toMatch(/waiting for data on .*pipe\.log/);
    await writeFile(fifo, zeek(Array.from({ length: 30 }, (_, i) => row(i))));
    expect((await done).status).toBe(0);
    const r = JSON.parse(await readFile(join(dir, 'pipe.json'), 'utf8')) as HuntResult;
    expect(r.summary.flows_used).toBe(30);
  });

  it('item 10: a file in a folder that cannot be read is listed in the JSON summary with its error', async () => {
    const folder = join(dir, 'zeekdir');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'conn.log'), zeek(Array.from({ length: 30 }, (_, i) => row(i))));
    await writeFile(join(folder, 'conn.2.log'), Buffer.from([0, 1, 2, 3, 255, 254, 0, 0, 9, 9]));
    const locked = join(folder, 'conn.3.log');
    await writeFile(locked, zeek([row(99)]));
    await chmod(locked, 0);
    const root = process.getuid?.() === 0; // root reads a mode-000 file anyway
    const out = join(dir, 'folder.json');
    const run = runCli(['hunt', folder, '--json', out, '-q']);
    expect(run.status, run.stderr).toBe(0);
    const r = JSON.parse(await readFile(out, 'utf8')) as HuntResult;
    const listed = new Map(r.summary.files.map((f) => [f.path, f]));
    expect(listed.get(join(folder, 'conn.2.log'))?.error).toMatch(/binary/);
    if (!root) expect(listed.get(locked)?.error).toMatch(/permission|EACCES/i);
    else
      console.warn('running as root: a mode-000 file is readable, so only the unrecognised file is checked');
    expect(listed.get(join(folder, 'conn.log'))?.used).toBe(30);
  });

  it('item 10: implausible timestamps are counted as "implausible time" unless --allow-any-time', async () => {
    const rows = [
      ...Array.from({ length: 30 }, (_, i) => row(i)),
      row(100, 5), // 1970
      row(101, Date.UTC(2300, 0, 1) / 1000),
    ];
    const path = await file('times.log', zeek(rows));
    const out = join(dir, 'times.json');
    expect(runCli(['hunt', path, '--json', out, '-q']).status).toBe(0);
    const r = JSON.parse(await readFile(out, 'utf8')) as HuntResult;
    expect(r.summary.skipped_by_reason).toEqual({ 'implausible time': 2 });
    expect(r.summary.flows_used).toBe(30);
    expect(runCli(['hunt', path, '--json', out, '-q', '--allow-any-time']).status).toBe(0);
    const any = JSON.parse(await readFile(out, 'utf8')) as HuntResult;
    expect(any.summary.flows_used).toBe(32);
    expect(any.summary.skipped_by_reason).toEqual({});
  });

  it('item 10: the same log given twice (a copy, a .gz of it) warns and is not counted twice', async () => {
    const text = zeek(Array.from({ length: 40 }, (_, i) => row(i)));
    const a = await file('twice.log', text);
    const b = await file('twice-copy.log', text);
    const c = await file('twice.log.gz', gzipSync(text));
    const out = join(dir, 'twice.json');
    const run = runCli(['hunt', a, b, c, '--json', out]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/twice-copy\.log has the same content as .*twice\.log: not read again/);
    expect(run.stderr).toMatch(/twice\.log\.gz has the same content as .*twice\.log: not read again/);
    const r = JSON.parse(await readFile(out, 'utf8')) as HuntResult;
    expect(r.summary.flows_read).toBe(40);
    expect(r.summary.files.find((f) => f.path === c)?.same_content_as).toBe(a);
  });

  it('item 10: tiny files are imported in batches with the same per-file accounting as one by one', async () => {
    const folder = join(dir, 'tiny');
    await mkdir(folder, { recursive: true });
    const paths: string[] = [];
    for (let f = 0; f < 60; f++) {
      const rows = Array.from({ length: 8 }, (_, i) => row(f * 100 + i));
      if (f % 7 === 0) rows.push('1700000000.5\tCx\t10.0.0.5\t1\t999.1.1.1\t443\ttcp\t-\t0.1\t1\t2\tSF'); // bad address
      if (f % 9 === 0) rows.push('1700000000.5\tCy\t10.0.0.5'); // missing columns: rejected by the reader
      const path = join(folder, `conn.${String(f).padStart(2, '0')}.log`);
      await writeFile(path, zeek(rows));
      paths.push(path);
    }
    // one with invalid UTF-8 (needs a cleaned copy) and one duplicate: both left to importFile
    await writeFile(
      join(folder, 'conn.60.log'),
      Buffer.concat([Buffer.from(zeek([row(6001)])), Buffer.from([0xff, 10])]),
    );
    await writeFile(join(folder, 'conn.61.log'), await readFile(paths[3] as string));
    paths.push(join(folder, 'conn.60.log'), join(folder, 'conn.61.log'));
    const plans = await Promise.all(paths.map((p) => planImport(p)));
    const batched = await DuckDbEngine.open();
    const single = await DuckDbEngine.open();
    try {
      const done = await batched.importFiles(plans);
      expect(done.filter((a) => a !== undefined).length).toBe(60);
      expect(done[60]).toBeUndefined();
      expect(done[61]).toBeUndefined();
      const all = [];
      for (const [k, plan] of plans.entries()) all.push(done[k] ?? (await batched.importFile(plan)));
      const one = [];
      for (const plan of plans) one.push(await single.importFile(plan));
      expect(all).toEqual(one);
      expect(await batched.summary()).toEqual(await single.summary());
      expect(one[61]?.sameContentAs).toBe(paths[3]);
      expect(one[0]?.skipped).toEqual({ 'bad address': 1, 'malformed line': 1 });
    } finally {
      await batched.close();
      await single.close();
    }
  });

  it("item 10: --seed-compat's summary counts the findings of severity none", async () => {
    const path = join(dir, 'seedcompat.log');
    await generateToFile({ seed: 5, flows: 6000, format: 'zeek', out: path, hosts: 30 });
    const run = runCli(['hunt', path, '--seed-compat']);
    expect(run.status, run.stderr).toBe(0);
    const m = /findings (\d+): (\d+) critical, (\d+) high, (\d+) medium, (\d+) low(?:, (\d+) unrated)?/.exec(
      run.stderr,
    );
    expect(m).not.toBeNull();
    const [total, ...parts] = (m as RegExpExecArray).slice(1).map((x) => Number(x ?? 0));
    expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
  });
});
