import type { GraphNode, GraphView } from '#core/model/graph';
import type { Store } from './store.ts';

// Targets that are leaves (addresses, APIs, processes) or fan out to everything (learned egress) are not walked.
const NOT_WALKED = ['ip|', 'egress|', 'api|', 'process|'];

/**
 * Loads the neighbourhood of some nodes, level by level with one batch read per level, into
 * a read-only view the pure stages can walk without I/O.
 */
export async function loadGraphSnapshot(store: Store, seeds: Iterable<string>, depth: number): Promise<GraphView> {
  const nodes = new Map<string, GraphNode>();
  const requested = new Set<string>();
  let frontier = [...new Set(seeds)];
  for (let level = 0; level <= depth && frontier.length > 0; level++) {
    for (const key of frontier) requested.add(key);
    const found = await store.getNodes(frontier);
    const next = new Set<string>();
    for (const [key, node] of found) {
      nodes.set(key, node);
      if (level === depth) continue;
      for (const target in node.edges) {
        if (!requested.has(target) && !NOT_WALKED.some((prefix) => target.startsWith(prefix))) next.add(target);
      }
    }
    frontier = [...next];
  }
  // Whether an address is learned egress is read from its egress node, fetched in one more batch.
  const egressKeys = new Set<string>();
  for (const node of nodes.values()) {
    // A baseline's addresses are history, not credentials in use: their egress status is not asked.
    if (node.key.startsWith('baseline|')) continue;
    for (const target in node.edges) if (target.startsWith('ip|')) egressKeys.add(`egress|${target.slice(3)}`);
  }
  for (const [key, node] of await store.getNodes([...egressKeys])) nodes.set(key, node);
  return { get: (key) => nodes.get(key) };
}
