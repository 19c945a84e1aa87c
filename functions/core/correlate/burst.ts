import { severityRank } from '#core/model/signal';
import type { ResolvedSignal } from './group.ts';

/** Five weak probes by one actor inside ten minutes: a tool enumerating, not an application. */
const BURST_SIZE = 5;
const BURST_MS = 10 * 60_000;
const PROBING_TACTICS = ['Discovery (TA0007)', 'Reconnaissance (TA0043)'];

export interface Burst {
  actor: string;
  count: number;
  minutes: number;
}

/** The largest burst of weak discovery signals (refused calls, enumeration) by one actor. */
export function findBurst(group: ResolvedSignal[]): Burst | undefined {
  const byActor = new Map<string, number[]>();
  for (const { signal } of group) {
    const weak = severityRank[signal.severity] < severityRank.medium;
    // A known controller's sweep (a nightly scanner) is its routine, not probing: kept as context, never a burst.
    if (!weak || signal.knownController || !PROBING_TACTICS.includes(signal.objective.tactic) || !signal.subject.actor) continue;
    const times = byActor.get(signal.subject.actor) ?? [];
    times.push(signal.time);
    byActor.set(signal.subject.actor, times);
  }
  let best: Burst | undefined;
  for (const [actor, times] of [...byActor.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    times.sort((a, b) => a - b);
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while (times[end]! - times[start]! > BURST_MS) start++;
      const count = end - start + 1;
      if (count >= BURST_SIZE && (!best || count > best.count)) {
        best = { actor, count, minutes: Math.max(1, Math.round((times[end]! - times[start]!) / 60_000)) };
      }
    }
  }
  return best;
}
