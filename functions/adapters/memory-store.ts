import type { Fact, GraphNode, GraphView } from '#core/model/graph';
import type { Incident } from '#core/model/incident';
import type { Signal } from '#core/model/signal';
import { type FiledLookup, type FiledSignal, type IncidentChange, type Store, incidentChange, isOlderVersion, newestFilings } from '#core/store/store';
import { applyFact, newNode, pruneNode } from '#core/link/index';
import { type RetentionPolicy, retentionFor } from '#core/store/retention';

/** Graph entries not seen for their retention (in event time) are forgotten, like a DynamoDB TTL. */
export type MemoryStoreOptions = RetentionPolicy;

/** Sweeping is O(graph): done each time event time moves on by this share of the retention. */
const SWEEPS_PER_RETENTION = 8;

/**
 * The embedded store of local mode. Time is the events' own time (the newest seen), not the
 * wall clock, so a replay of last month's records ages out exactly as it did live.
 */
export class MemoryStore implements Store, GraphView {
  private readonly nodes = new Map<string, GraphNode>();
  private readonly signals = new Map<string, Signal>();
  private readonly incidents = new Map<string, Incident>();
  /** Filings by key, then by signal time and id: one entry per key and time, as in DynamoDB. */
  private readonly filings = new Map<string, Map<string, FiledSignal>>();
  private newestEventTime = 0;
  private lastSweep = 0;

  constructor(private readonly options: MemoryStoreOptions) {}

  get(key: string): GraphNode | undefined {
    return this.nodes.get(key);
  }

  async getNodes(keys: readonly string[]): Promise<Map<string, GraphNode>> {
    const found = new Map<string, GraphNode>();
    for (const key of keys) {
      const node = this.nodes.get(key);
      if (node) found.set(key, node);
    }
    return found;
  }

  async applyFacts(facts: readonly Fact[]): Promise<Set<string>> {
    return this.applyFactsNow(facts);
  }

  /** The same as applyFacts without a promise. */
  applyFactsNow(facts: readonly Fact[]): Set<string> {
    const learned = new Set<string>();
    for (const fact of facts) {
      let node = this.nodes.get(fact.key);
      if (!node) {
        node = newNode(fact.key);
        this.nodes.set(fact.key, node);
      }
      if (applyFact(node, fact)) learned.add(fact.key);
      if (fact.time > this.newestEventTime) this.newestEventTime = fact.time;
    }
    if (this.newestEventTime - this.lastSweep >= this.options.graphRetentionMs / SWEEPS_PER_RETENTION) this.sweep();
    return learned;
  }

  async putSignals(signals: readonly Signal[]): Promise<void> {
    for (const signal of signals) {
      const current = this.signals.get(signal.id);
      if (!current || (signal.revision ?? 0) > (current.revision ?? 0)) this.signals.set(signal.id, signal);
    }
  }

  async deleteSignals(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.signals.delete(id);
    if (this.filings.size === 0) return;
    const forgotten = new Set(ids);
    for (const entries of this.filings.values()) {
      for (const [at, filing] of entries) if (forgotten.has(filing.signal.id)) entries.delete(at);
    }
  }

  async signalsBetween(from: number, to: number): Promise<Signal[]> {
    return [...this.signals.values()].filter((signal) => signal.time >= from && signal.time <= to);
  }

  async fileSignals(filings: readonly FiledSignal[]): Promise<void> {
    for (const filing of filings) {
      // A copy, as a remote store would keep: callers may change theirs.
      const kept: FiledSignal = { signal: filing.signal, keys: [...filing.keys], anchors: [...filing.anchors] };
      for (const key of filing.keys) {
        let entries = this.filings.get(key);
        if (!entries) {
          entries = new Map();
          this.filings.set(key, entries);
        }
        entries.set(`${filing.signal.time}#${filing.signal.id}`, kept);
      }
    }
  }

  async filedUnder(lookups: readonly FiledLookup[]): Promise<FiledSignal[]> {
    const found: FiledSignal[] = [];
    for (const { key, from, to } of lookups) {
      for (const filing of this.filings.get(key)?.values() ?? []) {
        if (filing.signal.time >= from && filing.signal.time <= to) found.push({ ...filing, keys: [...filing.keys], anchors: [...filing.anchors] });
      }
    }
    return newestFilings(found);
  }

  async putIncidents(incidents: readonly Incident[]): Promise<IncidentChange[]> {
    const changes: IncidentChange[] = [];
    for (const incident of incidents) {
      const previous = this.incidents.get(incident.id);
      if (previous && isOlderVersion(incident, previous)) continue;
      const change = incidentChange(previous, incident);
      if (change) changes.push(change);
      this.incidents.set(incident.id, incident);
    }
    return changes;
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    return this.incidents.get(id);
  }

  async listIncidents(): Promise<Incident[]> {
    return [...this.incidents.values()];
  }

  get size(): { nodes: number; signals: number } {
    return { nodes: this.nodes.size, signals: this.signals.size };
  }

  private sweep(): void {
    this.lastSweep = this.newestEventTime;
    const retentionOf = (key: string, node?: GraphNode) => retentionFor(key, this.options, node ?? this.nodes.get(key));
    for (const [key, node] of this.nodes) {
      if (!pruneNode(node, this.newestEventTime, retentionOf)) this.nodes.delete(key);
    }
  }
}
