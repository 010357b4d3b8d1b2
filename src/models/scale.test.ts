import { describe, expect, it } from 'vitest';
import { fixtureMatrix, maxAbsDiff, readFixture } from '../../test/fixtures/models/load.js';
import { fromRows } from './matrix.js';
import {
  applyScaling,
  fitRobust,
  imputeNonFinite,
  log1pSigned,
  robustScale,
  scaleMatrix,
  standardScale,
} from './scale.js';

const SETS = ['gauss2d', 'gauss3d', 'correlated', 'seedlike', 'blobs'];

function rowsOf(cols: readonly Float64Array[]): number[][] {
  const n = cols[0]?.length ?? 0;
  return Array.from({ length: n }, (_, i) => cols.map((c) => c[i] as number));
}

describe('scaling against scikit-learn', () => {
  for (const name of SETS) {
    it(`${name}: StandardScaler and RobustScaler`, () => {
      const f = readFixture(name);
      const m = fixtureMatrix(f);
      const std = scaleMatrix(m, { default: 'standard' });
      const rob = scaleMatrix(m, { default: 'robust' });
      expect(maxAbsDiff(rowsOf(std.matrix.data), f.standard.transformed as number[][])).toBeLessThan(1e-9);
      expect(maxAbsDiff(rowsOf(rob.matrix.data), f.robust.transformed as number[][])).toBeLessThan(1e-9);
      std.params.columns.forEach((c, j) => {
        const step = c.steps[0];
        expect(step?.kind).toBe('affine');
        if (step?.kind === 'affine') {
          expect(step.center).toBeCloseTo(f.standard.mean[j] as number, 9);
          expect(step.scale).toBeCloseTo(f.standard.scale[j] as number, 9);
        }
      });
      rob.params.columns.forEach((c, j) => {
        const step = c.steps[0];
        if (step?.kind === 'affine') {
          expect(step.center).toBeCloseTo(f.robust.center[j] as number, 9);
          expect(step.scale).toBeCloseTo(f.robust.scale[j] as number, 9);
        }
      });
    });
  }
});

describe('scaling spec', () => {
  const m = fromRows(
    ['a', 'b', 'c'],
    [
      [1, 0, 5],
      [2, 10, 5],
      [3, 100, 5],
      [4, 1000, 5],
      [100, 10000, 5],
    ],
  );

  it('applies per-column steps, chains left to right, and re-applies fitted params', () => {
    const { matrix, params } = scaleMatrix(m, {
      default: 'standard',
      columns: { b: ['log1p', 'robust'], c: 'none' },
    });
    expect(Array.from(matrix.data[0] as Float64Array)).toEqual(
      Array.from(standardScale(m.data[0] as Float64Array)),
    );
    expect(Array.from(matrix.data[1] as Float64Array)).toEqual(
      Array.from(robustScale(log1pSigned(m.data[1] as Float64Array))),
    );
    expect(Array.from(matrix.data[2] as Float64Array)).toEqual([5, 5, 5, 5, 5]);
    expect(matrix.data[2]).not.toBe(m.data[2]); // always fresh arrays
    const again = applyScaling(params, m);
    for (let j = 0; j < 3; j++)
      expect(Array.from(again.data[j] as Float64Array)).toEqual(Array.from(matrix.data[j] as Float64Array));
  });

  it('log1p is sign-preserving', () => {
    expect(Array.from(log1pSigned([0, Math.E - 1, -(Math.E - 1)]))).toEqual([0, 1, -1]);
  });

  it('degenerate IQR falls back to std, constant columns to 1', () => {
    const col = Float64Array.from([1, 1, 1, 1, 1, 1, 1, 9]);
    const r = fitRobust(col);
    expect(r.center).toBe(1);
    const mean = 2;
    const std = Math.sqrt(col.reduce((s, v) => s + (v - mean) ** 2, 0) / col.length);
    expect(r.scale).toBeCloseTo(std, 12);
    expect(fitRobust(Float64Array.from([3, 3, 3]))).toEqual({ center: 3, scale: 1 });
    expect(Array.from(standardScale(Float64Array.from([3, 3])))).toEqual([0, 0]);
  });

  it('rejects unknown methods', () => {
    expect(() => scaleMatrix(m, { default: 'zscore' as never })).toThrow(/unknown scaling/);
  });

  it('imputes non-finite cells with the column median', () => {
    const x = fromRows(
      ['a', 'b'],
      [
        [1, Number.NaN],
        [Number.POSITIVE_INFINITY, Number.NaN],
        [3, Number.NaN],
        [5, Number.NaN],
      ],
    );
    const { matrix, replaced } = imputeNonFinite(x);
    expect(Array.from(matrix.data[0] as Float64Array)).toEqual([1, 3, 3, 5]);
    expect(Array.from(matrix.data[1] as Float64Array)).toEqual([0, 0, 0, 0]);
    expect(replaced).toEqual({ a: 1, b: 4 });
    const clean = fromRows(['a'], [[1], [2]]);
    expect(imputeNonFinite(clean).matrix).toBe(clean);
  });
});
