import type { Fact, GraphNode } from '#core/model/graph';
import type { Incident } from '#core/model/incident';
import { type Severity, type Signal, severityRank } from '#core/model/signal';

/** What storing an incident changed, as alerting needs it: a new incident, or a worse one. */
export interface IncidentChange {
  incident: Incident;
  change: 'opened' | 'escalated';
  previousSeverity?: Severity;
}

/** Whether `next` is a less complete version of `stored`: fewer signals, or an earlier last one. */
export function isOlderVersion(next: Incident, stored: Incident): boolean {
  return next.signals.length < stored.signals.length || (next.signals.length === stored.signals.length && next.lastSeen < stored.lastSeen);
}

/**
 * The change from a stored incident to its new version, if it is one an alert is about.
 * Shared by every store so that they agree on what "escalated" means.
 */
export function incidentChange(previous: Incident | undefined, next: Incident): IncidentChange | undefined {
  if (!previous) return { incident: next, change: 'opened' };
  if (severityRank[next.severity] > severityRank[previous.severity]) {
    return { incident: next, change: 'escalated', previousSeverity: previous.severity };
  }
  return undefined;
}

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
  /**
   * Upserts incidents by id; a version with fewer signals or an earlier last signal never
   * replaces a fuller one (concurrent analyzers may correlate different snapshots). Returns
   * the incidents that are new or whose severity rose.
   */
  putIncidents(incidents: readonly Incident[]): Promise<IncidentChange[]>;
  getIncident(id: string): Promise<Incident | undefined>;
  listIncidents(): Promise<Incident[]>;
}
