import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_INTERNAL_NETWORKS } from '../src/context/networks.js';
import type { FeatureOptions, SizeField } from '../src/features/options.js';
import type { PairFeatures } from '../src/features/pair-features.js';
import { FORMAT_NAMES, generateToFile } from '../src/generate/index.js';
import { planImport } from '../src/read/formats.js';
import type { FileAccounting } from '../src/read/plan.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';

/*
 * generate → read gives the same per-pair seed features whatever the format (docs/FORMATS.md).
 * Bidirectional formats: every pair, default size field (resp). Unidirectional formats (nfdump,
 * VPC): the client → server pairs with --bytes orig equal the Zeek file's --bytes orig.
 */
const OPTIONS = { seed: 11, flows: 15_000, hosts: 20, hours: 6 };
const SEED_FEATURES = [
  't_bytecount',
  'i_bytecount',
  'distinct_byte_count',
  'avgcount',
  'mode_size',
  'first_ts',
] as const;
const EXPECTED_READER: Record<string, string> = {
  zeek: 'zeek-tsv',
  'zeek-json': 'zeek-json',
  'splunk-csv': 'splunk-csv',
  nfdump: 'nfdump-csv',
  argus: 'argus-binetflow',
  suricata: 'suricata-eve',
  vpc: 'vpc-flow',
};
const UNIDIRECTIONAL = new Set(['nfdump', 'vpc']);

let dir: string;
let flows = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bh-roundtrip-'));
});

async function generated(format: string, gzip = false): Promise<string> {
  const out = join(dir, `flows.${format}${gzip ? '.gz' : ''}`);
  const r = await generateToFile({ ...OPTIONS, format, out });
  flows = r.flows;
  return out;
}

async function features(
  path: string,
  sizeField: SizeField,
): Promise<{ pairs: PairFeatures; accounting: FileAccounting }> {
  const engine = await DuckDbEngine.open();
  try {
    const accounting = await engine.importFile(await planImport(path));
    const options: FeatureOptions = {
      sizeField,
      dropZeroBytes: false,
      internalNetworks: DEFAULT_INTERNAL_NETWORKS,
    };
    return { pairs: await engine.pairFeatures(options), accounting };
  } finally {
    await engine.close();
  }
}

/** The Zeek TSV file's features, the reference, once per size field. */
const bases = new Map<SizeField, Promise<{ pairs: PairFeatures; accounting: FileAccounting }>>();
function zeekBase(sizeField: SizeField) {
  let base = bases.get(sizeField);
  if (!base) {
    base = generated('zeek').then((path) => features(path, sizeField));
    bases.set(sizeField, base);
  }
  return base;
}

type Row = Record<string, number | null>;
/** Times compared at the format's precision (µs; Splunk's _time has ms). */
function byPair(p: PairFeatures, names: readonly string[], timeDigits: number): Map<string, Row> {
  const out = new Map<string, Row>();
  const scale = 10 ** timeDigits;
  for (let i = 0; i < p.length; i++) {
    const row: Row = { dport: p.dport[i] ?? null };
    for (const n of names) row[n] = p.numeric[n as keyof PairFeatures['numeric']][i] as number;
    if (row.first_ts !== undefined) row.first_ts = Math.round((row.first_ts as number) * scale) / scale;
    out.set(`${p.src[i]} → ${p.dst[i]}`, row);
  }
  return out;
}

describe('round trip: the generator writes every format, the readers give the same pair features', () => {
  it('registers a writer for every format the readers know', () => {
    expect([...FORMAT_NAMES].sort()).toEqual(Object.keys(EXPECTED_READER).sort());
  });

  for (const format of Object.keys(EXPECTED_READER)) {
    it(`${format}`, async () => {
      const sizeField: SizeField = UNIDIRECTIONAL.has(format) ? 'orig' : 'resp';
      const base = await zeekBase(sizeField);
      const other = await features(await generated(format, format === 'vpc'), sizeField);
      expect(other.accounting.format).toBe(EXPECTED_READER[format]);
      expect(other.accounting.skipped).toEqual({});
      const names = UNIDIRECTIONAL.has(format)
        ? SEED_FEATURES.filter((n) => n !== 'first_ts')
        : SEED_FEATURES;
      const digits = format === 'splunk-csv' ? 3 : 6;
      const a = byPair(base.pairs, names, digits);
      const b = byPair(other.pairs, names, digits);
      if (UNIDIRECTIONAL.has(format)) {
        // one record per direction: every connection once src → dst, plus the answered ones back
        expect(other.accounting.dataRows).toBeGreaterThan(flows);
        expect(other.accounting.dataRows).toBeLessThan(2 * flows);
        for (const [key, row] of a) expect(b.get(key), key).toEqual(row);
        expect(other.pairs.length).toBeGreaterThan(base.pairs.length);
        // times are whole seconds
        const i = other.pairs.src.indexOf(base.pairs.src[0] as string);
        expect(Number.isInteger(other.pairs.numeric.first_ts[i])).toBe(true);
      } else {
        expect(other.accounting.dataRows).toBe(flows);
        expect(other.pairs.length).toBe(base.pairs.length);
        for (const [key, row] of a) {
          const got = b.get(key);
          expect(got, key).toBeDefined();
          expect(got, key).toEqual(row);
        }
      }
    });
  }
});
