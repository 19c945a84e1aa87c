import { describeAction } from './descriptor.ts';

/** The console's "Revoke active sessions": denies every session of the role issued before a time. */
export const revokeAllSessions = describeAction({
  name: 'revoke-all-sessions',
  label: 'Revoke every session of the role',
  words: { done: 'revoked every session of the role', todo: 'revoke every session of the role', noun: 'Revocation of all role sessions' },
  // Every pod using the role loses its credentials, not only the compromised one.
  tier: { always: 'approval' },
  needs: {
    iam: [{ on: 'containable-roles', actions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'] }],
    rbac: [],
  },
  preconditions: ['the role was issued to the workload (IRSA, Pod Identity or the node), not only observed'],
  undoKinds: ['delete-role-policy'],
  propose: ({ identities }) =>
    identities
      .filter((identity) => identity.via !== 'observed')
      .map((identity) => ({
        target: identity.roleArn,
        reason: 'deny every session of the role issued before now (AWSRevokeOlderSessions); every pod using it must fetch new credentials',
      })),
});
