import { z } from 'zod';
import { ACTION_NAMES } from '#core/actions/registry';
import type { ContainmentAction } from '#core/model/incident';
import type { UndoneRecord } from '#core/respond/response';
import { pendingUndos } from '#core/respond/undo-plan';
import type { ResponseStore } from '#core/store/response-store';
import { undoRunnerFor } from './actions/registry.ts';
import type { UndoContext } from './actions/adapter.ts';

export interface UndoRequest {
  incidentId: string;
  /** Only this action's steps; all recorded steps when absent. */
  action?: ContainmentAction;
  /** Who asked: an IAM ARN from the terminal, a name from the approval page. */
  by: string;
  dryRun?: boolean;
}

/**
 * An undo request as the undo function receives it, from the approval page or the terminal
 * (`step: 'undo'` is what they have always sent; nothing else is accepted).
 */
export const undoRequestSchema = z
  .object({
    step: z.literal('undo').optional(),
    incidentId: z.string().min(1),
    action: z.enum(ACTION_NAMES).optional(),
    by: z.string().min(1),
    dryRun: z.boolean().optional(),
  })
  .strict()
  .transform(({ step: _step, ...request }): UndoRequest => request);

export interface UndoDeps extends Pick<UndoContext, 'iam' | 'kubernetes'> {
  responses: ResponseStore;
  clock?: () => Date;
}

/**
 * Reverses the steps recorded for an incident, newest first (the label goes before the policy
 * that depends on it, replicas come back before the node is uncordoned), and records each
 * reversal in the incident's response. Steps already undone are not run again. Each step is
 * reversed by its action's adapter, for the undo kind it recorded.
 */
export async function undoRecorded(request: UndoRequest, deps: UndoDeps): Promise<UndoneRecord[]> {
  const clock = deps.clock ?? (() => new Date());
  const pending = pendingUndos(await deps.responses.getResponse(request.incidentId), request.action).reverse();
  const undone: UndoneRecord[] = [];
  for (const record of pending) {
    const runner = undoRunnerFor(record);
    // A step whose action never records that undo kind did not come from pivotguard: it is refused, not run.
    const outcome = runner
      ? await runner({ record, incidentId: request.incidentId, dryRun: request.dryRun, iam: deps.iam, kubernetes: deps.kubernetes })
      : { result: 'failed' as const, detail: `${record.action} has no undo of kind ${record.undo.kind}` };
    undone.push({ action: record.action, target: record.target, at: clock().toISOString(), by: request.by, ...outcome });
  }
  if (undone.length > 0) {
    await deps.responses.updateResponse(request.incidentId, (current) => ({ ...current!, undone: [...current!.undone, ...undone] }));
  }
  return undone;
}
