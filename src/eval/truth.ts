import { readFile } from 'node:fs/promises';
import { CsvError, parse } from 'csv-parse/sync';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { errorMessage, InputError } from '../util/errors.js';

/**
 * One labelled pair of a truth file. `dst` is an address, a network (CIDR, for a spray over many
 * addresses) or a server name (for results a tool keys on the FQDN).
 */
export interface TruthRow {
  /** The case the row belongs to (truth-all.csv), null in a one-case file. */
  case: string | null;
  src: string;
  dst: string;
  dport: number | null;
  proto: string | null;
  role: string;
  /** A pair the detector must find (ranked within the top P + 2). */
  primary: boolean;
  /** A pair that may carry a high/critical finding. */
  malicious: boolean;
  notes: string;
  /** Where the row is, for messages: "file:line" or "file: pairs[3]". */
  where: string;
}

/**
 * Roles of the calibration corpus that mark malware traffic (README of the corpus): named or probable
 * C2, ransom/C2-lookup sites, infection steps, and the long sessions RITA flags. Everything else
 * (benign_*, rita_expected, absent_from_input, and any unlabelled pair) is not malicious.
 */
export function isMaliciousRole(role: string): boolean {
  return /^(c2_|malicious_|infection_)/.test(role) || role === 'long_connection';
}

const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)*[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?$/i;

/** An address, a network or a server name, or a message saying why not. */
function destinationProblem(dst: string): string | null {
  if (dst.includes('/')) {
    try {
      ipaddr.parseCIDR(dst);
      return null;
    } catch {
      return `dst "${dst}" is not a valid network (CIDR)`;
    }
  }
  if (ipaddr.isValid(dst)) return null;
  return HOSTNAME.test(dst.replace(/\.$/, '')) ? null : `dst "${dst}" is not an address, a network or a name`;
}

const PRIMARY = new Map([
  ['yes', true],
  ['no', false],
]);
const REQUIRED_COLUMNS = ['src', 'dst', 'role', 'primary'] as const;

/** A port, null when blank, undefined when not a port. */
function portOf(value: string | undefined): number | null | undefined {
  if (value === undefined || value.trim() === '') return null;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/**
 * A truth CSV: the corpus's truth-all.csv (case,src,dst,dport,proto,role,primary,notes) or one
 * case's truth.csv (the same without case, plus measured columns that are ignored here).
 */
export function parseTruthCsv(text: string, file: string): TruthRow[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, { columns: true, info: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    const line = err instanceof CsvError && typeof err.lines === 'number' ? err.lines : undefined;
    throw new InputError(`not a readable truth CSV: ${errorMessage(err)}`, file, line);
  }
  const header = records[0] ? Object.keys(records[0].record) : [];
  const missing = records.length ? REQUIRED_COLUMNS.filter((c) => !header.includes(c)) : [];
  if (missing.length)
    throw new InputError(
      `truth CSV lacks column(s) ${missing.join(', ')} (needs ${REQUIRED_COLUMNS.join(', ')})`,
      file,
      1,
    );
  if (records.length === 0) throw new InputError('truth CSV has no rows', file);
  return records.map(({ record, info }) => {
    const line = info.lines;
    const fail = (message: string): never => {
      throw new InputError(message, file, line);
    };
    const src = record.src ?? '';
    const dst = record.dst ?? '';
    const role = record.role ?? '';
    if (!ipaddr.isValid(src)) fail(`src "${src}" is not an address`);
    const dstProblem = destinationProblem(dst);
    if (dstProblem) fail(dstProblem);
    if (role === '') fail('role is empty');
    const primary = PRIMARY.get((record.primary ?? '').toLowerCase());
    if (primary === undefined) fail(`primary "${record.primary}" must be yes or no`);
    const dport = portOf(record.dport);
    if (dport === undefined) fail(`dport "${record.dport}" is not a port`);
    return {
      case: 'case' in record ? (record.case as string) : null,
      src,
      dst,
      dport: dport as number | null,
      proto: record.proto ? record.proto : null,
      role,
      primary: primary as boolean,
      malicious: isMaliciousRole(role),
      notes: record.notes ?? '',
      where: `${file}:${line}`,
    };
  });
}

/** The generator's truth.json (src/generate/truth.ts), only the fields evaluation needs. */
const GeneratorTruth = z.object({
  generator: z.literal('beaconhunt'),
  pairs: z.array(
    z.object({
      label: z.string(),
      kind: z.string(),
      planted: z.boolean(),
      src: z.string().refine((s) => ipaddr.isValid(s), 'not an address'),
      dst: z.string().refine((s) => ipaddr.isValid(s), 'not an address'),
      dport: z.number().int().min(0).max(65535).nullable(),
      proto: z.string().nullable(),
    }),
  ),
});

/** Planted pairs are the malicious ones the hunt must find; recorded benign heartbeats are not. */
export function parseGeneratorTruth(text: string, file: string): TruthRow[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InputError(`not valid JSON: ${errorMessage(err)}`, file);
  }
  const parsed = GeneratorTruth.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') ?? '';
    throw new InputError(
      `not a beaconhunt truth file: ${path.replace(/^\./, '')} ${issue?.message ?? ''}`.trim(),
      file,
    );
  }
  return parsed.data.pairs.map((p, i) => ({
    case: null,
    src: p.src,
    dst: p.dst,
    dport: p.dport,
    proto: p.proto,
    role: p.kind,
    primary: p.planted,
    malicious: p.planted,
    notes: p.label,
    where: `${file}: pairs[${i}]`,
  }));
}

/** JSON (the generator's) or CSV, told apart by the first character. */
export function parseTruth(text: string, file: string): TruthRow[] {
  return /^\uFEFF?\s*\{/.test(text) ? parseGeneratorTruth(text, file) : parseTruthCsv(text, file);
}

/** The cases a truth file holds, in file order. */
export function truthCases(rows: readonly TruthRow[]): string[] {
  return [...new Set(rows.flatMap((r) => (r.case === null ? [] : [r.case])))];
}

/** One case's rows: `--case` picks it in a multi-case file and must name a case the file holds. */
export function selectCase(
  rows: readonly TruthRow[],
  caseName: string | undefined,
  file: string,
): TruthRow[] {
  const cases = truthCases(rows);
  if (caseName === undefined) {
    if (cases.length > 1)
      throw new InputError(`holds ${cases.length} cases; choose one with --case (${cases.join(', ')})`, file);
    return [...rows];
  }
  if (cases.length === 0)
    throw new InputError(`has no case column, so --case ${caseName} cannot apply`, file);
  if (!cases.includes(caseName))
    throw new InputError(`no case "${caseName}" (cases: ${cases.join(', ')})`, file);
  return rows.filter((r) => r.case === caseName);
}

/** Read and parse a truth file; every problem is an InputError naming the file (and line). */
export async function loadTruth(file: string): Promise<TruthRow[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      code === 'ENOENT' ? 'no such truth file' : `cannot read: ${errorMessage(err)}`,
      file,
    );
  }
  return parseTruth(text, file);
}
