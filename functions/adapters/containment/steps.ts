import { createHash, randomUUID } from 'node:crypto';
import type { ContainmentAction, Incident, PlannedAction } from '#core/model/incident';
import type { ActionRecord } from '#core/respond/action';
import { signApprovalLink } from '#core/respond/approval-link';
import { type IncidentResponse, openResponse, withActions } from '#core/respond/response';
import { sessionsToRevoke } from '#core/respond/revoke-policy';
import type { ResponseStore } from '#core/store/response-store';
import type { EvidenceLocker } from './evidence.ts';
import type { IamRevocation } from './iam-revocation.ts';
import { type UndoRequest, undoRecorded } from './undo.ts';
import type { KubernetesContainment, PodEvidence } from '../kubernetes/containment.ts';
import { outcomeMessage, planMessage } from './messages.ts';

/** What an approval resolves to in the execution: SendTaskSuccess output, or the Pass states' results. */
export interface ApprovalOutcome {
  decision: 'pending' | 'none' | 'approved' | 'rejected' | 'timeout';
  by?: string;
  at?: string;
}

/** What each state of the containment workflow asks the handler to do, plus undo from people. */
export type StepPayload =
  | { step: 'capture-evidence'; incident: Incident; dryRun: boolean }
  | { step: 'notify'; incident: Incident; dryRun: boolean; evidence: unknown }
  | { step: 'run-action'; incident: Incident; dryRun: boolean; action: PlannedAction; approval?: ApprovalOutcome }
  | { step: 'action-failed'; incident: Incident; dryRun: boolean; action: PlannedAction; error: { Error?: string; Cause?: string } }
  | { step: 'record-failure'; incident: Incident; dryRun: boolean; stage: string; error: { Error?: string; Cause?: string } }
  | { step: 'request-approval'; incident: Incident; dryRun: boolean; taskToken: string; proposed: PlannedAction[]; approvalUrl?: string }
  | {
      step: 'record';
      incident: Incident;
      dryRun: boolean;
      evidence?: { record?: ActionRecord };
      automatic?: { records: ActionRecord[] };
      approval?: ApprovalOutcome;
      approved?: { records: ActionRecord[] };
    }
  | ({ step: 'undo' } & UndoRequest);

export interface ContainmentDeps {
  evidence: Pick<EvidenceLocker, 'capture'>;
  iam: Pick<IamRevocation, 'revokeSessions' | 'revokeAllSessions' | 'undo'>;
  /** Kubernetes access for one cluster (a fresh EKS token per invocation). */
  kubernetes(cluster: string): Promise<Pick<KubernetesContainment, 'isolatePod' | 'restartPod' | 'scaleDown' | 'cordonNode' | 'undo' | 'podEvidence'>>;
  /** The raw records behind the incident's signals, for the evidence locker. */
  recordsBehind(incident: Incident): Promise<{ eventId: string; source: string; raw: unknown }[]>;
  /** Tells people what pivotguard is doing (the alert channel). */
  notify(incident: Incident, subject: string, message: string): Promise<void>;
  /** Where every step, approval and undo is recorded; also keeps the task token server-side. */
  responses: ResponseStore;
  /** The key approval links are signed with. */
  linkSecret(): Promise<string>;
  /** How long a link stays valid; the state machine's approval timeout. */
  approvalTimeoutMs: number;
  clock?: () => Date;
}

/**
 * The containment handler's work, one function per workflow state. Every action returns an
 * ActionRecord (with its undo) and is recorded in the incident's response as soon as it ran,
 * so nothing is left changed without a record, even if the execution stops later.
 */
export function containmentSteps(deps: ContainmentDeps) {
  const clock = deps.clock ?? (() => new Date());
  const now = () => clock().toISOString();
  const instant = (incident: Incident, action: PlannedAction, result: ActionRecord['result'], detail: string): ActionRecord => ({
    action: action.action,
    incidentId: incident.id,
    target: action.target,
    startedAt: now(),
    finishedAt: now(),
    result,
    detail,
  });
  const record = (incident: Incident, change: (response: IncidentResponse) => IncidentResponse) =>
    deps.responses.updateResponse(incident.id, (current) => change(current ?? openResponse(incident.id, incident.lastSeen)));

  const runAction = async (incident: Incident, action: PlannedAction, dryRun: boolean, approval: ApprovalOutcome | undefined): Promise<ActionRecord> => {
    const { workload } = incident;
    const target = { incidentId: incident.id, cluster: workload.cluster ?? '', namespace: workload.namespace ?? undefined, pod: workload.pod ?? undefined, node: workload.node ?? undefined, dryRun };
    const kubernetes = () => deps.kubernetes(target.cluster);
    switch (action.action) {
      case 'capture-evidence':
        // The workflow's first state stored the evidence; the plan lists it so people see it.
        return dryRun
          ? instant(incident, action, 'dry-run', 'evidence would be captured before any other step')
          : instant(incident, action, 'already-applied', 'evidence was captured before any other step');
      case 'isolate-pod':
        return (await kubernetes()).isolatePod(target);
      case 'restart-pod':
        return (await kubernetes()).restartPod(target);
      case 'scale-down':
        return (await kubernetes()).scaleDown(target);
      case 'cordon-node':
        return (await kubernetes()).cordonNode(target);
      case 'revoke-role-sessions': {
        const identity = incident.identities.find((candidate) => candidate.roleArn === action.target);
        if (!identity) return instant(incident, action, 'failed', `no linked identity uses ${action.target}`);
        const scope = sessionsToRevoke(identity, workload);
        if ('notScoped' in scope) return instant(incident, action, 'skipped', scope.notScoped);
        return deps.iam.revokeSessions({ incidentId: incident.id, roleArn: action.target, identity: scope, dryRun });
      }
      case 'revoke-all-sessions':
        // The approval's time (or the last signal's, when run without one) fixes the cutoff, so a retry denies the same sessions.
        return deps.iam.revokeAllSessions({ incidentId: incident.id, roleArn: action.target, now: new Date(approval?.at ?? incident.lastSeen), dryRun });
    }
  };

  const podEvidence = async (incident: Incident): Promise<PodEvidence> => {
    const { cluster, namespace, pod } = incident.workload;
    if (!cluster || !namespace || !pod) return { notes: [] };
    try {
      return await (await deps.kubernetes(cluster)).podEvidence({ cluster, namespace, pod });
    } catch (error) {
      // An unreachable cluster must not keep the records from being stored.
      return { notes: [`cluster ${cluster} could not be read: ${(error as Error).message}`] };
    }
  };

  const requestApproval = async (payload: Extract<StepPayload, { step: 'request-approval' }>): Promise<void> => {
    const { incident, taskToken, proposed } = payload;
    const tokenSha256 = createHash('sha256').update(taskToken).digest('hex');
    const existing = (await deps.responses.getResponse(incident.id))?.approval;
    // A retried invocation carries the same token: one wait, one email.
    if (existing?.tokenSha256 === tokenSha256) return;
    const nonce = randomUUID();
    const requestedAt = clock();
    const expiresAt = new Date(requestedAt.getTime() + deps.approvalTimeoutMs);
    await deps.responses.putApprovalToken(incident.id, nonce, taskToken);
    await record(incident, (response) => ({
      ...response,
      approval: { nonce, requestedAt: requestedAt.toISOString(), expiresAt: expiresAt.toISOString(), proposed, tokenSha256 },
    }));
    const link = payload.approvalUrl
      ? `${payload.approvalUrl}?t=${signApprovalLink({ incidentId: incident.id, expiresAt: expiresAt.getTime(), nonce }, await deps.linkSecret())}`
      : undefined;
    const lines = [
      `pivotguard needs your decision on ${incident.id}: ${incident.title}.`,
      '',
      'Waiting for approval:',
      ...proposed.map((action) => `- ${action.action} ${action.target}: ${action.reason}${action.dryRun ? ' (dry run)' : ''}`),
      '',
      `Nothing of this runs unless someone approves before ${expiresAt.toISOString()}.`,
      ...(link ? ['Review and decide (the page asks before it changes anything):', link] : []),
      `From a terminal: npx pivotguard approve ${incident.id}   or   npx pivotguard reject ${incident.id}`,
    ];
    await deps.notify(incident, `Approval needed: ${incident.title}`.slice(0, 99), lines.join('\n'));
  };

  const recordOutcome = async (payload: Extract<StepPayload, { step: 'record' }>) => {
    const { incident } = payload;
    const records = [payload.evidence?.record, ...(payload.automatic?.records ?? []), ...(payload.approved?.records ?? [])].filter(
      (entry): entry is ActionRecord => entry !== undefined,
    );
    const decision = payload.approval?.decision;
    const stored = await record(incident, (response) => {
      let next = withActions(response, records);
      // A timeout has no decider to record it; the page and the terminal record their own decisions.
      if (next.approval && !next.approval.decision && (decision === 'timeout' || decision === 'rejected')) {
        next = { ...next, approval: { ...next.approval, decision, decidedAt: now(), decidedBy: decision === 'timeout' ? 'nobody (timed out)' : 'unknown' } };
      }
      return { ...next, workflow: { execution: next.workflow?.execution ?? incident.id, startedAt: next.workflow?.startedAt ?? incident.lastSeen, dryRun: payload.dryRun, finishedAt: now() } };
    });
    await deps.notify(incident, `Containment finished: ${incident.title}`.slice(0, 99), outcomeMessage(incident, stored, decision));
    return { records: records.length };
  };

  return async (payload: StepPayload): Promise<unknown> => {
    switch (payload.step) {
      case 'capture-evidence': {
        const { incident, dryRun } = payload;
        // The incident's first sight fixes the capture time, so a retried capture writes the same keys.
        const pod = await podEvidence(incident);
        const result = await deps.evidence.capture({
          incident,
          records: await deps.recordsBehind(incident),
          podSpec: pod.podSpec ?? (pod.notes.length ? { unavailable: pod.notes } : undefined),
          podLogs: pod.podLogs,
          rolePolicies: incident.blastRadius.rolePermissions,
          capturedAt: new Date(incident.firstSeen),
          dryRun,
        });
        if (result.record.result === 'failed') throw Object.assign(new Error(result.record.detail), { name: 'EvidenceNotStored' });
        await record(incident, (response) => withActions(response, [result.record]));
        return { record: result.record, manifestKey: result.manifestKey, manifestSha256: result.manifestSha256 };
      }
      case 'notify':
        await deps.notify(payload.incident, `Containing: ${payload.incident.title}`.slice(0, 99), planMessage(payload.incident, payload.dryRun));
        return { notified: true };
      case 'run-action': {
        const { incident, action } = payload;
        const result = await runAction(incident, action, payload.dryRun || action.dryRun === true, payload.approval);
        await record(incident, (response) => withActions(response, [result]));
        return result;
      }
      case 'action-failed': {
        const { incident, action, error } = payload;
        const failed = instant(incident, action, 'failed', `${error.Error ?? 'Error'}: ${error.Cause ?? 'the step failed'}`.slice(0, 500));
        await record(incident, (response) => withActions(response, [failed]));
        await deps.notify(incident, `Containment step failed: ${incident.title}`.slice(0, 99), `${actionName(action.action)} on ${action.target} failed for ${incident.id}: ${failed.detail}\nThe other steps go on.`);
        return failed;
      }
      case 'record-failure':
        await deps.notify(
          payload.incident,
          `Containment stopped: ${payload.incident.title}`.slice(0, 99),
          `pivotguard could not ${payload.stage.replace('-', ' ')} for ${payload.incident.id}: ${payload.error.Error ?? 'error'}. No containment step ran.`,
        );
        return { recorded: true };
      case 'request-approval':
        await requestApproval(payload);
        return undefined;
      case 'record':
        return recordOutcome(payload);
      case 'undo': {
        const { step: _step, ...request } = payload;
        return undoRecorded(request, { responses: deps.responses, iam: deps.iam, kubernetes: deps.kubernetes, clock: deps.clock });
      }
      default:
        // A payload from a state this handler does not know: a deployment mismatch, never silently ignored.
        throw new UnknownStep((payload as { step?: unknown }).step);
    }
  };
}

export class UnknownStep extends Error {
  constructor(step: unknown) {
    super(`the containment handler has no step ${JSON.stringify(step)}`);
    this.name = 'UnknownStep';
  }
}

function actionName(action: ContainmentAction): string {
  return action.replace(/-/g, ' ');
}
