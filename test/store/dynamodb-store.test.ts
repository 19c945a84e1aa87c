import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbStore } from '#adapters/dynamodb-store';
import { type Fact, type GraphNode, nodeKey } from '#core/model/graph';
import type { Incident } from '#core/model/incident';
import type { Signal } from '#core/model/signal';
import type { SecurityEvent } from '#core/model/event';
import { factsFor } from '#core/link/index';
import { EDGE_CAPS } from '#core/link/merge';
import { Pipeline } from '#core/pipeline';
import { configSchema } from '#core/config';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { generateBusyCluster } from '../../bench/generate.ts';
import { type Dynalite, startDynalite } from '../fixtures/dynalite.ts';
import { memoryStore } from '../fixtures/store.ts';
import { normalizeAll } from '../fixtures/normalize.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';
import { CLUSTER } from '../fixtures/records.ts';
import { shuffle } from '../fixtures/shuffle.ts';

const HOUR = 3600_000;
const retention = { graphRetentionMs: 7 * 24 * HOUR, windowMs: 24 * HOUR };
const start = Date.parse('2026-11-16T00:00:00Z');

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db?.stop();
});

/** A store on a fresh table, and a document client to look at its raw items. */
async function freshStore(): Promise<{ store: DynamoDbStore; tableName: string; raw: DynamoDBDocumentClient }> {
  const tableName = await db.newTable();
  return { store: new DynamoDbStore({ client: db.client, tableName, retention }), tableName, raw: DynamoDBDocumentClient.from(db.client) };
}

async function rawItem(raw: DynamoDBDocumentClient, tableName: string, pk: string, sk: string) {
  return (await raw.send(new GetCommand({ TableName: tableName, Key: { pk, sk } }))).Item;
}

function signal(overrides: Partial<Signal> = {}): Signal {
  return {
    id: 's1',
    rule: 'guardduty.finding',
    title: 'Reverse shell',
    source: 'guardduty',
    time: start,
    eventId: 'e1',
    summary: 'count 1',
    severity: 'high',
    objective: { tactic: 'execution', technique: 'T1059' },
    subject: {},
    evidence: { finding: 'raw' },
    ...overrides,
  };
}

describe('DynamoDbStore graph nodes', () => {
  it('folds facts into nodes, reports the keys that learned something, and skips writes that change nothing', async () => {
    const { store, tableName, raw } = await freshStore();
    const pod = nodeKey.pod(CLUSTER, 'payments', 'web-1');
    const key = nodeKey.accessKey('ASIAEXAMPLE000000001');
    const facts: Fact[] = [
      { key: pod, time: start, eventId: 'a', edges: [key], attrs: { serviceAccount: 'web' } },
      { key, time: start, eventId: 'a', edges: [pod] },
      { key: pod, time: start + 1000, eventId: 'b', changes: ['restarted'] },
    ];
    expect(await store.applyFacts(facts)).toEqual(new Set([pod, key]));
    const reference = memoryStore();
    reference.applyFactsNow(facts);
    expect(await store.getNodes([pod, key, nodeKey.pod(CLUSTER, 'payments', 'missing')])).toEqual(await reference.getNodes([pod, key]));

    const before = await rawItem(raw, tableName, `node#${pod}`, 'node');
    expect(await store.applyFacts(facts)).toEqual(new Set());
    expect((await rawItem(raw, tableName, `node#${pod}`, 'node'))?.version).toBe(before?.version);
    // A later sight of a known edge updates the node but teaches nothing.
    expect(await store.applyFacts([{ key: pod, time: start + 2000, eventId: 'c', edges: [key] }])).toEqual(new Set());
    expect((await rawItem(raw, tableName, `node#${pod}`, 'node'))?.version).toBe((before?.version as number) + 1);
    expect((await store.getNodes([pod])).get(pod)?.edges[key]).toEqual({ first: start, last: start + 2000, firstEventId: 'a' });
    expect(await store.getNodes([])).toEqual(new Map());
  });

  it('reads and writes more nodes than one batch call takes', async () => {
    const { store } = await freshStore();
    const keys = Array.from({ length: 230 }, (_, index) => nodeKey.instance(`i-${index}`));
    expect((await store.applyFacts(keys.map((key) => ({ key, time: start, eventId: 'a', attrs: { node: key } })))).size).toBe(230);
    const nodes = await store.getNodes([...keys, ...keys]);
    expect(nodes.size).toBe(230);
    expect(nodes.get(keys[229]!)?.attrs.node?.value).toBe(keys[229]);
  });

  it('sets expiresAt in epoch seconds from the node, its signal or incident event time plus its retention', async () => {
    const { store, tableName, raw } = await freshStore();
    const pod = nodeKey.pod(CLUSTER, 'payments', 'web-1');
    const key = nodeKey.accessKey('ASIAEXAMPLE000000001');
    await store.applyFacts([
      { key: pod, time: start, eventId: 'a', edges: [key] },
      { key, time: start + 5000, eventId: 'b', edges: [pod] },
    ]);
    expect((await rawItem(raw, tableName, `node#${pod}`, 'node'))?.expiresAt).toBe((start + 7 * 24 * HOUR) / 1000);
    // Credentials: 36 hours of STS lifetime plus two windows.
    expect((await rawItem(raw, tableName, `node#${key}`, 'node'))?.expiresAt).toBe((start + 5000 + 84 * HOUR) / 1000);
  });

  it('loses no edge when many writers add to the same node at once', async () => {
    const { store, tableName } = await freshStore();
    const role = nodeKey.role('111122223333', 'checkout');
    const writers = Array.from({ length: 16 }, () => new DynamoDbStore({ client: db.client, tableName, retention }));
    const learned = await Promise.all(
      writers.map((writer, index) =>
        writer.applyFacts([{ key: role, time: start + index, eventId: `e${index}`, edges: [nodeKey.session('111122223333', 'checkout', `s${index}`)] }]),
      ),
    );
    expect(learned.every((keys) => keys.has(role))).toBe(true);
    const node = (await store.getNodes([role])).get(role)!;
    expect(Object.keys(node.edges)).toHaveLength(16);
    expect(node.lastSeen).toBe(start + 15);
    expect(writers.reduce((sum, writer) => sum + writer.conflicts, 0)).toBeGreaterThan(0);
  });
});

describe('DynamoDbStore signals', () => {
  it('keeps the highest revision whichever arrives first, even when a revision moves the signal in time', async () => {
    const { store } = await freshStore();
    await store.putSignals([signal({ revision: 2, summary: 'count 3', time: start + 5000 })]);
    await store.putSignals([signal({ revision: 1, summary: 'count 1' })]);
    await store.putSignals([signal({ revision: 2, summary: 'count 3', time: start + 5000 })]);
    expect((await store.signalsBetween(0, Number.MAX_SAFE_INTEGER)).map((kept) => kept.summary)).toEqual(['count 3']);
    await store.putSignals([signal({ revision: 3, summary: 'count 4', time: start + 1000 })]);
    expect(await store.signalsBetween(0, Number.MAX_SAFE_INTEGER)).toEqual([signal({ revision: 3, summary: 'count 4', time: start + 1000 })]);
    // A signal without a revision is revision 0.
    await store.putSignals([signal({ id: 's2' }), signal({ id: 's2', revision: 1, summary: 'updated' }), signal({ id: 's2', summary: 'stale' })]);
    expect((await store.signalsBetween(0, Number.MAX_SAFE_INTEGER)).find((kept) => kept.id === 's2')?.summary).toBe('updated');
  });

  it('leaves exactly one item per signal when revisions race', async () => {
    const { store, tableName, raw } = await freshStore();
    const writers = Array.from({ length: 12 }, () => new DynamoDbStore({ client: db.client, tableName, retention }));
    const revisions = shuffle(
      Array.from({ length: 12 }, (_, index) => index + 1),
      7,
    );
    await Promise.all(writers.map((writer, index) => writer.putSignals([signal({ revision: revisions[index]!, time: start + revisions[index]! * 1000 })])));
    expect((await store.signalsBetween(0, Number.MAX_SAFE_INTEGER)).map((kept) => kept.revision)).toEqual([12]);
    const items = await raw.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'signals' } }),
    );
    expect(items.Items).toHaveLength(1);
  });

  it('returns the signals whose time is in [from, to], and forgets deleted ones', async () => {
    const { store, tableName, raw } = await freshStore();
    await store.putSignals([
      signal({ id: 'a', time: 1000 }),
      signal({ id: 'b', time: 2000 }),
      signal({ id: 'c', time: 2000 }),
      signal({ id: 'd', time: 3000 }),
    ]);
    const ids = async (from: number, to: number) => (await store.signalsBetween(from, to)).map((kept) => kept.id).sort();
    expect(await ids(2000, 2000)).toEqual(['b', 'c']);
    expect(await ids(1000, 2999)).toEqual(['a', 'b', 'c']);
    expect(await ids(2001, 2999)).toEqual([]);
    expect(await ids(0, Number.MAX_SAFE_INTEGER)).toEqual(['a', 'b', 'c', 'd']);
    const item = await rawItem(raw, tableName, 'signals', `${'2000'.padStart(16, '0')}#b`);
    expect(item?.expiresAt).toBe((2000 + 3 * 24 * HOUR) / 1000);

    await store.deleteSignals(['b', 'd', 'never-stored']);
    expect(await ids(0, Number.MAX_SAFE_INTEGER)).toEqual(['a', 'c']);
    expect(await rawItem(raw, tableName, 'signal#b', 'signal')).toBeUndefined();
    // A late duplicate of a deleted signal is stored again, as in the embedded store.
    await store.putSignals([signal({ id: 'b', time: 2000 })]);
    expect(await ids(0, Number.MAX_SAFE_INTEGER)).toEqual(['a', 'b', 'c']);
  });

  it('reads every page of a range larger than one 1 MB query response', async () => {
    const { store, tableName, raw } = await freshStore();
    // Random text: items are packed, and a repeated letter would pack into almost nothing.
    const padding = randomBytes(12_000).toString('base64');
    const signals = Array.from({ length: 120 }, (_, index) => signal({ id: `s${index}`, time: start + index, evidence: { padding } }));
    await store.putSignals(signals);
    const firstPage = await raw.send(
      new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'signals' } }),
    );
    expect(firstPage.LastEvaluatedKey).toBeDefined();
    const kept = await store.signalsBetween(start, start + 119);
    expect(kept.map((each) => each.id).sort()).toEqual(signals.map((each) => each.id).sort());
    expect(kept.find((each) => each.id === 's119')).toEqual(signals[119]);
  });

  it('replaces evidence too large for an item, even packed, by its size', async () => {
    const { store } = await freshStore();
    const evidence = { blob: randomBytes(400_000).toString('base64') };
    await store.putSignals([signal({ evidence })]);
    const [kept] = await store.signalsBetween(0, Number.MAX_SAFE_INTEGER);
    expect(kept?.evidence).toEqual({ truncated: true, bytes: JSON.stringify(evidence).length });
    expect(kept?.summary).toBe('count 1');
  });
});

describe('DynamoDbStore incidents', () => {
  async function pivotIncident(): Promise<Incident> {
    const pipeline = new Pipeline(memoryStore(), configSchema.parse({}));
    await pipeline.ingest(normalizeAll(pivotScenario()));
    return (await pipeline.correlate()).incidents[0]!;
  }

  it('reports opened, then escalated, then nothing for a same-severity update; an older version never replaces a newer', async () => {
    const { store, tableName, raw } = await freshStore();
    const full = await pivotIncident();
    const version = (signals: number, severity: Incident['severity']): Incident => ({ ...full, severity, signals: full.signals.slice(0, signals) });
    expect(await store.putIncidents([version(2, 'high')])).toEqual([{ incident: version(2, 'high'), change: 'opened' }]);
    expect(await store.putIncidents([version(3, 'critical')])).toEqual([{ incident: version(3, 'critical'), change: 'escalated', previousSeverity: 'high' }]);
    expect(await store.putIncidents([version(4, 'critical')])).toEqual([]);
    expect(await store.putIncidents([version(3, 'critical'), version(2, 'high')])).toEqual([]);
    expect(await store.listIncidents()).toEqual([version(4, 'critical')]);
    expect((await rawItem(raw, tableName, 'incidents', full.id))?.expiresAt).toBe(Date.parse(full.lastSeen) / 1000 + 90 * 86400);
  });

  it('keeps the fullest version when analyzers store different snapshots at once', async () => {
    const { store, tableName } = await freshStore();
    const full = await pivotIncident();
    const writers = Array.from({ length: 4 }, () => new DynamoDbStore({ client: db.client, tableName, retention }));
    const results = await Promise.all(writers.map((writer, index) => writer.putIncidents([{ ...full, signals: full.signals.slice(0, index + 1) }])));
    expect(results.flat().filter((change) => change.change === 'opened')).toHaveLength(1);
    expect((await store.listIncidents())[0]?.signals).toHaveLength(4);
  });
});

describe('DynamoDbStore in the pipeline', () => {
  it('gives the same incidents as the embedded store on the pivot scenario', async () => {
    const { store } = await freshStore();
    const events = normalizeAll(pivotScenario());
    const embedded = new Pipeline(memoryStore(), configSchema.parse({}));
    await embedded.ingest(events);
    const expected = await embedded.correlate();
    const pipeline = new Pipeline(store, configSchema.parse({}));
    await pipeline.ingest(events);
    const result = await pipeline.correlate();
    expect(result.incidents).toHaveLength(1);
    expect(result.incidents).toEqual(expected.incidents);
    expect(result.changes).toEqual(expected.changes);
    expect(await store.listIncidents()).toEqual(expected.incidents);
  });

  it('builds the same graph from two analyzers ingesting interleaved halves at once as one embedded store from all', async () => {
    const { tableName } = await freshStore();
    const events = [...normalizeAll(pivotScenario()), ...busyClusterEvents(600)];
    const embedded = memoryStore();
    await new Pipeline(embedded, configSchema.parse({})).ingest(events);

    const stores = [0, 1].map(() => new DynamoDbStore({ client: db.newClient(), tableName, retention }));
    await Promise.all(
      stores.map(async (store, half) => {
        const pipeline = new Pipeline(store, configSchema.parse({}));
        const mine = events.filter((_, index) => index % 2 === half);
        for (let offset = 0; offset < mine.length; offset += 10) await pipeline.ingest(mine.slice(offset, offset + 10));
      }),
    );
    expect(stores[0]!.conflicts + stores[1]!.conflicts).toBeGreaterThan(0);

    const keys = new Set(events.flatMap((event) => factsFor(event)).map((fact) => fact.key));
    const expected = await embedded.getNodes([...keys]);
    // Through a store with nothing remembered: what the table holds, not what one analyzer last saw.
    const actual = await new DynamoDbStore({ client: db.newClient(), tableName, retention }).getNodes([...keys]);
    expect(actual.size).toBe(expected.size);
    const offered = edgesOffered(events);
    let capped = 0;
    for (const [key, node] of expected) {
      const stored = actual.get(key)!;
      if (!key.startsWith('egress|') || offered.get(key)!.size <= EDGE_CAPS.egress!) {
        expect(stored, key).toEqual(node);
        continue;
      }
      // Past its cap an egress node keeps the first edges to arrive, which depends on order: same size, real edges.
      capped++;
      expect(withoutEdges(stored), key).toEqual(withoutEdges(node));
      expect(Object.keys(stored.edges)).toHaveLength(EDGE_CAPS.egress!);
      for (const target in stored.edges) expect(offered.get(key)).toContain(target);
    }
    expect(capped).toBeGreaterThan(0);
  }, 20_000);
});

function busyClusterEvents(records: number): SecurityEvent[] {
  const out = emptyOutput();
  let line = 0;
  // The same day as the pivot scenario, so that no entity is past its retention in either store.
  for (const text of generateBusyCluster({ records, includeFindings: true, start: '2026-11-20T16:00:00Z' })) {
    normalizeValue(JSON.parse(text), ++line, { file: 'busy', defaultCluster: CLUSTER }, out);
  }
  expect(out.rejected).toEqual([]);
  return out.events;
}

function edgesOffered(events: readonly SecurityEvent[]): Map<string, Set<string>> {
  const offered = new Map<string, Set<string>>();
  for (const fact of events.flatMap((event) => factsFor(event))) {
    const targets = offered.get(fact.key) ?? new Set<string>();
    for (const target of fact.edges ?? []) targets.add(target);
    offered.set(fact.key, targets);
  }
  return offered;
}

function withoutEdges(node: GraphNode): Omit<GraphNode, 'edges'> {
  const { edges: _edges, ...rest } = node;
  return rest;
}
