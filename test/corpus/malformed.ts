import { gzipSync } from 'node:zlib';

/*
 * The malformed-input corpus, generated: for every format, a clean file (good rows on one pair)
 * and cases that each add bad rows on another pair, or break the file as a whole. Each case says
 * what must happen: the rows counted by reason (exit 0), or an error naming the file (exit 2).
 */

/** One flow's raw values as text; a case overrides some of them with bad text. */
export interface RawFlow {
  ts: number | string;
  src: string;
  sport: number | string;
  dst: string;
  dport: number | string;
  proto: string;
  orig_bytes: number | string;
  resp_bytes: number | string;
}

export interface FormatTemplate {
  /** Reader name the file must be read as. */
  reader: string;
  ext: string;
  /** Header lines (may be empty), trailer lines. */
  header: string[];
  trailer?: string[];
  row(f: RawFlow): string;
  /** The fields this format carries (mutations of the others are meaningless). */
  fields: (keyof RawFlow)[];
  /** How a time is written. */
  time(epoch: number): string;
  json?: boolean;
  delimiter?: string;
}

const iso = (epoch: number) => new Date(epoch * 1000).toISOString();
const spaced = (epoch: number, sep: string) =>
  iso(epoch).replace('T', ' ').replace('Z', '').replaceAll('-', sep);
const num = (v: number | string) => String(v);
const jsonValue = (v: number | string) =>
  typeof v === 'number' || /^-?\d+(\.\d+)?$/.test(v) ? String(v) : JSON.stringify(v);

export const GOOD_PAIR = { src: '10.0.0.5', dst: '203.0.113.7' };
const BAD_PAIR = { src: '10.0.0.6', dst: '198.51.100.9' };
export const GOOD_ROWS = 24;
const T0 = 1709596800; // 2024-03-05

export function goodFlow(i: number): RawFlow {
  return {
    ts: T0 + i * 60 + 0.25,
    ...GOOD_PAIR,
    sport: 40000 + i,
    dport: 443,
    proto: 'tcp',
    orig_bytes: 120,
    resp_bytes: i % 5 ? 52 : 900,
  };
}
function badPairFlow(i: number): RawFlow {
  return {
    ts: T0 + i * 60 + 30.5,
    ...BAD_PAIR,
    sport: 50000 + i,
    dport: 8443,
    proto: 'tcp',
    orig_bytes: 77,
    resp_bytes: 33,
  };
}

export const TEMPLATES: Record<string, FormatTemplate> = {
  zeek: {
    reader: 'zeek-tsv',
    ext: 'log',
    header: [
      '#separator \\x09',
      '#set_separator\t,',
      '#empty_field\t(empty)',
      '#unset_field\t-',
      '#path\tconn',
      '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\torig_bytes\tresp_bytes\tconn_state',
      '#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tcount\tstring',
    ],
    trailer: ['#close\t2024-03-06-00-00-00'],
    row: (f) =>
      [f.ts, 'Cx', f.src, f.sport, f.dst, f.dport, f.proto, f.orig_bytes, f.resp_bytes, 'SF']
        .map(num)
        .join('\t'),
    fields: ['ts', 'src', 'sport', 'dst', 'dport', 'orig_bytes', 'resp_bytes'],
    time: (e) => e.toFixed(6),
    delimiter: '\t',
  },
  'zeek-json': {
    reader: 'zeek-json',
    ext: 'json',
    header: [],
    row: (f) =>
      `{"ts":${jsonValue(f.ts)},"uid":"Cx","id.orig_h":${jsonValue(f.src)},"id.orig_p":${jsonValue(f.sport)},"id.resp_h":${jsonValue(f.dst)},"id.resp_p":${jsonValue(f.dport)},"proto":"${f.proto}","orig_bytes":${jsonValue(f.orig_bytes)},"resp_bytes":${jsonValue(f.resp_bytes)}}`,
    fields: ['ts', 'src', 'sport', 'dst', 'dport', 'orig_bytes', 'resp_bytes'],
    time: (e) => e.toFixed(6),
    json: true,
  },
  splunk: {
    reader: 'splunk-csv',
    ext: 'csv',
    header: [
      '"_time","sourcetype","src_ip","src_port","dest_ip","dest_port","transport","bytes_in","bytes_out"',
    ],
    row: (f) =>
      [f.ts, 'stream:tcp', f.src, f.sport, f.dst, f.dport, f.proto, f.orig_bytes, f.resp_bytes]
        .map((v) => `"${v}"`)
        .join(','),
    fields: ['ts', 'src', 'sport', 'dst', 'dport', 'orig_bytes', 'resp_bytes'],
    time: (e) => iso(e).replace('Z', '+00:00'),
    delimiter: ',',
  },
  nfdump: {
    reader: 'nfdump-csv',
    ext: 'csv',
    header: [
      'ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr',
    ],
    trailer: ['Summary', 'flows,bytes,packets,avg_bps,avg_pps,avg_bpp', '24,2880,72,1,0,40'],
    row: (f) =>
      `${f.ts},${f.ts},0.100,${f.src},${f.dst},${f.sport},${f.dport},TCP,...AP.SF,0,0,3,${f.orig_bytes},0,0,0,0,0,0,0,0,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,    0.000,    0.000,    0.000,127.0.0.1,0/0,0,1970-01-01 00:00:00.000`,
    fields: ['ts', 'src', 'sport', 'dst', 'dport', 'orig_bytes'],
    time: (e) => spaced(Math.floor(e), '-').slice(0, 19),
    delimiter: ',',
  },
  'nfdump-fmt': {
    reader: 'nfdump-fmt',
    ext: 'txt',
    header: [
      'Date first seen (raw)         Duration     Proto      Src IP Addr Src Pt      Dst IP Addr Dst Pt    Flags   In Pkt  In Byte',
    ],
    trailer: [
      'Summary: total flows: 24, total bytes: 2880, total packets: 72, avg bps: 1, avg pps: 0, avg bpp: 40',
      'Time window: 2024-03-05 00:00:00 - 2024-03-05 00:23:00',
      'Total flows processed: 24, passed: 24, Blocks skipped: 0, Bytes read: 1500',
      'Sys: 0.0000s User: 0.0028s Wall: 0.0007s flows/second: 21126.4 Runtime: 0.0007s',
    ],
    row: (f) =>
      `${f.ts},           0.100,6    ,${String(f.src).padStart(16)},${String(f.sport).padStart(6)},${String(f.dst).padStart(16)},${String(f.dport).padStart(6)},...AP.SF,       3,${String(f.orig_bytes).padStart(8)}`,
    fields: ['ts', 'src', 'sport', 'dst', 'dport', 'orig_bytes'],
    time: (e) => e.toFixed(3),
    delimiter: ',',
  },
  argus: {
    reader: 'argus-csv',
    ext: 'csv',
    header: [
      'StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,SrcPkts,DstPkts,SrcBytes,DstBytes,SAppBytes,DAppBytes,TotPkts,TotBytes',
    ],
    row: (f) =>
      `${f.ts},0.100000,${f.proto},${f.src},${f.sport},  <->,${f.dst},${f.dport},FIN,3,3,300,300,${f.orig_bytes},${f.resp_bytes},6,600`,
    fields: ['ts', 'src', 'sport', 'dst', 'dport', 'orig_bytes', 'resp_bytes'],
    time: (e) => e.toFixed(6),
    delimiter: ',',
  },
  binetflow: {
    reader: 'argus-binetflow',
    ext: 'binetflow',
    header: [
      'StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,SrcBytes,Label',
    ],
    row: (f) => {
      const total =
        typeof f.orig_bytes === 'number' && typeof f.resp_bytes === 'number'
          ? f.orig_bytes + f.resp_bytes
          : 500;
      return `${f.ts},0.100000,${f.proto},${f.src},${f.sport},  <->,${f.dst},${f.dport},FSPA_FSPA,0,0,6,${total},${f.orig_bytes},`;
    },
    fields: ['ts', 'src', 'sport', 'dst', 'dport', 'orig_bytes'],
    time: (e) =>
      `${spaced(Math.floor(e), '/').slice(0, 19)}.${String(Math.round((e % 1) * 1e6)).padStart(6, '0')}`,
    delimiter: ',',
  },
  suricata: {
    reader: 'suricata-eve',
    ext: 'json',
    header: [],
    row: (f) =>
      `{"timestamp":"2024-03-06T00:00:00.000000+0000","flow_id":1,"event_type":"flow","src_ip":${jsonValue(f.src)},"src_port":${jsonValue(f.sport)},"dest_ip":${jsonValue(f.dst)},"dest_port":${jsonValue(f.dport)},"proto":"TCP","flow":{"pkts_toserver":3,"pkts_toclient":3,"bytes_toserver":${jsonValue(f.orig_bytes)},"bytes_toclient":${jsonValue(f.resp_bytes)},"start":${jsonValue(f.ts)},"end":${jsonValue(f.ts)},"state":"closed"}}`,
    fields: ['ts', 'src', 'sport', 'dst', 'dport', 'orig_bytes', 'resp_bytes'],
    time: (e) => iso(e).replace('Z', '000+0000'),
    json: true,
  },
  vpc: {
    reader: 'vpc-flow',
    ext: 'log',
    header: [
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
    ],
    row: (f) =>
      `2 123456789012 eni-0a1b2c3d ${f.src} ${f.dst} ${f.sport} ${f.dport} 6 3 ${f.orig_bytes} ${f.ts} ${typeof f.ts === 'number' ? Math.floor(f.ts) + 1 : f.ts} ACCEPT OK`,
    fields: ['ts', 'src', 'sport', 'dst', 'dport', 'orig_bytes'],
    time: (e) => String(Math.floor(e)),
    delimiter: ' ',
  },
};

export type Expectation =
  | { kind: 'rows'; rows: number; used: number; skipped: Record<string, number> | 'any' }
  | { kind: 'error'; message: RegExp };

export interface MalformedCase {
  format: string;
  name: string;
  file: string;
  content: Buffer;
  expect: Expectation;
  /** The good pair's features must equal the clean file's. */
  goodPairUnchanged: boolean;
}

function render(t: FormatTemplate, flows: RawFlow[], eol = '\n'): string {
  const rows = flows.map((f) => t.row({ ...f, ts: typeof f.ts === 'number' ? t.time(f.ts) : f.ts }));
  return [...t.header, ...rows, ...(t.trailer ?? [])].map((l) => l + eol).join('');
}

export function cleanFile(format: string): string {
  const t = TEMPLATES[format] as FormatTemplate;
  return render(
    t,
    Array.from({ length: GOOD_ROWS }, (_, i) => goodFlow(i)),
  );
}

/** Good rows with extra rows (raw text lines) inserted in the middle. */
function withLines(t: FormatTemplate, lines: string[]): string {
  const good = Array.from({ length: GOOD_ROWS }, (_, i) => goodFlow(i)).map((f) =>
    t.row({ ...f, ts: t.time(f.ts as number) }),
  );
  const half = GOOD_ROWS / 2;
  return [...t.header, ...good.slice(0, half), ...lines, ...good.slice(half), ...(t.trailer ?? [])]
    .map((l) => `${l}\n`)
    .join('');
}

const VALUE_MUTATIONS: { field: keyof RawFlow; values: (string | number)[]; reason: string }[] = [
  {
    field: 'orig_bytes',
    values: ['-7', 'NaN', '12.5', '18446744073709551616', '99999999999999999999999', 'lots', '1e400'],
    reason: 'bad number',
  },
  { field: 'resp_bytes', values: ['-1', 'Infinity', '3.25'], reason: 'bad number' },
  {
    field: 'src',
    values: [
      'not-an-ip',
      '999.1.1.1',
      '10.0.0',
      '<img src=x onerror=alert(1)>',
      '::ffff:999.0.0.1',
      '2001:db8::zz',
    ],
    reason: 'bad address',
  },
  { field: 'dst', values: ['256.256.256.256', 'example.com'], reason: 'bad address' },
  { field: 'dport', values: ['70000', '-1', '1.5', 'https'], reason: 'bad port' },
  { field: 'sport', values: ['65536'], reason: 'bad port' },
  { field: 'ts', values: ['yesterday', 'NaN', '2024-13-45 99:99:99', '-5'], reason: 'bad timestamp' },
  { field: 'src', values: [''], reason: 'missing field' },
  { field: 'ts', values: [''], reason: 'missing field' },
];

/** Unusual but valid values: the rows are used (on their own pairs). */
const VALID_ODDITIES: { name: string; flow: (t: FormatTemplate) => RawFlow }[] = [
  {
    name: 'ipv6',
    flow: (t) => ({ ...badPairFlow(1), src: '2001:DB8::5', dst: '2001:db8::7', ts: t.time(T0 + 5) }),
  },
  { name: 'ipv4-mapped', flow: (t) => ({ ...badPairFlow(2), src: '::ffff:10.0.0.99', ts: t.time(T0 + 6) }) },
  {
    name: 'zero-bytes',
    flow: (t) => ({ ...badPairFlow(5), orig_bytes: 0, resp_bytes: 0, ts: t.time(T0 + 7) }),
  },
];

/** Times no sensor writes (an unset clock, a corrupt value): skipped as "implausible time" (issue 15). */
const IMPLAUSIBLE_TIMES: { name: string; flow: (t: FormatTemplate) => RawFlow }[] = [
  { name: 'epoch-1970', flow: (t) => ({ ...badPairFlow(3), ts: t.time(5) }) },
  { name: 'future-2100', flow: (t) => ({ ...badPairFlow(4), ts: t.time(4102444800) }) },
];

const ANY_ONE = (rows: number): Expectation => ({ kind: 'rows', rows: rows + 1, used: rows, skipped: 'any' });

export function buildCorpus(): MalformedCase[] {
  const cases: MalformedCase[] = [];
  const add = (
    format: string,
    name: string,
    content: string | Buffer,
    expect: Expectation,
    goodPairUnchanged = true,
    ext?: string,
  ) => {
    const t = TEMPLATES[format] as FormatTemplate;
    cases.push({
      format,
      name,
      file: `${format}--${name}.${ext ?? t.ext}`,
      content: Buffer.isBuffer(content) ? content : Buffer.from(content),
      expect,
      goodPairUnchanged,
    });
  };
  for (const [format, t] of Object.entries(TEMPLATES)) {
    const clean = cleanFile(format);
    add(format, 'clean', clean, { kind: 'rows', rows: GOOD_ROWS, used: GOOD_ROWS, skipped: {} });

    // one bad value per case, on another pair, in the middle of the good rows
    for (const m of VALUE_MUTATIONS) {
      if (!t.fields.includes(m.field)) continue;
      for (const value of m.values) {
        const bad = { ...badPairFlow(0), ts: t.time(T0 + 99), [m.field]: value };
        const name = `${m.field}=${
          String(value)
            .replace(/[^a-zA-Z0-9.:-]/g, '_')
            .slice(0, 24) || 'empty'
        }`;
        add(format, name, withLines(t, [t.row(bad)]), {
          kind: 'rows',
          rows: GOOD_ROWS + 1,
          used: GOOD_ROWS,
          skipped: { [m.reason]: 1 },
        });
      }
    }
    for (const odd of VALID_ODDITIES) {
      add(format, `valid-${odd.name}`, withLines(t, [t.row(odd.flow(t))]), {
        kind: 'rows',
        rows: GOOD_ROWS + 1,
        used: GOOD_ROWS + 1,
        skipped: {},
      });
    }
    for (const odd of IMPLAUSIBLE_TIMES) {
      add(format, `implausible-${odd.name}`, withLines(t, [t.row(odd.flow(t))]), {
        kind: 'rows',
        rows: GOOD_ROWS + 1,
        used: GOOD_ROWS,
        skipped: { 'implausible time': 1 },
      });
    }
    // every bad value at once, twice over
    const all = VALUE_MUTATIONS.filter((m) => t.fields.includes(m.field)).flatMap((m) =>
      m.values.map((v) => ({ m, v })),
    );
    const allLines = [...all, ...all].map(({ m, v }) =>
      t.row({ ...badPairFlow(0), ts: t.time(T0 + 99), [m.field]: v }),
    );
    const reasons: Record<string, number> = {};
    for (const { m } of [...all, ...all]) reasons[m.reason] = (reasons[m.reason] ?? 0) + 1;
    add(format, 'all-bad-values', withLines(t, allLines), {
      kind: 'rows',
      rows: GOOD_ROWS + allLines.length,
      used: GOOD_ROWS,
      skipped: reasons,
    });

    // structure
    const cleanRows: Expectation = { kind: 'rows', rows: GOOD_ROWS, used: GOOD_ROWS, skipped: {} };
    add(format, 'crlf', clean.replaceAll('\n', '\r\n'), cleanRows);
    const shuffled = Array.from({ length: GOOD_ROWS }, (_, i) => goodFlow((i * 7) % GOOD_ROWS));
    add(format, 'unsorted', render(t, shuffled), cleanRows);
    add(
      format,
      'blank-lines',
      clean.replace(/\n/g, (m, at: number) => (at % 3 ? m : '\n\n')),
      cleanRows,
    );
    add(format, 'no-final-newline', clean.replace(/\n$/, ''), cleanRows);
    add(format, 'bom', `\uFEFF${clean}`, cleanRows);
    add(format, 'gz', gzipSync(clean), cleanRows, true, `${t.ext}.gz`);
    add(
      format,
      'header-only',
      [...t.header, ...(t.trailer ?? [])].map((l) => `${l}\n`).join('') || '\n',
      t.header.length || t.trailer
        ? { kind: 'rows', rows: 0, used: 0, skipped: {} }
        : { kind: 'error', message: /empty file/ },
      false,
    );
    add(format, 'empty', '', { kind: 'error', message: /empty file/ }, false);
    const junk = Buffer.from(Array.from({ length: 6000 }, (_, i) => (i * 7919 + 13) % 256));
    add(
      format,
      'binary-junk',
      junk,
      { kind: 'error', message: /binary data|unrecognised format|corrupt/ },
      false,
    );
    const gz = gzipSync(clean);
    add(
      format,
      'gzip-truncated',
      gz.subarray(0, Math.floor(gz.length * 0.6)),
      { kind: 'error', message: /gzip|compress|truncat|cannot read/i },
      false,
      `${t.ext}.gz`,
    );
    const corrupt = Buffer.from(gz);
    for (let i = 20; i < corrupt.length - 10; i += 7) corrupt[i] = (corrupt[i] as number) ^ 0x5a;
    add(
      format,
      'gzip-corrupt',
      corrupt,
      { kind: 'error', message: /gzip|compress|corrupt|cannot read|binary|unrecognised/i },
      false,
      `${t.ext}.gz`,
    );
    const giant = t.row({
      ...badPairFlow(0),
      ts: t.time(T0 + 99),
      src: `10.0.0.6${'A'.repeat(10 * 1024 * 1024)}`,
    });
    add(format, 'line-10MB', withLines(t, [giant]), {
      kind: 'rows',
      rows: GOOD_ROWS + 1,
      used: GOOD_ROWS,
      skipped: { 'malformed line': 1 },
    });
    const [before, after] = withLines(t, [
      t.row({ ...badPairFlow(0), ts: t.time(T0 + 99), src: '10.0.0.6BADUTF8' }),
    ]).split('BADUTF8');
    const utf8 = Buffer.concat([
      Buffer.from(before as string),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(after as string),
    ]);
    add(format, 'invalid-utf8', utf8, ANY_ONE(GOOD_ROWS));
    add(
      format,
      'nul-bytes',
      withLines(t, [t.row({ ...badPairFlow(0), src: '10.0.\u00000.6' })]),
      ANY_ONE(GOOD_ROWS),
    );
    const full = t.row(badPairFlow(0));
    add(format, 'short-row', withLines(t, [full.slice(0, Math.floor(full.length / 2))]), ANY_ONE(GOOD_ROWS));
    add(
      format,
      'cut-last-row',
      `${clean
        .replace(/\n$/, '')
        .split('\n')
        .slice(0, t.header.length + GOOD_ROWS)
        .join('\n')}\n${full.slice(0, 25)}`,
      ANY_ONE(GOOD_ROWS),
    );
    add(
      format,
      'stray-quote',
      withLines(t, [t.row({ ...badPairFlow(0), src: '"10.0.0.6' })]),
      ANY_ONE(GOOD_ROWS),
    );
    if (!t.json && t.delimiter) {
      const wrong = t.delimiter === ';' ? ',' : ';';
      const rows = clean.split('\n');
      const swapped = rows
        .map((l, i) =>
          i >= t.header.length && i < t.header.length + GOOD_ROWS
            ? l.replaceAll(t.delimiter as string, wrong)
            : l,
        )
        .join('\n');
      if (format === 'nfdump-fmt') {
        // fmt: has no delimiter in its header: values consistently split by ';' are read as such
        add(format, 'other-delimiter', swapped, cleanRows);
      } else {
        add(
          format,
          'wrong-delimiter',
          swapped,
          { kind: 'rows', rows: GOOD_ROWS, used: 0, skipped: { 'malformed line': GOOD_ROWS } },
          false,
        );
      }
      add(
        format,
        'extra-column',
        withLines(t, [`${t.row({ ...badPairFlow(0), ts: t.time(T0 + 99) })}${t.delimiter}extra`]),
        { kind: 'rows', rows: GOOD_ROWS + 1, used: GOOD_ROWS + 1, skipped: {} },
      );
    }
    if (format === 'suricata') {
      const events = [
        '{"timestamp":"2024-03-05T00:00:00.000000+0000","event_type":"stats","stats":{"uptime":1}}',
        '{"timestamp":"2024-03-05T00:00:01.000000+0000","event_type":"alert","src_ip":"10.0.0.6","dest_ip":"198.51.100.9","flow":{"start":"2024-03-05T00:00:01.000000+0000"}}',
      ];
      add(format, 'non-flow-events', withLines(t, events), {
        kind: 'rows',
        rows: GOOD_ROWS + 2,
        used: GOOD_ROWS,
        skipped: { 'non-flow event': 2 },
      });
    }
    if (t.json) {
      add(format, 'not-json', withLines(t, ['garbage', '[1,2,3]', '{"ts":1709596800,"id.orig_h":']), {
        kind: 'rows',
        rows: GOOD_ROWS + 3,
        used: GOOD_ROWS,
        skipped: { 'invalid json': 3 },
      });
      add(format, 'missing-keys', withLines(t, ['{"ts":1709596800}']), {
        kind: 'rows',
        rows: GOOD_ROWS + 1,
        used: GOOD_ROWS,
        skipped: 'any',
      });
    }
  }
  // header faults of the header-driven formats
  const headerFault = (format: string, name: string, header: string[], message: RegExp) => {
    const t = TEMPLATES[format] as FormatTemplate;
    const body = cleanFile(format).split('\n').slice(t.header.length).join('\n');
    add(format, name, `${header.join('\n')}\n${body}`, { kind: 'error', message }, false);
  };
  headerFault(
    'zeek',
    'missing-column',
    [
      TEMPLATES.zeek?.header.slice(0, 5).join('\n') as string,
      '#fields\tts\tuid\tid.orig_p\tid.resp_h\tid.resp_p\tproto\torig_bytes\tresp_bytes\tconn_state',
    ],
    /no "id\.orig_h" field/,
  );
  headerFault(
    'zeek',
    'duplicated-column',
    [
      TEMPLATES.zeek?.header.slice(0, 5).join('\n') as string,
      '#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\torig_bytes\torig_bytes\tconn_state',
    ],
    /duplicated column "orig_bytes"/,
  );
  headerFault(
    'splunk',
    'duplicated-column',
    ['"_time","sourcetype","src_ip","src_port","dest_ip","dest_port","transport","bytes_in","bytes_in"'],
    /duplicated column "bytes_in"/,
  );
  headerFault(
    'splunk',
    'missing-column',
    ['"sourcetype","src_ip","src_port","dest_ip","dest_port","transport","bytes_in","bytes_out"'],
    /no _time or timestamp column/,
  );
  headerFault('nfdump', 'missing-column', ['ts,te,td,sx,da,sp,dp,pr'], /unrecognised format/);
  headerFault(
    'nfdump',
    'duplicated-column',
    ['ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,ibyt'],
    /duplicated column "ibyt"/,
  );
  headerFault(
    'argus',
    'missing-column',
    ['StartTime,Dur,Proto,SrcAddr,Sport,Dir,Destination'],
    /unrecognised format/,
  );
  headerFault(
    'argus',
    'duplicated-column',
    ['StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,SrcPkts,DstPkts,SrcBytes,SrcBytes'],
    /duplicated column "SrcBytes"/,
  );
  headerFault(
    'binetflow',
    'duplicated-column',
    ['StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,TotBytes,Label'],
    /duplicated column "TotBytes"/,
  );
  headerFault(
    'vpc',
    'missing-column',
    [
      'version account-id interface-id dstaddr srcport dstport protocol packets bytes start end action log-status',
    ],
    /unrecognised format/,
  );
  headerFault(
    'vpc',
    'duplicated-column',
    [
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol bytes bytes start end action log-status',
    ],
    /duplicated column "bytes"/,
  );
  headerFault('nfdump-fmt', 'unknown-layout', ['Date first seen   Src IP Addr'], /unrecognised format/);
  return cases;
}

/** The seed output's own cases (precomputed rows, a different shape). */
export function seedOutputCases(): MalformedCase[] {
  const header = 'src_ip,dest_ip,dest_port,bytes_out,i_bytecount,t_bytecount,distinct_byte_count,avgcount';
  const good = ['10.0.0.5,203.0.113.7,443,52,19,24,2,0.79', '10.0.0.5,203.0.113.7,443,900,5,24,2,0.21'];
  const bad: [string, string, string][] = [
    ['bad-ip', 'not-an-ip,198.51.100.9,443,52,1,1,1,1', 'bad address'],
    ['bad-port', '10.0.0.6,198.51.100.9,99999,52,1,1,1,1', 'bad port'],
    ['i-over-t', '10.0.0.6,198.51.100.9,443,52,5,3,1,1', 'bad number'],
    ['avg-over-1', '10.0.0.6,198.51.100.9,443,52,1,1,1,1.5', 'bad number'],
    ['negative', '10.0.0.6,198.51.100.9,443,-52,1,1,1,1', 'bad number'],
    ['nan', '10.0.0.6,198.51.100.9,443,NaN,1,1,1,1', 'bad number'],
    ['huge', '10.0.0.6,198.51.100.9,443,18446744073709551616,1,1,1,1', 'bad number'],
    ['zero-t', '10.0.0.6,198.51.100.9,443,52,0,0,0,0', 'bad number'],
    ['no-src', ',198.51.100.9,443,52,1,1,1,1', 'missing field'],
    ['short', '10.0.0.6,198.51.100.9', 'malformed line'],
    ['stray-quote', '"10.0.0.6,198.51.100.9,443,52,1,1,1,1', 'malformed line'],
  ];
  const file = (rows: string[]) => `${[header, good[0], ...rows, good[1]].join('\n')}\n`;
  const cases: MalformedCase[] = bad.map(([name, row, reason]) => ({
    format: 'seed-output',
    name,
    file: `seed-output--${name}.csv`,
    content: Buffer.from(file([row])),
    expect: { kind: 'rows', rows: 3, used: 2, skipped: { [reason]: 1 } },
    goodPairUnchanged: true,
  }));
  cases.push({
    format: 'seed-output',
    name: 'clean',
    file: 'seed-output--clean.csv',
    content: Buffer.from(file([])),
    expect: { kind: 'rows', rows: 2, used: 2, skipped: {} },
    goodPairUnchanged: true,
  });
  cases.push({
    format: 'seed-output',
    name: 'crlf',
    file: 'seed-output--crlf.csv',
    content: Buffer.from(file([]).replaceAll('\n', '\r\n')),
    expect: { kind: 'rows', rows: 2, used: 2, skipped: {} },
    goodPairUnchanged: true,
  });
  return cases;
}
