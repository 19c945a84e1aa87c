import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Incident } from '#core/model/incident';

/** Starts the containment workflow for an incident. */
export interface ContainmentStarter {
  start(incident: Incident, dryRun: boolean): Promise<{ execution: string; started: boolean }>;
}

/** Step Functions refuses execution input above 256 KiB; signals are trimmed (oldest kept) to fit. */
const MAX_INPUT_BYTES = 250_000;

/**
 * One execution per incident, named after it: a redelivered batch or a second analyzer
 * starting the same incident gets ExecutionAlreadyExists, which means it is already handled.
 */
export class StepFunctionsStarter implements ContainmentStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
    /** The approval page; the containment function cannot be told it without a deployment cycle. */
    private readonly approvalUrl: string,
  ) {}

  async start(incident: Incident, dryRun: boolean): Promise<{ execution: string; started: boolean }> {
    const name = executionName(incident.id);
    try {
      await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name, input: executionInput(incident, dryRun, this.approvalUrl) }));
      return { execution: name, started: true };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return { execution: name, started: false };
      throw error;
    }
  }
}

/** Execution names: 1-80 characters from letters, digits, - and _. */
export function executionName(incidentId: string): string {
  return incidentId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);
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
