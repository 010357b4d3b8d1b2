import type { Finding, Severity } from '../score/finding.js';
import { type PairRef, rowMatcher } from './match.js';
import type { TruthRow } from './truth.js';

/** What evaluation reads of a finding. */
export interface RankedFinding extends PairRef {
  rank: number;
  severity: Severity;
}

/** Severities an analyst is asked to act on; none may land on a pair the truth does not call malicious. */
export const ALERT_SEVERITIES: ReadonlySet<Severity> = new Set<Severity>(['high', 'critical']);

/** A primary pair and the best rank any finding matching it reached (null: missed). */
export interface PrimaryRank {
  src: string;
  dst: string;
  rank: number | null;
}

export interface AtK {
  k: number;
  /** null when k is 0 (a case without primary pairs has no recall@P). */
  value: number | null;
}

export interface FalseAlert {
  rank: number;
  src: string;
  dst: string;
  severity: Severity;
}

export interface CaseMetrics {
  /** Distinct primary (src, dst) pairs: the P of the pass rule. */
  P: number;
  primaries: PrimaryRank[];
  recall: AtK[];
  precision: AtK[];
  /** Mean over primary pairs of 1 / filtered rank (0 when missed); null without primaries. */
  mrr: number | null;
  /** Best rank of a finding on a pair no malicious truth row matches; null when there is none. */
  bestBenignRank: number | null;
  /** High/critical findings on pairs no malicious truth row matches. */
  falseAlerts: FalseAlert[];
  findings: number;
  /** Every primary within the top P + 2 and no high/critical finding on a non-malicious pair. */
  pass: boolean;
  /** Why the case fails, in words (empty when it passes). */
  failures: string[];
}

/** Slack of the pass rule: primaries may rank below up to 2 other findings (issue 11). */
export const RANK_SLACK = 2;
/** The fixed cut-off an analyst reads anyway, whatever P is. */
export const TOP_K = 10;

/** Share of the P primaries ranked within the top k; null when there is nothing to recall or k is 0. */
export function recallAtK(ranks: readonly (number | null)[], k: number): number | null {
  if (ranks.length === 0 || k <= 0) return null;
  return ranks.filter((r) => r !== null && r <= k).length / ranks.length;
}

/** Share of the top k positions taken by malicious findings (trec_eval: divided by k, not by findings shown). */
export function precisionAtK(maliciousByRank: readonly boolean[], k: number): number | null {
  if (k <= 0) return null;
  return maliciousByRank.slice(0, k).filter(Boolean).length / k;
}

/**
 * Mean reciprocal rank with the "filtered" rank of link-prediction evaluation: a primary's rank minus
 * the other primaries ranked above it, so that P primaries in the top P score 1 whatever P is.
 */
export function meanReciprocalRank(ranks: readonly (number | null)[]): number | null {
  if (ranks.length === 0) return null;
  const found = ranks.filter((r): r is number => r !== null).sort((a, b) => a - b);
  const filtered = new Map<number, number>();
  found.forEach((r, i) => {
    if (!filtered.has(r)) filtered.set(r, r - i);
  });
  const sum = ranks.reduce<number>((acc, r) => acc + (r === null ? 0 : 1 / (filtered.get(r) as number)), 0);
  return sum / ranks.length;
}

/** The roles of the truth rows a finding matches (empty: the truth does not list the pair). */
export function rolesOf(finding: PairRef, truth: readonly TruthRow[]): string[] {
  return [...new Set(truth.filter((row) => rowMatcher(row)(finding)).map((row) => row.role))];
}

export interface TopFinding {
  rank: number;
  src: string;
  dst: string;
  dport: number | null;
  score: number;
  severity: Severity;
  verdict: string;
  /** Roles of the truth rows the finding matches; empty when the truth does not list the pair. */
  roles: string[];
}

/** The first k findings with the truth roles they match: what outranks a primary, what raised an alert. */
export function topFindings(
  findings: readonly Finding[],
  truth: readonly TruthRow[],
  k = TOP_K,
): TopFinding[] {
  return findings.slice(0, k).map((f) => ({
    rank: f.rank,
    src: f.src,
    dst: f.dst,
    dport: f.dport,
    score: f.score,
    severity: f.severity,
    verdict: f.verdict,
    roles: rolesOf(f, truth),
  }));
}

const pairId = (src: string, dst: string) => `${src}\u0000${dst.toLowerCase()}`;

/** Measure one ranked list of findings against one case's truth rows. */
export function evaluateRanking(findings: readonly RankedFinding[], truth: readonly TruthRow[]): CaseMetrics {
  const ranked = [...findings].sort((a, b) => a.rank - b.rank);
  const malicious = truth.filter((r) => r.malicious).map(rowMatcher);
  const isMalicious = ranked.map((f) => malicious.some((m) => m(f)));

  const primaryRows = new Map<string, TruthRow>();
  for (const row of truth) if (row.primary) primaryRows.set(pairId(row.src, row.dst), row);
  const primaries: PrimaryRank[] = [...primaryRows.values()].map((row) => {
    const match = rowMatcher(row);
    return { src: row.src, dst: row.dst, rank: ranked.find((f) => match(f))?.rank ?? null };
  });
  const P = primaries.length;
  const ranks = primaries.map((p) => p.rank);
  const ks = [...new Set([P, P + RANK_SLACK, TOP_K])];
  const maliciousByRank = ranked.map((_, i) => isMalicious[i] as boolean);

  const benignIndex = isMalicious.indexOf(false);
  const falseAlerts: FalseAlert[] = ranked
    .filter((f, i) => !isMalicious[i] && ALERT_SEVERITIES.has(f.severity))
    .map((f) => ({ rank: f.rank, src: f.src, dst: f.dst, severity: f.severity }));

  const failures: string[] = [];
  for (const p of primaries) {
    if (p.rank === null) failures.push(`primary ${p.src} → ${p.dst} missed`);
    else if (p.rank > P + RANK_SLACK)
      failures.push(`primary ${p.src} → ${p.dst} ranks ${p.rank} > ${P + RANK_SLACK}`);
  }
  if (falseAlerts.length)
    failures.push(`${falseAlerts.length} high/critical finding(s) on non-malicious pairs`);

  return {
    P,
    primaries,
    recall: ks.map((k) => ({ k, value: recallAtK(ranks, k) })),
    precision: ks.map((k) => ({ k, value: precisionAtK(maliciousByRank, k) })),
    mrr: meanReciprocalRank(ranks),
    bestBenignRank: benignIndex < 0 ? null : (ranked[benignIndex] as RankedFinding).rank,
    falseAlerts,
    findings: ranked.length,
    pass: failures.length === 0,
    failures,
  };
}
