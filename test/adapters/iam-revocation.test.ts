import { DeleteRolePolicyCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, NoSuchEntityException, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { IamRevocation } from '#adapters/containment/iam-revocation';
import { actionDescriptor } from '#core/actions/registry';

const iam = mockClient(IAMClient);
const ROLE_ARN = 'arn:aws:iam::111122223333:role/service/checkout-irsa';
const ROLE_ID = 'AROAEXAMPLEROLEID0001';
const INCIDENT = 'inc-0123456789ab';
const NOW = new Date('2026-11-21T02:40:00.000Z');
const CLOCK = () => new Date('2026-11-21T02:41:00.000Z');

const IRSA = { via: 'irsa' as const, sessionNames: ['botocore-session-1763691910'] };
const POD = { via: 'pod-identity' as const, namespace: 'payments', pod: 'checkout-7d9f8b6c5-x2k4q', clusterName: 'prod-east' };

/** IAM's GetRolePolicy answers with the document URL-encoded. */
function stored(document: unknown): { PolicyDocument: string; RoleName: string; PolicyName: string } {
  return { RoleName: 'checkout-irsa', PolicyName: 'stored', PolicyDocument: encodeURIComponent(JSON.stringify(document)) };
}

function iamError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: {} });
}

function putDocuments(): unknown[] {
  return iam.commandCalls(PutRolePolicyCommand).map((call) => JSON.parse(call.args[0].input.PolicyDocument!));
}

let revocation: IamRevocation;

beforeEach(() => {
  iam.reset();
  iam.on(GetRoleCommand, { RoleName: 'checkout-irsa' }).resolves({
    Role: { RoleName: 'checkout-irsa', RoleId: ROLE_ID, Arn: ROLE_ARN, Path: '/service/', CreateDate: new Date('2026-01-01T00:00:00Z') },
  });
  iam.on(GetRolePolicyCommand).rejects(new NoSuchEntityException({ message: 'policy not found', $metadata: {} }));
  iam.on(PutRolePolicyCommand).resolves({});
  iam.on(DeleteRolePolicyCommand).resolves({});
  revocation = new IamRevocation(new IAMClient({ region: 'us-east-1' }), CLOCK);
});

describe('revokeSessions (IRSA)', () => {
  it('attaches a deny on the session ids ROLEID:sessionName, named after the incident', async () => {
    const record = await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, identity: IRSA, dryRun: false });
    const puts = iam.commandCalls(PutRolePolicyCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]!.args[0].input).toEqual({
      RoleName: 'checkout-irsa',
      PolicyName: 'pivotguard-revoke-inc-0123456789ab',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { StringEquals: { 'aws:userid': ['AROAEXAMPLEROLEID0001:botocore-session-1763691910'] } },
          },
        ],
      }),
    });
    expect(record).toEqual({
      action: 'revoke-role-sessions',
      incidentId: INCIDENT,
      target: ROLE_ARN,
      startedAt: '2026-11-21T02:41:00.000Z',
      finishedAt: '2026-11-21T02:41:00.000Z',
      result: 'applied',
      detail: 'attached policy pivotguard-revoke-inc-0123456789ab to role checkout-irsa denying IRSA session(s) botocore-session-1763691910',
      undo: { kind: 'delete-role-policy', roleName: 'checkout-irsa', policyName: 'pivotguard-revoke-inc-0123456789ab' },
    });
  });

  it('finds its own policy on the second call and changes nothing', async () => {
    await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, identity: IRSA, dryRun: false });
    iam.on(GetRolePolicyCommand, { RoleName: 'checkout-irsa', PolicyName: 'pivotguard-revoke-inc-0123456789ab' }).resolves(stored(putDocuments()[0]));
    const second = await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, identity: IRSA, dryRun: false });
    expect(second.result).toBe('already-applied');
    expect(second.undo).toEqual({ kind: 'delete-role-policy', roleName: 'checkout-irsa', policyName: 'pivotguard-revoke-inc-0123456789ab' });
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
  });

  it('adds newly seen sessions to the ones already denied, never lifting one', async () => {
    iam.on(GetRolePolicyCommand, { RoleName: 'checkout-irsa', PolicyName: 'pivotguard-revoke-inc-0123456789ab' }).resolves(
      stored({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:userid': ['AROAEXAMPLEROLEID0001:aws-sdk-js-1'] } } }],
      }),
    );
    const record = await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, identity: IRSA, dryRun: false });
    expect(record.result).toBe('applied');
    expect(putDocuments()).toEqual([
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { StringEquals: { 'aws:userid': ['AROAEXAMPLEROLEID0001:aws-sdk-js-1', 'AROAEXAMPLEROLEID0001:botocore-session-1763691910'] } },
          },
        ],
      },
    ]);
  });

  it('dry: reads the role, writes nothing, and reports the undo it would record', async () => {
    const record = await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, identity: IRSA, dryRun: true });
    expect(record.result).toBe('dry-run');
    expect(record.detail).toBe(
      'would attach policy pivotguard-revoke-inc-0123456789ab to role checkout-irsa denying IRSA session(s) botocore-session-1763691910',
    );
    expect(record.undo).toEqual({ kind: 'delete-role-policy', roleName: 'checkout-irsa', policyName: 'pivotguard-revoke-inc-0123456789ab' });
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
    expect(iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(0);
    expect(iam.commandCalls(GetRoleCommand)).toHaveLength(1);
  });

  it('skips a role that no longer exists', async () => {
    iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'role not found', $metadata: {} }));
    const record = await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, identity: IRSA, dryRun: false });
    expect(record.result).toBe('skipped');
    expect(record.undo).toBeUndefined();
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });

  it('fails naming the IAM action it was refused', async () => {
    iam.on(PutRolePolicyCommand).rejects(iamError('AccessDenied', 'not authorized to perform: iam:PutRolePolicy'));
    const record = await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, identity: IRSA, dryRun: false });
    expect(record.result).toBe('failed');
    expect(record.detail).toBe('pivotguard may not call iam:PutRolePolicy on role checkout-irsa');
    expect(record.undo).toBeUndefined();

    iam.on(GetRoleCommand).rejects(iamError('AccessDenied'));
    const refusedRead = await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, identity: IRSA, dryRun: false });
    expect(refusedRead.detail).toBe('pivotguard may not call iam:GetRole on role checkout-irsa');
  });

  it('rethrows throttling so the state machine retries it', async () => {
    iam.on(PutRolePolicyCommand).rejects(Object.assign(iamError('Throttling', 'Rate exceeded'), { $retryable: { throttling: true } }));
    await expect(revocation.revokeSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, identity: IRSA, dryRun: false })).rejects.toThrow('Rate exceeded');
  });

  it('fails, without writing, when no session id can be formed', async () => {
    const record = await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, identity: { via: 'irsa', sessionNames: [] }, dryRun: false });
    expect(record.result).toBe('failed');
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });

  it('fails on what is not a role ARN, without calling IAM', async () => {
    const record = await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: 'arn:aws:iam::111122223333:user/alice', identity: IRSA, dryRun: false });
    expect(record.result).toBe('failed');
    expect(iam.calls()).toHaveLength(0);
  });
});

describe('revokeSessions (EKS Pod Identity)', () => {
  it('attaches a deny on the pod session tags', async () => {
    const record = await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, identity: POD, dryRun: false });
    expect(record.result).toBe('applied');
    expect(iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input).toEqual({
      RoleName: 'checkout-irsa',
      PolicyName: 'pivotguard-revoke-inc-0123456789ab',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: {
              StringEquals: {
                'aws:PrincipalTag/kubernetes-namespace': 'payments',
                'aws:PrincipalTag/kubernetes-pod-name': 'checkout-7d9f8b6c5-x2k4q',
                'aws:PrincipalTag/eks-cluster-name': 'prod-east',
              },
            },
          },
        ],
      }),
    });
  });

  it('is already applied when IAM holds the same document, whatever its key order', async () => {
    iam.on(GetRolePolicyCommand, { RoleName: 'checkout-irsa', PolicyName: 'pivotguard-revoke-inc-0123456789ab' }).resolves(
      stored({
        Statement: [
          {
            Condition: {
              StringEquals: {
                'aws:PrincipalTag/eks-cluster-name': 'prod-east',
                'aws:PrincipalTag/kubernetes-pod-name': 'checkout-7d9f8b6c5-x2k4q',
                'aws:PrincipalTag/kubernetes-namespace': 'payments',
              },
            },
            Resource: '*',
            Action: '*',
            Effect: 'Deny',
          },
        ],
        Version: '2012-10-17',
      }),
    );
    const record = await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, identity: POD, dryRun: false });
    expect(record.result).toBe('already-applied');
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });
});

describe('revokeAllSessions', () => {
  it("attaches the console's AWSRevokeOlderSessions deny, named after the incident", async () => {
    const record = await revocation.revokeAllSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, now: NOW, dryRun: false });
    expect(record.result).toBe('applied');
    expect(record.undo).toEqual({ kind: 'delete-role-policy', roleName: 'checkout-irsa', policyName: 'AWSRevokeOlderSessions-pivotguard-inc-0123456789ab' });
    expect(iam.commandCalls(PutRolePolicyCommand).map((call) => call.args[0].input)).toEqual([
      {
        RoleName: 'checkout-irsa',
        PolicyName: 'AWSRevokeOlderSessions-pivotguard-inc-0123456789ab',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-21T02:40:00.000Z' } } }],
        }),
      },
    ]);
  });

  it('a retry with the same time is already applied; an earlier time never moves the cutoff back', async () => {
    await revocation.revokeAllSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, now: NOW, dryRun: false });
    iam
      .on(GetRolePolicyCommand, { RoleName: 'checkout-irsa', PolicyName: 'AWSRevokeOlderSessions-pivotguard-inc-0123456789ab' })
      .resolves(stored(putDocuments()[0]));
    expect((await revocation.revokeAllSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, now: NOW, dryRun: false })).result).toBe('already-applied');
    const earlier = new Date('2026-11-21T02:00:00.000Z');
    expect((await revocation.revokeAllSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, now: earlier, dryRun: false })).result).toBe('already-applied');
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
  });

  it('dry: writes nothing', async () => {
    const record = await revocation.revokeAllSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, now: NOW, dryRun: true });
    expect(record.result).toBe('dry-run');
    expect(record.undo).toEqual({ kind: 'delete-role-policy', roleName: 'checkout-irsa', policyName: 'AWSRevokeOlderSessions-pivotguard-inc-0123456789ab' });
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
    expect(iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(0);
  });
});

describe('undo', () => {
  const step = { kind: 'delete-role-policy' as const, roleName: 'checkout-irsa', policyName: 'pivotguard-revoke-inc-0123456789ab' };

  it('deletes exactly the policy it attached; twice is harmless', async () => {
    const first = await revocation.undo(step, { incidentId: INCIDENT, roleArn: ROLE_ARN });
    expect(first.result).toBe('applied');
    expect(first.target).toBe(ROLE_ARN);
    expect(iam.commandCalls(DeleteRolePolicyCommand).map((call) => call.args[0].input)).toEqual([
      { RoleName: 'checkout-irsa', PolicyName: 'pivotguard-revoke-inc-0123456789ab' },
    ]);

    iam.on(DeleteRolePolicyCommand).rejects(new NoSuchEntityException({ message: 'policy not found', $metadata: {} }));
    const second = await revocation.undo(step, { incidentId: INCIDENT });
    expect(second.result).toBe('already-applied');
    expect(second.detail).toBe('policy pivotguard-revoke-inc-0123456789ab was already gone from role checkout-irsa');
  });

  it('undoes the all-sessions revocation by its own name', async () => {
    const allSessions = { kind: 'delete-role-policy' as const, roleName: 'checkout-irsa', policyName: 'AWSRevokeOlderSessions-pivotguard-inc-0123456789ab' };
    expect((await revocation.undo(allSessions, { incidentId: INCIDENT })).result).toBe('applied');
    expect(iam.commandCalls(DeleteRolePolicyCommand)[0]!.args[0].input).toEqual({
      RoleName: 'checkout-irsa',
      PolicyName: 'AWSRevokeOlderSessions-pivotguard-inc-0123456789ab',
    });
  });

  it('refuses to delete a policy pivotguard did not write', async () => {
    const record = await revocation.undo({ kind: 'delete-role-policy', roleName: 'checkout-irsa', policyName: 'checkout-secrets' }, { incidentId: INCIDENT });
    expect(record.result).toBe('failed');
    expect(iam.calls()).toHaveLength(0);
  });

  it('dry: deletes nothing', async () => {
    iam.on(GetRolePolicyCommand, { RoleName: 'checkout-irsa', PolicyName: 'pivotguard-revoke-inc-0123456789ab' }).resolves(stored({ Version: '2012-10-17' }));
    expect((await revocation.undo(step, { incidentId: INCIDENT, dryRun: true })).result).toBe('dry-run');
    expect(iam.commandCalls(DeleteRolePolicyCommand)).toHaveLength(0);
  });

  it('fails naming iam:DeleteRolePolicy when refused', async () => {
    iam.on(DeleteRolePolicyCommand).rejects(iamError('AccessDenied'));
    const record = await revocation.undo(step, { incidentId: INCIDENT });
    expect(record.result).toBe('failed');
    expect(record.detail).toBe('pivotguard may not call iam:DeleteRolePolicy on role checkout-irsa');
  });

  it('leaves steps of other kinds alone', async () => {
    const record = await revocation.undo({ kind: 'uncordon-node', cluster: 'prod-east', node: 'ip-10-0-42-17' }, { incidentId: INCIDENT });
    expect(record.result).toBe('skipped');
    expect(iam.calls()).toHaveLength(0);
  });
});

describe('the IAM the revoke actions declare', () => {
  /** The IAM action a recorded SDK call needs: the command's name without `Command`. */
  const calledActions = () => new Set(iam.calls().map((call) => `iam:${(call.args[0] as object).constructor.name.replace(/Command$/, '')}`));

  it.each([
    ['revoke-role-sessions' as const, () => revocation.revokeSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, identity: IRSA, dryRun: false })],
    ['revoke-all-sessions' as const, () => revocation.revokeAllSessions({ incidentId: INCIDENT, roleArn: ROLE_ARN, now: NOW, dryRun: false })],
  ])('names exactly the IAM calls %s and its undo make, on the containable roles', async (action, run) => {
    const { undo } = await run();
    await revocation.undo(undo!, { incidentId: INCIDENT, dryRun: true });
    await revocation.undo(undo!, { incidentId: INCIDENT });

    const declared = actionDescriptor(action).needs.iam;
    expect(declared.map((need) => need.on)).toEqual(['containable-roles']);
    expect(calledActions()).toEqual(new Set(declared.flatMap((need) => need.actions)));
  });
});
