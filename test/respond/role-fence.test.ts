import { describe, expect, it } from 'vitest';
import { InvalidFence, roleFencePolicy } from '#core/respond/role-fence';
import { ACCOUNT, type Decision, DeployedTemplate, decide } from '../support/aws-decisions.ts';

/**
 * The fence decided by IAM's evaluation (the policy simulator), not read: the role may do
 * everything, the fence is attached beside it, and each request carries the context keys AWS
 * would set for where it came from.
 */
const ROLE = `arn:aws:iam::${ACCOUNT}:role/checkout-irsa`;
const NAT = '203.0.113.10';
const CLUSTER_VPC = 'vpc-0a1b2c3d4e5f60718';
const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const noTemplate = new DeployedTemplate({ Resources: {} });

function request(session: string, context: Record<string, string>, fenced = true): Promise<Decision> {
  const fence = roleFencePolicy({ egressCidrs: [`${NAT}/32`], vpcIds: [CLUSTER_VPC] });
  return decide(noTemplate, {
    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/checkout-irsa/${session}`,
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::payments-exports/report.csv',
    context: { 'aws:PrincipalArn': ROLE, ...context },
    identityPolicies: [{ name: 'workload', policy: ALLOW_ALL }, ...(fenced ? [{ name: 'pivotguard-fence', policy: fence as never }] : [])],
  });
}

describe('roleFencePolicy, decided by IAM', () => {
  it('denies the stolen session and a session freshly minted with the stolen token, from outside', async () => {
    expect(await request('botocore-session-1763691910', { 'aws:SourceIp': '198.51.100.23' })).toBe('ExplicitlyDenied');
    expect(await request('attacker-new-session', { 'aws:SourceIp': '198.51.100.23', 'aws:TokenIssueTime': '2099-01-01T00:00:00Z' })).toBe('ExplicitlyDenied');
  });

  it('lets the healthy replicas work from the cluster’s egress address and through its VPC endpoints', async () => {
    expect(await request('botocore-session-replica', { 'aws:SourceIp': NAT })).toBe('Allowed');
    expect(
      await request('botocore-session-replica', { 'aws:SourceVpc': CLUSTER_VPC, 'aws:SourceVpce': 'vpce-0123456789abcdef0', 'aws:VpcSourceIp': '10.0.42.133' }),
    ).toBe('Allowed');
  });

  it('denies a request through the attacker’s own VPC endpoint, whose private address proves nothing', async () => {
    expect(
      await request('attacker-new-session', {
        'aws:SourceVpc': 'vpc-0fedcba9876543210',
        'aws:SourceVpce': 'vpce-0fedcba9876543210',
        'aws:VpcSourceIp': '10.0.42.133',
      }),
    ).toBe('ExplicitlyDenied');
  });

  it('is the only thing that denies: with the fence removed (its undo), the attacker’s requests are allowed again', async () => {
    expect(await request('attacker-new-session', { 'aws:SourceIp': '198.51.100.23' }, false)).toBe('Allowed');
    expect(await request('attacker-new-session', { 'aws:SourceVpc': 'vpc-0fedcba9876543210' }, false)).toBe('Allowed');
  });

  it('lets AWS services act for the role (forward access sessions carry no caller address)', async () => {
    expect(await request('botocore-session-replica', { 'aws:ViaAWSService': 'true', 'aws:CalledVia': 'kms.amazonaws.com' })).toBe('Allowed');
  });
});

describe('roleFencePolicy refuses a fence that would not mean "outside the cluster"', () => {
  it.each([
    ['no egress addresses', { egressCidrs: [], vpcIds: [CLUSTER_VPC] }],
    ['a private egress address (never an aws:SourceIp of a NAT-ed request)', { egressCidrs: ['10.0.0.0/16'], vpcIds: [] }],
    ['a range wider than one cluster', { egressCidrs: ['203.0.0.0/8'], vpcIds: [] }],
    ['not an address', { egressCidrs: ['nat-gateway'], vpcIds: [] }],
    ['not a VPC id', { egressCidrs: [`${NAT}/32`], vpcIds: ['vpc-*'] }],
  ])('%s', (_, fence) => {
    expect(() => roleFencePolicy(fence)).toThrow(InvalidFence);
  });

  it('lists each address once, normalized, so a retry compares equal', () => {
    expect(roleFencePolicy({ egressCidrs: [NAT, `${NAT}/32`, '2001:db8::1'], vpcIds: [] }).Statement[0].Condition.NotIpAddressIfExists['aws:SourceIp']).toEqual(
      ['2001:db8::1/128', `${NAT}/32`],
    );
  });
});
