import { describe, expect, it } from 'vitest';
import { InvalidSubject, NoWebIdentityTrust, trustPolicyDenyingSubject } from '#core/respond/trust-deny';
import { ACCOUNT, type Decision, DeployedTemplate, decide } from '../support/aws-decisions.ts';

const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/0AC9D7E1B3F24D8E9A6C5B4D3E2F1A0B';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/checkout-irsa`;
const SUBJECT = 'system:serviceaccount:payments:checkout';
/** The trust policy eksctl and the EKS documentation write for IRSA. */
const IRSA_TRUST = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow' as const,
      Principal: { Federated: PROVIDER },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com', [`${ISSUER}:sub`]: SUBJECT } },
    },
  ],
};

function assume(trust: unknown, subject: string): Promise<Decision> {
  return decide(new DeployedTemplate({ Resources: {} }), {
    principal: PROVIDER,
    action: 'sts:AssumeRoleWithWebIdentity',
    resource: ROLE,
    resourcePolicy: trust as never,
    context: { [`${ISSUER}:sub`]: subject, [`${ISSUER}:aud`]: 'sts.amazonaws.com' },
  });
}

describe('trustPolicyDenyingSubject, decided by IAM', () => {
  it('refuses the service account’s token from then on, from anywhere', async () => {
    expect(await assume(IRSA_TRUST, SUBJECT)).toBe('Allowed');
    expect(await assume(trustPolicyDenyingSubject('checkout-irsa', IRSA_TRUST, SUBJECT), SUBJECT)).toBe('ExplicitlyDenied');
  });

  it('leaves another service account the trust lets in untouched', async () => {
    const shared = {
      ...IRSA_TRUST,
      Statement: [{ ...IRSA_TRUST.Statement[0]!, Condition: { StringLike: { [`${ISSUER}:sub`]: 'system:serviceaccount:payments:*' } } }],
    };
    const denied = trustPolicyDenyingSubject('checkout-irsa', shared, SUBJECT);
    expect(await assume(denied, 'system:serviceaccount:payments:refunds')).toBe('Allowed');
    expect(await assume(denied, SUBJECT)).toBe('ExplicitlyDenied');
  });

  it('is applied once however often it is retried, and keeps every statement it found', () => {
    const once = trustPolicyDenyingSubject('checkout-irsa', IRSA_TRUST, SUBJECT);
    expect(trustPolicyDenyingSubject('checkout-irsa', once, SUBJECT)).toEqual(once);
    expect(once.Statement).toHaveLength(2);
    expect((once.Statement as unknown[])[0]).toEqual(IRSA_TRUST.Statement[0]);
  });

  it('says so when the role is not assumed with a web identity (nothing to deny there)', () => {
    const ec2 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    expect(() => trustPolicyDenyingSubject('node-role', ec2, SUBJECT)).toThrow(NoWebIdentityTrust);
  });

  it('refuses a subject that is not a service account (a wildcard would deny every pod)', () => {
    expect(() => trustPolicyDenyingSubject('checkout-irsa', IRSA_TRUST, 'system:serviceaccount:payments:*')).toThrow(InvalidSubject);
  });
});
