import type { Config } from '#core/config';
import type { SecurityEvent } from '#core/model/event';
import { type Fact, type GraphView, nodeKey } from '#core/model/graph';
import type { Signal } from '#core/model/signal';
import type { IncidentChange, Store } from '#core/store/store';
import { factsFor } from '#core/link/index';
import { detect, outsideEgressSignals } from '#core/detect/index';
import { type CorrelationResult, type SettledPart, correlate, settledPart } from '#core/correlate/index';
import { loadGraphSnapshot } from '#core/store/graph-snapshot';
import { parseRoleArn } from '#core/model/arn';
import { rejectionOf } from '#core/normalize/rejection';

/** Enough hops to go from an access key to the pods sharing its pod's image or node. */
const SNAPSHOT_DEPTH = 5;

/**
 * normalize -> link -> detect -> correlate, over a store. The same object runs in a local replay
 * (embedded store) and in the analyzer Lambda (DynamoDB): batch in, batch out.
 */
export class Pipeline {
  constructor(
    private readonly store: Store,
    private readonly config: Config,
  ) {}

  /**
   * Links and detects one batch of normalized events; returns the signals it raised. An event
   * whose linking or detection fails is left out whole (none of its facts or signals) and
   * reported to `onRejected`: one record never fails the batch. What still throws is the store.
   */
  async ingest(
    events: readonly SecurityEvent[],
    onRejected?: (event: SecurityEvent, rejection: { code: string; reason: string }) => void,
  ): Promise<Signal[]> {
    const facts: Fact[] = [];
    const signals: Signal[] = [];
    const accepted: SecurityEvent[] = [];
    for (const event of events) {
      let eventFacts: Fact[];
      let eventSignals: Signal[];
      try {
        eventFacts = factsFor(event);
        eventSignals = detect(event);
      } catch (error) {
        onRejected?.(event, rejectionOf(error));
        continue;
      }
      accepted.push(event);
      for (const fact of eventFacts) facts.push(fact);
      for (const signal of eventSignals) signals.push(signal);
    }
    const learned = await this.store.applyFacts(facts);
    const accessKeys = await this.accessKeysToRecheck(learned);
    if (accessKeys.size > 0) {
      const view = isGraphView(this.store) ? this.store : await loadGraphSnapshot(this.store, accessKeys, 1);
      // Signals from here are rare: look their evidence up only when one is raised.
      const evidenceOf = (eventId: string) => accepted.find((event) => event.eventId === eventId)?.raw;
      signals.push(...outsideEgressSignals(accessKeys, view, this.config, evidenceOf));
    }
    if (signals.length > 0) await this.store.putSignals(signals);
    return signals;
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

  private async correlateKept(): Promise<CorrelationResult> {
    const signals = await this.store.signalsBetween(0, Number.MAX_SAFE_INTEGER);
    // An embedded store can be read in place; a remote one is read once, as a snapshot.
    const graph = isGraphView(this.store) ? this.store : await loadGraphSnapshot(this.store, signals.flatMap(seedKeysOf), SNAPSHOT_DEPTH);
    return correlate(signals, graph, this.config);
  }
}

function isGraphView(store: Store): store is Store & GraphView {
  return typeof (store as Partial<GraphView>).get === 'function';
}

function seedKeysOf(signal: Signal): string[] {
  const { subject } = signal;
  const keys: string[] = [];
  if (subject.pod && subject.cluster && subject.namespace) keys.push(nodeKey.pod(subject.cluster, subject.namespace, subject.pod));
  if (subject.accessKeyId) keys.push(nodeKey.accessKey(subject.accessKeyId));
  if (subject.instanceId) keys.push(nodeKey.instance(subject.instanceId));
  if (subject.cluster && subject.sourceIp) keys.push(nodeKey.podIp(subject.cluster, subject.sourceIp));
  // First-seen baselines are looked up directly, never reached by an edge.
  const role = subject.roleArn ? parseRoleArn(subject.roleArn) : undefined;
  if (role) keys.push(nodeKey.roleBaseline(role.accountId, role.roleName));
  if (subject.imageDigest ?? subject.image) keys.push(nodeKey.imageBaseline((subject.imageDigest ?? subject.image)!));
  if (subject.cluster && subject.serviceAccount) {
    const [namespace, name] = subject.serviceAccount.split('/');
    keys.push(nodeKey.serviceAccount(subject.cluster, namespace!, name!));
  }
  return keys;
}
