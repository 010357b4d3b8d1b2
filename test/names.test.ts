import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../src/config/config-file.js';
import { DEFAULT_INTERNAL_NETWORKS } from '../src/context/networks.js';
import type { PairFeatures } from '../src/features/pair-features.js';
import { hunt } from '../src/hunt/hunt.js';
import { planImport } from '../src/read/formats.js';
import { expandInputs } from '../src/read/inputs.js';
import { planNameImport } from '../src/read/names.js';
import { findingsCsv } from '../src/report/csv-report.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';
import { HAVE_SHARED_DATA, sharedPath } from './shared-data.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bh-names-'));
});

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
  return path;
}

/** A Zeek TSV log with the given #path and fields. */
function zeekLog(path: string, fields: string[], rows: (string | number)[][]): string {
  return [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    `#path\t${path}`,
    `#fields\t${fields.join('\t')}`,
    ...rows.map((r) => r.join('\t')),
    '#close\t2024-01-01-00-00-00',
  ].join('\n');
}

const CONN_FIELDS = ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'duration'];
const CONN_BYTES = ['orig_bytes', 'resp_bytes', 'conn_state'];

/** Seeded jitter (xorshift), so every run writes the same logs. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const T0 = 1_700_000_000;

/**
 * A small Zeek folder: an HTTPS beacon named only by ssl.log (uid), a beacon through an explicit
 * proxy (http.log CONNECT), flows named only by a DNS answer to their client, a flow to the same
 * address by a client that never asked, a DNS answer too old to name anything, and a scanner's
 * refused CONNECT probe.
 */
async function writeZeekFolder(): Promise<string> {
  const next = rng(7);
  const conn: (string | number)[][] = [];
  const ssl: (string | number)[][] = [];
  const http: (string | number)[][] = [];
  const dns: (string | number)[][] = [];
  for (let i = 0; i < 60; i++) {
    const ts = T0 + i * 60 + next() * 10;
    conn.push([ts, `Cssl${i}`, '10.0.0.5', 50000 + i, '203.0.113.10', 443, 'tcp', 0.2, 300, 1200, 'SF']);
    ssl.push([ts + 0.01, `Cssl${i}`, '10.0.0.5', 50000 + i, '203.0.113.10', 443, 'c2.example.net']);
    const tp = T0 + i * 90 + next() * 20;
    conn.push([tp, `Cpx${i}`, '10.0.0.6', 40000 + i, '10.0.0.99', 3128, 'tcp', 0.3, 677, 1434, 'RSTO']);
    http.push([
      tp + 0.01,
      `Cpx${i}`,
      '10.0.0.6',
      40000 + i,
      '10.0.0.99',
      3128,
      'CONNECT',
      'update.example.org',
      'update.example.org:443',
      200,
    ]);
  }
  dns.push([
    T0 - 5,
    'Cdns1',
    '10.0.0.7',
    5353,
    '10.0.0.1',
    53,
    'udp',
    'files.example.com',
    'A',
    'NOERROR',
    '198.51.100.20,198.51.100.21',
  ]);
  dns.push([
    T0 - 3 * 86_400,
    'Cdns2',
    '10.0.0.7',
    5354,
    '10.0.0.1',
    53,
    'udp',
    'stale.example.com',
    'A',
    'NOERROR',
    '198.51.100.30',
  ]);
  for (let i = 0; i < 5; i++) {
    conn.push([T0 + i * 100, '-', '10.0.0.7', 30000 + i, '198.51.100.20', 80, 'tcp', 1, 100, 5000, 'SF']);
    conn.push([T0 + i * 100 + 1, '-', '10.0.0.8', 31000 + i, '198.51.100.20', 80, 'tcp', 1, 100, 5000, 'SF']);
    conn.push([T0 + i * 100 + 2, '-', '10.0.0.7', 32000 + i, '198.51.100.30', 80, 'tcp', 1, 100, 5000, 'SF']);
  }
  conn.push([T0 + 5, 'Cscan', '192.0.2.66', 61000, '10.0.0.20', 80, 'tcp', 0.1, 60, 200, 'SF']);
  http.push([
    T0 + 5.01,
    'Cscan',
    '192.0.2.66',
    61000,
    '10.0.0.20',
    80,
    'CONNECT',
    'probe.example',
    'probe.example:443',
    405,
  ]);
  await file('zeek/conn.log', zeekLog('conn', [...CONN_FIELDS, ...CONN_BYTES], conn));
  await file(
    'zeek/ssl.log',
    zeekLog('ssl', ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'server_name'], ssl),
  );
  await file(
    'zeek/http.log',
    zeekLog(
      'http',
      [
        'ts',
        'uid',
        'id.orig_h',
        'id.orig_p',
        'id.resp_h',
        'id.resp_p',
        'method',
        'host',
        'uri',
        'status_code',
      ],
      http,
    ),
  );
  await file(
    'zeek/dns.log',
    zeekLog(
      'dns',
      [
        'ts',
        'uid',
        'id.orig_h',
        'id.orig_p',
        'id.resp_h',
        'id.resp_p',
        'proto',
        'query',
        'qtype_name',
        'rcode_name',
        'answers',
      ],
      dns,
    ),
  );
  return join(dir, 'zeek');
}

/** Import files (flows and name logs) into an in-memory DuckDB and return its pairs. */
async function pairsOf(inputs: string[]): Promise<PairFeatures> {
  const engine = await DuckDbEngine.open();
  try {
    for (const path of await expandInputs(inputs)) {
      const names = await planNameImport(path);
      if (names) await engine.importNames(names.plan);
      if (!names?.onlyNames) await engine.importFile(await planImport(path));
    }
    await engine.resolveNames();
    return await engine.pairFeatures({
      sizeField: 'resp',
      dropZeroBytes: false,
      internalNetworks: DEFAULT_INTERNAL_NETWORKS,
    });
  } finally {
    await engine.close();
  }
}

function pair(p: PairFeatures, src: string, dst: string) {
  const i = p.src.findIndex((s, k) => s === src && p.dst[k] === dst);
  if (i < 0) return undefined;
  return { host: p.host[i] ?? null, via: p.via?.[i] ?? null, flows: p.numeric.flows[i], dport: p.dport[i] };
}

describe('names joined to flows', () => {
  it('SNI by uid, proxy target by CONNECT, passive DNS only for the client that asked and only while fresh', async () => {
    const p = await pairsOf([await writeZeekFolder()]);
    expect(pair(p, '10.0.0.5', '203.0.113.10')).toMatchObject({
      host: 'c2.example.net',
      via: null,
      flows: 60,
    });
    // the proxy is not a destination: the pair is (client, target), the proxy kept in via
    expect(pair(p, '10.0.0.6', '10.0.0.99')).toBeUndefined();
    expect(pair(p, '10.0.0.6', 'update.example.org')).toMatchObject({
      host: 'update.example.org',
      via: '10.0.0.99',
      flows: 60,
      dport: 3128,
    });
    expect(pair(p, '10.0.0.7', '198.51.100.20')).toMatchObject({ host: 'files.example.com' });
    expect(pair(p, '10.0.0.8', '198.51.100.20')).toMatchObject({ host: null });
    expect(pair(p, '10.0.0.7', '198.51.100.30')).toMatchObject({ host: null });
    // a refused CONNECT (405) is a probe, not a proxied connection
    expect(pair(p, '192.0.2.66', '10.0.0.20')).toMatchObject({ via: null });
  });

  it('findings carry the name and the proxy in JSON and CSV; name logs are not counted as flows', async () => {
    const result = await hunt({ inputs: [await writeZeekFolder()] });
    expect(result.summary.flows_read).toBe(60 * 2 + 15 + 1);
    expect(result.summary.names).toEqual({
      events: 60 + 60 + 1 + 2,
      flows_named_by_connection: 60,
      flows_via_proxy: 60,
      flows_named_by_dns: 5,
    });
    const proxied = result.findings.find((f) => f.dst === 'update.example.org');
    expect(proxied).toMatchObject({
      src: '10.0.0.6',
      via: '10.0.0.99',
      host: 'update.example.org',
      dport: 3128,
    });
    const sni = result.findings.find((f) => f.dst === '203.0.113.10');
    expect(sni?.host).toBe('c2.example.net');
    const csv = findingsCsv(result.findings);
    const [head, ...lines] = csv.trim().split('\n');
    expect(head).toMatch(/,reasons,via$/);
    const row = lines.find((l) => l.includes(',update.example.org,')) as string;
    expect(row).toMatch(/,10\.0\.0\.99$/);
  });

  it('a conn.log alone gets no name resolution at all', async () => {
    const path = join(await writeZeekFolder(), 'conn.log');
    const result = await hunt({ inputs: [path] });
    expect(result.summary.names).toBeUndefined();
    expect(result.findings.every((f) => f.host === null && !f.via)).toBe(true);
  });
});

describe.skipIf(!HAVE_SHARED_DATA)('names on the shared fixtures (../shared/data)', () => {
  it('zeek-dir (Zeek JSON): SNI, Host and DNS name flows', async () => {
    const result = await hunt({
      inputs: [sharedPath('zeek-dir', 'test9-mixed-zeek-dir')],
      allowAnyTime: true,
    });
    const n = result.summary.names;
    expect(n?.flows_named_by_connection).toBeGreaterThan(200);
    expect(n?.flows_named_by_dns).toBeGreaterThan(0);
  });

  it('Suricata EVE: the camera vendor address is named from the file’s own DNS answers', async () => {
    const p = await pairsOf([sharedPath('suricata-eve', 'test6-malicious.suricata.json')]);
    expect(pair(p, '192.168.1.129', '122.248.252.67')?.host).toBe('www.myedimax.com');
    // RTSP clients use absolute rtsp:// URIs: not a proxy
    expect((p.via ?? []).every((v) => v === null)).toBe(true);
  });

  it('zeek-remcos: ssl.log names the TLS flows of the capture', async () => {
    const p = await pairsOf([
      sharedPath('zeek-remcos', 'conn.log'),
      sharedPath('zeek-remcos', 'ssl.log.labeled'),
      sharedPath('zeek-remcos', 'dns.log.labeled'),
    ]);
    expect(p.host.filter((h) => h !== null).length).toBeGreaterThan(0);
    expect(pair(p, '192.168.1.107', '162.159.136.232')?.host).toBe('discord.com');
  });

  it('rita-proxy-rolling: browsing through the proxy is keyed by target; the proxy is never a destination', async () => {
    const dirPath = sharedPath('calibration', 'rita-proxy-rolling');
    const inputs = ['conn.log', 'dns.log', 'http.log', 'ssl.log'].map((f) => join(dirPath, f));
    const p = await pairsOf(inputs);
    expect(pair(p, '10.0.0.111', 'safebrowsing.googleapis.com')).toMatchObject({
      via: '10.0.0.238',
      dport: 3128,
    });
    expect(pair(p, '10.0.0.111', '10.0.0.238')?.flows ?? 0).toBeLessThan(50);
    const result = await hunt({ inputs });
    expect(result.findings.some((f) => f.dst === '10.0.0.238')).toBe(false);
    const sb = result.findings.find((f) => f.dst === 'safebrowsing.googleapis.com');
    expect(sb === undefined || (sb.severity !== 'high' && sb.severity !== 'critical')).toBe(true);
  });
});

describe.skipIf(!HAVE_SHARED_DATA)('FQDN pairs, http.log alone, open_conn (calibration)', () => {
  it('rita-dnscat2-strobe-http-only: an http.log alone is hunted; the 300-s fleet check of one site over 4 addresses is one name pair per host, not a beacon', async () => {
    const http = sharedPath('calibration', 'rita-dnscat2-strobe-http-only', 'http.log');
    const p = await pairsOf([http]);
    const alexa = p.src.flatMap((_s, i) => (p.dst[i] === 'www.alexa.com' ? [i] : []));
    expect(alexa.length).toBe(10);
    const i109 = alexa.find((i) => p.src[i] === '10.55.100.109') as number;
    expect(p.addresses?.[i109]?.length).toBe(4);
    expect(p.numeric.flows[i109]).toBeGreaterThanOrEqual(280);
    const result = await hunt({ inputs: [http] });
    expect(result.summary.names?.flows_from_http).toBeGreaterThan(20_000);
    const fleet = result.findings.filter((f) => f.dst === 'www.alexa.com' || f.host === 'www.alexa.com');
    expect(fleet.filter((f) => f.severity !== 'low')).toEqual([]);
  });

  it('rita-open-sni: open_conn snapshots of the same connection count once, with the longest duration', async () => {
    const dirPath = sharedPath('calibration', 'rita-open-sni');
    const logs = [
      'open_conn.17_32_32-18_00_00.log',
      'open_conn.18_00_00-19_00_00.log',
      'open_ssl.18_00_00-19_00_00.log',
    ];
    const p = await pairsOf(logs.map((f) => join(dirPath, f)));
    const ce7 = pair(p, '10.0.0.238', '104.131.28.214');
    expect(ce7?.host).toBe('ce7.stearns.org');
    expect(ce7?.flows).toBe(3);
    const i = p.src.findIndex((s, k) => s === '10.0.0.238' && p.dst[k] === '34.222.122.143');
    expect(p.numeric.flows[i]).toBe(1);
    expect(p.numeric.duration_max[i]).toBeGreaterThan(7200);
    const result = await hunt({ inputs: [dirPath] });
    expect(result.summary.skipped_by_reason['open connection logged again']).toBe(12);
    expect(result.summary.flows_used).toBe(12);
  });
});

describe('FQDN pairs', () => {
  it('a beacon rotating over CDN addresses is one (client, name) pair listing them, beside its address pairs', async () => {
    const next = rng(5);
    const conn: (string | number)[][] = [];
    const ssl: (string | number)[][] = [];
    const cdn = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'];
    for (let i = 0; i < 80; i++) {
      const ts = T0 + i * 300 + next() * 30;
      const dst = cdn[Math.floor(next() * cdn.length)] as string;
      conn.push([ts, `Cf${i}`, '10.0.0.5', 50000 + i, dst, 443, 'tcp', 0.2, 310, 980, 'SF']);
      ssl.push([ts + 0.01, `Cf${i}`, '10.0.0.5', 50000 + i, dst, 443, 'rotating-c2.example.net']);
    }
    const sub = join(dir, 'fqdn');
    await file('fqdn/conn.log', zeekLog('conn', [...CONN_FIELDS, ...CONN_BYTES], conn));
    await file(
      'fqdn/ssl.log',
      zeekLog('ssl', ['ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'server_name'], ssl),
    );
    const result = await hunt({ inputs: [sub] });
    const f = result.findings.find((x) => x.dst === 'rotating-c2.example.net');
    expect(f).toMatchObject({ src: '10.0.0.5', host: 'rotating-c2.example.net', flows: 80, addresses: cdn });
    expect(f?.rank).toBe(1);
    // its address pairs are still there, each with a quarter of the check-ins
    const p = await pairsOf([sub]);
    expect(cdn.map((a) => pair(p, '10.0.0.5', a)?.host)).toEqual(cdn.map(() => 'rotating-c2.example.net'));
  });
});

describe('allowlists and intel by name', () => {
  it('an allowlisted domain drops its proxied and DNS-named pairs; an intel-listed name marks its pair', async () => {
    const folder = await writeZeekFolder();
    const intelFile = await file('intel/names.txt', 'c2.example.net\n');
    const settings = {
      ...DEFAULT_CONFIG,
      allowlist: { ...DEFAULT_CONFIG.allowlist, domains: ['example.org'] },
      intel: [intelFile],
    };
    const result = await hunt({ inputs: [folder], settings });
    expect(result.findings.some((f) => f.host === 'update.example.org')).toBe(false);
    expect(result.summary.pairs_excluded.allowlist).toBeGreaterThanOrEqual(1);
    const listed = result.findings.find((f) => f.host === 'c2.example.net');
    expect(listed?.reasons.join(' ')).toMatch(/intel|names\.txt/i);
  });
});
