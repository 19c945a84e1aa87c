import { accountOf } from '#core/model/arn';
import { clusterAccountOf } from '#core/model/cluster-id';
import type { ContainmentAction, Incident, IncidentIdentity, IncidentWorkload, PlannedAction } from '#core/model/incident';
import type { Severity } from '#core/model/signal';
import type { Source } from '#core/model/event';
import type { ActionRecord } from '#core/respond/action';
import { ACTION_LABELS } from '#core/respond/action-labels';
import type { ApprovalRequest, IncidentResponse, IncidentStatus, ProposedSuppression, StatusChange, UndoneRecord } from '#core/respond/response';
import { pendingUndos, settledUndoOf } from '#core/respond/undo-plan';
import { decidedByWords, declaredName } from './decision-words.ts';
import { describeUndo } from './undo-words.ts';
import { type ImageView, imageViewOf } from './image-view.ts';
import { type Labelled, SOURCE_LABELS, STATUS_LABELS, VIA_LABELS, labelled, percent, printable, roleName, tacticName } from './words.ts';

/**
 * One incident as every rendering shows it (email, approval page, terminal, Security Hub, the
 * monthly review, the workflow's emails): built once, every text from the records already made
 * printable, codes kept beside their labels. Renderers choose and lay out; they add no facts.
 */
export interface IncidentView {
  id: string;
  /** The incident's title, as one line. */
  headline: string;
  explanation: string;
  seen: { from: string; to: string; sameDay: boolean };
  risk: RiskView;
  where: WhereView;
  /** Every account the incident's roles are in, in the order of the roles: a cross-account pivot names both. */
  accounts: AccountView[];
  identities: IdentityView[];
  objectives: ObjectiveView[];
  /** Each source that contributed a signal, in the order of the first signal from it. */
  sources: Labelled<Source>[];
  /** Every signal, in time order. */
  timeline: TimelineEntry[];
  /** First-seen facts: an address or API new to a role, a process new to an image. */
  newBehaviour: string[];
  whatChanged: { time: string; description: string }[];
  suppressedSignals: number;
  plan: { automatic: StepView[]; approval: StepView[] };
  status: Labelled<IncidentStatus>;
  /** What people and the workflow did; undefined until something is recorded. */
  response?: ResponseView;
  /** The image behind the incident: its vulnerabilities, rollout, where else it runs, admission; undefined when no digest is known. */
  image?: ImageView;
}

export type { Labelled };

export interface RiskView {
  severity: Severity;
  /** 0 to 1. */
  confidence: number;
  /** "99%" */
  confidenceText: string;
  blastRadius: BlastRadiusView;
}

export interface BlastRadiusView {
  /** What each linked role may use, where IAM could be read. */
  roles: { roleArn: string; roleName: string; policies: string[] }[];
  /** Linked roles whose permissions were not read. */
  unreadRoles: { roleArn: string; roleName: string }[];
  sameServiceAccountPods: string[];
  sameImagePods: string[];
  podsOnNode: { pod: string; reason: string }[];
  notes: string[];
  /** Nothing beyond the workload itself is known to be reachable. */
  empty: boolean;
}

export type WhereKey = 'accounts' | 'cluster' | 'namespace' | 'pod' | 'owner' | 'serviceAccount' | 'node' | 'image' | 'imageDigest';

/** The incident's workload, printable, and its known fields labelled. */
export interface WhereView extends IncidentWorkload {
  /** The known fields, labelled, in the order they are shown; the namespace carries its criticality. */
  fields: { key: WhereKey; label: string; value: string }[];
}

/** An AWS account as people name it: its id, and its alias from the configuration when it has one. */
export interface AccountView {
  id: string;
  alias?: string;
  /** "222233334444 'data'" */
  text: string;
}

export interface IdentityView {
  roleArn: string;
  roleName: string;
  /** The role's account; undefined when the role ARN names none. */
  account?: AccountView;
  via: Labelled<string>;
  sessions: string[];
  accessKeyIds: string[];
  /** Every address the credentials were used from, each marked when outside the cluster's egress. */
  sourceIps: { ip: string; outside: boolean }[];
  outsideIps: string[];
  /** The addresses that are the cluster's own. */
  otherIps: string[];
  /** Why each of those counts as the cluster's: configured, read from EC2, or learned (and from what). */
  egressReasons: string[];
}

export interface ObjectiveView {
  /** "Execution (TA0002)" */
  tactic: string;
  /** "Execution" */
  tacticName: string;
  technique: string;
}

export interface TimelineEntry {
  time: string;
  source: Labelled<Source>;
  severity: Severity;
  rule: string;
  summary: string;
}

export interface StepView {
  action: Labelled<ContainmentAction>;
  target: string;
  reason: string;
  dryRun: boolean;
}

export interface ResponseView {
  openedAt: string;
  dryRun: boolean;
  actions: ActionRunView[];
  /** What an undo would reverse, by action, in the order the steps ran. */
  undoable: { action: Labelled<ContainmentAction>; targets: string[] }[];
  approval?: ApprovalView;
  history: StatusChange[];
  undone: UndoneRecord[];
  proposedSuppression?: ProposedSuppression;
}

export interface ActionRunView {
  action: Labelled<ContainmentAction>;
  target: string;
  result: ActionRecord['result'];
  finishedAt: string;
  detail: string;
  /** What running its undo would change, for a person deciding whether to run it. */
  undo?: string;
  /** The settled undo recorded for the step. */
  reversal?: UndoneRecord;
}

export interface ApprovalView {
  nonce: string;
  requestedAt: string;
  expiresAt: string;
  proposed: StepView[];
  decision?: ApprovalRequest['decision'];
  decidedAt?: string;
  /** Who decided, worded once for every rendering: through the link, the declared name and where the link was sent. */
  decidedBy?: string;
  /** The name typed on the page, when the decision came through the link. */
  declaredBy?: string;
  /** Where the link was emailed, as recorded when it was sent. */
  sentTo?: string[];
}

const WHERE_LABELS: [Exclude<WhereKey, 'accounts'>, string][] = [
  ['cluster', 'Cluster'],
  ['namespace', 'Namespace'],
  ['pod', 'Pod'],
  ['owner', 'Owner'],
  ['serviceAccount', 'Service account'],
  ['node', 'Node'],
  ['image', 'Image'],
  ['imageDigest', 'Image digest'],
];

export function incidentView(incident: Incident, response?: IncidentResponse): IncidentView {
  const status = response?.status ?? 'open';
  return {
    id: incident.id,
    headline: printable(incident.title),
    explanation: printable(incident.explanation),
    seen: { from: incident.firstSeen, to: incident.lastSeen, sameDay: incident.firstSeen.slice(0, 10) === incident.lastSeen.slice(0, 10) },
    risk: {
      severity: incident.severity,
      confidence: incident.confidence,
      confidenceText: percent(incident.confidence),
      blastRadius: blastRadiusOf(incident),
    },
    where: whereOf(incident),
    accounts: accountsOf(incident),
    identities: incident.identities.map((identity) => ({
      roleArn: printable(identity.roleArn),
      roleName: printable(roleName(identity.roleArn)),
      ...withAccount(identity),
      via: labelled(identity.via, VIA_LABELS),
      sessions: texts(identity.sessions),
      accessKeyIds: texts(identity.accessKeyIds),
      sourceIps: identity.sourceIps.map((ip) => ({ ip: printable(ip), outside: identity.unusualSourceIps.includes(ip) })),
      outsideIps: texts(identity.unusualSourceIps),
      otherIps: texts(identity.sourceIps.filter((ip) => !identity.unusualSourceIps.includes(ip))),
      egressReasons: (identity.egressSources ?? []).map(({ source, reason }) => `${printable(source)}: ${printable(reason)}`),
    })),
    objectives: incident.objectives.map(({ tactic, technique }) => ({
      tactic: printable(tactic),
      tacticName: printable(tacticName(tactic)),
      technique: printable(technique),
    })),
    sources: [...new Set(incident.signals.map((signal) => signal.source))].map((source) => labelled(source, SOURCE_LABELS)),
    timeline: incident.signals.map((signal) => ({
      time: signal.time,
      source: labelled(signal.source, SOURCE_LABELS),
      severity: signal.severity,
      rule: signal.rule,
      summary: printable(signal.summary),
    })),
    newBehaviour: texts(incident.newBehaviour),
    whatChanged: incident.whatChanged.map((change) => ({ time: change.time, description: printable(change.description) })),
    suppressedSignals: incident.suppressedSignals,
    plan: { automatic: incident.plan.automatic.map(stepOf), approval: incident.plan.approval.map(stepOf) },
    status: { code: status, label: STATUS_LABELS[status] },
    ...(response ? { response: responseOf(response) } : {}),
    ...(incident.image ? { image: imageViewOf(incident.image) } : {}),
  };
}

function whereOf(incident: Incident): WhereView {
  const workload = incident.workload;
  const text = (value: string | null) => (value ? printable(value) || null : null);
  const where = {
    cluster: text(workload.cluster),
    namespace: text(workload.namespace),
    namespaceCriticality: text(workload.namespaceCriticality),
    pod: text(workload.pod),
    owner: text(workload.owner),
    serviceAccount: text(workload.serviceAccount),
    node: text(workload.node),
    image: text(workload.image),
    imageDigest: text(workload.imageDigest),
  };
  const shown = (key: Exclude<WhereKey, 'accounts'>) =>
    key === 'namespace' && where.namespace && where.namespaceCriticality ? `${where.namespace} (${where.namespaceCriticality})` : where[key];
  const fields: WhereView['fields'] = WHERE_LABELS.flatMap(([key, label]) => {
    const value = shown(key);
    return value ? [{ key, label, value }] : [];
  });
  // The accounts come first: in an organization, which account is the first thing a responder needs.
  const accounts = accountsOf(incident);
  if (accounts.length > 0)
    fields.unshift({ key: 'accounts', label: accounts.length === 1 ? 'Account' : 'Accounts', value: accounts.map((account) => account.text).join(', ') });
  return { ...where, fields };
}

function accountsOf(incident: Incident): AccountView[] {
  const accounts = new Map<string, AccountView>();
  // A member account's cluster (NAME@ACCOUNT) names its account first: it is where the workload runs.
  const clusterAccount = incident.workload.cluster ? clusterAccountOf(incident.workload.cluster) : undefined;
  if (clusterAccount) accounts.set(clusterAccount, { id: clusterAccount, text: clusterAccount });
  for (const identity of incident.identities) {
    const account = accountViewOf(identity);
    if (account && !accounts.get(account.id)?.alias) accounts.set(account.id, account);
  }
  return [...accounts.values()];
}

function withAccount(identity: IncidentIdentity): Pick<IdentityView, 'account'> {
  const account = accountViewOf(identity);
  return account ? { account } : {};
}

/** Incidents stored before identities carried their account still name it: it is in the role ARN. */
function accountViewOf(identity: IncidentIdentity): AccountView | undefined {
  const id = identity.accountId ?? accountOf(identity.roleArn);
  if (!id) return undefined;
  const alias = identity.accountAlias ? printable(identity.accountAlias) : undefined;
  return alias ? { id, alias, text: `${id} '${alias}'` } : { id, text: id };
}

function blastRadiusOf(incident: Incident): BlastRadiusView {
  const radius = incident.blastRadius;
  const read = new Set(radius.rolePermissions.map((role) => role.roleArn));
  const view: Omit<BlastRadiusView, 'empty'> = {
    roles: radius.rolePermissions.map((role) => ({
      roleArn: printable(role.roleArn),
      roleName: printable(roleName(role.roleArn)),
      policies: texts(role.policies),
    })),
    unreadRoles: incident.identities
      .filter((identity) => !read.has(identity.roleArn))
      .map((identity) => ({ roleArn: printable(identity.roleArn), roleName: printable(roleName(identity.roleArn)) })),
    sameServiceAccountPods: texts(radius.sameServiceAccountPods),
    sameImagePods: texts(radius.sameImagePods),
    podsOnNode: radius.podsOnNode.map((entry) => ({ pod: printable(entry.pod), reason: printable(entry.reason) })),
    notes: texts(radius.notes),
  };
  const empty = view.roles.length + view.sameServiceAccountPods.length + view.sameImagePods.length + view.podsOnNode.length + view.notes.length === 0;
  return { ...view, empty };
}

function responseOf(response: IncidentResponse): ResponseView {
  const undoable = pendingUndos(response);
  const kinds = [...new Set(undoable.map((record) => record.action))];
  const approval = response.approval;
  return {
    openedAt: response.openedAt,
    dryRun: response.workflow?.dryRun ?? false,
    actions: response.actions.map((record) => {
      const reversal = settledUndoOf(record, response.undone);
      return {
        action: actionLabelled(record.action),
        target: printable(record.target),
        result: record.result,
        finishedAt: record.finishedAt,
        detail: printable(record.detail),
        ...(record.undo ? { undo: printable(describeUndo(record.undo)) } : {}),
        ...(reversal ? { reversal: { ...reversal, by: printable(reversal.by), detail: printable(reversal.detail) } } : {}),
      };
    }),
    undoable: kinds.map((action) => ({
      action: actionLabelled(action),
      targets: undoable.filter((record) => record.action === action).map((record) => printable(record.target)),
    })),
    ...(approval
      ? {
          approval: {
            nonce: approval.nonce,
            requestedAt: approval.requestedAt,
            expiresAt: approval.expiresAt,
            proposed: approval.proposed.map(stepOf),
            ...(approval.decision ? { decision: approval.decision } : {}),
            ...(approval.decidedAt ? { decidedAt: approval.decidedAt } : {}),
            ...decisionOf(approval),
            ...(approval.sentTo ? { sentTo: texts(approval.sentTo) } : {}),
          },
        }
      : {}),
    history: response.history.map((change) => ({ ...change, by: printable(change.by), ...(change.reason ? { reason: printable(change.reason) } : {}) })),
    undone: response.undone.map((undo) => ({ ...undo, target: printable(undo.target), by: printable(undo.by), detail: printable(undo.detail) })),
    ...(response.proposedSuppression ? { proposedSuppression: response.proposedSuppression } : {}),
  };
}

function decisionOf(approval: ApprovalRequest): Pick<ApprovalView, 'decidedBy' | 'declaredBy'> {
  const decidedBy = decidedByWords(approval);
  return {
    ...(decidedBy ? { decidedBy } : {}),
    ...(approval.declaredBy !== undefined ? { declaredBy: declaredName(approval.declaredBy) } : {}),
  };
}

function stepOf(action: PlannedAction): StepView {
  return { action: actionLabelled(action.action), target: printable(action.target), reason: printable(action.reason), dryRun: action.dryRun ?? false };
}

function actionLabelled(action: ContainmentAction): Labelled<ContainmentAction> {
  return { code: action, label: ACTION_LABELS[action] ?? action };
}

function texts(items: readonly string[]): string[] {
  return items.map(printable);
}
