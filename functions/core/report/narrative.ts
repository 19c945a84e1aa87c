import type { ContainmentAction, Incident } from '#core/model/incident';
import type { ActionRecord } from '#core/respond/action';
import type { IncidentResponse } from '#core/respond/response';
import { ACTION_WORDS, formatDateTime, listing, plural, roleName } from './format.ts';

/** One incident told to a manager: a headline and four short paragraphs. */
export interface IncidentNarrative {
  /** The incident's title, as one line. */
  headline: string;
  happened: string;
  atRisk: string;
  done: string;
  left: string;
}

const SOURCE_LABEL: Record<string, string> = { 'eks-audit': 'EKS audit logs', cloudtrail: 'CloudTrail', guardduty: 'GuardDuty' };
const LIST_MAX = 4;

/** Plain words only: rule ids and raw evidence stay in the tables and the incident itself. */
export function incidentNarrative(incident: Incident, response: IncidentResponse | undefined): IncidentNarrative {
  return { headline: incident.title, happened: happened(incident), atRisk: atRisk(incident), done: done(response), left: left(response) };
}

function happened(incident: Incident): string {
  const sources = listing([...new Set(incident.signals.map((signal) => SOURCE_LABEL[signal.source] ?? signal.source))]);
  const where = incident.workload.cluster ? ` in cluster ${incident.workload.cluster}` : '';
  const sameDay = incident.firstSeen.slice(0, 10) === incident.lastSeen.slice(0, 10);
  const until = sameDay ? `${incident.lastSeen.slice(11, 16)} UTC` : formatDateTime(incident.lastSeen);
  const sentences = [
    `pivotguard rated it ${incident.severity} with ${Math.round(incident.confidence * 100)}% confidence, from ${plural(incident.signals.length, 'signal')}` +
      `${sources ? ` in ${sources}` : ''} seen${where} between ${formatDateTime(incident.firstSeen)} and ${until}.`,
  ];
  // "Credential Access (TA0006)" reads as "credential access".
  const aims = [...new Set(incident.objectives.map((objective) => objective.tactic.replace(/\s*\(.*\)\s*$/, '').toLowerCase()))];
  if (aims.length > 0) sentences.push(`The likely aim was ${listing(aims)}.`);
  return sentences.join(' ');
}

function atRisk(incident: Incident): string {
  const radius = incident.blastRadius;
  const sentences: string[] = [];
  for (const role of radius.rolePermissions) {
    sentences.push(
      role.policies.length > 0
        ? `Role ${roleName(role.roleArn)} could use ${capped(role.policies)}.`
        : `Role ${roleName(role.roleArn)} has no policies attached.`,
    );
  }
  const unread = incident.identities.filter((identity) => !radius.rolePermissions.some((role) => role.roleArn === identity.roleArn));
  if (unread.length > 0) sentences.push(`It used ${listing(unread.map((identity) => `role ${roleName(identity.roleArn)}`))}, whose permissions were not read.`);
  if (radius.sameServiceAccountPods.length > 0) {
    sentences.push(`${plural(radius.sameServiceAccountPods.length, 'pod')} share${radius.sameServiceAccountPods.length === 1 ? 's' : ''} its service account (${capped(radius.sameServiceAccountPods)}).`);
  }
  if (radius.sameImagePods.length > 0) {
    sentences.push(`${plural(radius.sameImagePods.length, 'pod')} run${radius.sameImagePods.length === 1 ? 's' : ''} the same image (${capped(radius.sameImagePods)}).`);
  }
  if (radius.podsOnNode.length > 0) sentences.push(`${plural(radius.podsOnNode.length, 'pod')} on the node could have read its instance-role credentials.`);
  sentences.push(...radius.notes);
  return sentences.length > 0 ? sentences.join(' ') : 'Nothing beyond the workload itself was known to be reachable.';
}

function done(response: IncidentResponse | undefined): string {
  if (!response) return 'No response was recorded for this incident.';
  const sentences: string[] = [];
  const by = (results: ActionRecord['result'][]) => distinctActions(response.actions.filter((record) => results.includes(record.result)));
  const applied = by(['applied', 'already-applied']);
  if (applied.length > 0) sentences.push(`pivotguard ${listing(applied.map((action) => ACTION_WORDS[action].done))}.`);
  const dry = by(['dry-run']);
  if (dry.length > 0) sentences.push(`In dry-run mode it would have ${listing(dry.map((action) => ACTION_WORDS[action].done))}, but changed nothing.`);
  for (const record of response.actions.filter((record) => record.result === 'failed')) {
    sentences.push(`It tried to ${ACTION_WORDS[record.action].todo} and failed: ${record.detail}.`);
  }
  for (const manual of response.history.filter((change) => change.to === 'contained' && change.by !== 'pivotguard')) {
    sentences.push(`${manual.by} marked it contained on ${formatDateTime(manual.at)}.`);
  }
  const approval = response.approval;
  if (approval) {
    const steps = listing(distinctActions(approval.proposed).map((action) => ACTION_WORDS[action].todo));
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
    const noun = ACTION_WORDS[undo.action].noun;
    sentences.push(
      undo.result === 'undone'
        ? `${undo.by} undid the ${noun.toLowerCase()} on ${formatDateTime(undo.at)}.`
        : `Undoing ${noun.toLowerCase()} (by ${undo.by}) ended ${undo.result}: ${undo.detail}.`,
    );
  }
  return sentences.length > 0 ? sentences.join(' ') : 'No containment step was taken.';
}

function left(response: IncidentResponse | undefined): string {
  if (!response) return 'It is still open: nobody has handled it in pivotguard.';
  const closing = response.history.filter((change) => change.to === response.status).at(-1);
  const closed = (verb: string) =>
    closing
      ? `Nothing is left: ${closing.by} ${verb} on ${formatDateTime(closing.at)}${closing.reason ? ` (${closing.reason.replace(/\.$/, '')})` : ''}.`
      : `Nothing is left: it was ${verb.replace(/ it\b/, '')}.`;
  if (response.status === 'resolved') return closed('resolved it');
  if (response.status === 'false-positive') {
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
    response.status === 'contained'
      ? `It has been contained${closing ? ` since ${formatDateTime(closing.at)}` : ''} but is not yet resolved.`
      : `It has been open since ${formatDateTime(response.openedAt)} and nothing has contained it yet.`,
  ];
  const approval = response.approval;
  if (approval && !approval.decision) {
    const steps = listing(distinctActions(approval.proposed).map((action) => ACTION_WORDS[action].todo));
    sentences.push(`It waits for someone to approve or reject the request to ${steps}; the request expires ${formatDateTime(approval.expiresAt)}.`);
  }
  const undone = distinctActions(response.undone.filter((undo) => undo.result === 'undone'));
  if (undone.length > 0) sentences.push(`No longer in force because undone: ${listing(undone.map((action) => ACTION_WORDS[action].noun.toLowerCase()))}.`);
  const failed = distinctActions(response.actions.filter((record) => record.result === 'failed'));
  if (failed.length > 0) sentences.push(`Still to do by hand: ${listing(failed.map((action) => ACTION_WORDS[action].todo))}.`);
  return sentences.join(' ');
}

function distinctActions(records: readonly { action: ContainmentAction }[]): ContainmentAction[] {
  return [...new Set(records.map((record) => record.action))];
}

function capped(items: readonly string[]): string {
  if (items.length <= LIST_MAX) return listing(items);
  return listing([...items.slice(0, LIST_MAX), `${items.length - LIST_MAX} more`]);
}
