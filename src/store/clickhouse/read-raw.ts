import { isUtf8 } from 'node:buffer';
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { DelimitedPlan, JsonLinesPlan } from '../../read/plan.js';
import { errorMessage, InputError } from '../../util/errors.js';
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
  /** Malformed lines of the line-by-line CSV reading: counted, without examples (as in DuckDB). */
  malformedRows?: number;
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
      if (code !== 0 && code !== null)
        child.stdout.destroy(
          new InputError(`corrupt or truncated zstd (${stderr.trim() || `exit ${code}`})`, path),
        );
    });
    return child.stdout;
  }
  return file;
}

/**
 * Split [start, end) at \r bytes. A \r right before the \n (CRLF) ends the line, but DuckDB's
 * reader counts it as a line of its own when it numbers lines, so an empty piece stands for it
 * (empty lines are not data; only the numbering sees it).
 */
function crPieces(buf: Buffer, start: number, end: number): [number, number][] {
  const line = buf.subarray(start, end);
  let cr = line.indexOf(13);
  if (cr < 0) return [[start, end]];
  const out: [number, number][] = [];
  let from = 0;
  while (cr >= 0) {
    out.push([start + from, start + cr]);
    from = cr + 1;
    cr = line.indexOf(13, from);
  }
  from += start;
  out.push([from, end]);
  return out;
}

interface LogicalLine {
  text: string;
  line: number;
  /** The malformed-line reason when the line cannot be read at all. */
  bad?: string;
}

/**
 * The lines of a file, a chunk at a time, with DuckDB's line numbers. Fast path: a chunk that is
 * valid UTF-8 is decoded once and split; otherwise line by line, so only the bad line is lost.
 */
async function* textLines(plan: DelimitedPlan | JsonLinesPlan): AsyncGenerator<LogicalLine[]> {
  const source = openSource(plan.path, plan.compression);
  let carry: Buffer | undefined;
  let line = 0;
  let skippingOversize = false;
  let first = true;
  const oversize = (text: string) =>
    text.length > MAX_LINE_BYTES / 3 && Buffer.byteLength(text) > MAX_LINE_BYTES;
  const push = (out: LogicalLine[], text: string) => {
    line++;
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    out.push(oversize(text) ? { text: '', line, bad: 'line size over maximum' } : { text, line });
  };
  /** One physical line (between \n): lone \r split it; a CRLF counts as an extra (empty) line. */
  const pushWithCr = (out: LogicalLine[], text: string) => {
    if (!text.includes('\r')) return push(out, text);
    for (const piece of text.split('\r')) push(out, piece);
  };
  /** Bytes [start, end) line by line, checking each line's encoding. */
  const slow = (out: LogicalLine[], buf: Buffer, start: number, end: number) => {
    let pos = start;
    while (pos <= end) {
      let nl = buf.indexOf(10, pos);
      if (nl < 0 || nl > end) nl = end;
      for (const [a, b] of crPieces(buf, pos, nl)) {
        const bytes = buf.subarray(a, b);
        const text = bytes.toString('utf8');
        if (text.includes('\uFFFD') && !isUtf8(bytes)) {
          line++;
          first = false;
          out.push({ text, line, bad: 'invalid encoding' });
        } else push(out, text);
      }
      pos = nl + 1;
    }
  };
  const region = (out: LogicalLine[], buf: Buffer, start: number, end: number) => {
    const text = buf.toString('utf8', start, end);
    if (text.includes('\uFFFD')) return slow(out, buf, start, end);
    const hasCr = text.includes('\r');
    for (const l of text.split('\n')) {
      if (hasCr) pushWithCr(out, l);
      else push(out, l);
    }
  };
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      const out: LogicalLine[] = [];
      let buf = carry?.length ? Buffer.concat([carry, chunk]) : chunk;
      carry = undefined;
      if (skippingOversize) {
        const nl = buf.indexOf(10);
        if (nl < 0) continue;
        skippingOversize = false;
        if (nl > 0 && buf[nl - 1] === 13) line++; // CRLF numbering
        buf = buf.subarray(nl + 1);
      }
      const last = buf.lastIndexOf(10);
      if (last >= 0) region(out, buf, 0, last);
      let rest = buf.subarray(last + 1);
      // A file with lone \r line ends has no \n: split at the last \r once the remainder grows.
      if (rest.length > 1 << 20) {
        const cr = rest.lastIndexOf(13);
        if (cr >= 0 && cr < rest.length - 1) {
          slow(out, rest, 0, cr);
          rest = rest.subarray(cr + 1);
        }
      }
      if (rest.length > MAX_LINE_BYTES + 2) {
        // an over-long line: report it now, drop its bytes until the next line break
        line++;
        first = false;
        out.push({ text: '', line, bad: 'line size over maximum' });
        skippingOversize = true;
        rest = Buffer.alloc(0);
      }
      carry = Buffer.from(rest);
      if (out.length) yield out;
    }
    if (carry?.length && !skippingOversize) {
      const out: LogicalLine[] = [];
      region(out, carry, 0, carry.length);
      yield out;
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    const what = plan.compression === 'gzip' ? 'corrupt or truncated gzip' : 'cannot read the file';
    throw new InputError(`${what} (${errorMessage(err)})`, plan.path);
  } finally {
    source.destroy();
  }
}

/** Split one CSV record that starts on `text`; `more` supplies continuation lines inside quotes. */
function splitQuoted(
  text: string,
  delimiter: string,
  quote: string,
  nextLine: () => string | undefined,
): { fields: string[]; unterminated: boolean } {
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
/**
 * Thrown by the quoted-CSV reading when read_csv would have run past an unterminated quote (a
 * rejected record that spans lines, or follows an empty line): the DuckDB engine then reads the file
 * again line by line, and so must the caller (readRawRows with `lineByLine`).
 */
export class NeedsLineByLine extends Error {
  override name = 'NeedsLineByLine';
}

/**
 * The DuckDB engine's line-by-line reading of quoted CSV (import-sql.ts quotedLinesSource): each
 * physical line is one row; RFC 4180 quoting within the line; a line that does not split cleanly, or
 * has too few fields, is a malformed row (counted, no example); null markers are not applied.
 */
async function* lineByLineRows(plan: DelimitedPlan, stats: ReadStats): AsyncGenerator<RawBatch> {
  const width = plan.rawNames.length;
  const d = plan.delimiter.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
  const field = `("(?:[^"]|"")*"|[^${d}"]*)`;
  const wellFormed = new RegExp(`^${field}(${d}${field})*$`);
  const fieldRe = new RegExp(`${d}${field}`, 'g');
  const trailer = plan.trailer ? new RegExp(plan.trailer) : undefined;
  let inTrailer = false;
  let toSkip = plan.skipLines;
  let rows: RawRow[] = [];
  for await (const batch of textLines(plan)) {
    for (const l of batch) {
      if (toSkip > 0) {
        toSkip--;
        continue;
      }
      if (l.bad) {
        if (trailer && !inTrailer && trailer.test(trimCrLfSpace(l.text))) inTrailer = true;
        if (inTrailer) stats.nonDataLines++;
        else {
          stats.malformed++;
          if (stats.examples.length < MAX_EXAMPLES) stats.examples.push(`line ${l.line}: ${l.bad}`);
        }
        continue;
      }
      const cut = l.text.indexOf('\u0001');
      const text = (cut >= 0 ? l.text.slice(0, cut) : l.text).replace(/\r+$/, '');
      if (text === '' || duckTrim(text) === '') continue;
      const fields = wellFormed.test(text)
        ? Array.from(`${plan.delimiter}${text}`.matchAll(fieldRe), (m) => m[1] as string)
        : undefined;
      if (!fields || fields.length < width) {
        stats.malformedRows = (stats.malformedRows ?? 0) + 1;
        continue;
      }
      const raw = fields
        .slice(0, width)
        .map((f) => (f.startsWith('"') ? f.slice(1, -1).replace(/""/g, '"') : f));
      if (trailer && raw[0] !== undefined && trailer.test(duckTrim(raw[0]))) continue;
      rows.push(raw);
      if (rows.length >= BATCH) {
        yield { rows };
        rows = [];
      }
    }
  }
  if (rows.length) yield { rows };
}

export async function* readRawRows(
  plan: DelimitedPlan | JsonLinesPlan,
  stats: ReadStats,
  lineByLine = false,
): AsyncGenerator<RawBatch> {
  if (lineByLine && plan.kind === 'delimited') {
    yield* lineByLineRows(plan, stats);
    return;
  }
  const malformed = (line: number, why: string) => {
    stats.malformed++;
    if (stats.examples.length < MAX_EXAMPLES) stats.examples.push(`line ${line}: ${why}`);
  };
  if (plan.kind === 'jsonl') {
    const paths = plan.jsonPaths.map((p) => p.map((k) => k.replace(/["'\\]/g, '')));
    let rows: RawRow[] = [];
    let ok: boolean[] = [];
    for await (const batch of textLines(plan))
      for (const l of batch) {
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
  const batches = textLines(plan);
  // Lines come a batch at a time; a quoted field that continues past the batch pulls the next.
  const pending: LogicalLine[] = [];
  let queue: LogicalLine[] = [];
  let at = 0;
  let ended = false;
  const nextLine = async (): Promise<LogicalLine | undefined> => {
    while (at >= queue.length) {
      if (ended) return undefined;
      const n = await batches.next();
      if (n.done) {
        ended = true;
        return undefined;
      }
      queue = n.value;
      at = 0;
    }
    return queue[at++];
  };
  let rows: RawRow[] = [];
  let lastWasEmpty = false;
  let precededByEmpty = false;
  const reject = (l: LogicalLine, why: string, spansLines = false) => {
    // read_csv's rejected "line" then holds a line break: the DuckDB engine reads again line by line
    if (quote && (spansLines || precededByEmpty)) throw new NeedsLineByLine();
    if (trailer && !inTrailer && trailer.test(trimCrLfSpace(l.text))) inTrailer = true;
    if (inTrailer) stats.nonDataLines++;
    else malformed(l.line, why);
  };
  for (;;) {
    const l: LogicalLine | undefined = pending.length
      ? pending.shift()
      : at < queue.length
        ? queue[at++]
        : await nextLine();
    if (!l) break;
    precededByEmpty = lastWasEmpty;
    lastWasEmpty = l.text === '' && !l.bad;
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
      if (c >= 0)
        text = c === 0 || (text[0] === ' ' && /^[ \t]*$/.test(text.slice(0, c))) ? '' : text.slice(0, c);
    }
    if (text === '') continue;
    let fields: string[];
    let spansLines = false;
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
          spansLines = used > 0 || r.unterminated;
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
          const next = pending.length ? pending.shift() : await nextLine();
          if (next === undefined) exhausted = true;
          else {
            ahead.push(next);
            aheadBytes += next.text.length + 1;
          }
        }
        want *= 2;
      }
      if (tooLong) {
        reject(l, 'line size over maximum', true);
        continue;
      }
    } else {
      fields = text.split(delimiter);
    }
    if (fields.length < width) {
      reject(l, 'missing columns', spansLines);
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
