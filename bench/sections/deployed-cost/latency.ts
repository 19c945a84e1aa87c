/** A latency that counts `weight` times, e.g. a message's wait counted once per record it carries. */
export interface WeightedLatency {
  ms: number;
  weight: number;
}

/** The latency below which `share` of the total weight falls (0.99: p99 by records). */
export function percentile(values: WeightedLatency[], share: number): number {
  const sorted = [...values].sort((a, b) => a.ms - b.ms);
  const target = share * sorted.reduce((sum, value) => sum + value.weight, 0);
  let seen = 0;
  for (const value of sorted) {
    seen += value.weight;
    if (seen >= target) return value.ms;
  }
  return Number.NaN;
}
