import { type DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

/**
 * Consumed capacity as DynamoDB bills it on demand, counted on a client by a middleware:
 * dynalite's own ReturnConsumedCapacity where it follows DynamoDB's rules (an item read rounded
 * up to 4 KB, each BatchGetItem key on its own and a missing one as one unit, a write per 1 KB
 * of the larger of the old and new item), and the rules it leaves out added here: a Query or a
 * failed conditional write is charged at least one unit, and a failed conditional write is
 * charged the size of the item it found.
 */
export interface CapacityMeter {
  read: number;
  write: number;
  /** Units by operation and by the kind of item (the partition key up to its first '|', or '#'). */
  byKind: Map<string, { read: number; write: number; calls: number }>;
}

type Input = Record<string, unknown>;
const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);

/** Meters every call `client` makes; `sizeOf` reads an item without being metered. */
export function meterCapacity(client: DynamoDBClient, unmetered: DynamoDBClient): CapacityMeter {
  const meter: CapacityMeter = { read: 0, write: 0, byKind: new Map() };
  const add = (operation: string, input: Input, units: number) => {
    const isWrite = WRITES.has(operation);
    if (isWrite) meter.write += units;
    else meter.read += units;
    const label = `${operation.replace('Command', '')} ${kindOf(input)}`;
    const entry = meter.byKind.get(label) ?? { read: 0, write: 0, calls: 0 };
    entry.calls++;
    if (isWrite) entry.write += units;
    else entry.read += units;
    meter.byKind.set(label, entry);
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = context.commandName as string;
      const input = args.input as Input;
      input.ReturnConsumedCapacity = 'TOTAL';
      try {
        const result = await next(args);
        add(operation, input, consumed(operation, input, result.output as unknown as Input));
        return result;
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
          add(operation, input, await failedWriteUnits(unmetered, input));
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'capacityMeter' },
  );
  return meter;
}

function consumed(operation: string, input: Input, output: Input): number {
  const reported = output.ConsumedCapacity;
  const units = Array.isArray(reported)
    ? reported.reduce((sum: number, entry: { CapacityUnits?: number }) => sum + (entry.CapacityUnits ?? 0), 0)
    : ((reported as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0);
  // dynalite charges nothing for a Query that finds nothing; DynamoDB charges the minimum read.
  if (operation === 'QueryCommand' && units === 0) return input.ConsistentRead ? 1 : 0.5;
  return units;
}

/** A failed condition costs a write of the item as it is, one unit when there is none. */
async function failedWriteUnits(unmetered: DynamoDBClient, input: Input): Promise<number> {
  const key = (input.Key ?? keyOf(input.Item as Input)) as Input;
  const found = await unmetered.send(new GetItemCommand({ TableName: input.TableName as string, Key: asAttributes(key), ConsistentRead: true }));
  return found.Item ? Math.max(1, Math.ceil(itemBytes(found.Item) / 1024)) : 1;
}

/** The state table's key is pk and sk; the idempotency table's is id. */
function keyOf(item: Input): Input {
  return 'id' in item ? { id: item.id } : { pk: item.pk, sk: item.sk };
}

/** The document client hands plain values to this middleware, the plain client attribute values. */
function asAttributes(key: Input): Record<string, AttributeValue> {
  const plain = Object.values(key).every((value) => typeof value === 'string');
  return plain ? marshall(key) : (key as Record<string, AttributeValue>);
}

function kindOf(input: Input): string {
  const first = firstKey(input);
  if (!first) return '';
  if ('id' in first) return 'idempotency';
  const pk = typeof first.pk === 'string' ? first.pk : ((first.pk as { S?: string } | undefined)?.S ?? '');
  // node#pod|prod|payments|web-1 is a node#pod; signal#s-1 a signal#.
  const bar = pk.indexOf('|');
  if (bar !== -1) return pk.slice(0, bar);
  const hash = pk.indexOf('#');
  return hash === -1 ? pk : pk.slice(0, hash + 1);
}

function firstKey(input: Input): Input | undefined {
  if (input.Key) return input.Key as Input;
  if (input.Item) return input.Item as Input;
  const values = input.ExpressionAttributeValues as Input | undefined;
  if (values?.[':pk'] !== undefined) return { pk: values[':pk'] };
  const requests = input.RequestItems as Record<string, unknown> | undefined;
  const first = requests ? Object.values(requests)[0] : undefined;
  if (Array.isArray(first)) {
    const request = first[0] as { PutRequest?: { Item: Input }; DeleteRequest?: { Key: Input } } | undefined;
    return request?.PutRequest?.Item ?? request?.DeleteRequest?.Key;
  }
  return (first as { Keys?: Input[] } | undefined)?.Keys?.[0];
}

/** DynamoDB's item size: attribute names and values in UTF-8, numbers by their digits. */
export function itemBytes(item: Record<string, AttributeValue>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(item)) bytes += Buffer.byteLength(name) + valueBytes(value);
  return bytes;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\.|e.*$/gi, '').replace(/^0+/, '').length / 2) + 1;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.B !== undefined) return value.B.length;
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((sum, [name, inner]) => sum + 1 + Buffer.byteLength(name) + valueBytes(inner), 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, inner) => sum + 1 + valueBytes(inner), 0);
  if (value.SS !== undefined) return value.SS.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
  return 0;
}
