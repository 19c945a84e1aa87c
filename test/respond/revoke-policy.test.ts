import { describe, expect, it } from 'vitest';
import {
  InvalidRevokeScope,
  deniedSessionUserIds,
  revokeAllSessionsPolicy,
  revokedBefore,
  scopedRevokePolicy,
  sessionsToRevoke,
} from '#core/respond/revoke-policy';

// These documents are security controls: each is written out in full so a change to a condition
// key, an operator or the effect fails here and is reviewed as a change to what gets denied.

describe('scopedRevokePolicy: IRSA', () => {
  it('denies everything to exactly the compromised sessions, by aws:userid', () => {
    expect(
      scopedRevokePolicy({ via: 'irsa', sessionUserIds: ['AROAEXAMPLEROLEID0001:botocore-session-1763691910', 'AROAEXAMPLEROLEID0001:aws-sdk-js-1763691800'] }),
    ).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: {
            StringEquals: {
              'aws:userid': ['AROAEXAMPLEROLEID0001:aws-sdk-js-1763691800', 'AROAEXAMPLEROLEID0001:botocore-session-1763691910'],
            },
          },
        },
      ],
    });
  });

  it('lists each session once, in a stable order, so a retry compares equal', () => {
    const a = scopedRevokePolicy({ via: 'irsa', sessionUserIds: ['AROAEXAMPLEROLEID0001:s-2', 'AROAEXAMPLEROLEID0001:s-1', 'AROAEXAMPLEROLEID0001:s-2'] });
    const b = scopedRevokePolicy({ via: 'irsa', sessionUserIds: ['AROAEXAMPLEROLEID0001:s-1', 'AROAEXAMPLEROLEID0001:s-2'] });
    expect(a).toEqual(b);
    expect(deniedSessionUserIds(a)).toEqual(['AROAEXAMPLEROLEID0001:s-1', 'AROAEXAMPLEROLEID0001:s-2']);
  });

  it('refuses no sessions rather than a policy with an empty condition', () => {
    expect(() => scopedRevokePolicy({ via: 'irsa', sessionUserIds: [] })).toThrow(InvalidRevokeScope);
  });

  it.each([
    ['a bare session name', 'botocore-session-1'],
    ['a role id without a session', 'AROAEXAMPLEROLEID0001:'],
    ['a wildcard', 'AROAEXAMPLEROLEID0001:*'],
    ['an empty string', ''],
    ['a user id instead of a role id', 'AIDAEXAMPLEUSERID0001:session'],
  ])('refuses %s as a session id', (_label, id) => {
    expect(() => scopedRevokePolicy({ via: 'irsa', sessionUserIds: ['AROAEXAMPLEROLEID0001:good-session', id] })).toThrow(InvalidRevokeScope);
  });
});

describe('scopedRevokePolicy: EKS Pod Identity', () => {
  it('denies everything to the sessions tagged with the pod and its namespace', () => {
    expect(scopedRevokePolicy({ via: 'pod-identity', namespace: 'payments', pod: 'checkout-7d9f8b6c5-x2k4q' })).toEqual({
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
            },
          },
        },
      ],
    });
  });

  it('narrows to the cluster when its name and ARN are known', () => {
    expect(
      scopedRevokePolicy({
        via: 'pod-identity',
        namespace: 'payments',
        pod: 'checkout-7d9f8b6c5-x2k4q',
        clusterName: 'prod-east',
        clusterArn: 'arn:aws:eks:us-east-1:111122223333:cluster/prod-east',
      }),
    ).toEqual({
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
              'aws:PrincipalTag/eks-cluster-arn': 'arn:aws:eks:us-east-1:111122223333:cluster/prod-east',
            },
          },
        },
      ],
    });
  });

  it.each([
    ['an empty namespace', { namespace: '', pod: 'checkout-1' }],
    ['an empty pod', { namespace: 'payments', pod: '' }],
    ['a wildcard pod', { namespace: 'payments', pod: '*' }],
    ['a cluster ARN that is not one', { namespace: 'payments', pod: 'checkout-1', clusterArn: 'prod-east' }],
    ['an empty cluster name', { namespace: 'payments', pod: 'checkout-1', clusterName: '' }],
  ])('refuses %s', (_label, scope) => {
    expect(() => scopedRevokePolicy({ via: 'pod-identity', ...scope })).toThrow(InvalidRevokeScope);
  });
});

describe('revokeAllSessionsPolicy', () => {
  it("is the console's AWSRevokeOlderSessions: deny sessions issued before the time", () => {
    const policy = revokeAllSessionsPolicy(new Date('2026-11-21T02:40:00.000Z'));
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Deny',
          Action: '*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-21T02:40:00.000Z' } },
        },
      ],
    });
    expect(revokedBefore(policy)).toEqual(new Date('2026-11-21T02:40:00.000Z'));
  });

  it('refuses an invalid time rather than a condition that matches nothing or everything', () => {
    expect(() => revokeAllSessionsPolicy(new Date('not a time'))).toThrow(InvalidRevokeScope);
  });
});

describe('sessionsToRevoke', () => {
  const workload = { cluster: 'prod-east', namespace: 'payments', pod: 'checkout-7d9f8b6c5-x2k4q' };

  it('revokes the IRSA sessions seen for the pod', () => {
    expect(sessionsToRevoke({ via: 'irsa', sessions: ['botocore-session-1'] }, workload)).toMatchObject({ via: 'irsa', sessionNames: ['botocore-session-1'] });
  });

  it('names the sessions of a Pod Identity association with session tags disabled: a tag deny would match nothing', () => {
    expect(sessionsToRevoke({ via: 'pod-identity', sessions: ['eks-prod-east-checkout-abc'], podTags: false }, workload)).toMatchObject({
      via: 'irsa',
      sessionNames: ['eks-prod-east-checkout-abc'],
    });
  });

  it('denies a role chained from a Pod Identity session by the pod’s transitive tags, and other chained roles by session name', () => {
    expect(sessionsToRevoke({ via: 'chained', sessions: ['pivot'], tiedSessions: ['pivot'], podTags: true }, workload)).toMatchObject({
      via: 'pod-identity',
      pod: 'checkout-7d9f8b6c5-x2k4q',
    });
    expect(sessionsToRevoke({ via: 'chained', sessions: ['pivot', 'app'], tiedSessions: ['pivot'] }, workload)).toMatchObject({
      via: 'irsa',
      sessionNames: ['pivot'],
    });
    expect(sessionsToRevoke({ via: 'chained', sessions: ['app'], tiedSessions: [] }, workload)).toHaveProperty('notScoped');
  });

  it('revokes Pod Identity sessions by the pod, in its cluster', () => {
    expect(sessionsToRevoke({ via: 'pod-identity', sessions: ['eks-prod-east-checkout-abc'] }, workload)).toEqual({
      via: 'pod-identity',
      namespace: 'payments',
      pod: 'checkout-7d9f8b6c5-x2k4q',
      clusterName: 'prod-east',
    });
  });

  it('has no pod-scoped revocation for instance-role or observed credentials, or an unknown pod', () => {
    expect(sessionsToRevoke({ via: 'instance-role', sessions: ['i-0abc'] }, workload)).toHaveProperty('notScoped');
    expect(sessionsToRevoke({ via: 'observed', sessions: ['x'] }, workload)).toHaveProperty('notScoped');
    expect(sessionsToRevoke({ via: 'irsa', sessions: [] }, workload)).toHaveProperty('notScoped');
    expect(sessionsToRevoke({ via: 'pod-identity', sessions: ['s'] }, { ...workload, pod: null })).toHaveProperty('notScoped');
  });
});
