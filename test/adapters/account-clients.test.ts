import { DeleteRolePolicyCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, NoSuchEntityException, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { containmentSessionName, organizationAccounts, singleAccount } from '#adapters/containment/account-clients';
import { IamRevocation } from '#adapters/containment/iam-revocation';

/**
 * Which IAM client acts on a role, by the role's account: the function's own in its account, the
 * member containment role's (assumed with STS, the session named after the incident) in another
 * account of the organization, and none at all in another account without a member role.
 */
const iam = mockClient(IAMClient);
const sts = mockClient(STSClient);
const HOME = '111122223333';
const MEMBER = '222233334444';
const MEMBER_ROLE = 'pivotguard-member-containment';
const INCIDENT = 'inc-0123456789ab';
const IN_HOME = `arn:aws:iam::${HOME}:role/checkout-irsa`;
const IN_MEMBER = `arn:aws:iam::${MEMBER}:role/data-reader`;
const IRSA = { via: 'irsa' as const, sessionNames: ['pivot'] };
const NOW = new Date('2026-11-21T02:40:00.000Z');
const HOME_KEY = 'AKIAEXAMPLEHOMEKEY01';

let clock = NOW;

function credentialsOf(expiration: Date, key = 'ASIAEXAMPLEMEMBER001') {
  return { AccessKeyId: key, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: expiration };
}

function organization() {
  const home = new IAMClient({ region: 'us-east-1', credentials: { accessKeyId: HOME_KEY, secretAccessKey: 'home' } });
  return organizationAccounts({ iam: home, homeAccountId: HOME, memberRoleName: MEMBER_ROLE, sts: new STSClient({ region: 'us-east-1' }), clock: () => clock });
}

/** The access key of the client each IAM write went out through: which account's credentials acted. */
async function keysOfPuts(): Promise<string[]> {
  return Promise.all(
    iam.commandCalls(PutRolePolicyCommand).map(async (call) => {
      const client = call.thisValue as IAMClient;
      const credentials = typeof client.config.credentials === 'function' ? await client.config.credentials() : client.config.credentials;
      return credentials.accessKeyId;
    }),
  );
}

beforeEach(() => {
  clock = NOW;
  iam.reset();
  sts.reset();
  iam
    .on(GetRoleCommand)
    .callsFake((input: { RoleName: string }) => ({ Role: { RoleName: input.RoleName, RoleId: 'AROAEXAMPLEROLEID0001', Arn: '', Path: '/', CreateDate: NOW } }));
  iam.on(GetRolePolicyCommand).rejects(new NoSuchEntityException({ message: 'not found', $metadata: {} }));
  iam.on(PutRolePolicyCommand).resolves({});
  iam.on(DeleteRolePolicyCommand).resolves({});
  sts.on(AssumeRoleCommand).resolves({ Credentials: credentialsOf(new Date(NOW.getTime() + 3600_000)) });
});

describe('organization mode (MEMBER_ROLE_NAME set)', () => {
  it('acts on a role in another account through that account’s member role, the session named after the incident', async () => {
    const record = await new IamRevocation(organization()).revokeSessions({ incidentId: INCIDENT, roleArn: IN_MEMBER, identity: IRSA, dryRun: false });
    expect(record.result).toBe('applied');
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([
      { RoleArn: `arn:aws:iam::${MEMBER}:role/${MEMBER_ROLE}`, RoleSessionName: `pivotguard-${INCIDENT}` },
    ]);
    expect(iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input.RoleName).toBe('data-reader');
    expect(await keysOfPuts()).toEqual(['ASIAEXAMPLEMEMBER001']);
  });

  it('acts in its own account with its own credentials, assuming nothing', async () => {
    const record = await new IamRevocation(organization()).revokeSessions({ incidentId: INCIDENT, roleArn: IN_HOME, identity: IRSA, dryRun: false });
    expect(record.result).toBe('applied');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(await keysOfPuts()).toEqual([HOME_KEY]);
  });

  it('assumes the member role once per account and incident while its credentials last, again for another incident or near expiry', async () => {
    const accounts = organization();
    const revocation = new IamRevocation(accounts);
    await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: IN_MEMBER, identity: IRSA, dryRun: false });
    await revocation.fenceRole({ incidentId: INCIDENT, roleArn: IN_MEMBER, fence: { egressCidrs: ['203.0.113.10/32'], vpcIds: [] }, dryRun: false });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    await revocation.revokeSessions({ incidentId: 'inc-ffffffffffff', roleArn: IN_MEMBER, identity: IRSA, dryRun: false });
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleSessionName)).toEqual([
      `pivotguard-${INCIDENT}`,
      'pivotguard-inc-ffffffffffff',
    ]);
    // Four minutes before the credentials expire: a step must not start with credentials that die under it.
    clock = new Date(NOW.getTime() + 56 * 60_000);
    await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: IN_MEMBER, identity: IRSA, dryRun: false });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(3);
  });

  it('takes the member role’s partition from the role it acts on', async () => {
    await organization().iamFor(MEMBER, INCIDENT, 'aws-cn');
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.RoleArn).toBe(`arn:aws-cn:iam::${MEMBER}:role/${MEMBER_ROLE}`);
  });

  it('refuses the step when STS refuses the member role (not deployed there, not trusting this function), and changes nothing', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied', $metadata: {} }));
    const record = await new IamRevocation(organization()).revokeSessions({ incidentId: INCIDENT, roleArn: IN_MEMBER, identity: IRSA, dryRun: false });
    expect(record.result).toBe('failed');
    expect(record.detail).toContain(`arn:aws:iam::${MEMBER}:role/${MEMBER_ROLE}`);
    expect(record.undo).toBeUndefined();
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
  });

  it('leaves throttling to the state machine’s retry', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: {} }));
    await expect(
      new IamRevocation(organization()).revokeSessions({ incidentId: INCIDENT, roleArn: IN_MEMBER, identity: IRSA, dryRun: false }),
    ).rejects.toMatchObject({ name: 'Throttling' });
  });

  it('undoes in the account of the recorded role: the record’s target names it', async () => {
    const revocation = new IamRevocation(organization());
    const applied = await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: IN_MEMBER, identity: IRSA, dryRun: false });
    const undone = await revocation.undo(applied.undo!, { incidentId: INCIDENT, roleArn: applied.target });
    expect(undone.result).toBe('applied');
    const deletes = iam.commandCalls(DeleteRolePolicyCommand);
    expect(deletes.map((call) => call.args[0].input)).toEqual([{ RoleName: 'data-reader', PolicyName: `pivotguard-revoke-${INCIDENT}` }]);
    const client = deletes[0]!.thisValue as IAMClient;
    expect((await (client.config.credentials as () => Promise<{ accessKeyId: string }>)()).accessKeyId).toBe('ASIAEXAMPLEMEMBER001');
  });
});

describe('one account (no member role)', () => {
  const home = () => singleAccount(new IAMClient({ region: 'us-east-1' }), HOME);

  it('refuses a role in another account, for a step and for its undo, and calls neither STS nor IAM', async () => {
    const revocation = new IamRevocation(home());
    const record = await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: IN_MEMBER, identity: IRSA, dryRun: false });
    expect(record.result).toBe('failed');
    expect(record.detail).toMatch(new RegExp(`account ${MEMBER}`));
    // A recorded step naming a role of another account (a forged record) is not deleted in this account under the same name.
    const undone = await revocation.undo(
      { kind: 'delete-role-policy', roleName: 'data-reader', policyName: `pivotguard-revoke-${INCIDENT}` },
      { incidentId: INCIDENT, roleArn: IN_MEMBER },
    );
    expect(undone.result).toBe('failed');
    expect(sts.calls()).toHaveLength(0);
    expect(iam.calls()).toHaveLength(0);
  });

  it('acts in its own account, and undoes a step recorded by role name only there', async () => {
    const revocation = new IamRevocation(home());
    expect((await revocation.revokeSessions({ incidentId: INCIDENT, roleArn: IN_HOME, identity: IRSA, dryRun: false })).result).toBe('applied');
    const undone = await revocation.undo(
      { kind: 'delete-role-policy', roleName: 'checkout-irsa', policyName: `pivotguard-revoke-${INCIDENT}` },
      { incidentId: INCIDENT },
    );
    expect(undone.result).toBe('applied');
    expect(sts.calls()).toHaveLength(0);
  });
});

describe('containmentSessionName', () => {
  it('names the incident within STS’s 64 characters of [\\w+=,.@-]', () => {
    expect(containmentSessionName(INCIDENT)).toBe(`pivotguard-${INCIDENT}`);
    const long = containmentSessionName(`inc-${'x'.repeat(80)}/../$`);
    expect(long).toMatch(/^[\w+=,.@-]{1,64}$/);
  });
});
