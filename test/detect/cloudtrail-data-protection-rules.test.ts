import { describe, expect, it } from 'vitest';
import { ACCOUNT, cloudTrailRecord } from '../fixtures/records.ts';
import { signalsOf } from './detect-helpers.ts';

describe('cloudtrail.s3-protection-removed', () => {
  const versioning = (configuration: Record<string, string>, extra: Record<string, unknown> = {}) =>
    cloudTrailRecord({
      eventSource: 's3.amazonaws.com',
      eventName: 'PutBucketVersioning',
      requestParameters: { bucketName: 'backups', VersioningConfiguration: configuration },
      ...extra,
    });

  it('fires when versioning is suspended, MFA delete disabled, encryption or logging removed', () => {
    expect(signalsOf('cloudtrail.s3-protection-removed', versioning({ Status: 'Suspended', MfaDelete: 'Disabled' }))[0]?.summary).toMatch(
      /s3:PutBucketVersioning on backups: versioning suspended and MFA delete disabled$/,
    );
    const encryption = cloudTrailRecord({ eventSource: 's3.amazonaws.com', eventName: 'DeleteBucketEncryption', requestParameters: { bucketName: 'backups' } });
    expect(signalsOf('cloudtrail.s3-protection-removed', encryption)).toHaveLength(1);
    const loggingOff = cloudTrailRecord({
      eventSource: 's3.amazonaws.com',
      eventName: 'PutBucketLogging',
      requestParameters: { bucketName: 'b', logging: '', BucketLoggingStatus: { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' } },
    });
    expect(signalsOf('cloudtrail.s3-protection-removed', loggingOff)[0]?.summary).toMatch(/access logging turned off$/);
  });

  it('stays quiet when protection is turned on, or the change was refused', () => {
    expect(signalsOf('cloudtrail.s3-protection-removed', versioning({ Status: 'Enabled', MfaDelete: 'Enabled' }))).toEqual([]);
    expect(signalsOf('cloudtrail.s3-protection-removed', versioning({ Status: 'Suspended' }, { errorCode: 'AccessDenied' }))).toEqual([]);
    const loggingOn = cloudTrailRecord({
      eventSource: 's3.amazonaws.com',
      eventName: 'PutBucketLogging',
      requestParameters: { bucketName: 'b', logging: [{ targetBucket: 'logs' }], BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'logs' } } },
    });
    expect(signalsOf('cloudtrail.s3-protection-removed', loggingOn)).toEqual([]);
  });
});

describe('cloudtrail.traffic-mirroring', () => {
  it('fires on mirror sessions and targets, not on reading them', () => {
    const session = cloudTrailRecord({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'CreateTrafficMirrorSession',
      requestParameters: { CreateTrafficMirrorSessionRequest: { NetworkInterfaceId: 'eni-1' } },
    });
    expect(signalsOf('cloudtrail.traffic-mirroring', session)).toHaveLength(1);
    expect(
      signalsOf('cloudtrail.traffic-mirroring', cloudTrailRecord({ eventSource: 'ec2.amazonaws.com', eventName: 'DescribeTrafficMirrorTargets' })),
    ).toEqual([]);
  });
});

describe('cloudtrail.console-login-without-mfa', () => {
  const user = { type: 'IAMUser', principalId: 'AIDA1', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, userName: 'alice' };
  const login = (additionalEventData: Record<string, string>, identity: Record<string, unknown> = user, result = 'Success') =>
    cloudTrailRecord({
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      eventType: 'AwsConsoleSignIn',
      userIdentity: identity,
      responseElements: { ConsoleLogin: result },
      additionalEventData,
    });

  it('fires on an IAM user signing in with a password alone', () => {
    expect(signalsOf('cloudtrail.console-login-without-mfa', login({ MFAUsed: 'No' }))[0]?.summary).toMatch(
      /user\/alice from .* signed in to the console without MFA$/,
    );
  });

  it('stays quiet with MFA, through SAML, for federated roles, and for failed sign-ins', () => {
    expect(signalsOf('cloudtrail.console-login-without-mfa', login({ MFAUsed: 'Yes' }))).toEqual([]);
    expect(signalsOf('cloudtrail.console-login-without-mfa', login({ MFAUsed: 'No', SamlProviderArn: `arn:aws:iam::${ACCOUNT}:saml-provider/Okta` }))).toEqual(
      [],
    );
    expect(signalsOf('cloudtrail.console-login-without-mfa', login({ MFAUsed: 'No' }, cloudTrailRecord().userIdentity as Record<string, unknown>))).toEqual([]);
    expect(signalsOf('cloudtrail.console-login-without-mfa', login({ MFAUsed: 'No' }, user, 'Failure'))).toEqual([]);
  });
});

describe('cloudtrail.access-denied', () => {
  const denied = (extra: Record<string, unknown>) =>
    cloudTrailRecord({
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      errorCode: 'AccessDenied',
      requestParameters: { bucketName: 'payroll' },
      ...extra,
    });

  it('records a refused call as a weak discovery signal, so bursts of them add up', () => {
    expect(signalsOf('cloudtrail.access-denied', denied({}))[0]).toMatchObject({ severity: 'low', objective: { tactic: 'Discovery (TA0007)' } });
  });

  it('ignores the console, AWS services, and calls the discovery rule already records', () => {
    expect(signalsOf('cloudtrail.access-denied', denied({ userAgent: 'aws-internal/3 aws-sdk-java/1.12' }))).toEqual([]);
    expect(signalsOf('cloudtrail.access-denied', denied({ sourceIPAddress: 'sqs.amazonaws.com' }))).toEqual([]);
    expect(signalsOf('cloudtrail.access-denied', denied({ eventName: 'ListBuckets' }))).toEqual([]);
    expect(signalsOf('cloudtrail.discovery', denied({ eventName: 'ListBuckets' }))).toHaveLength(1);
  });
});

describe('cloudtrail.root-activity', () => {
  const root = { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, invokedBy: 'signin.amazonaws.com' };

  it('counts console calls (invokedBy signin) as the person acting, and failed sign-ins as attempts', () => {
    expect(
      signalsOf('cloudtrail.root-activity', cloudTrailRecord({ userIdentity: root, eventSource: 'iam.amazonaws.com', eventName: 'ListAccessKeys' })),
    ).toHaveLength(1);
    const failedLogin = cloudTrailRecord({
      userIdentity: root,
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      responseElements: { ConsoleLogin: 'Failure' },
    });
    expect(signalsOf('cloudtrail.root-activity', failedLogin)).toHaveLength(1);
  });

  it('ignores a root call that failed and changed nothing', () => {
    const failed = cloudTrailRecord({
      userIdentity: root,
      eventSource: 'signin.amazonaws.com',
      eventName: 'PasswordUpdated',
      responseElements: { PasswordUpdated: 'Failure' },
    });
    expect(signalsOf('cloudtrail.root-activity', failed)).toEqual([]);
  });
});
