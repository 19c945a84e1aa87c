import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { PivotguardError } from '#core/errors';
import { backoff } from './backoff.ts';

/** DynamoDB's limits per call. */
const BATCH_GET_MAX = 100;
const BATCH_WRITE_MAX = 25;
/** Throttled batches are retried this often before the error goes to the Lambda's own retry. */
const UNPROCESSED_ATTEMPTS = 8;

export type Key = { pk: string; sk: string };
export type Item = Record<string, unknown>;
type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Key } };

/** A batch DynamoDB kept returning as unprocessed: the table is throttled, let the caller retry later. */
export class UnprocessedAfterRetries extends PivotguardError {
  override name = 'UnprocessedAfterRetries';

  constructor(
    readonly operation: 'BatchGetItem' | 'BatchWriteItem',
    readonly remaining: number,
  ) {
    super(`${operation} left ${remaining} requests unprocessed after ${UNPROCESSED_ATTEMPTS} attempts`);
  }
}

/**
 * JSON deflated into a binary attribute. DynamoDB bills reads per 4 KB and writes per 1 KB of
 * item, and graph nodes and signals (keys, ARNs, event ids over and over) shrink three to five
 * times: every read and write of them costs that much less.
 */
export function packJson(value: unknown): Uint8Array {
  return deflateRawSync(JSON.stringify(value));
}

export function unpackJson<T>(packed: unknown): T {
  return JSON.parse(inflateRawSync(packed as Uint8Array).toString('utf8')) as T;
}

export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/**
 * Items for the keys that exist, in no particular order; keys must be distinct. Strongly
 * consistent unless asked otherwise: the pipeline reads what it has just written.
 */
export async function batchGet(doc: DynamoDBDocumentClient, tableName: string, keys: readonly Key[], consistent = true): Promise<Item[]> {
  const items: Item[] = [];
  await Promise.all(
    chunks(keys, BATCH_GET_MAX).map(async (chunk) => {
      let pending: Key[] = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === UNPROCESSED_ATTEMPTS) throw new UnprocessedAfterRetries('BatchGetItem', pending.length);
        if (attempt > 0) await backoff(attempt);
        const result = await doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistent } } }));
        items.push(...(result.Responses?.[tableName] ?? []));
        pending = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Key[];
      }
    }),
  );
  return items;
}

export async function batchWrite(doc: DynamoDBDocumentClient, tableName: string, requests: readonly WriteRequest[]): Promise<void> {
  await Promise.all(
    chunks(requests, BATCH_WRITE_MAX).map(async (chunk) => {
      let pending: WriteRequest[] = chunk;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === UNPROCESSED_ATTEMPTS) throw new UnprocessedAfterRetries('BatchWriteItem', pending.length);
        if (attempt > 0) await backoff(attempt);
        const result = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = (result.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
      }
    }),
  );
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/**
 * Writes `fields` as the version after `previous`, only if `previous` is still what is stored
 * (or, without one, nothing is). Returns the item written, or undefined when another writer got
 * there first.
 */
export async function putIfVersion(doc: DynamoDBDocumentClient, tableName: string, fields: Item, previous: Item | undefined): Promise<Item | undefined> {
  const version = (previous?.version as number | undefined) ?? 0;
  const item = { ...fields, version: version + 1 };
  try {
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        ...(previous
          ? { ConditionExpression: 'version = :expected', ExpressionAttributeValues: { ':expected': version } }
          : { ConditionExpression: 'attribute_not_exists(pk)' }),
      }),
    );
    return item;
  } catch (error) {
    if (!isConditionalCheckFailed(error)) throw error;
    return undefined;
  }
}

export async function getItem(doc: DynamoDBDocumentClient, tableName: string, key: Key): Promise<Item | undefined> {
  return (await doc.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
}

/** A versioned write kept losing to concurrent writers. */
export class ConflictRetriesExhausted extends PivotguardError {
  override name = 'ConflictRetriesExhausted';

  constructor(
    readonly key: string,
    readonly attempts: number,
  ) {
    super(`${key}: conditional write lost to concurrent writers ${attempts} times`);
  }
}

/** What one read-modify-write round decided: stop with a result, or write an item and then return one. */
export type VersionedStep<T> = { result: T } | { write: Item; result: (written: Item) => T };

const MAX_WRITE_ATTEMPTS = 10;

/**
 * Read-modify-write under a version check: `step` decides from the stored item (undefined when
 * there is none) what to write; when another writer got there first the item is read again and
 * `step` runs again, with backoff, so no concurrent update is lost.
 */
export async function updateVersioned<T>(
  doc: DynamoDBDocumentClient,
  tableName: string,
  target: { key: Key; label: string; stored: Item | undefined; onConflict?: () => void; onReread?: (item: Item | undefined) => void },
  step: (stored: Item | undefined) => VersionedStep<T>,
): Promise<T> {
  let stored = target.stored;
  for (let attempt = 1; ; attempt++) {
    const decided = step(stored);
    if (!('write' in decided)) return decided.result;
    const written = await putIfVersion(doc, tableName, { ...target.key, ...decided.write }, stored);
    if (written) return decided.result(written);
    target.onConflict?.();
    if (attempt === MAX_WRITE_ATTEMPTS) throw new ConflictRetriesExhausted(target.label, attempt);
    await backoff(attempt);
    stored = await getItem(doc, tableName, target.key);
    target.onReread?.(stored);
  }
}
