import { describeAction } from './descriptor.ts';

/**
 * Fences a role to the cluster: one deny for every session of the role, old or new, unless the
 * request comes from the cluster's egress addresses, through its VPC, or from an AWS service
 * acting for the role. A stolen IRSA token mints new sessions until it expires; denying the
 * sessions seen so far does not stop those, the fence does, while in-cluster pods keep working.
 */
export const fenceRole = describeAction({
  name: 'fence-role',
  label: 'Fence the role to the cluster',
  words: { done: 'fenced the role to the cluster', todo: 'fence the role to the cluster', noun: 'Role fence' },
  tier: { byDefault: 'automatic' },
  needs: {
    iam: [{ on: 'containable-roles', actions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'] }],
    rbac: [],
  },
  preconditions: [
    'the role was issued to the workload (IRSA or Pod Identity) and its sessions were seen, or a session the evidence ties to the attacker assumed it (role chaining: then a person decides)',
    'the cluster’s egress addresses are known (configured egressCidrs, or its NAT gateways read from EC2 in the deployed stack), else the step is skipped and says so: a fence without them would deny the cluster too',
  ],
  undoKinds: ['delete-role-policy'],
  propose: ({ identities, egress }) =>
    identities
      .filter((identity) => FENCED_MECHANISMS.has(identity.via) && (identity.via === 'chained' ? (identity.tiedSessions ?? []) : identity.sessions).length > 0)
      .map((identity) => {
        const inside = [...egress.cidrs, ...egress.vpcIds];
        const chained = identity.via === 'chained';
        const reason =
          egress.cidrs.length === 0
            ? 'the cluster’s egress addresses are not known (no egressCidrs configured, no NAT gateway read from EC2): the role cannot be fenced; configure them, or approve revoking every session of the role'
            : chained
              ? `deny every session of ${identity.roleArn}, assumed from ${identity.chainedFrom ?? 'a linked session'}, unless it calls from the cluster (${inside.join(', ')}): a chained role may be used by others outside the cluster, so a person decides`
              : `deny every session of the role, old or new, unless it calls from the cluster (${inside.join(', ')}): a stolen token mints new sessions`;
        return { target: identity.roleArn, reason, scope: inside.sort(), ...(chained ? { waitsForPerson: true as const } : {}) };
      }),
});

/** Roles handed to the workload (fenced automatically) and roles chained from their sessions (fenced when a person approves). */
const FENCED_MECHANISMS = new Set(['irsa', 'pod-identity', 'chained']);
