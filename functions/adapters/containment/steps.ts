import type { Incident, PlannedAction } from '#core/model/incident';
import type { ActionRecord } from '#core/respond/action';
import { sessionsToRevoke } from '#core/respond/revoke-policy';
import type { EvidenceLocker } from './evidence.ts';
import type { IamRevocation } from './iam-revocation.ts';
import type { KubernetesContainment } from '../kubernetes/containment.ts';

/** What each state of the containment workflow asks the handler to do. */
export type StepPayload =
  | { step: 'capture-evidence'; incident: Incident; dryRun: boolean }
  | { step: 'notify'; incident: Incident; dryRun: boolean; evidence: unknown }
  | { step: 'run-action'; incident: Incident; dryRun: boolean; action: PlannedAction }
  | { step: 'action-failed'; incident: Incident; dryRun: boolean; action: PlannedAction; error: { Error?: string; Cause?: string } }
  | { step: 'record-failure'; incident: Incident; dryRun: boolean; stage: string; error: { Error?: string; Cause?: string } }
  | { step: 'request-approval'; incident: Incident; dryRun: boolean; taskToken: string; proposed: PlannedAction[] }
  | { step: 'record'; incident: Incident; dryRun: boolean; evidence?: unknown; automatic?: { records: ActionRecord[] }; approval?: unknown; approved?: { records: ActionRecord[] } };

export interface ContainmentDeps {
  evidence: Pick<EvidenceLocker, 'capture'>;
  iam: Pick<IamRevocation, 'revokeSessions' | 'revokeAllSessions'>;
  /** Kubernetes access for one cluster (a fresh EKS token per invocation). */
  kubernetes(cluster: string): Promise<Pick<KubernetesContainment, 'isolatePod' | 'restartPod' | 'scaleDown' | 'cordonNode'>>;
  /** The raw records behind the incident's signals, for the evidence locker. */
  recordsBehind(incident: Incident): Promise<{ eventId: string; source: string; raw: unknown }[]>;
  /** Tells people what pivotguard is about to do (the alert channel). */
  notify(incident: Incident, message: string): Promise<void>;
  /** Keeps the task token server-side and sends the approval link; never puts the token in a message. */
  awaitDecision(incident: Incident, taskToken: string, proposed: PlannedAction[]): Promise<void>;
  /** Appends step records to the incident: time, result, undo. */
  record(incidentId: string, records: ActionRecord[]): Promise<void>;
  clock?: () => Date;
}

/**
 * The containment handler's work, one function per workflow state. Every action returns an
 * ActionRecord (with its undo) that the workflow carries to RecordOutcome; nothing changes
 * without one.
 */
export function containmentSteps(deps: ContainmentDeps) {
  const clock = deps.clock ?? (() => new Date());
  const failedRecord = (incident: Incident, action: PlannedAction, detail: string): ActionRecord => {
    const now = clock().toISOString();
    return { action: action.action, incidentId: incident.id, target: action.target, startedAt: now, finishedAt: now, result: 'failed', detail };
  };

  const runAction = async (incident: Incident, action: PlannedAction, dryRun: boolean): Promise<ActionRecord> => {
    const { workload } = incident;
    const target = { incidentId: incident.id, cluster: workload.cluster ?? '', namespace: workload.namespace ?? undefined, pod: workload.pod ?? undefined, node: workload.node ?? undefined, dryRun };
    switch (action.action) {
      case 'capture-evidence': {
        const now = clock().toISOString();
        // The workflow's first state stored the evidence; the plan lists it so people see it.
        return { action: action.action, incidentId: incident.id, target: action.target, startedAt: now, finishedAt: now, result: 'already-applied', detail: 'evidence was captured before any other step' };
      }
      case 'isolate-pod':
        return (await deps.kubernetes(target.cluster)).isolatePod(target);
      case 'restart-pod':
        return (await deps.kubernetes(target.cluster)).restartPod(target);
      case 'scale-down':
        return (await deps.kubernetes(target.cluster)).scaleDown(target);
      case 'cordon-node':
        return (await deps.kubernetes(target.cluster)).cordonNode(target);
      case 'revoke-role-sessions': {
        const identity = incident.identities.find((candidate) => candidate.roleArn === action.target);
        if (!identity) return failedRecord(incident, action, `no linked identity uses ${action.target}`);
        const scope = sessionsToRevoke(identity, workload);
        if ('notScoped' in scope) {
          const now = clock().toISOString();
          return { action: action.action, incidentId: incident.id, target: action.target, startedAt: now, finishedAt: now, result: 'skipped', detail: scope.notScoped };
        }
        return deps.iam.revokeSessions({ incidentId: incident.id, roleArn: action.target, identity: scope, dryRun });
      }
    }
  };

  return async (payload: StepPayload): Promise<unknown> => {
    const { incident, dryRun } = payload;
    switch (payload.step) {
      case 'capture-evidence': {
        // The incident's first sight fixes the capture time, so a retried capture writes the same keys.
        const result = await deps.evidence.capture({ incident, records: await deps.recordsBehind(incident), capturedAt: new Date(incident.firstSeen), dryRun });
        if (result.record.result === 'failed') throw Object.assign(new Error(result.record.detail), { name: 'EvidenceNotStored' });
        return { record: result.record, manifestKey: result.manifestKey, manifestSha256: result.manifestSha256 };
      }
      case 'notify': {
        const automatic = incident.plan.automatic.map((action) => `- ${action.action} ${action.target}`).join('\n');
        const approval = incident.plan.approval.map((action) => `- ${action.action} ${action.target}`).join('\n');
        await deps.notify(
          incident,
          `${dryRun ? 'DRY RUN: nothing will be changed.\n' : ''}pivotguard is containing ${incident.id}.\nRunning now:\n${automatic || '- nothing'}\nWaiting for your approval:\n${approval || '- nothing'}`,
        );
        return { notified: true };
      }
      case 'run-action':
        return runAction(incident, payload.action, dryRun);
      case 'action-failed':
        return failedRecord(incident, payload.action, `${payload.error.Error ?? 'Error'}: ${payload.error.Cause ?? 'the step failed'}`.slice(0, 500));
      case 'record-failure':
        await deps.notify(incident, `pivotguard could not ${payload.stage.replace('-', ' ')} for ${incident.id}: ${payload.error.Error ?? 'error'}. No containment step ran.`);
        return { recorded: true };
      case 'request-approval':
        await deps.awaitDecision(incident, payload.taskToken, payload.proposed);
        return undefined;
      case 'record': {
        const records = [...(payload.automatic?.records ?? []), ...(payload.approved?.records ?? [])];
        await deps.record(incident.id, records);
        return { records: records.length };
      }
    }
  };
}
