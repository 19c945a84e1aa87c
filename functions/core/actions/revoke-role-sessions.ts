import { describeAction } from './descriptor.ts';

/** Denies the implicated sessions of a role with an inline policy; other pods using the role keep working. */
export const revokeRoleSessions = describeAction({
  name: 'revoke-role-sessions',
  label: 'Revoke the role sessions',
  words: { done: 'revoked the role sessions', todo: 'revoke the role sessions', noun: 'Session revocation' },
  tier: { byDefault: 'automatic' },
  needs: {
    // The undo reads and deletes the policy. IAM has no condition key for an inline policy's name, so the adapter checks the names.
    iam: [{ on: 'containable-roles', actions: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy'] }],
    rbac: [],
  },
  preconditions: [
    'the role was issued to the workload (IRSA or Pod Identity), not only observed, and its sessions were seen',
    'the sessions can be named for one pod: IRSA session names, or the Pod Identity pod (checked when it runs)',
  ],
  undoKinds: ['delete-role-policy'],
  propose: ({ identities }) =>
    identities
      .filter((identity) => identity.via !== 'observed' && identity.sessions.length > 0)
      .flatMap((identity) => {
        if (identity.via === 'instance-role') {
          return [
            {
              target: identity.roleArn,
              reason: `deny the node's instance-role session(s) ${identity.sessions.slice(0, 3).join(', ')}: the kubelet, the CNI and image pulls on that node stop with them`,
              scope: [...identity.sessions].sort(),
              waitsForPerson: true as const,
            },
          ];
        }
        const tied = tiedSessionsOf(identity);
        if (tied.length === 0) return [];
        const untied = identity.sessions.length - tied.length;
        // IRSA sessions are issued to the service account: a sibling replica's are never denied on a guess.
        const siblings = untied > 0 ? `; ${untied} other session(s) of the service account are left alone: IRSA cannot tell which replica holds them` : '';
        const what = identity.chainedFrom ? `session(s) assumed from ${identity.chainedFrom}` : `${identity.via} session(s)`;
        // Without the pod's session tags a deny can only name the sessions seen: the fence is what stops new ones.
        const untagged =
          identity.podTags === false
            ? '; the sessions carry no Pod Identity tags (session tags disabled), so they are denied by name and new ones only by the fence'
            : '';
        return [
          {
            target: identity.roleArn,
            reason: `deny the ${what} the evidence ties to the attacker, ${tied.slice(0, 3).join(', ')}; other pods keep the role${siblings}${untagged}`,
            scope: [...tied].sort(),
          },
        ];
      }),
});

/** The sessions to deny: those the evidence ties to the attacker (all of them, on an incident stored before that was recorded). */
export function tiedSessionsOf(identity: { sessions: string[]; tiedSessions?: string[] }): string[] {
  return identity.tiedSessions ?? identity.sessions;
}
