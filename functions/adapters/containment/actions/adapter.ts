import type { ReversingUndoKind } from '#core/actions/descriptor';
import type { ContainmentAction, UndoKindOf } from '#core/actions/registry';
import type { Incident, PlannedAction } from '#core/model/incident';
import type { ActionRecord, UndoStep } from '#core/respond/action';
import type { ApprovalOutcome } from '#core/respond/approval-outcome';
import type { UndoneRecord } from '#core/respond/response';
import type { ReversibleRecord } from '#core/respond/undo-plan';
import type { KubernetesContainment, KubernetesTarget } from '#adapters/kubernetes/containment';
import type { IamRevocation } from '../iam-revocation.ts';

/** What one planned step runs with. */
export interface RunContext {
  /** The incident as it is when the step runs. */
  incident: Incident;
  action: PlannedAction;
  dryRun: boolean;
  /** The decision the step waited for, when it waited. */
  approval?: ApprovalOutcome;
  /** The incident's workload as the Kubernetes steps take it. */
  target: KubernetesTarget;
  iam: Pick<IamRevocation, 'revokeSessions' | 'revokeAllSessions' | 'fenceRole' | 'denyWebIdentity'>;
  /** The workload's cluster (a fresh EKS token per invocation). */
  kubernetes(): Promise<Pick<KubernetesContainment, 'isolatePod' | 'restartPod' | 'scaleDown' | 'cordonNode' | 'blockImageDigest'>>;
  /** The record of a step decided without calling AWS or a cluster. */
  recordNow(result: ActionRecord['result'], detail: string): ActionRecord;
}

/** What one recorded step is reversed with. */
export interface UndoContext {
  record: ReversibleRecord;
  incidentId: string;
  dryRun?: boolean;
  iam: Pick<IamRevocation, 'undo' | 'restoreTrustPolicy'>;
  kubernetes(cluster: string): Promise<Pick<KubernetesContainment, 'undo'>>;
}

export type UndoOutcome = Pick<UndoneRecord, 'result' | 'detail'>;

/** Each reversing undo step by its kind. */
export type UndoStepOf = { [Kind in ReversingUndoKind]: Extract<UndoStep, { kind: Kind }> };

export type UndoRunner<Kind extends ReversingUndoKind> = (step: UndoStepOf[Kind], context: UndoContext) => Promise<UndoOutcome>;

/** How an action runs, and how each undo kind its descriptor lists is put back. */
export interface ActionAdapter<Name extends ContainmentAction> {
  run(context: RunContext): Promise<ActionRecord>;
  undo: { [Kind in UndoKindOf<Name>]: UndoRunner<Kind> };
}
