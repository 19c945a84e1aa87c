import type { Tracer } from '@aws-lambda-powertools/tracer';
import { SFNClient } from '@aws-sdk/client-sfn';
import { StepFunctionsStarter } from '#adapters/containment/workflow-starter';

/** Starts containment executions; analyzer.ts loads this module when an incident first reaches the threshold. */
export function stepFunctionsStarter(tracer: Tracer, stateMachineArn: string, approvalUrl: string): StepFunctionsStarter {
  return new StepFunctionsStarter(tracer.captureAWSv3Client(new SFNClient({})), stateMachineArn, approvalUrl);
}
