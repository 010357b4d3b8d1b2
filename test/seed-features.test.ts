import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INTERNAL_NETWORKS } from '../src/context/networks.js';
import type { FeatureOptions } from '../src/features/options.js';
import type { PairFeatures } from '../src/features/pair-features.js';
import { planImport } from '../src/read/formats.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';

/*
 * Hand-made flows with hand-computed seed features.
 * Pair A 10.0.0.1 → 198.51.100.1, (dport, resp_bytes, orig_bytes):
 *   (443, 100, 40) ×5, (443, 200, 40) ×2, (80, 100, 40) ×1, (443, 0, 0) ×2   → 10 flows
 *   default:     t_bytecount 10, distinct sizes {0,100,200} = 3, modal (443,100) i = 5, avgcount 0.5
 *   seed-compat: t_bytecount 8,  distinct {100,200} = 2,          i = 5, avgcount 0.625
 *   orig sizes:  {40 ×8, 0 ×2} → orig_mode_share 0.8, 2 distinct
 * Pair B 10.0.0.2 → 2001:db8::1 port 8443, resp 52 ×3 → t 3, d 1, i 3, avgcount 1
 */
const FLOWS: [string, string, number, number, number][] = [
  ...Array.from(
    { length: 5 },
    () => ['10.0.0.1', '198.51.100.1', 443, 100, 40] as [string, string, number, number, number],
  ),
  ['10.0.0.1', '198.51.100.1', 443, 200, 40],
  ['10.0.0.1', '198.51.100.1', 443, 200, 40],
  ['10.0.0.1', '198.51.100.1', 80, 100, 40],
  ['10.0.0.1', '198.51.100.1', 443, 0, 0],
  ['10.0.0.1', '198.51.100.1', 443, 0, 0],
  ['10.0.0.2', '2001:DB8::1', 8443, 52, 10],
  ['10.0.0.2', '2001:db8::1', 8443, 52, 10],
  // IPv4-mapped IPv6 is the IPv4 address; IPv6 is compared lower-case
  ['::ffff:10.0.0.2', '2001:db8::1', 8443, 52, 10],
];

const ZEEK_HEADER = [
  '#separator \\x09',
  '#set_separator\t,',
  '#empty_field\t(empty)',
  '#unset_field\t-',
  '#path\tconn',
  // a column order unlike stock Zeek, and an extra column, must not matter
  '#fields\tuid\tid.resp_p\tts\tid.orig_h\tid.orig_p\tid.resp_h\tproto\tresp_bytes\torig_bytes\tconn_state\textra',
  '#types\tstring\tport\ttime\taddr\tport\taddr\tenum\tcount\tcount\tstring\tstring',
];

function zeekTsv(bad: string[] = []): string {
  const rows = FLOWS.map(
    ([src, dst, dport, resp, orig], i) =>
      `C${i}\t${dport}\t${1700000000 + i * 60}.5\t${src}\t${40000 + i}\t${dst}\ttcp\t${resp}\t${orig}\tSF\t(empty)`,
  );
  return `${[...ZEEK_HEADER, ...rows, ...bad, '#close\t2024-01-01-00-00-00'].join('\n')}\n`;
}

function splunkCsv(): string {
  const rows = FLOWS.map(
    ([src, dst, dport, resp, orig], i) =>
      `"${new Date((1700000000 + i * 60.5) * 1000).toISOString()}","stream:tcp","${src}",${40000 + i},"${dst}",${dport},${orig},${resp}`,
  );
  return `${['_time,sourcetype,src_ip,src_port,dest_ip,dest_port,bytes_in,bytes_out', ...rows].join('\n')}\n`;
}

const OPTIONS: FeatureOptions = {
  sizeField: 'resp',
  dropZeroBytes: false,
  internalNetworks: DEFAULT_INTERNAL_NETWORKS,
};

function pairRow(p: PairFeatures, src: string, dst: string) {
  const i = p.src.findIndex((s, k) => s === src && p.dst[k] === dst);
  expect(i).toBeGreaterThanOrEqual(0);
  const get = (name: keyof PairFeatures['numeric']) => p.numeric[name][i];
  return { i, dport: p.dport[i], get };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bh-seed-'));
});
afterAll(() => {});

async function load(name: string, content: string) {
  const path = join(dir, name);
  await writeFile(path, content);
  const engine = await DuckDbEngine.open();
  const accounting = await engine.importFile(await planImport(path));
  return { engine, accounting };
}

describe('seed features (brief §Analyses 1), computed by hand', () => {
  it('Zeek TSV, default: zero-byte flows stay in', async () => {
    const { engine } = await load('conn.log', zeekTsv());
    const p = await engine.pairFeatures(OPTIONS);
    const a = pairRow(p, '10.0.0.1', '198.51.100.1');
    expect([
      a.get('t_bytecount'),
      a.get('i_bytecount'),
      a.get('distinct_byte_count'),
      a.get('avgcount'),
    ]).toEqual([10, 5, 3, 0.5]);
    expect(a.dport).toBe(443);
    expect(a.get('mode_size')).toBe(100);
    expect(a.get('orig_mode_share')).toBe(0.8);
    expect(a.get('orig_distinct_sizes')).toBe(2);
    expect(a.get('zero_byte_share')).toBe(0.2);
    const b = pairRow(p, '10.0.0.2', '2001:db8::1');
    expect([
      b.get('t_bytecount'),
      b.get('i_bytecount'),
      b.get('distinct_byte_count'),
      b.get('avgcount'),
    ]).toEqual([3, 3, 1, 1]);
    expect(b.dport).toBe(8443);
    await engine.close();
  });

  it('Zeek TSV, --seed-compat: the seed drops zero-byte flows', async () => {
    const { engine } = await load('conn-seed.log', zeekTsv());
    const p = await engine.pairFeatures({ ...OPTIONS, dropZeroBytes: true });
    const a = pairRow(p, '10.0.0.1', '198.51.100.1');
    expect([
      a.get('t_bytecount'),
      a.get('i_bytecount'),
      a.get('distinct_byte_count'),
      a.get('avgcount'),
    ]).toEqual([8, 5, 2, 0.625]);
    const rows = await engine.seedRows({ ...OPTIONS, dropZeroBytes: true });
    // the seed's literal rows for pair A: (443,100)=5, (443,200)=2, (80,100)=1
    const aRows = rows.src.map((s, i) => i).filter((i) => rows.src[i] === '10.0.0.1');
    expect(
      aRows.map((i) => [
        rows.dport[i],
        rows.size[i],
        rows.i_bytecount[i],
        rows.t_bytecount[i],
        rows.distinct_byte_count[i],
      ]),
    ).toEqual([
      [80, 100, 1, 8, 2],
      [443, 100, 5, 8, 2],
      [443, 200, 2, 8, 2],
    ]);
    await engine.close();
  });

  it('--bytes orig computes the same features on client→server sizes', async () => {
    const { engine } = await load('conn-orig.log', zeekTsv());
    const p = await engine.pairFeatures({ ...OPTIONS, sizeField: 'orig' });
    const a = pairRow(p, '10.0.0.1', '198.51.100.1');
    expect([
      a.get('t_bytecount'),
      a.get('i_bytecount'),
      a.get('distinct_byte_count'),
      a.get('avgcount'),
    ]).toEqual([10, 7, 2, 0.7]);
    await engine.close();
  });

  it('Splunk Stream CSV gives the same features: bytes_out is the server→client size', async () => {
    const { engine, accounting } = await load('stream.csv', splunkCsv());
    expect(accounting.format).toBe('splunk-csv');
    expect(accounting.used).toBe(FLOWS.length);
    const p = await engine.pairFeatures(OPTIONS);
    const a = pairRow(p, '10.0.0.1', '198.51.100.1');
    expect([
      a.get('t_bytecount'),
      a.get('i_bytecount'),
      a.get('distinct_byte_count'),
      a.get('avgcount'),
    ]).toEqual([10, 5, 3, 0.5]);
    expect(p.proto[a.i]).toBe('tcp');
    await engine.close();
  });

  it('bad rows are skipped and counted by reason; the good rows are untouched', async () => {
    const bad = [
      `Cbad1\t443\t1700000000.1\t10.0.0.999\t1\t198.51.100.1\ttcp\t5\t5\tSF\t-`,
      `Cbad2\t443\t1700000000.1\t10.0.0.1\t1\t198.51.100.1\ttcp\t-5\t5\tSF\t-`,
      `Cbad3\t99999\t1700000000.1\t10.0.0.1\t1\t198.51.100.1\ttcp\t5\t5\tSF\t-`,
      `Cbad4\t443\tyesterday\t10.0.0.1\t1\t198.51.100.1\ttcp\t5\t5\tSF\t-`,
      `Cbad5\t443\t1700000000.1\t10.0.0.1`,
      `Cbad6\t443\t1700000000.1\t-\t1\t198.51.100.1\ttcp\t5\t5\tSF\t-`,
      `Cbad7\t443\t1700000000.1\t10.0.0.1\t1\t198.51.100.1\ttcp\t18446744073709551616\t5\tSF\t-`,
    ];
    const { engine, accounting } = await load('conn-bad.log', zeekTsv(bad));
    expect(accounting.dataRows).toBe(FLOWS.length + bad.length);
    expect(accounting.used).toBe(FLOWS.length);
    expect(accounting.skipped).toEqual({
      'bad address': 1,
      'bad number': 2,
      'bad port': 1,
      'bad timestamp': 1,
      'malformed line': 1,
      'missing field': 1,
    });
    expect(accounting.used + Object.values(accounting.skipped).reduce((a, b) => a + b, 0)).toBe(
      accounting.dataRows,
    );
    const p = await engine.pairFeatures(OPTIONS);
    const a = pairRow(p, '10.0.0.1', '198.51.100.1');
    expect(a.get('t_bytecount')).toBe(10);
    await engine.close();
  });

  it('importing the same file twice into one database does not double-count', async () => {
    const path = join(dir, 'twice.log');
    await writeFile(path, zeekTsv());
    const dbPath = join(dir, 'twice.duckdb');
    for (let run = 0; run < 2; run++) {
      const engine = await DuckDbEngine.open(dbPath);
      const acc = await engine.importFile(await planImport(path));
      expect(acc.alreadyImported ?? false).toBe(run === 1);
      const summary = await engine.summary();
      expect(summary.flowsUsed).toBe(FLOWS.length);
      await engine.close();
    }
  });
});
