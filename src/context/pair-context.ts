import type { IntelLists } from './intel.js';
import { isIgnoredDestination, networkSet } from './networks.js';

/** Why a pair is not scored. */
export type Exclusion = 'multicast' | 'direction' | 'allowlist';

export interface PairContext {
  /** Why the pair is left out, or undefined when it is scored. */
  exclusion(src: string, dst: string, dport: number | null, host: string | null): Exclusion | undefined;
  /** The intel list naming the pair's destination (address or server name), if any. */
  intelHit(dst: string, host: string | null): string | undefined;
  isInternal(address: string): boolean;
}

/**
 * The settings the context reads. Declared here, not imported from config/, so that config (which
 * builds on context's network defaults) sits above context; the parsed config file satisfies it.
 */
export interface ContextSettings {
  internal_networks: readonly string[];
  direction: 'outbound' | 'inbound' | 'both';
  allowlist: {
    destinations: readonly string[];
    sources: readonly string[];
    ports: readonly number[];
    /** "source -> destination" */
    pairs: readonly string[];
    /** a domain allows itself and its subdomains; a leading "*." or "." is ignored */
    domains: readonly string[];
  };
}

/**
 * Context from the config: internal networks and direction, allowlists, intel. `anyInternal`
 * false (no source is internal) turns the direction filter off, so a capture of public addresses
 * is still hunted rather than silently empty.
 */
export function pairContext(
  config: ContextSettings,
  intel: IntelLists | undefined,
  anyInternal: boolean,
): PairContext {
  const internal = networkSet(config.internal_networks);
  const allowDst = networkSet(config.allowlist.destinations);
  const allowSrc = networkSet(config.allowlist.sources);
  const allowPorts = new Set(config.allowlist.ports);
  const allowPairs = new Set(
    config.allowlist.pairs.map((p) => {
      const [a, b] = p.split('->').map((s) => s.trim().toLowerCase());
      return `${a}>${b}`;
    }),
  );
  const allowDomains = config.allowlist.domains.map((d) => d.toLowerCase().replace(/^\*?\./, ''));
  const domainAllowed = (host: string | null) => {
    if (!host) return false;
    const h = host.toLowerCase().replace(/\.$/, '');
    return allowDomains.some((d) => h === d || h.endsWith(`.${d}`));
  };
  return {
    isInternal: (a) => internal.contains(a),
    exclusion(src, dst, dport, host) {
      if (isIgnoredDestination(dst)) return 'multicast';
      if (anyInternal && config.direction !== 'both') {
        const srcInternal = internal.contains(src);
        if (config.direction === 'outbound' && !srcInternal) return 'direction';
        if (config.direction === 'inbound' && (srcInternal || !internal.contains(dst))) return 'direction';
      }
      if (
        allowDst.contains(dst) ||
        allowSrc.contains(src) ||
        (dport !== null && allowPorts.has(dport)) ||
        allowPairs.has(`${src}>${dst}`) ||
        domainAllowed(host)
      ) {
        return 'allowlist';
      }
      return undefined;
    },
    intelHit(dst, host) {
      if (!intel) return undefined;
      return intel.lookupAddress(dst) ?? (host ? intel.lookupDomain(host) : undefined);
    },
  };
}
