import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import ipaddr from 'ipaddr.js';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_INTERNAL_NETWORKS } from '../context/networks.js';
import { CANONICAL_FIELDS } from '../flow/schema.js';
import { errorMessage, InputError } from '../util/errors.js';
import { SCORING_DEFAULTS, type ScoringConfig } from './defaults.js';

/**
 * The config file (YAML or JSON). Every section is optional; defaults live here and in
 * config/defaults.ts. Unknown keys are errors, so a typo never silently does nothing.
 */

/** One address, written in full (IPv4 as four decimal parts: ipaddr.js also takes "10.1"). */
export function isAddress(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);
}

/** An address or a network in CIDR notation with a prefix length that fits the address. */
export function isNetwork(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash === -1) return isAddress(text);
  return isAddress(text.slice(0, slash)) && ipaddr.isValidCIDR(text);
}

const network = z.string().refine(isNetwork, 'not an address or network (write 10.0.0.0/8 or 2001:db8::/32)');
const cidrList = z.array(network).default([]);

/** "src -> dst" with an address on each side (pairs are matched by address). */
const PAIR = /^(\S+)\s*->\s*(\S+)$/;
const pair = z.string().refine((text) => {
  const m = PAIR.exec(text.trim());
  return m !== null && isAddress(m[1] as string) && isAddress(m[2] as string);
}, 'write a pair as two addresses: "10.0.0.5 -> 203.0.113.7"');

const share = z.number().min(0).max(1);

type ScoringOverrides = {
  minFlows?: number | undefined;
  fullVolumeFlows?: number | undefined;
  prevalenceStart?: number | undefined;
  prevalenceFull?: number | undefined;
  weights?: Partial<Record<keyof ScoringConfig['weights'], number | undefined>> | undefined;
  severity?: Partial<Record<keyof ScoringConfig['severity'], number | undefined>> | undefined;
};

/**
 * Scoring values that are each valid but make no sense together, checked after the defaults are
 * filled in: every weight 0 (no score can be above 0, so silently no findings), severity thresholds
 * out of order (a level could never be reached), ramps whose end is not after their start (the
 * volume and prevalence ramps divide by end − start).
 */
function checkScoringTogether(o: ScoringOverrides, ctx: z.RefinementCtx): void {
  const defined = <T extends object>(x: T | undefined) =>
    Object.fromEntries(Object.entries(x ?? {}).filter(([, v]) => v !== undefined));
  const weights = { ...SCORING_DEFAULTS.weights, ...defined(o.weights) } as Record<string, number>;
  if (Object.values(weights).every((w) => w === 0))
    ctx.addIssue({ code: 'custom', path: ['weights'], message: 'at least one weight must be above 0' });
  const severity = { ...SCORING_DEFAULTS.severity, ...defined(o.severity) };
  if (
    !(severity.critical > severity.high && severity.high > severity.medium && severity.medium > severity.low)
  )
    ctx.addIssue({
      code: 'custom',
      path: ['severity'],
      message: `thresholds must fall from critical to low (now critical ${severity.critical}, high ${severity.high}, medium ${severity.medium}, low ${severity.low})`,
    });
  const minFlows = o.minFlows ?? SCORING_DEFAULTS.minFlows;
  const fullVolumeFlows = o.fullVolumeFlows ?? SCORING_DEFAULTS.fullVolumeFlows;
  if (fullVolumeFlows <= minFlows)
    ctx.addIssue({
      code: 'custom',
      path: ['fullVolumeFlows'],
      message: `must be above minFlows (${minFlows})`,
    });
  const start = o.prevalenceStart ?? SCORING_DEFAULTS.prevalenceStart;
  const full = o.prevalenceFull ?? SCORING_DEFAULTS.prevalenceFull;
  if (full <= start)
    ctx.addIssue({
      code: 'custom',
      path: ['prevalenceFull'],
      message: `must be above prevalenceStart (${start})`,
    });
}

export const ConfigSchema = z
  .object({
    /** Networks whose hosts are ours (CIDR). Default RFC 1918, RFC 4193, loopback, link-local. */
    internal_networks: z.array(network).default([...DEFAULT_INTERNAL_NETWORKS]),
    /**
     * Which pairs are scored: outbound = the source is internal (the default; internal→internal
     * stays in, as explicit proxies and internal pivots carry C2), inbound = external source to an
     * internal destination (exposed servers), both = every pair.
     */
    direction: z.enum(['outbound', 'inbound', 'both']).default('outbound'),
    allowlist: z
      .object({
        /** Destination addresses or networks never reported. */
        destinations: cidrList,
        /** Source addresses or networks never reported (scanners, monitoring hosts). */
        sources: cidrList,
        /** Server names (SNI/Host) and their subdomains. */
        domains: z.array(z.string().min(1)).default([]),
        /** "src -> dst" pairs (addresses). */
        pairs: z.array(pair).default([]),
        /** Destination ports (e.g. 123 for NTP). */
        ports: z.array(z.number().int().min(0).max(65535)).default([]),
      })
      .strict()
      .default({ destinations: [], sources: [], domains: [], pairs: [], ports: [] }),
    /** Threat-intel lists: files or folders of files, one IP, CIDR or domain per line, # comments. */
    intel: z.array(z.string().min(1)).default([]),
    /** Overrides of the scoring constants (docs/SCORING.md); anything left out keeps its default. */
    scoring: z
      .object({
        minFlows: z.number().int().min(2).optional(),
        fullVolumeFlows: z.number().int().min(3).optional(),
        uniformShare: z.number().min(0).max(1).optional(),
        weights: z
          .object({
            sizeUniformity: z.number().min(0),
            timing: z.number().min(0),
            outlierness: z.number().min(0),
            failedRetries: z.number().min(0),
          })
          .partial()
          .strict()
          .optional(),
        prevalenceStart: z.number().min(0).max(1).optional(),
        prevalenceFull: z.number().min(0).max(1).optional(),
        prevalenceFloor: z.number().min(0).max(1).optional(),
        prevalenceMinHosts: z.number().int().min(1).optional(),
        intelBoost: z.number().min(0).max(1).optional(),
        minScore: z.number().min(0).max(1).optional(),
        severity: z
          .object({ critical: share, high: share, medium: share, low: share })
          .partial()
          .strict()
          .optional(),
      })
      .strict()
      .superRefine(checkScoringTogether)
      .default({}),
    /**
     * Generic CSV/TSV input (`--format csv`): `columns` maps canonical fields (and `end`) to column
     * names; optional `time_format` (strptime) and `delimiter`. Checked in detail by the reader.
     */
    csv: z
      .object({
        // partialRecord: any subset of the fields (z.record with an enum key demands every key)
        columns: z.partialRecord(z.enum([...CANONICAL_FIELDS, 'end']), z.string().min(1)),
        time_format: z.string().min(1).optional(),
        delimiter: z.string().min(1).max(2).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type BeaconhuntConfig = z.infer<typeof ConfigSchema>;

export const DEFAULT_CONFIG: BeaconhuntConfig = ConfigSchema.parse({});

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(top level)'}: ${issue.message}`)
    .join('; ');
}

/** Read and validate a config file; paths inside it are relative to the file. */
export async function loadConfig(path: string): Promise<BeaconhuntConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read the config file (${errorMessage(err)})`, path);
  }
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new InputError(
      `not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${errorMessage(err).split('\n')[0]}`,
      path,
    );
  }
  const parsed = ConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new InputError(`invalid config: ${describeIssues(parsed.error)}`, path);
  const base = dirname(resolve(path));
  return { ...parsed.data, intel: parsed.data.intel.map((p) => resolve(base, p)) };
}

/** The scoring constants with the config's overrides applied. */
export function scoringFrom(config: BeaconhuntConfig): ScoringConfig {
  const o = config.scoring;
  const { weights, severity, ...rest } = o;
  const defined = <T extends object>(x: T) =>
    Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined));
  return {
    ...SCORING_DEFAULTS,
    ...defined(rest),
    weights: { ...SCORING_DEFAULTS.weights, ...defined(weights ?? {}) },
    severity: { ...SCORING_DEFAULTS.severity, ...defined(severity ?? {}) },
  } as ScoringConfig;
}
