import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { HuntResult } from '../src/score/finding.js';
import { runCli, ZEEK_CONN_HEADER } from './cli.js';

const HEADER = ZEEK_CONN_HEADER;
const good = (i: number) =>
  `${1700000000 + i * 60}.25\tC${i}\t10.0.0.5\t${50000 + i}\t203.0.113.7\t443\ttcp\t-\t0.1\t120\t52\tSF`;
const GOOD = Array.from({ length: 30 }, (_, i) => good(i));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bh-bad-'));
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

function expectUsageError(args: string[], pattern: RegExp) {
  const run = runCli(args);
  expect(run.status, run.stderr).toBe(2);
  const lines = run.stderr.trim().split('\n');
  expect(lines.length).toBe(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('bad input: a clear one-line error and exit 2, or counted skips — never a crash', () => {
  it('a missing file', () => expectUsageError(['hunt', join(dir, 'nope.log')], /nope\.log: no such file/));
  it('an empty file', async () =>
    expectUsageError(['hunt', await file('empty.log', '')], /empty\.log: empty file/));
  it('binary junk', async () => {
    const junk = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
    expectUsageError(['hunt', await file('junk.bin', junk)], /junk\.bin: binary data/);
  });
  it('an unknown text format lists what was tried', async () =>
    expectUsageError(
      ['hunt', await file('notes.txt', 'hello\nworld\n')],
      /notes\.txt:1: unrecognised format \(tried zeek-tsv, zeek-json, .*splunk-csv.*\)/,
    ));
  it('a truncated gzip', async () => {
    const gz = gzipSync(`${HEADER}\n${GOOD.join('\n')}\n`);
    expectUsageError(
      ['hunt', await file('cut.log.gz', gz.subarray(0, Math.floor(gz.length * 0.6)))],
      /cut\.log\.gz: .*(gzip|compress|truncat)/i,
    );
  });
  it('an unknown option', () => {
    const run = runCli(['hunt', '--frobnicate']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown option/);
  });
  it('a reader that closes the pipe early (| head) ends the run quietly', async () => {
    const { spawnSync } = await import('node:child_process');
    const bin = join(import.meta.dirname, '..', 'bin', 'beaconhunt.js');
    const res = spawnSync(
      'bash',
      ['-c', `"${process.execPath}" "${bin}" watch --help | true; echo "\${PIPESTATUS[0]}"`],
      {
        encoding: 'utf8',
      },
    );
    expect(res.stdout.trim()).toBe('0');
  });
  it('--help and --version exit 0', () => {
    expect(runCli(['hunt', '--help']).status).toBe(0);
    expect(runCli(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('bad rows are counted by reason and do not change the good rows', async () => {
    const bad = [
      '1700000000.5\tCx\t10.0.0.5\t1\t203.0.113.7\t443\ttcp\t-\t0.1\tNaN\t52\tSF', // non-numeric bytes
      '1700000000.5\tCx\t10.0.0.5\t1\t203.0.113.7\t443\ttcp\t-\t0.1\t-7\t52\tSF', // negative
      '1700000000.5\tCx\t10.0.0.5\t1\t203.0.113.7\t443\ttcp\t-\t0.1\t12.5\t52\tSF', // fractional bytes
      '1700000000.5\tCx\t10.0.0.5\t1\t203.0.113.7\t443\ttcp\t-\t0.1\t99999999999999999999999\t52\tSF', // 2^64+
      '1700000000.5\tCx\tnot-an-ip\t1\t203.0.113.7\t443\ttcp\t-\t0.1\t1\t52\tSF',
      '1700000000.5\tCx\t10.0.0.5\t1\t<img src=x onerror=alert(1)>\t443\ttcp\t-\t0.1\t1\t52\tSF',
      '1700000000.5\tCx\t10.0.0.5\t1', // too few fields
      `1700000000.5\tCx\t10.0.0.5\t1\t203.0.113.7\t443\ttcp\t${'A'.repeat(5 * 1024 * 1024)}\t0.1\t1\t52\tSF`, // a 5 MB line
      '\u0000\u0001\u0002 binary junk \u00ff\u00fe',
    ];
    const clean = await file('clean.log', `${HEADER}\n${GOOD.join('\n')}\n#close\t2024-01-01-00-00-00\n`);
    // bad rows interleaved with the good ones, CRLF line ends for half the file
    const mixedLines = GOOD.flatMap((g, i) => (i < bad.length ? [g, bad[i] as string] : [g]));
    const mixed = await file(
      'mixed.log',
      `${HEADER}\n${mixedLines.map((l, i) => (i % 2 ? `${l}\r` : l)).join('\n')}\n`,
    );
    const outClean = join(dir, 'clean.json');
    const outMixed = join(dir, 'mixed.json');
    expect(runCli(['hunt', clean, '--json', outClean]).status).toBe(0);
    const run = runCli(['hunt', mixed, '--json', outMixed]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/skipped/);
    const a = JSON.parse(await readFile(outClean, 'utf8')) as HuntResult;
    const b = JSON.parse(await readFile(outMixed, 'utf8')) as HuntResult;
    expect(b.summary.flows_read).toBe(GOOD.length + bad.length);
    expect(b.summary.flows_used).toBe(GOOD.length);
    expect(b.summary.lines_skipped).toBe(bad.length);
    expect(b.summary.skipped_by_reason).toEqual({ 'bad number': 4, 'bad address': 2, 'malformed line': 3 });
    expect(b.findings.map((f) => [f.src, f.dst, f.features.t_bytecount, f.features.avgcount])).toEqual(
      a.findings.map((f) => [f.src, f.dst, f.features.t_bytecount, f.features.avgcount]),
    );
  });

  it('invalid UTF-8 at the end of a line (which crashes DuckDB 1.5 itself) is counted, plain and gzip', async () => {
    const content = Buffer.concat([
      Buffer.from(`${HEADER}\n${GOOD.slice(0, 3).join('\n')}\n`),
      Buffer.from(GOOD[3] as string),
      Buffer.from([0xff, 0x0a]),
      Buffer.from(`${GOOD.slice(4).join('\n')}\n`),
    ]);
    for (const [name, bytes] of [
      ['utf8.log', content],
      ['utf8.log.gz', gzipSync(content)],
    ] as const) {
      const out = join(dir, `${name}.json`);
      const run = runCli(['hunt', await file(name, bytes), '--json', out]);
      expect(run.status, run.stderr).toBe(0);
      const r = JSON.parse(await readFile(out, 'utf8')) as HuntResult;
      expect(r.summary.flows_read).toBe(GOOD.length);
      expect(r.summary.flows_used).toBe(GOOD.length - 1);
      expect(r.summary.skipped_by_reason).toEqual({ 'invalid utf-8': 1 });
    }
  });

  it('Zeek JSON: invalid JSON lines are counted, the rest used', async () => {
    const lines = [
      '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.orig_p":1,"id.resp_h":"203.0.113.7","id.resp_p":443,"proto":"tcp","orig_bytes":1,"resp_bytes":52}',
      '{"ts":"2023-11-14T22:14:20.5Z","id.orig_h":"2001:db8::5","id.orig_p":1,"id.resp_h":"2001:db8::7","id.resp_p":443,"proto":"tcp","orig_bytes":1,"resp_bytes":52}',
      '{"ts":1700000000.1,"id.orig_h":"10.0.0.5"', // cut
      'garbage',
      '[1,2,3]',
      '{"ts":1700000000.1,"id.resp_h":"203.0.113.7"}', // no source
    ];
    const out = join(dir, 'j.json');
    const run = runCli(['hunt', await file('conn.json', `${lines.join('\n')}\n`), '--json', out]);
    expect(run.status, run.stderr).toBe(0);
    const r = JSON.parse(await readFile(out, 'utf8')) as HuntResult;
    expect(r.summary.flows_read).toBe(6);
    expect(r.summary.flows_used).toBe(2);
    expect(r.summary.skipped_by_reason).toEqual({ 'invalid json': 3, 'missing field': 1 });
    expect(r.summary.time_range?.[0]).toBe('2023-11-14T22:13:20.100Z');
  });
});
