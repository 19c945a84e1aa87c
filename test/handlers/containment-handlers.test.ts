import { afterEach, describe, expect, it, vi } from 'vitest';

const CONTAINMENT = {
  TABLE_NAME: 'pivotguard-state',
  EVIDENCE_BUCKET: 'pivotguard-evidence',
  ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:pivotguard-alerts',
  APPROVAL_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:pivotguard-approval-AbCdEf',
  CLUSTERS: 'prod-east,staging',
  POWERTOOLS_SERVICE_NAME: 'pivotguard-containment',
  AWS_REGION: 'us-east-1',
  ACCOUNT_ID: '111122223333',
  PIVOTGUARD_CONFIG_PARAMETER: '/pivotguard/config',
  PIVOTGUARD_CONFIG_SHA256: '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
};
const APPROVAL = {
  TABLE_NAME: 'pivotguard-state',
  APPROVAL_SECRET_ARN: CONTAINMENT.APPROVAL_SECRET_ARN,
  CONTAINMENT_FUNCTION_NAME: 'pivotguard-containment',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111122223333:stateMachine:pivotguard-containment',
  POWERTOOLS_SERVICE_NAME: 'pivotguard-approval',
};

function stub(variables: Record<string, string | undefined>) {
  vi.resetModules();
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
  for (const [name, value] of Object.entries(variables)) vi.stubEnv(name, value);
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('containment and approval page handlers: environment read at cold start', () => {
  it('load with a complete environment, the clusters split and the approval timeout defaulted', async () => {
    stub(CONTAINMENT);
    const containment = await import('../../functions/handlers/containment.ts');
    expect(typeof containment.handler).toBe('function');
    expect(containment.containmentEnvironment(process.env)).toMatchObject({ CLUSTERS: ['prod-east', 'staging'], APPROVAL_TIMEOUT_SECONDS: 86400 });
    stub(APPROVAL);
    expect(typeof (await import('../../functions/handlers/approval-page.ts')).handler).toBe('function');
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
  });
});
