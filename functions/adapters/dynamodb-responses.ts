import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, paginateQuery } from '@aws-sdk/lib-dynamodb';
import type { IncidentResponse } from '#core/respond/response';
import type { ResponseStore } from '#core/store/response-store';
import { type Item, type Key, getItem, updateVersioned } from './dynamodb-batch.ts';

/**
 * Responses in the state table, beside the incidents:
 *   pk "responses",          sk "<incident id>" -> response (JSON), version
 *   pk "approval#<incident>", sk "<nonce>"      -> taskToken, expiresAt (TTL)
 * The token lives in its own item that only the decision path reads, and is deleted by the read.
 */
const RESPONSES_PK = 'responses';
/** Responses outlive the incidents (90 days) so a year of monthly reviews can be compared. */
const RESPONSE_KEEP_MS = 400 * 86400_000;
/** A token is useless after Step Functions' longest wait; the TTL only tidies up. */
const TOKEN_KEEP_MS = 366 * 86400_000;
export class DynamoDbResponseStore implements ResponseStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(private readonly options: { client: DynamoDBClient; tableName: string; clock?: () => Date }) {
    this.doc = DynamoDBDocumentClient.from(options.client);
  }

  async getResponse(incidentId: string): Promise<IncidentResponse | undefined> {
    const item = await this.getItem(responseKey(incidentId));
    return item ? (JSON.parse(item.response as string) as IncidentResponse) : undefined;
  }

  async listResponses(): Promise<IncidentResponse[]> {
    const responses: IncidentResponse[] = [];
    const query = {
      TableName: this.options.tableName,
      ConsistentRead: true,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': RESPONSES_PK },
    };
    for await (const page of paginateQuery({ client: this.doc }, query)) {
      for (const item of page.Items ?? []) responses.push(JSON.parse(item.response as string) as IncidentResponse);
    }
    return responses;
  }

  async updateResponse(incidentId: string, change: (current: IncidentResponse | undefined) => IncidentResponse): Promise<IncidentResponse> {
    const key = responseKey(incidentId);
    return updateVersioned(this.doc, this.options.tableName, { key, label: `response of ${incidentId}`, stored: await this.getItem(key) }, (stored) => {
      const next = change(stored ? (JSON.parse(stored.response as string) as IncidentResponse) : undefined);
      const text = JSON.stringify(next);
      if (text === stored?.response) return { result: next };
      return { write: { response: text, expiresAt: Math.ceil((Date.parse(next.openedAt) + RESPONSE_KEEP_MS) / 1000) }, result: () => next };
    });
  }

  async putApprovalToken(incidentId: string, nonce: string, taskToken: string): Promise<void> {
    const now = (this.options.clock ?? (() => new Date()))().getTime();
    await this.doc.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: { ...tokenKey(incidentId, nonce), taskToken, expiresAt: Math.ceil((now + TOKEN_KEEP_MS) / 1000) },
      }),
    );
  }

  async takeApprovalToken(incidentId: string, nonce: string): Promise<string | undefined> {
    // One delete both reads and consumes: of two concurrent deciders only one gets the old item.
    const { Attributes } = await this.doc.send(
      new DeleteCommand({ TableName: this.options.tableName, Key: tokenKey(incidentId, nonce), ReturnValues: 'ALL_OLD' }),
    );
    return Attributes?.taskToken as string | undefined;
  }

  private getItem(key: Key): Promise<Item | undefined> {
    return getItem(this.doc, this.options.tableName, key);
  }
}

function responseKey(incidentId: string): Key {
  return { pk: RESPONSES_PK, sk: incidentId };
}

function tokenKey(incidentId: string, nonce: string): Key {
  return { pk: `approval#${incidentId}`, sk: nonce };
}
