import { describe, expect, it } from 'vitest';
import type { IncidentIdentity } from '#core/model/incident';
import { scopedRevokePolicy, sessionsToRevoke } from '#core/respond/revoke-policy';
import { roleFencePolicy } from '#core/respond/role-fence';
import { ACCOUNT, type Decision, DeployedTemplate, decide } from '../support/aws-decisions.ts';

/**
 * What the automatic tier's policies decide, by IAM's evaluation, for the roles an attacker
 * reaches past the pod's own: a role chained from the stolen session, EKS Pod Identity sessions
 * (with their transitive tags) and an association created with session tags disabled.
 */
const noTemplate = new DeployedTemplate({ Resources: {} });
const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const NAT = '203.0.113.10';
const ATTACKER = '198.51.100.23';
const ROLE_ID = 'AROAEXAMPLECHAINED01';
const WORKLOAD = { cluster: 'prod-east', namespace: 'payments', pod: 'checkout-7d9f8b6c5-x2k4q' };
const POD_TAGS = {
  'aws:PrincipalTag/eks-cluster-name': 'prod-east',
  'aws:PrincipalTag/kubernetes-namespace': 'payments',
  'aws:PrincipalTag/kubernetes-pod-name': WORKLOAD.pod,
};
const SIBLING_TAGS = { ...POD_TAGS, 'aws:PrincipalTag/kubernetes-pod-name': 'checkout-7d9f8b6c5-m8z2p' };

type Identity = Pick<IncidentIdentity, 'via' | 'sessions' | 'tiedSessions' | 'podTags'>;

/** The deny the revoke step attaches for this identity, as the IAM adapter builds it (role id from GetRole). */
function revokePolicyFor(identity: Identity) {
  const scope = sessionsToRevoke(identity, WORKLOAD);
  if ('notScoped' in scope) throw new Error(scope.notScoped);
  return scope.via === 'pod-identity'
    ? scopedRevokePolicy(scope)
    : scopedRevokePolicy({ via: 'irsa', sessionUserIds: scope.sessionNames.map((name) => `${ROLE_ID}:${name}`) });
}

function request(roleName: string, session: string, context: Record<string, string>, policies: object[]): Promise<Decision> {
  return decide(noTemplate, {
    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/${session}`,
    action: 'secretsmanager:GetSecretValue',
    resource: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:prod/payments/stripe-api-key-AbCdEf`,
    context: { 'aws:userid': `${ROLE_ID}:${session}`, ...context },
    identityPolicies: [{ name: 'role', policy: ALLOW_ALL }, ...policies.map((policy, index) => ({ name: `pivotguard-${index}`, policy: policy as never }))],
  });
}

describe('a role chained from a stolen IRSA session', () => {
  const chained: Identity = { via: 'chained', sessions: ['pivot', 'nightly-export'], tiedSessions: ['pivot'] };

  it('denies the chained session the evidence ties to the attacker, and leaves the replica’s chained session alone', async () => {
    const revoke = revokePolicyFor(chained);
    expect(await request('data-exporter', 'pivot', { 'aws:SourceIp': ATTACKER }, [revoke])).toBe('ExplicitlyDenied');
    expect(await request('data-exporter', 'nightly-export', { 'aws:SourceIp': NAT }, [revoke])).toBe('Allowed');
  });

  it('after the approved fence, denies a chained session freshly minted from outside; the cluster keeps the role', async () => {
    const policies = [revokePolicyFor(chained), roleFencePolicy({ egressCidrs: [`${NAT}/32`], vpcIds: [] })];
    expect(await request('data-exporter', 'attacker-new', { 'aws:SourceIp': ATTACKER }, policies)).toBe('ExplicitlyDenied');
    expect(await request('data-exporter', 'nightly-export', { 'aws:SourceIp': NAT }, policies)).toBe('Allowed');
  });

  it('after undo (the policies deleted), allows them all again', async () => {
    expect(await request('data-exporter', 'pivot', { 'aws:SourceIp': ATTACKER }, [])).toBe('Allowed');
  });
});

describe('EKS Pod Identity', () => {
  it('denies every session of the pod, and of roles chained from it (the tags are transitive), new ones included; a sibling pod keeps working', async () => {
    const own = revokePolicyFor({ via: 'pod-identity', sessions: ['eks-prod-east-checkout-abc'] });
    const chained = revokePolicyFor({ via: 'chained', sessions: ['pivot'], tiedSessions: ['pivot'], podTags: true });
    expect(await request('checkout-pod-identity', 'eks-prod-east-checkout-abc', { 'aws:SourceIp': ATTACKER, ...POD_TAGS }, [own])).toBe('ExplicitlyDenied');
    expect(await request('data-exporter', 'a-new-chained-session', { 'aws:SourceIp': ATTACKER, ...POD_TAGS }, [chained])).toBe('ExplicitlyDenied');
    expect(await request('checkout-pod-identity', 'eks-prod-east-checkout-def', { 'aws:SourceIp': NAT, ...SIBLING_TAGS }, [own])).toBe('Allowed');
    expect(await request('data-exporter', 'sibling-chained', { 'aws:SourceIp': NAT, ...SIBLING_TAGS }, [chained])).toBe('Allowed');
  });

  it('with session tags disabled, a tag deny would match nothing: the sessions are denied by name instead', async () => {
    const untagged: Identity = {
      via: 'pod-identity',
      sessions: ['eks-prod-east-checkout-abc', 'eks-prod-east-checkout-def'],
      tiedSessions: ['eks-prod-east-checkout-abc'],
      podTags: false,
    };
    // What the tag deny would do to these untagged sessions: nothing.
    const tagDeny = scopedRevokePolicy({ via: 'pod-identity', namespace: 'payments', pod: WORKLOAD.pod });
    expect(await request('checkout-pod-identity', 'eks-prod-east-checkout-abc', { 'aws:SourceIp': ATTACKER }, [tagDeny])).toBe('Allowed');
    const revoke = revokePolicyFor(untagged);
    expect(await request('checkout-pod-identity', 'eks-prod-east-checkout-abc', { 'aws:SourceIp': ATTACKER }, [revoke])).toBe('ExplicitlyDenied');
    expect(await request('checkout-pod-identity', 'eks-prod-east-checkout-def', { 'aws:SourceIp': NAT }, [revoke])).toBe('Allowed');
  });
});
