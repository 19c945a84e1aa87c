import { RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CLOUDTRAIL_EVENT_PATTERNS } from '../../lib/event-patterns.ts';
import { synthPivotGuard, logicalId } from './synth.ts';

const { stack, pivotGuard, template } = synthPivotGuard({
  clusters: ['prod-east', 'staging'],
  alertEmails: ['security@example.com', 'oncall@example.com'],
  config: { windowHours: 12, namespaces: { payments: 'critical' } },
});
const keyArn = { 'Fn::GetAtt': [logicalId(pivotGuard.key), 'Arn'] };
const queueArn = { 'Fn::GetAtt': [logicalId(pivotGuard.queue), 'Arn'] };
const deadLetterQueueArn = { 'Fn::GetAtt': [logicalId(pivotGuard.deadLetterQueue), 'Arn'] };
const topicRef = { Ref: logicalId(pivotGuard.topic) };

describe('PivotGuard ingest rules', () => {
  const rules = template.findResources('AWS::Events::Rule');
  const patternOf = (id: string) => rules[id]!.Properties.EventPattern as Record<string, unknown>;
  const cloudTrailRules = Object.keys(rules).filter(
    (id) => JSON.stringify(patternOf(id)['detail-type']).includes('CloudTrail') && !rules[id]!.Properties.EventBusName,
  );

  // What each pattern lets through is decided by evaluating it against real event shapes:
  // test/infra/guardduty-pattern.test.ts and test/infra/cloudtrail-pattern.test.ts.
  it('has one rule for GuardDuty, one per CloudTrail pattern, and one for events forwarded from other regions', () => {
    expect(
      Object.values(rules).filter((rule) => JSON.stringify(rule.Properties.EventPattern).includes('GuardDuty Finding') && !rule.Properties.EventBusName),
    ).toHaveLength(1);
    expect(cloudTrailRules).toHaveLength(CLOUDTRAIL_EVENT_PATTERNS.length);
    expect(Object.values(rules).filter((rule) => rule.Properties.EventBusName)).toHaveLength(1);
  });

  it('reads read-only CloudTrail management events too (AssumeRoleWithWebIdentity, GetSecretValue)', () => {
    for (const id of cloudTrailRules) expect(rules[id]!.Properties.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
  });

  it('keeps every pattern within the 2048 characters EventBridge allows by default', () => {
    for (const id of Object.keys(rules)) expect(JSON.stringify(patternOf(id)).length).toBeLessThanOrEqual(2048);
  });

  it('delivers every rule to the queue, retrying for a day and parking what it cannot deliver in the dead-letter queue', () => {
    for (const rule of Object.values(rules)) {
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: queueArn,
          DeadLetterConfig: { Arn: deadLetterQueueArn },
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
        }),
      ]);
    }
  });
});

describe('PivotGuard audit log subscriptions', () => {
  it('subscribes the forwarder to the audit events of each cluster log group', () => {
    const filters = template.findResources('AWS::Logs::SubscriptionFilter');
    expect(
      Object.values(filters)
        .map((filter) => filter.Properties.LogGroupName)
        .sort(),
    ).toEqual(['/aws/eks/prod-east/cluster', '/aws/eks/staging/cluster']);
    for (const filter of Object.values(filters)) {
      expect(filter.Properties).toMatchObject({
        DestinationArn: { 'Fn::GetAtt': [logicalId(pivotGuard.forwarder), 'Arn'] },
        FilterPattern: '{ ($.kind = "Event") && ($.apiVersion = "audit.k8s.io/v1") }',
      });
    }
  });

  it('creates each subscription only once CloudWatch Logs may invoke the forwarder for it', () => {
    const permissions = template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'logs.amazonaws.com' } });
    for (const filter of Object.values(template.findResources('AWS::Logs::SubscriptionFilter'))) {
      expect(filter.DependsOn?.some((id: string) => id in permissions)).toBe(true);
    }
  });
});

describe('PivotGuard queues', () => {
  it('encrypts the queue with the key, requires TLS, and parks a record after five failed receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: keyArn,
      RedrivePolicy: { deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount: 5 },
      // 6 × the analyzer's 60 s timeout + its 3 s batching window
      VisibilityTimeout: 363,
    });
  });

  it("keeps records and dead letters for 14 days, SQS's longest, encrypted with the key", () => {
    const queues = Object.values(template.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(2);
    for (const queue of queues) expect(queue.Properties).toMatchObject({ KmsMasterKeyId: keyArn, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  it('denies plain-HTTP access to both queues', () => {
    for (const queue of [pivotGuard.queue, pivotGuard.deadLetterQueue]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: logicalId(queue) }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
        },
      });
    }
  });
});

describe('PivotGuard alarms', () => {
  it('alerts when anything waits in the dead-letter queue', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(pivotGuard.deadLetterQueue), 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      AlarmActions: [topicRef],
    });
  });

  it('alerts when the oldest queued record is older than 15 minutes', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(pivotGuard.queue), 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 900,
      AlarmActions: [topicRef],
    });
  });

  it('alerts when EventBridge cannot deliver to the queue, per rule', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { Namespace: 'AWS/Events', MetricName: 'FailedInvocations', AlarmActions: [topicRef] },
    });
    expect(Object.keys(alarms)).toHaveLength(Object.keys(template.findResources('AWS::Events::Rule')).length);
  });
  // That the alarms may publish to the encrypted topic is decided in test/infra/aws-decisions.test.ts.
});

describe('PivotGuard state', () => {
  it('keeps the state table on demand, with TTL on expiresAt, point-in-time recovery and the key', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
    });
  });

  it('keeps idempotency records by id, expiring on expiration, with point-in-time recovery and the key', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
    });
  });

  it('retains the state table and the key by default, and deletes them when told to', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }),
      DeletionPolicy: 'Retain',
    });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    const disposable = synthPivotGuard({ removalPolicy: RemovalPolicy.DESTROY }).template;
    disposable.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }),
      DeletionPolicy: 'Delete',
    });
    disposable.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  it('rotates the key and lets CloudWatch Logs use it only for log groups of this account and region', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:*']],
                },
              },
            },
          }),
        ]),
      },
    });
  });
});

describe('PivotGuard functions', () => {
  const functions = template.findResources('AWS::Lambda::Function');
  const analyzer = functions[logicalId(pivotGuard.analyzer)]!.Properties;
  const forwarder = functions[logicalId(pivotGuard.forwarder)]!.Properties;

  it('are the analyzer, the forwarder, the containment and undo functions and the approval page, all Node.js 22 on arm64 with active tracing', () => {
    expect(Object.keys(functions)).toHaveLength(5);
    for (const fn of Object.values(functions).map((resource) => resource.Properties)) {
      expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], Handler: 'index.handler', TracingConfig: { Mode: 'Active' } });
    }
  });

  const configParameter = Object.entries(template.findResources('AWS::SSM::Parameter'))[0]!;

  it('give the analyzer everything it needs in its environment', () => {
    expect(analyzer.Environment.Variables).toEqual({
      TABLE_NAME: { Ref: logicalId(pivotGuard.table) },
      IDEMPOTENCY_TABLE_NAME: { Ref: logicalId(pivotGuard.idempotencyTable) },
      ALERT_TOPIC_ARN: topicRef,
      EVENT_BUS_NAME: { Ref: logicalId(pivotGuard.bus) },
      DEAD_LETTER_QUEUE_URL: { Ref: logicalId(pivotGuard.deadLetterQueue) },
      PIVOTGUARD_CONFIG_PARAMETER: { Ref: configParameter[0] },
      PIVOTGUARD_CONFIG_SHA256: createHash('sha256').update(configParameter[1].Properties.Value).digest('hex'),
      POWERTOOLS_SERVICE_NAME: 'pivotguard',
      POWERTOOLS_METRICS_NAMESPACE: 'pivotguard',
      ANALYZER_ROLE_ARN: { 'Fn::GetAtt': [logicalId(pivotGuard.analyzer.role!), 'Arn'] },
      CONTAINMENT_STATE_MACHINE_ARN: { Ref: logicalId(pivotGuard.stateMachine!) },
      APPROVAL_URL: { 'Fn::GetAtt': [expect.stringMatching(/^PivotGuardContainmentApprovalPage.*FunctionUrl/), 'FunctionUrl'] },
    });
  });

  it('export nothing to Security Hub unless asked', () => {
    expect(analyzer.Environment.Variables.SECURITY_HUB).toBeUndefined();
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).not.toContain('securityhub:');
  });

  it('keep the configuration as written in one parameter, an empty document when none is given', () => {
    expect(JSON.parse(configParameter[1].Properties.Value)).toEqual({ windowHours: 12, namespaces: { payments: 'critical' } });
    const plain = synthPivotGuard().template;
    expect(Object.values(plain.findResources('AWS::SSM::Parameter'))[0]!.Properties).toMatchObject({ Value: '{}', Tier: 'Standard' });
  });

  it('move a configuration beyond 4 KB to the advanced tier, and refuse one beyond its 8 KB', () => {
    const suppressions = (count: number) =>
      Array.from({ length: count }, (_, index) => ({
        rule: 'eks-audit.exec-into-pod',
        namespace: `team-${index}`,
        reason: 'the nightly debug job',
        owner: 'platform',
        expires: '2027-01-31',
      }));
    const large = synthPivotGuard({ config: { suppressions: suppressions(40) } }).template;
    expect(Object.values(large.findResources('AWS::SSM::Parameter'))[0]!.Properties.Tier).toBe('Advanced');
    expect(() => synthPivotGuard({ config: { suppressions: suppressions(200) } })).toThrow(/holds at most 8192/);
  });

  it('let the analyzer and the containment function, and nothing else, read the configuration', () => {
    const readers = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('ssm:GetParameter'),
    );
    expect(readers.map((policy) => policy.Properties.Roles[0].Ref).sort()).toEqual(
      [logicalId(pivotGuard.analyzer.role!), logicalId(pivotGuard.containmentFunction!.role!)].sort(),
    );
  });

  it('bound concurrency: the analyzer reads at most 5 batches at once, containment and the public page have reserved concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { EventSourceArn: queueArn, ScalingConfig: { MaximumConcurrency: 5 } });
    expect(functions[logicalId(pivotGuard.containmentFunction!)]!.Properties.ReservedConcurrentExecutions).toBe(10);
    const page = Object.entries(functions).find(([id]) => id.includes('ApprovalPage'))![1];
    expect(page.Properties.ReservedConcurrentExecutions).toBe(5);
  });

  it('give the forwarder the queue URL and park its failed invocations in the dead-letter queue', () => {
    expect(forwarder.Environment.Variables).toEqual({ QUEUE_URL: { Ref: logicalId(pivotGuard.queue) } });
    expect(forwarder.DeadLetterConfig).toEqual({ TargetArn: deadLetterQueueArn });
  });

  it('feed the analyzer batches of up to 100 records within 10 seconds, reporting failures per record', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: queueArn,
      FunctionName: { Ref: logicalId(pivotGuard.analyzer) },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 3,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('log each function and the containment workflow to its own encrypted log group, kept one year by default', () => {
    const groups = template.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(groups)).toHaveLength(6);
    for (const fn of Object.values(functions).map((resource) => resource.Properties)) {
      expect(groups[fn.LoggingConfig.LogGroup.Ref]).toBeDefined();
    }
    for (const group of Object.values(groups)) {
      expect(group.Properties).toMatchObject({ RetentionInDays: 365, KmsKeyId: keyArn });
    }
    const shortLived = synthPivotGuard({ logRetention: logs.RetentionDays.ONE_WEEK }).template;
    shortLived.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  });
});

describe('PivotGuard alerting', () => {
  it('encrypts the topic with the key and denies publishing without TLS', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [topicRef],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('subscribes each alert address by email', () => {
    const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription')).map((s) => s.Properties);
    expect(subscriptions).toEqual([
      { Protocol: 'email', Endpoint: 'security@example.com', TopicArn: topicRef },
      { Protocol: 'email', Endpoint: 'oncall@example.com', TopicArn: topicRef },
    ]);
  });

  it('publishes incidents on a custom event bus named pivotguard', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'pivotguard' });
    expect(stack.resolve(pivotGuard.bus.eventBusName)).toEqual({ Ref: logicalId(pivotGuard.bus) });
  });
});

describe('PivotGuard props', () => {
  it('refuses to be built without a cluster', () => {
    expect(() => synthPivotGuard({ clusters: [] })).toThrow(/at least one EKS cluster/);
  });

  it('refuses a cluster name EKS would not accept', () => {
    expect(() => synthPivotGuard({ clusters: ['prod east'] })).toThrow(/clusters: "prod east" is not an EKS cluster name/);
  });

  it('refuses an alert address that is not an email address', () => {
    expect(() => synthPivotGuard({ alertEmails: ['security'] })).toThrow(/alertEmails: "security" is not an email address/);
  });

  it('refuses a configuration the analyzer would reject, naming the field', () => {
    expect(() => synthPivotGuard({ config: { windowHours: -1 } })).toThrow(/^config: windowHours: /);
  });
});
