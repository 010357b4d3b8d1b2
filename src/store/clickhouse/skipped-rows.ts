import { Transform, type TransformCallback } from 'node:stream';

/*
 * The ClickHouse import reads a file once, through DuckDB, into TabSeparated that holds every data
 * row: a usable flow as its FLOW_COLUMNS, a skipped row as a line whose first field (ts, never NULL
 * in a usable flow) is `\N` and whose third is the skip reason. This stream takes the skipped lines
 * out before the insert and counts them by reason. Lines are cut with Buffer.indexOf, so the usual
 * chunk without a skipped row passes through untouched.
 */

const NEWLINE = 0x0a;
const MARK = Buffer.from('\\N\t');
const MARK_AFTER_NEWLINE = Buffer.from('\n\\N\t');

/** TabSeparated escapes back to text (a reason is plain words, but read it exactly anyway). */
function unescapeTsv(field: string): string {
  return field.replace(/\\(.)/g, (_, c: string) =>
    c === 't'
      ? '\t'
      : c === 'n'
        ? '\n'
        : c === 'r'
          ? '\r'
          : c === '0'
            ? '\0'
            : c === 'b'
              ? '\b'
              : c === 'f'
                ? '\f'
                : c,
  );
}

export class SkippedRows extends Transform {
  /** Skipped rows by reason, complete once the stream has ended. */
  readonly byReason: Record<string, number> = {};
  private carry: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let from = 0;
    if (this.carry.length) {
      // the line cut at the end of the last chunk, completed by the head of this one (copies one line only)
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) {
        this.carry = Buffer.concat([this.carry, chunk]);
        done();
        return;
      }
      this.push(this.usable(Buffer.concat([this.carry, chunk.subarray(0, nl + 1)])));
      from = nl + 1;
    }
    const end = chunk.lastIndexOf(NEWLINE) + 1;
    if (end > from) this.push(this.usable(chunk.subarray(from, end)));
    this.carry = Buffer.from(chunk.subarray(Math.max(from, end)));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.carry.length) this.push(this.usable(this.carry));
    done();
  }

  /** `lines` (whole lines) without the skipped ones. */
  private usable(lines: Buffer): Buffer {
    if (!lines.subarray(0, MARK.length).equals(MARK) && lines.indexOf(MARK_AFTER_NEWLINE) < 0) return lines;
    const kept: Buffer[] = [];
    for (let pos = 0; pos < lines.length; ) {
      const nl = lines.indexOf(NEWLINE, pos);
      const stop = nl < 0 ? lines.length : nl + 1;
      const line = lines.subarray(pos, stop);
      if (line.subarray(0, MARK.length).equals(MARK)) {
        const reason = unescapeTsv(
          line.toString('utf8', 0, line.length - (nl < 0 ? 0 : 1)).split('\t')[2] ?? '',
        );
        this.byReason[reason] = (this.byReason[reason] ?? 0) + 1;
      } else kept.push(line);
      pos = stop;
    }
    return Buffer.concat(kept);
  }

  /** Rows taken out, all reasons. */
  get total(): number {
    return Object.values(this.byReason).reduce((a, b) => a + b, 0);
  }
}
