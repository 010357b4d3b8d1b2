import type { DuckDBConnection } from '@duckdb/node-api';
import type { DnsNameRow } from '../../features/dns/dns-features.js';
import { NAME_DEFAULTS } from '../../features/names/options.js';
import { SKIP_REASONS } from '../../flow/schema.js';
import { IPV4_PATTERN, IPV6_PATTERN } from '../../flow/validation.js';
import type { NameResolution } from '../engine.js';

/*
 * Name resolution: after import, flows get the name they were for, from the name logs
 * (table name_events), in this order of trust:
 *   1. the same connection's TLS SNI (ssl.log / EVE tls, joined by Zeek uid or EVE flow_id);
 *   2. its HTTP Host;
 *   3. the name a DNS answer gave the flow's destination address for the flow's own client, at
 *      most NAME_DEFAULTS.passiveDnsWindowS before the flow (passive DNS: also names NetFlow-only
 *      flows when a dns.log is given with them).
 * A connection whose HTTP request is a CONNECT, or carries an absolute URI (a request to an explicit
 * proxy), goes to the proxy: its dst becomes the target host and `via` keeps the proxy's address,
 * so the pair is (client, target) and the proxy is never the destination.
 * Runs only when name events were imported: a hunt of conn.log alone does none of this.
 */

const isAddress = (x: string) =>
  `(regexp_full_match(${x}, '${IPV4_PATTERN}') OR regexp_full_match(lower(${x}), '${IPV6_PATTERN}'))`;

/** Host part of a Host header or CONNECT authority: no port, no brackets, no trailing dot. */
const hostOf = (x: string) =>
  `nullif(rtrim(lower(regexp_replace(regexp_replace(${x}, '^\\[([^]]*)\\].*$', '\\1'), ':[0-9]*$', '')), '.'), '')`;

/**
 * The proxy target of an HTTP request, NULL when the request was not addressed to a proxy: a
 * CONNECT, or a web request in absolute form (`GET http://host/…`, what a client sends to an
 * explicit proxy). RTSP and SIP always use absolute URIs, so only web schemes count; a refused
 * request (status ≥ 400: the open-proxy probes scanners send to any server) relayed nothing.
 */
const PROXY_TARGET = `CASE
    WHEN coalesce(status, 0) >= 400 THEN NULL
    WHEN upper(method) = 'CONNECT' THEN coalesce(${hostOf('uri')}, ${hostOf('name')})
    WHEN regexp_matches(lower(uri), '^(https?|ftp)://') THEN
      coalesce(${hostOf("regexp_extract(uri, '^[a-zA-Z]+://(?:[^@/]*@)?(\\[[^]]*\\]|[^/:?#]*)', 1)")}, ${hostOf('name')})
  END`;

export async function resolveNames(db: DuckDBConnection): Promise<NameResolution> {
  const count = async (sql: string, params: Record<string, number> = {}) => {
    const r = await db.runAndReadAll(sql, params);
    return Number(r.getRows()[0]?.[0] ?? 0);
  };
  const events = await count('SELECT count(*) FROM name_events WHERE skip_reason IS NULL');
  if (events === 0) return { byConnection: 0, proxied: 0, byDns: 0, events, httpAsFlows: 0 };
  // An http.log without its conn.log: each HTTP connection (uid; a request when there is none) is a
  // flow, its sizes the bodies' lengths (not the payload a conn.log counts: headers are left out).
  const flows = await count('SELECT count(*) FROM flows WHERE skip_reason IS NULL');
  const httpAsFlows =
    flows > 0
      ? 0
      : await count(`INSERT INTO flows (ts, src, sport, dst, dport, proto, orig_bytes, resp_bytes, service, file_id, uid)
    SELECT min(ts), any_value(src), any_value(sport), any_value(dst), any_value(dport), 'tcp',
      sum(orig_bytes), sum(resp_bytes), 'http', any_value(file_id), any_value(uid)
    FROM (SELECT *, coalesce(uid, 'row' || rowid) AS conn FROM name_events WHERE skip_reason IS NULL AND log = 'http')
    GROUP BY conn`);
  await db.run(`CREATE OR REPLACE TEMP TABLE uid_names AS
    SELECT uid,
      first(n ORDER BY ts) FILTER (WHERE log = 'ssl') AS sni,
      -- a proxy-form request's Host is the target it asked for, not this server's name
      first(n ORDER BY ts) FILTER (WHERE log = 'http' AND NOT proxy_form) AS http_host,
      first(target ORDER BY ts) FILTER (WHERE target IS NOT NULL) AS target
    FROM (
      SELECT uid, ts, log, CASE WHEN NOT ${isAddress('h')} THEN h END AS n, target, proxy_form
      FROM (SELECT uid, ts, log, ${hostOf('name')} AS h, CASE WHEN log = 'http' THEN ${PROXY_TARGET} END AS target,
              coalesce(upper(method) = 'CONNECT' OR regexp_matches(lower(uri), '^(https?|ftp)://'), false) AS proxy_form
            FROM name_events
            WHERE skip_reason IS NULL AND uid IS NOT NULL AND log IN ('ssl', 'http'))
    )
    GROUP BY uid`);
  // Proxied connections first: dst becomes the target, via the proxy (once: via is then set).
  const proxied = await count(`UPDATE flows SET via = flows.dst, dst = u.target,
      host = coalesce(flows.host, u.sni, CASE WHEN NOT ${isAddress('u.target')} THEN u.target END)
    FROM uid_names u
    WHERE flows.uid = u.uid AND flows.skip_reason IS NULL AND flows.via IS NULL AND u.target IS NOT NULL`);
  const byConnection = await count(`UPDATE flows SET host = coalesce(u.sni, u.http_host)
    FROM uid_names u
    WHERE flows.uid = u.uid AND flows.skip_reason IS NULL AND flows.host IS NULL
      AND coalesce(u.sni, u.http_host) IS NOT NULL`);
  await db.run(`CREATE OR REPLACE TEMP TABLE dns_answers AS
    SELECT client, ts, name, address FROM (
      SELECT src AS client, ts, name, lower(trim(a, ' "')) AS address FROM (
        SELECT src, ts, name,
          unnest(CASE WHEN starts_with(answers, '[') THEN coalesce(try(from_json(answers, '["VARCHAR"]')), [])
                      ELSE string_split(answers, ',') END) AS a
        FROM name_events
        WHERE skip_reason IS NULL AND log = 'dns' AND answers IS NOT NULL AND name IS NOT NULL
          AND coalesce(dns_event, 'answer') = 'answer'))
    WHERE ${isAddress('address')}`);
  const byDns = await count(
    `UPDATE flows SET host = p.name
    FROM (
      SELECT f.rowid AS rid, d.name
      FROM (SELECT rowid, src, dst, ts FROM flows WHERE skip_reason IS NULL AND host IS NULL) f
      ASOF JOIN dns_answers d ON f.src = d.client AND f.dst = d.address AND f.ts >= d.ts
      WHERE f.ts - d.ts <= $window
    ) p
    WHERE flows.rowid = p.rid`,
    { window: NAME_DEFAULTS.passiveDnsWindowS },
  );
  return { byConnection, proxied, byDns, events, httpAsFlows };
}

/**
 * DNS queries that can be a client's own: not mDNS, LLMNR or NetBIOS name service (5353, 5355,
 * 137: link-local discovery, every host sends them), not to a multicast or broadcast address.
 */
const OWN_DNS = `log = 'dns' AND skip_reason IS NULL AND name IS NOT NULL AND name <> ''
  AND coalesce(dport, 53) NOT IN (137, 5353, 5355)
  AND NOT (dst LIKE 'ff0%' OR dst LIKE '224.%' OR dst LIKE '239.%' OR dst LIKE '%.255')`;

/** Per (client, query name): queries, NXDOMAIN and NOERROR answers, TXT/NULL queries, times, server. */
export async function dnsNameRows(
  db: DuckDBConnection,
): Promise<{ rows: DnsNameRow[]; servers: Set<string> }> {
  // EVE logs a query and its answer as two events: queries are counted on query events, answers on answer events.
  const r = await db.runAndReadAll(`
    SELECT src, name,
      count_if(coalesce(dns_event, 'query') = 'query')::DOUBLE AS queries,
      count_if(coalesce(dns_event, 'answer') = 'answer' AND upper(rcode) = 'NXDOMAIN')::DOUBLE AS nx,
      count_if(coalesce(dns_event, 'answer') = 'answer' AND upper(rcode) = 'NOERROR')::DOUBLE AS ok,
      count_if(coalesce(dns_event, 'query') = 'query' AND upper(qtype) IN ('TXT', 'NULL'))::DOUBLE AS txt_null,
      min(ts) AS first_ts, max(ts) AS last_ts, mode(dst) AS server
    FROM name_events WHERE ${OWN_DNS}
    GROUP BY src, name ORDER BY src, name`);
  const rows: DnsNameRow[] = r.getRows().map((v) => ({
    client: String(v[0]),
    name: String(v[1]),
    queries: Number(v[2]),
    nx: Number(v[3]),
    ok: Number(v[4]),
    txtNull: Number(v[5]),
    firstTs: Number(v[6]),
    lastTs: Number(v[7]),
    server: v[8] === null ? null : String(v[8]),
  }));
  const s = await db.runAndReadAll(`SELECT DISTINCT dst FROM name_events WHERE ${OWN_DNS} AND src <> dst`);
  return { rows, servers: new Set(s.getRows().map((v) => String(v[0]))) };
}

/** Sorted query times of each (client, registered domain): the name itself or any name under it. */
export async function dnsQueryTimes(
  db: DuckDBConnection,
  pairs: readonly { client: string; domain: string }[],
): Promise<Float64Array[]> {
  const out: Float64Array[] = [];
  for (const { client, domain } of pairs) {
    const r = await db.runAndReadAll(
      `SELECT ts FROM name_events WHERE ${OWN_DNS} AND src = $client AND coalesce(dns_event, 'query') = 'query'
         AND (name = $domain OR ends_with(name, '.' || $domain)) ORDER BY ts`,
      { client, domain },
    );
    out.push(Float64Array.from(r.getRows(), (v) => Number(v[0])));
  }
  return out;
}

/**
 * Zeek's open_conn logs hold snapshots of connections still open at each rotation: the same uid
 * again with a longer duration, and in conn.log once it closes. Only the longest row of each
 * connection counts; the others are skipped as superseded. Only when an open_conn log was read.
 * Returns the rows skipped per file.
 */
export async function supersedeOpenSnapshots(db: DuckDBConnection): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const open = await db.runAndReadAll("SELECT count(*) FROM files WHERE format = 'zeek-open-conn'");
  if (Number(open.getRows()[0]?.[0] ?? 0) === 0) return out;
  await db.run(`CREATE OR REPLACE TEMP TABLE open_uids AS
    SELECT uid, arg_max(rowid, coalesce(duration, 0)) AS keep FROM flows
    WHERE skip_reason IS NULL AND uid IN (
      SELECT uid FROM flows WHERE skip_reason IS NULL AND file_id IN (SELECT file_id FROM files WHERE format = 'zeek-open-conn'))
    GROUP BY uid HAVING count(*) > 1`);
  await db.run(
    `UPDATE flows SET skip_reason = $reason FROM open_uids o
     WHERE flows.uid = o.uid AND flows.skip_reason IS NULL AND flows.rowid <> o.keep`,
    { reason: SKIP_REASONS.supersededSnapshot },
  );
  const r = await db.runAndReadAll(
    'SELECT file_id, count(*) FROM flows WHERE skip_reason = $reason GROUP BY file_id',
    { reason: SKIP_REASONS.supersededSnapshot },
  );
  for (const [id, n] of r.getRows()) out.set(Number(id), Number(n));
  return out;
}
