import { beforeAll, describe, expect, it } from 'vitest';
import { escapeText } from '#core/html-template';
import type { Incident } from '#core/model/incident';
import { renderErrorPage, renderIncidentPage, renderResultPage } from '#core/respond/approval-page';
import type { IncidentResponse } from '#core/respond/response';
import { incidentView } from '#core/view/incident-view';
import { utc } from '#core/view/words';
import { NONCE, NOW, POD, TOKEN, pendingResponse, pivotIncident } from '../view/pivot.ts';

// The wording itself is in test/view/__golden__/approval-page-*.html; these tests check what the page holds, its forms and its escaping.
let pivot: Incident;

beforeAll(async () => {
  pivot = await pivotIncident();
});

/** Evidence, isolation and revocation ran; restart waits for approval. */
function pending(): IncidentResponse {
  return pendingResponse(pivot);
}

interface FormSeen {
  op: string | undefined;
  action: string | undefined;
  t: string | undefined;
  html: string;
}

function formsOf(page: string): FormSeen[] {
  return [...page.matchAll(/<form\b[\s\S]*?<\/form>/g)].map(([html]) => {
    const hidden = (name: string) => html.match(new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`))?.[1];
    return { op: hidden('op'), action: hidden('action'), t: hidden('t'), html };
  });
}

const ops = (page: string) => formsOf(page).map((form) => (form.action ? `${form.op}:${form.action}` : form.op));

describe('renderIncidentPage', () => {
  it('shows the incident, where it is, the identity, what ran with its undo, and what waits', () => {
    const response = pending();
    const page = renderIncidentPage({ incident: pivot, response, token: TOKEN, now: NOW, nonce: NONCE, canManage: true });
    const view = incidentView(pivot, response);
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain('name="viewport"');
    const shown = [
      view.headline,
      view.risk.confidenceText,
      view.status.label,
      ...view.where.fields.map((field) => field.value),
      view.identities[0]!.roleArn,
      ...view.identities[0]!.sessions,
    ];
    const ran = view.response!.actions.flatMap((run) => [run.action.label, run.undo!]);
    const waits = view.response!.approval!.proposed.flatMap((step) => [step.action.label, step.reason]);
    for (const text of [...shown, ...ran, ...waits]) expect(page).toContain(escapeText(text));
    expect(page).toContain('<time datetime="2026-11-21T04:00:00Z">');
    for (const change of view.response!.history) expect(page).toContain(`${change.from} → ${change.to} by ${change.by}`);
  });

  it('offers approve, reject, an undo per undoable action and for all, resolve and dismiss, each with the token and a required name', () => {
    const page = renderIncidentPage({ incident: pivot, response: pending(), token: TOKEN, now: NOW, nonce: NONCE, canManage: true });
    expect(ops(page)).toEqual(['undo:isolate-pod', 'undo:revoke-role-sessions', 'undo', 'approve', 'reject', 'resolve', 'dismiss']);
    for (const form of formsOf(page)) {
      expect(form.html).toContain('<form method="post">');
      expect(form.t).toBe(TOKEN);
      expect(form.html).toMatch(/<input type="text" id="[^"]+" name="by" maxlength="200" autocomplete="email" required>/);
    }
    const dismiss = formsOf(page).find((form) => form.op === 'dismiss')!;
    expect(dismiss.html).toMatch(/<textarea [^>]*name="reason"[^>]*required>/);
  });

  it('has no scripts and loads nothing from elsewhere', () => {
    const page = renderIncidentPage({ incident: pivot, response: pending(), token: TOKEN, now: NOW, nonce: NONCE, canManage: true });
    expect(page).not.toMatch(/<script|<link|<img|\bsrc=|https?:\/\/|\son[a-z]+=/i);
  });

  it('escapes what the incident carries, in text and in attributes', () => {
    const hostile = '<script>alert(1)</script>"onmouseover=alert(2) x="';
    const incident: Incident = {
      ...pivot,
      explanation: `shell ${hostile}`,
      workload: { ...pivot.workload, pod: `checkout-${hostile}` },
    };
    const response = pending();
    response.actions[1] = { ...response.actions[1]!, target: `prod-east/payments/${hostile}` };
    const page = renderIncidentPage({ incident, response, token: `${TOKEN}"><script>`, now: NOW, nonce: NONCE });
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).not.toContain('"onmouseover=');
    expect(page).not.toContain('"><script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover=alert(2) x=&quot;');
    expect(formsOf(page)[0]!.t).toBe(`${TOKEN}&quot;&gt;&lt;script&gt;`);
  });

  it('shows the decision and no approve or reject form once the approval is decided', () => {
    const response = pending();
    response.approval = { ...response.approval!, decision: 'approved', decidedAt: '2026-11-21T02:40:00Z', decidedBy: 'alice@example.com' };
    const page = renderIncidentPage({ incident: pivot, response, token: TOKEN, now: NOW, nonce: NONCE, canManage: true });
    expect(incidentView(pivot, response).response!.approval).toMatchObject({ decision: 'approved', decidedBy: 'alice@example.com' });
    expect(page).toContain('alice@example.com');
    expect(ops(page)).not.toContain('approve');
    expect(ops(page)).not.toContain('reject');
  });

  it('offers no decision once the approval window has closed, or for a link sent for an earlier wait', () => {
    const late = renderIncidentPage({ incident: pivot, response: pending(), token: TOKEN, now: new Date('2026-11-21T04:00:01Z'), nonce: NONCE });
    const expiry = utc(pending().approval!.expiresAt);
    // A closed window says when it closed; a link for an earlier wait gives no deadline at all.
    expect(late).toContain(expiry);
    expect(ops(late)).not.toContain('approve');
    const stale = renderIncidentPage({ incident: pivot, response: pending(), token: TOKEN, now: NOW, nonce: 'n-0' });
    expect(stale).not.toContain(expiry);
    expect(ops(stale)).not.toContain('approve');
  });

  it('offers no undo for a step already undone, and retries one that failed', () => {
    const response = pending();
    response.undone = [
      { action: 'isolate-pod', target: POD, at: '2026-11-21T02:50:00Z', by: 'bob', result: 'undone', detail: 'quarantine removed' },
      {
        action: 'revoke-role-sessions',
        target: 'arn:aws:iam::111122223333:role/checkout-irsa',
        at: '2026-11-21T02:51:00Z',
        by: 'bob',
        result: 'failed',
        detail: 'AccessDenied',
      },
    ];
    const page = renderIncidentPage({ incident: pivot, response, token: TOKEN, now: NOW, nonce: NONCE, canManage: true });
    expect(ops(page).filter((op) => op?.startsWith('undo'))).toEqual(['undo:revoke-role-sessions']);
    expect(incidentView(pivot, response).response!.actions[1]!.reversal).toMatchObject({ result: 'undone', by: 'bob', detail: 'quarantine removed' });
    expect(page).toContain('quarantine removed');
  });

  it('offers neither resolve nor dismiss once the incident is closed, and works before any response exists', () => {
    const closed = { ...pending(), status: 'resolved' as const };
    expect(ops(renderIncidentPage({ incident: pivot, response: closed, token: TOKEN, now: NOW, canManage: true }))).not.toContain('resolve');
    const fresh = renderIncidentPage({ incident: pivot, response: undefined, token: TOKEN, now: NOW, canManage: true });
    expect(ops(fresh)).toEqual(['resolve', 'dismiss']);
    // No step ran: the planned steps that would ask first are listed, none as having run.
    expect(fresh).not.toContain('<time datetime="2026-11-21T02:30:02Z">');
    for (const step of incidentView(pivot).plan.approval) expect(fresh).toContain(escapeText(step.action.label));
  });
});

describe('renderResultPage and renderErrorPage', () => {
  it('says what happened and links back to the page with the token', () => {
    const page = renderResultPage({ title: 'Approved', lines: ['Approved by <alice> at 2026-11-21 03:00:00 UTC.'], token: 'a.b+c' });
    expect(page).toContain('<h1>Approved</h1>');
    expect(page).toContain('<p>Approved by &lt;alice&gt; at 2026-11-21 03:00:00 UTC.</p>');
    expect(page).toContain('<a href="?t=a.b%2Bc">Back to the incident</a>');
    expect(renderResultPage({ title: 'Done', lines: [] })).not.toContain('<a ');
  });

  it('explains a refused link in plain words', () => {
    const page = renderErrorPage({ status: 410, reason: 'This approval link cannot be used: the link expired at <then>.' });
    expect(page).toContain('<h1>This link has expired</h1>');
    expect(page).toContain('the link expired at &lt;then&gt;.');
    expect(page).not.toContain('<form');
  });
});
