/** Confusion counts and the figures derived from them. */
export interface Tally {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export function emptyTally(): Tally {
  return { tp: 0, fp: 0, tn: 0, fn: 0 };
}

export function count(tally: Tally, positive: boolean, flagged: boolean): void {
  if (positive) flagged ? tally.tp++ : tally.fn++;
  else flagged ? tally.fp++ : tally.tn++;
}

/** NaN when undefined (nothing flagged, or nothing to find): printed as "n/a", never as 1. */
export function precision(tally: Tally): number {
  return tally.tp + tally.fp === 0 ? Number.NaN : tally.tp / (tally.tp + tally.fp);
}

export function recall(tally: Tally): number {
  return tally.tp + tally.fn === 0 ? Number.NaN : tally.tp / (tally.tp + tally.fn);
}

export function formatRatio(value: number): string {
  return Number.isNaN(value) ? 'n/a' : value.toFixed(2);
}
