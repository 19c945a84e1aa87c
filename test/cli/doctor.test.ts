import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand, type Trail } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient, DescribeLogGroupsCommand, DescribeSubscriptionFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeAddonCommand, DescribeClusterCommand, EKSClient, ListClustersCommand } from '@aws-sdk/client-eks';
import { GetDetectorCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { DescribeHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CheckResult } from '#adapters/doctor/check';
import { run } from './run-cli.ts';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const CLUSTER = 'prod-east';
const LOG_GROUP = `/aws/eks/${CLUSTER}/cluster`;
const FORWARDER_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:PivotGuard-PivotGuardIngestForwarderFunct-AbC123dEf456`;
const MANAGEMENT_TRAIL: Trail = {
  Name: 'management-events',
  TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/management-events`,
  HomeRegion: 'us-east-1',
  IsMultiRegionTrail: true,
  IsOrganizationTrail: false,
};

const sts = mockClient(STSClient);
const cloudTrail = mockClient(CloudTrailClient);
const eks = mockClient(EKSClient);
const logs = mockClient(CloudWatchLogsClient);
const guardDuty = mockClient(GuardDutyClient);
const cloudFormation = mockClient(CloudFormationClient);
const securityHub = mockClient(SecurityHubClient);
const lambda = mockClient(LambdaClient);

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}

/** An account where everything pivotguard relies on is in place. */
function healthyAccount(): void {
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/alice`, UserId: 'AIDAEXAMPLE' });
  cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [MANAGEMENT_TRAIL] });
  cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
  cloudTrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] }] });
  eks.on(ListClustersCommand).resolves({ clusters: [CLUSTER] });
  eks.on(DescribeClusterCommand).resolves({
    cluster: {
      name: CLUSTER,
      logging: {
        clusterLogging: [
          { types: ['api', 'audit'], enabled: true },
          { types: ['scheduler'], enabled: false },
        ],
      },
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
    },
  });
  eks.on(DescribeAddonCommand).resolves({ addon: { addonName: 'vpc-cni', configurationValues: '{"enableNetworkPolicy":"true"}' } });
  logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: LOG_GROUP }] });
  logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
  guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: ['det-1'] });
  guardDuty.on(GetDetectorCommand).resolves({
    ServiceRole: 'arn:aws:iam::111122223333:role/aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty',
    Status: 'ENABLED',
    Features: [
      { Name: 'EKS_AUDIT_LOGS', Status: 'ENABLED' },
      { Name: 'RUNTIME_MONITORING', Status: 'ENABLED', AdditionalConfiguration: [{ Name: 'EKS_ADDON_MANAGEMENT', Status: 'ENABLED' }] },
    ],
  });
  cloudFormation
    .on(DescribeStacksCommand)
    .resolves({ Stacks: [{ StackName: 'PivotGuard-Forwarder-us-east-1', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }] });
  securityHub.on(DescribeHubCommand).resolves({ HubArn: `arn:aws:securityhub:${REGION}:${ACCOUNT}:hub/default` });
  lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 } });
}

beforeEach(() => {
  for (const client of [sts, cloudTrail, eks, logs, guardDuty, cloudFormation, securityHub, lambda]) client.reset();
  vi.stubEnv('AWS_REGION', REGION);
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  healthyAccount();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** Runs `pivotguard doctor --json ARGS`; the checks by id. */
async function doctor(...args: string[]): Promise<{ code: number; checks: Map<string, CheckResult>; blocked: boolean }> {
  const { code, stdout, stderr } = await run(['doctor', '--json', ...args]);
  expect(stderr).toBe('');
  const { checks, blocked } = JSON.parse(stdout) as { checks: CheckResult[]; blocked: boolean };
  return { code, blocked, checks: new Map(checks.map((check) => [check.id, check])) };
}

/** One line per check and per fix command: a check's summary wrapped to the width continues two spaces in. */
function checkLines(stdout: string): string[] {
  const lines: string[] = [];
  for (const line of stdout.trimEnd().split('\n')) {
    if (/^ {2}\S/.test(line) && lines.length > 0) lines[lines.length - 1] += ` ${line.trim()}`;
    else lines.push(line);
  }
  return lines;
}

function statusOf(check: CheckResult | undefined) {
  return check && { status: check.status, blocking: check.blocking };
}

describe('pivotguard doctor on a healthy account', () => {
  it('prints who and where first, then every check in place, and exits 0', async () => {
    const { code, stdout, stderr } = await run(['doctor']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const lines = checkLines(stdout);
    expect(lines[0]).toMatch(new RegExp(`^✔ identity: account ${ACCOUNT} .*region ${REGION}$`));
    expect(lines.slice(0, -1).every((line) => line.startsWith('✔ '))).toBe(true);
    expect(stdout).not.toContain('fix:');
  });

  it('--json prints one document of checks with stable ids and nothing else', async () => {
    const { code, stdout } = await run(['doctor', '--json']);
    expect(code).toBe(0);
    const document = JSON.parse(stdout) as { checks: CheckResult[]; blocked: boolean };
    expect(Object.keys(document).sort()).toEqual(['blocked', 'checks']);
    expect(document.blocked).toBe(false);
    expect(document.checks.map((check) => check.id)).toEqual([
      'identity',
      'trail',
      `cluster/${CLUSTER}/audit-logging`,
      `cluster/${CLUSTER}/audit-subscription`,
      `cluster/${CLUSTER}/access-entries`,
      `cluster/${CLUSTER}/network-policy`,
      'guardduty/eks-audit-logs',
      'guardduty/runtime-monitoring',
      'global-events',
      'lambda-concurrency',
    ]);
    for (const check of document.checks) {
      expect(check).toEqual({ id: expect.any(String), status: 'ok', blocking: false, summary: expect.any(String) });
    }
  });
});

describe("the account's Lambda concurrency", () => {
  it("blocks when the stack's reservations would leave fewer than 100 unreserved executions, as in a new account", async () => {
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
    const { code, checks } = await doctor();
    expect(statusOf(checks.get('lambda-concurrency'))).toEqual({ status: 'fail', blocking: true });
    expect(checks.get('lambda-concurrency')?.fix).toMatch(/request-service-quota-increase[\s\S]*reservedConcurrency=false/);
    expect(code).toBe(1);
  });

  it('passes with exactly enough room, and is not checked for a deploy without reservations', async () => {
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 115, UnreservedConcurrentExecutions: 115 } });
    expect(statusOf((await doctor()).checks.get('lambda-concurrency'))).toEqual({ status: 'ok', blocking: false });
    lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
    expect((await doctor('--no-reserved-concurrency')).checks.has('lambda-concurrency')).toBe(false);
  });
});

describe('the CloudTrail trail', () => {
  it('fails, blocking, when there is no trail, with the commands that create one', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [] });
    const { code, blocked, checks } = await doctor();
    expect(statusOf(checks.get('trail'))).toEqual({ status: 'fail', blocking: true });
    expect(checks.get('trail')?.fix).toMatch(/create-trail .*--is-multi-region-trail[\s\S]*put-event-selectors[\s\S]*start-logging/);
    expect({ code, blocked }).toEqual({ code: 1, blocked: true });
  });

  it('fails, blocking, when the only trail is not logging', async () => {
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    const { code, checks } = await doctor();
    expect(statusOf(checks.get('trail'))).toEqual({ status: 'fail', blocking: true });
    expect(checks.get('trail')?.fix).toContain('start-logging');
    expect(code).toBe(1);
  });

  it('fails, blocking, when the trail logs data events only', async () => {
    cloudTrail.on(GetEventSelectorsCommand).resolves({
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }] }],
    });
    const { code, checks } = await doctor();
    expect(statusOf(checks.get('trail'))).toEqual({ status: 'fail', blocking: true });
    expect(checks.get('trail')?.fix).toContain('put-event-selectors');
    expect(code).toBe(1);
  });

  it('fails, blocking, when the trail logs only write management events: no pod would be linked to its credentials', async () => {
    cloudTrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }] });
    const { code, checks } = await doctor();
    expect(statusOf(checks.get('trail'))).toEqual({ status: 'fail', blocking: true });
    expect(checks.get('trail')?.fix).toMatch(/put-event-selectors .*--event-selectors .*"ReadWriteType":"All"/);
    expect(code).toBe(1);
  });

  it('fails when advanced event selectors filter management events on readOnly', async () => {
    cloudTrail.on(GetEventSelectorsCommand).resolves({
      AdvancedEventSelectors: [
        {
          Name: 'Writes only',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Management'] },
            { Field: 'readOnly', Equals: ['false'] },
          ],
        },
      ],
    });
    const { checks } = await doctor();
    expect(statusOf(checks.get('trail'))).toEqual({ status: 'fail', blocking: true });
    expect(checks.get('trail')?.fix).toContain('--advanced-event-selectors');
  });

  it('passes advanced event selectors that select every management event', async () => {
    cloudTrail.on(GetEventSelectorsCommand).resolves({
      AdvancedEventSelectors: [
        { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
        {
          Name: 'S3 data',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          ],
        },
      ],
    });
    expect(statusOf((await doctor()).checks.get('trail'))).toEqual({ status: 'ok', blocking: false });
  });

  it('passes read and write selected by two advanced selectors', async () => {
    cloudTrail.on(GetEventSelectorsCommand).resolves({
      AdvancedEventSelectors: [
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Management'] },
            { Field: 'readOnly', Equals: ['true'] },
          ],
        },
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Management'] },
            { Field: 'readOnly', Equals: ['false'] },
          ],
        },
      ],
    });
    expect(statusOf((await doctor()).checks.get('trail'))).toEqual({ status: 'ok', blocking: false });
  });

  it('warns when the only complete trail covers this region alone', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [{ ...MANAGEMENT_TRAIL, IsMultiRegionTrail: false, HomeRegion: REGION }] });
    const { code, checks } = await doctor();
    expect(statusOf(checks.get('trail'))).toEqual({ status: 'warn', blocking: false });
    expect(checks.get('trail')?.fix).toContain('--is-multi-region-trail');
    expect(code).toBe(0);
  });

  it('passes a single-region trail in us-east-1 when pivotguard runs there', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [{ ...MANAGEMENT_TRAIL, IsMultiRegionTrail: false, IncludeGlobalServiceEvents: true }] });
    expect(statusOf((await doctor('--region', 'us-east-1')).checks.get('trail'))).toEqual({ status: 'ok', blocking: false });
  });

  it('takes the best of several trails, even when another one cannot be read', async () => {
    const stopped = { ...MANAGEMENT_TRAIL, Name: 'old', TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/old` };
    const organization = { ...MANAGEMENT_TRAIL, Name: 'org', TrailARN: `arn:aws:cloudtrail:us-east-1:999999999999:trail/org`, IsOrganizationTrail: true };
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [stopped, MANAGEMENT_TRAIL, organization] });
    cloudTrail.on(GetTrailStatusCommand, { Name: stopped.TrailARN }).resolves({ IsLogging: false });
    cloudTrail.on(GetEventSelectorsCommand, { TrailName: organization.TrailARN }).rejects(awsError('AccessDeniedException'));
    expect(statusOf((await doctor()).checks.get('trail'))).toEqual({ status: 'ok', blocking: false });
    expect(cloudTrail.commandCalls(DescribeTrailsCommand)[0]?.args[0].input).toEqual({ includeShadowTrails: true });
  });
});

describe('each cluster', () => {
  it('checks every cluster of the region when none is named', async () => {
    eks.on(ListClustersCommand).resolves({ clusters: [CLUSTER, 'staging'] });
    logs.on(DescribeLogGroupsCommand).callsFake((input: { logGroupNamePrefix: string }) => ({ logGroups: [{ logGroupName: input.logGroupNamePrefix }] }));
    const { checks } = await doctor();
    expect([...checks.keys()].filter((id) => id.endsWith('/audit-logging'))).toEqual([`cluster/${CLUSTER}/audit-logging`, 'cluster/staging/audit-logging']);
  });

  it('checks only the clusters named with --cluster', async () => {
    eks
      .on(DescribeClusterCommand, { name: 'staging' })
      .resolves({ cluster: { name: 'staging', logging: { clusterLogging: [{ types: ['audit'], enabled: true }] } } });
    const { checks } = await doctor('--cluster', 'staging');
    expect(eks.commandCalls(ListClustersCommand)).toHaveLength(0);
    expect(checks.has('cluster/staging/audit-logging')).toBe(true);
    expect(checks.has(`cluster/${CLUSTER}/audit-logging`)).toBe(false);
  });

  it('fails, blocking, for a named cluster that does not exist', async () => {
    eks.on(DescribeClusterCommand, { name: 'typo' }).rejects(awsError('ResourceNotFoundException', 'No cluster found for name: typo.'));
    const { code, checks } = await doctor('--cluster', 'typo');
    expect(statusOf(checks.get('cluster/typo'))).toEqual({ status: 'fail', blocking: true });
    expect(code).toBe(1);
  });

  it('warns when the region has no cluster', async () => {
    eks.on(ListClustersCommand).resolves({ clusters: [] });
    const { code, checks } = await doctor();
    expect(statusOf(checks.get('clusters'))).toEqual({ status: 'warn', blocking: false });
    expect(code).toBe(0);
  });

  it('fails, blocking, when audit logging is off', async () => {
    eks.on(DescribeClusterCommand).resolves({
      cluster: {
        name: CLUSTER,
        logging: {
          clusterLogging: [
            { types: ['audit'], enabled: false },
            { types: ['api'], enabled: true },
          ],
        },
        accessConfig: { authenticationMode: 'API' },
      },
    });
    const { code, checks } = await doctor();
    const check = checks.get(`cluster/${CLUSTER}/audit-logging`);
    expect(statusOf(check)).toEqual({ status: 'fail', blocking: true });
    expect(check?.fix).toMatch(/aws eks update-cluster-config .*--name prod-east .*"types":\["audit"\],"enabled":true/);
    expect(code).toBe(1);
  });

  it('fails, blocking, when the log group does not exist', async () => {
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: `${LOG_GROUP}-archive` }] });
    const { code, checks } = await doctor();
    expect(statusOf(checks.get(`cluster/${CLUSTER}/audit-subscription`))).toEqual({ status: 'fail', blocking: true });
    expect(logs.commandCalls(DescribeLogGroupsCommand)[0]?.args[0].input).toMatchObject({ logGroupNamePrefix: LOG_GROUP });
    expect(code).toBe(1);
  });

  it('fails, blocking, when two other subscription filters take both slots', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({
      subscriptionFilters: [
        { filterName: 'siem', logGroupName: LOG_GROUP, destinationArn: `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/siem` },
        { filterName: 'archive', logGroupName: LOG_GROUP, destinationArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:log-archiver` },
      ],
    });
    const { code, checks } = await doctor();
    const check = checks.get(`cluster/${CLUSTER}/audit-subscription`);
    expect(statusOf(check)).toEqual({ status: 'fail', blocking: true });
    expect(check?.fix).toContain('delete-subscription-filter');
    expect(code).toBe(1);
  });

  it("counts a slot held by pivotguard's own forwarder as free", async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({
      subscriptionFilters: [
        { filterName: 'siem', logGroupName: LOG_GROUP, destinationArn: `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/siem` },
        { filterName: 'PivotGuard-audit', logGroupName: LOG_GROUP, destinationArn: FORWARDER_ARN },
      ],
    });
    expect(statusOf((await doctor()).checks.get(`cluster/${CLUSTER}/audit-subscription`))).toEqual({ status: 'ok', blocking: false });
  });

  it('passes a log group with one other subscription filter', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({
      subscriptionFilters: [{ filterName: 'siem', logGroupName: LOG_GROUP, destinationArn: `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/siem` }],
    });
    expect(statusOf((await doctor()).checks.get(`cluster/${CLUSTER}/audit-subscription`))).toEqual({ status: 'ok', blocking: false });
  });

  it('fails, not blocking, when the authentication mode is CONFIG_MAP', async () => {
    eks.on(DescribeClusterCommand).resolves({
      cluster: { name: CLUSTER, logging: { clusterLogging: [{ types: ['audit'], enabled: true }] }, accessConfig: { authenticationMode: 'CONFIG_MAP' } },
    });
    const { code, checks } = await doctor();
    const check = checks.get(`cluster/${CLUSTER}/access-entries`);
    expect(statusOf(check)).toEqual({ status: 'fail', blocking: false });
    expect(check?.fix).toMatch(/update-cluster-config .*--access-config authenticationMode=API_AND_CONFIG_MAP/);
    expect(code).toBe(0);
  });

  it('passes a vpc-cni add-on configured in YAML with network policy on', async () => {
    eks
      .on(DescribeAddonCommand)
      .resolves({ addon: { addonName: 'vpc-cni', configurationValues: 'enableNetworkPolicy: "true"\nenv:\n  ENABLE_PREFIX_DELEGATION: "true"\n' } });
    expect(statusOf((await doctor()).checks.get(`cluster/${CLUSTER}/network-policy`))).toEqual({ status: 'ok', blocking: false });
  });

  it('fails, not blocking, for a vpc-cni add-on without network policy, keeping its other values in the fix', async () => {
    eks.on(DescribeAddonCommand).resolves({ addon: { addonName: 'vpc-cni', configurationValues: '{"env":{"ENABLE_PREFIX_DELEGATION":"true"}}' } });
    const { code, checks } = await doctor();
    const check = checks.get(`cluster/${CLUSTER}/network-policy`);
    expect(statusOf(check)).toEqual({ status: 'fail', blocking: false });
    expect(check?.fix).toContain('aws eks update-addon');
    const [, values] = /--configuration-values '([^']+)'/.exec(check!.fix!)!;
    expect(JSON.parse(values!)).toEqual({ env: { ENABLE_PREFIX_DELEGATION: 'true' }, enableNetworkPolicy: 'true' });
    expect(code).toBe(0);
  });

  it('fails for a vpc-cni add-on with no configuration at all', async () => {
    eks.on(DescribeAddonCommand).resolves({ addon: { addonName: 'vpc-cni' } });
    expect(statusOf((await doctor()).checks.get(`cluster/${CLUSTER}/network-policy`))).toEqual({ status: 'fail', blocking: false });
  });

  it('warns when there is no vpc-cni add-on (a self-managed CNI)', async () => {
    eks.on(DescribeAddonCommand).rejects(awsError('ResourceNotFoundException', 'No addon: vpc-cni found in cluster: prod-east'));
    const { code, checks } = await doctor();
    expect(statusOf(checks.get(`cluster/${CLUSTER}/network-policy`))).toEqual({ status: 'warn', blocking: false });
    expect(code).toBe(0);
  });
});

describe('GuardDuty', () => {
  it('fails, not blocking, when EKS Protection and Runtime Monitoring are off', async () => {
    guardDuty.on(GetDetectorCommand).resolves({
      ServiceRole: 'role',
      Status: 'ENABLED',
      Features: [
        { Name: 'EKS_AUDIT_LOGS', Status: 'DISABLED' },
        { Name: 'RUNTIME_MONITORING', Status: 'DISABLED' },
      ],
    });
    const { code, checks } = await doctor();
    expect(statusOf(checks.get('guardduty/eks-audit-logs'))).toEqual({ status: 'fail', blocking: false });
    expect(statusOf(checks.get('guardduty/runtime-monitoring'))).toEqual({ status: 'fail', blocking: false });
    expect(checks.get('guardduty/runtime-monitoring')?.fix).toMatch(/update-detector --region eu-west-1 --detector-id det-1 --features .*RUNTIME_MONITORING/);
    expect(code).toBe(0);
  });

  it('accepts the older EKS_RUNTIME_MONITORING feature', async () => {
    guardDuty.on(GetDetectorCommand).resolves({
      ServiceRole: 'role',
      Status: 'ENABLED',
      Features: [
        { Name: 'EKS_AUDIT_LOGS', Status: 'ENABLED' },
        { Name: 'EKS_RUNTIME_MONITORING', Status: 'ENABLED', AdditionalConfiguration: [{ Name: 'EKS_ADDON_MANAGEMENT', Status: 'ENABLED' }] },
      ],
    });
    expect(statusOf((await doctor()).checks.get('guardduty/runtime-monitoring'))).toEqual({ status: 'ok', blocking: false });
  });

  it('warns when Runtime Monitoring does not manage the EKS agent', async () => {
    guardDuty.on(GetDetectorCommand).resolves({
      ServiceRole: 'role',
      Status: 'ENABLED',
      Features: [{ Name: 'RUNTIME_MONITORING', Status: 'ENABLED', AdditionalConfiguration: [{ Name: 'EKS_ADDON_MANAGEMENT', Status: 'DISABLED' }] }],
    });
    const { checks } = await doctor();
    expect(statusOf(checks.get('guardduty/runtime-monitoring'))).toEqual({ status: 'warn', blocking: false });
    expect(checks.get('guardduty/runtime-monitoring')?.fix).toContain('EKS_ADDON_MANAGEMENT');
  });

  it('fails, not blocking, when there is no detector, with the command that creates one', async () => {
    guardDuty.on(ListDetectorsCommand).resolves({ DetectorIds: [] });
    const { code, checks } = await doctor();
    expect(statusOf(checks.get('guardduty/detector'))).toEqual({ status: 'fail', blocking: false });
    expect(checks.get('guardduty/detector')?.fix).toMatch(/aws guardduty create-detector .*--enable --features .*EKS_AUDIT_LOGS.*RUNTIME_MONITORING/);
    expect(checks.has('guardduty/eks-audit-logs')).toBe(false);
    expect(guardDuty.commandCalls(GetDetectorCommand)).toHaveLength(0);
    expect(code).toBe(0);
  });
});

describe('global-service events', () => {
  it('fails, not blocking, outside us-east-1 when no forwarder stack runs there', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(awsError('ValidationError', 'Stack with id PivotGuard-Forwarder-us-east-1 does not exist'));
    const { code, checks } = await doctor();
    const check = checks.get('global-events');
    expect(statusOf(check)).toEqual({ status: 'fail', blocking: false });
    expect(check?.fix).toContain('-c forwardRegions=us-east-1');
    expect(cloudFormation.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({ StackName: 'PivotGuard-Forwarder-us-east-1' });
    expect(code).toBe(0);
  });

  it('asks CloudFormation in us-east-1', async () => {
    await doctor();
    const [call] = cloudFormation.commandCalls(DescribeStacksCommand);
    expect(await (call!.thisValue as CloudFormationClient).config.region()).toBe('us-east-1');
  });

  it('fails for a forwarder stack whose creation rolled back', async () => {
    cloudFormation
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [{ StackName: 'PivotGuard-Forwarder-us-east-1', StackStatus: 'ROLLBACK_COMPLETE', CreationTime: new Date() }] });
    expect(statusOf((await doctor()).checks.get('global-events'))).toEqual({ status: 'fail', blocking: false });
  });

  it('passes in us-east-1 without looking for a forwarder', async () => {
    const { checks } = await doctor('--region', 'us-east-1');
    expect(statusOf(checks.get('global-events'))).toEqual({ status: 'ok', blocking: false });
    expect(cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });
});

describe('Security Hub', () => {
  it('is checked only with --security-hub', async () => {
    const { checks } = await doctor();
    expect(checks.has('security-hub')).toBe(false);
    expect(securityHub.commandCalls(DescribeHubCommand)).toHaveLength(0);
    expect(statusOf((await doctor('--security-hub')).checks.get('security-hub'))).toEqual({ status: 'ok', blocking: false });
  });

  it('fails, blocking, when asked for and not enabled', async () => {
    securityHub.on(DescribeHubCommand).rejects(awsError('InvalidAccessException', 'Account 111122223333 is not subscribed to AWS Security Hub'));
    const { code, checks } = await doctor('--security-hub');
    expect(statusOf(checks.get('security-hub'))).toEqual({ status: 'fail', blocking: true });
    expect(checks.get('security-hub')?.fix).toContain('aws securityhub enable-security-hub');
    expect(code).toBe(1);
  });
});

describe('AWS errors', () => {
  it('turns AccessDenied on one check into a line naming the permission, and runs the others', async () => {
    cloudTrail.on(DescribeTrailsCommand).rejects(awsError('AccessDeniedException', 'User: alice is not authorized to perform: cloudtrail:DescribeTrails'));
    const { code, checks } = await doctor();
    const check = checks.get('trail');
    expect(statusOf(check)).toEqual({ status: 'warn', blocking: false });
    expect(check?.summary).toContain('AccessDenied on cloudtrail:DescribeTrails');
    expect(check?.fix).toContain('cloudtrail:DescribeTrails');
    expect([...checks.values()].filter((other) => other.id !== 'trail').every((other) => other.status === 'ok')).toBe(true);
    expect(code).toBe(0);
  });

  it('keeps the other checks of a cluster when one of its calls is denied', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).rejects(awsError('AccessDeniedException'));
    const { checks } = await doctor();
    expect(checks.get(`cluster/${CLUSTER}/audit-subscription`)?.summary).toContain('logs:DescribeSubscriptionFilters');
    expect(statusOf(checks.get(`cluster/${CLUSTER}/audit-logging`))).toEqual({ status: 'ok', blocking: false });
    expect(statusOf(checks.get(`cluster/${CLUSTER}/network-policy`))).toEqual({ status: 'ok', blocking: false });
  });

  it('says when AWS throttles a call', async () => {
    guardDuty.on(ListDetectorsCommand).rejects(awsError('TooManyRequestsException'));
    const { checks } = await doctor();
    expect(statusOf(checks.get('guardduty'))).toEqual({ status: 'warn', blocking: false });
    expect(checks.get('guardduty')?.summary).toContain('guardduty:ListDetectors');
  });

  it('exits 2 with one line when there are no credentials', async () => {
    sts.on(GetCallerIdentityCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
    const { code, stdout, stderr } = await run(['doctor']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^pivotguard: cannot tell who you are/);
    expect(cloudTrail.calls()).toHaveLength(0);
  });

  it('exits 2 with one line when there is no region', async () => {
    vi.stubEnv('AWS_REGION', '');
    vi.stubEnv('AWS_DEFAULT_REGION', '');
    vi.stubEnv('AWS_PROFILE', 'pivotguard-doctor-test-none');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/pivotguard-doctor-config');
    const { code, stderr } = await run(['doctor']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^pivotguard: no AWS region: pass --region/);
    expect(sts.calls()).toHaveLength(0);
  });
});

describe('the command line', () => {
  it('prints a failing line with its fix, marks warnings, and exits 1 on a blocking failure', async () => {
    eks.on(DescribeClusterCommand).resolves({ cluster: { name: CLUSTER, logging: { clusterLogging: [] }, accessConfig: { authenticationMode: 'API' } } });
    eks.on(DescribeAddonCommand).rejects(awsError('ResourceNotFoundException'));
    const { code, stdout } = await run(['doctor']);
    expect(code).toBe(1);
    const text = checkLines(stdout).join('\n');
    expect(text).toMatch(/^✘ cluster\/prod-east\/audit-logging \(blocking\): .*\n {4}fix: aws eks update-cluster-config /m);
    expect(text).toMatch(/^! cluster\/prod-east\/network-policy: /m);
  });

  it('--help prints the usage and exits 0', async () => {
    const { code, stdout } = await run(['doctor', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: pivotguard doctor /);
    expect(sts.calls()).toHaveLength(0);
  });

  it('is listed in pivotguard help', async () => {
    expect((await run(['help'])).stdout).toContain('pivotguard doctor [--cluster NAME]...');
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['extra'], /unexpected argument "extra"/],
    [['--region', 'Ireland'], /not an AWS region name/],
  ])('exits 2 on %j', async (args, message) => {
    const { code, stdout, stderr } = await run(['doctor', ...args]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  });
});
