/**
 * ISO 8601 UTC of epoch seconds, rounded to the millisecond; '' for a missing (non-finite) time.
 * `dropZeroMillis` writes whole seconds without ".000" (the generator's truth file does).
 */
export function isoTime(epochSeconds: number, options: { dropZeroMillis?: boolean } = {}): string {
  if (!Number.isFinite(epochSeconds)) return '';
  const iso = new Date(Math.round(epochSeconds * 1000)).toISOString();
  return options.dropZeroMillis ? iso.replace('.000Z', 'Z') : iso;
}
