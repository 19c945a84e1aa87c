import { type Signal, severityRank } from '#core/model/signal';
import type { Resolution } from './resolve.ts';

export interface ResolvedSignal {
  signal: Signal;
  resolution: Resolution;
  suppressedBy?: string;
}

/**
 * Groups signals that share an anchor (pod, service account, session, node, principal) and
 * follow each other within the window. Input order does not matter: signals are sorted
 * first, and union-find gives the same components for any order of unions.
 */
export function groupSignals(signals: ResolvedSignal[], windowMs: number): ResolvedSignal[][] {
  const sorted = [...signals].sort((a, b) => a.signal.time - b.signal.time || (a.signal.id < b.signal.id ? -1 : a.signal.id > b.signal.id ? 1 : 0));
  const parent = sorted.map((_, index) => index);
  const find = (index: number): number => {
    while (parent[index] !== index) {
      parent[index] = parent[parent[index]!]!;
      index = parent[index]!;
    }
    return index;
  };
  const lastOnAnchor = new Map<string, number>();
  sorted.forEach((entry, index) => {
    const { anchors, broadAnchors } = entry.resolution;
    // Weak signals join only through what is certainly theirs, so routine reads by a shared
    // identity do not pull every replica's day into an incident.
    const joinable = severityRank[entry.signal.severity] >= severityRank.medium ? [...anchors, ...broadAnchors] : anchors;
    for (const anchor of new Set(joinable)) {
      const previous = lastOnAnchor.get(anchor);
      if (previous !== undefined && entry.signal.time - sorted[previous]!.signal.time <= windowMs) {
        const [a, b] = [find(previous), find(index)];
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
      lastOnAnchor.set(anchor, index);
    }
  });
  const groups = new Map<number, ResolvedSignal[]>();
  sorted.forEach((entry, index) => {
    const root = find(index);
    const group = groups.get(root);
    if (group) group.push(entry);
    else groups.set(root, [entry]);
  });
  return [...groups.values()];
}
