import type { Incident, PlannedAction } from '#core/model/incident';
import type { ActionRecord, UndoStep } from './action.ts';
import { Html, html } from '#core/html-template';
import { ACTION_LABELS } from './action-labels.ts';
import type { IncidentResponse, IncidentStatus, UndoneRecord } from './response.ts';
import { pendingUndos, settledUndoOf } from './undo-plan.ts';

/**
 * The page an alert's approval link opens: the incident, what ran, what waits, and forms that
 * POST back with the link's token. Pure: complete HTML documents, inline CSS, no scripts and no
 * external assets, so it renders on a phone under a CSP of `default-src 'none'`.
 */
export interface IncidentPageInput {
  incident: Incident;
  /** Undefined until the workflow records something about the incident. */
  response: IncidentResponse | undefined;
  /** The signed link token; every form sends it back in the field `t`. */
  token: string;
  now: Date;
  /** The nonce of the link the page was opened with: approve/reject only show for the wait it was sent for. */
  nonce?: string;
}

export { ACTION_LABELS };

const STATUS_LABELS: Record<IncidentStatus, string> = {
  open: 'Open',
  contained: 'Contained',
  resolved: 'Resolved',
  'false-positive': 'Dismissed as a false positive',
};

export function renderIncidentPage({ incident, response, token, now, nonce }: IncidentPageInput): string {
  const status = response?.status ?? 'open';
  const body = html`<header>
<p class="brand">pivotguard incident <code>${incident.id}</code></p>
<h1>${incident.title}</h1>
<p><span class="badge sev-${incident.severity}">${incident.severity}</span> Confidence ${percent(incident.confidence)} · Status: <strong>${STATUS_LABELS[status]}</strong></p>
${response?.workflow?.dryRun ? html`<p class="note">Dry run: the workflow records what it would do and changes nothing.</p>` : ''}
</header>
${whatHappened(incident)}
${where(incident)}
${identities(incident)}
${actionsSection(response, token)}
${approvalSection(incident, response, token, now, nonce)}
${statusSection(response, status, token)}`;
  return documentOf(incident.title, body);
}

export function renderResultPage({ title, lines, token }: { title: string; lines: readonly string[]; token?: string }): string {
  const body = html`<p class="brand">pivotguard</p>
<h1>${title}</h1>
${lines.map((line) => html`<p>${line}</p>`)}
${token ? html`<p><a href="?t=${encodeURIComponent(token)}">Back to the incident</a></p>` : ''}`;
  return documentOf(title, body);
}

const ERROR_TITLES: Record<number, string> = {
  400: 'This request could not be read',
  403: 'This link is not valid',
  404: 'Incident not found',
  405: 'Not allowed',
  409: 'Nothing was changed',
  410: 'This link has expired',
  413: 'This request is too large',
  415: 'This request could not be read',
  500: 'Something went wrong',
};

/** For refused links and failed requests: plain words, never internal detail. */
export function renderErrorPage({ status, reason }: { status: number; reason: string }): string {
  const title = ERROR_TITLES[status] ?? 'This request could not be completed';
  const body = html`<p class="brand">pivotguard</p>
<h1>${title}</h1>
<p>${reason}</p>
<p class="note">To act on the incident, open the link in the newest pivotguard alert, or use the pivotguard command line.</p>`;
  return documentOf(title, body);
}

/** "2026-11-21 02:13:04 UTC" */
export function utc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** What running an undo step would change, for a person deciding whether to run it. */
export function describeUndo(undo: UndoStep): string {
  switch (undo.kind) {
    case 'remove-pod-quarantine':
      return `Remove the label ${undo.label} from pod ${undo.cluster}/${undo.namespace}/${undo.pod} and delete the NetworkPolicy ${undo.networkPolicy}, so its traffic flows again.`;
    case 'delete-role-policy':
      return `Delete the inline policy ${undo.policyName} from role ${undo.roleName}, so the revoked sessions work again until they expire.`;
    case 'restore-replicas':
      return `Scale ${undo.workloadKind} ${undo.namespace}/${undo.name} in ${undo.cluster} back to ${undo.replicas} replica${undo.replicas === 1 ? '' : 's'}.`;
    case 'uncordon-node':
      return `Uncordon node ${undo.node} in ${undo.cluster}, so pods are scheduled on it again.`;
    case 'none':
      return `Cannot be undone: ${undo.reason}`;
  }
}

function whatHappened(incident: Incident): Html {
  return html`<section>
<h2>What happened</h2>
<p>${incident.explanation}</p>
<p class="note">Seen from <time datetime="${incident.firstSeen}">${utc(incident.firstSeen)}</time> to <time datetime="${incident.lastSeen}">${utc(incident.lastSeen)}</time>, from ${incident.signals.length} signal${incident.signals.length === 1 ? '' : 's'}.</p>
${incident.objectives.length > 0 ? html`<p>Suspected objective:</p><ul>${incident.objectives.map((objective) => html`<li>${objective.tactic}: ${objective.technique}</li>`)}</ul>` : ''}
</section>`;
}

function where(incident: Incident): Html {
  const { workload } = incident;
  const namespace = workload.namespace && (workload.namespaceCriticality ? `${workload.namespace} (${workload.namespaceCriticality})` : workload.namespace);
  const rows = fields([
    ['Cluster', workload.cluster],
    ['Namespace', namespace],
    ['Pod', workload.pod],
    ['Owner', workload.owner],
    ['Service account', workload.serviceAccount],
    ['Image', workload.image],
    ['Image digest', workload.imageDigest],
    ['Node', workload.node],
  ]);
  return html`<section>
<h2>Where</h2>
${rows ?? html`<p>No Kubernetes workload is linked to this incident.</p>`}
</section>`;
}

function identities(incident: Incident): Html {
  const entries = incident.identities.map(
    (identity) =>
      fields([
        ['Role', `${identity.roleArn} (via ${identity.via})`],
        ['Sessions', identity.sessions.join(', ')],
        ['Access keys', identity.accessKeyIds.join(', ')],
        ['Used from outside the cluster', identity.unusualSourceIps.join(', ')],
        ['Also used from', identity.sourceIps.filter((ip) => !identity.unusualSourceIps.includes(ip)).join(', ')],
      ]) ?? '',
  );
  return html`<section>
<h2>Cloud identity</h2>
${entries.length > 0 ? entries : html`<p>No IAM role is linked to this incident.</p>`}
</section>`;
}

function actionsSection(response: IncidentResponse | undefined, token: string): Html {
  const actions = response?.actions ?? [];
  const undone = response?.undone ?? [];
  const undoable = pendingUndos(response);
  const kinds = [...new Set(undoable.map((record) => record.action))];
  return html`<section>
<h2>What already ran</h2>
${actions.length === 0 ? html`<p>No containment step has run yet.</p>` : html`<ul>${actions.map((record) => actionItem(record, undone))}</ul>`}
${kinds.map((action) =>
  form(token, 'undo', `Undo: ${ACTION_LABELS[action]}`, {
    hidden: { action },
    intro: `Reverses ${undoable.filter((record) => record.action === action).map((record) => record.target).join(', ')}.`,
  }),
)}
${kinds.length > 1 ? form(token, 'undo', 'Undo every step', { intro: 'Reverses every step listed above that can be undone.' }) : ''}
</section>`;
}

function actionItem(record: ActionRecord, undone: readonly UndoneRecord[]): Html {
  const reversal = settledUndoOf(record, undone);
  return html`<li><strong>${ACTION_LABELS[record.action] ?? record.action}</strong> <code>${record.target}</code>: ${record.result} at <time datetime="${record.finishedAt}">${utc(record.finishedAt)}</time>. ${record.detail}
${record.undo ? html`<br><span class="note">Undo: ${describeUndo(record.undo)}</span>` : ''}
${reversal ? html`<br><span class="note">Undo recorded: ${reversal.result} by ${reversal.by} at ${utc(reversal.at)}. ${reversal.detail}</span>` : ''}</li>`;
}

function approvalSection(incident: Incident, response: IncidentResponse | undefined, token: string, now: Date, nonce: string | undefined): Html {
  const approval = response?.approval;
  if (!approval) {
    return html`<section>
<h2>Waiting for approval</h2>
<p>Nothing waits for approval.</p>
${incident.plan.approval.length > 0 ? html`<p>The plan will ask before:</p>${plannedList(incident.plan.approval)}` : ''}
</section>`;
  }
  const open = approval.decision === undefined && Date.parse(approval.expiresAt) > now.getTime();
  const ours = nonce === undefined || nonce === approval.nonce;
  return html`<section>
<h2>Waiting for approval</h2>
${plannedList(approval.proposed)}
${approval.decision ? html`<p><strong>${decisionText(approval)}</strong></p>` : ''}
${!approval.decision && !open ? html`<p>The approval window closed at ${utc(approval.expiresAt)}; the workflow will not run these steps.</p>` : ''}
${open && !ours ? html`<p>This link was sent for an earlier request. Open the link in the newest alert to decide.</p>` : ''}
${open && ours ? html`<p>Decide before <time datetime="${approval.expiresAt}">${utc(approval.expiresAt)}</time> (${minutesLeft(approval.expiresAt, now)}).</p>
${form(token, 'approve', 'Approve these steps', { intro: 'The workflow runs the steps above.', style: 'approve' })}
${form(token, 'reject', 'Reject', { intro: 'The workflow skips the steps above.', style: 'danger' })}` : ''}
</section>`;
}

function decisionText(approval: NonNullable<IncidentResponse['approval']>): string {
  const at = approval.decidedAt ? ` at ${utc(approval.decidedAt)}` : '';
  if (approval.decision === 'timeout') return `Nobody decided in time${at}; the steps were not run.`;
  return `${approval.decision === 'approved' ? 'Approved' : 'Rejected'} by ${approval.decidedBy ?? 'someone'}${at}.`;
}

function plannedList(actions: readonly PlannedAction[]): Html {
  return html`<ul>${actions.map((action) => html`<li><strong>${ACTION_LABELS[action.action] ?? action.action}</strong> <code>${action.target}</code>${action.dryRun ? ' (dry run)' : ''}. Why: ${action.reason}</li>`)}</ul>`;
}

function statusSection(response: IncidentResponse | undefined, status: IncidentStatus, token: string): Html {
  const history = response?.history ?? [];
  const active = status === 'open' || status === 'contained';
  return html`<section>
<h2>Status: ${STATUS_LABELS[status]}</h2>
${response ? html`<p class="note">Opened <time datetime="${response.openedAt}">${utc(response.openedAt)}</time>.</p>` : ''}
${history.length > 0 ? html`<ul>${history.map((change) => html`<li><time datetime="${change.at}">${utc(change.at)}</time>: ${change.from} → ${change.to} by ${change.by}${change.reason ? `: ${change.reason}` : ''}</li>`)}</ul>` : ''}
${active ? form(token, 'resolve', 'Mark resolved', { intro: 'The incident is dealt with.' }) : ''}
${active ? form(token, 'dismiss', 'Dismiss as a false positive', { reason: true, style: 'danger' }) : ''}
</section>`;
}

interface FormOptions {
  hidden?: Record<string, string>;
  intro?: string;
  /** Dismissing needs a reason, kept with the status change. */
  reason?: boolean;
  style?: 'approve' | 'danger';
}

/** Posts to the page's own URL; `by` names who acted and is recorded with the outcome. */
function form(token: string, op: string, label: string, options: FormOptions = {}): Html {
  const id = `${op}-${options.hidden?.action ?? 'all'}`;
  return html`<form method="post">
<input type="hidden" name="t" value="${token}">
<input type="hidden" name="op" value="${op}">
${Object.entries(options.hidden ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
${options.intro ? html`<p>${options.intro}</p>` : ''}
${options.reason ? html`<label for="${id}-reason">Why is this a false positive?</label><textarea id="${id}-reason" name="reason" rows="3" maxlength="2000" required></textarea>` : ''}
<label for="${id}-by">Your name or email</label>
<input type="text" id="${id}-by" name="by" maxlength="200" autocomplete="email" required>
<button type="submit"${options.style ? html` class="${options.style}"` : ''}>${label}</button>
</form>`;
}

/** A definition list of the fields that have a value, or undefined when none has. */
function fields(rows: [string, string | null | undefined][]): Html | undefined {
  const present = rows.filter(([, value]) => value);
  if (present.length === 0) return undefined;
  return html`<dl>${present.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>`;
}

function percent(confidence: number): string {
  return `${Math.round(confidence * 100)}%`;
}

function minutesLeft(expiresAt: string, now: Date): string {
  const minutes = Math.max(1, Math.round((Date.parse(expiresAt) - now.getTime()) / 60_000));
  return minutes < 120 ? `${minutes} minute${minutes === 1 ? '' : 's'} left` : `${Math.round(minutes / 60)} hours left`;
}

const CSS = `:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.45}
body{margin:0;padding:1rem}
main{max-width:44rem;margin:0 auto}
h1{font-size:1.35rem;margin:.25rem 0 .5rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem;border-bottom:1px solid #8886;padding-bottom:.25rem}
.brand{margin:0;font-size:.85rem;opacity:.75}
.note{opacity:.8;font-size:.92rem}
.badge{display:inline-block;padding:.05rem .5rem;border:1px solid currentColor;border-radius:.75rem;font-weight:600;text-transform:uppercase;font-size:.8rem}
.sev-critical{color:#c0152f}.sev-high{color:#c2410c}.sev-medium{color:#a16207}.sev-low{color:#6b7280}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem .75rem;margin:0 0 .75rem}
dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
ul{padding-left:1.2rem}li{margin:.4rem 0;overflow-wrap:anywhere}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
form{margin:.75rem 0;padding:.75rem;border:1px solid #8886;border-radius:.5rem}
form p{margin:0 0 .5rem}
label{display:block;margin:.5rem 0 .25rem;font-weight:600}
input[type=text],textarea{box-sizing:border-box;width:100%;font:inherit;padding:.5rem}
button{font:inherit;font-weight:600;min-height:2.75rem;padding:.5rem 1.25rem;margin-top:.75rem;border-radius:.4rem;border:1px solid #8888}
button.approve{background:#15803d;color:#fff}button.danger{background:#b91c1c;color:#fff}
@media (max-width:30rem){dl{grid-template-columns:1fr}dd{margin-bottom:.4rem}}`;

function documentOf(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>${title} · pivotguard</title>
<style>${new Html(CSS)}</style>
</head>
<body><main>
${body}
</main></body>
</html>
`.markup;
}

