import { describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import type { ApprovalRequest } from '#core/respond/response';
import { incidentNarrative } from '#core/report/narrative';
import { MINUTE, action, after, incident, response, signal } from './fixtures.ts';

const SEEN = '2026-11-21T02:13:04Z';
const OPENED = '2026-11-21T02:14:00Z';
const ROLE = 'arn:aws:iam::111122223333:role/checkout-irsa';

const pivot: Incident = incident('inc-pivot', SEEN, {
  title: 'Compromised pod payments/checkout-7d9f8b6c5-x2k4q used its cloud credentials from 198.51.100.23',
  severity: 'critical',
  confidence: 0.99,
  lastSeen: '2026-11-21T02:29:01Z',
  objectives: [
    { tactic: 'Execution (TA0002)', technique: 'T1059 Command and Scripting Interpreter' },
    { tactic: 'Credential Access (TA0006)', technique: 'T1552.005 Cloud Instance Metadata API' },
  ],
  identities: [{ roleArn: ROLE, via: 'irsa', sessions: [], accessKeyIds: [], sourceIps: [], unusualSourceIps: ['198.51.100.23'] }],
  signals: [
    signal('guardduty.finding', SEEN, { title: 'GuardDuty Execution:Runtime/ReverseShell' }),
    signal('cloudtrail.credentials-outside-egress', '2026-11-21T02:29:01Z', { title: 'Workload credentials used outside the cluster' }),
  ],
  blastRadius: {
    rolePermissions: [{ roleArn: ROLE, policies: ['AmazonS3ReadOnlyAccess', 'checkout-secrets (inline)'] }],
    sameServiceAccountPods: ['payments/checkout-7d9f8b6c5-m8z2p'],
    sameImagePods: ['payments/checkout-7d9f8b6c5-m8z2p', 'staging/checkout-5c4b-qq7rt'],
    podsOnNode: [],
    notes: [],
  },
});

const contained = [
  action('inc-pivot', 'capture-evidence', after(OPENED, MINUTE), 'applied'),
  action('inc-pivot', 'isolate-pod', after(OPENED, MINUTE), 'applied'),
  action('inc-pivot', 'revoke-role-sessions', after(OPENED, MINUTE), 'applied'),
];
const approval = (decision?: ApprovalRequest['decision']): ApprovalRequest => ({
  nonce: 'n-1',
  requestedAt: after(OPENED, 2 * MINUTE),
  expiresAt: '2026-11-21T06:16:00Z',
  proposed: [
    { action: 'restart-pod', target: 'prod-east/payments/checkout-7d9f8b6c5-x2k4q', reason: 'replace the compromised container' },
    { action: 'scale-down', target: 'prod-east/payments/checkout', reason: 'stop the vulnerable image' },
  ],
  ...(decision ? { decision, decidedAt: '2026-11-21T02:40:00Z', decidedBy: 'alice@example.com' } : {}),
});

describe('incidentNarrative', () => {
  it('says what happened in plain words, without rule ids', () => {
    const { headline, happened } = incidentNarrative(pivot, response('inc-pivot', OPENED));
    expect(headline).toBe('Compromised pod payments/checkout-7d9f8b6c5-x2k4q used its cloud credentials from 198.51.100.23');
    expect(happened).toBe(
      'pivotguard rated it critical with 99% confidence, from 2 signals in GuardDuty and CloudTrail seen in cluster prod-east ' +
        'between 21 Nov 2026, 02:13 UTC and 02:29 UTC. The likely aim was execution and credential access.',
    );
    const all = Object.values(incidentNarrative(pivot, response('inc-pivot', OPENED))).join(' ');
    for (const { rule } of pivot.signals) expect(all).not.toContain(rule);
  });

  it('says what was at risk: the role’s permissions and the pods sharing its service account or image', () => {
    expect(incidentNarrative(pivot, undefined).atRisk).toBe(
      'Role checkout-irsa could use AmazonS3ReadOnlyAccess and checkout-secrets (inline). ' +
        '1 pod shares its service account (payments/checkout-7d9f8b6c5-m8z2p). ' +
        '2 pods run the same image (payments/checkout-7d9f8b6c5-m8z2p and staging/checkout-5c4b-qq7rt).',
    );
    const bare = incident('inc-bare', SEEN);
    expect(incidentNarrative(bare, undefined).atRisk).toBe('Nothing beyond the workload itself was known to be reachable.');
  });

  it('says what was done and who approved, and that nothing is left once resolved', () => {
    const resolved = response('inc-pivot', OPENED, {
      status: 'resolved',
      actions: [...contained, action('inc-pivot', 'restart-pod', '2026-11-21T02:41:00Z', 'applied'), action('inc-pivot', 'scale-down', '2026-11-21T02:41:00Z', 'failed', 'the deployment is managed by Argo CD')],
      approval: approval('approved'),
      history: [
        { at: after(OPENED, MINUTE), by: 'pivotguard', from: 'open', to: 'contained' },
        { at: '2026-11-22T09:00:00Z', by: 'bob@example.com', from: 'contained', to: 'resolved', reason: 'image rebuilt and credentials rotated.' },
      ],
    });
    const narrative = incidentNarrative(pivot, resolved);
    expect(narrative.done).toBe(
      'pivotguard captured evidence, isolated the pod, revoked the role sessions and restarted the pod. ' +
        'It tried to scale the workload down and failed: the deployment is managed by Argo CD. ' +
        'alice@example.com approved the request to restart the pod and scale the workload down on 21 Nov 2026, 02:40 UTC.',
    );
    expect(narrative.left).toBe('Nothing is left: bob@example.com resolved it on 22 Nov 2026, 09:00 UTC (image rebuilt and credentials rotated).');
  });

  it('says what is left while contained: the pending approval and an isolation someone undid', () => {
    const waiting = response('inc-pivot', OPENED, {
      status: 'contained',
      actions: contained,
      approval: approval(),
      undone: [{ action: 'isolate-pod', target: 'prod-east/payments/checkout-7d9f8b6c5-x2k4q', at: '2026-11-21T03:00:00Z', by: 'carol@example.com', result: 'undone', detail: 'label removed' }],
      history: [{ at: after(OPENED, MINUTE), by: 'pivotguard', from: 'open', to: 'contained' }],
    });
    const narrative = incidentNarrative(pivot, waiting);
    expect(narrative.done).toContain('Approval to restart the pod and scale the workload down was requested on 21 Nov 2026, 02:16 UTC.');
    expect(narrative.done).toContain('carol@example.com undid the pod isolation on 21 Nov 2026, 03:00 UTC.');
    expect(narrative.left).toBe(
      'It has been contained since 21 Nov 2026, 02:15 UTC but is not yet resolved. ' +
        'It waits for someone to approve or reject the request to restart the pod and scale the workload down; the request expires 21 Nov 2026, 06:16 UTC. ' +
        'No longer in force because undone: pod isolation.',
    );
  });

  it('names who dismissed a false positive, why, and the suppression still waiting for acceptance', () => {
    const dismissed = response('inc-pivot', OPENED, {
      status: 'false-positive',
      approval: approval('rejected'),
      history: [{ at: '2026-11-21T03:10:00Z', by: 'dave@example.com', from: 'open', to: 'false-positive', reason: 'red-team exercise' }],
      proposedSuppression: { rule: 'guardduty.finding', scope: { namespace: 'payments' }, expiresAt: '2026-12-21T03:10:00Z' },
    });
    const narrative = incidentNarrative(pivot, dismissed);
    expect(narrative.done).toBe('alice@example.com rejected the request to restart the pod and scale the workload down on 21 Nov 2026, 02:40 UTC.');
    expect(narrative.left).toBe(
      'Nothing is left: dave@example.com dismissed it as a false positive on 21 Nov 2026, 03:10 UTC (red-team exercise). ' +
        'A suppression of similar alerts until 21 Dec 2026, 03:10 UTC was proposed and is not yet accepted.',
    );
  });

  it('says so when nothing was done and nobody has handled the incident', () => {
    const narrative = incidentNarrative(pivot, response('inc-pivot', OPENED));
    expect(narrative.done).toBe('No containment step was taken.');
    expect(narrative.left).toBe('It has been open since 21 Nov 2026, 02:14 UTC and nothing has contained it yet.');
    expect(incidentNarrative(pivot, undefined).left).toContain('still open');
  });

  it('tells a dry run apart from a change', () => {
    const dry = response('inc-pivot', OPENED, { actions: [action('inc-pivot', 'isolate-pod', after(OPENED, MINUTE), 'dry-run')] });
    expect(incidentNarrative(pivot, dry).done).toBe('In dry-run mode it would have isolated the pod, but changed nothing.');
  });
});
