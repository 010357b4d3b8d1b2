import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { DelimitedPlan, JsonLinesPlan } from '../../read/plan.js';
import { InputError, errorMessage } from '../../util/errors.js';
import type { RawRow } from './convert.js';
import { duckLtrim, duckTrim } from './duck-cast.js';
import { extractJsonLine } from './json-line.js';

/*
 * A file → raw rows, streaming, the way DuckDB's `read_csv` (with the options the DuckDB engine
 * passes: strict_mode = false, store_rejects, max_line_size 4 MiB) splits it, so that the ClickHouse
 * engine counts the same data rows and malformed lines:
 *
 * - lines end at \n, \r\n or a lone \r; empty lines are not data; a UTF-8 BOM is dropped;
 * - the comment character cuts a line where it appears (a line that starts with it is not data);
 * - a line with fewer columns than the header is malformed ("missing columns"); extra columns are
 *   ignored; a line longer than 4 MiB ("line size over maximum") or not UTF-8 ("invalid encoding")
 *   is malformed;
 * - quoted fields (CSV) may hold the delimiter, doubled quotes and line breaks; text after the
 *   closing quote is dropped; a quote inside an unquoted field is a character;
 * - JSON lines: the line up to a \x01 byte; lines of spaces are not data.
 */

export const MAX_LINE_BYTES = 4 * 1024 * 1024;

export interface ReadStats {
  /** Malformed lines (counted as skipped with reason "malformed line"). */
  malformed: number;
  /** The first few malformed lines, "line 17: missing columns". */
  examples: string[];
  /** A tool's trailer (nfdump's Summary) after the records: not data, not counted as rows. */
  nonDataLines: number;
}

export interface RawBatch {
  rows: RawRow[];
  /** JSON lines: whether each row's line was a JSON object. */
  jsonOk?: boolean[];
}

const BATCH = 4096;
const MAX_EXAMPLES = 5;

function openSource(path: string, compression: 'none' | 'gzip' | 'zstd'): Readable {
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  if (compression === 'gzip') {
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    file.on('error', (err) => gunzip.destroy(err));
    return file.pipe(gunzip);
  }
  if (compression === 'zstd') {
    file.destroy();
    const child = spawn('zstd', ['-dc', '--', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', (err) => {
      child.stdout.destroy(
        new InputError(
          (err as NodeJS.ErrnoException).code === 'ENOENT'
            ? 'zstd-compressed input needs the zstd program for this engine'
            : `cannot run zstd (${errorMessage(err)})`,
          path,
        ),
      );
    });
    child.on('close', (code) => {
      if (code !== 0 && code !== null) child.stdout.destroy(new InputError(`corrupt or truncated zstd (${stderr.trim() || `exit ${code}`})`, path));
    });
    return child.stdout;
  }
  return file;
}

/** The physical lines of a byte stream: [bytes, line number]; handles \n, \r\n and \r. */
async function* physicalLines(source: Readable, path: string, compression: string): AsyncGenerator<{ buf: Buffer; start: number; end: number; line: number; oversize: boolean }> {
  let carry: Buffer | undefined;
  let line = 0;
  let skippingOversize = false;
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      let buf = carry && carry.length ? Buffer.concat([carry, chunk]) : chunk;
      carry = undefined;
      let pos = 0;
      for (;;) {
        const nl = buf.indexOf(10, pos);
        if (nl < 0) break;
        if (skippingOversize) {
          skippingOversize = false;
          if (nl > 0 && buf[nl - 1] === 13) line++; // CRLF numbering, as in crPieces
        } else {
          for (const piece of crPieces(buf, pos, nl)) {
            line++;
            yield { buf, start: piece[0], end: piece[1], line, oversize: piece[1] - piece[0] > MAX_LINE_BYTES };
          }
        }
        pos = nl + 1;
      }
      let rest = buf.subarray(pos);
      // A file with lone \r line ends has no \n: split at the last \r once the remainder grows.
      if (!skippingOversize && rest.length > 1 << 20) {
        const cr = rest.lastIndexOf(13);
        if (cr >= 0 && cr < rest.length - 1) {
          for (const piece of crPieces(rest, 0, cr + 1)) {
            line++;
            yield { buf: rest, start: piece[0], end: piece[1], line, oversize: piece[1] - piece[0] > MAX_LINE_BYTES };
          }
          rest = rest.subarray(cr + 1);
        }
      }
      if (!skippingOversize && rest.length > MAX_LINE_BYTES + 2) {
        // an over-long line: report it now, drop its bytes until the next line break
        line++;
        yield { buf: rest, start: 0, end: rest.length, line, oversize: true };
        skippingOversize = true;
        rest = Buffer.alloc(0);
      }
      carry = skippingOversize ? undefined : Buffer.from(rest);
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    const what = compression === 'gzip' ? 'corrupt or truncated gzip' : 'cannot read the file';
    throw new InputError(`${what} (${errorMessage(err)})`, path);
  }
  if (carry && carry.length && !skippingOversize) {
    for (const piece of crPieces(carry, 0, carry.length)) {
      line++;
      yield { buf: carry, start: piece[0], end: piece[1], line, oversize: piece[1] - piece[0] > MAX_LINE_BYTES };
    }
  }
}

/**
 * Split [start, end) at \r bytes. A \r right before the \n (CRLF) ends the line, but DuckDB's
 * reader counts it as a line of its own when it numbers lines, so an empty piece stands for it
 * (empty lines are not data; only the numbering sees it).
 */
function crPieces(buf: Buffer, start: number, end: number): [number, number][] {
  let cr = buf.indexOf(13, start);
  if (cr < 0 || cr >= end) return [[start, end]];
  const out: [number, number][] = [];
  let from = start;
  while (cr >= 0 && cr < end) {
    out.push([from, cr]);
    from = cr + 1;
    cr = buf.indexOf(13, from);
  }
  out.push([from, end]);
  return out;
}

interface LogicalLine {
  text: string;
  line: number;
  /** The malformed-line reason when the line cannot be read at all. */
  bad?: string;
}

async function* textLines(plan: DelimitedPlan | JsonLinesPlan): AsyncGenerator<LogicalLine> {
  const source = openSource(plan.path, plan.compression);
  let first = true;
  try {
    for await (const { buf, start, end, line, oversize } of physicalLines(source, plan.path, plan.compression)) {
      if (oversize) {
        first = false;
        yield { text: '', line, bad: 'line size over maximum' };
        continue;
      }
      let text = buf.toString('utf8', start, end);
      if (text.includes('\uFFFD') && !isUtf8(buf.subarray(start, end))) {
        first = false;
        yield { text, line, bad: 'invalid encoding' };
        continue;
      }
      if (first) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      yield { text, line };
    }
  } finally {
    source.destroy();
  }
}

/** Split one CSV record that starts on `text`; `more` supplies continuation lines inside quotes. */
function splitQuoted(text: string, delimiter: string, quote: string, nextLine: () => string | undefined): { fields: string[]; unterminated: boolean } {
  const fields: string[] = [];
  let s = text;
  let i = 0;
  for (;;) {
    // field start: optional spaces before an opening quote
    let j = i;
    while (s[j] === ' ') j++;
    if (s[j] === quote) {
      let value = '';
      let k = j + 1;
      for (;;) {
        const q = s.indexOf(quote, k);
        if (q < 0) {
          value += s.slice(k);
          const next = nextLine();
          if (next === undefined) {
            fields.push(value);
            return { fields, unterminated: true };
          }
          value += '\n';
          s = next;
          k = 0;
          continue;
        }
        value += s.slice(k, q);
        if (s[q + 1] === quote) {
          value += quote;
          k = q + 2;
          continue;
        }
        k = q + 1;
        break;
      }
      fields.push(value);
      const d = s.indexOf(delimiter, k);
      if (d < 0) return { fields, unterminated: false };
      i = d + delimiter.length;
    } else {
      const d = s.indexOf(delimiter, i);
      if (d < 0) {
        fields.push(s.slice(i));
        return { fields, unterminated: false };
      }
      fields.push(s.slice(i, d));
      i = d + delimiter.length;
    }
  }
}

function trimCrLfSpace(s: string): string {
  return s.replace(/^[ \r\n]+|[ \r\n]+$/g, '');
}

/**
 * Stream a delimited or JSON-lines file as batches of raw rows, counting malformed lines into
 * `stats` as DuckDB's reader would reject them.
 */
export async function* readRawRows(plan: DelimitedPlan | JsonLinesPlan, stats: ReadStats): AsyncGenerator<RawBatch> {
  const malformed = (line: number, why: string) => {
    stats.malformed++;
    if (stats.examples.length < MAX_EXAMPLES) stats.examples.push(`line ${line}: ${why}`);
  };
  if (plan.kind === 'jsonl') {
    const paths = plan.jsonPaths.map((p) => p.map((k) => k.replace(/["'\\]/g, '')));
    let rows: RawRow[] = [];
    let ok: boolean[] = [];
    for await (const l of textLines(plan)) {
      if (l.bad) {
        malformed(l.line, l.bad);
        continue;
      }
      const cut = l.text.indexOf('\u0001');
      const text = cut >= 0 ? l.text.slice(0, cut) : l.text;
      if (text === '' || duckTrim(text) === '') continue;
      const parsed = extractJsonLine(text, paths, duckLtrim(text).charCodeAt(0) === 0x7b);
      rows.push(parsed.values);
      ok.push(parsed.ok);
      if (rows.length >= BATCH) {
        yield { rows, jsonOk: ok };
        rows = [];
        ok = [];
      }
    }
    if (rows.length) yield { rows, jsonOk: ok };
    return;
  }

  const width = plan.rawNames.length;
  const nulls = new Set(plan.nullValues);
  const { delimiter, quote, comment } = plan;
  const trailer = plan.trailer ? new RegExp(plan.trailer) : undefined;
  let inTrailer = false;
  let toSkip = plan.skipLines;
  const lines = textLines(plan);
  // Continuation lines for quoted fields are pulled synchronously from a small look-ahead buffer.
  const pending: LogicalLine[] = [];
  let rows: RawRow[] = [];
  const reject = (l: LogicalLine, why: string) => {
    if (trailer && !inTrailer && trailer.test(trimCrLfSpace(l.text))) inTrailer = true;
    if (inTrailer) stats.nonDataLines++;
    else malformed(l.line, why);
  };
  for (;;) {
    let l: LogicalLine | undefined = pending.shift();
    if (!l) {
      const n = await lines.next();
      if (n.done) break;
      l = n.value;
    }
    if (toSkip > 0) {
      toSkip--;
      continue;
    }
    if (l.bad) {
      reject(l, l.bad);
      continue;
    }
    let text = l.text;
    if (comment) {
      // A comment line is not data, also when indented (a leading space, then spaces or tabs:
      // DuckDB's reader skips those at the start of a record); elsewhere the comment character
      // cuts the line.
      const c = text.indexOf(comment);
      if (c >= 0) text = c === 0 || (text[0] === ' ' && /^[ \t]*$/.test(text.slice(0, c))) ? '' : text.slice(0, c);
    }
    if (text === '') continue;
    let fields: string[];
    if (quote && text.includes(quote)) {
      // A quoted field may continue on the next lines: read ahead (in doubling steps) as far as
      // needed, but no further than DuckDB's maximum line size.
      const ahead: LogicalLine[] = [];
      let exhausted = false;
      let aheadBytes = text.length;
      let want = 1;
      let tooLong = false;
      for (;;) {
        let used = 0;
        const r = splitQuoted(text, delimiter, quote, () => {
          const next = ahead[used];
          if (next === undefined) return undefined;
          used++;
          return next.text;
        });
        if (!r.unterminated || exhausted) {
          fields = r.fields;
          pending.unshift(...ahead.slice(used));
          break;
        }
        if (aheadBytes > MAX_LINE_BYTES) {
          tooLong = true;
          fields = [];
          pending.unshift(...ahead);
          break;
        }
        for (let k = 0; k < want && !exhausted; k++) {
          const n = await lines.next();
          if (n.done) exhausted = true;
          else {
            ahead.push(n.value);
            aheadBytes += n.value.text.length + 1;
          }
        }
        want *= 2;
      }
      if (tooLong) {
        reject(l, 'line size over maximum');
        continue;
      }
    } else {
      fields = text.split(delimiter);
    }
    if (fields.length < width) {
      reject(l, 'missing columns');
      continue;
    }
    const raw: (string | null)[] = new Array(width);
    for (let i = 0; i < width; i++) {
      const v = fields[i] as string;
      raw[i] = nulls.has(v) ? null : v;
    }
    if (trailer) {
      const first = raw[0];
      if (first !== null && first !== undefined && trailer.test(duckTrim(first))) continue;
    }
    rows.push(raw);
    if (rows.length >= BATCH) {
      yield { rows };
      rows = [];
    }
  }
  if (rows.length) yield { rows };
}
