import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Incident } from '#core/model/incident';
import { executionName } from './execution-names.ts';

/** Starts a containment workflow execution for an incident. */
export interface ContainmentStarter {
  /**
   * Starts `execution` (by default the incident's first), which takes on the incident's plan as
   * given: the whole plan for the first, only the new actions for a revision.
   */
  start(incident: Incident, dryRun: boolean, execution?: string): Promise<{ execution: string; started: boolean }>;
}

/** Step Functions refuses execution input above 256 KiB; signals are trimmed (oldest kept) to fit. */
const MAX_INPUT_BYTES = 250_000;

/**
 * Executions have deterministic names: a redelivered batch or a second analyzer starting the
 * same one gets ExecutionAlreadyExists, which means it is already handled.
 */
export class StepFunctionsStarter implements ContainmentStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
    /** The approval page; the containment function cannot be told it without a deployment cycle. */
    private readonly approvalUrl: string,
  ) {}

  async start(incident: Incident, dryRun: boolean, execution = executionName(incident.id)): Promise<{ execution: string; started: boolean }> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: execution, input: executionInput(incident, dryRun, this.approvalUrl) }),
      );
      return { execution, started: true };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return { execution, started: false };
      throw error;
    }
  }
}

export function executionInput(incident: Incident, dryRun: boolean, approvalUrl: string): string {
  let shown = incident;
  let input = JSON.stringify({ incident: shown, dryRun, approvalUrl });
  while (Buffer.byteLength(input) > MAX_INPUT_BYTES && shown.signals.length > 1) {
    shown = { ...shown, signals: shown.signals.slice(0, Math.ceil(shown.signals.length / 2)) };
    input = JSON.stringify({ incident: shown, dryRun, approvalUrl });
  }
  return input;
}
