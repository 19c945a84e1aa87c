import { describe, expect, it } from 'vitest';
import { cloudTrailRecord } from '../fixtures/records.ts';
import { signalsOf } from './detect-helpers.ts';

describe('cloudtrail.discovery', () => {
  it('fires on reconnaissance calls, including denied ones', () => {
    expect(signalsOf('cloudtrail.discovery', cloudTrailRecord())[0]?.summary).toBe(
      'arn:aws:sts::111122223333:assumed-role/checkout-irsa/botocore-session-1 from 198.51.100.23 called sts:GetCallerIdentity',
    );
    const denied = cloudTrailRecord({ eventSource: 'iam.amazonaws.com', eventName: 'ListAttachedRolePolicies', errorCode: 'AccessDenied' });
    expect(signalsOf('cloudtrail.discovery', denied)[0]?.summary).toMatch(/\(denied: AccessDenied\)$/);
  });

  it('stays quiet for ordinary application calls', () => {
    expect(signalsOf('cloudtrail.discovery', cloudTrailRecord({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt' }))).toEqual([]);
  });
});

describe('cloudtrail.secret-read', () => {
  it('fires on secret values and decrypted parameters', () => {
    const secret = cloudTrailRecord({
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'GetSecretValue',
      requestParameters: { secretId: 'payments/stripe-api-key' },
    });
    expect(signalsOf('cloudtrail.secret-read', secret)[0]?.summary).toMatch(/for payments\/stripe-api-key$/);
    const parameters = cloudTrailRecord({
      eventSource: 'ssm.amazonaws.com',
      eventName: 'GetParameters',
      requestParameters: { names: ['/a', '/b'], withDecryption: true },
    });
    expect(signalsOf('cloudtrail.secret-read', parameters)[0]?.summary).toMatch(/for \/a, \/b$/);
  });

  it('ignores parameters read without decryption', () => {
    const plain = cloudTrailRecord({ eventSource: 'ssm.amazonaws.com', eventName: 'GetParameter', requestParameters: { name: '/app/config' } });
    expect(signalsOf('cloudtrail.secret-read', plain)).toEqual([]);
  });
});

describe('cloudtrail.iam-privilege-change', () => {
  const iam = (eventName: string, requestParameters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    cloudTrailRecord({ eventSource: 'iam.amazonaws.com', eventName, requestParameters, ...extra });

  it('fires on a key for another user and on policies; administrator rights are high', () => {
    expect(signalsOf('cloudtrail.iam-privilege-change', iam('CreateAccessKey', { userName: 'backup' }))[0]?.summary).toMatch(/iam:CreateAccessKey on backup$/);
    const admin = iam('AttachRolePolicy', { roleName: 'ci', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
    expect(signalsOf('cloudtrail.iam-privilege-change', admin)[0]?.severity).toBe('high');
    const readOnly = iam('AttachRolePolicy', { roleName: 'ci', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' });
    expect(signalsOf('cloudtrail.iam-privilege-change', readOnly)[0]?.severity).toBe('medium');
    const anchor = cloudTrailRecord({ eventSource: 'rolesanywhere.amazonaws.com', eventName: 'CreateTrustAnchor', requestParameters: { name: 'outside-ca' } });
    expect(signalsOf('cloudtrail.iam-privilege-change', anchor)[0]?.summary).toMatch(/on outside-ca$/);
  });

  it('leaves a refused change to the denied-call signal', () => {
    const refused = iam('CreateAccessKey', { userName: 'backup' }, { errorCode: 'AccessDenied' });
    expect(signalsOf('cloudtrail.iam-privilege-change', refused)).toEqual([]);
    expect(signalsOf('cloudtrail.access-denied', refused)[0]).toMatchObject({
      severity: 'low',
      summary: expect.stringMatching(/was refused iam:CreateAccessKey \(AccessDenied\)$/),
    });
  });

  it("ignores upkeep of one's own credentials and deny-only quarantine policies", () => {
    const user = {
      type: 'IAMUser',
      principalId: 'AIDA1',
      arn: 'arn:aws:iam::111122223333:user/alice',
      accountId: '111122223333',
      accessKeyId: 'AKIA1',
      userName: 'alice',
    };
    expect(signalsOf('cloudtrail.iam-privilege-change', iam('CreateAccessKey', { userName: 'alice' }, { userIdentity: user }))).toEqual([]);
    expect(signalsOf('cloudtrail.iam-privilege-change', iam('CreateAccessKey', {}, { userIdentity: user }))).toEqual([]);
    const quarantine = JSON.stringify({ Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] });
    expect(signalsOf('cloudtrail.iam-privilege-change', iam('PutUserPolicy', { userName: 'bob', policyName: 'q', policyDocument: quarantine }))).toEqual([]);
  });

  it('ignores reads of IAM', () => {
    expect(signalsOf('cloudtrail.iam-privilege-change', cloudTrailRecord({ eventSource: 'iam.amazonaws.com', eventName: 'GetRole' }))).toEqual([]);
  });
});

describe('cloudtrail.expensive-launch', () => {
  it('fires on GPU instances and on large counts', () => {
    const gpu = cloudTrailRecord({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      requestParameters: { instanceType: 'p3.16xlarge', instancesSet: { items: [{ imageId: 'ami-1', minCount: 4, maxCount: 4 }] } },
    });
    expect(signalsOf('cloudtrail.expensive-launch', gpu)[0]).toMatchObject({ severity: 'high', summary: expect.stringMatching(/launched 4 × p3\.16xlarge$/) });
    const many = cloudTrailRecord({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      requestParameters: { instanceType: 't3.micro', instancesSet: { items: [{ minCount: 20 }] } },
    });
    expect(signalsOf('cloudtrail.expensive-launch', many)).toHaveLength(1);
  });

  it('ignores a small ordinary launch', () => {
    const small = cloudTrailRecord({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      requestParameters: { instanceType: 'm6i.large', instancesSet: { items: [{ minCount: 1 }] } },
    });
    expect(signalsOf('cloudtrail.expensive-launch', small)).toEqual([]);
  });
});
