import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbResponseStore } from '#adapters/dynamodb-responses';
import { openResponse, withStatus } from '#core/respond/response';
import { type Dynalite, startDynalite } from '../fixtures/dynalite.ts';

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db?.stop();
});

async function fresh() {
  const tableName = await db.newTable();
  return { tableName, store: () => new DynamoDbResponseStore({ client: db.newClient(), tableName }) };
}

describe('DynamoDbResponseStore on a DynamoDB-compatible server', () => {
  it('hands a task token to exactly one of many concurrent deciders', async () => {
    const { store } = await fresh();
    await store().putApprovalToken('inc-1', 'nonce-1', 'token-abc');
    const taken = await Promise.all(Array.from({ length: 8 }, () => store().takeApprovalToken('inc-1', 'nonce-1')));
    expect(taken.filter((token) => token !== undefined)).toEqual(['token-abc']);
    expect(await store().takeApprovalToken('inc-1', 'nonce-1')).toBeUndefined();
  });

  it('keeps the token out of the response item', async () => {
    const { store, tableName } = await fresh();
    await store().putApprovalToken('inc-1', 'nonce-1', 'token-abc');
    await store().updateResponse('inc-1', () => openResponse('inc-1', '2026-11-21T03:00:00Z'));
    const item = (await DynamoDBDocumentClient.from(db.client).send(new GetCommand({ TableName: tableName, Key: { pk: 'responses', sk: 'inc-1' } }))).Item!;
    expect(JSON.stringify(item)).not.toContain('token-abc');
    expect(item.expiresAt).toBeGreaterThan(Date.parse('2026-11-21T03:00:00Z') / 1000 + 300 * 86400);
  });

  it('loses no concurrent update: every writer re-reads and re-applies on conflict', async () => {
    const { store } = await fresh();
    await store().updateResponse('inc-1', () => openResponse('inc-1', '2026-11-21T03:00:00Z'));
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        store().updateResponse('inc-1', (current) => ({
          ...current!,
          alerts: [...current!.alerts, { at: `2026-11-21T03:00:0${index}Z`, kind: 'escalated' as const, severity: 'high' }],
        })),
      ),
    );
    const stored = (await store().getResponse('inc-1'))!;
    expect(stored.alerts).toHaveLength(10);
    const next = await store().updateResponse('inc-1', (current) => withStatus(current!, { to: 'resolved', by: 'alice', at: '2026-11-22T00:00:00Z' }));
    expect((await store().listResponses()).map((response) => response.status)).toEqual([next.status]);
  });
});
