import { type NumericPairFeature, type PairFeatures } from '../features/pair-features.js';

/**
 * How far each pair sits from the bulk on the seed's three axes, robustly scaled (median/MAD so
 * the outliers we look for do not set the scale), mapped to 0–1.
 */
const AXES: { feature: NumericPairFeature; transform: (x: number) => number }[] = [
  { feature: 'avgcount', transform: (x) => x },
  { feature: 't_bytecount', transform: Math.log1p },
  { feature: 'distinct_byte_count', transform: Math.log1p },
];

function median(values: Float64Array): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function robustOutlierness(pairs: PairFeatures, include: Uint8Array): Float64Array {
  const rows: number[] = [];
  for (let i = 0; i < pairs.length; i++) if (include[i]) rows.push(i);
  const out = new Float64Array(pairs.length);
  if (rows.length < 3) return out;
  const distance = new Float64Array(pairs.length);
  for (const { feature, transform } of AXES) {
    const column = pairs.numeric[feature];
    const values = Float64Array.from(rows, (i) => transform(column[i] as number));
    const center = median(values);
    const mad = median(values.map((v) => Math.abs(v - center)));
    // 1.4826·MAD estimates σ for normal data; the floor keeps constant axes from exploding.
    const scale = Math.max(1.4826 * mad, 1e-3, 0.05 * Math.abs(center));
    rows.forEach((row, k) => {
      const z = ((values[k] as number) - center) / scale;
      distance[row] = (distance[row] as number) + z * z;
    });
  }
  for (const row of rows) out[row] = 1 - Math.exp(-Math.sqrt(distance[row] as number) / 3);
  return out;
}
