import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  APPROVAL_ENVIRONMENT as APPROVAL,
  CONTAINMENT_ENVIRONMENT as CONTAINMENT,
  UNDO_ENVIRONMENT as UNDO,
  stubEnvironment as stub,
} from '../fixtures/handler-environments.ts';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('containment, undo and approval page handlers: environment read at cold start', () => {
  it('load with a complete environment, the clusters split and the approval timeout defaulted', async () => {
    stub(CONTAINMENT);
    const containment = await import('../../functions/handlers/containment.ts');
    expect(typeof containment.handler).toBe('function');
    expect(containment.containmentEnvironment(process.env)).toMatchObject({ CLUSTERS: ['prod-east', 'staging'], APPROVAL_TIMEOUT_SECONDS: 86400 });
    stub(APPROVAL);
    expect(typeof (await import('../../functions/handlers/approval-page.ts')).handler).toBe('function');
    stub(UNDO);
    const undo = await import('../../functions/handlers/containment-undo.ts');
    expect(undo.undoEnvironment(process.env)).toMatchObject({ CLUSTERS: ['prod-east', 'staging'] });
  });

  it('fail naming every missing or malformed variable', async () => {
    stub({ ...CONTAINMENT, EVIDENCE_BUCKET: undefined, APPROVAL_SECRET_ARN: 'not-an-arn' });
    await expect(import('../../functions/handlers/containment.ts')).rejects.toThrow(
      'pivotguard containment: invalid environment: EVIDENCE_BUCKET is not set; APPROVAL_SECRET_ARN is not a Secrets Manager ARN',
    );
    stub({ ...APPROVAL, STATE_MACHINE_ARN: undefined });
    await expect(import('../../functions/handlers/approval-page.ts')).rejects.toThrow(
      'pivotguard approval page: invalid environment: STATE_MACHINE_ARN is not set',
    );
    // Without its state machine, the containment function could not tell its own executions from a forged payload.
    stub({ ...CONTAINMENT, STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111122223333:execution:pivotguard-containment:x' });
    await expect(import('../../functions/handlers/containment.ts')).rejects.toThrow(/STATE_MACHINE_ARN is not a state machine ARN/);
    stub({ ...UNDO, ACCOUNT_ID: 'me' });
    await expect(import('../../functions/handlers/containment-undo.ts')).rejects.toThrow(/ACCOUNT_ID is not an AWS account id/);
  });
});

describe('containment undo handler', () => {
  it('refuses a payload that is not an undo request, before reading anything', async () => {
    stub(UNDO);
    const { handler } = await import('../../functions/handlers/containment-undo.ts');
    const context = { functionName: 'undo', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 60_000 } as never;
    for (const payload of [
      { step: 'run-action', incident: { id: 'inc-1' }, action: { action: 'revoke-all-sessions', target: 'arn:aws:iam::111122223333:role/Admin' } },
      { step: 'undo', incidentId: 'inc-1' },
      { step: 'undo', incidentId: 'inc-1', by: 'mallory', action: 'delete-everything' },
    ]) {
      await expect(handler(payload, context), JSON.stringify(payload)).rejects.toMatchObject({ name: 'UndoRequestInvalid' });
    }
  });
});
