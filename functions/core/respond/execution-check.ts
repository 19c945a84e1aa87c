/**
 * Why a workflow step was refused before it did anything: anyone allowed to invoke the
 * containment function can send a payload that claims to come from the workflow.
 */
export type ExecutionRefusal = 'no-execution' | 'unknown-execution' | 'other-state-machine' | 'execution-not-running' | 'other-incident';

export type ExecutionCheck = { ok: true } | { ok: false; refusal: ExecutionRefusal; reason: string };

/** What the step claims: the execution it runs in (`$$.Execution.Id`) and the incident it acts for. */
export interface ExecutionClaim {
  executionArn?: string;
  incidentId: string;
}

/** An execution as Step Functions describes it (DescribeExecution). */
export interface DescribedExecution {
  stateMachineArn: string;
  /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING_REDRIVE. */
  status: string;
  /** The execution's input, as JSON text: `{ incident, dryRun, approvalUrl }`. */
  input?: string;
}

/** Answers whether a step runs inside this state machine's running execution for its incident. */
export interface ExecutionVerifier {
  verify(claim: ExecutionClaim): Promise<ExecutionCheck>;
}

// arn:PARTITION:states:REGION:ACCOUNT:execution:STATE_MACHINE_NAME:EXECUTION_NAME
const EXECUTION_ARN = /^(arn:[\w-]+:states:[\w-]+:\d{12}):execution:([^:\s]{1,80}):([^:\s]{1,80})$/;

/** The state machine an execution ARN belongs to, or undefined when it is not an execution ARN. */
export function stateMachineOfExecution(executionArn: string): string | undefined {
  const match = EXECUTION_ARN.exec(executionArn);
  return match ? `${match[1]}:stateMachine:${match[2]}` : undefined;
}

/**
 * Whether the claimed execution may be described at all: it must be named, and belong to this
 * state machine (the function may describe only its own executions, so nothing else is asked).
 */
export function checkClaim(claim: ExecutionClaim, stateMachineArn: string): ExecutionCheck {
  if (!claim.executionArn) return { ok: false, refusal: 'no-execution', reason: 'the step names no workflow execution' };
  if (stateMachineOfExecution(claim.executionArn) !== stateMachineArn) {
    return { ok: false, refusal: 'other-state-machine', reason: `${claim.executionArn} is not an execution of ${stateMachineArn}` };
  }
  return { ok: true };
}

/**
 * Whether a step runs inside this state machine's execution for its incident: the execution
 * exists, belongs to this state machine, is still running, and was started for the same incident.
 * A finished execution's steps are over; a running one of another incident cannot lend its name.
 */
export function checkExecution(claim: ExecutionClaim, stateMachineArn: string, described: DescribedExecution | undefined): ExecutionCheck {
  const claimed = checkClaim(claim, stateMachineArn);
  if (!claimed.ok) return claimed;
  if (!described) return { ok: false, refusal: 'unknown-execution', reason: `no execution ${claim.executionArn}` };
  if (described.stateMachineArn !== stateMachineArn) {
    return { ok: false, refusal: 'other-state-machine', reason: `${claim.executionArn} is an execution of ${described.stateMachineArn}` };
  }
  if (described.status !== 'RUNNING') return { ok: false, refusal: 'execution-not-running', reason: `the execution is ${described.status}, not running` };
  const started = incidentIdOf(described.input);
  if (started !== claim.incidentId) {
    return { ok: false, refusal: 'other-incident', reason: `the execution was started for ${started ?? 'no incident'}, not ${claim.incidentId}` };
  }
  return { ok: true };
}

function incidentIdOf(input: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(input ?? 'null') as { incident?: { id?: unknown } } | null;
    return typeof parsed?.incident?.id === 'string' ? parsed.incident.id : undefined;
  } catch {
    return undefined;
  }
}
