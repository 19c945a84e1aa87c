import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONTAINMENT_ENVIRONMENT as CONTAINMENT, UNDO_ENVIRONMENT as UNDO, stubEnvironment as stub } from '../fixtures/handler-environments.ts';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

/** Organization mode is what the stack sets: the member containment role's name and the member regions, read at cold start. */
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
