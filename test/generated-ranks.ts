import type { Truth, TruthPair } from '../src/generate/index.js';
import type { Finding } from '../src/score/finding.js';

/** The benign pairs that look like beacons pair by pair (src/generate/actors/hard-negatives.ts). */
export const HARD_NEGATIVE_KINDS: ReadonlySet<TruthPair['kind']> = new Set([
  'benign-license-check',
  'benign-market-data',
  'benign-monitoring',
]);

/**
 * How deep the planted pairs may rank (issue 11, "Done when"): the top 10 while at most 7 pairs are
 * planted (the demo's 7 leave room for 3 benign pairs); beyond that P + 3, the same three places of
 * slack, since a clockwork hard negative can tie with a 0 %-jitter beacon.
 */
export function plantedRankLimit(planted: number): number {
  return planted > 7 ? planted + 3 : 10;
}

export interface PairRank {
  pair: TruthPair;
  finding: Finding | undefined;
  /** Rank of the pair's finding; Infinity when it is not listed (below minScore). */
  rank: number;
}

/** Every recorded pair with its finding (matched on src and dst) and rank. */
export function pairRanks(truth: Truth, findings: readonly Finding[]): PairRank[] {
  return truth.pairs.map((pair) => {
    const finding = findings.find((f) => f.src === pair.src && f.dst === pair.dst);
    return { pair, finding, rank: finding?.rank ?? Number.POSITIVE_INFINITY };
  });
}

/** A plain-text table of ranks, for the test log. */
export function rankTable(rows: readonly PairRank[]): string {
  const cells = (
    label: string,
    kind: string,
    rank: string,
    score: string,
    severity: string,
    verdict: string,
  ) =>
    [
      label.padEnd(26),
      kind.padEnd(21),
      rank.padStart(10),
      score.padStart(5),
      severity.padEnd(8),
      verdict,
    ].join('  ');
  const lines = rows.map(({ pair, finding, rank }) =>
    cells(
      pair.label,
      pair.kind,
      Number.isFinite(rank) ? String(rank) : 'not listed',
      finding ? finding.score.toFixed(3) : '-',
      finding?.severity ?? '-',
      finding?.verdict ?? '-',
    ),
  );
  return [cells('pair', 'kind', 'rank', 'score', 'severity', 'verdict'), ...lines].join('\n');
}

/** The findings' evidence of some pairs, for the log when an assertion fails. */
export function evidenceOf(rows: readonly PairRank[]): string {
  return rows
    .map(
      ({ pair, finding, rank }) =>
        `${pair.label} rank ${rank}: components ${JSON.stringify(finding?.components ?? null)} context ${JSON.stringify(finding?.context ?? null)}`,
    )
    .join('\n');
}
