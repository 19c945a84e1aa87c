import type { ContainmentAction, Incident } from '#core/model/incident';
import type { IncidentResponse, UndoneRecord } from '#core/respond/response';

/**
 * What a person can do about an incident, from the approval page or the terminal. Every call
 * names who acted; every outcome is recorded in the incident's response.
 */
export interface ApprovalDesk {
  show(incidentId: string): Promise<{ incident: Incident; response: IncidentResponse | undefined } | undefined>;
  /** Approve or reject what waits; `nonce` ties a link to one wait (the terminal decides the current one). */
  decide(input: { incidentId: string; nonce?: string; decision: 'approve' | 'reject'; by: string }): Promise<DecisionResult>;
  /** Reverses the recorded steps (all, or only those of one action). */
  undo(input: { incidentId: string; action?: ContainmentAction; by: string; dryRun?: boolean }): Promise<UndoneRecord[]>;
  /** Lifecycle: resolved, or dismissed as a false positive with a reason. */
  setStatus(input: { incidentId: string; to: 'resolved' | 'false-positive' | 'open'; by: string; reason?: string }): Promise<DecisionResult>;
}

export type DecisionResult = { ok: true; response: IncidentResponse } | { ok: false; reason: string };
