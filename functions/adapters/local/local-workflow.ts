/**
 * The containment state machine as CloudFormation will create it, executed locally: the
 * definition is taken from the synthesized template (not a hand-written copy) and run by
 * aws-local-stepfunctions, with each Task state mapped to a local handler. The tests and
 * `pivotguard replay --contain` both run it this way.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Template } from 'aws-cdk-lib/assertions';
import { StateMachine } from 'aws-local-stepfunctions';
import { ContainmentWorkflow } from '../../../lib/containment-workflow.ts';
import type { WorkflowDecisions } from '../approval/workflow-decisions.ts';

// Node 20 lacks Promise.withResolvers, which the interpreter uses.
const promise = Promise as unknown as { withResolvers?: () => unknown };
promise.withResolvers ??= () => {
  let resolve!: (value: unknown) => void;
  let reject!: (reason: unknown) => void;
  const created = new Promise((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise: created, resolve, reject };
};

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

export type TaskHandler = (input: Record<string, unknown>) => Promise<unknown>;

export interface ExecuteOptions {
  /** The execution's name (`$$.Execution.Name`), as the analyzer would start it. */
  execution?: string;
  taskToken?: string;
}

/** Runs the definition with every Task state answered by `handlers[stateName]`. */
export async function execute(definition: Record<string, unknown>, input: unknown, handlers: Record<string, TaskHandler>, options: ExecuteOptions = {}): Promise<unknown> {
  const machine = new StateMachine(definition as never, { validationOptions: { checkPaths: false, checkArn: false } } as never);
  const execution = machine.run(input as never, {
    // Step Functions hands a waiting task its token, and every state the execution's name, in the context object.
    context: { Execution: { Name: options.execution ?? 'local-execution' }, Task: { Token: options.taskToken ?? 'task-token-1' } },
    overrides: {
      taskResourceLocalHandlers: handlers as never,
      retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((name) => [name, 0])),
    },
  } as never);
  return execution.result;
}

/** Every Task state of a definition, in nested Map processors too. */
export function taskStates(definition: Record<string, unknown>): string[] {
  const names: string[] = [];
  const walk = (states: Record<string, Record<string, unknown>>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') names.push(name);
      const processor = (state.ItemProcessor ?? state.Iterator) as { States?: Record<string, Record<string, unknown>> } | undefined;
      if (processor?.States) walk(processor.States);
    }
  };
  walk(definition.States as Record<string, Record<string, unknown>>);
  return names;
}

/**
 * Step Functions' waitForTaskToken, locally: the waiting task runs its step, then parks until a
 * decision for its token arrives through `decisions`, as SendTaskSuccess or SendTaskFailure
 * would deliver it. `onWaiting` runs once the wait is parked (a person deciding at once).
 */
export function approvalWait(runStep: TaskHandler, onWaiting: (taskToken: string) => Promise<void> | void = () => {}) {
  const parked = new Map<string, { resolve: (output: unknown) => void; reject: (error: Error) => void }>();
  const failWith = (token: string, name: string, message: string) => parked.get(token)?.reject(Object.assign(new Error(message), { name }));
  const decisions: WorkflowDecisions = {
    approve: async (token, decision) => parked.get(token)?.resolve({ decision: 'approved', ...decision }),
    reject: async (token, decision) => failWith(token, 'Rejected', `rejected by ${decision.by}`),
  };
  const handler: TaskHandler = async (input) => {
    // A waitForTaskToken state invokes Lambda with { FunctionName, Payload }.
    const payload = input.Payload as Record<string, unknown>;
    await runStep(payload);
    const token = payload.taskToken as string;
    const decided = new Promise((resolve, reject) => parked.set(token, { resolve, reject }));
    await onWaiting(token);
    return decided;
  };
  return {
    handler,
    decisions,
    /** The tokens of the waits parked so far. */
    tokens: () => [...parked.keys()],
    timeOut: (token: string) => failWith(token, 'States.Timeout', 'approval wait timed out'),
  };
}
