import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbResponseStore } from '#adapters/dynamodb-responses';
import { DynamoDbStore } from '#adapters/dynamodb-store';
import type { Incident } from '#core/model/incident';
import { openResponse } from '#core/respond/response';
import { type Dynalite, startDynalite } from '../fixtures/dynalite.ts';
import { pivotIncident, run } from './run-cli.ts';

const sfn = mockClient(SFNClient);
const lambda = mockClient(LambdaClient);

let db: Dynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db?.stop();
});

beforeEach(async () => {
  sfn.reset();
  lambda.reset();
  // The command builds its own clients from the environment, as it would in a shell.
  const endpoint = await db.client.config.endpoint!();
  vi.stubEnv('AWS_ENDPOINT_URL_DYNAMODB', `${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`);
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('PIVOTGUARD_STATE_MACHINE', 'arn:aws:states:us-east-1:111122223333:stateMachine:pivotguard-containment');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** A fresh table holding the pivot incident with an approval waiting under nonce n-1. */
async function tableWithPendingApproval(): Promise<{ table: string; incident: Incident; responses: DynamoDbResponseStore }> {
  const table = await db.newTable();
  const incident = await pivotIncident();
  await new DynamoDbStore({ client: db.client, tableName: table, retention: { graphRetentionMs: 86400_000, windowMs: 86400_000 } }).putIncidents([incident]);
  const responses = new DynamoDbResponseStore({ client: db.client, tableName: table });
  const now = Date.now();
  await responses.updateResponse(incident.id, () => ({
    ...openResponse(incident.id, incident.lastSeen),
    approval: { nonce: 'n-1', requestedAt: new Date(now).toISOString(), expiresAt: new Date(now + 3600_000).toISOString(), proposed: incident.plan.approval },
  }));
  await responses.putApprovalToken(incident.id, 'n-1', 'task-token-1');
  return { table, incident, responses };
}

describe('pivotguard on the deployed table', () => {
  it('approve hands the waiting task token to Step Functions and records who approved', async () => {
    const { table, incident, responses } = await tableWithPendingApproval();
    sfn.on(SendTaskSuccessCommand).resolves({});
    const result = await run(['approve', incident.id, '--table', table, '--by', 'alice']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^${incident.id} approved by alice at \\S+; the workflow runs next:`));
    expect(result.stdout).toContain('restart-pod');
    const [call] = sfn.commandCalls(SendTaskSuccessCommand);
    expect(call?.args[0].input.taskToken).toBe('task-token-1');
    expect(JSON.parse(call!.args[0].input.output!)).toMatchObject({ decision: 'approved', by: 'alice' });
    expect((await responses.getResponse(incident.id))?.approval).toMatchObject({ decision: 'approved', decidedBy: 'alice' });

    const again = await run(['approve', incident.id, '--table', table, '--by', 'bob']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already approved by alice/);
  });

  it('approve needs the state machine (exit 2)', async () => {
    const { table, incident } = await tableWithPendingApproval();
    vi.stubEnv('PIVOTGUARD_STATE_MACHINE', undefined);
    const result = await run(['approve', incident.id, '--table', table, '--by', 'alice']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--state-machine ARN/);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('undo invokes the containment function and prints what it reversed', async () => {
    const { table, incident } = await tableWithPendingApproval();
    const target = `prod-east/payments/${incident.workload.pod}`;
    const records = [
      { action: 'isolate-pod', target, at: '2026-11-21T03:00:00.000Z', by: 'alice', result: 'undone', detail: 'label and NetworkPolicy removed' },
    ];
    // remoteUndo reads only the bytes of the blob the SDK returns.
    lambda.on(InvokeCommand).resolves({ Payload: Buffer.from(JSON.stringify(records)) as unknown as InvokeCommandOutput['Payload'] });
    const result = await run(['undo', incident.id, '--table', table, '--function', 'pivotguard-containment', '--by', 'alice']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`undone         isolate-pod  ${target}\n  label and NetworkPolicy removed\n`);
    const [call] = lambda.commandCalls(InvokeCommand);
    expect(call?.args[0].input.FunctionName).toBe('pivotguard-containment');
    expect(JSON.parse(Buffer.from(call!.args[0].input.Payload as Uint8Array).toString('utf8'))).toEqual({ step: 'undo', incidentId: incident.id, by: 'alice' });

    const dry = await run(['undo', incident.id, 'isolate-pod', '--dry-run', '--table', table, '--function', 'pivotguard-containment', '--by', 'alice']);
    expect(dry.code).toBe(0);
    const payload = lambda.commandCalls(InvokeCommand)[1]!.args[0].input.Payload as Uint8Array;
    expect(JSON.parse(Buffer.from(payload).toString('utf8'))).toEqual({
      step: 'undo',
      incidentId: incident.id,
      by: 'alice',
      action: 'isolate-pod',
      dryRun: true,
    });
  });
});
