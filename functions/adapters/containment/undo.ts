import type { ContainmentAction } from '#core/model/incident';
import type { ActionRecord, UndoStep } from '#core/respond/action';
import type { UndoneRecord } from '#core/respond/response';
import { type ReversibleRecord, pendingUndos } from '#core/respond/undo-plan';
import type { ResponseStore } from '#core/store/response-store';
import type { IamRevocation } from './iam-revocation.ts';
import type { KubernetesContainment, UndoRecord } from '../kubernetes/containment.ts';

export interface UndoRequest {
  incidentId: string;
  /** Only this action's steps; all recorded steps when absent. */
  action?: ContainmentAction;
  /** Who asked: an IAM ARN from the terminal, a name from the approval page. */
  by: string;
  dryRun?: boolean;
}

export interface UndoDeps {
  responses: ResponseStore;
  iam: Pick<IamRevocation, 'undo'>;
  kubernetes(cluster: string): Promise<Pick<KubernetesContainment, 'undo'>>;
  clock?: () => Date;
}

/**
 * Reverses the steps recorded for an incident, newest first (the label goes before the policy
 * that depends on it, replicas come back before the node is uncordoned), and records each
 * reversal in the incident's response. Steps already undone are not run again.
 */
export async function undoRecorded(request: UndoRequest, deps: UndoDeps): Promise<UndoneRecord[]> {
  const clock = deps.clock ?? (() => new Date());
  const pending = pendingUndos(await deps.responses.getResponse(request.incidentId), request.action).reverse();
  const undone: UndoneRecord[] = [];
  for (const record of pending) {
    const outcome = await undoOne(record, request, deps);
    undone.push({ action: record.action, target: record.target, at: clock().toISOString(), by: request.by, ...outcome });
  }
  if (undone.length > 0) {
    await deps.responses.updateResponse(request.incidentId, (current) => ({ ...current!, undone: [...current!.undone, ...undone] }));
  }
  return undone;
}

async function undoOne(
  record: ReversibleRecord,
  request: UndoRequest,
  deps: UndoDeps,
): Promise<Pick<UndoneRecord, 'result' | 'detail'>> {
  const step = record.undo;
  if (step.kind === 'delete-role-policy') {
    const result = await deps.iam.undo(step, { incidentId: request.incidentId, roleArn: record.target, dryRun: request.dryRun });
    return { result: iamResult(result.result), detail: result.detail };
  }
  if (request.dryRun) return { result: 'dry-run', detail: `would ${describe(step)}` };
  try {
    const result: UndoRecord = await (await deps.kubernetes(step.cluster)).undo(step);
    return { result: result.result, detail: result.detail };
  } catch (error) {
    // One unreachable cluster must not stop the other reversals; the record says why.
    return { result: 'failed', detail: `could not ${describe(step)}: ${(error as Error).message}`.slice(0, 500) };
  }
}

function iamResult(result: ActionRecord['result']): UndoneRecord['result'] {
  if (result === 'applied') return 'undone';
  if (result === 'already-applied') return 'already-undone';
  return result;
}

function describe(step: Exclude<UndoStep, { kind: 'none' | 'delete-role-policy' }>): string {
  switch (step.kind) {
    case 'remove-pod-quarantine':
      return `remove ${step.label} from pod ${step.namespace}/${step.pod} and delete NetworkPolicy ${step.networkPolicy}`;
    case 'restore-replicas':
      return `scale ${step.workloadKind} ${step.namespace}/${step.name} back to ${step.replicas} replicas`;
    case 'uncordon-node':
      return `uncordon node ${step.node}`;
  }
}
