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
 * A signal filed under keys of the identity graph, so that a batch finds the signals it can
 * join or change by the keys it touches instead of reading them all.
 */
export interface FiledSignal {
  /** The signal as correlation reads it: its evidence (the raw record) left out, as null. */
  signal: Signal;
  /** Every key it is filed under: the keys it joins by and the nodes its resolution read. */
  keys: string[];
  /** The keys it joins other signals by (its joinable anchors) when it was filed. */
  anchors: string[];
}

/** Signals filed under `key` whose time falls in [from, to]. */
export interface FiledLookup {
  key: string;
  from: number;
  to: number;
}

/**
 * Of several filings of one signal, the one to believe: the highest revision; filings of the
 * same revision written by concurrent analyzers are merged, so that no key or anchor is lost.
 */
export function newestFilings(filings: Iterable<FiledSignal>): FiledSignal[] {
  const byId = new Map<string, FiledSignal>();
  for (const filing of filings) {
    const kept = byId.get(filing.signal.id);
    const revision = filing.signal.revision ?? 0;
    const keptRevision = kept?.signal.revision ?? -1;
    if (!kept || revision > keptRevision) byId.set(filing.signal.id, filing);
    else if (revision === keptRevision)
      byId.set(filing.signal.id, { ...kept, keys: union(kept.keys, filing.keys), anchors: union(kept.anchors, filing.anchors) });
  }
  return [...byId.values()];
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
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
  /** Forgets signals whose incidents are settled (their filings expire with them). */
  deleteSignals(ids: readonly string[]): Promise<void>;
  /** Signals whose time falls in [from, to]. */
  signalsBetween(from: number, to: number): Promise<Signal[]>;
  /**
   * Files each signal under each of its keys: one entry per key and signal time, which a later
   * filing at the same time replaces. Filings are kept as long as signals are.
   */
  fileSignals(filings: readonly FiledSignal[]): Promise<void>;
  /** The signals filed under the lookups' keys within their times, one filing per signal (newestFilings). */
  filedUnder(lookups: readonly FiledLookup[]): Promise<FiledSignal[]>;
  /**
   * Upserts incidents by id; a version with fewer signals or an earlier last signal never
   * replaces a fuller one (concurrent analyzers may correlate different snapshots). Returns
   * the incidents that are new or whose severity rose.
   */
  putIncidents(incidents: readonly Incident[]): Promise<IncidentChange[]>;
  getIncident(id: string): Promise<Incident | undefined>;
  listIncidents(): Promise<Incident[]>;
}
