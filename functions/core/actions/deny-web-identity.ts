import { describeAction } from './descriptor.ts';

/**
 * Refuses the service account's web-identity token in the role's trust policy: STS then refuses
 * the stolen token from anywhere, and also the healthy replicas' refresh (they share the
 * service account), which is why a person decides. The undo puts the trust policy back as it was.
 */
export const denyWebIdentity = describeAction({
  name: 'deny-web-identity',
  label: 'Refuse the service account’s token',
  words: { done: 'refused the service account’s token', todo: 'refuse the service account’s token', noun: 'Token refusal' },
  tier: { always: 'approval' },
  needs: {
    iam: [{ on: 'containable-roles', actions: ['iam:GetRole', 'iam:UpdateAssumeRolePolicy'] }],
    rbac: [],
  },
  preconditions: [
    'the role is assumed with the service account’s IRSA web-identity token, and the service account is known',
    'the role’s trust policy lets an OIDC provider in (checked when it runs)',
  ],
  undoKinds: ['restore-trust-policy'],
  propose: ({ workload, identities }) => {
    const { namespace, serviceAccount } = workload;
    if (!namespace || !serviceAccount) return [];
    const subject = `system:serviceaccount:${namespace}:${serviceAccount}`;
    return identities
      .filter((identity) => identity.via === 'irsa')
      .map((identity) => ({
        target: identity.roleArn,
        reason: `deny sts:AssumeRoleWithWebIdentity for ${subject} in the role's trust policy: the stolen token stops working everywhere, and so does the replicas' refresh until undone`,
        scope: [subject],
      }));
  },
});
