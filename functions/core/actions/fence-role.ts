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
    'the role was issued to the workload (IRSA or Pod Identity) and its sessions were seen',
    'the cluster’s egress addresses are configured (egressCidrs), else the step is skipped and says so: a fence without them would deny the cluster too',
  ],
  undoKinds: ['delete-role-policy'],
  propose: ({ identities, egress }) =>
    identities
      .filter((identity) => (identity.via === 'irsa' || identity.via === 'pod-identity') && identity.sessions.length > 0)
      .map((identity) => ({
        target: identity.roleArn,
        reason:
          egress.cidrs.length > 0
            ? `deny every session of the role, old or new, unless it calls from the cluster (${[...egress.cidrs, ...egress.vpcIds].join(', ')}): a stolen token mints new sessions`
            : 'the cluster’s egress addresses are not configured (egressCidrs): the role cannot be fenced; configure them, or approve revoking every session of the role',
        scope: [...egress.cidrs, ...egress.vpcIds].sort(),
      })),
});
