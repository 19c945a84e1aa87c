import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { describe, expect, it, vi } from 'vitest';
import { CLOUDTRAIL_EVENT_PATTERNS, MAX_PATTERN_LENGTH, cloudTrailEventPatterns } from '../../lib/cloudtrail-pattern.ts';
import { CLOUDTRAIL_READERS } from '#core/detect/watched-sources';
import { detect } from '#core/detect/index';
import { factsFor } from '#core/link/index';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import type { SecurityEvent } from '#core/model/event';
import { replayFiles } from '#adapters/local-replay';
import { readJsonItems } from '#adapters/record-files';
import { loadConfig } from '../../bin/cli/load-config.ts';
import { generateBusyCluster } from '../../bench/generate.ts';
import { corpusFiles, hasCorpus } from '../../eval/corpus.ts';
import { ACCOUNT, assumedRoleIdentity, cloudTrailRecord, webIdentityAssume } from '../fixtures/records.ts';
import { matchesPattern } from '../support/event-pattern.ts';

type Json = Record<string, unknown>;

// Every record a CloudTrail rule fires on while the rule tests below replay, as the test built it.
const { fired } = vi.hoisted(() => ({ fired: [] as { record: Json; rules: string[] }[] }));
vi.mock('#core/detect/index', async (importOriginal) => {
  const stage = await importOriginal<typeof import('#core/detect/index')>();
  return {
    ...stage,
    detect(event: SecurityEvent) {
      const signals = stage.detect(event);
      if (event.source === 'cloudtrail' && signals.length > 0) fired.push({ record: event.raw as Json, rules: signals.map((signal) => signal.rule) });
      return signals;
    },
  };
});

/** The CloudFormation JSON of each pattern, as CDK synthesizes it for an EventBridge rule. */
function synthesized(groups: events.EventPattern[][]): unknown[][] {
  const stack = new Stack(new App(), 'Patterns');
  const rules = groups.map((patterns, group) =>
    patterns.map((eventPattern, index) => new events.Rule(stack, `Group${group}Pattern${index}`, { eventPattern })),
  );
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, { Properties: { EventPattern: unknown } }>;
  return rules.map((group) => group.map((rule) => resources[stack.getLogicalId(rule.node.defaultChild as CfnElement)]!.Properties.EventPattern));
}

const [deployed, ...perReader] = synthesized([CLOUDTRAIL_EVENT_PATTERNS, ...CLOUDTRAIL_READERS.map(({ watch }) => cloudTrailEventPatterns([watch]))]);
const patternsOf = new Map(CLOUDTRAIL_READERS.map(({ reader }, index) => [reader, perReader[index]!]));

/**
 * A CloudTrail record as EventBridge delivers it (EventBridge User Guide, "AWS service events
 * delivered via CloudTrail"): `source` is `aws.` and the service prefix, e.g. aws.iam, aws.sts,
 * aws.signin; console sign-ins have their own detail-type.
 */
function delivered(record: Json): Json {
  const eventSource = String(record.eventSource);
  return {
    version: '0',
    id: randomUUID(),
    'detail-type':
      eventSource === 'signin.amazonaws.com' && record.eventName === 'ConsoleLogin' ? 'AWS Console Sign In via CloudTrail' : 'AWS API Call via CloudTrail',
    source: `aws.${eventSource.replace('.amazonaws.com', '')}`,
    account: record.recipientAccountId ?? ACCOUNT,
    time: record.eventTime,
    region: record.awsRegion ?? 'us-east-1',
    resources: [],
    detail: record,
  };
}

function passes(patterns: unknown[], record: Json): boolean {
  const event = delivered(record);
  return patterns.some((pattern) => matchesPattern(pattern, event));
}

const callOf = (record: Json) => `${String(record.eventSource).replace('.amazonaws.com', '')}:${String(record.eventName)}`;

/** What of the records the rules fired on would not reach them: the deployed patterns, and each rule's own declaration. */
function missed(firings: { record: Json; rules: string[] }[]): string[] {
  return firings.flatMap(({ record, rules }) => [
    ...(passes(deployed!, record) ? [] : [`deployed patterns drop ${callOf(record)}`]),
    ...rules.filter((rule) => !passes(patternsOf.get(rule)!, record)).map((rule) => `${rule} does not declare ${callOf(record)}`),
  ]);
}

function normalized(record: Json): SecurityEvent[] {
  const out = emptyOutput();
  normalizeValue(record, 'line 1', { file: 'test', defaultCluster: 'prod-east' }, out);
  return out.events;
}

describe('the CloudTrail rule tests, replayed to collect what the rules fire on', async () => {
  const suites = join(import.meta.dirname, '../detect');
  for (const name of readdirSync(suites)
    .filter((file) => /cloudtrail.*\.test\.ts$/.test(file))
    .sort())
    await import(join(suites, name));
});

describe('every CloudTrail record a rule fires on passes the deployed patterns and its own declaration', () => {
  it('in the rule tests', () => {
    expect(new Set(fired.flatMap(({ rules }) => rules)).size).toBeGreaterThanOrEqual(15);
    expect(missed(fired)).toEqual([]);
  });

  describe.skipIf(!hasCorpus)('in the labelled corpus', () => {
    for (const { path } of corpusFiles().filter(({ source }) => source === 'cloudtrail')) {
      it(path.split('/').pop()!, () => {
        const firings = readFileSync(path, 'utf8')
          .split('\n')
          .filter((line) => line.trim())
          .flatMap((line) => {
            const { _expected, ...record } = JSON.parse(line) as Json;
            const rules = normalized(record).flatMap((event) => detect(event).map((signal) => signal.rule));
            return rules.length > 0 ? [{ record, rules }] : [];
          });
        expect(missed(firings)).toEqual([]);
      });
    }
  });

  it('every call a reader names, and the catch-alls it declares', () => {
    const dropped: string[] = [];
    const expectPass = (reader: string, record: Json) => {
      if (!passes(patternsOf.get(reader)!, record) || !passes(deployed!, record))
        dropped.push(`${reader}: ${callOf(record)} ${String(record.errorCode ?? '')}`);
    };
    for (const { reader, watch } of CLOUDTRAIL_READERS) {
      for (const call of watch.calls ?? []) {
        const [eventSource, eventName] = call.replace(/\*$/, '20150331v2').split(':');
        expectPass(reader, cloudTrailRecord({ eventSource, eventName }));
      }
      if (watch.writes) expectPass(reader, cloudTrailRecord({ eventSource: 'dynamodb.amazonaws.com', eventName: 'DeleteTable', readOnly: false }));
      for (const errorCode of watch.refusals
        ? ['AccessDenied', 'AccessDeniedException', 'Client.UnauthorizedOperation', 'UnauthorizedOperation', 'VpceAccessDenied', 'ForbiddenException']
        : []) {
        expectPass(reader, cloudTrailRecord({ eventSource: 'dynamodb.amazonaws.com', eventName: 'ListTables', errorCode }));
      }
      if (watch.root)
        expectPass(
          reader,
          cloudTrailRecord({
            eventSource: 'ec2.amazonaws.com',
            eventName: 'DescribeRegions',
            userIdentity: { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT },
          }),
        );
    }
    expect(dropped).toEqual([]);
  });
});

describe('what the identity graph learns from passes', () => {
  const node = assumedRoleIdentity('prod-east-node-role', 'i-0a1b2c3d4e5f60718', 'ASIAEXAMPLENODE00001');
  const nodeIdentity = { ...node, sessionContext: { ...(node.sessionContext as Json), ec2RoleDelivery: '2.0' } };
  const records: Record<string, Json> = {
    'IRSA: AssumeRoleWithWebIdentity': webIdentityAssume({
      time: '2026-11-21T02:25:10Z',
      roleName: 'checkout-irsa',
      namespace: 'payments',
      serviceAccount: 'checkout',
      sessionName: 'botocore-session-1',
      accessKeyId: 'ASIAEXAMPLEATTACK003',
      sourceIp: '203.0.113.10',
    }),
    'Pod Identity: the AssumeRole EKS makes with the pod’s tags': cloudTrailRecord({
      userIdentity: { type: 'AWSService', invokedBy: 'pods.eks.amazonaws.com' },
      eventName: 'AssumeRole',
      sourceIPAddress: 'pods.eks.amazonaws.com',
      requestParameters: {
        roleArn: `arn:aws:iam::${ACCOUNT}:role/checkout-pod-identity`,
        roleSessionName: 'eks-prod-east-checkout-1',
        tags: [
          { key: 'eks-cluster-name', value: 'prod-east' },
          { key: 'kubernetes-namespace', value: 'payments' },
          { key: 'kubernetes-pod-name', value: 'checkout-7d9f8b6c5-x2k4q' },
          { key: 'kubernetes-service-account', value: 'checkout' },
        ],
      },
      responseElements: { credentials: { accessKeyId: 'ASIAEXAMPLEPODID0001', expiration: 'Nov 21, 2026, 8:25:10 AM' } },
    }),
    'Pod Identity: the agent’s exchange with the node’s instance role': cloudTrailRecord({
      userIdentity: nodeIdentity,
      eventSource: 'eks-auth.amazonaws.com',
      eventName: 'AssumeRoleForPodIdentity',
      sourceIPAddress: '203.0.113.10',
      userAgent: 'aws-sdk-go-v2/1.30.3 eks-pod-identity-agent',
      requestParameters: { clusterName: 'prod-east', token: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
    }),
    'instance role: the VPC CNI assigning pod addresses on the node': cloudTrailRecord({
      userIdentity: nodeIdentity,
      eventSource: 'ec2.amazonaws.com',
      eventName: 'AssignPrivateIpAddresses',
      sourceIPAddress: '203.0.113.10',
      readOnly: false,
      requestParameters: { networkInterfaceId: 'eni-0a1b2c3d', secondaryPrivateIpAddressCount: 1 },
    }),
    'a role policy change': cloudTrailRecord({
      eventSource: 'iam.amazonaws.com',
      eventName: 'PutRolePolicy',
      readOnly: false,
      requestParameters: { roleName: 'checkout-irsa', policyName: 'extra' },
    }),
  };

  for (const [what, record] of Object.entries(records)) {
    it(what, () => {
      const learned = normalized(record).flatMap((event) => factsFor(event));
      expect(learned.some((fact) => fact.attrs?.via !== undefined || fact.key.startsWith('egress|') || fact.changes !== undefined)).toBe(true);
      expect(passes(deployed!, record)).toBe(true);
      expect(passes(patternsOf.get('link')!, record)).toBe(true);
    });
  }
});

describe('the read-only traffic of a busy cluster does not pass', () => {
  const app = assumedRoleIdentity('checkout-irsa', 'aws-sdk-js-session-1', 'ASIAEXAMPLEAPP00001');
  const node = assumedRoleIdentity('prod-east-node-role', 'i-0a1b2c3d4e5f60718', 'ASIAEXAMPLENODE00001');
  const controller = assumedRoleIdentity('aws-load-balancer-controller', 'aws-go-sdk-1', 'ASIAEXAMPLECTRL0001');
  const firehose: [Json, string, string][] = [
    [app, 'kms', 'Decrypt'],
    [app, 'kms', 'GenerateDataKey'],
    [app, 'kms', 'Encrypt'],
    [node, 'ec2', 'DescribeInstances'],
    [node, 'ec2', 'DescribeNetworkInterfaces'],
    [node, 'ec2', 'DescribeSubnets'],
    [node, 'ecr', 'GetAuthorizationToken'],
    [node, 'ecr', 'BatchGetImage'],
    [node, 'ecr', 'GetDownloadUrlForLayer'],
    [controller, 'elasticloadbalancing', 'DescribeTargetHealth'],
    [controller, 'autoscaling', 'DescribeAutoScalingGroups'],
    [controller, 'route53', 'ListResourceRecordSets'],
    [controller, 'eks', 'DescribeCluster'],
  ];

  it.each(firehose.map(([identity, service, eventName]) => [`${service}:${eventName}`, identity, service, eventName] as const))(
    '%s',
    (_call, userIdentity, service, eventName) => {
      expect(passes(deployed!, cloudTrailRecord({ userIdentity, eventSource: `${service}.amazonaws.com`, eventName }))).toBe(false);
      // A read that failed for another reason than permissions is still just a read.
      expect(passes(deployed!, cloudTrailRecord({ userIdentity, eventSource: `${service}.amazonaws.com`, eventName, errorCode: 'ThrottlingException' }))).toBe(
        false,
      );
    },
  );

  it('nor KMS calls AWS services make on a role’s behalf', () => {
    const onBehalf = { ...app, invokedBy: 'secretsmanager.amazonaws.com' };
    expect(
      passes(
        deployed!,
        cloudTrailRecord({ userIdentity: onBehalf, eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', sourceIPAddress: 'secretsmanager.amazonaws.com' }),
      ),
    ).toBe(false);
  });

  it('which is most of a generated busy day’s CloudTrail, all of it read-only and unrefused', () => {
    const dropped: Json[] = [];
    let records = 0;
    for (const line of generateBusyCluster({ records: 24 * 4200 })) {
      const record = JSON.parse(line) as Json;
      if (typeof record.eventSource !== 'string') continue;
      records++;
      if (!passes(deployed!, record)) dropped.push(record);
    }
    expect(records).toBeGreaterThan(15_000);
    expect(dropped.length / records).toBeGreaterThan(0.5);
    expect(dropped.filter((record) => record.readOnly !== true || record.errorCode !== undefined)).toEqual([]);
  }, 60_000);
});

describe('the seed scenario through the deployed patterns', () => {
  it('tells the same incidents from the CloudTrail records the patterns forward', async () => {
    const example = join(import.meta.dirname, '../../examples/seed-scenario');
    const records: { record: Json; source: string }[] = [];
    for (const name of readdirSync(join(example, 'records')).sort()) {
      const file = join(example, 'records', name);
      for await (const items of readJsonItems(file)) {
        for (const item of items) {
          if ('error' in item) throw new Error(item.error);
          const out = emptyOutput();
          normalizeValue(item.value, item.where, { file, defaultCluster: 'prod-east' }, out);
          records.push(...out.events.map((event) => ({ record: event.raw as Json, source: event.source })));
        }
      }
    }
    const forwarded = records.filter(({ record, source }) => source !== 'cloudtrail' || passes(deployed!, record));
    expect(forwarded.length).toBeLessThan(records.length);

    const config = await loadConfig(join(example, 'pivotguard.yaml'));
    const dir = await mkdtemp(join(tmpdir(), 'pivotguard-patterns-'));
    const replay = async (name: string, kept: typeof records) => {
      const path = join(dir, name);
      await writeFile(path, kept.map(({ record }) => JSON.stringify(record)).join('\n'));
      return (await replayFiles([path], { config, cluster: 'prod-east' })).incidents;
    };
    const all = await replay('all.jsonl', records);
    expect(all).toHaveLength(1);
    expect(await replay('forwarded.jsonl', forwarded)).toEqual(all);
  });
});

describe('the deployed CloudTrail patterns', () => {
  it('each fit in EventBridge’s limit, as CloudFormation receives them', () => {
    expect(deployed!.length).toBeGreaterThan(0);
    for (const pattern of deployed!) expect(JSON.stringify(pattern).length).toBeLessThanOrEqual(MAX_PATTERN_LENGTH);
  });

  it('use prefixes only for families of changes, never for reads', () => {
    const prefixes = JSON.stringify(deployed).match(/"prefix":"[^"]*"/g) ?? [];
    expect(prefixes.length).toBeGreaterThan(0);
    expect(prefixes.filter((prefix) => /"prefix":"(Get|List|Describe|Batch|Search|Lookup|Decrypt)/.test(prefix))).toEqual([]);
  });

  it('split a declaration longer than one pattern can hold into several rules that still pass all of it', () => {
    const calls = Array.from({ length: 400 }, (_, index) => `ec2.amazonaws.com:CreateExampleResourceNumber${index}`);
    const [patterns] = synthesized([cloudTrailEventPatterns([{ calls, writes: true }])]);
    expect(patterns!.length).toBeGreaterThan(1);
    for (const pattern of patterns!) expect(JSON.stringify(pattern).length).toBeLessThanOrEqual(MAX_PATTERN_LENGTH);
    for (const call of calls) expect(passes(patterns!, cloudTrailRecord({ eventSource: 'ec2.amazonaws.com', eventName: call.split(':')[1] }))).toBe(true);
  });
});
