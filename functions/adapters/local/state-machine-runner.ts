/**
 * Runs an Amazon States Language definition locally with aws-local-stepfunctions, each Task
 * state answered by a local handler, and Step Functions' waitForTaskToken played locally. Kept
 * apart from the synthesis so that running a prebuilt definition loads no CDK.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import {
  type DescribedExecution,
  type ExecutionCheck,
  type ExecutionClaim,
  type ExecutionVerifier,
  checkClaim,
  checkExecution,
} from '#core/respond/execution-check';
import type { WorkflowDecisions } from '../approval/workflow-decisions.ts';

// The interpreter uses Promise.withResolvers (Node 22, as package.json asks); Node 20, past end of life but still on some machines, gets it here.
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

export type TaskHandler = (input: Record<string, unknown>) => Promise<unknown>;

/** The state machine local runs execute as, in the ARN form Step Functions gives `$$.Execution.Id`. */
export const LOCAL_STATE_MACHINE_ARN = 'arn:aws:states:local-1:000000000000:stateMachine:pivotguard-local';

/**
 * The executions this runner started, described as Step Functions would: the containment steps
 * check theirs here as the deployed function checks with DescribeExecution.
 */
export class LocalExecutions implements ExecutionVerifier {
  private readonly executions = new Map<string, DescribedExecution>();

  constructor(readonly stateMachineArn = LOCAL_STATE_MACHINE_ARN) {}

  /** `$$.Execution.Id` of the execution named `name`. */
  arnOf(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  started(name: string, input: unknown): string {
    const executionArn = this.arnOf(name);
    this.executions.set(executionArn, { stateMachineArn: this.stateMachineArn, status: 'RUNNING', input: JSON.stringify(input) });
    return executionArn;
  }

  finished(executionArn: string, status: 'SUCCEEDED' | 'FAILED'): void {
    const execution = this.executions.get(executionArn);
    if (execution) this.executions.set(executionArn, { ...execution, status });
  }

  async verify(claim: ExecutionClaim): Promise<ExecutionCheck> {
    const claimed = checkClaim(claim, this.stateMachineArn);
    if (!claimed.ok || !claim.executionArn) return claimed;
    return checkExecution(claim, this.stateMachineArn, this.executions.get(claim.executionArn));
  }
}

export interface ExecuteOptions {
  /** The execution's name (`$$.Execution.Name`), as the analyzer would start it. */
  execution?: string;
  /** `$$.Execution.StartTime`: a revision's evidence is keyed by it. */
  startTime?: string;
  taskToken?: string;
  /** Where the execution is registered while it runs, for the steps to check (`$$.Execution.Id`). */
  executions?: LocalExecutions;
}

/** Runs the definition with every Task state answered by `handlers[stateName]`. */
export async function execute(
  definition: Record<string, unknown>,
  input: unknown,
  handlers: Record<string, TaskHandler>,
  options: ExecuteOptions = {},
): Promise<unknown> {
  const machine = new StateMachine(definition as never, { validationOptions: { checkPaths: false, checkArn: false } } as never);
  const name = options.execution ?? 'local-execution';
  const executions = options.executions ?? new LocalExecutions();
  const executionArn = executions.started(name, input);
  const execution = machine.run(
    input as never,
    {
      // Step Functions hands a waiting task its token, and every state the execution's name, in the context object.
      context: {
        Execution: { Id: executionArn, Name: name, ...(options.startTime ? { StartTime: options.startTime } : {}) },
        Task: { Token: options.taskToken ?? 'task-token-1' },
      },
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        retryIntervalOverrides: Object.fromEntries(Object.keys(handlers).map((name) => [name, 0])),
      },
    } as never,
  );
  try {
    const result = await execution.result;
    executions.finished(executionArn, 'SUCCEEDED');
    return result;
  } catch (error) {
    executions.finished(executionArn, 'FAILED');
    throw error;
  }
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
