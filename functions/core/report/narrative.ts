import type { ContainmentAction, Incident } from '#core/model/incident';
import type { ActionRecord } from '#core/respond/action';
import type { IncidentResponse } from '#core/respond/response';
import { type IncidentView, type ResponseView, incidentView } from '#core/view/incident-view';
import { NOTHING, listing, plural } from '#core/view/words';
import { ACTION_WORDS, formatDateTime } from './format.ts';

/** One incident told to a manager: a headline and four short paragraphs. */
export interface IncidentNarrative {
  /** The incident's title, as one line. */
  headline: string;
  happened: string;
  atRisk: string;
  done: string;
  left: string;
}

const LIST_MAX = 4;

/** Plain words only: rule ids and raw evidence stay in the tables and the incident itself. */
export function incidentNarrative(incident: Incident, response: IncidentResponse | undefined): IncidentNarrative {
  const view = incidentView(incident, response);
  return { headline: view.headline, happened: happened(view), atRisk: atRisk(view), done: done(view.response), left: left(view) };
}

function happened(view: IncidentView): string {
  const sources = listing(view.sources.map((source) => source.label));
  const where = view.where.cluster ? ` in cluster ${view.where.cluster}` : '';
  const until = view.seen.sameDay ? `${view.seen.to.slice(11, 16)} UTC` : formatDateTime(view.seen.to);
  const sentences = [
    `pivotguard rated it ${view.risk.severity} with ${view.risk.confidenceText} confidence, from ${plural(view.timeline.length, 'signal')}` +
      `${sources ? ` in ${sources}` : ''} seen${where} between ${formatDateTime(view.seen.from)} and ${until}.`,
  ];
  // "Credential Access (TA0006)" reads as "credential access".
  const aims = [...new Set(view.objectives.map((objective) => objective.tacticName.toLowerCase()))];
  if (aims.length > 0) sentences.push(`The likely aim was ${listing(aims)}.`);
  if (view.image) sentences.push(view.image.sentence);
  return sentences.join(' ');
}

function atRisk(view: IncidentView): string {
  const radius = view.risk.blastRadius;
  const sentences: string[] = [];
  for (const role of radius.roles) {
    sentences.push(role.policies.length > 0 ? `Role ${role.roleName} could use ${capped(role.policies)}.` : `Role ${role.roleName} has no policies attached.`);
  }
  if (radius.unreadRoles.length > 0)
    sentences.push(`It used ${listing(radius.unreadRoles.map((role) => `role ${role.roleName}`))}, whose permissions were not read.`);
  if (radius.sameServiceAccountPods.length > 0) {
    sentences.push(
      `${plural(radius.sameServiceAccountPods.length, 'pod')} share${radius.sameServiceAccountPods.length === 1 ? 's' : ''} its service account (${capped(radius.sameServiceAccountPods)}).`,
    );
  }
  if (radius.sameImagePods.length > 0) {
    sentences.push(
      `${plural(radius.sameImagePods.length, 'pod')} run${radius.sameImagePods.length === 1 ? 's' : ''} the same image (${capped(radius.sameImagePods)}).`,
    );
  }
  if (radius.podsOnNode.length > 0) sentences.push(`${plural(radius.podsOnNode.length, 'pod')} on the node could have read its instance-role credentials.`);
  sentences.push(...radius.notes);
  return sentences.length > 0 ? sentences.join(' ') : NOTHING.reach;
}

function done(response: ResponseView | undefined): string {
  if (!response) return 'No response was recorded for this incident.';
  const sentences: string[] = [];
  const by = (results: ActionRecord['result'][]) =>
    distinctActions(response.actions.filter((run) => results.includes(run.result)).map((run) => run.action.code));
  const applied = by(['applied', 'already-applied']);
  if (applied.length > 0) sentences.push(`pivotguard ${listing(applied.map((action) => ACTION_WORDS[action].done))}.`);
  const dry = by(['dry-run']);
  if (dry.length > 0) sentences.push(`In dry-run mode it would have ${listing(dry.map((action) => ACTION_WORDS[action].done))}, but changed nothing.`);
  for (const run of response.actions.filter((run) => run.result === 'failed')) {
    sentences.push(`It tried to ${ACTION_WORDS[run.action.code].todo} and failed: ${run.detail}.`);
  }
  for (const manual of response.history.filter((change) => change.to === 'contained' && change.by !== 'pivotguard')) {
    sentences.push(`${manual.by} marked it contained on ${formatDateTime(manual.at)}.`);
  }
  const approval = response.approval;
  if (approval) {
    const steps = listing(distinctActions(approval.proposed.map((step) => step.action.code)).map((action) => ACTION_WORDS[action].todo));
    if (approval.decision === 'approved' || approval.decision === 'rejected') {
      const when = approval.decidedAt ? ` on ${formatDateTime(approval.decidedAt)}` : '';
      sentences.push(`${approval.decidedBy ?? 'Someone (not recorded)'} ${approval.decision} the request to ${steps}${when}.`);
    } else if (approval.decision === 'timeout') {
      sentences.push(`The request to ${steps} expired unanswered on ${formatDateTime(approval.decidedAt ?? approval.expiresAt)}.`);
    } else {
      sentences.push(`Approval to ${steps} was requested on ${formatDateTime(approval.requestedAt)}.`);
    }
  }
  for (const undo of response.undone) {
    const noun = ACTION_WORDS[undo.action].noun.toLowerCase();
    sentences.push(
      undo.result === 'undone'
        ? `${undo.by} undid the ${noun} on ${formatDateTime(undo.at)}.`
        : `Undoing ${noun} (by ${undo.by}) ended ${undo.result}: ${undo.detail}.`,
    );
  }
  return sentences.length > 0 ? sentences.join(' ') : 'No containment step was taken.';
}

function left(view: IncidentView): string {
  const { response } = view;
  if (!response) return 'It is still open: nobody has handled it in pivotguard.';
  const status = view.status.code;
  const closing = response.history.filter((change) => change.to === status).at(-1);
  const closed = (verb: string) =>
    closing
      ? `Nothing is left: ${closing.by} ${verb} on ${formatDateTime(closing.at)}${closing.reason ? ` (${closing.reason.replace(/\.$/, '')})` : ''}.`
      : `Nothing is left: it was ${verb.replace(/ it\b/, '')}.`;
  if (status === 'resolved') return closed('resolved it');
  if (status === 'false-positive') {
    const sentences = [closed('dismissed it as a false positive')];
    const proposed = response.proposedSuppression;
    if (proposed) {
      const until = formatDateTime(proposed.expiresAt);
      sentences.push(
        proposed.accepted
          ? `${proposed.accepted.by} accepted a suppression of similar alerts until ${until}.`
          : `A suppression of similar alerts until ${until} was proposed and is not yet accepted.`,
      );
    }
    return sentences.join(' ');
  }
  const sentences = [
    status === 'contained'
      ? `It has been contained${closing ? ` since ${formatDateTime(closing.at)}` : ''} but is not yet resolved.`
      : `It has been open since ${formatDateTime(response.openedAt)} and nothing has contained it yet.`,
  ];
  const approval = response.approval;
  if (approval && !approval.decision) {
    const steps = listing(distinctActions(approval.proposed.map((step) => step.action.code)).map((action) => ACTION_WORDS[action].todo));
    sentences.push(`It waits for someone to approve or reject the request to ${steps}; the request expires ${formatDateTime(approval.expiresAt)}.`);
  }
  const undone = distinctActions(response.undone.filter((undo) => undo.result === 'undone').map((undo) => undo.action));
  if (undone.length > 0) sentences.push(`No longer in force because undone: ${listing(undone.map((action) => ACTION_WORDS[action].noun.toLowerCase()))}.`);
  const failed = distinctActions(response.actions.filter((run) => run.result === 'failed').map((run) => run.action.code));
  if (failed.length > 0) sentences.push(`Still to do by hand: ${listing(failed.map((action) => ACTION_WORDS[action].todo))}.`);
  return sentences.join(' ');
}

function distinctActions(actions: readonly ContainmentAction[]): ContainmentAction[] {
  return [...new Set(actions)];
}

/** "a, b, c, d and 3 more" */
function capped(items: readonly string[]): string {
  if (items.length <= LIST_MAX) return listing(items);
  return listing([...items.slice(0, LIST_MAX), `${items.length - LIST_MAX} more`]);
}
