import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.ts';
import { NO_BUNDLING } from './synth.ts';

// cdk-nag 3 is a policy validation plugin: findings surface when the app synthesizes (and fail
// it), not as construct annotations. validateScope runs the same checks without synthesizing.
// The first synthesis in a worker also starts CDK's built-in template validator, which is slow.
const SYNTH_TIMEOUT = { timeout: 60_000 };
function build() {
  return buildApp({ ...NO_BUNDLING, clusters: 'prod-east,staging', alertEmail: 'security@example.com' });
}

describe('cdk-nag AwsSolutions checks', () => {
  it('find nothing unacknowledged in the deployable app', () => {
    const { app } = build();
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((violation) => `${violation.ruleName} ${violation.violatingResources.map((r) => r.constructPath)}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('let the app synthesize with the checks registered, and leave no error annotations', SYNTH_TIMEOUT, () => {
    const { app, stack } = build();
    expect(() => app.synth()).not.toThrow();
    expect(Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  it('still catch a finding on anything pivotguard did not acknowledge', SYNTH_TIMEOUT, () => {
    const { app, stack } = build();
    new sqs.Queue(stack, 'Unrelated');
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });

  it('record every acknowledgment in the template with a reason', SYNTH_TIMEOUT, () => {
    const { app, stack } = build();
    app.synth();
    const template = Template.fromStack(stack).toJSON() as {
      Resources: Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } }>;
    };
    // The Control Tower acknowledgments are checked with their own validator (control-tower.test.ts).
    const acknowledged = Object.entries(template.Resources)
      .flatMap(([resource, { Metadata }]) => (Metadata?.cdk_nag?.rules_to_suppress ?? []).map((rule) => ({ resource, ...rule })))
      .filter(({ id }) => id.startsWith('AwsSolutions-'));
    for (const { reason } of acknowledged) expect(reason.trim().length).toBeGreaterThan(20);
    expect([...new Set(acknowledged.map(({ id }) => id))].sort()).toEqual([
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      'AwsSolutions-IAM5[Resource::*]',
      // The containment function writes evidence objects; the workflow invokes that function (CDK's grant).
      'AwsSolutions-IAM5[Resource::<PivotGuardContainmentEvidenceBucketCFF17B34.Arn>/*]',
      'AwsSolutions-IAM5[Resource::<PivotGuardContainmentFunction3A718489.Arn>:*]',
      // The analyzer reads ECR scan results of the account's repositories: an incident's image is known only then.
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:<AWS::Region>:<AWS::AccountId>:podidentityassociation/prod-east/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:<AWS::Region>:<AWS::AccountId>:podidentityassociation/staging/*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/*]',
      // The containment function describes its own workflow's executions (named per incident).
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:PivotGuard-Containment-Workflow-D996FD5F:*]',
      'AwsSolutions-L1',
      'AwsSolutions-SMG4',
    ]);
    // Each acknowledgment sits on the resource it is about: the roles' policies, the functions and the approval secret.
    const types = new Set(acknowledged.map(({ resource }) => (template.Resources[resource] as { Type: string }).Type));
    expect([...types].sort()).toEqual(['AWS::IAM::Policy', 'AWS::Lambda::Function', 'AWS::SecretsManager::Secret']);
  });
});
