import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SqlValueError,
  sqlIdentifier,
  sqlInteger,
  sqlNumber,
  sqlQualified,
  sqlString,
  sqlStringList,
  sqlUserName,
  tsvValue,
} from '../src/store/clickhouse/escape.js';
import { CH_URL, clientFor, dropDatabase, probeServers, uniqueDatabase } from './clickhouse/server.js';

/*
 * escape.ts is the one function that turns values into ClickHouse SQL text (18.16 has no query
 * parameters). Unit tests pin its output; the server tests send every hostile string through a real
 * ClickHouse and read it back unchanged, both as an SQL literal and as TabSeparated data.
 */

const HOSTILE = [
  '',
  "'",
  "''",
  "\\'",
  '\\',
  '\\\\',
  "'; DROP TABLE flows; --",
  "x' OR '1'='1",
  '"; DROP DATABASE default; --',
  '`backticks`',
  '\u0000',
  'nul\u0000inside',
  'line\nbreak',
  'cr\rlf\r\n',
  'tab\there',
  '\b\f\v\u0007\u001b[31mred\u001b[0m',
  '\u007f',
  '\\N',
  '\\x41',
  '\\u0041',
  '%s%n%x',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile string, not a template
  '${process.exit()}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  'é ü ß 漢字 العربية עברית',
  '\u202eRTL override\u202c',
  '😀 👩‍👩‍👧 🏳️‍🌈',
  '\u200b\ufeff zero width',
  '\ud83d\ude00 surrogate pair',
  'a'.repeat(10_000),
  "'".repeat(500),
  '\\'.repeat(501),
  '/* comment */ -- comment',
  'SETTINGS readonly = 0',
  ') UNION ALL SELECT * FROM system.users --',
];

describe('escape.ts: values as ClickHouse SQL text', () => {
  it('string literals escape quote, backslash and control bytes; everything else passes as UTF-8', () => {
    expect(sqlString("it's")).toBe("'it\\'s'");
    expect(sqlString('a\\b')).toBe("'a\\\\b'");
    expect(sqlString('\u0000\n\t\u007f')).toBe("'\\x00\\x0a\\x09\\x7f'");
    expect(sqlString('é😀')).toBe("'é😀'");
    expect(sqlString("'; DROP TABLE flows; --")).toBe("'\\'; DROP TABLE flows; --'");
  });

  it('a literal never ends early: after escaping, the only unescaped quotes are the two delimiters', () => {
    for (const s of HOSTILE) {
      const lit = sqlString(s);
      const inner = lit.slice(1, -1);
      // drop every escape sequence, then no quote may remain
      expect(inner.replace(/\\(x[0-9a-f]{2}|.)/g, '')).not.toContain("'");
      expect(lit.startsWith("'") && lit.endsWith("'")).toBe(true);
    }
  });

  it('lone surrogates are refused (no UTF-8 form)', () => {
    expect(() => sqlString('\ud800')).toThrow(SqlValueError);
    expect(() => sqlString('x\udc00y')).toThrow(SqlValueError);
  });

  it('numbers: finite only', () => {
    expect(sqlNumber(42)).toBe('42');
    expect(sqlNumber(-1.5)).toBe('(-1.5)');
    expect(sqlNumber(-0)).toBe('0');
    expect(sqlNumber(1e-7)).toBe('1e-7');
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])
      expect(() => sqlNumber(bad)).toThrow(SqlValueError);
    expect(() => sqlNumber('1; DROP' as unknown as number)).toThrow(SqlValueError);
    expect(sqlInteger(7)).toBe('7');
    for (const bad of [-1, 1.5, 2 ** 53, Number.NaN]) expect(() => sqlInteger(bad)).toThrow(SqlValueError);
  });

  it("identifiers: our own from the allowlist, the user's by a strict pattern", () => {
    expect(sqlIdentifier('src')).toBe('`src`');
    expect(() => sqlIdentifier('src`; DROP')).toThrow(SqlValueError);
    expect(() => sqlIdentifier('password')).toThrow(SqlValueError);
    expect(sqlUserName('bh_cluster')).toBe('`bh_cluster`');
    expect(sqlQualified('db1', 'flows')).toBe('`db1`.`flows`');
    for (const bad of ['', '1db', 'a-b', 'a b', 'a`b', 'a.b', "a'b", 'é', 'x'.repeat(64), 'db;DROP']) {
      expect(() => sqlUserName(bad), bad).toThrow(SqlValueError);
    }
  });

  it('lists', () => {
    expect(sqlStringList([])).toBe("('')");
    expect(sqlStringList(['a', "b'"])).toBe("('a', 'b\\'')");
  });

  it('TabSeparated data: NULL, tabs, line breaks and backslashes cannot shift columns', () => {
    expect(tsvValue(null)).toBe('\\N');
    expect(tsvValue('\\N')).toBe('\\\\N');
    expect(tsvValue('a\tb\nc\\')).toBe('a\\tb\\nc\\\\');
    expect(tsvValue(1.5)).toBe('1.5');
    expect(() => tsvValue(Number.NaN)).toThrow(SqlValueError);
    for (const s of HOSTILE) {
      const t = tsvValue(s);
      expect(t).not.toMatch(/[\t\n\r]/);
    }
  });
});

const servers = await probeServers();

describe.skipIf(!servers.single)('escape.ts: hostile strings round-trip through a real ClickHouse', () => {
  const database = uniqueDatabase('bh_test_escape');
  const client = clientFor(CH_URL);
  const table = sqlQualified(database, 'strings');

  beforeAll(async () => {
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${sqlUserName(database)}` });
    await client.command({
      query: `CREATE TABLE ${table} (i UInt32, how String, s String) ENGINE = MergeTree() ORDER BY i`,
    });
  });
  afterAll(async () => {
    await client.close();
    await dropDatabase(database, false);
  });

  it('as SQL literals: inserted, selected back unchanged, and matched by an equality filter', async () => {
    const values = HOSTILE.map((s, i) => `(${sqlInteger(i)}, 'sql', ${sqlString(s)})`).join(', ');
    await client.command({ query: `INSERT INTO ${table} (i, how, s) VALUES ${values}` });
    const rs = await client.query({
      query: `SELECT i, s FROM ${table} WHERE how = 'sql' ORDER BY i`,
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ i: number; s: string }>();
    expect(rows.map((r) => r.s)).toEqual(HOSTILE);
    for (const [i, s] of HOSTILE.entries()) {
      const hit = await client.query({
        query: `SELECT count() AS n FROM ${table} WHERE how = 'sql' AND s = ${sqlString(s)} AND i = ${sqlInteger(i)}`,
        format: 'JSONEachRow',
      });
      expect((await hit.json<{ n: number }>())[0]?.n, JSON.stringify(s).slice(0, 40)).toBe(1);
    }
    const lengths = await client.query({
      query: `SELECT length(${sqlString('nul\u0000inside')}) AS n`,
      format: 'JSONEachRow',
    });
    expect((await lengths.json<{ n: number }>())[0]?.n).toBe(10);
  });

  it('as TabSeparated data (the import path): unchanged', async () => {
    const body = HOSTILE.map((s, i) => `${1000 + i}\ttsv\t${tsvValue(s)}\n`).join('');
    await client.insert({
      table: `${database}.strings`,
      values: Readable.from([body], { objectMode: false }),
      format: 'TabSeparated',
      columns: ['i', 'how', 's'],
    });
    const rs = await client.query({
      query: `SELECT s FROM ${table} WHERE how = 'tsv' ORDER BY i`,
      format: 'JSONEachRow',
    });
    expect((await rs.json<{ s: string }>()).map((r) => r.s)).toEqual(HOSTILE);
  });

  it('numbers keep their value', async () => {
    const nums = [0, 1, -1, 1.5, -2.25, 1e-7, 1.5e21, 9007199254740991, 0.1, 1709596812.123456];
    const rs = await client.query({
      query: `SELECT ${nums.map((x, i) => `toFloat64(${sqlNumber(x)}) AS n${i}`).join(', ')}`,
      format: 'JSONEachRow',
    });
    const row = (await rs.json<Record<string, number>>())[0] ?? {};
    expect(nums.map((_, i) => row[`n${i}`])).toEqual(nums);
  });
});
