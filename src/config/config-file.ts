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

/**
 * The `scoring:` overrides, derived from SCORING_DEFAULTS: every number there may be overridden by a
 * finite number ≥ 0 (strict objects, so a misspelt key is an error naming it).
 */
function scoringOverridesSchema(defaults: object): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, value] of Object.entries(defaults)) {
    shape[key] = (
      typeof value === 'number' ? z.number().finite().min(0) : scoringOverridesSchema(value as object)
    ).optional();
  }
  return z.object(shape).strict();
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
    scoring: scoringOverridesSchema(SCORING_DEFAULTS)
      .superRefine((o, ctx) => {
        // the merged thresholds must still be ordered and within 0–1
        const sev = { ...SCORING_DEFAULTS.severity, ...(o.severity as object | undefined) } as Record<
          string,
          number
        >;
        const order = ['low', 'medium', 'high', 'critical'];
        for (const [k, v] of Object.entries(sev))
          if (!(v >= 0 && v <= 1))
            ctx.addIssue({ code: 'custom', path: ['severity', k], message: 'must be within 0–1' });
        for (let i = 1; i < order.length; i++)
          if ((sev[order[i] as string] as number) < (sev[order[i - 1] as string] as number))
            ctx.addIssue({
              code: 'custom',
              path: ['severity', order[i] as string],
              message: `must not be below ${order[i - 1]}`,
            });
        const channels = { ...SCORING_DEFAULTS.channels, ...(o.channels as object | undefined) } as Record<
          string,
          { weight?: number }
        >;
        if (Object.values(channels).every((c) => !(c?.weight ?? 1)))
          ctx.addIssue({
            code: 'custom',
            path: ['channels'],
            message: 'every channel weight is 0: nothing could ever be found',
          });
      })
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

/** Defaults with the defined overrides laid over them, recursively. */
function deepMerge<T>(base: T, over: unknown): T {
  if (over === undefined || over === null || typeof over !== 'object') return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] = typeof b === 'object' && b !== null ? deepMerge(b, v) : v;
  }
  return out as T;
}

/** The scoring constants with the config's overrides applied. */
export function scoringFrom(config: BeaconhuntConfig): ScoringConfig {
  return deepMerge(SCORING_DEFAULTS as ScoringConfig, config.scoring);
}
