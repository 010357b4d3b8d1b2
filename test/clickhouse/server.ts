import { randomBytes } from 'node:crypto';
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { parseClickHouseUrl } from '../../src/store/clickhouse/clickhouse-engine.js';

/*
 * Where the ClickHouse tests find servers. CI starts the loopback cluster
 * (scripts/clickhouse-cluster.sh start) and sets:
 *   BEACONHUNT_CLICKHOUSE_URL      clickhouse://default@127.0.0.1:18123/default  (one server)
 *   BEACONHUNT_CLICKHOUSE_CLUSTER  bh_cluster                                     (its cluster)
 *   BEACONHUNT_CLICKHOUSE_SHARDS   clickhouse://default@127.0.0.1:18123,clickhouse://default@127.0.0.1:18124
 * Without them the script's default addresses are tried; when nothing answers, the tests skip.
 */

export const CH_URL = process.env.BEACONHUNT_CLICKHOUSE_URL ?? 'clickhouse://default@127.0.0.1:18123/default';
export const CH_CLUSTER =
  process.env.BEACONHUNT_CLICKHOUSE_CLUSTER ??
  (process.env.BEACONHUNT_CLICKHOUSE_URL ? undefined : 'bh_cluster');
export const CH_SHARDS = (
  process.env.BEACONHUNT_CLICKHOUSE_SHARDS ??
  (process.env.BEACONHUNT_CLICKHOUSE_URL
    ? ''
    : 'clickhouse://default@127.0.0.1:18123,clickhouse://default@127.0.0.1:18124')
)
  .split(',')
  .filter(Boolean);

export function clientFor(spec: string): ClickHouseClient {
  const p = parseClickHouseUrl(spec);
  return createClient({
    url: p.url,
    username: p.username,
    password: p.password,
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    log: { level: ClickHouseLogLevel.OFF },
  });
}

async function answers(spec: string): Promise<boolean> {
  const client = clientFor(spec);
  try {
    const r = await client.ping();
    return r.success;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}

export interface Servers {
  single: boolean;
  cluster: boolean;
  message: string;
}

/** Which setups can run here: one server, and the cluster (every shard answers). */
export async function probeServers(): Promise<Servers> {
  const single = await answers(CH_URL);
  const cluster =
    single &&
    CH_CLUSTER !== undefined &&
    CH_SHARDS.length > 0 &&
    (await Promise.all(CH_SHARDS.map(answers))).every(Boolean);
  const where = parseClickHouseUrl(CH_URL).url;
  const message = !single
    ? `no ClickHouse server answers at ${where}; skipping the ClickHouse tests (start one with scripts/clickhouse-cluster.sh start, or set BEACONHUNT_CLICKHOUSE_URL)`
    : !cluster
      ? `ClickHouse at ${where} but no cluster (set BEACONHUNT_CLICKHOUSE_CLUSTER and BEACONHUNT_CLICKHOUSE_SHARDS); skipping the Distributed-table tests`
      : '';
  if (message) console.warn(message);
  return { single, cluster, message };
}

/** A database name no other test (or run) uses. */
export function uniqueDatabase(prefix = 'bh_test'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

/** The engine URL for a database on the test server. */
export function urlFor(database: string): string {
  const u = new URL(CH_URL);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Drop a test database on the server and on every shard. */
export async function dropDatabase(database: string, onShards: boolean): Promise<void> {
  const targets = onShards ? CH_SHARDS : [CH_URL];
  for (const spec of targets) {
    const client = clientFor(spec);
    try {
      await client.command({
        query: `DROP DATABASE IF EXISTS \`${database.replace(/[^A-Za-z0-9_]/g, '')}\``,
      });
    } finally {
      await client.close();
    }
  }
}
