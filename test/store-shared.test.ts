import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANONICAL_FIELDS, SKIP_REASONS } from '../src/flow/schema.js';
import { planImport } from '../src/read/formats.js';
import type { FileAccounting } from '../src/read/plan.js';
import { duckdbTsvColumn } from '../src/store/clickhouse/escape.js';
import { SkippedRows } from '../src/store/clickhouse/skipped-rows.js';
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
      const plan = await planImport(path);
      if (plan.kind === 'precomputed') throw new Error('a flow file was expected');
      const read = await engine.exportFile(
        plan,
        out,
        [duckdbTsvColumn('ts', 'number'), duckdbTsvColumn('service', 'text')],
        '\t',
        '\\N',
      );
      expect(read.rows).toBe(services.length);
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

describe('SkippedRows: the ClickHouse import takes skipped rows out of the TabSeparated stream', () => {
  it('keeps usable lines byte for byte and counts skipped ones by reason, wherever the chunks are cut', async () => {
    const usable = (i: number) => `${1700000000 + i}.5\t0.1\t10.0.0.${i % 250}\t443\tC:\\\\x01tool\t7\n`;
    const skipped = (reason: string) => `\\N\t\\N\t${reason}\t\\N\t\\N\t7\n`;
    const lines: string[] = [];
    const expected: Record<string, number> = {};
    let next = 1;
    const random = () => {
      next = (next * 48271) % 2147483647; // seeded Lehmer generator
      return next / 2147483647;
    };
    for (let i = 0; i < 5000; i++) {
      const r = random();
      if (r < 0.1) {
        const reason = r < 0.05 ? SKIP_REASONS.badAddress : 'tab\\tin reason';
        lines.push(skipped(reason));
        const key = reason.replace('\\t', '\t');
        expected[key] = (expected[key] ?? 0) + 1;
      } else lines.push(usable(i));
    }
    const whole = Buffer.from(lines.join(''));
    for (const cut of [1, 7, 64, 4096, whole.length]) {
      const chunks: Buffer[] = [];
      for (let pos = 0; pos < whole.length; pos += cut) chunks.push(whole.subarray(pos, pos + cut));
      const filter = new SkippedRows();
      const out: Buffer[] = [];
      filter.on('data', (b: Buffer) => out.push(b));
      const done = new Promise((resolve) => filter.on('end', resolve));
      for (const c of chunks) filter.write(c);
      filter.end();
      await done;
      expect(Buffer.concat(out).toString(), `chunks of ${cut}`).toBe(
        lines.filter((l) => !l.startsWith('\\N')).join(''),
      );
      expect(filter.byReason, `chunks of ${cut}`).toEqual(expected);
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
