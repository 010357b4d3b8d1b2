import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../src/config/config-file.js';
import { SKIP_REASONS } from '../src/flow/schema.js';
import { ZEEK_CONN_FIELDS } from '../src/generate/writers/zeek-common.js';
import { type HuntEvent, hunt } from '../src/hunt/hunt.js';
import { seededRng } from '../src/math/random.js';
import { STORED_FLOW_COLUMNS } from '../src/store/shared.js';
import { ZEEK_CONN_HEADER } from './cli.js';
import { dropDatabase, probeServers, uniqueDatabase, urlFor } from './clickhouse/server.js';
import { HAVE_SHARED_DATA, SKIP_MESSAGE, sharedPath } from './shared-data.js';

/*
 * Issue 11, class 5: a sensor on a public server. No address is RFC 1918, so without Zeek's
 * local_orig/local_resp the direction filter switches off and Internet scanners hammering the
 * server's telnet port look like a beacon calling a C2 server that is down. With the flags, the
 * server is ours, the scanners are inbound, and the server's own beacon is the finding.
 */

const SERVER = '198.51.100.10';
const C2 = '192.0.2.50';
const SCANNERS = ['203.0.113.11', '203.0.113.12', '203.0.113.13', '203.0.113.14'];
const START = 1_700_000_000;

interface Row {
  ts: number;
  src: string;
  dst: string;
  dport: number;
  origBytes: number;
  respBytes: number;
  state: string;
  localOrig: 'T' | 'F' | 'X';
  localResp: 'T' | 'F';
}

/** Scanners retry the telnet port about once a minute, unanswered; the server beacons every 300 s. */
function rows(): Row[] {
  const rng = seededRng(11);
  const out: Row[] = [];
  for (const scanner of SCANNERS) {
    let t = START + rng.float() * 60;
    for (let k = 0; k < 40; k++) {
      out.push({
        ts: t,
        src: scanner,
        dst: SERVER,
        dport: 23,
        origBytes: 0,
        respBytes: 0,
        state: 'S0',
        localOrig: 'F',
        localResp: 'T',
      });
      t += 60 * (1 + (rng.float() - 0.5) * 0.04);
    }
  }
  let t = START + 30;
  for (let k = 0; k < 40; k++) {
    out.push({
      ts: t,
      src: SERVER,
      dst: C2,
      dport: 443,
      origBytes: 320,
      respBytes: 1200,
      state: 'SF',
      localOrig: 'T',
      localResp: 'F',
    });
    t += 300 * (1 + (rng.float() - 0.5) * 0.02);
  }
  return out.sort((a, b) => a.ts - b.ts);
}

// conn.log's columns up to conn_state; with the sensor's marks, up to local_resp (Zeek's order)
const upTo = (last: (typeof ZEEK_CONN_FIELDS)[number]) =>
  ZEEK_CONN_FIELDS.slice(0, ZEEK_CONN_FIELDS.indexOf(last) + 1);
const FIELDS = upTo('conn_state');

function tsv(data: Row[], withFlags: boolean): string {
  const fields = withFlags ? upTo('local_resp') : FIELDS;
  // the header's lines before #fields, as every test's Zeek conn.log has them (test/cli.ts)
  const head = [...ZEEK_CONN_HEADER.split('\n').slice(0, 5), `#fields\t${fields.join('\t')}`];
  const lines = data.map((r, k) => {
    const base = [
      r.ts.toFixed(6),
      `C${k}`,
      r.src,
      String(40000 + k),
      r.dst,
      String(r.dport),
      'tcp',
      '-',
      '0.1',
      String(r.origBytes),
      String(r.respBytes),
      r.state,
    ];
    return (withFlags ? [...base, r.localOrig, r.localResp] : base).join('\t');
  });
  return `${[...head, ...lines].join('\n')}\n`;
}

function jsonLines(data: Row[]): string {
  return data
    .map((r) =>
      JSON.stringify({
        ts: r.ts,
        'id.orig_h': r.src,
        'id.orig_p': 40000,
        'id.resp_h': r.dst,
        'id.resp_p': r.dport,
        proto: 'tcp',
        duration: 0.1,
        orig_bytes: r.origBytes,
        resp_bytes: r.respBytes,
        conn_state: r.state,
        local_orig: r.localOrig === 'T',
        local_resp: r.localResp === 'T',
      }),
    )
    .join('\n');
}

/** A ClickHouse server for the engine comparison, when one is running (test/clickhouse/server.ts). */
const servers = await probeServers();

const NO_INTERNAL_WARNING = /no source address is in the internal networks/;
const SERVER_DOWN = /C2 server that is down/;

async function run(file: string, direction: 'outbound' | 'both' = 'outbound') {
  const warnings: string[] = [];
  const onEvent = (e: HuntEvent) => {
    if (e.kind === 'warning') warnings.push(e.message);
  };
  const result = await hunt({ inputs: [file], settings: ConfigSchema.parse({ direction }), onEvent });
  return { ...result, warnings };
}

describe('direction from Zeek local_orig/local_resp (a sensor on a public server)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bh-local-'));
    const data = rows();
    await writeFile(join(dir, 'flags.log'), tsv(data, true));
    await writeFile(join(dir, 'noflags.log'), tsv(data, false));
    await writeFile(join(dir, 'flags.json'), jsonLines(data));
    const bad = data.map((r, k) => (k === 5 ? { ...r, localOrig: 'X' as const } : r));
    await writeFile(join(dir, 'badflag.log'), tsv(bad, true));
  });

  it('without the flags: no internal source, the filter is off, scanners read as "a C2 server that is down"', async () => {
    const r = await run(join(dir, 'noflags.log'));
    expect(r.warnings.some((w) => NO_INTERNAL_WARNING.test(w))).toBe(true);
    const scans = r.findings.filter((f) => SCANNERS.includes(f.src));
    expect(scans.length).toBeGreaterThan(0);
    expect(scans.some((f) => f.reasons.some((x) => SERVER_DOWN.test(x)))).toBe(true);
  });

  for (const file of ['flags.log', 'flags.json']) {
    it(`${file}: the server is ours, scanners are inbound and left out, its beacon ranks 1`, async () => {
      const r = await run(join(dir, file));
      expect(r.warnings.filter((w) => NO_INTERNAL_WARNING.test(w))).toEqual([]);
      expect(r.summary.internal_hosts).toBe(1);
      expect(r.summary.pairs_excluded?.direction).toBe(SCANNERS.length);
      expect(r.findings.filter((f) => SCANNERS.includes(f.src))).toEqual([]);
      expect([r.findings[0]?.src, r.findings[0]?.dst]).toEqual([SERVER, C2]);
    });
  }

  it('under direction: both, inbound failures are scanning: demoted, no failed-retry evidence, never "a C2 server that is down"', async () => {
    const r = await run(join(dir, 'flags.log'), 'both');
    expect([r.findings[0]?.src, r.findings[0]?.dst]).toEqual([SERVER, C2]);
    const scans = r.findings.filter((x) => SCANNERS.includes(x.src));
    // the scanners' minute clock is real regularity, but a closed port exchanges nothing
    expect(scans.filter((f) => f.severity === 'high' || f.severity === 'critical')).toEqual([]);
    for (const f of scans) {
      expect(f.context?.inbound, f.src).toBeDefined();
      expect(f.context?.scan, f.src).toBeDefined();
      expect(f.components.failedRetries ?? 0).toBe(0);
      expect(f.reasons.filter((x) => SERVER_DOWN.test(x))).toEqual([]);
    }
  });

  it('a database made before the flags existed gains their columns and reads them', async () => {
    const db = join(dir, 'old.duckdb');
    const instance = await DuckDBInstance.create(db);
    const conn = await instance.connect();
    // the flows table as earlier versions made it: every canonical column but the flags
    const old = STORED_FLOW_COLUMNS.filter((c) => c.name !== 'local_orig' && c.name !== 'local_resp');
    await conn.run(
      `CREATE TABLE flows (${old.map((c) => `${c.name} ${c.duckdb}`).join(', ')}, file_id INTEGER NOT NULL, skip_reason VARCHAR)`,
    );
    conn.closeSync();
    instance.closeSync();
    const result = await hunt({ inputs: [join(dir, 'flags.log')], db });
    expect([result.findings[0]?.src, result.findings[0]?.dst]).toEqual([SERVER, C2]);
    expect(result.summary.pairs_excluded?.direction).toBe(SCANNERS.length);
  });

  it.skipIf(!servers.single)(
    'the ClickHouse engine reads the flags the same way (one server)',
    async () => {
      const database = uniqueDatabase('bh_test_local');
      try {
        const r = await hunt({ inputs: [join(dir, 'flags.log')], engine: urlFor(database) });
        expect(r.summary.internal_hosts).toBe(1);
        expect(r.summary.pairs_excluded?.direction).toBe(SCANNERS.length);
        expect([r.findings[0]?.src, r.findings[0]?.dst]).toEqual([SERVER, C2]);
      } finally {
        await dropDatabase(database, false);
      }
    },
    60_000,
  );

  it('a flag that is neither T nor F is a counted skip', async () => {
    const r = await run(join(dir, 'badflag.log'));
    expect(r.summary.skipped_by_reason[SKIP_REASONS.badFlag]).toBe(1);
  });
});

describe.skipIf(!HAVE_SHARED_DATA)('local_orig on a real capture (zeek-remcos)', () => {
  // The infected host is marked local by the sensor. With internal_networks set to a range that
  // holds none of the capture's addresses, the flags alone still say which side is ours.
  for (const file of ['conn.log', 'conn.json']) {
    it(`${file}: the flags decide direction before the configured networks`, async () => {
      const warnings: string[] = [];
      const result = await hunt({
        inputs: [sharedPath('zeek-remcos', file)],
        settings: ConfigSchema.parse({ internal_networks: ['198.18.0.0/15'] }),
        onEvent: (e) => {
          if (e.kind === 'warning') warnings.push(e.message);
        },
      });
      expect(warnings.filter((w) => NO_INTERNAL_WARNING.test(w))).toEqual([]);
      expect(result.summary.internal_hosts).toBeGreaterThanOrEqual(1);
      const top = result.findings[0];
      expect([top?.src, top?.dst, top?.dport]).toEqual(['192.168.1.107', '66.63.168.35', 5888]);
    }, 60_000);
  }
});

describe.skipIf(HAVE_SHARED_DATA)('local_orig on a real capture', () => {
  it('is skipped', () => console.warn(SKIP_MESSAGE));
});
