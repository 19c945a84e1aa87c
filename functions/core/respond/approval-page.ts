import type { Incident } from '#core/model/incident';
import { Html, html } from '#core/html-template';
import { type ApprovalView, type IncidentView, type ResponseView, type StepView, incidentView } from '#core/view/incident-view';
import { sentToWords } from '#core/view/decision-words';
import { NOTHING, commaList, plural, utc } from '#core/view/words';
import type { IncidentResponse } from './response.ts';

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
  /** A link issued to manage the incident shows undo, resolve and dismiss; an approval link only decides. */
  canManage?: boolean;
}

// The approval endpoint words its result pages with the same labels and times.

export function renderIncidentPage({ incident, response, token, now, nonce, canManage = false }: IncidentPageInput): string {
  const view = incidentView(incident, response);
  const body = html`<header>
<p class="brand">pivotguard incident <code>${view.id}</code></p>
<h1>${view.headline}</h1>
<p><span class="badge sev-${view.risk.severity}">${view.risk.severity}</span> Confidence ${view.risk.confidenceText} · Status: <strong>${view.status.label}</strong></p>
${view.response?.dryRun ? html`<p class="note">Dry run: the workflow records what it would do and changes nothing.</p>` : ''}
</header>
${whatHappened(view)}
${where(view)}
${identities(view)}
${actionsSection(view.response, token, canManage)}
${approvalSection(view, token, now, nonce)}
${statusSection(view, token, canManage)}`;
  return documentOf(view.headline, body);
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

function whatHappened(view: IncidentView): Html {
  return html`<section>
<h2>What happened</h2>
<p>${view.explanation}</p>
<p class="note">Seen from <time datetime="${view.seen.from}">${utc(view.seen.from)}</time> to <time datetime="${view.seen.to}">${utc(view.seen.to)}</time>, from ${plural(view.timeline.length, 'signal')}.</p>
${view.objectives.length > 0 ? html`<p>Suspected objective:</p><ul>${view.objectives.map((objective) => html`<li>${objective.tactic}: ${objective.technique}</li>`)}</ul>` : ''}
</section>`;
}

function where(view: IncidentView): Html {
  const image = view.image;
  return html`<section>
<h2>Where</h2>
${fields(view.where.fields.map((field) => [field.label, field.value])) ?? html`<p>${NOTHING.workload}</p>`}
${
  image
    ? html`<p>${image.sentence}</p>
${image.timeline ? html`<p class="note">${image.timeline}</p>` : ''}
${image.vulnerabilities.length > 0 ? html`<ul>${image.vulnerabilities.slice(0, 5).map((vulnerability) => html`<li>${vulnerability.line}</li>`)}</ul>` : ''}
${image.runsElsewhere.length > 0 ? html`<p>Also runs in: ${image.runsElsewhere.map((elsewhere) => elsewhere.text).join(', ')}</p>` : ''}
<p class="note">${image.admission.sentence}</p>`
    : ''
}
</section>`;
}

function identities(view: IncidentView): Html {
  const entries = view.identities.map(
    (identity) =>
      fields([
        ['Role', `${identity.roleArn} (via ${identity.via.label})`],
        ['Sessions', commaList(identity.sessions)],
        ['Access keys', commaList(identity.accessKeyIds)],
        ['Used from outside the cluster', commaList(identity.outsideIps)],
        ['Also used from', commaList(identity.otherIps)],
      ]) ?? '',
  );
  return html`<section>
<h2>Cloud identity</h2>
${entries.length > 0 ? entries : html`<p>${NOTHING.role}</p>`}
</section>`;
}

function actionsSection(response: ResponseView | undefined, token: string, canManage: boolean): Html {
  const actions = response?.actions ?? [];
  const undoable = response?.undoable ?? [];
  return html`<section>
<h2>What already ran</h2>
${actions.length === 0 ? html`<p>No containment step has run yet.</p>` : html`<ul>${actions.map(actionItem)}</ul>`}
${!canManage && undoable.length > 0 ? html`<p class="note">This link decides the approval only. To undo: <code>npx pivotguard undo INCIDENT</code> from a terminal.</p>` : ''}
${(canManage ? undoable : []).map(({ action, targets }) =>
  form(token, 'undo', `Undo: ${action.label}`, {
    hidden: { action: action.code },
    intro: `Reverses ${commaList(targets)}.`,
  }),
)}
${canManage && undoable.length > 1 ? form(token, 'undo', 'Undo every step', { intro: 'Reverses every step listed above that can be undone.' }) : ''}
</section>`;
}

function actionItem(run: ResponseView['actions'][number]): Html {
  const { reversal } = run;
  return html`<li><strong>${run.action.label}</strong> <code>${run.target}</code>: ${run.result} at <time datetime="${run.finishedAt}">${utc(run.finishedAt)}</time>. ${run.detail}
${run.undo ? html`<br><span class="note">Undo: ${run.undo}</span>` : ''}
${reversal ? html`<br><span class="note">Undo recorded: ${reversal.result} by ${reversal.by} at ${utc(reversal.at)}. ${reversal.detail}</span>` : ''}</li>`;
}

function approvalSection(view: IncidentView, token: string, now: Date, nonce: string | undefined): Html {
  const approval = view.response?.approval;
  if (!approval) {
    return html`<section>
<h2>Waiting for approval</h2>
<p>Nothing waits for approval.</p>
${view.plan.approval.length > 0 ? html`<p>The plan will ask before:</p>${stepList(view.plan.approval)}` : ''}
</section>`;
  }
  const open = approval.decision === undefined && Date.parse(approval.expiresAt) > now.getTime();
  const ours = nonce === undefined || nonce === approval.nonce;
  return html`<section>
<h2>Waiting for approval</h2>
${stepList(approval.proposed)}
${approval.decision ? html`<p><strong>${decisionText(approval)}</strong></p>` : ''}
${!approval.decision && !open ? html`<p>The approval window closed at ${utc(approval.expiresAt)}; the workflow will not run these steps.</p>` : ''}
${open && !ours ? html`<p>This link was sent for an earlier request. Open the link in the newest alert to decide.</p>` : ''}
${
  open && ours
    ? html`<p>Decide before <time datetime="${approval.expiresAt}">${utc(approval.expiresAt)}</time> (${minutesLeft(approval.expiresAt, now)}).</p>${sentToNote(approval)}
${form(token, 'approve', 'Approve these steps', { intro: 'The workflow runs the steps above.', style: 'approve' })}
${form(token, 'reject', 'Reject', { intro: 'The workflow skips the steps above.', style: 'danger' })}`
    : ''
}
</section>`;
}

/** The page cannot verify the name typed into it: the person deciding is told what is recorded beside it. */
function sentToNote(approval: ApprovalView): Html | string {
  if (!approval.sentTo) return '';
  return html`
<p class="note">Your decision is recorded with the name you enter, as declared, and where this link was sent: ${sentToWords(approval.sentTo)}.</p>`;
}

function decisionText(approval: ApprovalView): string {
  const at = approval.decidedAt ? ` at ${utc(approval.decidedAt)}` : '';
  if (approval.decision === 'timeout') return `Nobody decided in time${at}; the steps were not run.`;
  return `${approval.decision === 'approved' ? 'Approved' : 'Rejected'} by ${approval.decidedBy ?? 'someone'}${at}.`;
}

function stepList(steps: readonly StepView[]): Html {
  return html`<ul>${steps.map((step) => html`<li><strong>${step.action.label}</strong> <code>${step.target}</code>${step.dryRun ? ' (dry run)' : ''}. Why: ${step.reason}</li>`)}</ul>`;
}

function statusSection(view: IncidentView, token: string, canManage: boolean): Html {
  const history = view.response?.history ?? [];
  const active = view.status.code === 'open' || view.status.code === 'contained';
  return html`<section>
<h2>Status: ${view.status.label}</h2>
${view.response ? html`<p class="note">Opened <time datetime="${view.response.openedAt}">${utc(view.response.openedAt)}</time>.</p>` : ''}
${history.length > 0 ? html`<ul>${history.map((change) => html`<li><time datetime="${change.at}">${utc(change.at)}</time>: ${change.from} → ${change.to} by ${change.by}${change.reason ? `: ${change.reason}` : ''}</li>`)}</ul>` : ''}
${active && canManage ? form(token, 'resolve', 'Mark resolved', { intro: 'The incident is dealt with.' }) : ''}
${active && canManage ? form(token, 'dismiss', 'Dismiss as a false positive', { reason: true, style: 'danger' }) : ''}
${active && !canManage ? html`<p class="note">This link decides the approval only. To resolve or dismiss: <code>npx pivotguard resolve ${view.id}</code> or <code>npx pivotguard dismiss ${view.id}</code>.</p>` : ''}
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

function minutesLeft(expiresAt: string, now: Date): string {
  const minutes = Math.max(1, Math.round((Date.parse(expiresAt) - now.getTime()) / 60_000));
  return minutes < 120 ? `${plural(minutes, 'minute')} left` : `${Math.round(minutes / 60)} hours left`;
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
