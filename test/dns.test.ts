import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DnsNameRow, dnsFeatures, entropy, splitName } from '../src/features/dns/dns-features.js';
import { dgaScore, scoreDns, tunnelScore } from '../src/features/dns/score-dns.js';
import { writeZeekDnsLog } from '../src/generate/dns-log.js';
import { generateToFile } from '../src/generate/index.js';
import { hunt } from '../src/hunt/hunt.js';
import { HAVE_SHARED_DATA, sharedPath } from './shared-data.js';

const row = (client: string, name: string, extra: Partial<DnsNameRow> = {}): DnsNameRow => ({
  client,
  name,
  queries: 1,
  nx: 0,
  ok: 1,
  txtNull: 0,
  firstTs: 1000,
  lastTs: 1000,
  server: '10.0.0.53',
  ...extra,
});

describe('DNS features (pure)', () => {
  it('registered domains by the Public Suffix List; no domain for .arpa, .local or bare hosts', () => {
    expect(splitName('a.b.example.co.uk')).toEqual({
      domain: 'example.co.uk',
      subdomain: 'a.b',
      label: 'example',
    });
    expect(splitName('Example.COM.')).toEqual({ domain: 'example.com', subdomain: '', label: 'example' });
    expect(splitName('4.3.2.1.in-addr.arpa')).toBeUndefined();
    expect(splitName('printer.local')).toBeUndefined();
    expect(splitName('wpad')).toBeUndefined();
  });

  it('entropy in bits per character', () => {
    expect(entropy('aaaa')).toBe(0);
    expect(entropy('abab')).toBe(1);
    expect(entropy('0123456789abcdef')).toBe(4);
  });

  it('a tunnel: many long random names under one domain score high; CDN-style names do not', () => {
    // xorshift32: seeded, so the names are the same every run
    let x = 3;
    const hex = (n: number) =>
      Array.from({ length: n }, () => {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        return '0123456789abcdef'[(x >>> 0) % 16];
      }).join('');
    const rows: DnsNameRow[] = [];
    for (let i = 0; i < 1500; i++)
      rows.push(row('10.0.0.9', `${hex(60)}.${hex(40)}.evil-sync.net`, { txtNull: 1 }));
    for (let i = 0; i < 40; i++) rows.push(row('10.0.0.9', `img${i}.cdn-example.com`, { queries: 20 }));
    const { domains } = dnsFeatures(rows);
    const tunnel = domains.find((d) => d.domain === 'evil-sync.net');
    const cdn = domains.find((d) => d.domain === 'cdn-example.com');
    expect(tunnel?.uniqueSubdomains).toBe(1500);
    expect(tunnel?.meanLabelLength).toBe(60);
    expect(tunnel?.txtNullShare).toBe(1);
    expect(tunnelScore(tunnel as NonNullable<typeof tunnel>).score).toBeGreaterThan(0.8);
    expect(tunnelScore(cdn as NonNullable<typeof cdn>).score).toBeLessThan(0.1);
  });

  it('a DGA: many registered domains that never exist; answered or retried domains do not count', () => {
    const rows: DnsNameRow[] = [];
    for (let i = 0; i < 30; i++) rows.push(row('10.0.0.7', `q${i}zx${i}v.com`, { nx: 1, ok: 0 }));
    for (let i = 0; i < 30; i++) rows.push(row('10.0.0.7', `site${i}.org`));
    // one NXDOMAIN then NOERROR: a flaky domain, not a generated one
    rows.push(row('10.0.0.8', 'flaky-site.com', { queries: 2, nx: 1, ok: 1 }));
    const { clients } = dnsFeatures(rows);
    const dga = clients.find((c) => c.client === '10.0.0.7');
    expect(dga).toMatchObject({ domains: 60, nxDomains: 30 });
    expect(dgaScore(dga as NonNullable<typeof dga>).score).toBe(1);
    expect(clients.find((c) => c.client === '10.0.0.8')?.nxDomains).toBe(0);
  });

  it('a resolver forwarding everyone’s queries is never the finding', () => {
    const rows: DnsNameRow[] = [];
    for (let i = 0; i < 30; i++)
      rows.push(row('10.0.0.53', `q${i}zx${i}v.com`, { nx: 1, ok: 0, server: '9.9.9.9' }));
    const { domains, clients } = dnsFeatures(rows);
    const common = { domains, clients, severityOf: () => 'high' as const, minScore: 0.4 };
    expect(scoreDns({ ...common, resolvers: new Set() }).map((f) => f.verdict)).toEqual(['dga']);
    expect(scoreDns({ ...common, resolvers: new Set(['10.0.0.53']) })).toEqual([]);
  });
});

describe('DNS tunnel planted by the generator', () => {
  it('the dnscat2-like tunnel is the one dns-tunnel finding, high or critical; the resolver is not a finding', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bh-dns-'));
    const options = { flows: 20_000, hours: 6, seed: 11 };
    await generateToFile({ ...options, format: 'zeek', out: join(dir, 'conn.log') });
    const tunnel = await writeZeekDnsLog(join(dir, 'dns.log'), options);
    expect(tunnel).not.toBeNull();
    const result = await hunt({ inputs: [dir] });
    const dns = result.findings.filter((f) => f.verdict === 'dns-tunnel' || f.verdict === 'dga');
    expect(dns.map((f) => [f.verdict, f.src, f.dst])).toEqual([
      ['dns-tunnel', tunnel?.client, tunnel?.domain],
    ]);
    const f = dns[0];
    expect(['high', 'critical']).toContain(f?.severity);
    expect(f?.score).toBeGreaterThanOrEqual(0.8);
    // above every finding that is neither planted nor a mail/telemetry heartbeat of the generator
    const above = result.findings.filter((x) => x.rank < (f?.rank ?? 0));
    expect(above.every((x) => x.verdict === 'beacon' || x.verdict === 'active-c2')).toBe(true);
    expect(f?.reasons[0]).toMatch(/unique subdomains of .*-sync\.net/);
    expect(f?.features.txt_null_share).toBe(1);
  });
});

describe.skipIf(!HAVE_SHARED_DATA)('DNS on the calibration cases (../shared/data/calibration)', () => {
  const inputs = (name: string, files: string[]) => files.map((f) => sharedPath('calibration', name, f));

  it('strat-005-simda-dga: the infected client 192.168.1.116 is a dga finding', async () => {
    const result = await hunt({
      inputs: inputs('strat-005-simda-dga', ['conn.log', 'dns.log', 'http.log']),
      allowAnyTime: true, // relative times from 0 s
    });
    const dga = result.findings.filter((f) => f.verdict === 'dga');
    const client = dga.find((f) => f.src === '192.168.1.116');
    expect(client).toBeDefined();
    expect(['high', 'critical']).toContain(client?.severity);
    // its IPv6 address does most of the lookups: the same host, the top finding
    expect(result.findings[0]?.src).toBe('fd77:48a1:c0bb:0:b96c:506d:6c7f:e8be');
    expect(dga.every((f) => f.src === '192.168.1.116' || f.src.startsWith('fd77:48a1:c0bb:0:b96c'))).toBe(
      true,
    );
  });

  it('rita-proxy-rolling: the site resolver’s periodic lookups are not a DNS finding', async () => {
    const result = await hunt({
      inputs: inputs('rita-proxy-rolling', ['conn.log', 'dns.log', 'http.log', 'ssl.log']),
    });
    const dns = result.findings.filter((f) => f.verdict === 'dns-tunnel' || f.verdict === 'dga');
    expect(dns.filter((f) => f.severity !== 'low')).toEqual([]);
  });
});
