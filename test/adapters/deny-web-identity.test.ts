import { describe, expect, it } from 'vitest';
import { IamRevocation } from '#adapters/containment/iam-revocation';
import { LocalIamAccount } from '#adapters/local/local-aws';
import type { UndoStep } from '#core/respond/undo-step';
import { type Decision, DeployedTemplate, decide } from '../support/aws-decisions.ts';

const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/0AC9D7E1B3F24D8E9A6C5B4D3E2F1A0B';
const PROVIDER = `arn:aws:iam::111122223333:oidc-provider/${ISSUER}`;
const ROLE = 'arn:aws:iam::111122223333:role/checkout-irsa';
const SUBJECT = 'system:serviceaccount:payments:checkout';
const TRUST = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: PROVIDER },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com', [`${ISSUER}:sub`]: SUBJECT } },
    },
  ],
};
const NOW = new Date('2026-11-21T03:00:00Z');

function account() {
  const iam = new LocalIamAccount([ROLE], () => TRUST);
  return { iam, revocation: new IamRevocation(iam as never, () => NOW) };
}

/** Whether STS would take the service account's token for the role, with the trust policy the account now holds. */
function assume(iam: LocalIamAccount): Promise<Decision> {
  return decide(new DeployedTemplate({ Resources: {} }), {
    principal: PROVIDER,
    action: 'sts:AssumeRoleWithWebIdentity',
    resource: ROLE,
    resourcePolicy: JSON.parse(iam.trustPolicies.get('checkout-irsa')!),
    context: { [`${ISSUER}:sub`]: SUBJECT, [`${ISSUER}:aud`]: 'sts.amazonaws.com' },
  });
}

describe('deny-web-identity on a role, decided by IAM', () => {
  it('refuses the stolen token after the step, and takes it again after the undo, with the trust policy exactly as it was', async () => {
    const { iam, revocation } = account();
    expect(await assume(iam)).toBe('Allowed');
    const record = await revocation.denyWebIdentity({ incidentId: 'inc-1', roleArn: ROLE, subject: SUBJECT, dryRun: false });
    expect(record.result).toBe('applied');
    expect(await assume(iam)).toBe('ExplicitlyDenied');

    const undone = await revocation.restoreTrustPolicy(record.undo as Extract<UndoStep, { kind: 'restore-trust-policy' }>, { incidentId: 'inc-1' });
    expect(undone.result).toBe('applied');
    expect(JSON.parse(iam.trustPolicies.get('checkout-irsa')!)).toEqual(TRUST);
    expect(await assume(iam)).toBe('Allowed');
  });

  it('changes nothing when run dry, and once when run twice', async () => {
    const { iam, revocation } = account();
    expect((await revocation.denyWebIdentity({ incidentId: 'inc-1', roleArn: ROLE, subject: SUBJECT, dryRun: true })).result).toBe('dry-run');
    expect(JSON.parse(iam.trustPolicies.get('checkout-irsa')!)).toEqual(TRUST);
    await revocation.denyWebIdentity({ incidentId: 'inc-1', roleArn: ROLE, subject: SUBJECT, dryRun: false });
    expect((await revocation.denyWebIdentity({ incidentId: 'inc-1', roleArn: ROLE, subject: SUBJECT, dryRun: false })).result).toBe('already-applied');
  });

  it('does not undo a trust policy someone changed since, and says so', async () => {
    const { iam, revocation } = account();
    const record = await revocation.denyWebIdentity({ incidentId: 'inc-1', roleArn: ROLE, subject: SUBJECT, dryRun: false });
    iam.trustPolicies.set('checkout-irsa', JSON.stringify({ ...TRUST, Statement: [] }));
    const undone = await revocation.restoreTrustPolicy(record.undo as Extract<UndoStep, { kind: 'restore-trust-policy' }>, { incidentId: 'inc-1' });
    expect(undone.result).toBe('failed');
    expect(JSON.parse(iam.trustPolicies.get('checkout-irsa')!)).toEqual({ ...TRUST, Statement: [] });
  });
});

describe('containment acts only in its own account', () => {
  it('refuses a role ARN of another account, for the fence and the token refusal, and calls nothing', async () => {
    const calls: unknown[] = [];
    const iam = { send: async (command: unknown) => calls.push(command) };
    const revocation = new IamRevocation(iam as never, () => NOW, '111122223333');
    const foreign = 'arn:aws:iam::444455556666:role/checkout-irsa';
    const fence = await revocation.fenceRole({ incidentId: 'inc-1', roleArn: foreign, fence: { egressCidrs: ['203.0.113.10/32'], vpcIds: [] }, dryRun: false });
    const refusal = await revocation.denyWebIdentity({ incidentId: 'inc-1', roleArn: foreign, subject: SUBJECT, dryRun: false });
    expect([fence.result, refusal.result]).toEqual(['failed', 'failed']);
    expect(fence.detail).toMatch(/account 444455556666/);
    expect(calls).toEqual([]);
  });
});
