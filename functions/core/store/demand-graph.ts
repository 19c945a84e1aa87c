import type { GraphNode, GraphView } from '#core/model/graph';
import type { Store } from './store.ts';

/** Where pure work reads the graph from: an embedded store in place, or a remote one on demand. */
export interface GraphSource {
  run<T>(work: (graph: GraphView) => T): Promise<T>;
}

export function graphSourceOf(store: Store): GraphSource {
  if (isGraphView(store)) return { run: async (work) => work(store) };
  return new DemandGraph(store);
}

export function isGraphView(store: Store): store is Store & GraphView {
  return typeof (store as Partial<GraphView>).get === 'function';
}

/**
 * The part of a remote graph that pure work reads, loaded on demand: the work runs against what
 * is loaded, asks for the nodes it missed, and runs again once they are loaded, until a run
 * misses nothing. That run read only loaded nodes, so its result is what it would be on the
 * whole graph, and only the nodes it reads are fetched, one batch read per hop.
 */
export class DemandGraph implements GraphSource {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly absent = new Set<string>();

  constructor(private readonly store: Store) {}

  async run<T>(work: (graph: GraphView) => T): Promise<T> {
    for (;;) {
      const missed = new Set<string>();
      const result = work({
        get: (key) => {
          const node = this.nodes.get(key);
          if (!node && !this.absent.has(key)) missed.add(key);
          return node;
        },
      });
      if (missed.size === 0) return result;
      const found = await this.store.getNodes([...missed]);
      for (const key of missed) {
        const node = found.get(key);
        if (node) this.nodes.set(key, node);
        else this.absent.add(key);
      }
    }
  }
}
