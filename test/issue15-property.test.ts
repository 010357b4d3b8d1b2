import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { SKIP_REASONS } from '../src/flow/schema.js';
import { FORMAT_NAMES, generateToFile } from '../src/generate/index.js';
import { type Rng, seededRng } from '../src/math/random.js';
import { planImport } from '../src/read/formats.js';
import type { FileAccounting, ImportPlan } from '../src/read/plan.js';
import { INVALID_UTF8 } from '../src/read/utf8-guard.js';
import { DuckDbEngine } from '../src/store/duckdb/duckdb-engine.js';

/*
 * Issue 15's property: for random, seeded corruptions (bit flips, truncation, inserted NULs and
 * invalid UTF-8, spliced lines) of generated logs in every format,
 *  - rows read = rows used + rows skipped, and rows read is every data line of the corrupted file
 *    (counted here independently: not blank, not a comment, not the header or a tool's trailer);
 *  - every skip reason is a named one;
 *  - every valid line more than one line away from a corruption is used, with the same values as
 *    when the file holds only such lines (the engine on clean input is the oracle).
 */

/** Two per format keeps the suite near 20 s; BEACONHUNT_PROPERTY_TRIALS=50 for a deeper search. */
const TRIALS_PER_FORMAT = Number(process.env.BEACONHUNT_PROPERTY_TRIALS ?? 2);
const FLOWS = 400;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bh-property-'));
});

interface Layout {
  header: Buffer[];
  data: Buffer[];
  trailer: Buffer[];
}

/** Splits a generated file into header lines, data lines and trailer lines, as its plan reads it. */
function layout(bytes: Buffer, plan: ImportPlan): Layout {
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, start)) {
    lines.push(bytes.subarray(start, nl));
    start = nl + 1;
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  const skip = plan.kind === 'jsonl' ? 0 : plan.skipLines;
  const comment = plan.kind === 'jsonl' ? '' : plan.comment;
  const header: Buffer[] = lines.slice(0, skip);
  let i = skip;
  while (i < lines.length && comment && lines[i]?.toString().startsWith(comment))
    header.push(lines[i++] as Buffer);
  const trailerAt = lines.findIndex((l, k) => k >= i && isTrailer(l, plan));
  let end = trailerAt === -1 ? lines.length : trailerAt;
  // closing comments (Zeek's #close) belong with the trailer, not the data
  while (end > i && comment && lines[end - 1]?.toString().startsWith(comment)) end--;
  return { header, data: lines.slice(i, end), trailer: lines.slice(end) };
}

function isTrailer(line: Buffer, plan: ImportPlan): boolean {
  const trailer = plan.kind === 'jsonl' ? undefined : plan.trailer;
  return trailer !== undefined && new RegExp(trailer).test(line.toString().trim());
}

/**
 * Lines a reader must account for: not blank, not a comment, after the header, before a trailer.
 * A lone CR ends a line too (as in DuckDB's CSV reader, and old Mac files): a bit flip can make one.
 */
function candidateLines(bytes: Buffer, plan: ImportPlan): number {
  const text = bytes.toString('latin1').split(/\r\n|\n|\r/);
  if (text.at(-1) === '') text.pop();
  const skip = plan.kind === 'jsonl' ? 0 : plan.skipLines;
  const comment = plan.kind === 'jsonl' ? '' : plan.comment;
  let n = 0;
  for (const line of text.slice(skip)) {
    if (isTrailer(Buffer.from(line, 'latin1'), plan)) break;
    if (line.trim() === '') continue;
    if (comment && line.startsWith(comment)) continue;
    n++;
  }
  return n;
}

type Corruption = 'bit flip' | 'truncation' | 'NUL bytes' | 'invalid UTF-8' | 'spliced lines';
const KINDS: Corruption[] = ['bit flip', 'truncation', 'NUL bytes', 'invalid UTF-8', 'spliced lines'];

/**
 * Corrupts data lines; returns the new lines and the indices (into the original data lines) that
 * were touched. Truncation drops everything after the cut, so those lines count as touched.
 */
function corrupt(data: Buffer[], rng: Rng, kinds: Corruption[]): { lines: Buffer[]; touched: Set<number> } {
  const lines: (Buffer | null)[] = data.map((l) => Buffer.from(l));
  const touched = new Set<number>();
  for (const kind of kinds) {
    const i = rng.below(lines.length);
    const line = lines[i];
    if (!line) continue;
    touched.add(i);
    const at = rng.below(line.length + 1);
    switch (kind) {
      case 'bit flip': {
        const b = Buffer.from(line);
        if (b.length) b[at % b.length] = (b[at % b.length] as number) ^ (1 << rng.below(8));
        lines[i] = b;
        break;
      }
      case 'NUL bytes':
        lines[i] = Buffer.concat([line.subarray(0, at), Buffer.alloc(1 + rng.below(3)), line.subarray(at)]);
        break;
      case 'invalid UTF-8':
        lines[i] = Buffer.concat([line.subarray(0, at), Buffer.from([0xff, 0xc3, 0x28]), line.subarray(at)]);
        break;
      case 'spliced lines': {
        // the start of line i glued to the end of a line a little further on (lines lost between)
        const j = Math.min(lines.length - 1, i + 1 + rng.below(3));
        const other = lines[j] ?? Buffer.alloc(0);
        lines[i] = Buffer.concat([line.subarray(0, at), other.subarray(rng.below(other.length + 1))]);
        for (let k = i + 1; k <= j; k++) {
          lines[k] = null;
          touched.add(k);
        }
        break;
      }
      case 'truncation':
        lines[i] = line.subarray(0, at);
        for (let k = i + 1; k < lines.length; k++) {
          lines[k] = null;
          touched.add(k);
        }
        break;
    }
  }
  return { lines: lines.filter((l): l is Buffer => l !== null), touched };
}

const NAMED_REASONS = new Set<string>([...Object.values(SKIP_REASONS), INVALID_UTF8]);

/** Imports one file into a fresh in-memory engine; returns its accounting and its used rows as text. */
async function importRows(
  path: string,
  format: string,
): Promise<{ a: FileAccounting; rows: Map<string, number> }> {
  const engine = await DuckDbEngine.open();
  try {
    const a = await engine.importFile(await planImport(path, format));
    // the stored rows themselves, through the engine's own connection (no API hands out raw flows)
    const db = (engine as unknown as { db: DuckDBConnection }).db;
    const r = await db.runAndReadAll(
      `SELECT concat_ws('|', ts, duration, src, sport, dst, dport, proto, orig_bytes, resp_bytes, orig_pkts,
         resp_pkts, conn_state, service, host) FROM flows WHERE skip_reason IS NULL`,
    );
    const rows = new Map<string, number>();
    for (const [k] of r.getRows()) rows.set(String(k), (rows.get(String(k)) ?? 0) + 1);
    return { a, rows };
  } finally {
    await engine.close();
  }
}

describe('issue 15 property: corrupted logs lose nothing and count everything', () => {
  for (const format of FORMAT_NAMES) {
    it(
      `property: ${format}, ${TRIALS_PER_FORMAT} seeded corruptions`,
      async () => {
        const source = join(dir, `${format}.log`);
        await generateToFile({ seed: 21, flows: FLOWS, hosts: 12, hours: 2, format, out: source });
        const original = await readFile(source);
        const plan = await planImport(source);
        const parts = layout(original, plan);
        expect(parts.data.length).toBeGreaterThan(FLOWS / 2);
        const rng = seededRng(1000 + FORMAT_NAMES.indexOf(format));
        for (let trial = 0; trial < TRIALS_PER_FORMAT; trial++) {
          // each kind in turn (every kind lands in several formats), plus up to two random ones
          const first = KINDS[(trial * FORMAT_NAMES.length + FORMAT_NAMES.indexOf(format)) % KINDS.length];
          const kinds = [
            first as Corruption,
            ...Array.from({ length: rng.below(3) }, () => KINDS[rng.below(KINDS.length)] as Corruption),
          ];
          const { lines, touched } = corrupt(parts.data, rng, kinds);
          const label = `${format} trial ${trial} (${kinds.join(', ')})`;
          const bad = Buffer.concat(
            [...parts.header, ...lines, ...(touched.has(parts.data.length - 1) ? [] : parts.trailer)].flatMap(
              (l) => [l, Buffer.from('\n')],
            ),
          );
          const badPath = join(dir, `${format}-${trial}.bad`);
          await writeFile(badPath, bad);
          // the oracle: the same reader on only the lines far from every corruption
          const far = parts.data.filter(
            (_, k) => !touched.has(k) && !touched.has(k - 1) && !touched.has(k + 1),
          );
          const farPath = join(dir, `${format}-${trial}.far`);
          await writeFile(
            farPath,
            Buffer.concat([...parts.header, ...far, ...parts.trailer].flatMap((l) => [l, Buffer.from('\n')])),
          );

          const option = format.split('-')[0] as string; // the --format name of the generator's format
          const corrupted = await importRows(badPath, option);
          const oracle = await importRows(farPath, option);
          const { a } = corrupted;
          const skipped = Object.values(a.skipped).reduce((x, y) => x + y, 0);
          expect(a.dataRows, label).toBe(a.used + skipped);
          expect(a.dataRows, `${label}: rows read`).toBe(candidateLines(bad, plan));
          for (const reason of Object.keys(a.skipped))
            expect(NAMED_REASONS.has(reason), `${label}: ${reason}`).toBe(true);
          expect(oracle.a.used, label).toBe(far.length);
          for (const [row, n] of oracle.rows) {
            expect(corrupted.rows.get(row) ?? 0, `${label}: far row lost: ${row}`).toBeGreaterThanOrEqual(n);
          }
        }
      },
      60_000 * Math.max(1, TRIALS_PER_FORMAT / 2),
    );
  }
});
