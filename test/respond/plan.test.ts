import { describe, expect, it } from 'vitest';
import { configSchema } from '#core/config';
import type { IncidentIdentity } from '#core/model/incident';
import { type PlanInput, planContainment } from '#core/respond/plan';

const irsa: IncidentIdentity = {
  roleArn: 'arn:aws:iam::111122223333:role/checkout-irsa',
  via: 'irsa',
  sessions: ['botocore-session-2', 'botocore-session-1'],
  accessKeyIds: [],
  sourceIps: [],
  unusualSourceIps: [],
};
const observed: IncidentIdentity = { ...irsa, roleArn: 'arn:aws:iam::111122223333:role/seen-only', via: 'observed' };

const input = (change: Partial<PlanInput> = {}, namespace = 'shop'): PlanInput => ({
  workload: {
    cluster: 'prod-east',
    namespace,
    namespaceCriticality: null,
    pod: 'checkout-7d9f8c6b5-x2k4p',
    owner: 'Deployment/checkout',
    serviceAccount: 'checkout',
    image: null,
    imageDigest: null,
    node: 'ip-10-0-1-23',
  },
  identities: [irsa, observed],
  hostAtRisk: true,
  podStillRunning: true,
  egress: { cidrs: ['203.0.113.10/32'], vpcIds: [] },
  ...change,
});

const names = (steps: { action: string }[]) => steps.map((step) => step.action);
const everyAction = [
  'capture-evidence',
  'isolate-pod',
  'revoke-role-sessions',
  'fence-role',
  'revoke-all-sessions',
  'restart-pod',
  'scale-down',
  'cordon-node',
] as const;

describe('planContainment', () => {
  it('lists each action the incident calls for, in the order the workflow runs them, split by the default tiers', () => {
    const plan = planContainment(input(), configSchema.parse({}));
    expect(names(plan.automatic)).toEqual(['capture-evidence', 'isolate-pod', 'revoke-role-sessions', 'fence-role']);
    expect(names(plan.approval)).toEqual(['revoke-all-sessions', 'deny-web-identity', 'restart-pod', 'scale-down', 'cordon-node']);
    expect(plan.automatic[3]).toMatchObject({ target: irsa.roleArn, scope: ['203.0.113.10/32'] });
    expect(plan.automatic[2]).toMatchObject({ target: irsa.roleArn, scope: ['botocore-session-1', 'botocore-session-2'] });
  });

  it('proposes only what its preconditions allow: no pod steps for a pod gone, no cordon without a host at risk, nothing for an observed role', () => {
    const plan = planContainment(input({ podStillRunning: false, hostAtRisk: false, identities: [observed] }), configSchema.parse({}));
    expect([...names(plan.automatic), ...names(plan.approval)]).toEqual(['capture-evidence', 'scale-down']);
  });

  it('keeps node-wide actions for a person even when the configuration makes everything automatic', () => {
    const plan = planContainment(input(), configSchema.parse({ actions: { automatic: everyAction, approval: [] } }));
    expect(names(plan.approval)).toEqual(['revoke-all-sessions', 'deny-web-identity', 'cordon-node']);
  });

  it('makes every configured action wait in a protected namespace, and still captures evidence first', () => {
    const plan = planContainment(input({}, 'kube-system'), configSchema.parse({ actions: { automatic: everyAction, approval: [] } }));
    expect(names(plan.automatic)).toEqual(['capture-evidence']);
  });

  it('marks the steps of the actions configured to run dry', () => {
    const plan = planContainment(input(), configSchema.parse({ actions: { dryRun: ['isolate-pod'] } }));
    expect(plan.automatic.filter((step) => step.dryRun).map((step) => step.action)).toEqual(['isolate-pod']);
  });
});

describe('planContainment on stolen node credentials', () => {
  const nodeRole: IncidentIdentity = {
    ...irsa,
    roleArn: 'arn:aws:iam::111122223333:role/prod-east-node-role',
    via: 'instance-role',
    sessions: ['i-0a1b2c3d4e5f60718'],
  };

  it('waits for a person before revoking the node role’s session, even with revoke-role-sessions automatic', () => {
    const plan = planContainment(input({ identities: [irsa, nodeRole] }), configSchema.parse({}));
    const step = (steps: { action: string; target: string }[]) => steps.filter((each) => each.action === 'revoke-role-sessions').map((each) => each.target);
    expect(step(plan.automatic)).toEqual([irsa.roleArn]);
    expect(step(plan.approval)).toEqual([nodeRole.roleArn]);
  });
});
