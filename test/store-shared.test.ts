import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANONICAL_FIELDS, SKIP_REASONS } from '../src/flow/schema.js';
import { planImport } from '../src/read/formats.js';
import type { FileAccounting } from '../src/read/plan.js';
import { duckdbTsvColumn } from '../src/store/clickhouse/escape.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';
import {
  decodeAccounting,
  encodeAccounting,
  flowColumnsDdl,
  importAccounting,
  STORED_FLOW_COLUMNS,
  summarizeFiles,
} from '../src/store/shared.js';

/*
 * What both engines share (src/store/shared.ts), and the reading both engines now get from DuckDB:
 * no server needed (the ClickHouse side of the same cases is in clickhouse-engine.test.ts).
 */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bh-shared-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const zeekJson = (service: string, i: number) =>
  JSON.stringify({
    ts: 1700000000 + i,
    'id.orig_h': '10.0.0.5',
    'id.orig_p': 40000 + i,
    'id.resp_h': '203.0.113.7',
    'id.resp_p': 443,
    proto: 'tcp',
    service,
    orig_bytes: 10,
    resp_bytes: 20,
    conn_state: 'SF',
  });

describe('the DuckDB reader (both engines read through it)', () => {
  it('keeps a valid Zeek JSON line whose service is "C:\\\\x01tool" (issue 13 drift case)', async () => {
    const path = join(dir, 'drift.json');
    const services = ['ssl', 'C:\\x01tool', 'dns', '\\x01', 'x\\x01\\x01y'];
    await writeFile(path, `${services.map(zeekJson).join('\n')}\n`);
    expect(await readFile(path, 'utf8')).toContain('"C:\\\\x01tool"');
    const engine = await DuckDbEngine.open();
    try {
      const a = await engine.importFile(await planImport(path));
      expect(a.skipped).toEqual({});
      expect(a.used).toBe(services.length);
      // what the ClickHouse import receives: DuckDB's stored values, written as TabSeparated
      const out = join(dir, 'drift.tsv');
      await engine.exportFlows(
        out,
        [duckdbTsvColumn('ts', 'number'), duckdbTsvColumn('service', 'text')],
        '\t',
        '\\N',
      );
      const rows = (await readFile(out, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => line.split('\t'))
        .map(([ts, service]) => [Number(ts), service])
        .sort((x, y) => (x[0] as number) - (y[0] as number));
      expect(rows).toEqual(services.map((s, i) => [1700000000 + i, s.replace(/\\/g, '\\\\')]));
    } finally {
      await engine.close();
    }
  });

  it('a line with a raw 0x01 byte is one row, not two', async () => {
    const path = join(dir, 'soh.json');
    const lines = [zeekJson('ssl', 0), zeekJson('ok', 1).replace('"ok"', '"o\u0001k"'), zeekJson('dns', 2)];
    await writeFile(path, `${lines.join('\n')}\n`);
    const engine = await DuckDbEngine.open();
    try {
      const a = await engine.importFile(await planImport(path));
      expect(a.dataRows).toBe(3);
      expect(
        a.used + (a.skipped[SKIP_REASONS.badJson] ?? 0) + (a.skipped[SKIP_REASONS.malformedLine] ?? 0),
      ).toBe(3);
      expect(a.used).toBeGreaterThanOrEqual(2);
    } finally {
      await engine.close();
    }
  });
});

describe('src/store/shared.ts', () => {
  it('derives each engine’s column list from the canonical fields', () => {
    expect(STORED_FLOW_COLUMNS.map((c) => c.name)).toEqual([...CANONICAL_FIELDS]);
    const ch = flowColumnsDdl('clickhouse');
    expect(ch).toContain('ts Float64,');
    expect(ch).toContain('src String,');
    expect(ch).toContain('dport Nullable(UInt16)');
    expect(ch).toContain('resp_bytes Nullable(UInt64)');
    expect(ch).toContain('host Nullable(String)');
    const duck = flowColumnsDdl('duckdb');
    expect(duck).toContain('orig_bytes BIGINT');
    expect(duck).toContain('sport INTEGER');
    expect(duck.split(', ').length).toBe(CANONICAL_FIELDS.length);
  });

  it('accounting: used + skipped = data rows; rejects and pre-skipped rows add up; stored and read back unchanged', () => {
    const plan = {
      kind: 'delimited' as const,
      format: 'nfdump-csv',
      path: '/x/flows.csv',
      compression: 'none' as const,
      rawNames: [],
      fields: {},
      delimiter: ',',
      quote: '"',
      comment: '',
      skipLines: 1,
      nullValues: [],
      preSkipped: { [SKIP_REASONS.malformedLine]: 2, 'invalid utf-8': 0 },
      directionality: 'unidirectional' as const,
      notes: ['one direction per record'],
    };
    const a = importAccounting(
      plan,
      90,
      { [SKIP_REASONS.badAddress]: 3 },
      {
        rejected: 5,
        examples: ['line 4: too many columns'],
        nonDataLines: 7,
      },
    );
    expect(a.skipped).toEqual({ [SKIP_REASONS.badAddress]: 3, [SKIP_REASONS.malformedLine]: 7 });
    expect(a.dataRows).toBe(100);
    expect(a.directionality).toBe('unidirectional');
    const back = decodeAccounting({
      path: a.path,
      format: a.format,
      dataRows: a.dataRows,
      used: a.used,
      json: encodeAccounting(a),
    });
    expect(back).toEqual(a);
    const files: FileAccounting[] = [
      a,
      { ...a, used: 10, dataRows: 13, skipped: { [SKIP_REASONS.badPort]: 3 } },
    ];
    const s = summarizeFiles(files);
    expect(s.flowsRead).toBe(113);
    expect(s.flowsUsed).toBe(100);
    expect(s.skippedByReason).toEqual({
      [SKIP_REASONS.badAddress]: 3,
      [SKIP_REASONS.malformedLine]: 7,
      [SKIP_REASONS.badPort]: 3,
    });
  });
});
