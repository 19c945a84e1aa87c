import { describe, expect, it } from 'vitest';
import { ACCOUNT, cloudTrailRecord } from '../fixtures/records.ts';
import { signalsOf } from './detect-helpers.ts';

// Issue #12: the rule changes that closed gaps and cut false alarms, each beside the bypass it must not open.

const callerRole = `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/alice`;
const caller = (invokedBy?: string) => ({
  type: 'AssumedRole',
  principalId: 'AROAEXAMPLE:alice',
  arn: callerRole,
  accountId: ACCOUNT,
  accessKeyId: 'ASIAEXAMPLE',
  ...(invokedBy ? { invokedBy } : {}),
  sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT}:role/deployer`, userName: 'deployer' } },
});
const throughStack = (eventSource: string, eventName: string, requestParameters: object | null, readOnly = false) =>
  cloudTrailRecord({
    eventSource,
    eventName,
    requestParameters,
    readOnly,
    userIdentity: caller('cloudformation.amazonaws.com'),
    sourceIPAddress: 'cloudformation.amazonaws.com',
    userAgent: 'cloudformation.amazonaws.com',
  });
const trust = (principal: string) => `{"Statement":[{"Effect":"Allow","Principal":${principal},"Action":"sts:AssumeRole"}]}`;

describe('calls made through CloudFormation', () => {
  it("judges a stack's changes as its caller's own: a trail deleted, a key for another user, a repository opened", () => {
    const trail = signalsOf('cloudtrail.defense-evasion', throughStack('cloudtrail.amazonaws.com', 'DeleteTrail', { name: 'org-trail' }))[0];
    expect(trail).toMatchObject({ severity: 'high', subject: { actor: callerRole, roleArn: `arn:aws:iam::${ACCOUNT}:role/deployer` } });
    expect(trail?.summary).toContain('through CloudFormation');
    expect(signalsOf('cloudtrail.iam-privilege-change', throughStack('iam.amazonaws.com', 'CreateAccessKey', { userName: 'bob' }))).toHaveLength(1);
    const open = throughStack('ecr.amazonaws.com', 'SetRepositoryPolicy', {
      repositoryName: 'base-images',
      policyText: '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}',
    });
    expect(signalsOf('cloudtrail.public-exposure', open)).toHaveLength(1);
  });

  it('still judges a role a stack creates when it trusts principals rather than services', () => {
    const backdoor = throughStack('iam.amazonaws.com', 'CreateRole', {
      roleName: 'r',
      assumeRolePolicyDocument: trust('{"AWS":"arn:aws:iam::999988887777:root"}'),
    });
    expect(signalsOf('cloudtrail.iam-privilege-change', backdoor)).toHaveLength(1);
  });

  it("leaves a stack's users, service roles, resource reads and function deployments alone", () => {
    expect(signalsOf('cloudtrail.iam-privilege-change', throughStack('iam.amazonaws.com', 'CreateUser', { userName: 'app' }))).toEqual([]);
    const serviceRole = throughStack('iam.amazonaws.com', 'CreateRole', {
      roleName: 'r',
      assumeRolePolicyDocument: trust('{"Service":"lambda.amazonaws.com"}'),
    });
    expect(signalsOf('cloudtrail.iam-privilege-change', serviceRole)).toEqual([]);
    // What CloudFormation reads about the resources it manages never reaches the caller.
    expect(signalsOf('cloudtrail.discovery', throughStack('iam.amazonaws.com', 'GetGroup', { groupName: 'admins' }, true))).toEqual([]);
    expect(signalsOf('cloudtrail.lambda-change', throughStack('lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', { functionName: 'api' }))).toEqual([]);
  });

  it('the same calls made directly are judged as before', () => {
    const direct = cloudTrailRecord({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', requestParameters: { userName: 'app' }, readOnly: false });
    expect(signalsOf('cloudtrail.iam-privilege-change', direct)).toHaveLength(1);
    const code = cloudTrailRecord({
      eventSource: 'lambda.amazonaws.com',
      eventName: 'UpdateFunctionCode20150331v2',
      requestParameters: { functionName: 'api' },
    });
    expect(signalsOf('cloudtrail.lambda-change', code)).toHaveLength(1);
  });
});

describe('cloudtrail.discovery: IAM groups', () => {
  it('records a caller enumerating groups and what they grant as context', () => {
    for (const eventName of ['ListGroups', 'ListGroupsForUser', 'GetGroup', 'ListAttachedGroupPolicies', 'GetGroupPolicy']) {
      expect(signalsOf('cloudtrail.discovery', cloudTrailRecord({ eventSource: 'iam.amazonaws.com', eventName }))[0]?.severity).toBe('low');
    }
    expect(signalsOf('cloudtrail.discovery', cloudTrailRecord({ eventSource: 'iam.amazonaws.com', eventName: 'RemoveUserFromGroup' }))).toEqual([]);
  });
});

describe('cloudtrail.lambda-change: configuration', () => {
  const configure = (requestParameters: object) =>
    cloudTrailRecord({ eventSource: 'lambda.amazonaws.com', eventName: 'UpdateFunctionConfiguration20150331v2', requestParameters, readOnly: false });

  it('ignores sizing and timeouts, which plant nothing', () => {
    expect(signalsOf('cloudtrail.lambda-change', configure({ functionName: 'api', memorySize: 1024, timeout: 30 }))).toEqual([]);
  });

  it('fires on layers, environment (a wrapper script runs first), role or a field it does not know', () => {
    expect(signalsOf('cloudtrail.lambda-change', configure({ functionName: 'api', layers: ['arn:aws:lambda:us-east-1:999988887777:layer:x:1'] }))).toHaveLength(
      1,
    );
    expect(signalsOf('cloudtrail.lambda-change', configure({ functionName: 'api', environment: {} }))).toHaveLength(1);
    expect(signalsOf('cloudtrail.lambda-change', configure({ functionName: 'api', role: `arn:aws:iam::${ACCOUNT}:role/admin` }))).toHaveLength(1);
    expect(signalsOf('cloudtrail.lambda-change', configure({ functionName: 'api', timeout: 30, somethingNew: true }))).toHaveLength(1);
  });
});

describe('cloudtrail.temporary-credentials-minted', () => {
  const mint = (userIdentity: object) =>
    cloudTrailRecord({ eventSource: 'sts.amazonaws.com', eventName: 'GetFederationToken', requestParameters: { name: 'x' }, userIdentity });

  it('fires for a long-term key, not for a role session STS would have refused', () => {
    const user = { type: 'IAMUser', principalId: 'AIDA1', arn: `arn:aws:iam::${ACCOUNT}:user/ci`, accountId: ACCOUNT, accessKeyId: 'AKIA1', userName: 'ci' };
    expect(signalsOf('cloudtrail.temporary-credentials-minted', mint(user))[0]?.severity).toBe('medium');
    expect(signalsOf('cloudtrail.temporary-credentials-minted', mint(caller()))).toEqual([]);
  });
});

describe('cloudtrail.defense-evasion: findings hidden', () => {
  it('fires on Security Hub findings archived by filter and on Macie Classic changed', () => {
    const archive = cloudTrailRecord({
      eventSource: 'securityhub.amazonaws.com',
      eventName: 'UpdateFindings',
      requestParameters: { Filters: {}, RecordState: 'ARCHIVED' },
    });
    expect(signalsOf('cloudtrail.defense-evasion', archive)).toHaveLength(1);
    const macie = cloudTrailRecord({
      eventSource: 'macie.amazonaws.com',
      eventName: 'UpdateMacieSession',
      requestParameters: { findingPublishingFrequency: 'SIX_HOURS' },
    });
    expect(signalsOf('cloudtrail.defense-evasion', macie)).toHaveLength(1);
    expect(signalsOf('cloudtrail.defense-evasion', cloudTrailRecord({ eventSource: 'securityhub.amazonaws.com', eventName: 'GetFindings' }))).toEqual([]);
  });
});

describe('cloudtrail.traffic-mirroring: attempts', () => {
  const session = (errorCode?: string) =>
    cloudTrailRecord({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'CreateTrafficMirrorSession',
      requestParameters: {},
      readOnly: false,
      ...(errorCode ? { errorCode } : {}),
    });

  it('keeps a session that failed on its interface as context, and leaves a refused one to access-denied', () => {
    expect(signalsOf('cloudtrail.traffic-mirroring', session())[0]?.severity).toBe('medium');
    expect(signalsOf('cloudtrail.traffic-mirroring', session('Client.NetworkInterfaceNotSupported'))[0]?.severity).toBe('low');
    expect(signalsOf('cloudtrail.traffic-mirroring', session('Client.UnauthorizedOperation'))).toEqual([]);
    expect(signalsOf('cloudtrail.access-denied', session('Client.UnauthorizedOperation'))).toHaveLength(1);
  });
});

describe('cloudtrail.public-exposure: queues, topics and restored databases', () => {
  const anyone = { Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: '*' };
  const orgOnly = { ...anyone, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } };
  const queue = (...Statement: object[]) =>
    cloudTrailRecord({
      eventSource: 'sqs.amazonaws.com',
      eventName: 'SetQueueAttributes',
      requestParameters: { queueUrl: 'https://sqs.us-east-1.amazonaws.com/111122223333/jobs', attributes: { Policy: JSON.stringify({ Statement }) } },
    });

  it('fires when one statement of a queue or topic policy admits anyone, however restricted the others', () => {
    expect(signalsOf('cloudtrail.public-exposure', queue(orgOnly, anyone))).toHaveLength(1);
    expect(signalsOf('cloudtrail.public-exposure', queue(orgOnly))).toEqual([]);
    const topic = (attributeName: string) =>
      cloudTrailRecord({
        eventSource: 'sns.amazonaws.com',
        eventName: 'SetTopicAttributes',
        requestParameters: { attributeName, attributeValue: JSON.stringify({ Statement: [anyone] }) },
      });
    expect(signalsOf('cloudtrail.public-exposure', topic('Policy'))).toHaveLength(1);
    expect(signalsOf('cloudtrail.public-exposure', topic('DisplayName'))).toEqual([]);
  });

  it('fires when a snapshot is restored to a publicly accessible instance, by the request or by the response', () => {
    const restore = (requestParameters: object, responseElements: object) =>
      cloudTrailRecord({ eventSource: 'rds.amazonaws.com', eventName: 'RestoreDBInstanceFromDBSnapshot', requestParameters, responseElements });
    expect(signalsOf('cloudtrail.public-exposure', restore({ dBInstanceIdentifier: 'copy', publiclyAccessible: true }, {}))).toHaveLength(1);
    expect(signalsOf('cloudtrail.public-exposure', restore({ dBInstanceIdentifier: 'copy' }, { publiclyAccessible: true }))).toHaveLength(1);
    expect(signalsOf('cloudtrail.public-exposure', restore({ dBInstanceIdentifier: 'copy' }, { publiclyAccessible: false }))).toEqual([]);
    // A new, empty database holds no one's data yet.
    const create = cloudTrailRecord({
      eventSource: 'rds.amazonaws.com',
      eventName: 'CreateDBInstance',
      requestParameters: {},
      responseElements: { publiclyAccessible: true },
    });
    expect(signalsOf('cloudtrail.public-exposure', create)).toEqual([]);
  });
});
