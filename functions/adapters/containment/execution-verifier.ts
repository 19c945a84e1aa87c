import { DescribeExecutionCommand, ExecutionDoesNotExist, type SFNClient } from '@aws-sdk/client-sfn';
import { type ExecutionCheck, type ExecutionClaim, type ExecutionVerifier, checkClaim, checkExecution } from '#core/respond/execution-check';

/**
 * Verifies a step against Step Functions: the execution it names is described (DescribeExecution,
 * which the function may call on this state machine's executions only) and judged by the core.
 */
export class StepFunctionsExecutionVerifier implements ExecutionVerifier {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async verify(claim: ExecutionClaim): Promise<ExecutionCheck> {
    // An execution of another state machine is refused without asking: the function may not describe it.
    const claimed = checkClaim(claim, this.stateMachineArn);
    if (!claimed.ok || !claim.executionArn) return claimed;
    try {
      const described = await this.sfn.send(new DescribeExecutionCommand({ executionArn: claim.executionArn }));
      return checkExecution(claim, this.stateMachineArn, {
        stateMachineArn: described.stateMachineArn ?? '',
        status: described.status ?? 'UNKNOWN',
        input: described.input,
      });
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return checkExecution(claim, this.stateMachineArn, undefined);
      throw error;
    }
  }
}
