import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
