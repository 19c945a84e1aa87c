import { Stack, Validations, type App } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
// cdk-nag's own rendering of a resource ARN in a finding ID, so the IDs below match its findings.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';
import type { HandlerFunction } from './function.ts';

/**
 * Runs the cdk-nag AwsSolutions checks on every stack of the app during synthesis; a finding
 * stops `cdk synth` and `cdk deploy`. Acknowledged findings are also written into the template
 * metadata (`cdk_nag.rules_to_suppress`) so that reviewers of the template see them.
 */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
}

export interface NagScopes {
  readonly analyzer: HandlerFunction;
  readonly forwarder: HandlerFunction;
  /** Resource ARNs with a wildcard the analyzer reads from (unknown role and association names). */
  readonly analyzerWildcardResources: readonly string[];
}

/**
 * The AwsSolutions findings pivotguard accepts. Each is acknowledged on the one resource it
 * concerns, for the one finding (`RuleId[Finding]`), with the reason it is acceptable.
 */
export function acknowledgeNagFindings(scopes: NagScopes): void {
  for (const handler of [scopes.analyzer, scopes.forwarder]) {
    acknowledge(
      handler.function.node.defaultChild!,
      'AwsSolutions-L1',
      'The handlers are bundled for (esbuild target node22) and tested on nodejs22.x; a runtime upgrade is a deliberate, tested change.',
    );
    const policy = defaultPolicyOf(handler.role);
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      "CDK's grants for the encrypted queue, topic and tables; the statement is limited to pivotguard's own key.",
    );
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Action::kms:ReEncrypt*]',
      "CDK's grants for the encrypted queue and tables; the statement is limited to pivotguard's own key.",
    );
  }
  acknowledge(
    defaultPolicyOf(scopes.forwarder.role),
    'AwsSolutions-IAM5[Resource::*]',
    'Only X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords), which supports no resource-level permissions.',
  );
  const analyzerPolicy = defaultPolicyOf(scopes.analyzer.role);
  acknowledge(
    analyzerPolicy,
    'AwsSolutions-IAM5[Resource::*]',
    'Only X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) and the read-only cloudtrail:LookupEvents, none of which supports resource-level permissions.',
  );
  const stack = Stack.of(scopes.analyzer);
  for (const arn of scopes.analyzerWildcardResources) {
    acknowledge(
      analyzerPolicy,
      `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(arn))}]`,
      arn.includes(':role/')
        ? 'Read-only IAM calls (list and get role policies) on roles of this account: the role a compromised pod uses is only known when the incident happens.'
        : 'Read-only eks:DescribePodIdentityAssociation on the associations of one configured cluster; EKS assigns association IDs after deployment.',
    );
  }
}

function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

function defaultPolicyOf(role: iam.Role): IConstruct {
  return role.node.findChild('DefaultPolicy');
}
