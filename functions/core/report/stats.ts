/** Count, mean and median of a set of durations; null when there is nothing to average. */
export interface DurationStats {
  count: number;
  meanMs: number | null;
  medianMs: number | null;
}

export function durationStats(values: readonly number[]): DurationStats {
  const finite = values.filter(Number.isFinite);
  return { count: finite.length, meanMs: mean(finite), medianMs: median(finite) };
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A share as 0..1; null rather than NaN when there is nothing to divide by. */
export function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}
