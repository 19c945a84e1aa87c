import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { Fact, GraphNode } from '#core/model/graph';
import type { Incident } from '#core/model/incident';
import type { Signal } from '#core/model/signal';
import { type FiledLookup, type FiledSignal, type IncidentChange, type Store, incidentChange, isOlderVersion } from '#core/store/store';
import { applyFact, newNode, pruneNode } from '#core/link/index';
import { type RetentionPolicy, SIGNAL_KEEP_WINDOWS, retentionFor } from '#core/store/retention';
import { mapLimited } from './concurrency.ts';
import { type Item, type Key, type VersionedStep, batchGet, getItem, packJson, unpackJson, updateVersioned } from './dynamodb-batch.ts';
import { type SignalTable, deleteSignals, fileSignals, filedUnder, putSignals, signalsBetween } from './dynamodb-signals.ts';

/**
 * Item layout, one table (pk, sk, TTL attribute expiresAt in epoch seconds):
 *   pk "node#<key>",  sk "node"  -> node (deflated JSON), version   one item per graph node
 *   pk "incidents",   sk "<id>"  -> incident (JSON), version        one partition, listed by a Query
 *   signals, their pointers and their filings by key: see dynamodb-signals.ts
 * Nodes and incidents are written read-modify-write with a condition on `version`, so a
 * concurrent writer's update is re-read and merged again, never overwritten.
 */
export interface DynamoDbStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  retention: RetentionPolicy;
}

const NODE_SK = 'node';
const INCIDENTS_PK = 'incidents';
const WRITES_IN_FLIGHT = 16;
/** Node items a warm analyzer remembers (most under 2 KB packed): the busy part of a cluster's graph. */
const REMEMBERED_NODES = 20_000;
/**
 * A node this analyzer wrote or read strongly consistent this long ago is read from memory: its
 * batch reads back what it has just written, and a strongly consistent read would be no fresher
 * than that unless another analyzer wrote the node in between, a race every read already runs.
 */
const CURRENT_MS = 1000;
/** Incidents stay listable for a quarter after their last signal. */
const INCIDENT_KEEP_MS = 90 * 86400_000;

export class DynamoDbStore implements Store {
  /** Conditional writes that lost to a concurrent writer and were merged again. */
  conflicts = 0;
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retention: RetentionPolicy;
  private readonly signals: SignalTable;
  private readonly remembered = new RememberedItems(REMEMBERED_NODES);

  constructor({ client, tableName, retention }: DynamoDbStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(client);
    this.tableName = tableName;
    this.retention = retention;
    // An incident settles (and its signals are deleted) once its last signal is two windows old;
    // a third window is slack for a late analyzer. A signal still kept past that belongs to an
    // incident that grew longer, whose stored version keeps it: a version with fewer signals
    // never replaces a fuller one.
    this.signals = { doc: this.doc, tableName, keepMs: SIGNAL_KEEP_WINDOWS * retention.windowMs };
  }

  async getNodes(keys: readonly string[]): Promise<Map<string, GraphNode>> {
    const found = new Map<string, GraphNode>();
    const unread: string[] = [];
    for (const key of new Set(keys)) {
      const item = this.remembered.current(key, CURRENT_MS);
      if (item === undefined) unread.push(key);
      else if (item) found.set(key, nodeOf(item));
    }
    for (const item of await batchGet(this.doc, this.tableName, unread.map(nodeItemKey))) {
      const node = nodeOf(item);
      found.set(node.key, node);
      this.remembered.set(node.key, item, true);
    }
    for (const key of unread) if (!found.has(key)) this.remembered.set(key, null, true);
    return found;
  }

  async applyFacts(facts: readonly Fact[]): Promise<Set<string>> {
    const factsByKey = new Map<string, Fact[]>();
    // Event time, as the embedded store keeps it: edges older than their retention are dropped on write.
    let now = 0;
    for (const fact of facts) {
      const group = factsByKey.get(fact.key);
      if (group) group.push(fact);
      else factsByKey.set(fact.key, [fact]);
      if (fact.time > now) now = fact.time;
    }
    // A node this analyzer wrote or read last is written on that version unread: a conditional
    // write that finds another analyzer got there first reads it again. The others are read
    // eventually consistent for the same reason: a stale one costs a retry, never an update.
    const unknown = [...factsByKey.keys()].filter((key) => this.remembered.get(key) === undefined);
    const read = new Map<string, Item>();
    for (const item of await batchGet(this.doc, this.tableName, unknown.map(nodeItemKey), false)) read.set((item.pk as string).slice('node#'.length), item);
    for (const key of unknown) this.remembered.set(key, read.get(key) ?? null, false);
    const learned = new Set<string>();
    await mapLimited([...factsByKey], WRITES_IN_FLIGHT, async ([key, group]) => {
      const stored = read.get(key) ?? this.remembered.get(key) ?? undefined;
      if (await this.foldIntoNode(key, group, stored, now)) learned.add(key);
    });
    return learned;
  }

  putSignals(signals: readonly Signal[]): Promise<void> {
    return putSignals(this.signals, signals);
  }

  deleteSignals(ids: readonly string[]): Promise<void> {
    return deleteSignals(this.signals, ids);
  }

  signalsBetween(from: number, to: number): Promise<Signal[]> {
    return signalsBetween(this.signals, from, to);
  }

  fileSignals(filings: readonly FiledSignal[]): Promise<void> {
    return fileSignals(this.signals, filings);
  }

  filedUnder(lookups: readonly FiledLookup[]): Promise<FiledSignal[]> {
    return filedUnder(this.signals, lookups);
  }

  async putIncidents(incidents: readonly Incident[]): Promise<IncidentChange[]> {
    // Versions of one incident are applied in order, different incidents in parallel.
    const indexesById = new Map<string, number[]>();
    incidents.forEach((incident, index) => indexesById.set(incident.id, [...(indexesById.get(incident.id) ?? []), index]));
    const stored = new Map<string, Item>();
    for (const item of await batchGet(this.doc, this.tableName, [...indexesById.keys()].map(incidentItemKey))) {
      stored.set(item.sk as string, item);
    }
    const changes: (IncidentChange | undefined)[] = [];
    await mapLimited([...indexesById], WRITES_IN_FLIGHT, async ([id, indexes]) => {
      let item = stored.get(id);
      for (const index of indexes) {
        const result = await this.putIncident(incidents[index]!, item);
        item = result.item;
        changes[index] = result.change;
      }
    });
    return changes.filter((change) => change !== undefined);
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    const item = await this.getItem(incidentItemKey(id));
    return item ? (JSON.parse(item.incident as string) as Incident) : undefined;
  }

  async listIncidents(): Promise<Incident[]> {
    const incidents: Incident[] = [];
    const query = { TableName: this.tableName, ConsistentRead: true, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': INCIDENTS_PK } };
    for await (const page of paginateQuery({ client: this.doc }, query)) {
      for (const item of page.Items ?? []) incidents.push(JSON.parse(item.incident as string) as Incident);
    }
    return incidents;
  }

  /** Merges one node's facts into its stored version until the write wins; returns whether it learned something. */
  private foldIntoNode(key: string, facts: readonly Fact[], item: Item | undefined, now: number): Promise<boolean> {
    return this.update(
      nodeItemKey(key),
      key,
      item,
      (stored) => {
        const node: GraphNode = stored ? nodeOf(stored) : newNode(key);
        const before = stored ? JSON.stringify(node) : undefined;
        let learned = false;
        for (const fact of facts) if (applyFact(node, fact)) learned = true;
        // Only this node is at hand: an edge's far end is judged by its kind alone.
        pruneNode(node, now, (target, targetNode) => retentionFor(target, this.retention, targetNode));
        if (JSON.stringify(node) === before) return { result: learned };
        const expiresAt = epochSeconds(node.lastSeen + retentionFor(key, this.retention, node));
        return {
          write: { node: packJson(node), expiresAt },
          result: (written) => {
            this.remembered.set(key, written, true);
            return learned;
          },
        };
      },
      (item) => this.remembered.set(key, item ?? null, true),
    );
  }

  /** Stores one incident unless the stored version is fuller; returns what is now stored and the change. */
  private putIncident(next: Incident, item: Item | undefined): Promise<{ item: Item | undefined; change?: IncidentChange }> {
    const text = JSON.stringify(next);
    return this.update(incidentItemKey(next.id), `incident ${next.id}`, item, (stored) => {
      const previous = stored ? (JSON.parse(stored.incident as string) as Incident) : undefined;
      if ((previous && isOlderVersion(next, previous)) || stored?.incident === text) return { result: { item: stored } };
      const expiresAt = epochSeconds(Date.parse(next.lastSeen) + INCIDENT_KEEP_MS);
      return { write: { incident: text, expiresAt }, result: (written) => ({ item: written, change: incidentChange(previous, next) }) };
    });
  }

  private update<T>(
    key: Key,
    label: string,
    stored: Item | undefined,
    step: (stored: Item | undefined) => VersionedStep<T>,
    onReread?: (item: Item | undefined) => void,
  ): Promise<T> {
    return updateVersioned(this.doc, this.tableName, { key, label, stored, onConflict: () => this.conflicts++, onReread }, step);
  }

  private getItem(key: Key): Promise<Item | undefined> {
    return getItem(this.doc, this.tableName, key);
  }
}

/**
 * Node items as this analyzer last read or wrote them (null: known not to exist), most recent
 * last, with when they were last known current: written, or read strongly consistent.
 */
class RememberedItems {
  private readonly items = new Map<string, { item: Item | null; confirmedAt: number }>();

  constructor(private readonly capacity: number) {}

  get(key: string): Item | null | undefined {
    return this.touch(key)?.item;
  }

  /** The item if it was known current less than `maxAgeMs` ago. */
  current(key: string, maxAgeMs: number): Item | null | undefined {
    const entry = this.touch(key);
    return entry && performance.now() - entry.confirmedAt < maxAgeMs ? entry.item : undefined;
  }

  set(key: string, item: Item | null, current: boolean): void {
    this.items.delete(key);
    this.items.set(key, { item, confirmedAt: current ? performance.now() : Number.NEGATIVE_INFINITY });
    if (this.items.size > this.capacity) this.items.delete(this.items.keys().next().value!);
  }

  private touch(key: string) {
    const entry = this.items.get(key);
    if (entry) {
      this.items.delete(key);
      this.items.set(key, entry);
    }
    return entry;
  }
}

/** Nodes are packed; one written as plain JSON (before they were) is read as such until its TTL. */
function nodeOf(item: Item): GraphNode {
  return typeof item.node === 'string' ? (JSON.parse(item.node) as GraphNode) : unpackJson<GraphNode>(item.node);
}

function nodeItemKey(key: string): Key {
  return { pk: `node#${key}`, sk: NODE_SK };
}

function incidentItemKey(id: string): Key {
  return { pk: INCIDENTS_PK, sk: id };
}

function epochSeconds(ms: number): number {
  return Math.ceil(ms / 1000);
}
