import type { Fact, GraphNode } from '#core/model/graph';
import type { Incident } from '#core/model/incident';
import type { Signal } from '#core/model/signal';

/**
 * Everything the pipeline keeps between batches. Shaped for a key-value store with
 * conditional writes and TTL (DynamoDB): keyed batch reads, idempotent merges, no scans
 * on the hot path.
 */
export interface Store {
  /** One round trip for many keys; missing keys are absent from the result. */
  getNodes(keys: readonly string[]): Promise<Map<string, GraphNode>>;
  /**
   * Folds facts into their nodes; the merge is commutative, so concurrent writers cannot lose
   * one. Returns the keys of nodes that learned something new (a new edge or value).
   */
  applyFacts(facts: readonly Fact[]): Promise<Set<string>>;
  /** Upserts by signal id; a signal with a higher revision replaces a lower one. */
  putSignals(signals: readonly Signal[]): Promise<void>;
  /** Forgets signals whose incidents are settled. */
  deleteSignals(ids: readonly string[]): Promise<void>;
  /** Signals whose time falls in [from, to]. */
  signalsBetween(from: number, to: number): Promise<Signal[]>;
  putIncidents(incidents: readonly Incident[]): Promise<void>;
  listIncidents(): Promise<Incident[]>;
}
