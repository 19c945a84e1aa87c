import type { Config } from '#core/config';
import type { Incident } from '#core/model/incident';
import { type Severity, severityRank } from '#core/model/signal';
import type { IncidentChange } from '#core/store/store';
import { type ExecutionKind, type IncidentResponse, actionKey, openResponse, uncoveredPlan, withAlert } from './response.ts';

/**
 * What happens after correlation, decided in one place for the analyzer and the replay: the
 * response recorded (opened once, each alert once), and which containment execution to start.
 */

/**
 * What a response is about: an incident the store reports opened or escalated, or (a replay
 * revisiting its state) one that did not change, with nothing to alert on but perhaps something
 * left to contain.
 */
export type IncidentUpdate = IncidentChange | { incident: Incident; change: 'unchanged' };

/** An execution to start: what it takes on of the plan, and the plan's steps it covers (actionKey). */
export interface ContainmentStart {
  kind: ExecutionKind;
  plan: Incident['plan'];
  covers: string[];
}

export interface ResponseDecision {
  /** The response to record: the current one, or one opened now, with the update's alert added once. */
  response: IncidentResponse;
  /** No response was recorded before: this decision opened it. */
  opened: boolean;
  /** Undefined when the incident is not severe enough or every planned step is covered already. */
  containment?: ContainmentStart;
}

export interface ResponseDecisionInput {
  update: IncidentUpdate;
  /** The response as recorded, undefined when there is none yet. */
  current: IncidentResponse | undefined;
  /** Now, as the response is to record it. */
  at: string;
  /** When the incident's earliest record reached pivotguard, kept on a response opened now. */
  firstRecordReceivedAt?: string;
  /** Whether the containment to start runs dry. */
  dryRun: boolean;
}

/** The one place the containment threshold is read: incidents (or signals) at or above `actions.containFrom`. */
export function shouldContain(subject: { severity: Severity }, config: Config): boolean {
  return severityRank[subject.severity] >= severityRank[config.actions.containFrom];
}

export function decideResponse(input: ResponseDecisionInput, config: Config): ResponseDecision {
  const { update, current, at, firstRecordReceivedAt } = input;
  const { incident } = update;
  const base = current ?? { ...openResponse(incident.id, at), ...(firstRecordReceivedAt ? { firstRecordReceivedAt } : {}) };
  const response = update.change === 'unchanged' ? base : withAlert(base, { at, kind: update.change, severity: incident.severity });
  const containment = shouldContain(incident, config) ? nextContainment(incident, response, input.dryRun) : undefined;
  return { response, opened: current === undefined, ...(containment ? { containment } : {}) };
}

/**
 * The execution that takes on what the plan holds and no execution covers yet: the whole plan
 * first, then a revision for each change that adds steps (a new session, role or pod), none when
 * nothing is left. `firstStarted` says the first execution exists even if the response does not
 * record it yet (another analyzer started it from its own snapshot).
 */
export function nextContainment(
  incident: Incident,
  response: IncidentResponse | undefined,
  dryRun: boolean,
  firstStarted = response?.workflow !== undefined,
): ContainmentStart | undefined {
  const plan = uncoveredPlan(incident.plan, covering(response, dryRun));
  const covers = [...plan.automatic, ...plan.approval].map(actionKey);
  if (!firstStarted) return { kind: 'first', plan, covers };
  return covers.length > 0 ? { kind: 'revision', plan, covers } : undefined;
}

/** A dry run changed nothing: for a real run, what only dry executions covered is still to do. */
function covering(response: IncidentResponse | undefined, dryRun: boolean): IncidentResponse | undefined {
  if (!response || dryRun) return response;
  return {
    ...response,
    workflow: response.workflow?.dryRun ? undefined : response.workflow,
    revisions: response.revisions?.filter((revision) => !revision.dryRun),
  };
}
