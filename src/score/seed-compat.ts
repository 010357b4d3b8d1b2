import { SCORING_DEFAULTS } from '../config/defaults.js';
import {
  NUMERIC_FEATURE_NAMES,
  type PairFeatures,
  pairKey,
  type SeedRows,
} from '../features/pair-features.js';
import { seedCompatKMeans } from '../models/kmeans.js';
import { featureMatrix } from '../models/matrix.js';
import { isoTime } from '../util/time.js';
import type { Finding } from './finding.js';
import { severityOf } from './score-pairs.js';

/** The seed's K-Means: k = 2, k-means++ with a fixed seed so runs repeat. */
const SEED = 42;

/**
 * The seed post, literally: K-Means with k = 2 on its unscaled rows
 * [avgcount, t_bytecount, distinct_byte_count], one row per (src, dst, dport, bytes_out). Pairs
 * with a row in the minority cluster come first, then the rest; within each, the farthest from the
 * majority centroid first (unscaled, so total count dominates, as in the post's plot).
 */
export function seedCompatRanking(pairs: PairFeatures, rows: SeedRows, ignored: Uint8Array): Finding[] {
  if (rows.length === 0) return [];
  const matrix = featureMatrix(
    ['avgcount', 't_bytecount', 'distinct_byte_count'],
    [rows.avgcount, rows.t_bytecount, rows.distinct_byte_count],
  );
  const distinctPoints = new Set(
    Array.from(
      { length: rows.length },
      (_, i) => `${rows.avgcount[i]},${rows.t_bytecount[i]},${rows.distinct_byte_count[i]}`,
    ),
  );
  const twoClusters = distinctPoints.size >= 2;
  const km = twoClusters ? seedCompatKMeans(matrix, { seed: SEED }) : undefined;
  const distance = km ? km.distanceToMajority : new Float64Array(rows.length);

  const byPair = new Map<
    string,
    { inMinority: boolean; distance: number; rows: number; minorityRows: number }
  >();
  for (let i = 0; i < rows.length; i++) {
    const key = pairKey(rows.src[i] as string, rows.dst[i] as string);
    const entry = byPair.get(key) ?? { inMinority: false, distance: 0, rows: 0, minorityRows: 0 };
    const inMinority = km !== undefined && km.labels[i] === km.minorityCluster;
    entry.inMinority ||= inMinority;
    entry.minorityRows += inMinority ? 1 : 0;
    entry.rows++;
    entry.distance = Math.max(entry.distance, distance[i] as number);
    byPair.set(key, entry);
  }
  let maxDistance = 1e-9;
  for (const d of distance) if (d > maxDistance) maxDistance = d;
  const findings: Finding[] = [];
  for (let i = 0; i < pairs.length; i++) {
    if (ignored[i]) continue;
    const entry = byPair.get(pairKey(pairs.src[i] as string, pairs.dst[i] as string));
    if (!entry) continue;
    const features: Record<string, number> = {};
    for (const name of NUMERIC_FEATURE_NAMES) {
      features[name] = pairs.numeric[name][i] as number;
    }
    // Minority-cluster pairs always outrank the rest: scores 0.5–1 versus 0–0.5.
    const score = (entry.inMinority ? 0.5 : 0) + 0.5 * (entry.distance / maxDistance);
    const t = features.t_bytecount as number;
    findings.push({
      rank: 0,
      src: pairs.src[i] as string,
      dst: pairs.dst[i] as string,
      dport: pairs.dport[i] ?? null,
      proto: pairs.proto[i] ?? null,
      host: pairs.host[i] ?? null,
      score: Math.round(score * 1000) / 1000,
      severity: severityOf(score, SCORING_DEFAULTS),
      verdict: entry.inMinority ? 'beacon' : 'anomaly',
      flows: features.flows as number,
      first_seen: isoTime(features.first_ts as number),
      last_seen: isoTime(features.last_ts as number),
      features,
      components: { kmeansDistance: Math.round((entry.distance / maxDistance) * 1000) / 1000 },
      reasons: [
        entry.inMinority
          ? `K-Means (k=2, unscaled, as in the seed): ${entry.minorityRows} of its ${entry.rows} rows in the minority cluster`
          : 'K-Means (k=2, unscaled, as in the seed): majority cluster',
        `${t} flows, ${Math.round((features.avgcount as number) * 100)}% with the same size, ${features.distinct_byte_count} distinct sizes`,
      ],
      episodes: [],
    });
  }
  findings.sort((a, b) => b.score - a.score || b.flows - a.flows || a.src.localeCompare(b.src));
  findings.forEach((f, r) => {
    f.rank = r + 1;
  });
  return findings;
}
