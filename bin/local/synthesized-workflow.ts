/**
 * The containment state machine as CloudFormation will create it: the definition is taken from
 * the synthesized template (not a hand-written copy), for local runs by aws-local-stepfunctions
 * (functions/adapters/local/state-machine-runner.ts). Local tooling, not Lambda code: it needs the
 * CDK and the stack's construct, which the functions never import.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Template } from 'aws-cdk-lib/assertions';
import { ContainmentWorkflow } from '../../lib/containment-workflow.ts';

/** The synthesized Amazon States Language, with CloudFormation references replaced by placeholders. */
export function synthesizedDefinition(): Record<string, unknown> {
  const app = new App();
  const stack = new Stack(app, 'Workflow');
  const key = new kms.Key(stack, 'Key');
  const handler = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  new ContainmentWorkflow(stack, 'Containment', { handler, key, logRetention: logs.RetentionDays.ONE_MONTH });
  const machines = Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine');
  const definition = Object.values(machines)[0]!.Properties.DefinitionString as unknown;
  return JSON.parse(flatten(definition)) as Record<string, unknown>;
}

function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map((part) => (typeof part === 'string' ? part : 'arn:aws:lambda:us-east-1:111122223333:function:containment')).join(join[0]);
  throw new Error(`unexpected definition shape: ${JSON.stringify(value).slice(0, 80)}`);
}
