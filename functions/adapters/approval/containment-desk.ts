import type { ApprovalDecision, IncidentResponse, UndoneRecord } from '#core/respond/response';
import { InvalidTransition, NOBODY_IN_TIME, openResponse, undecided, withStatus } from '#core/respond/response';
import { decidedByWords, declaredName } from '#core/view/decision-words';
import { proposeSuppression } from '#core/respond/suppression-proposal';
import type { ResponseStore } from '#core/store/response-store';
import type { Store } from '#core/store/store';
import type { UndoRequest } from '../containment/undo.ts';
import type { ApprovalDesk, DecisionResult } from './desk.ts';
import { WaitEnded, type WorkflowDecisions } from './workflow-decisions.ts';

export interface ContainmentDeskDeps {
  incidents: Pick<Store, 'getIncident'>;
  responses: ResponseStore;
  workflow: WorkflowDecisions;
  /** Runs where the cluster and IAM access are: the containment function when deployed. */
  undo(request: UndoRequest): Promise<UndoneRecord[]>;
  clock?: () => Date;
}

/** The one implementation of a person's decisions, behind both the approval page and the terminal. */
export class ContainmentDesk implements ApprovalDesk {
  private readonly clock: () => Date;

  constructor(private readonly deps: ContainmentDeskDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  async show(incidentId: string) {
    const incident = await this.deps.incidents.getIncident(incidentId);
    if (!incident) return undefined;
    return { incident, response: await this.deps.responses.getResponse(incidentId) };
  }

  async decide({ incidentId, nonce, decision, by }: Parameters<ApprovalDesk['decide']>[0]): Promise<DecisionResult> {
    const approval = (await this.deps.responses.getResponse(incidentId))?.approval;
    if (!approval) return { ok: false, reason: `nothing of ${incidentId} is waiting for approval` };
    if (nonce !== undefined && nonce !== approval.nonce) return { ok: false, reason: 'this link belongs to an earlier approval request; use the latest email' };
    if (approval.decision)
      return { ok: false, reason: `already ${approval.decision} by ${decidedByWords(approval) ?? 'someone'} at ${approval.decidedAt ?? 'an unknown time'}` };
    const at = this.clock().toISOString();
    if (at > approval.expiresAt) return { ok: false, reason: `the approval expired at ${approval.expiresAt}; nothing disruptive ran` };
    const token = await this.deps.responses.takeApprovalToken(incidentId, approval.nonce);
    if (!token) return { ok: false, reason: 'someone else decided a moment ago; reload to see the decision' };
    const outcome = decision === 'approve' ? 'approved' : 'rejected';
    // Recorded before it is delivered: steps another execution adds at this moment are either in what is
    // approved, or find the request decided and wait for a decision of their own.
    // Only a link carries a nonce: its name is what the page was told, recorded beside where the link was sent.
    const declared = nonce !== undefined ? { declaredBy: declaredName(by) } : {};
    const decided = await this.settle(incidentId, approval.nonce, { decision: outcome, decidedBy: by, decidedAt: at, ...declared });
    const actions = (decided.approval?.nonce === approval.nonce ? decided.approval : approval).proposed;
    try {
      await (decision === 'approve' ? this.deps.workflow.approve(token, { by, at, actions }) : this.deps.workflow.reject(token, { by, at }));
    } catch (error) {
      if (!(error instanceof WaitEnded)) {
        await this.reopen(incidentId, approval.nonce, token);
        throw error;
      }
      // A decision that came too late is not recorded as that person's: the wait ended without one.
      await this.settle(incidentId, approval.nonce, { decision: 'timeout', decidedBy: NOBODY_IN_TIME, decidedAt: at });
      return { ok: false, reason: `${error.message}; nothing disruptive ran` };
    }
    return { ok: true, response: decided };
  }

  private settle(incidentId: string, nonce: string, decided: ApprovalDecision): Promise<IncidentResponse> {
    return this.deps.responses.updateResponse(incidentId, (current) => {
      const base = current ?? openResponse(incidentId, decided.decidedAt);
      return base.approval?.nonce === nonce ? { ...base, approval: { ...undecided(base.approval), ...decided } } : base;
    });
  }

  /** The decision could not be delivered: the request is open again, with its token, for another try. */
  private async reopen(incidentId: string, nonce: string, token: string): Promise<void> {
    await this.deps.responses.putApprovalToken(incidentId, nonce, token);
    await this.deps.responses.updateResponse(incidentId, (current) => {
      const base = current ?? openResponse(incidentId, this.clock().toISOString());
      if (base.approval?.nonce !== nonce) return base;
      return { ...base, approval: undecided(base.approval) };
    });
  }

  undo(request: UndoRequest): Promise<UndoneRecord[]> {
    return this.deps.undo(request);
  }

  async setStatus({ incidentId, to, by, reason }: Parameters<ApprovalDesk['setStatus']>[0]): Promise<DecisionResult> {
    const incident = await this.deps.incidents.getIncident(incidentId);
    if (!incident) return { ok: false, reason: `no incident ${incidentId}` };
    if (to === 'false-positive' && !reason?.trim()) return { ok: false, reason: 'say why it is a false positive' };
    const at = this.clock().toISOString();
    try {
      const response = await this.deps.responses.updateResponse(incidentId, (current: IncidentResponse | undefined) => {
        const next = withStatus(current ?? openResponse(incidentId, incident.lastSeen), { to, by, at, reason: reason?.trim() || undefined });
        // Dismissing proposes a suppression people can accept; dismissing again keeps the first (and its acceptance).
        return to === 'false-positive' ? { ...next, proposedSuppression: next.proposedSuppression ?? proposeSuppression(incident, this.clock()) } : next;
      });
      return { ok: true, response };
    } catch (error) {
      if (error instanceof InvalidTransition) return { ok: false, reason: error.message };
      throw error;
    }
  }
}
