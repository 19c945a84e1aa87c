import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import { FORWARDED_EVENTS_PATTERN, INSPECTOR_FINDINGS_PATTERN } from '../../lib/event-patterns.ts';
import { RegionForwarderStack } from '../../lib/region-forwarder.ts';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { matchesPattern } from '../support/event-pattern.ts';
import { XZ_FINDING, inspectorFindingEvent, type InspectorFindingInput } from '../fixtures/scenarios/inspector.ts';

/** A pattern as CloudFormation receives it (`detailType` rendered as `detail-type`). */
function rendered(eventPattern: events.EventPattern): Record<string, unknown> {
  const stack = new Stack(new App(), 'Pattern');
  new events.Rule(stack, 'Rule', { eventPattern });
  const [rule] = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
  return rule!.Properties.EventPattern as Record<string, unknown>;
}

const pattern = rendered(INSPECTOR_FINDINGS_PATTERN);
const delivered = (event: unknown) => matchesPattern(pattern, event);

// biome-ignore lint/suspicious/noExplicitAny: records in AWS's formats, changed at deep paths that each test names
type Loose = any;

const FINDING: InspectorFindingInput = { ...XZ_FINDING, digest: `sha256:${'ab12'.repeat(16)}` };

type Json = Record<string, Loose>;

/** The same event with its finding changed as Inspector writes other kinds (User Guide's EC2, Lambda and network examples). */
function variant(change: (detail: Json) => void): Json {
  const event = inspectorFindingEvent(FINDING) as Json;
  change(event.detail);
  return event;
}

const ec2Package = variant((detail) => {
  detail.resources = [{ type: 'AWS_EC2_INSTANCE', id: 'i-0123456789abcdef0', details: { awsEc2Instance: { imageId: 'ami-02ff980600c693b38' } } }];
});
const ec2Network = variant((detail) => {
  detail.type = 'NETWORK_REACHABILITY';
  detail.packageVulnerabilityDetails = undefined;
  detail.resources = [{ type: 'AWS_EC2_INSTANCE', id: 'i-0123456789abcdef0', details: { awsEc2Instance: {} } }];
});
const lambdaPackage = variant((detail) => {
  detail.resources = [{ type: 'AWS_LAMBDA_FUNCTION', id: 'arn:aws:lambda:us-east-1:111122223333:function:f', details: { awsLambdaFunction: {} } }];
});
const lambdaCode = variant((detail) => {
  detail.type = 'CODE_VULNERABILITY';
});
const scanComplete = {
  version: '0',
  id: '739c0d3c-4f02-85c7-5a88-94a9b2c3d4e5',
  'detail-type': 'Inspector2 Scan',
  source: 'aws.inspector2',
  account: '111122223333',
  time: '2026-11-20T16:00:05Z',
  region: 'us-east-1',
  resources: ['arn:aws:ecr:us-east-1:111122223333:repository/shop/checkout'],
  detail: {
    'scan-status': 'INITIAL_SCAN_COMPLETE',
    'repository-name': 'arn:aws:ecr:us-east-1:111122223333:repository/shop/checkout',
    'image-digest': FINDING.digest,
  },
};

describe('the Inspector findings rule', () => {
  it.each([
    ['a new package vulnerability on an ECR image', inspectorFindingEvent(FINDING)],
    ['the same finding closed', inspectorFindingEvent({ ...FINDING, status: 'CLOSED', updatedAt: '2026-11-22T09:00:00Z' })],
    ['a suppressed finding', inspectorFindingEvent({ ...FINDING, status: 'SUPPRESSED' })],
  ])('delivers %s', (_, event) => {
    expect(delivered(event)).toBe(true);
  });

  it.each([
    ['a package vulnerability on an EC2 instance', ec2Package],
    ['a network reachability finding', ec2Network],
    ['a package vulnerability in a Lambda function', lambdaPackage],
    ['a code vulnerability', lambdaCode],
    ['the scan-complete event with counts only', scanComplete],
  ])('leaves out %s', (_, event) => {
    expect(delivered(event)).toBe(false);
  });

  it('delivers exactly what the normalizer reads: what it leaves out would be set aside as unsupported', () => {
    const normalized = (event: unknown) => {
      const out = emptyOutput();
      normalizeValue(event, 'body', { file: 'sqs', now: Date.parse('2026-11-23T00:00:00Z') }, out);
      return out;
    };
    expect(normalized(inspectorFindingEvent(FINDING))).toMatchObject({ events: [expect.objectContaining({ source: 'inspector' })], rejected: [] });
    for (const event of [ec2Package, ec2Network, lambdaPackage, lambdaCode, scanComplete]) {
      expect(normalized(event).rejected).toEqual([expect.objectContaining({ code: 'unsupported-format' })]);
    }
  });

  it('has forwarders in other regions send the findings, and pivotguard’s bus take them', () => {
    const forwarder = new RegionForwarderStack(new App(), 'Forwarder', {
      env: { account: '111122223333', region: 'eu-west-1' },
      pivotGuardRegion: 'us-east-1',
    });
    const patterns = Object.values(Template.fromStack(forwarder).findResources('AWS::Events::Rule')).map((rule) => rule.Properties.EventPattern);
    expect(patterns.filter((forwarded) => matchesPattern(forwarded, inspectorFindingEvent(FINDING)))).toHaveLength(1);
    expect(matchesPattern(rendered(FORWARDED_EVENTS_PATTERN), inspectorFindingEvent(FINDING))).toBe(true);
  });
});
