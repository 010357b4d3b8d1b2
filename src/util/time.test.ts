import { describe, expect, it } from 'vitest';
import { isoTime } from './time.js';

describe('isoTime', () => {
  it('formats epoch seconds as UTC with milliseconds', () => {
    expect(isoTime(1_700_000_000)).toBe('2023-11-14T22:13:20.000Z');
    expect(isoTime(1_700_000_000.1234)).toBe('2023-11-14T22:13:20.123Z');
    expect(isoTime(0)).toBe('1970-01-01T00:00:00.000Z');
  });
  it('drops ".000" only when asked and only when the milliseconds are zero', () => {
    expect(isoTime(1_700_000_000, { dropZeroMillis: true })).toBe('2023-11-14T22:13:20Z');
    expect(isoTime(1_700_000_000.5, { dropZeroMillis: true })).toBe('2023-11-14T22:13:20.500Z');
  });
  it('gives an empty string for a missing time', () => {
    expect(isoTime(Number.NaN)).toBe('');
    expect(isoTime(Number.POSITIVE_INFINITY)).toBe('');
  });
});
