import { describe, expect, it } from 'vitest';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import type { AuditEvent, CloudTrailEvent, GuardDutyFinding } from '#core/model/event';
import { CLUSTER, auditEvent, cloudTrailRecord, eventBridge, guardDutyFinding, logsDataMessage, logsSubscriptionEvent } from '../fixtures/records.ts';

function normalize(value: unknown, defaultCluster?: string) {
  const out = emptyOutput();
  normalizeValue(value, 'line 1', { file: 'input.jsonl', defaultCluster }, out);
  return out;
}

describe('EKS audit envelopes', () => {
  it('decodes a CloudWatch Logs subscription event and takes the cluster from the log group', () => {
    const events = [auditEvent(), auditEvent({ verb: 'list' })];
    const out = normalize(logsSubscriptionEvent(events));
    expect(out.rejected).toEqual([]);
    expect(out.events.map((event) => event.eventId)).toEqual(events.map((event) => event.auditID));
    expect((out.events[0] as AuditEvent).cluster).toBe(CLUSTER);
  });

  it('reads a decoded DATA_MESSAGE, and counts CONTROL_MESSAGEs without rejecting them', () => {
    expect(normalize(logsDataMessage([auditEvent()])).events).toHaveLength(1);
    const control = normalize({ messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [] });
    expect(control).toMatchObject({ events: [], rejected: [], controlMessages: 1 });
  });

  it('keeps the account whose log group held the records: the subscription owner, a Logs Insights row’s @log', () => {
    const fromSubscription = normalize({ ...logsDataMessage([auditEvent()]), owner: '222233334444' }).events[0] as AuditEvent;
    expect(fromSubscription).toMatchObject({ cluster: CLUSTER, accountId: '222233334444' });
    const row = { '@timestamp': '2026-11-21 02:22:30.000', '@message': JSON.stringify(auditEvent()), '@log': `222233334444:/aws/eks/${CLUSTER}/cluster` };
    expect(normalize(row).events[0]).toMatchObject({ cluster: CLUSTER, accountId: '222233334444' });
    // Not an account id: the cluster still counts, the account stays unknown.
    const forged = normalize({ ...logsDataMessage([auditEvent()]), owner: 'CloudwatchLogs' }).events[0] as AuditEvent;
    expect(forged.accountId).toBeUndefined();
    expect((normalize(auditEvent(), 'dev-1').events[0] as AuditEvent).accountId).toBeUndefined();
  });

  it('takes no cluster from a log group EKS could not have named, such as one spelling another account’s cluster id', () => {
    const posing = { ...logsDataMessage([auditEvent()], '/aws/eks/prod-east@111122223333/cluster'), owner: '222233334444' };
    expect(normalize(posing).rejected[0]?.reason).toMatch(/cluster unknown/);
  });

  it('reads raw events, arrays and EventList, with the cluster given by the caller', () => {
    const event = auditEvent();
    expect((normalize(event, 'dev-1').events[0] as AuditEvent).cluster).toBe('dev-1');
    expect(normalize([auditEvent(), auditEvent()], 'dev-1').events).toHaveLength(2);
    const list = { kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {}, items: [auditEvent(), auditEvent()] };
    expect(normalize(list, 'dev-1').events).toHaveLength(2);
  });

  it('rejects a raw event whose cluster nobody named, saying how to name it', () => {
    const out = normalize(auditEvent());
    expect(out.rejected[0]?.reason).toMatch(/cluster unknown.*--cluster/);
  });

  it('names the log event that is not JSON', () => {
    const message = logsDataMessage([auditEvent()]) as { logEvents: { message: string }[] };
    message.logEvents.push({ ...message.logEvents[0]!, message: 'I1121 02:22:30 not json' });
    const out = normalize(message);
    expect(out.events).toHaveLength(1);
    expect(out.rejected).toEqual([{ file: 'input.jsonl', record: 'line 1.logEvents[1]', reason: expect.stringMatching(/not JSON/), code: 'not-json' }]);
  });

  it('rejects corrupt awslogs data with a specific reason', () => {
    expect(normalize({ awslogs: { data: 'bm90IGd6aXA=' } }).rejected[0]?.reason).toBe('awslogs.data: not base64-encoded gzip');
  });
});

describe('CloudTrail envelopes', () => {
  it('reads EventBridge events, log files and bare records alike', () => {
    const record = cloudTrailRecord();
    const viaEventBridge = normalize(eventBridge('AWS API Call via CloudTrail', 'aws.sts', record, '2026-11-21T02:29:01Z'));
    const viaLogFile = normalize({ Records: [record, cloudTrailRecord()] });
    const bare = normalize(record);
    expect(viaEventBridge.events[0]).toEqual(bare.events[0]);
    expect(viaLogFile.events).toHaveLength(2);
    const event = bare.events[0] as CloudTrailEvent;
    expect(event.identity).toMatchObject({
      roleArn: 'arn:aws:iam::111122223333:role/checkout-irsa',
      sessionName: 'botocore-session-1',
      accessKeyId: 'ASIAEXAMPLEKEY000001',
    });
    expect(event.time).toBe(Date.UTC(2026, 10, 21, 2, 29, 1));
  });

  it('rejects EventBridge events of other detail types by name', () => {
    const out = normalize(eventBridge('EC2 Instance State-change Notification', 'aws.ec2', {}, '2026-11-21T02:29:01Z'));
    expect(out.rejected[0]?.reason).toBe('EventBridge event detail-type "EC2 Instance State-change Notification" is not one pivotguard reads');
    expect(out.rejected[0]?.code).toBe('unsupported-format');
  });

  it('reads console sign-ins and the other CloudTrail detail types, and skips Insights', () => {
    const signIn = cloudTrailRecord({ eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', eventType: 'AwsConsoleSignIn' });
    expect(normalize(eventBridge('AWS Console Sign In via CloudTrail', 'aws.signin', signIn, '2026-11-21T02:29:01Z')).events).toHaveLength(1);
    const insight = {
      eventVersion: '1.08',
      eventTime: '2026-11-21T02:30:00Z',
      eventID: 'b2c7a1d4',
      eventType: 'AwsCloudTrailInsight',
      eventCategory: 'Insight',
      insightDetails: {},
    };
    expect(normalize(eventBridge('AWS Insight via CloudTrail', 'aws.cloudtrail', insight, '2026-11-21T02:30:00Z'))).toMatchObject({
      events: [],
      rejected: [],
      insightsSkipped: 1,
    });
  });

  it('names the missing or malformed field', () => {
    const { eventID: _, ...noId } = cloudTrailRecord();
    expect(normalize(noId).rejected[0]?.reason).toMatch(/^CloudTrail record eventID: /);
    expect(normalize(cloudTrailRecord({ eventTime: '2026-02-30T00:00:00Z' })).rejected[0]?.reason).toBe(
      'CloudTrail record eventTime: "2026-02-30T00:00:00Z" is not a real date and time',
    );
  });
});

describe('GuardDuty envelopes', () => {
  it('reads EventBridge findings, bare findings and get-findings output (PascalCase) to the same event', () => {
    const finding = guardDutyFinding();
    const viaEventBridge = normalize(eventBridge('GuardDuty Finding', 'aws.guardduty', finding, '2026-11-21T02:14:00Z'));
    const pascal = normalize({ Findings: [toPascalCase(finding)] });
    const bare = normalize(finding);
    const event = bare.events[0] as GuardDutyFinding;
    expect(event).toMatchObject({
      eventId: finding.id,
      type: 'Execution:Runtime/ReverseShell',
      cluster: CLUSTER,
      namespace: 'payments',
      workloadName: 'checkout-1',
      workloadType: 'pods',
      instanceId: 'i-0a1b2c3d4e5f60718',
      process: { name: 'sh', executablePath: '/bin/sh' },
      severity: 8,
      time: Date.UTC(2026, 10, 21, 2, 13, 4),
    });
    expect(viaEventBridge.events[0]).toEqual(event);
    const { raw: _raw, ...withoutRaw } = pascal.events[0] as GuardDutyFinding;
    const { raw: _bareRaw, ...bareWithoutRaw } = event;
    expect(withoutRaw).toEqual(bareWithoutRaw);
  });

  it('reads the GuardDuty findings in Security Hub events, and rejects the other products by name', () => {
    const hubFinding = (productArn: string) => ({
      SchemaVersion: '2018-10-08',
      Id: `arn:aws:guardduty:us-east-1:111122223333:detector/12abc/finding/0ac9d7e1`,
      ProductArn: productArn,
      ProductName: productArn.split('/').pop(),
      AwsAccountId: '111122223333',
      Types: ['TTPs/Execution/Execution:Runtime-ReverseShell'],
      CreatedAt: '2026-11-21T02:14:00.000Z',
      UpdatedAt: '2026-11-21T02:14:00.000Z',
      Severity: { Product: 8, Label: 'HIGH', Normalized: 60 },
      Resources: [{ Type: 'AwsEksCluster', Id: `arn:aws:eks:us-east-1:111122223333:cluster/${CLUSTER}` }],
    });
    const imported = eventBridge(
      'Security Hub Findings - Imported',
      'aws.securityhub',
      { findings: [hubFinding('arn:aws:securityhub:us-east-1::product/aws/guardduty'), hubFinding('arn:aws:securityhub:us-east-1::product/aws/macie')] },
      '2026-11-21T02:15:00Z',
    );
    const out = normalize(imported);
    expect(out.events).toMatchObject([
      { source: 'guardduty', eventId: '0ac9d7e1', type: 'Execution:Runtime/ReverseShell', severity: 8, cluster: CLUSTER, region: 'us-east-1' },
    ]);
    expect(out.rejected).toMatchObject([{ record: 'line 1.detail.findings[1]', code: 'unsupported-format', reason: expect.stringContaining('macie') }]);
  });

  it('recognises sample findings in both export shapes', () => {
    const sample = guardDutyFinding({ service: { ...(guardDutyFinding().service as object), additionalInfo: { sample: true } } });
    expect((normalize(sample).events[0] as GuardDutyFinding).sample).toBe(true);
    const pascal = toPascalCase(guardDutyFinding()) as Record<string, Record<string, unknown>>;
    pascal.Service!.AdditionalInfo = { Value: '{"sample":true}', Type: 'default' };
    expect((normalize(pascal).events[0] as GuardDutyFinding).sample).toBe(true);
  });
});

describe('detection per record', () => {
  it('takes every source from one array and sets aside what is none of them', () => {
    const out = normalize([auditEvent(), cloudTrailRecord(), guardDutyFinding(), { hello: 'world' }, 42], 'c1');
    expect(out.events.map((event) => event.source)).toEqual(['eks-audit', 'cloudtrail', 'guardduty']);
    expect(out.rejected).toEqual([
      {
        file: 'input.jsonl',
        record: 'line 1[3]',
        reason: expect.stringContaining('(keys: hello)'),
        code: 'unrecognized',
      },
      { file: 'input.jsonl', record: 'line 1[4]', reason: 'expected a JSON object, got number', code: 'unrecognized' },
    ]);
  });
});

function toPascalCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPascalCase);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key.charAt(0).toUpperCase() + key.slice(1), toPascalCase(inner)]));
}
