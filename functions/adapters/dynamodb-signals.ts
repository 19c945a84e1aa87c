import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { Signal } from '#core/model/signal';
import { type FiledLookup, type FiledSignal, newestFilings } from '#core/store/store';
import { mapLimited } from './concurrency.ts';
import { type Item, type Key, batchGet, batchWrite, isConditionalCheckFailed, packJson, unpackJson } from './dynamodb-batch.ts';

/**
 * Signals live in one partition sorted by time, so a time range is a Query:
 *   pk "signals", sk "<time, 16 digits>#<id>"  -> the signal (deflated JSON), its revision
 *   pk "signal#<id>", sk "signal"              -> pointer: the sk of the current version
 * The pointer is the single place where revisions are ordered (a signal's time may change
 * between revisions, moving it to another sk), and lets deleteSignals find a signal by id.
 * The analyzer never reads that partition: it finds signals by what they are filed under,
 *   pk "filed#<key>", sk "<time, 16 digits>#<id>"  -> the filing (deflated JSON, no evidence)
 * one item per key, so a batch reads the few partitions its own keys name, within a time range.
 */
const SIGNALS_PK = 'signals';
/** Number.MAX_SAFE_INTEGER has 16 digits, so every safe time sorts as text. */
const TIME_DIGITS = 16;
/** Items are at most 400 KB; evidence is cut well before that, leaving room for the rest. */
const MAX_SIGNAL_BYTES = 350_000;
const WRITES_IN_FLIGHT = 16;
const QUERIES_IN_FLIGHT = 16;

export interface SignalTable {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** How long a signal is kept after its own time, in ms. */
  keepMs: number;
}

/** Upserts each signal: a higher revision replaces a lower one, whichever analyzer writes first. */
export async function putSignals(table: SignalTable, signals: readonly Signal[]): Promise<void> {
  const newest = new Map<string, Signal>();
  for (const signal of signals) {
    const kept = newest.get(signal.id);
    if (!kept || revisionOf(signal) > revisionOf(kept)) newest.set(signal.id, signal);
  }
  await mapLimited([...newest.values()], WRITES_IN_FLIGHT, (signal) => putSignal(table, signal));
}

/**
 * Data item first, then the pointer. Every successful pointer write removes the data item the
 * previous pointer named (written before that pointer, so before this delete), and a writer that
 * loses on the pointer removes its own: no superseded version outlives the race. Both conditions
 * allow an equal revision, so a retried batch repairs a write that stopped halfway.
 */
async function putSignal({ doc, tableName, keepMs }: SignalTable, signal: Signal): Promise<void> {
  const revision = revisionOf(signal);
  const sk = signalSk(signal.time, signal.id);
  const expiresAt = Math.ceil((signal.time + keepMs) / 1000);
  const notNewer = { ConditionExpression: 'attribute_not_exists(pk) OR revision <= :revision', ExpressionAttributeValues: { ':revision': revision } };
  try {
    await doc.send(new PutCommand({ TableName: tableName, Item: { pk: SIGNALS_PK, sk, signal: pack(signal), revision, expiresAt }, ...notNewer }));
  } catch (error) {
    if (isConditionalCheckFailed(error)) return;
    throw error;
  }
  let previous: Item | undefined;
  try {
    const result = await doc.send(
      new PutCommand({ TableName: tableName, Item: { ...pointerKey(signal.id), at: sk, revision, expiresAt }, ...notNewer, ReturnValues: 'ALL_OLD' }),
    );
    previous = result.Attributes;
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    await deleteIf(doc, tableName, { pk: SIGNALS_PK, sk }, 'revision = :revision', revision);
    return;
  }
  if (typeof previous?.at === 'string' && previous.at !== sk) {
    await deleteIf(doc, tableName, { pk: SIGNALS_PK, sk: previous.at }, 'revision <= :revision', revision);
  }
}

export async function deleteSignals({ doc, tableName }: SignalTable, ids: readonly string[]): Promise<void> {
  const pointers = await batchGet(doc, tableName, [...new Set(ids)].map(pointerKey));
  await batchWrite(
    doc,
    tableName,
    pointers.flatMap((pointer) => [
      { DeleteRequest: { Key: { pk: SIGNALS_PK, sk: pointer.at as string } } },
      { DeleteRequest: { Key: { pk: pointer.pk as string, sk: pointer.sk as string } } },
    ]),
  );
}

export async function signalsBetween({ doc, tableName }: SignalTable, from: number, to: number): Promise<Signal[]> {
  if (to < from || to < 0) return [];
  const pages = paginateQuery(
    { client: doc },
    {
      TableName: tableName,
      ConsistentRead: true,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      // '$' sorts right after '#', so the upper bound takes every id at time `to`.
      ExpressionAttributeValues: { ':pk': SIGNALS_PK, ':from': timePrefix(from), ':to': `${timePrefix(to)}$` },
    },
  );
  // A superseded version can be seen for the moment between a new version's write and its
  // predecessor's delete: keep the highest revision per id.
  const newest = new Map<string, Signal>();
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const signal = signalOf(item);
      if (signal.time < from || signal.time > to) continue;
      const kept = newest.get(signal.id);
      if (!kept || revisionOf(signal) > revisionOf(kept)) newest.set(signal.id, signal);
    }
  }
  return [...newest.values()];
}

/** Files each signal under each of its keys, one item per key, expiring with the signal. */
export async function fileSignals({ doc, tableName, keepMs }: SignalTable, filings: readonly FiledSignal[]): Promise<void> {
  await batchWrite(
    doc,
    tableName,
    filings.flatMap((filing) => {
      const item = { sk: signalSk(filing.signal.time, filing.signal.id), filing: packJson(filing), expiresAt: Math.ceil((filing.signal.time + keepMs) / 1000) };
      return filing.keys.map((key) => ({ PutRequest: { Item: { pk: filedPk(key), ...item } } }));
    }),
  );
}

export async function filedUnder({ doc, tableName }: SignalTable, lookups: readonly FiledLookup[]): Promise<FiledSignal[]> {
  const found: FiledSignal[] = [];
  await mapLimited(lookups, QUERIES_IN_FLIGHT, async ({ key, from, to }) => {
    if (to < from || to < 0) return;
    const pages = paginateQuery(
      { client: doc },
      {
        TableName: tableName,
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': filedPk(key), ':from': timePrefix(from), ':to': `${timePrefix(to)}$` },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const filing = unpackJson<FiledSignal>(item.filing);
        if (filing.signal.time >= from && filing.signal.time <= to) found.push(filing);
      }
    }
  });
  return newestFilings(found);
}

/** The signal as stored; evidence too large for an item is replaced by its size. */
function pack(signal: Signal): Uint8Array {
  const packed = packJson(signal);
  if (packed.byteLength <= MAX_SIGNAL_BYTES) return packed;
  const bytes = Buffer.byteLength(JSON.stringify(signal.evidence) ?? '');
  return packJson({ ...signal, evidence: { truncated: true, bytes } });
}

/** Signals are packed; one written as plain JSON (before they were) is read as such until its TTL. */
function signalOf(item: Item): Signal {
  return typeof item.signal === 'string' ? (JSON.parse(item.signal) as Signal) : unpackJson<Signal>(item.signal);
}

function filedPk(key: string): string {
  return `filed#${key}`;
}

async function deleteIf(doc: DynamoDBDocumentClient, tableName: string, key: Key, condition: string, revision: number): Promise<void> {
  try {
    await doc.send(new DeleteCommand({ TableName: tableName, Key: key, ConditionExpression: condition, ExpressionAttributeValues: { ':revision': revision } }));
  } catch (error) {
    // Already gone, or replaced by a newer version that must stay.
    if (!isConditionalCheckFailed(error)) throw error;
  }
}

function revisionOf(signal: Signal): number {
  return signal.revision ?? 0;
}

function pointerKey(id: string): Key {
  return { pk: `signal#${id}`, sk: 'signal' };
}

function signalSk(time: number, id: string): string {
  return `${timePrefix(time)}#${id}`;
}

/** Times are whole ms; fractions and out-of-range times are clamped here and filtered exactly on read. */
function timePrefix(time: number): string {
  return String(Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, Math.floor(time)))).padStart(TIME_DIGITS, '0');
}
