import { IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { organizationAccounts, singleAccount } from '#adapters/containment/account-clients';
import { IamRolePolicies, RoleNotReadable } from '#adapters/enrichment/role-policies';

/**
 * A role's policies are read in the role's own account: through the member role in organization
 * mode, and never by name in the analyzer's account, where a same-named role is another role.
 */
const iam = mockClient(IAMClient);
const sts = mockClient(STSClient);
const HOME = '111122223333';
const MEMBER = '222233334444';
const MEMBER_ROLE = 'pivotguard-member-containment';
const HOME_KEY = 'AKIAEXAMPLEHOMEKEY01';
const MEMBER_KEY = 'ASIAEXAMPLEMEMBER001';
const IN_MEMBER = `arn:aws:iam::${MEMBER}:role/data-reader`;
const IN_HOME = `arn:aws:iam::${HOME}:role/data-reader`;

function homeClient() {
  return new IAMClient({ region: 'us-east-1', credentials: { accessKeyId: HOME_KEY, secretAccessKey: 'home' } });
}

/** The access key of the client each IAM read went out through: which account's credentials read. */
async function keysOfReads(): Promise<string[]> {
  return Promise.all(
    iam.calls().map(async (call) => {
      const client = call.thisValue as IAMClient;
      return (await client.config.credentials()).accessKeyId;
    }),
  );
}

beforeEach(() => {
  iam.reset();
  sts.reset();
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyName: 'AmazonS3ReadOnlyAccess' }] });
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: ['secrets'] });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: MEMBER_KEY, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date('2099-01-01T00:00:00Z') },
  });
});

describe('role policies across accounts', () => {
  it('single account: a role of another account is not read, and nothing is asked by its name here', async () => {
    const policies = new IamRolePolicies(homeClient(), HOME);
    const error = await policies.policiesOf(IN_MEMBER).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RoleNotReadable);
    expect((error as RoleNotReadable).accountId).toBe(MEMBER);
    expect((error as Error).message).toMatch(new RegExp(`^in account ${MEMBER}: not read`));
    expect(iam.calls()).toHaveLength(0);
    expect(sts.calls()).toHaveLength(0);
  });

  it('single account: a role of its own account is read with its own client', async () => {
    expect(await new IamRolePolicies(homeClient(), HOME).policiesOf(IN_HOME)).toEqual(['AmazonS3ReadOnlyAccess', 'secrets (inline)']);
    expect(await keysOfReads()).toEqual([HOME_KEY, HOME_KEY]);
  });

  it('organization: a role of a member account is read through the member role, assumed in that account', async () => {
    const accounts = organizationAccounts({ iam: homeClient(), homeAccountId: HOME, memberRoleName: MEMBER_ROLE, sts: new STSClient({ region: 'us-east-1' }) });
    const policies = new IamRolePolicies(accounts);
    expect(await policies.policiesOf(IN_MEMBER)).toEqual(['AmazonS3ReadOnlyAccess', 'secrets (inline)']);
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleArn)).toEqual([`arn:aws:iam::${MEMBER}:role/${MEMBER_ROLE}`]);
    expect(await keysOfReads()).toEqual([MEMBER_KEY, MEMBER_KEY]);
    expect(iam.commandCalls(ListAttachedRolePoliciesCommand)[0]!.args[0].input).toMatchObject({ RoleName: 'data-reader' });
  });

  it('organization: a member account without the member role is reported as not read, not read in the hub', async () => {
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    const accounts = organizationAccounts({ iam: homeClient(), homeAccountId: HOME, memberRoleName: MEMBER_ROLE, sts: new STSClient({ region: 'us-east-1' }) });
    const error = await new IamRolePolicies(accounts).policiesOf(IN_MEMBER).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RoleNotReadable);
    expect(iam.calls()).toHaveLength(0);
  });

  it('organization: a role of the hub account is read with the hub client, without STS', async () => {
    const accounts = organizationAccounts({ iam: homeClient(), homeAccountId: HOME, memberRoleName: MEMBER_ROLE, sts: new STSClient({ region: 'us-east-1' }) });
    await new IamRolePolicies(accounts).policiesOf(IN_HOME);
    expect(sts.calls()).toHaveLength(0);
    expect(await keysOfReads()).toEqual([HOME_KEY, HOME_KEY]);
  });

  it('accepts an explicit single-account client set', async () => {
    const error = await new IamRolePolicies(singleAccount(homeClient(), HOME)).policiesOf(IN_MEMBER).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RoleNotReadable);
  });
});
