// Summaries of repeated measurements: median with min and max, percentiles, and ratios of two summaries.

/** @typedef {{ median: number, min: number, max: number, runs: number }} Summary */

/** The value below which `fraction` of the sorted samples fall (nearest rank, as latency percentiles usually are). */
export function percentile(samples, fraction) {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank];
}

/** @returns {Summary} */
export function summarize(samples) {
  const finite = samples.filter((sample) => Number.isFinite(sample));
  if (finite.length === 0) return { median: NaN, min: NaN, max: NaN, runs: 0 };
  const sorted = [...finite].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

/**
 * Per-run ratios, then summarized: run i of `numerators` against run i of `denominators`, so a machine that slows
 * down during the bench slows both sides of each ratio alike.
 */
export function pairedRatios(numerators, denominators) {
  const count = Math.min(numerators.length, denominators.length);
  const ratios = [];
  for (let index = 0; index < count; index += 1) ratios.push(numerators[index] / denominators[index]);
  return summarize(ratios);
}
