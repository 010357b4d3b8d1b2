import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Flow } from '../flow/schema.js';
import { generateFlows, generateToFile } from './generate.js';
import { ByteWriter, bytesToString } from './writers/bytes.js';
import { csvField, SPLUNK_STREAM_COLUMNS } from './writers/splunk-csv.js';
import { ZEEK_CONN_FIELDS, ZEEK_CONN_TYPES } from './writers/zeek-common.js';
import { zeekEscape } from './writers/zeek-tsv.js';

// 30 000: the recorded pairs of 12 h (the monitoring fan-out alone is 14 400) leave room for browsing
const OPTIONS = { seed: 7, flows: 30_000, hosts: 20, hours: 12 };

let dir: string;
let flows: Flow[];

/** Writes a format to memory through a Writable, as `--out -` does. */
async function render(format: string, options = OPTIONS): Promise<string> {
  const sink = new PassThrough();
  const parts: Buffer[] = [];
  sink.on('data', (b: Buffer) => parts.push(b));
  await generateToFile({ ...options, format, out: sink });
  return Buffer.concat(parts).toString('utf8');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beaconhunt-gen-'));
  flows = [...generateFlows(OPTIONS).flows];
});

describe('ByteWriter', () => {
  it('prints numbers exactly as toFixed(6) / String() would', () => {
    const values = [0, 0.000001, 0.5, 1.999999, 12.345678, 1709596800.638904, 1709683199.999999, 3.0000005];
    for (const v of values) expect(bytesToString((w) => w.fixed6(v))).toBe(v.toFixed(6));
    for (const n of [0, 7, 10, 65535, 400_000_000, 2 ** 53 - 1])
      expect(bytesToString((w) => w.uint(n))).toBe(String(n));
    expect(bytesToString((w) => w.uint(-3))).toBe('-3');
    expect(bytesToString((w) => w.fixed6(-1.5))).toBe('-1.500000');
  });

  it('writes UTF-8 and grows past its chunk size', () => {
    expect(bytesToString((w) => w.text('a→b'))).toBe('a→b');
    const w = new ByteWriter(4);
    w.text('hello, ');
    w.text('wörld');
    expect(w.take().toString('utf8')).toBe('hello, wörld');
    expect(w.length).toBe(0);
  });
});

describe('Zeek TSV writer', () => {
  it('writes Zeek headers and rows with exactly #fields columns', async () => {
    const text = await render('zeek');
    const lines = text.split('\n');
    expect(lines.pop()).toBe(''); // ends with a newline
    expect(lines.slice(0, 6)).toEqual([
      '#separator \\x09',
      '#set_separator\t,',
      '#empty_field\t(empty)',
      '#unset_field\t-',
      '#path\tconn',
      '#open\t2024-03-05-00-00-00',
    ]);
    const fields = (lines[6] as string).split('\t');
    const types = (lines[7] as string).split('\t');
    expect(fields.shift()).toBe('#fields');
    expect(types.shift()).toBe('#types');
    expect(fields).toEqual([...ZEEK_CONN_FIELDS]);
    expect(types).toEqual([...ZEEK_CONN_TYPES]);
    expect(lines.at(-1)).toBe('#close\t2024-03-05-12-00-00');
    const rows = lines.slice(8, -1);
    expect(rows.length).toBe(flows.length);
    const bad = rows.filter((r) => r.split('\t').length !== fields.length);
    expect(bad).toEqual([]);
    const col = (name: string) => fields.indexOf(name);
    rows.forEach((row, i) => {
      if (i % 97 !== 0) return; // spot-check values; the column count was checked for all
      const v = row.split('\t');
      const f = flows[i] as Flow;
      expect(Number(v[col('ts')])).toBeCloseTo(f.ts, 6);
      expect(v[col('ts')]).toMatch(/^\d{10}\.\d{6}$/);
      expect(v[col('id.orig_h')]).toBe(f.src);
      expect(v[col('id.resp_h')]).toBe(f.dst);
      expect(v[col('orig_bytes')]).toBe(f.orig_bytes === null ? '-' : String(f.orig_bytes));
      expect(v[col('resp_bytes')]).toBe(f.resp_bytes === null ? '-' : String(f.resp_bytes));
      expect(v[col('conn_state')]).toBe(f.conn_state);
      expect(v[col('uid')]).toMatch(/^C[0-9A-Za-z]{17}$/);
    });
    const uids = new Set(rows.map((r) => r.split('\t')[1]));
    expect(uids.size).toBe(rows.length);
  });

  it('escapes like Zeek', () => {
    expect(zeekEscape('ssl')).toBe('ssl');
    expect(zeekEscape('')).toBe('(empty)');
    expect(zeekEscape('-')).toBe('\\x2d');
    expect(zeekEscape('a\tb\\c')).toBe('a\\x09b\\\\c');
  });
});

describe('Zeek JSON writer', () => {
  it('writes one JSON object per flow with Zeek field names', async () => {
    const lines = (await render('zeek-json')).trimEnd().split('\n');
    expect(lines.length).toBe(flows.length);
    const bad: string[] = [];
    const known = new Set<string>(ZEEK_CONN_FIELDS);
    lines.forEach((line, i) => {
      const o = JSON.parse(line) as Record<string, unknown>;
      const f = flows[i] as Flow;
      const ok =
        Math.abs((o.ts as number) - f.ts) < 1e-6 &&
        o['id.orig_h'] === f.src &&
        o['id.resp_h'] === f.dst &&
        o['id.resp_p'] === f.dport &&
        o.orig_bytes === (f.orig_bytes ?? undefined) &&
        o.resp_bytes === (f.resp_bytes ?? undefined) &&
        Object.keys(o).every((k) => known.has(k));
      if (!ok) bad.push(line);
    });
    expect(bad).toEqual([]);
  });
});

describe('Splunk Stream CSV writer', () => {
  it('maps directions as Splunk Stream does: bytes_in = orig_bytes, bytes_out = resp_bytes', async () => {
    const rows = parse(await render('splunk-csv'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...SPLUNK_STREAM_COLUMNS]);
    expect(rows.length).toBe(flows.length);
    const num = (s: string | undefined) => (s === '' || s === undefined ? null : Number(s));
    const bad: Record<string, string>[] = [];
    rows.forEach((r, i) => {
      const f = flows[i] as Flow;
      const ok =
        num(r.bytes_in) === f.orig_bytes &&
        num(r.bytes_out) === f.resp_bytes &&
        num(r.packets_in) === f.orig_pkts &&
        num(r.packets_out) === f.resp_pkts &&
        r.src_ip === f.src &&
        r.dest_ip === f.dst &&
        num(r.dest_port) === f.dport &&
        r.sourcetype === `stream:${f.proto}` &&
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/.test(r._time as string) &&
        Math.abs(Date.parse(r._time as string) / 1000 - f.ts) <= 0.00051 && // Splunk keeps milliseconds
        (f.duration === null ? r.time_taken === '' : num(r.time_taken) === Math.round(f.duration * 1e6));
      if (!ok) bad.push(r);
    });
    expect(bad).toEqual([]);
    // The seed's bytes_out is the response: the netcat relay's 52-byte answers show up there.
    expect(rows.filter((r) => r.dest_port === '8080' && r.bytes_out === '52').length).toBeGreaterThan(1000);
  });

  it('quotes CSV fields only when needed', () => {
    expect(csvField('10.0.0.1')).toBe('10.0.0.1');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });
});

describe('files', () => {
  it('gives byte-identical output for the same seed, in every format, and gzips by extension', async () => {
    for (const format of ['zeek', 'zeek-json', 'splunk-csv']) {
      const a = join(dir, `a-${format}.txt`);
      const b = join(dir, `b-${format}.txt.gz`);
      const truthPath = join(dir, `truth-${format}.json`);
      const ra = await generateToFile({ ...OPTIONS, format, out: a, truthOut: truthPath });
      const rb = await generateToFile({ ...OPTIONS, format, out: b });
      expect(ra.flows).toBe(OPTIONS.flows);
      expect(rb.flows).toBe(OPTIONS.flows);
      const plain = await readFile(a);
      const zipped = await readFile(b);
      expect(zipped.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      expect(gunzipSync(zipped).equals(plain)).toBe(true);
      const truth = JSON.parse(await readFile(truthPath, 'utf8'));
      expect(truth.total_flows).toBe(OPTIONS.flows);
      expect(truth.options.seed).toBe(OPTIONS.seed);
    }
    const other = await render('zeek', { ...OPTIONS, seed: 8 });
    expect(other).not.toBe(await readFile(join(dir, 'a-zeek.txt'), 'utf8'));
  });

  it('rejects an unknown format before writing anything', async () => {
    await expect(generateToFile({ ...OPTIONS, format: 'pcap', out: join(dir, 'x') })).rejects.toThrow(
      /unknown output format/,
    );
  });
});
