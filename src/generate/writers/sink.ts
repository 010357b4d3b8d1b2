import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Flow } from '../../flow/schema.js';
import type { FlowEncoder } from './types.js';

/** Text is handed to the stream in chunks of about this many characters: few writes, little memory. */
const CHUNK_CHARS = 256 * 1024;

export interface SinkOptions {
  /** Gzip the output. Default: when `out` is a path ending in .gz. */
  gzip?: boolean;
  /** Call `end()` on a Writable passed as `out` (files are always closed). Default true. */
  end?: boolean;
  /** Called every `progressEvery` flows with the number written so far. */
  onProgress?: (flows: number) => void;
  progressEvery?: number;
}

/** Encodes flows into text chunks lazily; `counter.flows` tracks how many went out. */
function* chunks(
  flows: Iterable<Flow>,
  encoder: FlowEncoder,
  counter: { flows: number },
  options: SinkOptions,
): Generator<string> {
  const every = options.progressEvery ?? 1_000_000;
  let buffer = encoder.header();
  for (const flow of flows) {
    buffer += encoder.encode(flow);
    counter.flows++;
    if (buffer.length >= CHUNK_CHARS) {
      yield buffer;
      buffer = '';
    }
    if (options.onProgress && counter.flows % every === 0) options.onProgress(counter.flows);
  }
  buffer += encoder.footer();
  if (buffer.length > 0) yield buffer;
}

/**
 * Streams flows to a file path or a Writable with backpressure (the encoder only runs when the
 * destination asks for more), optionally through gzip. Resolves with the number of flows written.
 */
export async function writeFlows(
  flows: Iterable<Flow>,
  encoder: FlowEncoder,
  out: string | Writable,
  options: SinkOptions = {},
): Promise<number> {
  const counter = { flows: 0 };
  const gzip = options.gzip ?? (typeof out === 'string' && out.toLowerCase().endsWith('.gz'));
  const source = Readable.from(chunks(flows, encoder, counter, options), {
    objectMode: false,
    highWaterMark: 4,
  });
  let destination: Writable;
  if (typeof out === 'string') {
    await mkdir(dirname(out), { recursive: true });
    destination = createWriteStream(out);
  } else {
    destination = out;
  }
  const end = typeof out === 'string' ? true : (options.end ?? true);
  if (gzip) await pipeline(source, createGzip(), destination, { end });
  else await pipeline(source, destination, { end });
  return counter.flows;
}
