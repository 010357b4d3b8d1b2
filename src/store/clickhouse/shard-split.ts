import { once } from 'node:events';
import type { Writable } from 'node:stream';

/*
 * A cluster import's export holds one line per row with the shard it belongs to in front:
 * `<shard_num>\t<row>\n` (DuckDB computes the shard from the sharding key). This sends each row,
 * without that column, to its shard's stream. One pass of Buffer.indexOf over the bytes; the
 * rows' own fields are never looked at. Cheaper than DuckDB's partitioned COPY, which buffers
 * and rewrites every row (measured: +2 CPU s per million rows against ~0.8 s here), and it runs
 * while the shards parse.
 */

const NEWLINE = 0x0a;
const TAB = 0x09;
const ZERO = 0x30;

/** Streams `source` into `outputs` by shard (with back-pressure) and ends every output. */
export async function splitByShard(
  source: AsyncIterable<Buffer>,
  outputs: Map<number, Writable>,
): Promise<void> {
  const pieces = new Map<number, Buffer[]>([...outputs.keys()].map((k) => [k, []]));
  const route = async (lines: Buffer): Promise<void> => {
    for (let pos = 0; pos < lines.length; ) {
      let shard = 0;
      let p = pos;
      for (; p < lines.length && lines[p] !== TAB; p++) shard = shard * 10 + ((lines[p] as number) - ZERO);
      const nl = lines.indexOf(NEWLINE, p);
      const stop = nl < 0 ? lines.length : nl + 1;
      const list = pieces.get(shard);
      if (!list || p >= lines.length) throw new Error(`export line for an unknown shard (${shard})`);
      list.push(lines.subarray(p + 1, stop));
      pos = stop;
    }
    for (const [shard, list] of pieces) {
      if (!list.length) continue;
      const out = outputs.get(shard) as Writable;
      const ok = out.write(Buffer.concat(list));
      list.length = 0;
      if (!ok) await once(out, 'drain');
    }
  };
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const end = data.lastIndexOf(NEWLINE) + 1;
    if (end > 0) await route(data.subarray(0, end));
    carry = Buffer.from(data.subarray(end));
  }
  if (carry.length) await route(carry);
  for (const out of outputs.values()) out.end();
}
