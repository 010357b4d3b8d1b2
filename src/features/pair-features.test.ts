import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZEEK_CONN_HEADER } from '../../test/cli.js';
import { DEFAULT_INTERNAL_NETWORKS } from '../context/networks.js';
import { planImport } from '../read/formats.js';
import { DuckDbEngine } from '../store/duckdb/duckdb-engine.js';
import { aggregateOf, featureTableMarkdown, NUMERIC_FEATURE_NAMES, PAIR_FEATURES } from './pair-features.js';
import { TIMING_FEATURES } from './pair-timing.js';

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'FEATURES.md');
const BEGIN = '<!-- feature table: generated from src/features/pair-features.ts -->';
const END = '<!-- end of feature table -->';

describe('the feature declaration', () => {
  it('docs/FEATURES.md lists exactly the declared features (BEACONHUNT_WRITE_DOCS=1 rewrites it)', () => {
    const doc = readFileSync(DOC, 'utf8');
    const a = doc.indexOf(BEGIN);
    const b = doc.indexOf(END);
    expect(a, 'table markers').toBeGreaterThanOrEqual(0);
    expect(b).toBeGreaterThan(a);
    const table = featureTableMarkdown(TIMING_FEATURES);
    const current = doc.slice(a + BEGIN.length, b).trim();
    if (process.env.BEACONHUNT_WRITE_DOCS === '1' && current !== table) {
      writeFileSync(DOC, `${doc.slice(0, a + BEGIN.length)}\n${table}\n${doc.slice(b)}`);
      return;
    }
    expect(current).toBe(table);
  });

  it('ClickHouse computes every feature in one pass or from the pair row (no DuckDB-only level)', () => {
    for (const name of NUMERIC_FEATURE_NAMES) {
      const a = aggregateOf(PAIR_FEATURES[name], 'clickhouse');
      expect(['flows', 'pair'], name).toContain(a?.over);
    }
  });
});

describe('request-size entropy (orig_size_entropy)', () => {
  // One pair, client→server sizes 100 ×2, 200, 300: H = −(½·log2 ½ + 2·¼·log2 ¼) = 1.5 bits.
  // A second pair with one request size: 0. A third with 4 equally common sizes: log2 4 = 2.
  const rows = [
    ['10.0.0.1', '198.51.100.1', 100],
    ['10.0.0.1', '198.51.100.1', 100],
    ['10.0.0.1', '198.51.100.1', 200],
    ['10.0.0.1', '198.51.100.1', 300],
    ['10.0.0.2', '198.51.100.1', 52],
    ['10.0.0.2', '198.51.100.1', 52],
    ['10.0.0.3', '198.51.100.2', 1],
    ['10.0.0.3', '198.51.100.2', 2],
    ['10.0.0.3', '198.51.100.2', 3],
    ['10.0.0.3', '198.51.100.2', 4],
  ] as const;

  it('is 1.5 bits for sizes {100, 100, 200, 300}, 0 for one size, 2 for four equal ones (DuckDB)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bh-entropy-'));
    const path = join(dir, 'conn.log');
    const lines = rows.map(
      ([src, dst, orig], i) =>
        `${1700000000 + i * 60}\tC${i}\t${src}\t${40000 + i}\t${dst}\t443\ttcp\t-\t0.1\t${orig}\t52\tSF`,
    );
    await writeFile(path, `${[ZEEK_CONN_HEADER, ...lines].join('\n')}\n`);
    const engine = await DuckDbEngine.open();
    try {
      await engine.importFile(await planImport(path));
      const p = await engine.pairFeatures({
        sizeField: 'resp',
        dropZeroBytes: false,
        internalNetworks: DEFAULT_INTERNAL_NETWORKS,
      });
      const entropy = (src: string) => p.numeric.orig_size_entropy[p.src.indexOf(src)];
      expect(entropy('10.0.0.1')).toBeCloseTo(1.5, 12);
      expect(entropy('10.0.0.2')).toBe(0);
      expect(entropy('10.0.0.3')).toBeCloseTo(2, 12);
    } finally {
      await engine.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
