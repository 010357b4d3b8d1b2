/** Which byte count the seed's features are computed on. */
export type SizeField = 'resp' | 'orig' | 'total';

export interface FeatureOptions {
  /**
   * `resp` (server→client) is the seed's `bytes_out`; `orig` the client's requests; `total` both.
   * Default `resp`, as in the seed.
   */
  sizeField: SizeField;
  /** The seed's `bytes_out > 0` filter; only `--seed-compat` sets it, since refused C2 has 0 bytes. */
  dropZeroBytes: boolean;
  /** Networks counted as internal (CIDR), for prevalence. */
  internalNetworks: readonly string[];
  /**
   * Unidirectional exporters (nfpcapd, softflowd) split a long or idle connection into several
   * records with the same ports; with this set, a TCP record that continues the previous record of
   * the same (src, sport, dst, dport) within `SPLIT_RECORD_GAP_S` of its end is one connection in
   * the timing series, not a new check-in. TCP only: TIME_WAIT keeps a closed connection's
   * four-tuple from being reused that soon, while a UDP beacon may well keep one socket.
   */
  stitchSplitRecords?: boolean;
}

/**
 * Seconds after a record's end within which a record with the same four-tuple continues it: nfpcapd
 * and most NetFlow exporters cut a flow after 60 s idle (or 300 s active), and a client does not
 * reuse a closed connection's source port for the same server within two minutes (TIME_WAIT is
 * 60–240 s).
 */
export const SPLIT_RECORD_GAP_S = 120;
