import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Command } from 'commander';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { registerSpl, SPL_DEFAULTS, seedSearch } from '../src/cli/spl-command.js';
import { DEFAULT_INTERNAL_NETWORKS } from '../src/context/networks.js';
import type { FeatureOptions } from '../src/features/options.js';
import { generateToFile } from '../src/generate/index.js';
import { hunt } from '../src/hunt/hunt.js';
import { FORMAT_OPTIONS, planImport } from '../src/read/formats.js';
import { columnMapFromConfig } from '../src/read/generic-csv.js';
import { expandInputs } from '../src/read/inputs.js';
import type { FileAccounting } from '../src/read/plan.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bh-inputs-'));
});

async function file(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
  return path;
}

async function load(path: string, format = 'auto', options = {}): Promise<FileAccounting> {
  const engine = await DuckDbEngine.open();
  try {
    return await engine.importFile(await planImport(path, format, options));
  } finally {
    await engine.close();
  }
}

const HAVE_ZSTD = spawnSync('zstd', ['--version']).status === 0;
const OPTIONS: FeatureOptions = {
  sizeField: 'resp',
  dropZeroBytes: false,
  internalNetworks: DEFAULT_INTERNAL_NETWORKS,
};

const VPC_HEADER =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
const vpcRow = (i: number) =>
  `2 123456789012 eni-0a1b2c3d 10.0.0.5 203.0.113.7 ${40000 + i} 443 6 5 ${i % 3 ? 420 : 421} ${1700000000 + 60 * i} ${1700000001 + 60 * i} ACCEPT OK`;

describe('recognition by content, not by name', () => {
  it('every --format value is listed, with auto first', () => {
    expect(FORMAT_OPTIONS).toEqual([
      'auto',
      'zeek',
      'splunk',
      'nfdump',
      'argus',
      'suricata',
      'vpc',
      'csv',
      'seed',
    ]);
  });

  it('VPC v2 with header: NODATA and SKIPDATA are counted under their own reasons; protocol 6 is tcp', async () => {
    const rows = [VPC_HEADER, ...Array.from({ length: 10 }, (_, i) => vpcRow(i))];
    rows.push('2 123456789012 eni-0a1b2c3d - - - - - - - 1700000000 1700000060 - NODATA');
    rows.push('2 123456789012 eni-0a1b2c3d - - - - - - - 1700000000 1700000060 - SKIPDATA');
    const a = await load(await file('flows.txt', `${rows.join('\n')}\n`));
    expect(a.format).toBe('vpc-flow');
    expect([a.dataRows, a.used]).toEqual([12, 10]);
    expect(a.skipped).toEqual({ 'no data (VPC NODATA)': 1, 'records lost (VPC SKIPDATA)': 1 });
  });

  it('VPC custom field order from the header, gzip, no header in CloudWatch form', async () => {
    const custom = [
      'srcaddr dstaddr start end bytes packets protocol dstport srcport action log-status',
      '10.0.0.5 198.51.100.9 1700000000 1700000005 99 1 17 53 5353 REJECT OK',
    ];
    const a = await load(await file('custom.gz', gzipSync(`${custom.join('\n')}\n`)));
    expect([a.format, a.used]).toEqual(['vpc-flow', 1]);
    const b = await load(await file('noheader.log', `${vpcRow(1)}\n${vpcRow(2)}\n`));
    expect([b.format, b.used]).toEqual(['vpc-flow', 2]);
  });

  it('Suricata EVE: netflow events (one direction) are flows; stats events are non-flow events', async () => {
    const lines = [
      '{"timestamp":"2024-03-05T00:00:10.000000+0000","event_type":"stats","stats":{"uptime":10}}',
      '{"timestamp":"2024-03-05T00:01:00.000000+0000","flow_id":1,"event_type":"netflow","src_ip":"10.0.0.5","src_port":5000,"dest_ip":"203.0.113.7","dest_port":443,"proto":"TCP","netflow":{"pkts":3,"bytes":180,"start":"2024-03-05T00:00:59.000000+0000","end":"2024-03-05T00:01:00.000000+0000","age":1}}',
      '{"timestamp":"2024-03-05T00:01:00.000000+0000","flow_id":2,"event_type":"flow","src_ip":"2001:DB8::5","src_port":5001,"dest_ip":"::ffff:203.0.113.7","dest_port":443,"proto":"TCP","flow":{"pkts_toserver":3,"pkts_toclient":2,"bytes_toserver":180,"bytes_toclient":90,"start":"2024-03-05T01:00:59.5+0100","end":"2024-03-05T00:01:00.000000+0000","state":"closed"}}',
    ];
    const engine = await DuckDbEngine.open();
    const a = await engine.importFile(await planImport(await file('eve.json', `${lines.join('\n')}\n`)));
    expect([a.format, a.dataRows, a.used, a.skipped]).toEqual([
      'suricata-eve',
      3,
      2,
      { 'non-flow event': 1 },
    ]);
    const p = await engine.pairFeatures(OPTIONS);
    expect(p.src).toEqual(['10.0.0.5', '2001:db8::5']);
    expect(p.dst).toEqual(['203.0.113.7', '203.0.113.7']);
    expect([...p.numeric.first_ts]).toEqual([1709596859, 1709596859.5]);
    expect([...p.numeric.duration_total]).toEqual([1, 0.5]);
    await engine.close();
  });

  it('a generic CSV needs its column map; with it, any delimiter, strptime times and end − start', async () => {
    const csv = [
      'when;until;from;to;port;sent;got',
      '05/03/2024 10:00:00;05/03/2024 10:00:02;10.0.0.5;203.0.113.7;443;120;52',
      '05/03/2024 10:01:00;05/03/2024 10:01:01;10.0.0.5;203.0.113.7;443;120;x',
    ];
    const path = await file('custom.csv', `${csv.join('\n')}\n`);
    await expect(planImport(path, 'csv')).rejects.toThrow(/--format csv needs a column map/);
    await expect(planImport(path)).rejects.toThrow(/unrecognised format \(tried zeek-tsv, .*vpc-flow\)/);
    const columnMap = columnMapFromConfig({
      columns: {
        ts: 'when',
        end: 'until',
        src: 'from',
        dst: 'to',
        dport: 'port',
        orig_bytes: 'sent',
        resp_bytes: 'got',
      },
      time_format: '%d/%m/%Y %H:%M:%S',
    });
    const a = await load(path, 'csv', { columnMap });
    expect([a.format, a.dataRows, a.used, a.skipped]).toEqual(['csv', 2, 1, { 'bad number': 1 }]);
    // auto: nothing else matches, so the map is used
    expect((await load(path, 'auto', { columnMap })).format).toBe('csv');
    expect(() => columnMapFromConfig({ columns: { ts: 'a', src: 'b' } })).toThrow(/map the "dst" field/);
    expect(() => columnMapFromConfig({ columns: { ts: 'a', src: 'b', dst: 'c', bogus: 'd' } })).toThrow(
      /unknown field "bogus"/,
    );
    await expect(
      load(path, 'csv', { columnMap: columnMapFromConfig({ ts: 'when', src: 'from', dst: 'nope' }) }),
    ).rejects.toThrow(/names "nope", not in the header \(columns: when, until/);
  });

  it('--format forces a reader and says what the file misses', async () => {
    const path = await file('notnfdump.csv', 'a,b,c\n1,2,3\n');
    await expect(planImport(path, 'nfdump')).rejects.toThrow(/not nfdump CSV/);
    await expect(planImport(path, 'argus')).rejects.toThrow(/not Argus CSV/);
    await expect(planImport(path, 'vpc')).rejects.toThrow(/not a VPC flow log/);
    await expect(planImport(path, 'bogus')).rejects.toThrow(/unknown format "bogus"/);
  });

  it.skipIf(!HAVE_ZSTD)('zstd files are sniffed and read (made with the zstd program)', async () => {
    const rows = [VPC_HEADER, ...Array.from({ length: 50 }, (_, i) => vpcRow(i))].join('\n');
    const plain = await file('vpc-plain.log', `${rows}\n`);
    spawnSync('zstd', ['-q', '-f', plain, '-o', `${plain}.zst`]);
    const a = await load(`${plain}.zst`);
    expect([a.format, a.used]).toEqual(['vpc-flow', 50]);
    const zst = await readFile(`${plain}.zst`);
    const cut = await file('cut.zst', zst.subarray(0, Math.floor(zst.length / 2)));
    await expect(load(cut)).rejects.toThrow(/cut\.zst|zstd/);
  });
});

describe('inputs: directories, rotated Zeek names, globs', () => {
  it('a Zeek log folder with date folders and rotated names: conn and name logs; other flow files kept', async () => {
    const zeek = (n: number) =>
      `#separator \\x09\n#path\tconn\n#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\torig_bytes\tresp_bytes\n${Array.from({ length: n }, (_, i) => `${1700000000 + i}\t10.0.0.5\t1\t203.0.113.7\t443\ttcp\t1\t2`).join('\n')}\n`;
    await file('zeek/2024-03-05/conn.00:00:00-01:00:00.log.gz', gzipSync(zeek(3)));
    await file('zeek/2024-03-05/conn.01:00:00-02:00:00.log', zeek(4));
    await file('zeek/2024-03-05/dns.00:00:00-01:00:00.log.gz', gzipSync('#path\tdns\n'));
    await file('zeek/2024-03-06/conn.log', zeek(5));
    await file('zeek/2024-03-06/http.log', '#path\thttp\n');
    await file('zeek/2024-03-06/weird.log', '#path\tweird\n');
    await file('zeek/vpc/flows.txt', `${VPC_HEADER}\n${vpcRow(1)}\n`);
    const files = await expandInputs([join(dir, 'zeek')]);
    expect(files.map((f) => f.slice(dir.length + 6))).toEqual([
      '2024-03-05/conn.00:00:00-01:00:00.log.gz',
      '2024-03-05/conn.01:00:00-02:00:00.log',
      '2024-03-05/dns.00:00:00-01:00:00.log.gz',
      '2024-03-06/conn.log',
      '2024-03-06/http.log',
      'vpc/flows.txt',
    ]);
    const r = await hunt({ inputs: [join(dir, 'zeek')] });
    // the header-only dns and http logs (no #fields) are listed as not read, with why
    expect(r.summary.files.map((f) => [f.format, f.rows, f.error?.includes('#fields') ?? false])).toEqual([
      ['zeek-tsv', 3, false],
      ['zeek-tsv', 4, false],
      ['zeek-tsv', 5, false],
      ['vpc-flow', 1, false],
      ['none', 0, true],
      ['none', 0, true],
    ]);
    expect((await expandInputs([join(dir, 'zeek', '*', 'conn.*')])).length).toBe(3);
  });
});

describe('the seed search output: hunted on its precomputed features', () => {
  it('rows exported from the seed rows of a generated file give back the seed features, without timing', async () => {
    const conn = join(dir, 'seed-src.log');
    await generateToFile({ seed: 5, flows: 8000, hosts: 15, hours: 4, format: 'zeek', out: conn });
    const engine = await DuckDbEngine.open();
    await engine.importFile(await planImport(conn));
    const seedOptions = { ...OPTIONS, dropZeroBytes: true };
    const rows = await engine.seedRows(seedOptions);
    const flowPairs = await engine.pairFeatures(seedOptions);
    await engine.close();
    // Splunk's CSV export quotes every value
    const lines = [
      '"src_ip","dest_ip","dest_port","bytes_out","i_bytecount","t_bytecount","distinct_byte_count","avgcount"',
    ];
    for (let i = 0; i < rows.length; i++) {
      lines.push(
        [
          rows.src[i],
          rows.dst[i],
          rows.dport[i] ?? '',
          rows.size[i],
          rows.i_bytecount[i],
          rows.t_bytecount[i],
          rows.distinct_byte_count[i],
          rows.avgcount[i],
        ]
          .map((v) => `"${v}"`)
          .join(','),
      );
    }
    lines.push(
      '"10.0.0.1","not-an-ip","443","52","1","1","1","1"',
      '"10.0.0.1","198.51.100.1","443","52","5","3","1","1.67"',
    );
    const path = await file('seed.csv', `${lines.join('\n')}\n`);
    const precomputed = await DuckDbEngine.open();
    const a = await precomputed.importFile(await planImport(path));
    expect([a.format, a.dataRows, a.used, a.skipped]).toEqual([
      'seed-output',
      rows.length + 2,
      rows.length,
      { 'bad address': 1, 'bad number': 1 },
    ]);
    expect(a.notes?.join(' ')).toMatch(/no timestamps, so no timing/);
    expect(a.precomputed).toBe(true);
    const p = await precomputed.pairFeatures(seedOptions);
    expect(p.length).toBe(flowPairs.length);
    for (let i = 0; i < p.length; i++) {
      expect(p.src[i]).toBe(flowPairs.src[i]);
      for (const k of [
        't_bytecount',
        'i_bytecount',
        'distinct_byte_count',
        'avgcount',
        'mode_size',
      ] as const) {
        expect(p.numeric[k][i], `${p.src[i]} → ${p.dst[i]} ${k}`).toBe(flowPairs.numeric[k][i]);
      }
      expect(p.numeric.first_ts[i]).toBeNaN();
    }
    expect((await precomputed.seedRows(seedOptions)).length).toBe(rows.length);
    await precomputed.close();
    const r = await hunt({ inputs: [path] });
    expect(r.summary.files[0]?.format).toBe('seed-output');
    expect(r.summary.time_range).toBeNull();
    expect(r.findings.length).toBeGreaterThan(0);
    expect(r.findings.every((f) => f.first_seen === '' && Number.isFinite(f.score))).toBe(true);
  });
});

describe('beaconhunt spl', () => {
  it("prints the seed's search: filter, i_bytecount, t_bytecount, distinct_byte_count, avgcount", () => {
    const spl = seedSearch({
      index: 'botsv3',
      sourcetype: 'stream:tcp',
      bytesField: 'bytes_out',
      earliest: '-7d@d',
      latest: 'now',
    });
    expect(spl.split('\n')[0]).toBe(
      'search index="botsv3" sourcetype="stream:tcp" earliest=-7d@d latest=now bytes_out>0',
    );
    expect(spl).toMatch(/\| stats count AS i_bytecount BY src_ip, dest_ip, dest_port, bytes_out/);
    expect(spl).toMatch(
      /\| eventstats sum\(i_bytecount\) AS t_bytecount, dc\(bytes_out\) AS distinct_byte_count BY src_ip, dest_ip/,
    );
    expect(spl).toMatch(/\| eval avgcount = i_bytecount \/ t_bytecount/);
    expect(spl).toMatch(
      /\| table src_ip, dest_ip, dest_port, bytes_out, i_bytecount, t_bytecount, distinct_byte_count, avgcount$/,
    );
    const inbound = seedSearch({
      index: 'a"b',
      sourcetype: 'stream:udp',
      bytesField: 'bytes_in',
      oneLine: true,
    });
    expect(inbound).not.toContain('\n');
    expect(inbound).toContain('index="a\\"b"');
    expect(inbound).toContain('dc(bytes_in)');
  });

  it('the exported result with server_name: the pairs carry the name', async () => {
    const header =
      'src_ip,dest_ip,dest_port,bytes_out,i_bytecount,t_bytecount,distinct_byte_count,avgcount,server_name';
    const rows = [
      '10.0.0.1,198.51.100.1,443,52,9,10,2,0.9,C2.Example.NET.',
      '10.0.0.1,198.51.100.1,443,60,1,10,2,0.1,c2.example.net',
      '10.0.0.2,198.51.100.9,443,70,4,4,1,1,',
    ];
    const path = await file('seed-names.csv', `${[header, ...rows].join('\n')}\n`);
    const engine = await DuckDbEngine.open();
    try {
      expect((await engine.importFile(await planImport(path))).used).toBe(3);
      const p = await engine.pairFeatures({ ...OPTIONS, dropZeroBytes: true });
      expect(p.src.map((s, i) => [s, p.host[i]])).toEqual([
        ['10.0.0.1', 'c2.example.net'],
        ['10.0.0.2', null],
      ]);
    } finally {
      await engine.close();
    }
  });

  async function runSpl(args: string[]): Promise<{ out: string; error?: string }> {
    const program = new Command('beaconhunt')
      .exitOverride()
      .configureOutput({ writeErr: () => {}, writeOut: () => {} });
    registerSpl(program);
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      chunks.push(String(c));
      return true;
    });
    try {
      await program.parseAsync(['node', 'beaconhunt', 'spl', ...args]);
      return { out: chunks.join('') };
    } catch (err) {
      return { out: chunks.join(''), error: (err as Error).message };
    } finally {
      spy.mockRestore();
    }
  }

  it('the command: defaults, options, and bad values refused', async () => {
    const plain = await runSpl([]);
    expect(plain.out).toMatch(/^search index="main" sourcetype="stream:tcp" bytes_out>0\n/);
    const opts = await runSpl([
      '--index',
      'botsv3',
      '--bytes-field',
      'bytes_in',
      '--earliest',
      '-24h',
      '--latest',
      '@d',
      '--one-line',
    ]);
    expect(opts.out).toMatch(
      /^search index="botsv3" sourcetype="stream:tcp" earliest=-24h latest=@d bytes_in>0 \| eval server_name = coalesce\(server_name, site, dest_host\) \| stats count AS i_bytecount, mode\(server_name\) AS server_name BY/,
    );
    expect(opts.out).toMatch(/avgcount, server_name\n$/);
    // --no-names: the seed's search exactly
    const seed = await runSpl(['--no-names']);
    expect(seed.out).toBe(`${seedSearch({ ...SPL_DEFAULTS })}\n`);
    expect(seed.out).not.toContain('server_name');
    expect((await runSpl(['--earliest', 'yesterday; | delete'])).error).toMatch(/time modifier/);
    expect((await runSpl(['--bytes-field', 'bytes'])).error).toMatch(/bytes_out, bytes_in/);
  });
});
