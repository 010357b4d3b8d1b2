import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config/config-file.js';
import { hunt } from '../src/hunt/hunt.js';
import { planImport } from '../src/read/formats.js';
import type { FileAccounting } from '../src/read/plan.js';
import type { Finding, HuntResult } from '../src/score/finding.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';
import { HAVE_SHARED_DATA, sharedPath } from './shared-data.js';

/*
 * Every fixture is read with the row counts its README/TRUTH states, and its known periodic/C2
 * pairs show up among the findings. ../shared/data: skipped with a message when absent;
 * test/corpus/tools: real nfdump/argus outputs committed with the repository.
 */

async function account(path: string, format = 'auto'): Promise<FileAccounting> {
  const engine = await DuckDbEngine.open();
  try {
    return await engine.importFile(await planImport(path, format));
  } finally {
    await engine.close();
  }
}

function expectCounts(
  a: FileAccounting,
  format: string,
  rows: number,
  used = rows,
  skipped: Record<string, number> = {},
): void {
  expect(a.format).toBe(format);
  expect(a.dataRows).toBe(rows);
  expect(a.used).toBe(used);
  expect(a.skipped).toEqual(skipped);
  expect(a.used + Object.values(a.skipped).reduce((x, y) => x + y, 0)).toBe(a.dataRows);
}

const find = (r: HuntResult, src: string, dst: string): Finding | undefined =>
  r.findings.find((f) => f.src === src && f.dst === dst);

describe.skipIf(!HAVE_SHARED_DATA)('fixtures in ../shared/data: row counts as the TRUTH files state', () => {
  const cases: [
    file: string,
    format: string,
    rows: number,
    used?: number,
    skipped?: Record<string, number>,
    trailer?: number,
  ][] = [
    ['nfdump/test1-malicious.nfdump.csv', 'nfdump-csv', 4593, 4593, {}, 3],
    ['nfdump/test1-malicious.nfdump-fmt.txt', 'nfdump-fmt', 4593, 4593, {}, 4],
    ['pcap-curl-loop/nfdump/test-cc-capture-1.nfdump.csv', 'nfdump-csv', 598, 598, {}, 3],
    ['pcap-curl-loop/nfdump/test-cc-capture-1.nfdump-fmt.txt', 'nfdump-fmt', 598, 598, {}, 4],
    ['pcap-curl-loop/nfdump/test-cc-capture-2.nfdump.csv', 'nfdump-csv', 539, 539, {}, 3],
    ['pcap-curl-loop/nfdump/test-cc-capture-2.nfdump-fmt.txt', 'nfdump-fmt', 539, 539, {}, 4],
    ['pcap-curl-loop/argus/test-cc-capture-1.ra.csv', 'argus-csv', 299],
    ['pcap-curl-loop/argus/test-cc-capture-2.ra.csv', 'argus-csv', 270],
    ['argus-binetflow/test2-malicious.binetflow', 'argus-binetflow', 6751],
    ['argus-binetflow/test4-malicious.binetflow', 'argus-binetflow', 394],
    ['suricata-eve/test6-malicious.suricata.json', 'suricata-eve', 5000, 3512, { 'non-flow event': 1488 }],
    ['zeek-remcos/conn.log', 'zeek-tsv', 766],
    ['zeek-remcos/conn.json', 'zeek-json', 766],
    ['zeek-remcos/conn.log.labeled', 'zeek-tsv', 766],
    // its times count from the capture's start (22.3 s = 1970-01-01T00:00:22): implausible (issue 15)
    ['zeek-dir/test9-mixed-zeek-dir/conn.log', 'zeek-json', 576, 0, { 'implausible time': 576 }],
    ['rita-proxy/proxy/conn.log', 'zeek-tsv', 463],
  ];
  for (const [file, format, rows, used, skipped, trailer] of cases) {
    it(`${file}: ${used ?? rows} of ${rows} rows (${format})`, async () => {
      const a = await account(sharedPath(file));
      expectCounts(a, format, rows, used ?? rows, skipped ?? {});
      expect(a.nonDataLines ?? 0).toBe(trailer ?? 0);
    });
  }

  it('zeek-dir/test9-mixed-zeek-dir/conn.log with --allow-any-time: 576 of 576 rows, times from 0 s', async () => {
    const engine = await DuckDbEngine.open();
    try {
      const plan = await planImport(sharedPath('zeek-dir/test9-mixed-zeek-dir/conn.log'));
      expectCounts(await engine.importFile({ ...plan, allowAnyTime: true }), 'zeek-json', 576);
    } finally {
      await engine.close();
    }
  });

  it('a whole Zeek JSON log directory: conn.log is read (576 rows), dns, http and ssl name its flows', async () => {
    const r = await hunt({ inputs: [sharedPath('zeek-dir', 'test9-mixed-zeek-dir')], allowAnyTime: true });
    expect(r.summary.files.map((f) => [f.path.split('/').pop(), f.rows, f.names ?? false])).toEqual([
      ['conn.log', 576, false],
      ['dns.log', 239, true],
      ['http.log', 516, true],
      ['ssl.log', 205, true],
    ]);
    expect(r.summary.flows_read).toBe(576);
  });

  it('pcap-curl-loop, Argus: 147.32.80.37 → 141.193.213.21:443 ranks #1, every 2.2 s, 841-byte requests', async () => {
    const r = await hunt({ inputs: [sharedPath('pcap-curl-loop/argus/test-cc-capture-1.ra.csv')] });
    const f = find(r, '147.32.80.37', '141.193.213.21');
    expect(f?.rank).toBe(1);
    expect(f?.dport).toBe(443);
    expect(f?.flows).toBe(297);
    expect(f?.features.gap_median_s).toBeCloseTo(2.2, 1);
    expect(f?.features.orig_mode_size).toBe(841);
  });

  it('pcap-curl-loop capture 2, Argus: the jittered loop → 141.193.213.20:443 ranks #1 (22 flows, ~3.0 s)', async () => {
    const r = await hunt({ inputs: [sharedPath('pcap-curl-loop/argus/test-cc-capture-2.ra.csv')] });
    const f = find(r, '147.32.80.37', '141.193.213.20');
    expect(f?.rank).toBe(1);
    expect(f?.features.gap_median_s).toBeCloseTo(3.03, 1);
  });

  for (const file of ['test-cc-capture-1.nfdump.csv', 'test-cc-capture-1.nfdump-fmt.txt']) {
    it(`pcap-curl-loop, nfdump ${file} (unidirectional, --bytes orig): the loop ranks #1`, async () => {
      const r = await hunt({ inputs: [sharedPath('pcap-curl-loop/nfdump', file)], sizeField: 'orig' });
      const f = find(r, '147.32.80.37', '141.193.213.21');
      expect(f?.rank).toBe(1);
      expect(f?.flows).toBe(297);
      // whole seconds in the CSV, milliseconds in the fmt: export
      expect(f?.features.gap_median_s).toBeGreaterThanOrEqual(2);
      expect(f?.features.gap_median_s).toBeLessThanOrEqual(2.3);
      expect(r.summary.files[0]?.rows).toBe(598);
    });
  }

  it('nfdump test1: the SYN storm to :902 is the top finding, a strobe', async () => {
    const r = await hunt({ inputs: [sharedPath('nfdump/test1-malicious.nfdump.csv')], sizeField: 'orig' });
    const f = r.findings[0];
    expect([f?.src, f?.dst, f?.dport, f?.flows]).toEqual(['147.32.80.119', '147.32.82.62', 902, 2305]);
    expect(f?.verdict).toBe('strobe');
    expect(f?.features.failed_share).toBe(1); // SYN-only records read as S0
  });

  it('Suricata EVE: flow.start times; the camera → Edimax cloud 1153 s heartbeat and SSDP replies are found', async () => {
    const r = await hunt({ inputs: [sharedPath('suricata-eve/test6-malicious.suricata.json')] });
    expect(r.summary.time_range).toEqual(['2021-06-06T13:57:39.106Z', '2021-06-07T13:56:04.947Z']);
    const edimax = find(r, '192.168.1.129', '122.248.234.231');
    expect(edimax?.features.gap_median_s).toBeCloseTo(1153, 0);
    // 216.245.221.83 → 192.168.1.129:80 (UptimeRobot, every 300 s) is inbound: not scored by
    // default (direction: outbound).
    expect(find(r, '216.245.221.83', '192.168.1.129')).toBeUndefined();
  });

  it('Suricata EVE: with direction both, the inbound 300 s check shows', async () => {
    const r = await hunt({
      inputs: [sharedPath('suricata-eve/test6-malicious.suricata.json')],
      settings: { ...DEFAULT_CONFIG, direction: 'both' },
    });
    const monitor = find(r, '216.245.221.83', '192.168.1.129');
    expect(monitor?.flows).toBe(287);
    expect(monitor?.features.gap_median_s).toBeCloseTo(300, 0);
  });

  it('binetflow test2: the hour-long ICMP records 10.8.0.1 → 10.8.0.69 (~3768 s) are found', async () => {
    const r = await hunt({ inputs: [sharedPath('argus-binetflow/test2-malicious.binetflow')] });
    expect(find(r, '10.8.0.1', '10.8.0.69')?.features.gap_median_s).toBeGreaterThan(3600);
  });
});

const V6_INTERNAL = { ...DEFAULT_CONFIG, internal_networks: ['2001:db8::/32'] };
const TOOLS = resolve(import.meta.dirname, 'corpus', 'tools');

describe('real nfdump 1.7.1 and argus 3.0.8 outputs (test/corpus/tools, see its README)', () => {
  it('nfdump -o csv, IPv6: 15 records, the 3-line trailer is not data', async () => {
    const a = await account(join(TOOLS, 'nfdump171-v6.csv'));
    expectCounts(a, 'nfdump-csv', 15);
    expect(a.nonDataLines).toBe(3);
    expect(a.notes?.join(' ')).toMatch(/unidirectional/);
    expect(a.directionality).toBe('unidirectional');
  });
  it('nfdump fmt: without -N (HH:MM:SS durations) and with -N (epoch ms, protocol numbers)', async () => {
    for (const file of ['nfdump171-v6-fmt.txt', 'nfdump171-v6-fmtN.txt']) {
      const a = await account(join(TOOLS, file));
      expectCounts(a, 'nfdump-fmt', 15);
      expect(a.nonDataLines).toBe(4);
    }
    const r = await hunt({
      inputs: [join(TOOLS, 'nfdump171-v6-fmt.txt')],
      sizeField: 'orig',
      settings: V6_INTERNAL,
    });
    const answers = find(r, '2001:db8::7', '2001:db8::5');
    expect(answers?.flows).toBe(12);
    expect(answers?.proto).toBe('udp');
    const requests = r.summary.files[0];
    expect(requests?.rows).toBe(15);
  });
  it('argus ra CSV, IPv6 beacon with payload columns: 12 flows every 120 s, 48 → 200 bytes', async () => {
    const a = await account(join(TOOLS, 'argus-v6.ra.csv'));
    expectCounts(a, 'argus-csv', 12);
    const r = await hunt({ inputs: [join(TOOLS, 'argus-v6.ra.csv')], settings: V6_INTERNAL });
    const f = find(r, '2001:db8::5', '2001:db8::7');
    expect(f?.flows).toBe(12);
    expect(f?.features.gap_median_s).toBe(120);
    expect(f?.features.mode_size).toBe(200);
    expect(f?.features.orig_mode_size).toBe(48);
  });
  it("argus ra's default columns (epoch times), and tab-separated ra output", async () => {
    expectCounts(await account(join(TOOLS, 'argus-cap2-default-u.csv')), 'argus-csv', 40);
    expectCounts(await account(join(TOOLS, 'argus-cap2-tab.tsv')), 'argus-csv', 40);
  });
  it("argus ra's default time of day without a date is a clear error", async () => {
    await expect(account(join(TOOLS, 'argus-cap2-timeonly.csv'))).rejects.toThrow(
      /StartTime has no date.*-u/,
    );
  });
});
