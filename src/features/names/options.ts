/** Constants of name resolution and name-keyed pairs (reasons in docs/SCORING.md § Names). */
export const NAME_DEFAULTS = {
  /**
   * How long after a DNS answer a connection from the same client to the answered address is
   * taken to be for that name: one day, the longest TTL common resolvers keep an answer (BIND's
   * max-cache-ttl is a week but unbound's cache-max-ttl and most stub caches cap at 86 400 s).
   */
  passiveDnsWindowS: 86_400,
} as const;
