import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Flow } from '../src/flow/schema.js';
import { planImport } from '../src/read/formats.js';
import type { FlowPlan } from '../src/store/clickhouse/convert.js';
import { convertFile, convertFileWithRestart } from '../src/store/clickhouse/import-rows.js';
import { duckdbImportFile } from './clickhouse/duckdb-oracle.js';

/*
 * File level: the ClickHouse engine's JS reader must split files into rows and count malformed
 * lines exactly as DuckDB's read_csv does in the DuckDB engine. Each case is a small file imported
 * both ways; accounting and rows must agree. No server needed.
 */

const ZEEK_HEADER = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tconn',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring',
].join('\n');
const z = (i: number) =>
  `${1700000000 + i * 60}.25\tC${i}\t10.0.0.5\t${50000 + i}\t203.0.113.7\t443\ttcp\t-\t0.1\t120\t52\tSF`;
const G: [string, string, string, string] = [z(0), z(1), z(2), z(3)];
const CSV_HEADER =
  '_time,sourcetype,src_ip,src_port,dest_ip,dest_port,transport,app,bytes_in,bytes_out,packets_in,packets_out,time_taken';
const c = (i: number, app = 'ssl') =>
  `2024-03-05T00:00:${String(i).padStart(2, '0')}.000+00:00,stream:tcp,10.0.0.5,5000${i},203.0.113.7,443,tcp,${app},120,52,3,4,1500`;
const J = (o: object) => JSON.stringify(o);
const jb = {
  ts: 1700000000.1,
  'id.orig_h': '10.0.0.5',
  'id.orig_p': 1,
  'id.resp_h': '203.0.113.7',
  'id.resp_p': 443,
  proto: 'tcp',
  orig_bytes: 1,
  resp_bytes: 52,
};

const CASES: [string, string | Buffer][] = [
  ['zeek: clean', `${ZEEK_HEADER}\n${G.join('\n')}\n#close\t2024-01-01-00-00-00\n`],
  [
    'zeek: too many and too few columns',
    `${ZEEK_HEADER}\n${G[0]}\n${G[1]}\textra\tmore\n1700000000.5\tCx\t10.0.0.5\t1\n${G[2]}\n`,
  ],
  ['zeek: empty and blank lines', `${ZEEK_HEADER}\n${G[0]}\n\n${G[1]}\n   \n\t\t\n${G[2]}\n`],
  [
    'zeek: CRLF, mixed, lone CR',
    `${ZEEK_HEADER}\r\n${G[0]}\r\n${G[1]}\n${G[2].replace('tcp', 'tc\rp')}\n${G[3]}\r\n`,
  ],
  ['zeek: # inside a line', `${ZEEK_HEADER}\n${G[0].replace('tcp', 'tc#p')}\n${G[1]}\n`],
  [
    'zeek: indented comments',
    `${ZEEK_HEADER}\n${G[0]}\n  #x\n${G[1]}\n\t#y\n \t #z\n${G[2].replace('tcp', 'tc#p')}\n   #w\n`,
  ],
  [
    'zeek: invalid UTF-8 line',
    Buffer.concat([
      Buffer.from(`${ZEEK_HEADER}\n${G[0]}\n`),
      Buffer.from([0x31, 0x37, 0xff, 0xfe, 0x09, 0x0a]),
      Buffer.from(`${G[1]}\n`),
    ]),
  ],
  [
    'zeek: spaces, nulls, quotes, NUL',
    `${ZEEK_HEADER}\n${G[0].replace('\t443\t', '\t 443 \t').replace('\t-\t', '\t - \t')}\n${G[1].replace('\t120\t', '\t-\t').replace('\tSF', '\t(empty)')}\n${G[2].replace('tcp', '"tcp')}\n${G[3].replace('tcp', 'tc\u0000p')}\n`,
  ],
  ['zeek: no final newline, BOM', `\ufeff${ZEEK_HEADER}\n${G[0]}\n${G[1]}`],
  [
    'zeek: a 5 MB line',
    `${ZEEK_HEADER}\n${G[0]}\n${G[1].replace('tcp', 'A'.repeat(5 * 1024 * 1024))}\n${G[2]}\n`,
  ],
  [
    'zeek: the bad rows of the end-to-end test',
    `${ZEEK_HEADER}\n${[
      G[0],
      '1700000000.5\tCx\t10.0.0.5\t1\t203.0.113.7\t443\ttcp\t-\t0.1\tNaN\t52\tSF',
      '1700000000.5\tCx\t10.0.0.5\t1\t203.0.113.7\t443\ttcp\t-\t0.1\t-7\t52\tSF',
      '1700000000.5\tCx\tnot-an-ip\t1\t203.0.113.7\t443\ttcp\t-\t0.1\t1\t52\tSF',
      '1700000000.5\tCx\t10.0.0.5\t1\t<img src=x onerror=alert(1)>\t443\ttcp\t-\t0.1\t1\t52\tSF',
      '1700000000.5\tCx\t10.0.0.5\t1',
      '\u0000\u0001\u0002 binary junk \u00ff\u00fe',
      G[1],
    ].join('\n')}\n`,
  ],
  [
    'csv: quotes, commas, line breaks in quotes',
    `${CSV_HEADER}\n${c(1)}\n${c(2, '"a,b"')}\n${c(3, '"multi\nline"')}\n${c(4, '"say ""hi"""')}\n`,
  ],
  [
    'csv: odd quotes',
    `${CSV_HEADER}\n${c(1)}\n${c(2, 'a"b')}\n${c(3, '"ab"c')}\n${c(4, ' "ab" ')}\n${c(5)}\n`,
  ],
  [
    'csv: column counts, blank lines, CRLF',
    `${CSV_HEADER}\n${c(1)}\n${c(2)},x\n${c(3).split(',').slice(0, 5).join(',')}\n\n  \n${c(4)}\r\n${c(5)}\n`,
  ],
  ['csv: unterminated quote', `${CSV_HEADER}\n${c(1)}\n${c(2, '"abc')}\n${c(3)}\n${c(4)}\n`],
  ['csv: empty quoted values, #', `${CSV_HEADER}\n${c(1, '""')}\n${c(2, '" "')}\n${c(3, 'a#b')}\n#x\n`],
  [
    'json lines: valid, invalid, extensions',
    [
      J(jb),
      '',
      '   ',
      '[1,2]',
      'garbage',
      J({ ...jb, proto: 6 }),
      J({ ...jb, orig_bytes: '12' }),
      J({ ...jb, orig_bytes: true }),
      J({ ...jb, orig_bytes: null }),
      '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","orig_bytes":99999999999999999999999}',
      '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","orig_bytes":1.0e2,"proto":1.50}',
      '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","proto":{"a":[1, 2.0, "x\\"y"]}}',
      '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","proto":"x","proto":"y"}',
      '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","proto":NaN,"service":-Infinity}',
      '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7",}',
      '  {"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7"}  ',
      '\t{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7"}',
      '{"ts":1700000000.1,"id":{"orig_h":"10.0.0.6"},"id.resp_h":"203.0.113.7"}',
      '{"ts":1700000000.1,"id":{"orig_h":"10.0.0.6"},"id.orig_h":"10.0.0.9","id.resp_h":"203.0.113.7"}',
      '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","proto":"a\u0001b"}',
      '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","proto":"tc\\u0000p\\ud83d\\ude00"}',
      '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","proto":"\\ud800"}',
      '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7"} x',
      '{"ts":"2023-11-14T22:14:20.5Z","id.orig_h":"2001:db8::5","id.resp_h":"2001:db8::7","id.resp_p":"443"}',
      '{"ts":1e400,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","orig_bytes":-0,"resp_bytes":1.5e3,"proto":1e21}',
      '{}',
      'null',
      '"str"',
      '{"ts":1,"id.orig_h":"10.0.0.5","id.resp_h":"10.0.0.6","proto":[1,],"service":01}',
    ].join('\n'),
  ],
  [
    'json lines: CRLF and a stray \\x01',
    `${J(jb)}\r\n${J(jb).replace('tcp', 't\u0001cp')}\r\n${J({ ...jb, proto: 'udp' })}\r\n`,
  ],
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bh-ch-reader-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sortRows = (rows: (Flow | string)[]) => rows.map((r) => JSON.stringify(r)).sort();

async function compare(name: string, content: string | Buffer, gzip = false) {
  const path = join(dir, `${name.replace(/\W+/g, '_')}${gzip ? '.gz' : ''}`);
  await writeFile(path, gzip ? gzipSync(content) : content);
  const plan = await planImport(path);
  const duck = await duckdbImportFile(plan);
  let flows: Flow[] = [];
  const js = await convertFileWithRestart(
    plan as FlowPlan,
    (batch) => {
      flows.push(...batch);
    },
    () => {
      flows = [];
    },
  );
  const jsRows: (Flow | string)[] = [...flows];
  for (const [reason, n] of Object.entries(js.skipped)) {
    if (reason !== 'malformed line') for (let i = 0; i < n; i++) jsRows.push(reason);
  }
  // examples name the line the same way, but the DuckDB side now blanks invalid UTF-8 before reading
  // (issue 15), so its examples lack that line; counts and reasons must still agree
  const { examples: _je, ...jsRest } = js;
  const { examples: _de, ...duckRest } = duck.accounting;
  // and names such a line "invalid utf-8" where the JS reader says "malformed line"
  const skipped: Record<string, number> = {};
  for (const [reason, n] of Object.entries(duckRest.skipped)) {
    const as = reason === 'invalid utf-8' ? 'malformed line' : reason;
    skipped[as] = (skipped[as] ?? 0) + n;
  }
  expect({ ...jsRest, path: '' }).toEqual({ ...duckRest, skipped, path: '' });
  // malformed lines are compared by count (accounting above); DuckDB keeps some of them as rows
  expect(sortRows(jsRows)).toEqual(sortRows(duck.rows.filter((r) => r !== 'malformed line')));
  return js;
}

describe('the JS reader splits and counts files like DuckDB read_csv', () => {
  for (const [name, content] of CASES) {
    it(name, async () => {
      await compare(name, content);
    });
  }
  it('gzip', async () => {
    const js = await compare('gzipped', `${ZEEK_HEADER}\n${G.join('\n')}\n`, true);
    expect(js.used).toBe(4);
  });
  it('a truncated gzip is an input error naming the problem', async () => {
    const gz = gzipSync(`${ZEEK_HEADER}\n${Array.from({ length: 3000 }, (_, i) => z(i)).join('\n')}\n`);
    const path = join(dir, 'cut.log.gz');
    await writeFile(path, gz.subarray(0, Math.floor(gz.length * 0.6)));
    const plan = await planImport(path);
    await expect(convertFile(plan as FlowPlan, () => {})).rejects.toThrow(/gzip|truncat/i);
  });
});
