import { createHash, randomUUID } from 'node:crypto';
import type { ContainmentAction, Incident, PlannedAction } from '#core/model/incident';
import type { ActionRecord } from '#core/respond/action';
import { signApprovalLink } from '#core/respond/approval-link';
import type { ExecutionRefusal, ExecutionVerifier } from '#core/respond/execution-check';
import { PivotguardError } from '#core/errors';
import { authorizeStep } from '#core/respond/step-authorization';
import type { ApprovalOutcome } from '#core/respond/approval-outcome';
import {
  type ApprovalRequest,
  type ApprovalTaken,
  type IncidentResponse,
  NOBODY_IN_TIME,
  UNKNOWN_RECIPIENTS,
  actionKey,
  openResponse,
  withActions,
  withApprovalRequested,
  withExecution,
  withLinkSentTo,
} from '#core/respond/response';
import type { ResponseStore } from '#core/store/response-store';
import { type Store, isOlderVersion } from '#core/store/store';
import { ACTION_ADAPTERS } from './actions/registry.ts';
import type { EvidenceLocker } from './evidence.ts';
import { executionName } from './execution-names.ts';
import type { IamRevocation } from './iam-revocation.ts';
import type { KubernetesContainment, PodEvidence } from '../kubernetes/containment.ts';
import { outcomeMessage, planMessage } from './messages.ts';

/** What every workflow state passes on. The incident is the execution's copy: its plan is what this execution takes on. */
interface InWorkflow {
  incident: Incident;
  dryRun: boolean;
  /** `$$.Execution.Name`; absent when a step is called outside an execution. */
  execution?: string;
  /** `$$.Execution.Id`: every step is checked to run inside this state machine's execution for its incident. */
  executionArn?: string;
}

type ErrorOutput = { Error?: string; Cause?: string };

/** What each state of the containment workflow asks the handler to do. Undo runs in a function of its own (undo.ts). */
export type StepPayload =
  | ({ step: 'capture-evidence' /** `$$.Execution.StartTime` */; startedAt?: string } & InWorkflow)
  | ({ step: 'notify'; evidence: unknown } & InWorkflow)
  | ({ step: 'run-action'; action: PlannedAction; approval?: ApprovalOutcome } & InWorkflow)
  | ({ step: 'action-failed'; action: PlannedAction; error: ErrorOutput } & InWorkflow)
  | ({ step: 'record-failure'; stage: string; error: ErrorOutput } & InWorkflow)
  | ({ step: 'join-approval'; approvalUrl?: string } & InWorkflow)
  | ({ step: 'request-approval'; taskToken: string; proposed: PlannedAction[]; approvalUrl?: string } & InWorkflow)
  | ({
      step: 'record';
      /** The approval page, where the outcome email's link to manage the incident points. */
      approvalUrl?: string;
      evidence?: { record?: ActionRecord };
      automatic?: { records: ActionRecord[] };
      approval?: ApprovalOutcome;
      approved?: { records: ActionRecord[] };
    } & InWorkflow);

export interface ContainmentDeps {
  /** The incidents as the analyzer keeps them: every step acts on the incident as it is when the step runs. */
  incidents: Pick<Store, 'getIncident'>;
  evidence: Pick<EvidenceLocker, 'capture'>;
  iam: Pick<IamRevocation, 'revokeSessions' | 'revokeAllSessions' | 'fenceRole' | 'denyWebIdentity'>;
  /** Kubernetes access for one cluster (a fresh EKS token per invocation). */
  kubernetes(
    cluster: string,
  ): Promise<Pick<KubernetesContainment, 'isolatePod' | 'restartPod' | 'scaleDown' | 'cordonNode' | 'blockImageDigest' | 'podEvidence'>>;
  /** Whether a step runs inside this state machine's running execution for its incident. */
  executions: ExecutionVerifier;
  /** The raw records behind the incident's signals, for the evidence locker. */
  recordsBehind(incident: Incident): Promise<{ eventId: string; source: string; raw: unknown }[]>;
  /** Tells people what pivotguard is doing (the alert channel), and answers who it reached when the channel can tell. */
  notify(incident: Incident, subject: string, message: string): Promise<readonly string[]> | Promise<void>;
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
/** How long the outcome email's management link works: a week to review and undo. */
const MANAGE_LINK_MS = 7 * 86400_000;

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

  /**
   * The incident as the store holds it now (a later signal may have linked another session), with
   * what only the execution carries: its plan, and the blast radius the analyzer read from AWS.
   * The execution's copy stands in when the store has no newer one: an incident past its
   * retention, a replay that never stored it, or a read that lags the analyzer's write.
   */
  const current = async (sent: Incident): Promise<{ incident: Incident; stored: Incident | undefined }> => {
    const stored = await deps.incidents.getIncident(sent.id);
    const base = stored && !isOlderVersion(stored, sent) ? stored : sent;
    return { incident: { ...base, plan: sent.plan, blastRadius: sent.blastRadius }, stored };
  };
  const executionOf = (payload: InWorkflow) => payload.execution ?? executionName(payload.incident.id);
  const isRevision = (payload: InWorkflow) => executionOf(payload) !== executionName(payload.incident.id);

  const runAction = async (incident: Incident, action: PlannedAction, dryRun: boolean, approval: ApprovalOutcome | undefined): Promise<ActionRecord> => {
    const { workload } = incident;
    const target = {
      incidentId: incident.id,
      cluster: workload.cluster ?? '',
      namespace: workload.namespace ?? undefined,
      pod: workload.pod ?? undefined,
      node: workload.node ?? undefined,
      dryRun,
    };
    return ACTION_ADAPTERS[action.action].run({
      incident,
      action,
      dryRun,
      approval,
      target,
      iam: deps.iam,
      kubernetes: () => deps.kubernetes(target.cluster),
      recordNow: (result, detail) => instant(incident, action, result, detail),
    });
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

  const actionLine = (action: PlannedAction) => `- ${action.action} ${action.target}: ${action.reason}${action.dryRun ? ' (dry run)' : ''}`;

  /** How to decide a request: before when, the signed link to the page, the terminal command. */
  const howToDecide = async (incident: Incident, request: ApprovalRequest, approvalUrl: string | undefined): Promise<string[]> => {
    const claim = { incidentId: incident.id, expiresAt: Date.parse(request.expiresAt), nonce: request.nonce };
    const link = approvalUrl ? `${approvalUrl}?t=${signApprovalLink(claim, await deps.linkSecret())}` : undefined;
    return [
      `Nothing of this runs unless someone approves before ${request.expiresAt}.`,
      ...(link ? ['Review and decide (the page asks before it changes anything):', link] : []),
      `From a terminal: npx pivotguard approve ${incident.id}   or   npx pivotguard reject ${incident.id}`,
    ];
  };

  /**
   * Emails what howToDecide wrote for request `nonce` and records who the email reached, beside the request: a decision
   * made through the link is shown with where it had been sent (the link and the page's form cannot say).
   */
  const sendLink = async (incident: Incident, nonce: string, approvalUrl: string | undefined, subject: string, lines: string[]) => {
    const sentTo = await deps.notify(incident, subject, lines.join('\n'));
    if (approvalUrl) await record(incident, (response) => withLinkSentTo(response, nonce, sentTo ?? [UNKNOWN_RECIPIENTS]));
  };

  /**
   * This execution's approval tier joins another execution's open request (one wait, one
   * decision, and people are told what was added), or opens this execution's own request.
   */
  const takeApprovalTier = async (incident: Incident, payload: InWorkflow & { approvalUrl?: string }, proposed: PlannedAction[]): Promise<ApprovalTaken> => {
    const requestedAt = clock();
    const request = {
      nonce: randomUUID(),
      requestedAt: requestedAt.toISOString(),
      expiresAt: new Date(requestedAt.getTime() + deps.approvalTimeoutMs).toISOString(),
      proposed,
      execution: executionOf(payload),
    };
    // Set by the last (winning) run of the update; declared wide so the read after it is not narrowed.
    let taken = { opened: request } as ApprovalTaken;
    await record(incident, (response) => {
      const next = withApprovalRequested(response, request, request.requestedAt);
      taken = next.taken;
      return next.response;
    });
    // A retry finds its steps already added: one email.
    if ('joined' in taken && taken.added.length > 0) {
      const lines = [
        `More steps were added to the approval pending for ${incident.id}: ${incident.title}.`,
        '',
        'Added:',
        ...taken.added.map(actionLine),
        '',
        'Waiting for approval now:',
        ...taken.joined.proposed.map(actionLine),
        '',
        ...(await howToDecide(incident, taken.joined, payload.approvalUrl)),
      ];
      await sendLink(incident, taken.joined.nonce, payload.approvalUrl, `Approval extended: ${incident.title}`, lines);
    }
    return taken;
  };

  const requestApproval = async (incident: Incident, payload: Extract<StepPayload, { step: 'request-approval' }>): Promise<void> => {
    const tokenSha256 = createHash('sha256').update(payload.taskToken).digest('hex');
    // A retried invocation carries the same token: one wait, one email.
    if ((await deps.responses.getResponse(incident.id))?.approval?.tokenSha256 === tokenSha256) return;
    // JoinPendingApproval opened this execution's request. A wait that skipped it (an execution started before revisions
    // existed) may find another open: its steps join that one, and this wait runs out with nothing of its own to decide.
    const taken = await takeApprovalTier(incident, payload, payload.proposed);
    if (!('opened' in taken)) return;
    const request = taken.opened;
    await deps.responses.putApprovalToken(incident.id, request.nonce, payload.taskToken);
    const stored = await record(incident, (response) =>
      response.approval?.nonce === request.nonce ? { ...response, approval: { ...response.approval, tokenSha256 } } : response,
    );
    // Another execution may have added its steps to this request already.
    const waiting = stored.approval?.nonce === request.nonce ? stored.approval : request;
    const lines = [
      `pivotguard needs your decision on ${incident.id}: ${incident.title}.`,
      '',
      'Waiting for approval:',
      ...waiting.proposed.map(actionLine),
      '',
      ...(await howToDecide(incident, request, payload.approvalUrl)),
    ];
    await sendLink(incident, request.nonce, payload.approvalUrl, `Approval needed: ${incident.title}`, lines);
  };

  /** A link of its own to undo, resolve or dismiss from the page: the approval link only decides. */
  const manageLink = async (incident: Incident, approvalUrl: string): Promise<string[]> => {
    const expiresAt = clock().getTime() + MANAGE_LINK_MS;
    const claim = { incidentId: incident.id, expiresAt, nonce: randomUUID(), purpose: 'manage' as const };
    return [
      '',
      `Undo, resolve or dismiss from the page (this link does only that, until ${new Date(expiresAt).toISOString()}):`,
      `${approvalUrl}?t=${signApprovalLink(claim, await deps.linkSecret())}`,
    ];
  };

  const recordOutcome = async (incident: Incident, payload: Extract<StepPayload, { step: 'record' }>) => {
    const execution = executionOf(payload);
    const records = [payload.evidence?.record, ...(payload.automatic?.records ?? []), ...(payload.approved?.records ?? [])].filter(
      (entry): entry is ActionRecord => entry !== undefined,
    );
    const decision = payload.approval?.decision;
    const { plan } = incident;
    const stored = await record(incident, (response) => {
      let next = withActions(response, records);
      // A timeout has no decider to record it (the page and the terminal record their own), and it ends only this execution's wait.
      const ownWait = next.approval && !next.approval.decision && (next.approval.execution ?? execution) === execution ? next.approval : undefined;
      if (ownWait && (decision === 'timeout' || decision === 'rejected')) {
        next = { ...next, approval: { ...ownWait, decision, decidedAt: now(), decidedBy: decision === 'timeout' ? NOBODY_IN_TIME : 'unknown' } };
      }
      const covers = [...plan.automatic, ...plan.approval].map(actionKey);
      return withExecution(
        next,
        { execution, startedAt: payload.incident.lastSeen, dryRun: payload.dryRun, finishedAt: now(), covers },
        isRevision(payload) ? 'revision' : 'first',
      );
    });
    const manage = payload.approvalUrl ? await manageLink(incident, payload.approvalUrl) : [];
    await deps.notify(incident, `Containment finished: ${incident.title}`, [outcomeMessage(incident, stored, decision), ...manage].join('\n'));
    return { records: records.length };
  };

  const captureEvidence = async (incident: Incident, payload: Extract<StepPayload, { step: 'capture-evidence' }>) => {
    const pod = await podEvidence(incident);
    // Captures are write-once by key: the first execution's keys follow the incident's first sight (a retry writes the same
    // keys), a revision's its own start, so it never meets the first capture's objects.
    const capturedAt = new Date(isRevision(payload) && payload.startedAt ? payload.startedAt : payload.incident.firstSeen);
    const result = await deps.evidence.capture({
      incident,
      records: await deps.recordsBehind(incident),
      podSpec: pod.podSpec ?? (pod.notes.length ? { unavailable: pod.notes } : undefined),
      podLogs: pod.podLogs,
      rolePolicies: incident.blastRadius.rolePermissions,
      capturedAt,
      dryRun: payload.dryRun,
    });
    if (result.record.result === 'failed') throw Object.assign(new Error(result.record.detail), { name: 'EvidenceNotStored' });
    await record(incident, (response) => withActions(response, [result.record]));
    return { record: result.record, manifestKey: result.manifestKey, manifestSha256: result.manifestSha256 };
  };

  /** `stored` is the incident as the table holds it, the only source of what may run. */
  const workflowStep = async (payload: StepPayload, incident: Incident, stored: Incident | undefined): Promise<unknown> => {
    switch (payload.step) {
      case 'capture-evidence':
        return captureEvidence(incident, payload);
      case 'notify': {
        const subject = isRevision(payload) ? 'Containing more' : 'Containing';
        await deps.notify(incident, `${subject}: ${incident.title}`, planMessage(incident, payload.dryRun, isRevision(payload)));
        return { notified: true };
      }
      case 'run-action': {
        const { action } = payload;
        // What may run, and with which approval, is read from the state table: the payload is only a request.
        const authorization = authorizeStep(action, { incident: stored, response: await deps.responses.getResponse(payload.incident.id) }, clock());
        if (!authorization.allowed) return instant(incident, action, 'failed', `refused (${authorization.refusal}): ${authorization.reason}`);
        const result = await runAction(incident, authorization.step, payload.dryRun || authorization.step.dryRun === true, authorization.approval);
        await record(incident, (response) => withActions(response, [result]));
        return result;
      }
      case 'action-failed': {
        const { action, error } = payload;
        const failed = instant(incident, action, 'failed', `${error.Error ?? 'Error'}: ${error.Cause ?? 'the step failed'}`.slice(0, 500));
        await record(incident, (response) => withActions(response, [failed]));
        await deps.notify(
          incident,
          `Containment step failed: ${incident.title}`,
          `${actionName(action.action)} on ${action.target} failed for ${incident.id}: ${failed.detail}\nThe other steps go on.`,
        );
        return failed;
      }
      case 'record-failure':
        await deps.notify(
          incident,
          `Containment stopped: ${incident.title}`,
          `pivotguard could not ${payload.stage.replace('-', ' ')} for ${incident.id}: ${payload.error.Error ?? 'error'}. No containment step ran.`,
        );
        return { recorded: true };
      case 'join-approval':
        return { joined: 'joined' in (await takeApprovalTier(incident, payload, incident.plan.approval)) };
      case 'request-approval':
        await requestApproval(incident, payload);
        return undefined;
      case 'record':
        return recordOutcome(incident, payload);
      default:
        // A payload from a state this handler does not know: a deployment mismatch, never silently ignored.
        throw new UnknownStep((payload as { step?: unknown }).step);
    }
  };

  return async (payload: StepPayload): Promise<unknown> => {
    // A payload from a state this handler does not know (undo among them) may carry no incident at all.
    if (!payload.incident || typeof payload.incident.id !== 'string') throw new UnknownStep(payload.step);
    // Before anything is read or written: a payload that did not come from this incident's running execution acts on nothing.
    const check = await deps.executions.verify({ executionArn: payload.executionArn, incidentId: payload.incident.id });
    if (!check.ok) throw new StepRefused(payload.step, check.refusal, check.reason);
    const { incident, stored } = await current(payload.incident);
    return workflowStep(payload, incident, stored);
  };
}

export class UnknownStep extends Error {
  constructor(step: unknown) {
    // The terminal or a page of an earlier release may still send undo here.
    const hint = step === 'undo' ? '; undo runs in the undo function (stack output UndoFunctionName)' : '';
    super(`the containment handler has no step ${JSON.stringify(step)}${hint}`);
    this.name = 'UnknownStep';
  }
}

/** A step that does not run inside this state machine's running execution for its incident; nothing was changed. */
export class StepRefused extends PivotguardError {
  override name = 'StepRefused';

  constructor(
    readonly step: unknown,
    readonly refusal: ExecutionRefusal,
    reason: string,
  ) {
    super(`refused ${JSON.stringify(step)} (${refusal}): ${reason}`);
  }
}

function actionName(action: ContainmentAction): string {
  return action.replace(/-/g, ' ');
}
