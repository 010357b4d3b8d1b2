import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { it } from 'vitest';
import { planImport } from '../src/read/formats.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';

const HEADER = [
  '#separator \\x09', '#set_separator\t,', '#empty_field\t(empty)', '#unset_field\t-', '#path\tconn',
  '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state',
  '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring',
].join('\n');
const good = (i: number) => `${1700000000 + i * 60}.25\tC${i}\t10.0.0.5\t${50000 + i}\t203.0.113.7\t443\ttcp\t-\t0.1\t120\t52\tSF`;

async function run(name: string, body: string | Buffer) {
  const dir = await mkdtemp(join(tmpdir(), 'bh-scr-'));
  const path = join(dir, 'x.log');
  await writeFile(path, body);
  const dbp = join(dir, 'x.duckdb');
  const e = await DuckDbEngine.open(dbp);
  let acc;
  try { acc = await e.importFile(await planImport(path)); } catch (err) { acc = String(err); }
  await e.close();
  const inst = await DuckDBInstance.create(dbp);
  const c = await inst.connect();
  const r = await c.runAndReadAll('SELECT ts, src, dst, dport, proto, service, conn_state, orig_bytes, skip_reason FROM flows ORDER BY rowid');
  console.log(name, JSON.stringify(acc), JSON.stringify(r.getRows(), (_, v) => (typeof v === 'bigint' ? Number(v) : v)));
  c.closeSync(); inst.closeSync();
}


const CH = '_time,sourcetype,src_ip,src_port,dest_ip,dest_port,transport,app,bytes_in,bytes_out,packets_in,packets_out,time_taken';
const c = (i: number, app = 'ssl') => `2024-03-05T00:00:${String(i).padStart(2, '0')}.000+00:00,stream:tcp,10.0.0.5,5000${i},203.0.113.7,443,tcp,${app},120,52,3,4,1500`;
const J = (o: object) => JSON.stringify(o);
const jb = { ts: 1700000000.1, 'id.orig_h': '10.0.0.5', 'id.orig_p': 1, 'id.resp_h': '203.0.113.7', 'id.resp_p': 443, proto: 'tcp', orig_bytes: 1, resp_bytes: 52 };
it('scratch', async () => {
  await run('csv-basic', `${CH}\n${c(1)}\n${c(2, '"a,b"')}\n${c(3, '"multi\nline"')}\n${c(4, '"say ""hi"""')}\n`);
  await run('csv-badquote', `${CH}\n${c(1)}\n${c(2, 'a"b')}\n${c(3, '"ab"c')}\n${c(4, ' "ab" ')}\n${c(5)}\n`);
  await run('csv-cols', `${CH}\n${c(1)}\n${c(2)},x\n${c(3).split(',').slice(0, 5).join(',')}\n\n  \n${c(4)}\r\n${c(5)}\n`);
  await run('csv-unterminated', `${CH}\n${c(1)}\n${c(2, '"abc')}\n${c(3)}\n${c(4)}\n`);
  await run('csv-emptyquoted', `${CH}\n${c(1, '""')}\n${c(2, '" "')}\n`);
  await run('csv-hash', `${CH}\n${c(1, 'a#b')}\n#x\n${c(2)}\n`);
  await run('json', [J(jb), '', '   ', '[1,2]', 'garbage', J({ ...jb, proto: 6 }), J({ ...jb, proto: 6.0, orig_bytes: '12' }), J({ ...jb, orig_bytes: true }), J({ ...jb, orig_bytes: null }),
     '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","orig_bytes":99999999999999999999999}',
     '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","orig_bytes":1.0e2}',
     '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","proto":1.50}',
     '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","proto":{"a":[1, 2]}}',
     '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","proto":"x","proto":"y"}',
     '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","proto":NaN}',
     '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7",}',
     '  {"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7"}  ',
     '{"ts":1700000000.1,"id":{"orig_h":"10.0.0.6"},"id.resp_h":"203.0.113.7"}',
     '{"ts":1700000000.1,"id":{"orig_h":"10.0.0.6"},"id.orig_h":"10.0.0.9","id.resp_h":"203.0.113.7"}',
     '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","proto":"a\u0001b"}',
     '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","proto":"tc\\u0000p"}',
     '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","proto":"\\ud800"}',
     '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7"} x',
     '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7"}{}',
     '{"ts":1700000000.1,"id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","proto":"a\rb"}',
     '{"ts":"1700000000.1","id.orig_h":"10.0.0.5","id.resp_h":"203.0.113.7","id.resp_p":"443"}',
     '{}', 'null', '"str"', '{"ts":1,"id.orig_h":"10.0.0.5","id.resp_h":"10.0.0.6"}',
  ].join('\n'));
});
