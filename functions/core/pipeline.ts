import type { Config } from '#core/config';
import type { SecurityEvent } from '#core/model/event';
import type { Fact } from '#core/model/graph';
import type { Incident } from '#core/model/incident';
import type { Signal } from '#core/model/signal';
import type { IncidentChange, Store } from '#core/store/store';
import { factsFor } from '#core/link/index';
import { detect, outsideEgressSignals } from '#core/detect/index';
import { secretNoveltySignals } from '#core/detect/secret-novelty';
import { type KnownControllers, knownControllersOf, markKnownControllers } from '#core/detect/known-controllers';
import { type CorrelationResult, type SettledPart, correlate, settledPart } from '#core/correlate/index';
import { type BatchChanges, correlateBatch } from '#core/store/batch-correlation';
import { graphSourceOf } from '#core/store/demand-graph';
import { rejectionOf } from '#core/normalize/rejection';
import { ClusterScope, scopeClusters } from '#core/model/cluster-id';

type OnRejected = (event: SecurityEvent, rejection: { code: string; reason: string }) => void;

/** What the analyzer's path made of one batch: the signals it raised, and the incidents it built or rebuilt. */
export interface AnalyzedBatch {
  signals: Signal[];
  incidents: Incident[];
  changes: IncidentChange[];
}

/**
 * normalize -> link -> detect -> correlate, over a store. The same object runs in a local replay
 * (embedded store, correlating every signal kept) and in the analyzer Lambda (DynamoDB,
 * correlating what each batch can change): batch in, batch out.
 */
export interface PipelineOptions {
  /** The account whose clusters keep their plain names (the hub's); absent: the first account the records name. */
  homeAccountId?: string;
}

export class Pipeline {
  private readonly knownControllers: KnownControllers;
  private readonly clusters: ClusterScope;

  constructor(
    private readonly store: Store,
    private readonly config: Config,
    options: PipelineOptions = {},
  ) {
    this.knownControllers = knownControllersOf(config);
    this.clusters = new ClusterScope(options.homeAccountId);
  }

  /**
   * Links and detects one batch of normalized events; returns the signals it raised. An event
   * whose linking or detection fails is left out whole (none of its facts or signals) and
   * reported to `onRejected`: one record never fails the batch. What still throws is the store.
   */
  async ingest(events: readonly SecurityEvent[], onRejected?: OnRejected): Promise<Signal[]> {
    return (await this.link(events, onRejected)).signals;
  }

  /**
   * The analyzer's path: ingests one batch, then correlates only what it can change or join
   * (correlateBatch) and stores those incidents. Its incidents are the ones `correlate` would
   * build from every signal kept, without reading every signal kept.
   */
  async analyze(events: readonly SecurityEvent[], onRejected?: OnRejected): Promise<AnalyzedBatch> {
    const batch = await this.link(events, onRejected);
    const { incidents } = await correlateBatch(this.store, this.config, batch);
    const changes = await this.store.putIncidents(incidents);
    return { signals: [...batch.signals], incidents, changes };
  }

  /** Builds incidents from every signal kept and stores them. */
  async correlate(): Promise<CorrelationResult & { changes: IncidentChange[] }> {
    const result = await this.correlateKept();
    const changes = await this.store.putIncidents(result.incidents);
    return { ...result, changes };
  }

  /**
   * Stores the incidents that can no longer grow (last signal before `before`) and forgets their
   * signals, so that what is kept is bounded by the window, not by how long the stream runs.
   */
  async settle(before: number): Promise<SettledPart & { changes: IncidentChange[] }> {
    const part = settledPart(await this.correlateKept(), before);
    const changes = await this.store.putIncidents(part.incidents);
    await this.store.deleteSignals(part.signalIds);
    return { ...part, changes };
  }

  private async link(events: readonly SecurityEvent[], onRejected?: OnRejected): Promise<BatchChanges & { signals: Signal[] }> {
    const facts: Fact[] = [];
    const signals: Signal[] = [];
    const accepted: SecurityEvent[] = [];
    let newest = 0;
    for (const event of events) {
      let eventFacts: Fact[];
      let eventSignals: Signal[];
      try {
        scopeClusters(event, this.clusters);
        eventFacts = factsFor(event, this.clusters);
        eventSignals = markKnownControllers(detect(event), event, this.knownControllers);
      } catch (error) {
        onRejected?.(event, rejectionOf(error));
        continue;
      }
      accepted.push(event);
      if (event.time > newest) newest = event.time;
      for (const fact of eventFacts) facts.push(fact);
      for (const signal of eventSignals) signals.push(signal);
    }
    const learned = await this.store.applyFacts(facts);
    const accessKeys = await this.accessKeysToRecheck(learned);
    if (accessKeys.size > 0) {
      // Signals from here are rare: look their evidence up only when one is raised.
      const evidenceOf = (eventId: string) => accepted.find((event) => event.eventId === eventId)?.raw;
      signals.push(...(await graphSourceOf(this.store).run((graph) => outsideEgressSignals(accessKeys, graph, this.config, evidenceOf))));
    }
    const secretBaselines = [...learned].filter((key) => key.startsWith('secrets|'));
    if (secretBaselines.length > 0) {
      const batchEvents = new Map(accepted.map((event) => [event.eventId, event]));
      signals.push(...(await graphSourceOf(this.store).run((graph) => secretNoveltySignals(secretBaselines, graph, (eventId) => batchEvents.get(eventId)))));
    }
    if (signals.length > 0) await this.store.putSignals(signals);
    return { signals, learned, newest };
  }

  /**
   * Graph-aware detection re-checks only what the batch taught the graph: an access key with a
   * new address or session, or a session newly known to belong to a workload. Either side of
   * the story may arrive first.
   */
  private async accessKeysToRecheck(learned: Set<string>): Promise<Set<string>> {
    const accessKeys = new Set<string>();
    const sessions: string[] = [];
    const instances: string[] = [];
    for (const key of learned) {
      if (key.startsWith('key|')) accessKeys.add(key);
      else if (key.startsWith('session|')) sessions.push(key);
      else if (key.startsWith('instance|')) instances.push(key);
    }
    // An instance newly known as a cluster node makes its instance-role sessions workload sessions.
    if (instances.length > 0) {
      for (const instance of (await this.store.getNodes(instances)).values()) {
        for (const target in instance.edges) if (target.startsWith('session|')) sessions.push(target);
      }
    }
    if (sessions.length > 0) {
      for (const session of (await this.store.getNodes(sessions)).values()) {
        for (const target in session.edges) if (target.startsWith('key|')) accessKeys.add(target);
      }
    }
    return accessKeys;
  }

  private async correlateKept(): Promise<CorrelationResult> {
    const signals = await this.store.signalsBetween(0, Number.MAX_SAFE_INTEGER);
    // An embedded store is read in place; a remote one for the nodes correlation reads, and only those.
    return graphSourceOf(this.store).run((graph) => correlate(signals, graph, this.config));
  }
}
