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
}
