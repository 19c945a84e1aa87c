import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ClusterLocation, clusterAccessOf, clusterConnector } from '#adapters/containment/cluster-connector';
import { EKS_TOKEN_PREFIX, type AwsCredentials } from '#adapters/kubernetes/eks-token';
import { configSchema } from '#core/config';

/**
 * A cluster configured in a member account is described and its EKS token signed with the member
 * role's credentials; without a configured account nothing changes; without a member role the
 * cluster of another account is refused before any call.
 */
const eks = mockClient(EKSClient);
const sts = mockClient(STSClient);
const HOME = '111122223333';
const MEMBER = '222233334444';
const HOME_KEY = 'AKIAEXAMPLEHOMEKEY01';
const MEMBER_KEY = 'ASIAEXAMPLEMEMBER001';
const MEMBER_ROLE = 'pivotguard-member-containment';

/** The region and credentials each EKS client was built with: which account and region DescribeCluster went to. */
let built: { region: string; accessKeyId: string | undefined }[];

function eksOf(region: string, credentials?: AwsCredentials) {
  built.push({ region, accessKeyId: credentials?.accessKeyId });
  return new EKSClient({ region, credentials: credentials ?? { accessKeyId: HOME_KEY, secretAccessKey: 'home' } });
}

function connector(locations: Record<string, ClusterLocation>, member = true) {
  return clusterAccessOf({
    eks: new EKSClient({ region: 'us-east-1', credentials: { accessKeyId: HOME_KEY, secretAccessKey: 'home' } }),
    region: 'us-east-1',
    clusters: ['prod', 'payments'],
    locationOf: (cluster) => locations[cluster],
    ...(member ? { member: { homeAccountId: HOME, memberRoleName: MEMBER_ROLE, sts: new STSClient({ region: 'us-east-1' }) } } : {}),
    eksOf,
  });
}

/** The presigned STS URL inside a bearer token. */
function tokenUrl({ token }: { token: string }): URL {
  expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
  return new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), 'base64url').toString('utf8'));
}

beforeEach(() => {
  eks.reset();
  sts.reset();
  built = [];
  eks
    .on(DescribeClusterCommand)
    .resolves({ cluster: { endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', certificateAuthority: { data: 'Q0E=' }, status: 'ACTIVE' } });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: MEMBER_KEY, SecretAccessKey: 'secret', SessionToken: 'member-token', Expiration: new Date('2099-01-01T00:00:00Z') },
  });
});

describe('cluster connector across accounts', () => {
  it('describes a member account cluster and signs its token with the member role, in its region', async () => {
    const access = await connector({ payments: { accountId: MEMBER, region: 'eu-west-1' } })('payments');
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleArn)).toEqual([`arn:aws:iam::${MEMBER}:role/${MEMBER_ROLE}`]);
    expect(built).toEqual([{ region: 'eu-west-1', accessKeyId: MEMBER_KEY }]);
    const [describe] = eks.commandCalls(DescribeClusterCommand);
    expect(describe!.args[0].input).toEqual({ name: 'payments' });
    expect((await (describe!.thisValue as EKSClient).config.credentials()).accessKeyId).toBe(MEMBER_KEY);
    const url = tokenUrl(access);
    expect(url.hostname).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^${MEMBER_KEY}/\\d{8}/eu-west-1/sts/aws4_request$`));
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('member-token');
  });

  it('without a configured account reaches the cluster as before: own client, own credentials, no STS', async () => {
    const access = await connector({})('prod');
    expect(sts.calls()).toHaveLength(0);
    expect(built).toEqual([]);
    expect(tokenUrl(access).searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^${HOME_KEY}/\\d{8}/us-east-1/sts/`));
  });

  it('a cluster configured in the hub account is reached with the hub credentials', async () => {
    await connector({ prod: { accountId: HOME } })('prod');
    expect(sts.calls()).toHaveLength(0);
  });

  it('single account: a cluster configured in another account is refused before any call', async () => {
    await expect(connector({ payments: { accountId: MEMBER } }, false)('payments')).rejects.toThrow(`in account ${MEMBER}`);
    expect(sts.calls()).toHaveLength(0);
    expect(eks.calls()).toHaveLength(0);
  });

  it('builds a Kubernetes client for a member account cluster', async () => {
    const connect = clusterConnector({
      eks: new EKSClient({ region: 'us-east-1' }),
      region: 'us-east-1',
      clusters: ['payments'],
      locationOf: () => ({ accountId: MEMBER, region: 'eu-west-1' }),
      member: { homeAccountId: HOME, memberRoleName: MEMBER_ROLE, sts: new STSClient({ region: 'us-east-1' }) },
      eksOf,
    });
    await expect(connect('payments')).resolves.toBeDefined();
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('reaches a member cluster named by its id, looking for it in the member regions when no region is configured, then remembering it', async () => {
    const notHere = Object.assign(new Error('No cluster found for name: payments.'), { name: 'ResourceNotFoundException' });
    const described: string[] = [];
    eks.on(DescribeClusterCommand).callsFake(async (_input, getClient) => {
      const region = await (getClient() as EKSClient).config.region();
      described.push(region);
      if (region !== 'eu-west-1') throw notHere;
      return { cluster: { endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', certificateAuthority: { data: 'Q0E=' }, status: 'ACTIVE' } };
    });
    const access = clusterAccessOf({
      eks: new EKSClient({ region: 'us-east-1', credentials: { accessKeyId: HOME_KEY, secretAccessKey: 'home' } }),
      region: 'us-east-1',
      clusters: ['payments'],
      member: { homeAccountId: HOME, memberRoleName: MEMBER_ROLE, sts: new STSClient({ region: 'us-east-1' }), regions: ['eu-central-1', 'eu-west-1'] },
      eksOf,
    });
    const first = await access(`payments@${MEMBER}`);
    expect(described).toEqual(['us-east-1', 'eu-central-1', 'eu-west-1']);
    expect(tokenUrl(first).hostname).toBe('sts.eu-west-1.amazonaws.com');
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input.RoleArn)).toEqual([`arn:aws:iam::${MEMBER}:role/${MEMBER_ROLE}`]);
    await access(`payments@${MEMBER}`);
    expect(described.slice(3)).toEqual(['eu-west-1']);
    // A member cluster pivotguard was not deployed for is refused before any region is asked.
    await expect(access(`ledger@${MEMBER}`)).rejects.toThrow(/not one pivotguard was deployed for/);
    expect(described).toHaveLength(4);
  });

  it('still refuses a cluster it was not deployed for, whatever its location', async () => {
    await expect(connector({ other: { accountId: MEMBER } })('other')).rejects.toThrow('not one pivotguard was deployed for');
    expect(sts.calls()).toHaveLength(0);
  });
});

describe('cluster location in the configuration', () => {
  it('accepts an account id and a region, and rejects malformed ones', () => {
    const ok = configSchema.parse({ clusters: { payments: { accountId: MEMBER, region: 'eu-west-1' } } });
    expect(ok.clusters.payments).toMatchObject({ accountId: MEMBER, region: 'eu-west-1' });
    expect(configSchema.safeParse({ clusters: { payments: { accountId: '2222' } } }).success).toBe(false);
    expect(configSchema.safeParse({ clusters: { payments: { region: 'Europe' } } }).success).toBe(false);
  });
});
