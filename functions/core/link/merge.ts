import type { Edge, Fact, GraphNode } from '#core/model/graph';

/** Edges per node kept for these targets; beyond the cap the newest-first rule is not needed. */
// A baseline keeps its first thousands of addresses and APIs; past that, nothing is "new".
export const EDGE_CAPS: Record<string, number> = { egress: 16, baseline: 2000, secrets: 500 };

export function newNode(key: string): GraphNode {
  return { key, attrs: {}, edges: {}, changes: {}, lastSeen: 0 };
}

/**
 * Folds one fact into a node, in place. Commutative and idempotent: a value is replaced only
 * by one with a later (time, eventId), edges keep the earliest first and latest last sight.
 * Returns whether the node learned something new (an edge, or a different value), which is
 * what graph-aware detection re-checks.
 */
export function applyFact(node: GraphNode, fact: Fact): boolean {
  let learned = false;
  if (fact.time > node.lastSeen) node.lastSeen = fact.time;
  if (fact.attrs) {
    for (const name in fact.attrs) {
      const value = fact.attrs[name]!;
      const current = node.attrs[name];
      if (!current || isLater(fact.time, fact.eventId, current.time, current.eventId)) {
        if (current?.value !== value) learned = true;
        node.attrs[name] = { value, time: fact.time, eventId: fact.eventId };
      }
    }
  }
  if (fact.edges) {
    const cap = EDGE_CAPS[node.key.slice(0, node.key.indexOf('|'))];
    for (const target of fact.edges) if (addEdge(node, target, fact, cap)) learned = true;
  }
  if (fact.changes) {
    for (const description of fact.changes) {
      const seen = node.changes[description];
      if (seen === undefined || fact.time < seen) node.changes[description] = fact.time;
    }
  }
  return learned;
}

/** Returns whether the edge is new. */
function addEdge(node: GraphNode, target: string, fact: Fact, cap: number | undefined): boolean {
  const edge: Edge | undefined = node.edges[target];
  if (!edge) {
    if (cap !== undefined && Object.keys(node.edges).length >= cap) return false;
    node.edges[target] = { first: fact.time, last: fact.time, firstEventId: fact.eventId };
    return true;
  }
  if (isLater(edge.first, edge.firstEventId, fact.time, fact.eventId)) {
    edge.first = fact.time;
    edge.firstEventId = fact.eventId;
  }
  if (fact.time > edge.last) edge.last = fact.time;
  return false;
}

function isLater(time: number, eventId: string, otherTime: number, otherEventId: string): boolean {
  return time > otherTime || (time === otherTime && eventId > otherEventId);
}

/**
 * Ages a node out: false when the node itself is past its retention, otherwise drops the edges
 * past the shorter retention of their two ends.
 */
export function pruneNode(node: GraphNode, now: number, retentionOf: (key: string, node?: GraphNode) => number): boolean {
  const own = retentionOf(node.key, node);
  if (node.lastSeen < now - own) return false;
  for (const target in node.edges) {
    if (node.edges[target]!.last < now - Math.min(own, retentionOf(target))) delete node.edges[target];
  }
  return true;
}
