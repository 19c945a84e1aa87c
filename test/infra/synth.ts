/**
 * Builds PivotGuard into a throwaway app for template assertions. Bundling is skipped
 * (`aws:cdk:bundling-stacks: []` makes NodejsFunction use a placeholder asset): only the one
 * bundling test pays for esbuild.
 */
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PivotGuard, type PivotGuardProps } from '../../lib/pivot-guard.ts';

export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

export interface Synthesized {
  readonly app: App;
  readonly stack: Stack;
  readonly pivotGuard: PivotGuard;
  readonly template: Template;
}

export function synthPivotGuard(props: Partial<PivotGuardProps> = {}): Synthesized {
  const app = new App({ context: NO_BUNDLING });
  const stack = new Stack(app, 'Test');
  const pivotGuard = new PivotGuard(stack, 'PivotGuard', { clusters: ['prod-east'], ...props });
  return { app, stack, pivotGuard, template: Template.fromStack(stack) };
}

/** The logical ID CloudFormation gives a construct's resource, for matching `Ref`/`Fn::GetAtt`. */
export function logicalId(construct: { node: { defaultChild?: unknown } }): string {
  const resource = construct.node.defaultChild as CfnElement;
  return resource.stack.getLogicalId(resource);
}

export interface PolicyStatementJson {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Sid?: string;
}

/** Every statement of every IAM policy (standalone, inline in a role, or managed) in the template. */
export function iamStatements(template: Template): { policy: string; statement: PolicyStatementJson }[] {
  const found: { policy: string; statement: PolicyStatementJson }[] = [];
  const add = (policy: string, document: { Statement: PolicyStatementJson[] } | undefined) => {
    for (const statement of document?.Statement ?? []) found.push({ policy, statement });
  };
  for (const [id, resource] of Object.entries(template.findResources('AWS::IAM::Policy'))) add(id, resource.Properties.PolicyDocument);
  for (const [id, resource] of Object.entries(template.findResources('AWS::IAM::ManagedPolicy'))) add(id, resource.Properties.PolicyDocument);
  for (const [id, resource] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const inline of resource.Properties.Policies ?? []) add(`${id}/${inline.PolicyName}`, inline.PolicyDocument);
  }
  return found;
}

export function actionsOf(statement: PolicyStatementJson): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: PolicyStatementJson): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}
