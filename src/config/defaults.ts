/**
 * Every constant that changes a result, in one place. docs/SCORING.md gives the reason for each;
 * the config file's `scoring:` section may override any of them (its schema is derived from this
 * object, so a constant added here is configurable and validated without further code).
 */
export const SCORING_DEFAULTS = {
  /** Flows a pair needs before it is scored (the timing analysis needs 4: 3 gaps). */
  minFlows: 4,
  /**
   * Evidence channels: each reports decades of evidence (−log10 p under its null model of ordinary
   * traffic). The combined evidence is Σ weight·min(evidence, cap): a log-odds sum, so one decisive
   * channel is enough and corroboration adds. Weights below 1 mark channels that partly restate
   * another (the periodogram re-reads the gaps) or whose null is rough; caps keep one channel from
   * swamping the context factors.
   */
  channels: {
    regularity: { weight: 1, cap: 12 },
    spectral: { weight: 0.5, cap: 3 },
    sizeUniformity: { weight: 0.5, cap: 6 },
    failedRetries: { weight: 1, cap: 6 },
    persistence: { weight: 1, cap: 6 },
    outlierness: { weight: 1, cap: 1.5 },
    change: { weight: 1, cap: 6 },
    strobe: { weight: 1, cap: 4 },
  },
  /** The null models' parameters. */
  nulls: {
    /** Probability that an ordinary flow carries the pair's modal size (per direction). */
    modalSizeShare: 0.25,
    /** Probability that an ordinary connection attempt fails (refused or unanswered). */
    failedShare: 0.1,
    /**
     * Failures are counted once per this many seconds of the pair's span: a dead server stays dead
     * for a while, so the retries of one outage are one event, not independent trials.
     */
    failureEventSeconds: 60,
    /**
     * A strobe (≥ 1 connection per second for 5 minutes, RITA's "very many connections") weighs a
     * decade per tenfold of its peak window's flows above this count: 1, so the 300 flows of the
     * threshold are 2.5 decades and a SYN flood of thousands reaches the cap.
     */
    strobeOrdinaryFlows: 1,
    /** Mean duration (s) of an ordinary connection: exponential tail beyond it. */
    sessionSeconds: 300,
    /** Decades each active-C2 episode (a uniform beacon turning non-uniform) adds. */
    episodeEvidence: 3,
  },
  /**
   * Context factors. A benign explanation the network offers (a fleet service, a protocol's own
   * schedule) accounts for part of the evidence, so demotions multiply the channels' evidence by a
   * factor below 1; threat intel adds decades.
   */
  context: {
    /** Prevalence (share of internal hosts contacting the destination) where demotion starts / is full. */
    prevalenceStart: 0.02,
    prevalenceFull: 0.15,
    /** Evidence kept at full prevalence: popular destinations are rarely C2, but not never. */
    prevalence: 0.15,
    /** Prevalence needs enough internal hosts to mean anything ... */
    prevalenceMinHosts: 10,
    /** ... and a shared service shows on at least 3 of them: one or two hosts is what C2 looks like. */
    prevalenceMinTalkers: 3,
    /**
     * Internal hosts on one destination at which demotion is full whatever the network's size:
     * ten hosts on one server is a shared service in a network of 50 or of 50,000.
     */
    prevalenceFullTalkers: 10,
    /** Evidence kept by a pair that follows a well-known protocol profile (NTP, DNS to the host's resolver, DHCP, NetBIOS). */
    protocolProfile: 0.25,
    /** Evidence kept by each pair of a fan-out: one source polling many internal servers on one schedule. */
    fanOut: 0.3,
    /** Internal destinations on one (source, port, period) that make a fan-out. */
    fanOutMinDestinations: 5,
    /** Evidence kept when successful connections carry no payload either way (a reachability check). */
    noPayload: 0.35,
    /**
     * Evidence kept by a reply stream: a pair whose destination port is new with nearly every flow
     * (ephemeral ports) is the answering half of the other side's connections (unidirectional
     * NetFlow records), or a port sweep; neither is a host calling home.
     */
    replyStream: 0.1,
    /** Evidence kept by inbound pairs (external client, internal server) under `direction: both`. */
    inbound: 0.7,
    /**
     * Decades added when threat intel lists the destination: 8, so that a listed destination alone
     * makes a high finding (≥ 7.1 decades), whatever its pattern or its demotions.
     */
    intel: 8,
  },
  /** Combined evidence (decades) that maps to a score of 0.5 ... */
  evidenceMidpoint: 6,
  /** ... and the decades per tenfold change of the odds on the 0–1 score (logistic). */
  evidenceScale: 3,
  /** A connection at least this long (s) makes a long-connection verdict when persistence leads. */
  longConnectionSeconds: 1800,
  /** Severity thresholds on the 0–1 score. */
  severity: { critical: 0.85, high: 0.7, medium: 0.55, low: 0.4 },
  /** Findings below this score are not listed. */
  minScore: 0.4,
} as const;

type Widen<T> = T extends number ? number : { [K in keyof T]: Widen<T[K]> };

/** The same shape with plain numbers, so a config file can override any of them. */
export type ScoringConfig = Widen<typeof SCORING_DEFAULTS>;

export const HUNT_DEFAULTS = {
  top: 20,
  sizeField: 'resp',
} as const;
