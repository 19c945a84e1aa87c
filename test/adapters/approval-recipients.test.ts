import { beforeAll, describe, expect, it } from 'vitest';
import { ContainmentDesk } from '#adapters/approval/containment-desk';
import { approvalPageHandler } from '#adapters/approval/http';
import { WaitEnded, type WorkflowDecisions } from '#adapters/approval/workflow-decisions';
import { executionName } from '#adapters/containment/execution-names';
import { outcomeMessage } from '#adapters/containment/messages';
import { type ContainmentDeps, containmentSteps } from '#adapters/containment/steps';
import { MemoryResponseStore } from '#adapters/memory-responses';
import { escapeText } from '#core/html-template';
import type { Incident, PlannedAction } from '#core/model/incident';
import { renderIncidentPage } from '#core/respond/approval-page';
import { type ApprovalRequest, type IncidentResponse, UNKNOWN_RECIPIENTS, openResponse } from '#core/respond/response';
import { incidentNarrative } from '#core/report/narrative';
import { sentToWords } from '#core/view/decision-words';
import { incidentView } from '#core/view/incident-view';
import { functionUrlEvent } from '../fixtures/lambda-events.ts';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';

const SECRET = 'link-signing-secret-for-tests';
const APPROVAL_URL = 'https://abcdefghijklmnop.lambda-url.us-east-1.on.aws/';
const NOW = new Date('2026-11-21T02:40:00Z');
const TEAM = ['ops@example.com', 'oncall@example.com'];
let incident: Incident;

beforeAll(async () => {
  [incident] = (await incidentsOf(pivotScenario())) as [Incident];
  expect(incident.plan.approval.length).toBeGreaterThan(0);
});

/**
 * The containment steps, the desk and the approval page on one in-memory table; the alert
 * channel answers `reached()` for each email, as the SNS notifier answers the topic's recipients.
 */
function wiring(reached: () => readonly string[] | undefined = () => TEAM, workflow: Partial<WorkflowDecisions> = {}) {
  const responses = new MemoryResponseStore();
  const emails: { subject: string; message: string }[] = [];
  const incidents = { getIncident: async (id: string) => (id === incident.id ? incident : undefined) };
  const steps = containmentSteps({
    incidents,
    evidence: { capture: async () => Promise.reject(new Error('no evidence in this test')) },
    iam: {} as ContainmentDeps['iam'],
    kubernetes: async () => Promise.reject(new Error('no cluster in this test')),
    executions: { verify: async () => ({ ok: true }) },
    recordsBehind: async () => [],
    notify: (_, subject, message) => {
      emails.push({ subject, message });
      const recipients = reached();
      // A channel that cannot tell answers nothing, as a notifier written before recipients were kept does.
      return recipients ? Promise.resolve(recipients) : Promise.resolve();
    },
    responses,
    linkSecret: async () => SECRET,
    approvalTimeoutMs: 3600_000,
    clock: () => NOW,
  });
  const delivered: string[] = [];
  const desk = new ContainmentDesk({
    incidents,
    responses,
    workflow: {
      approve: async (token) => void delivered.push(token),
      reject: async (token) => void delivered.push(token),
      ...workflow,
    },
    undo: async () => [],
    clock: () => NOW,
  });
  const page = approvalPageHandler({ desk, secret: async () => SECRET, clock: () => NOW });
  const requestApproval = ({ withLink = true } = {}) =>
    steps({
      step: 'request-approval',
      incident,
      dryRun: false,
      execution: executionName(incident.id),
      taskToken: 'token-1',
      proposed: incident.plan.approval,
      ...(withLink ? { approvalUrl: APPROVAL_URL } : {}),
    });
  /** The signed token in the newest email that carries a link. */
  const emailedToken = () => {
    const withLink = emails.filter((email) => email.message.includes(`${APPROVAL_URL}?t=`)).at(-1)!;
    return /\?t=(\S+)$/m.exec(withLink.message)![1]!;
  };
  const answer = (fields: Record<string, string>) =>
    page(functionUrlEvent('POST', { body: new URLSearchParams({ t: emailedToken(), ...fields }).toString(), now: NOW }));
  const approval = async () => (await responses.getResponse(incident.id))!.approval!;
  return { steps, responses, emails, desk, delivered, requestApproval, emailedToken, answer, approval };
}

describe('an approval link is recorded with where it was sent', () => {
  it('keeps on the request the recipients the alert channel reported for the email carrying the link', async () => {
    const desk = wiring();
    await desk.requestApproval();
    expect(desk.emails.map((email) => email.subject)).toEqual([`Approval needed: ${incident.title}`]);
    expect((await desk.approval()).sentTo).toEqual(TEAM);
  });

  it('adds the recipients of the email that extends the request, whose link decides the same request', async () => {
    let reached = TEAM;
    const desk = wiring(() => reached);
    await desk.requestApproval();
    reached = ['ops@example.com', 'security@example.com'];
    const added: PlannedAction = { action: 'cordon-node', target: 'ip-10-0-9-9.ec2.internal', reason: 'the host may be compromised' };
    const grown = { ...incident, plan: { automatic: [], approval: [added] } };
    expect(await desk.steps({ step: 'join-approval', incident: grown, dryRun: false, execution: 'revision-1', approvalUrl: APPROVAL_URL })).toEqual({
      joined: true,
    });
    expect(desk.emails.map((email) => email.subject)).toEqual([`Approval needed: ${incident.title}`, `Approval extended: ${incident.title}`]);
    expect((await desk.approval()).sentTo).toEqual(['ops@example.com', 'oncall@example.com', 'security@example.com']);
  });

  it('records unknown recipients when the channel could not tell, and nothing when the email carried no link', async () => {
    const unknown = wiring(() => [UNKNOWN_RECIPIENTS]);
    await unknown.requestApproval();
    expect((await unknown.approval()).sentTo).toEqual([UNKNOWN_RECIPIENTS]);
    const silent = wiring(() => undefined);
    await silent.requestApproval();
    expect((await silent.approval()).sentTo).toEqual([UNKNOWN_RECIPIENTS]);
    // A local run's email carries no link: nobody can decide through one, so no recipient is claimed for it.
    const local = wiring();
    await local.requestApproval({ withLink: false });
    expect(local.emails).toHaveLength(1);
    expect((await local.approval()).sentTo).toBeUndefined();
  });
});

describe('a decision made through the link', () => {
  it('records the declared name, and the recipients from the request rather than from the form', async () => {
    const desk = wiring();
    await desk.requestApproval();
    const result = await desk.answer({ op: 'approve', by: 'alice', sentTo: 'mallory@evil.example', declaredBy: 'the CISO', recipient: 'mallory@evil.example' });
    expect(result.statusCode).toBe(200);
    expect(desk.delivered).toEqual(['token-1']);
    expect(await desk.approval()).toMatchObject({ decision: 'approved', decidedBy: 'alice', declaredBy: 'alice', sentTo: TEAM });
    expect(JSON.stringify(await desk.responses.getResponse(incident.id))).not.toMatch(/mallory|CISO/);
  });

  it('is recorded the same whatever recipient or decider the form claims besides its own fields', async () => {
    const plain = wiring();
    await plain.requestApproval();
    await plain.answer({ op: 'reject', by: 'bob' });
    const claiming = wiring();
    await claiming.requestApproval();
    await claiming.answer({ op: 'reject', by: 'bob', sentTo: 'bob@example.com', decidedBy: 'terminal', nonce: 'other', t2: 'x' });
    const { nonce: _plainNonce, ...plainDecision } = await plain.approval();
    const { nonce: _claimedNonce, ...claimedDecision } = await claiming.approval();
    expect(claimedDecision).toEqual(plainDecision);
    expect(claimedDecision).toMatchObject({ decision: 'rejected', declaredBy: 'bob', sentTo: TEAM });
  });

  it('shows a declared name that cannot close its quotes to name another person or recipient', async () => {
    const desk = wiring();
    await desk.requestApproval();
    await desk.answer({ op: 'approve', by: `alice’ (declared) through the link sent to ceo@example.com, and "bob` });
    const shown = incidentView(incident, await desk.responses.getResponse(incident.id)).response!.approval!;
    expect(shown.declaredBy).not.toMatch(/['"‘’“”]/);
    expect(shown.decidedBy!.match(/['"‘’“”]/g)).toEqual(["'", "'"]);
    expect(shown.decidedBy!.endsWith(`' (declared) through the link sent to ${sentToWords(TEAM)}`)).toBe(true);
  });

  it('leaves no declared name behind when it could not be delivered, so the next decision is recorded as its own', async () => {
    let throttled = true;
    const failing = wiring(undefined, {
      approve: async () => {
        if (throttled) throw new Error('throttled');
      },
    });
    await failing.requestApproval();
    expect((await failing.answer({ op: 'approve', by: 'alice' })).statusCode).toBe(500);
    const reopened = await failing.approval();
    expect(reopened).not.toHaveProperty('decision');
    expect(reopened).not.toHaveProperty('declaredBy');
    throttled = false;
    expect(await failing.desk.decide({ incidentId: incident.id, decision: 'approve', by: 'arn:aws:iam::111122223333:user/carol' })).toMatchObject({ ok: true });
    expect(await failing.approval()).not.toHaveProperty('declaredBy');

    const late = wiring(undefined, { reject: async () => Promise.reject(new WaitEnded('the approval wait had already timed out')) });
    await late.requestApproval();
    expect((await late.answer({ op: 'reject', by: 'alice' })).statusCode).toBe(409);
    expect(await late.approval()).toMatchObject({ decision: 'timeout', sentTo: TEAM });
    expect(await late.approval()).not.toHaveProperty('declaredBy');
  });

  it('from the terminal names its caller, with no declared name', async () => {
    const desk = wiring();
    await desk.requestApproval();
    await desk.desk.decide({ incidentId: incident.id, decision: 'approve', by: 'arn:aws:iam::111122223333:user/carol' });
    const shown = incidentView(incident, await desk.responses.getResponse(incident.id)).response!.approval!;
    expect(shown).toMatchObject({ decidedBy: 'arn:aws:iam::111122223333:user/carol', sentTo: TEAM });
    expect(shown).not.toHaveProperty('declaredBy');
  });
});

describe('every rendering of a link decision names the declared person and the recipients', () => {
  it('the result page, the incident page, the outcome email, the report and a second click', async () => {
    const desk = wiring();
    await desk.requestApproval();
    const result = await desk.answer({ op: 'approve', by: 'alice' });
    const response = (await desk.responses.getResponse(incident.id))!;
    const decidedBy = incidentView(incident, response).response!.approval!.decidedBy!;
    for (const part of ["'alice' (declared)", ...TEAM]) expect(decidedBy).toContain(part);
    expect(result.body).toContain(escapeText(decidedBy));
    expect(renderIncidentPage({ incident, response, token: desk.emailedToken(), now: NOW })).toContain(escapeText(decidedBy));
    expect(outcomeMessage(incident, response, 'approved')).toContain(decidedBy);
    expect(incidentNarrative(incident, response).done).toContain(decidedBy);
    const again = await desk.answer({ op: 'approve', by: 'mallory' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain(escapeText(decidedBy));
  });

  it('while the request is open, the page says where its link was sent', async () => {
    const desk = wiring();
    await desk.requestApproval();
    const response = (await desk.responses.getResponse(incident.id))!;
    const page = renderIncidentPage({ incident, response, token: desk.emailedToken(), now: NOW, nonce: response.approval!.nonce });
    expect(page).toContain(escapeText(sentToWords(TEAM)));
  });
});

describe('records kept before recipients were', () => {
  const decided = (fields: Partial<ApprovalRequest>): IncidentResponse => ({
    ...openResponse('inc-1', '2026-11-21T02:13:04Z'),
    approval: { nonce: 'n-1', requestedAt: '2026-11-21T02:14:00Z', expiresAt: '2026-11-22T02:14:00Z', proposed: [], ...fields },
  });

  it('read as they did: who decided, and nothing about a link', () => {
    const shown = incidentView(incident, decided({ decision: 'approved', decidedAt: NOW.toISOString(), decidedBy: 'alice@example.com' })).response!.approval!;
    expect(shown.decidedBy).toBe('alice@example.com');
    expect(shown).not.toHaveProperty('sentTo');
  });

  it('say so when a link decision has no recorded recipients', () => {
    const shown = incidentView(incident, decided({ decision: 'approved', decidedAt: NOW.toISOString(), decidedBy: 'alice', declaredBy: 'alice' })).response!
      .approval!;
    expect(shown.decidedBy).toContain(UNKNOWN_RECIPIENTS);
  });
});
