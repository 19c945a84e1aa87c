import { describe, expect, it } from 'vitest';
import { ACCOUNT, cloudTrailRecord } from '../fixtures/records.ts';
import { detectAll, signalsOf } from './detect-helpers.ts';

const root = { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT };

describe('cloudtrail.defense-evasion', () => {
  it('fires when a trail is stopped or a GuardDuty detector deleted', () => {
    expect(signalsOf('cloudtrail.defense-evasion', cloudTrailRecord({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging' }))[0]?.severity).toBe(
      'high',
    );
    expect(signalsOf('cloudtrail.defense-evasion', cloudTrailRecord({ eventSource: 'guardduty.amazonaws.com', eventName: 'DeleteDetector' }))).toHaveLength(1);
  });

  it('stays quiet for a trail started, or a stop that failed for another reason than permissions', () => {
    expect(signalsOf('cloudtrail.defense-evasion', cloudTrailRecord({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StartLogging' }))).toEqual([]);
    expect(
      signalsOf(
        'cloudtrail.defense-evasion',
        cloudTrailRecord({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', errorCode: 'TrailNotFoundException' }),
      ),
    ).toEqual([]);
  });
});

describe('cloudtrail.public-exposure', () => {
  const ami = (item: Record<string, string>) =>
    cloudTrailRecord({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'ModifyImageAttribute',
      requestParameters: { imageId: 'ami-1', attributeType: 'launchPermission', launchPermission: { add: { items: [item] } } },
    });

  it('fires when an AMI is made public or a group opened to the internet', () => {
    expect(signalsOf('cloudtrail.public-exposure', ami({ group: 'all' }))[0]?.summary).toMatch(/AMI made public$/);
    expect(signalsOf('cloudtrail.public-exposure', ami({ userId: '999988887777' }))).toEqual([]);
    const ingress = cloudTrailRecord({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'AuthorizeSecurityGroupIngress',
      requestParameters: { groupId: 'sg-1', ipPermissions: { items: [{ ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }] } },
    });
    expect(signalsOf('cloudtrail.public-exposure', ingress)).toHaveLength(1);
  });

  it('reads resource policies: anyone without a narrowing condition is public', () => {
    const bucketPolicy = (condition?: unknown) =>
      cloudTrailRecord({
        eventSource: 's3.amazonaws.com',
        eventName: 'PutBucketPolicy',
        requestParameters: {
          bucketName: 'exports',
          bucketPolicy: {
            Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*', ...(condition ? { Condition: condition } : {}) }],
          },
        },
      });
    expect(signalsOf('cloudtrail.public-exposure', bucketPolicy())[0]?.summary).toMatch(/bucket exports policy allows anyone$/);
    expect(signalsOf('cloudtrail.public-exposure', bucketPolicy({ StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } }))).toEqual([]);
    const keyPolicy = cloudTrailRecord({
      eventSource: 'kms.amazonaws.com',
      eventName: 'PutKeyPolicy',
      requestParameters: {
        keyId: 'k',
        policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Decrypt', Resource: '*' }] }),
      },
    });
    expect(signalsOf('cloudtrail.public-exposure', keyPolicy)[0]?.summary).toMatch(/KMS key policy allows anyone$/);
  });

  it('fires on a network ACL that lets the internet in, not on one that denies it', () => {
    const entry = (ruleAction: string) =>
      cloudTrailRecord({
        eventSource: 'ec2.amazonaws.com',
        eventName: 'CreateNetworkAclEntry',
        requestParameters: { networkAclId: 'acl-1', cidrBlock: '0.0.0.0/0', egress: false, ruleAction },
      });
    expect(signalsOf('cloudtrail.public-exposure', entry('allow'))).toHaveLength(1);
    expect(signalsOf('cloudtrail.public-exposure', entry('deny'))).toEqual([]);
  });

  it('stays quiet when the change was refused', () => {
    expect(signalsOf('cloudtrail.public-exposure', { ...ami({ group: 'all' }), errorCode: 'AccessDenied' })).toEqual([]);
  });

  it('stays quiet for other attributes and internal ranges', () => {
    expect(signalsOf('cloudtrail.public-exposure', ami({ group: 'not-all' }))).toEqual([]);
    const internal = cloudTrailRecord({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'AuthorizeSecurityGroupIngress',
      requestParameters: { groupId: 'sg-1', ipPermissions: { items: [{ ipRanges: { items: [{ cidrIp: '10.0.0.0/16' }] } }] } },
    });
    expect(signalsOf('cloudtrail.public-exposure', internal)).toEqual([]);
  });
});

describe('cloudtrail.cross-account-share', () => {
  const snapshot = (valuesToAdd: string[]) =>
    cloudTrailRecord({
      eventSource: 'rds.amazonaws.com',
      eventName: 'ModifyDBSnapshotAttribute',
      requestParameters: { dBSnapshotIdentifier: 'prod', attributeName: 'restore', valuesToAdd },
    });

  it('fires when a snapshot is shared with another account, leaving "all" to public exposure', () => {
    expect(signalsOf('cloudtrail.cross-account-share', snapshot(['999988887777']))[0]?.summary).toMatch(/shared with account 999988887777$/);
    expect(signalsOf('cloudtrail.cross-account-share', snapshot(['all']))).toEqual([]);
    expect(signalsOf('cloudtrail.public-exposure', snapshot(['all']))).toHaveLength(1);
  });

  it('stays quiet when nothing was added', () => {
    expect(detectAll(snapshot([]))).toEqual([]);
  });
});

describe('cloudtrail.defense-evasion event selectors', () => {
  const selectors = (selector: Record<string, unknown>) =>
    cloudTrailRecord({
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'PutEventSelectors',
      requestParameters: { trailName: 't', eventSelectors: [selector] },
    });

  it('fires when management events are dropped, not when data events are added', () => {
    expect(signalsOf('cloudtrail.defense-evasion', selectors({ includeManagementEvents: false, readWriteType: 'All' }))).toHaveLength(1);
    expect(
      signalsOf(
        'cloudtrail.defense-evasion',
        selectors({ includeManagementEvents: true, readWriteType: 'All', excludeManagementEventSources: ['kms.amazonaws.com'] }),
      ),
    ).toHaveLength(1);
    expect(
      signalsOf('cloudtrail.defense-evasion', selectors({ includeManagementEvents: true, readWriteType: 'All', excludeManagementEventSources: [] })),
    ).toEqual([]);
  });
});

describe('cloudtrail.pod-identity-misuse', () => {
  const call = (identity: Record<string, unknown>, userAgent: string) =>
    cloudTrailRecord({
      eventSource: 'eks-auth.amazonaws.com',
      eventName: 'AssumeRoleForPodIdentity',
      userAgent,
      userIdentity: identity,
      requestParameters: { clusterName: 'prod-east', token: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
    });
  const node = {
    ...(cloudTrailRecord().userIdentity as Record<string, unknown>),
    sessionContext: { sessionIssuer: { arn: `arn:aws:iam::${ACCOUNT}:role/node` }, ec2RoleDelivery: '2.0' },
  };

  it('fires when a tool calls it, even with node credentials', () => {
    expect(signalsOf('cloudtrail.pod-identity-misuse', call(node, 'aws-cli/2.15.38 Python/3.11.8 command/eks-auth.assume-role-for-pod-identity'))).toHaveLength(
      1,
    );
  });

  it('stays quiet for the agent on the node', () => {
    expect(signalsOf('cloudtrail.pod-identity-misuse', call(node, 'aws-sdk-go-v2/1.24.0 os/linux eks-pod-identity-agent'))).toEqual([]);
  });
});

describe('cloudtrail.root-activity', () => {
  it('fires on root use, higher with root access keys', () => {
    expect(
      signalsOf('cloudtrail.root-activity', cloudTrailRecord({ userIdentity: root, eventSource: 's3.amazonaws.com', eventName: 'ListBuckets' }))[0]?.severity,
    ).toBe('medium');
    expect(signalsOf('cloudtrail.root-activity', cloudTrailRecord({ userIdentity: { ...root, accessKeyId: 'AKIAEXAMPLEROOT00001' } }))[0]?.severity).toBe(
      'high',
    );
  });

  it('ignores roles and AWS services acting for the account', () => {
    expect(signalsOf('cloudtrail.root-activity', cloudTrailRecord())).toEqual([]);
    expect(signalsOf('cloudtrail.root-activity', cloudTrailRecord({ userIdentity: { ...root, invokedBy: 'support.amazonaws.com' } }))).toEqual([]);
  });
});

describe('what a CloudTrail record says about intent', () => {
  it('ignores calls an AWS service made on a principal’s behalf', () => {
    const viaAutoScaling = cloudTrailRecord({
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateAccessKey',
      requestParameters: { userName: 'backup' },
      userIdentity: { ...(cloudTrailRecord().userIdentity as object), invokedBy: 'autoscaling.amazonaws.com' },
    });
    expect(signalsOf('cloudtrail.iam-privilege-change', viaAutoScaling)).toEqual([]);
  });

  it('leaves a stack creating its users to infrastructure as code (CloudFormation is judged in cloudtrail-measured-rules)', () => {
    const viaCloudFormation = cloudTrailRecord({
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      userIdentity: { ...(cloudTrailRecord().userIdentity as object), invokedBy: 'cloudformation.amazonaws.com' },
    });
    expect(signalsOf('cloudtrail.iam-privilege-change', viaCloudFormation)).toEqual([]);
  });

  it('ignores trust policies that only admit AWS services', () => {
    const trust = (principal: string) =>
      cloudTrailRecord({
        eventSource: 'iam.amazonaws.com',
        eventName: 'UpdateAssumeRolePolicy',
        requestParameters: { roleName: 'r', policyDocument: `{"Statement":[{"Effect":"Allow","Principal":${principal},"Action":"sts:AssumeRole"}]}` },
      });
    expect(signalsOf('cloudtrail.iam-privilege-change', trust('{"Service":"ec2.amazonaws.com"}'))).toEqual([]);
    expect(signalsOf('cloudtrail.iam-privilege-change', trust('{"AWS":"arn:aws:iam::999988887777:root"}'))).toHaveLength(1);
  });
});
