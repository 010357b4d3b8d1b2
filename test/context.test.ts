import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigSchema, DEFAULT_CONFIG, loadConfig } from '../src/config/config-file.js';
import { parseIntel } from '../src/context/intel.js';
import { pairContext } from '../src/context/pair-context.js';
import { generateToFile, type Truth } from '../src/generate/index.js';
import { hunt } from '../src/hunt/hunt.js';

describe('config file', () => {
  it('defaults: RFC 1918/4193 internal, outbound, empty allowlists', () => {
    expect(DEFAULT_CONFIG.internal_networks).toContain('10.0.0.0/8');
    expect(DEFAULT_CONFIG.internal_networks).toContain('fc00::/7');
    expect(DEFAULT_CONFIG.direction).toBe('outbound');
  });

  it('rejects unknown keys and bad values with the path to them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bh-cfg-'));
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'direction: sideways\nallowlist:\n  ports: [99999]\n  domain: [x]\n');
    await expect(loadConfig(bad)).rejects.toThrow(/direction.*allowlist|allowlist.*direction/s);
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'a: [1, 2\n');
    await expect(loadConfig(broken)).rejects.toThrow(/not valid YAML/);
    const json = join(dir, 'c.json');
    await writeFile(json, JSON.stringify({ direction: 'both', intel: ['lists'] }));
    const cfg = await loadConfig(json);
    expect(cfg.direction).toBe('both');
    expect(cfg.intel[0]).toBe(join(dir, 'lists')); // relative to the config file
  });
});

describe('threat intel lists', () => {
  const { intel, badLines } = parseIntel([
    {
      name: 'feodo.txt',
      text: '# Feodo tracker\n203.0.113.7\n198.51.100.0/24 # a range\n\nnot an indicator!\n',
    },
    { name: 'domains.txt', text: 'evil.example\n*.bad.test\n2001:DB8::66\n' },
  ]);
  it('matches addresses, networks, domains and their subdomains, naming the list', () => {
    expect(intel.lookupAddress('203.0.113.7')).toBe('feodo.txt');
    expect(intel.lookupAddress('198.51.100.200')).toBe('feodo.txt');
    expect(intel.lookupAddress('::ffff:203.0.113.7')).toBe('feodo.txt');
    expect(intel.lookupAddress('2001:db8::66')).toBe('domains.txt');
    expect(intel.lookupAddress('203.0.113.8')).toBeUndefined();
    expect(intel.lookupDomain('c2.evil.example')).toBe('domains.txt');
    expect(intel.lookupDomain('x.bad.test')).toBe('domains.txt');
    expect(intel.lookupDomain('notevil.example')).toBeUndefined();
  });
  it('reports lines it cannot read', () => expect(badLines).toEqual(['feodo.txt:5']));
});

describe('pair context', () => {
  const config = ConfigSchema.parse({
    allowlist: {
      destinations: ['192.0.2.0/24'],
      domains: ['windowsupdate.com'],
      pairs: ['10.0.0.9 -> 203.0.113.9'],
      ports: [123],
    },
  });
  const ctx = pairContext(config, undefined, true);
  it('excludes multicast, inbound (by default), and allowlisted pairs', () => {
    expect(ctx.exclusion('10.0.0.1', '239.255.255.250', 1900, null)).toBe('multicast');
    expect(ctx.exclusion('10.0.0.1', 'ff02::2', null, null)).toBe('multicast');
    expect(ctx.exclusion('203.0.113.1', '10.0.0.1', 80, null)).toBe('direction');
    expect(ctx.exclusion('10.0.0.1', '192.0.2.55', 443, null)).toBe('allowlist');
    expect(ctx.exclusion('10.0.0.1', '198.51.100.1', 443, 'fe2.update.windowsupdate.com')).toBe('allowlist');
    expect(ctx.exclusion('10.0.0.9', '203.0.113.9', 443, null)).toBe('allowlist');
    expect(ctx.exclusion('10.0.0.1', '198.51.100.1', 123, null)).toBe('allowlist');
    expect(ctx.exclusion('10.0.0.1', '198.51.100.1', 443, 'windowsupdate.com.evil.test')).toBeUndefined();
    expect(ctx.exclusion('10.0.0.1', '10.0.0.2', 3128, null)).toBeUndefined(); // internal proxies stay
  });
  it('inbound and both directions', () => {
    const inbound = pairContext(ConfigSchema.parse({ direction: 'inbound' }), undefined, true);
    expect(inbound.exclusion('203.0.113.1', '10.0.0.1', 80, null)).toBeUndefined();
    expect(inbound.exclusion('10.0.0.1', '203.0.113.1', 80, null)).toBe('direction');
    const none = pairContext(DEFAULT_CONFIG, undefined, false); // no internal source at all
    expect(none.exclusion('203.0.113.1', '198.51.100.1', 80, null)).toBeUndefined();
  });
});

describe('context changes the hunt', () => {
  let dir: string;
  let truth: Truth;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bh-ctx-'));
    ({ truth } = await generateToFile({
      format: 'zeek',
      out: join(dir, 'conn.log'),
      flows: 60_000,
      seed: 11,
    }));
  });

  it('an allowlisted planted pair disappears; an intel-listed benign destination rises to the top', async () => {
    const planted = truth.pairs.find((p) => p.kind === 'beacon' && p.jitter === 0);
    const benign = truth.pairs.find((p) => p.kind === 'benign-mail');
    expect(planted && benign).toBeTruthy();
    await writeFile(join(dir, 'intel.txt'), `${benign?.dst}\n`);
    const settings = ConfigSchema.parse({
      allowlist: { pairs: [`${planted?.src} -> ${planted?.dst}`] },
      intel: [join(dir, 'intel.txt')],
    });
    const result = await hunt({ inputs: [join(dir, 'conn.log')], settings });
    expect(result.summary.pairs_excluded.allowlist).toBe(1);
    expect(result.findings.find((f) => f.src === planted?.src && f.dst === planted?.dst)).toBeUndefined();
    const hit = result.findings.find((f) => f.dst === benign?.dst);
    expect(hit?.reasons[0]).toBe('destination listed in threat intel intel.txt');
    expect(hit?.rank).toBeLessThanOrEqual(10);
  });
});

describe('scoring overrides from the config', () => {
  it('replace only the constants given', async () => {
    const { scoringFrom } = await import('../src/config/config-file.js');
    const { SCORING_DEFAULTS } = await import('../src/config/defaults.js');
    const s = scoringFrom(
      ConfigSchema.parse({
        scoring: { minScore: 0.2, channels: { regularity: { cap: 9 } }, severity: { critical: 0.95 } },
      }),
    );
    expect(s.minScore).toBe(0.2);
    expect(s.channels.regularity).toEqual({ ...SCORING_DEFAULTS.channels.regularity, cap: 9 });
    expect(s.channels.spectral).toEqual(SCORING_DEFAULTS.channels.spectral);
    expect(s.severity.critical).toBe(0.95);
    expect(s.severity.high).toBe(SCORING_DEFAULTS.severity.high);
    expect(() => ConfigSchema.parse({ scoring: { channels: { timming: { weight: 1 } } } })).toThrow();
    expect(() => ConfigSchema.parse({ scoring: { severity: { high: 0.9 } } })).toThrow(
      /must not be below high/,
    );
    expect(() => ConfigSchema.parse({ scoring: { severity: { low: 1.5 } } })).toThrow();
    const zero = Object.fromEntries(Object.keys(SCORING_DEFAULTS.channels).map((k) => [k, { weight: 0 }]));
    expect(() => ConfigSchema.parse({ scoring: { channels: zero } })).toThrow(/every channel weight is 0/);
  });
});
