import { afterEach, describe, expect, it, vi } from 'vitest';

/** Organization mode is one variable the stack sets: the member containment role's name, read at cold start. */
const CONTAINMENT = {
  TABLE_NAME: 'pivotguard-state',
  EVIDENCE_BUCKET: 'pivotguard-evidence',
  ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:pivotguard-alerts',
  APPROVAL_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:pivotguard-approval-AbCdEf',
  CLUSTERS: 'prod-east',
  POWERTOOLS_SERVICE_NAME: 'pivotguard-containment',
  AWS_REGION: 'us-east-1',
  ACCOUNT_ID: '111122223333',
  PIVOTGUARD_CONFIG_PARAMETER: '/pivotguard/config',
  PIVOTGUARD_CONFIG_SHA256: '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:111122223333:stateMachine:pivotguard-containment',
};
const UNDO = {
  TABLE_NAME: 'pivotguard-state',
  CLUSTERS: 'prod-east',
  POWERTOOLS_SERVICE_NAME: 'pivotguard-containment',
  AWS_REGION: 'us-east-1',
  ACCOUNT_ID: '111122223333',
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

describe('MEMBER_ROLE_NAME: the containment and undo functions in organization mode', () => {
  it('is read by both functions, and absent in single-account mode', async () => {
    stub({ ...CONTAINMENT, MEMBER_ROLE_NAME: 'pivotguard-member-containment' });
    const containment = await import('../../functions/handlers/containment.ts');
    expect(containment.containmentEnvironment(process.env).MEMBER_ROLE_NAME).toBe('pivotguard-member-containment');
    stub({ ...UNDO, MEMBER_ROLE_NAME: 'pivotguard-member-containment' });
    const undo = await import('../../functions/handlers/containment-undo.ts');
    expect(undo.undoEnvironment(process.env).MEMBER_ROLE_NAME).toBe('pivotguard-member-containment');
    expect(undo.undoEnvironment({ ...process.env, MEMBER_ROLE_NAME: undefined }).MEMBER_ROLE_NAME).toBeUndefined();
  });

  it('reads MEMBER_REGIONS as the regions to look for a member cluster in, and fails the cold start on one that is no region', async () => {
    stub({ ...UNDO, MEMBER_ROLE_NAME: 'pivotguard-member-containment', MEMBER_REGIONS: 'us-east-1, eu-west-1' });
    const undo = await import('../../functions/handlers/containment-undo.ts');
    expect(undo.undoEnvironment(process.env).MEMBER_REGIONS).toEqual(['us-east-1', 'eu-west-1']);
    expect(undo.undoEnvironment({ ...process.env, MEMBER_REGIONS: undefined }).MEMBER_REGIONS).toEqual([]);
    stub({ ...CONTAINMENT, MEMBER_ROLE_NAME: 'pivotguard-member-containment', MEMBER_REGIONS: 'us-east-1,Europe' });
    await expect(import('../../functions/handlers/containment.ts')).rejects.toThrow(/MEMBER_REGIONS.*is not a list of AWS regions/);
  });

  it('fails the cold start on a value that is not a role name (an ARN, a path)', async () => {
    stub({ ...CONTAINMENT, MEMBER_ROLE_NAME: 'arn:aws:iam::222233334444:role/pivotguard-member-containment' });
    await expect(import('../../functions/handlers/containment.ts')).rejects.toThrow(/MEMBER_ROLE_NAME is not an IAM role name/);
    stub({ ...UNDO, MEMBER_ROLE_NAME: 'team/pivotguard' });
    await expect(import('../../functions/handlers/containment-undo.ts')).rejects.toThrow(/MEMBER_ROLE_NAME is not an IAM role name/);
  });
});
