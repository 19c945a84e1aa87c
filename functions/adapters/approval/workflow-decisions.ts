import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { PlannedAction } from '#core/model/incident';

/** Hands a person's decision to the waiting execution. */
export interface WorkflowDecisions {
  /** `actions` is what the person approved: the waiting execution runs exactly these. */
  approve(taskToken: string, decision: { by: string; at: string; actions: PlannedAction[] }): Promise<void>;
  reject(taskToken: string, decision: { by: string; at: string }): Promise<void>;
}

/** The wait already ended (timed out, execution stopped): the decision can no longer be delivered. */
export class WaitEnded extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'WaitEnded';
  }
}

/** The state machine's AwaitApproval catches `Rejected`; its output becomes `$.approval`, whose `actions` ApprovedActions runs. */
export class StepFunctionsDecisions implements WorkflowDecisions {
  constructor(private readonly sfn: SFNClient) {}

  async approve(taskToken: string, decision: { by: string; at: string; actions: PlannedAction[] }): Promise<void> {
    await this.send(() => this.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ decision: 'approved', ...decision }) })));
  }

  async reject(taskToken: string, decision: { by: string; at: string }): Promise<void> {
    await this.send(() =>
      this.sfn.send(new SendTaskFailureCommand({ taskToken, error: 'Rejected', cause: `rejected by ${decision.by} at ${decision.at}`.slice(0, 256) })),
    );
  }

  private async send(call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TaskTimedOut') throw new WaitEnded('the approval wait had already timed out');
      if (name === 'TaskDoesNotExist' || name === 'InvalidToken') throw new WaitEnded('the workflow is no longer waiting (it was stopped or already decided)');
      throw error;
    }
  }
}
