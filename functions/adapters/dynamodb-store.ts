import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Fact, GraphNode } from '#core/model/graph';
import type { Incident } from '#core/model/incident';
import type { Signal } from '#core/model/signal';
import { type IncidentChange, type Store, incidentChange, isOlderVersion } from '#core/store/store';
import { applyFact, newNode, pruneNode } from '#core/link/index';
import { type RetentionPolicy, retentionFor } from '#core/store/retention';
import { type Item, type Key, type VersionedStep, batchGet, forEachLimited, getItem, queryAll, updateVersioned } from './dynamodb-batch.ts';

import { type SignalTable, deleteSignals, putSignals, signalsBetween } from './dynamodb-signals.ts';

/**
 * Item layout, one table (pk, sk, TTL attribute expiresAt in epoch seconds):
 *   pk "node#<key>",  sk "node"  -> node (JSON), version        one item per graph node
 *   pk "incidents",   sk "<id>"  -> incident (JSON), version   one partition, listed by a Query
 *   signals and their pointers: see dynamodb-signals.ts
 * Nodes and incidents are written read-modify-write with a condition on `version`, so a
 * concurrent writer's update is re-read and merged again, never overwritten.
 */
export interface DynamoDbStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  retention: RetentionPolicy;
}

/** A key still lost its conditional write after this many tries: let the Lambda retry the batch. */

const NODE_SK = 'node';
const INCIDENTS_PK = 'incidents';
const WRITES_IN_FLIGHT = 16;
/** Incidents stay listable for a quarter after their last signal. */
const INCIDENT_KEEP_MS = 90 * 86400_000;

export class DynamoDbStore implements Store {
  /** Conditional writes that lost to a concurrent writer and were merged again. */
  conflicts = 0;
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly retention: RetentionPolicy;
  private readonly signals: SignalTable;

  constructor({ client, tableName, retention }: DynamoDbStoreOptions) {
    this.doc = DynamoDBDocumentClient.from(client);
    this.tableName = tableName;
    this.retention = retention;
    // An incident settles (and its signals are deleted) once its last signal is two windows old;
    // a third window is slack for a late analyzer. A signal still kept past that belongs to an
    // incident that grew longer, whose stored version keeps it: a version with fewer signals
    // never replaces a fuller one.
    this.signals = { doc: this.doc, tableName, keepMs: 3 * retention.windowMs };
  }

  async getNodes(keys: readonly string[]): Promise<Map<string, GraphNode>> {
    const found = new Map<string, GraphNode>();
    for (const item of await batchGet(this.doc, this.tableName, [...new Set(keys)].map(nodeItemKey))) {
      const node = JSON.parse(item.node as string) as GraphNode;
      found.set(node.key, node);
    }
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
    const stored = new Map<string, Item>();
    for (const item of await batchGet(this.doc, this.tableName, [...factsByKey.keys()].map(nodeItemKey))) {
      stored.set((item.pk as string).slice('node#'.length), item);
    }
    const learned = new Set<string>();
    await forEachLimited([...factsByKey], WRITES_IN_FLIGHT, async ([key, group]) => {
      if (await this.foldIntoNode(key, group, stored.get(key), now)) learned.add(key);
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

  async putIncidents(incidents: readonly Incident[]): Promise<IncidentChange[]> {
    // Versions of one incident are applied in order, different incidents in parallel.
    const indexesById = new Map<string, number[]>();
    incidents.forEach((incident, index) => indexesById.set(incident.id, [...(indexesById.get(incident.id) ?? []), index]));
    const stored = new Map<string, Item>();
    for (const item of await batchGet(this.doc, this.tableName, [...indexesById.keys()].map(incidentItemKey))) {
      stored.set(item.sk as string, item);
    }
    const changes: (IncidentChange | undefined)[] = [];
    await forEachLimited([...indexesById], WRITES_IN_FLIGHT, async ([id, indexes]) => {
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
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      ConsistentRead: true,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': INCIDENTS_PK },
    });
    return items.map((item) => JSON.parse(item.incident as string) as Incident);
  }

  /** Merges one node's facts into its stored version until the write wins; returns whether it learned something. */
  private foldIntoNode(key: string, facts: readonly Fact[], item: Item | undefined, now: number): Promise<boolean> {
    return this.update(nodeItemKey(key), key, item, (stored) => {
      const before = stored?.node as string | undefined;
      const node: GraphNode = before ? JSON.parse(before) : newNode(key);
      let learned = false;
      for (const fact of facts) if (applyFact(node, fact)) learned = true;
      // Only this node is at hand: an edge's far end is judged by its kind alone.
      pruneNode(node, now, (target, targetNode) => retentionFor(target, this.retention, targetNode));
      const after = JSON.stringify(node);
      if (after === before) return { result: learned };
      const expiresAt = epochSeconds(node.lastSeen + retentionFor(key, this.retention, node));
      return { write: { node: after, expiresAt }, result: () => learned };
    });
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

  private update<T>(key: Key, label: string, stored: Item | undefined, step: (stored: Item | undefined) => VersionedStep<T>): Promise<T> {
    return updateVersioned(this.doc, this.tableName, { key, label, stored, onConflict: () => this.conflicts++ }, step);
  }

  private getItem(key: Key): Promise<Item | undefined> {
    return getItem(this.doc, this.tableName, key);
  }
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
