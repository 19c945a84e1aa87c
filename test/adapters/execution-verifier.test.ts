import { DescribeExecutionCommand, ExecutionDoesNotExist, type ExecutionStatus, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { StepFunctionsExecutionVerifier } from '#adapters/containment/execution-verifier';

const sfn = mockClient(SFNClient);
const STATE_MACHINE = 'arn:aws:states:eu-west-1:111122223333:stateMachine:PivotGuard-Containment-Workflow-D996FD5F';
const EXECUTION = 'arn:aws:states:eu-west-1:111122223333:execution:PivotGuard-Containment-Workflow-D996FD5F:inc-0a1b2c3d4e5f';
const INCIDENT = 'inc-0a1b2c3d4e5f';
const verifier = () => new StepFunctionsExecutionVerifier(new SFNClient({ region: 'eu-west-1' }), STATE_MACHINE);
const described = (overrides: { status?: ExecutionStatus; stateMachineArn?: string; input?: string } = {}) => ({
  executionArn: EXECUTION,
  stateMachineArn: STATE_MACHINE,
  status: 'RUNNING' as const,
  startDate: new Date(),
  input: JSON.stringify({ incident: { id: INCIDENT }, dryRun: false, approvalUrl: '' }),
  ...overrides,
});

beforeEach(() => sfn.reset());

describe('StepFunctionsExecutionVerifier', () => {
  it("accepts a step of the incident's running execution, described by its ARN", async () => {
    sfn.on(DescribeExecutionCommand).resolves(described());
    expect(await verifier().verify({ executionArn: EXECUTION, incidentId: INCIDENT })).toEqual({ ok: true });
    expect(sfn.commandCalls(DescribeExecutionCommand).map((call) => call.args[0].input)).toEqual([{ executionArn: EXECUTION }]);
  });

  it('refuses without asking Step Functions when no execution is named, or one of another state machine', async () => {
    expect(await verifier().verify({ incidentId: INCIDENT })).toMatchObject({ ok: false, refusal: 'no-execution' });
    const elsewhere = EXECUTION.replace('PivotGuard-Containment-Workflow-D996FD5F', 'someone-elses');
    expect(await verifier().verify({ executionArn: elsewhere, incidentId: INCIDENT })).toMatchObject({ ok: false, refusal: 'other-state-machine' });
    expect(await verifier().verify({ executionArn: 'not-an-arn', incidentId: INCIDENT })).toMatchObject({ ok: false, refusal: 'other-state-machine' });
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it('refuses an execution that does not exist', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
    expect(await verifier().verify({ executionArn: EXECUTION, incidentId: INCIDENT })).toMatchObject({ ok: false, refusal: 'unknown-execution' });
  });

  it('refuses an execution described as belonging to another state machine', async () => {
    sfn.on(DescribeExecutionCommand).resolves(described({ stateMachineArn: `${STATE_MACHINE}-other` }));
    expect(await verifier().verify({ executionArn: EXECUTION, incidentId: INCIDENT })).toMatchObject({ ok: false, refusal: 'other-state-machine' });
  });

  it.each<ExecutionStatus>(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'])('refuses an execution that is %s', async (status) => {
    sfn.on(DescribeExecutionCommand).resolves(described({ status }));
    expect(await verifier().verify({ executionArn: EXECUTION, incidentId: INCIDENT })).toMatchObject({ ok: false, refusal: 'execution-not-running' });
  });

  it('refuses a running execution started for another incident, or with no readable input', async () => {
    sfn.on(DescribeExecutionCommand).resolves(described({ input: JSON.stringify({ incident: { id: 'inc-other' } }) }));
    expect(await verifier().verify({ executionArn: EXECUTION, incidentId: INCIDENT })).toMatchObject({ ok: false, refusal: 'other-incident' });
    sfn.on(DescribeExecutionCommand).resolves(described({ input: '{not json' }));
    expect(await verifier().verify({ executionArn: EXECUTION, incidentId: INCIDENT })).toMatchObject({ ok: false, refusal: 'other-incident' });
  });

  it('lets any other failure (throttling, access denied) fail the step for a retry', async () => {
    sfn.on(DescribeExecutionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(verifier().verify({ executionArn: EXECUTION, incidentId: INCIDENT })).rejects.toThrow('Rate exceeded');
  });
});
