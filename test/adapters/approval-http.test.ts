import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ContainmentAction, Incident } from '#core/model/incident';
import type { ApprovalDesk, DecisionResult } from '#adapters/approval/desk';
import { approvalPageHandler } from '#adapters/approval/http';
import { signApprovalLink } from '#core/respond/approval-link';
import { type IncidentResponse, type UndoneRecord, openResponse, withStatus } from '#core/respond/response';
import { functionUrlEvent } from '../fixtures/lambda-events.ts';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';

const SECRET = 'test-secret-0123456789abcdef';
const NOW = new Date('2026-11-21T03:00:00Z');
const NONCE = 'n-1';
const POD = 'prod-east/payments/checkout-7d9f8b6c5-x2k4q';

let pivot: Incident;

beforeAll(async () => {
  [pivot] = (await incidentsOf(pivotScenario())) as [Incident];
});

/** Records every call; answers from what the test set. */
class FakeDesk implements ApprovalDesk {
  calls: { method: 'decide' | 'undo' | 'setStatus'; input: unknown }[] = [];
  response: IncidentResponse;
  decision: DecisionResult | undefined;
  undone: UndoneRecord[] = [];
  failure: Error | undefined;

  constructor(readonly incident: Incident) {
    this.response = {
      ...openResponse(incident.id, '2026-11-21T02:29:30Z'),
      approval: {
        nonce: NONCE,
        requestedAt: '2026-11-21T02:30:05Z',
        expiresAt: '2026-11-21T04:00:00Z',
        proposed: [{ action: 'restart-pod', target: POD, reason: 'replace the pod' }],
      },
    };
  }

  async show(incidentId: string) {
    return incidentId === this.incident.id ? { incident: this.incident, response: this.response } : undefined;
  }

  async decide(input: Parameters<ApprovalDesk['decide']>[0]): Promise<DecisionResult> {
    this.calls.push({ method: 'decide', input });
    if (this.failure) throw this.failure;
    const decided: IncidentResponse = {
      ...this.response,
      approval: {
        ...this.response.approval!,
        decision: input.decision === 'approve' ? 'approved' : 'rejected',
        decidedAt: NOW.toISOString(),
        decidedBy: input.by,
      },
    };
    return this.decision ?? { ok: true, response: decided };
  }

  async undo(input: Parameters<ApprovalDesk['undo']>[0]): Promise<UndoneRecord[]> {
    this.calls.push({ method: 'undo', input });
    return this.undone;
  }

  async setStatus(input: Parameters<ApprovalDesk['setStatus']>[0]): Promise<DecisionResult> {
    this.calls.push({ method: 'setStatus', input });
    return {
      ok: true,
      response: withStatus(this.response, { to: input.to, by: input.by, at: NOW.toISOString(), ...(input.reason ? { reason: input.reason } : {}) }),
    };
  }
}

let desk: FakeDesk;
let logged: unknown[];

beforeEach(() => {
  desk = new FakeDesk(pivot);
  logged = [];
});

function handler() {
  return approvalPageHandler({ desk, secret: async () => SECRET, clock: () => NOW, log: (_message, error) => logged.push(error) });
}

function token(overrides: { incidentId?: string; expiresAt?: number; secret?: string; purpose?: 'decide' | 'manage' } = {}): string {
  return signApprovalLink(
    {
      incidentId: overrides.incidentId ?? pivot.id,
      expiresAt: overrides.expiresAt ?? Date.parse('2026-11-21T04:00:00Z'),
      nonce: NONCE,
      purpose: overrides.purpose ?? 'decide',
    },
    overrides.secret ?? SECRET,
  );
}

/** A link issued to manage the incident (undo, resolve, dismiss), not to decide an approval. */
const manage = () => token({ purpose: 'manage' });

/** A Lambda Function URL event, payload format 2.0. */
function post(fields: Record<string, string>, options: { base64?: boolean; contentType?: string } = {}) {
  return handler()(functionUrlEvent('POST', { body: new URLSearchParams(fields).toString(), ...options }));
}

describe('approvalPageHandler: GET shows, never changes', () => {
  it('renders the incident with what waits and calls nothing that decides', async () => {
    const result = await handler()(functionUrlEvent('GET', { query: { t: token() } }));
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain(pivot.title);
    expect(result.body).toContain('Restart the pod');
    expect(result.body).toContain('<input type="hidden" name="op" value="approve">');
    expect(desk.calls).toEqual([]);
  });

  it('answers HEAD like GET, with no body', async () => {
    const result = await handler()(functionUrlEvent('HEAD', { query: { t: token() } }));
    expect(result).toMatchObject({ statusCode: 200, body: '' });
    expect(desk.calls).toEqual([]);
  });

  it('refuses an expired link with 410 and says when it expired', async () => {
    const result = await handler()(functionUrlEvent('GET', { query: { t: token({ expiresAt: Date.parse('2026-11-21T02:59:59Z') }) } }));
    expect(result.statusCode).toBe(410);
    expect(result.body).toContain('the link expired at 2026-11-21T02:59:59.000Z');
  });

  it('refuses a forged link with 403 and a malformed or missing one with 400', async () => {
    expect((await handler()(functionUrlEvent('GET', { query: { t: token({ secret: 'another-secret' }) } }))).statusCode).toBe(403);
    expect((await handler()(functionUrlEvent('GET', { query: { t: 'not-a-token' } }))).statusCode).toBe(400);
    expect((await handler()(functionUrlEvent('GET'))).statusCode).toBe(400);
  });

  it('answers 404 for an incident it no longer knows', async () => {
    const result = await handler()(functionUrlEvent('GET', { query: { t: token({ incidentId: 'inc-gone' }) } }));
    expect(result.statusCode).toBe(404);
  });
});

describe('approvalPageHandler: POST decides', () => {
  it('approves with the link nonce and the trimmed name, and says what continues', async () => {
    const result = await post({ t: token(), op: 'approve', by: '  alice@example.com  ' });
    expect(result.statusCode).toBe(200);
    expect(desk.calls).toEqual([{ method: 'decide', input: { incidentId: pivot.id, nonce: NONCE, decision: 'approve', by: 'alice@example.com' } }]);
    expect(result.body).toContain('Approved by alice@example.com at 2026-11-21 03:00:00 UTC.');
    expect(result.body).toContain(`The workflow continues with: Restart the pod ${POD}.`);
    expect(result.body).toContain('href="?t=');
  });

  it('rejects', async () => {
    const result = await post({ t: token(), op: 'reject', by: 'bob' });
    expect(result.statusCode).toBe(200);
    expect(desk.calls).toEqual([{ method: 'decide', input: { incidentId: pivot.id, nonce: NONCE, decision: 'reject', by: 'bob' } }]);
    expect(result.body).toContain('Rejected by bob');
  });

  it('answers 409 with the desk’s reason when the approval was already decided', async () => {
    desk.decision = { ok: false, reason: 'already approved by carol at 2026-11-21 02:50:00 UTC' };
    const result = await post({ t: token(), op: 'approve', by: 'alice' });
    expect(result.statusCode).toBe(409);
    expect(result.body).toContain('already approved by carol at 2026-11-21 02:50:00 UTC');
  });

  it('reads a base64-encoded body and takes the token from the query when the form has none', async () => {
    const body = new URLSearchParams({ op: 'approve', by: 'alice' }).toString();
    const result = await handler()(functionUrlEvent('POST', { query: { t: token() }, body, base64: true }));
    expect(result.statusCode).toBe(200);
    expect(desk.calls).toEqual([{ method: 'decide', input: { incidentId: pivot.id, nonce: NONCE, decision: 'approve', by: 'alice' } }]);
  });

  it('undoes one action, or all when none is named, and lists the undo records', async () => {
    desk.undone = [{ action: 'isolate-pod', target: POD, at: NOW.toISOString(), by: 'alice', result: 'undone', detail: 'quarantine removed' }];
    const result = await post({ t: manage(), op: 'undo', action: 'isolate-pod', by: 'alice' });
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain(`Isolate the pod ${POD}: undone by alice at 2026-11-21 03:00:00 UTC. quarantine removed`);
    await post({ t: manage(), op: 'undo', by: 'alice' });
    expect(desk.calls).toEqual([
      { method: 'undo', input: { incidentId: pivot.id, action: 'isolate-pod' satisfies ContainmentAction, by: 'alice' } },
      { method: 'undo', input: { incidentId: pivot.id, by: 'alice' } },
    ]);
  });

  it('refuses undo, resolve and dismiss through an approval link, which decides the approval only, and changes nothing', async () => {
    const attempts: Record<string, string>[] = [
      { op: 'undo', by: 'mallory' },
      { op: 'resolve', by: 'mallory' },
      { op: 'dismiss', by: 'mallory', reason: 'hide it' },
    ];
    for (const fields of attempts) {
      expect((await post({ t: token(), ...fields })).statusCode).toBe(403);
    }
    expect(desk.calls).toEqual([]);
  });

  it('shows undo, resolve and dismiss only on a page opened with a link issued to manage the incident', async () => {
    const decideOnly = await handler()(functionUrlEvent('GET', { query: { t: token() } }));
    const managing = await handler()(functionUrlEvent('GET', { query: { t: manage() } }));
    expect(decideOnly.body).not.toMatch(/name="op" value="(undo|dismiss|resolve)"/);
    expect(managing.body).toMatch(/name="op" value="dismiss"/);
  });

  it('resolves, and dismisses with the reason', async () => {
    expect((await post({ t: manage(), op: 'resolve', by: 'alice' })).body).toContain('Marked resolved by alice');
    const dismissed = await post({ t: manage(), op: 'dismiss', by: 'alice', reason: ' load test from the SRE team ' });
    expect(dismissed.body).toContain('Dismissed as a false positive by alice at 2026-11-21 03:00:00 UTC: load test from the SRE team.');
    expect(desk.calls).toEqual([
      { method: 'setStatus', input: { incidentId: pivot.id, to: 'resolved', by: 'alice' } },
      { method: 'setStatus', input: { incidentId: pivot.id, to: 'false-positive', by: 'alice', reason: 'load test from the SRE team' } },
    ]);
  });

  it('answers 409 for a lifecycle move the incident cannot make', async () => {
    desk.response = { ...desk.response, status: 'resolved' };
    const result = await post({ t: manage(), op: 'dismiss', by: 'alice', reason: 'noise' });
    expect(result.statusCode).toBe(409);
    expect(result.body).toContain('an incident that is resolved cannot become false-positive');
    expect(logged).toEqual([]);
  });

  it('refuses with 400 and a specific message: no name, no dismiss reason, unknown op or action', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ op: 'approve' }, 'Enter your name or email'],
      [{ op: 'approve', by: '   ' }, 'Enter your name or email'],
      [{ op: 'approve', by: 'a'.repeat(201) }, 'longer than 200 characters'],
      [{ op: 'dismiss', by: 'alice' }, 'Say why this is a false positive.'],
      [{ op: 'delete-everything', by: 'alice' }, 'op must be approve, reject, undo, resolve or dismiss'],
      [{ op: 'undo', by: 'alice', action: 'drop-cluster' }, 'The action to undo must be one of'],
    ];
    for (const [fields, message] of cases) {
      const result = await post({ t: token(), ...fields });
      expect(result.statusCode, JSON.stringify(fields)).toBe(400);
      expect(result.body).toContain(message);
    }
    expect(desk.calls).toEqual([]);
  });

  it('changes nothing for an expired, forged or malformed link', async () => {
    const expired = await post({ t: token({ expiresAt: Date.parse('2026-11-21T02:00:00Z') }), op: 'approve', by: 'alice' });
    expect(expired.statusCode).toBe(410);
    expect((await post({ t: token({ secret: 'another-secret' }), op: 'approve', by: 'alice' })).statusCode).toBe(403);
    expect((await post({ t: 'x.y.z', op: 'approve', by: 'alice' })).statusCode).toBe(400);
    expect(desk.calls).toEqual([]);
  });

  it('answers 500 with a generic page when the desk fails, and logs the error', async () => {
    desk.failure = new Error('ConditionalCheckFailedException: table pivotguard-responses secret detail');
    const result = await post({ t: token(), op: 'approve', by: 'alice' });
    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('ConditionalCheckFailed');
    expect(result.body).not.toContain('secret detail');
    expect(logged).toEqual([desk.failure]);
  });

  it('refuses a body that is not a form', async () => {
    const result = await handler()(
      functionUrlEvent('POST', { body: JSON.stringify({ t: token(), op: 'approve', by: 'alice' }), contentType: 'application/json' }),
    );
    expect(result.statusCode).toBe(415);
    expect(desk.calls).toEqual([]);
  });
});

describe('approvalPageHandler: every answer', () => {
  it('refuses other methods with 405 and an Allow header', async () => {
    const result = await handler()(functionUrlEvent('PUT', { query: { t: token() } }));
    expect(result.statusCode).toBe(405);
    expect(result.headers.allow).toBe('GET, HEAD, POST');
    expect(desk.calls).toEqual([]);
  });

  it('carries the security headers, whatever the outcome', async () => {
    const results = [
      await handler()(functionUrlEvent('GET', { query: { t: token() } })),
      await handler()(functionUrlEvent('GET', { query: { t: 'bad' } })),
      await post({ t: token(), op: 'approve', by: 'alice' }),
      await handler()(functionUrlEvent('DELETE')),
    ];
    for (const result of results) {
      expect(result.headers).toMatchObject({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'x-frame-options': 'DENY',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
      });
    }
  });

  it('escapes a hostile pod name and explanation', async () => {
    desk = new FakeDesk({
      ...pivot,
      explanation: 'shell <script>alert(1)</script> "onmouseover=alert(2)',
      workload: { ...pivot.workload, pod: 'x<script>alert(1)</script>"onmouseover=alert(2)' },
    });
    const result = await handler()(functionUrlEvent('GET', { query: { t: token() } }));
    expect(result.statusCode).toBe(200);
    expect(result.body).not.toContain('<script>alert(1)</script>');
    expect(result.body).not.toContain('"onmouseover=');
    expect(result.body).toContain('x&lt;script&gt;alert(1)&lt;/script&gt;&quot;onmouseover=alert(2)');
  });

  it('shows no approve or reject form once decided, and no undo form for an undone step', async () => {
    desk.response = {
      ...desk.response,
      approval: { ...desk.response.approval!, decision: 'rejected', decidedAt: '2026-11-21T02:45:00Z', decidedBy: 'carol' },
      actions: [
        {
          action: 'isolate-pod',
          incidentId: pivot.id,
          target: POD,
          startedAt: '2026-11-21T02:30:00Z',
          finishedAt: '2026-11-21T02:30:01Z',
          result: 'applied',
          detail: 'quarantined',
          undo: {
            kind: 'remove-pod-quarantine',
            cluster: 'prod-east',
            namespace: 'payments',
            pod: 'checkout-7d9f8b6c5-x2k4q',
            label: 'pivotguard.io/quarantine',
            networkPolicy: 'np',
          },
        },
      ],
      undone: [{ action: 'isolate-pod', target: POD, at: '2026-11-21T02:50:00Z', by: 'bob', result: 'undone', detail: 'quarantine removed' }],
    };
    const { body } = await handler()(functionUrlEvent('GET', { query: { t: token() } }));
    expect(body).toContain('Rejected by carol');
    expect(body).not.toContain('value="approve"');
    expect(body).not.toContain('value="reject"');
    expect(body).not.toContain('value="undo"');
  });
});
