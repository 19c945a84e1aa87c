/** The pivot as a manager reads it, at each point of its handling: the narrative tests and its golden file tell the same cases. */
import type { Incident } from '#core/model/incident';
import type { ApprovalRequest, IncidentResponse } from '#core/respond/response';
import { MINUTE, action, after, incident, response, signal } from './fixtures.ts';

export const SEEN = '2026-11-21T02:13:04Z';
export const OPENED = '2026-11-21T02:14:00Z';
const ROLE = 'arn:aws:iam::111122223333:role/checkout-irsa';

export const pivot: Incident = incident('inc-pivot', SEEN, {
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

export const approval = (decision?: ApprovalRequest['decision']): ApprovalRequest => ({
  nonce: 'n-1',
  requestedAt: after(OPENED, 2 * MINUTE),
  expiresAt: '2026-11-21T06:16:00Z',
  proposed: [
    { action: 'restart-pod', target: 'prod-east/payments/checkout-7d9f8b6c5-x2k4q', reason: 'replace the compromised container' },
    { action: 'scale-down', target: 'prod-east/payments/checkout', reason: 'stop the vulnerable image' },
  ],
  ...(decision ? { decision, decidedAt: '2026-11-21T02:40:00Z', decidedBy: 'alice@example.com' } : {}),
});

/** Each case: the incident and what people and the workflow recorded about it. */
export const NARRATIVE_CASES: Record<string, { incident: Incident; response: IncidentResponse | undefined }> = {
  'not handled': { incident: pivot, response: undefined },
  'opened, nothing done': { incident: pivot, response: response('inc-pivot', OPENED) },
  'nothing at risk': { incident: incident('inc-bare', SEEN), response: undefined },
  'resolved after an approval, one step failed': {
    incident: pivot,
    response: response('inc-pivot', OPENED, {
      status: 'resolved',
      actions: [
        ...contained,
        action('inc-pivot', 'restart-pod', '2026-11-21T02:41:00Z', 'applied'),
        action('inc-pivot', 'scale-down', '2026-11-21T02:41:00Z', 'failed', 'the deployment is managed by Argo CD'),
      ],
      approval: approval('approved'),
      history: [
        { at: after(OPENED, MINUTE), by: 'pivotguard', from: 'open', to: 'contained' },
        { at: '2026-11-22T09:00:00Z', by: 'bob@example.com', from: 'contained', to: 'resolved', reason: 'image rebuilt and credentials rotated.' },
      ],
    }),
  },
  'contained, waiting for approval, isolation undone': {
    incident: pivot,
    response: response('inc-pivot', OPENED, {
      status: 'contained',
      actions: contained,
      approval: approval(),
      undone: [
        {
          action: 'isolate-pod',
          target: 'prod-east/payments/checkout-7d9f8b6c5-x2k4q',
          at: '2026-11-21T03:00:00Z',
          by: 'carol@example.com',
          result: 'undone',
          detail: 'label removed',
        },
      ],
      history: [{ at: after(OPENED, MINUTE), by: 'pivotguard', from: 'open', to: 'contained' }],
    }),
  },
  'dismissed, suppression proposed': {
    incident: pivot,
    response: response('inc-pivot', OPENED, {
      status: 'false-positive',
      approval: approval('rejected'),
      history: [{ at: '2026-11-21T03:10:00Z', by: 'dave@example.com', from: 'open', to: 'false-positive', reason: 'red-team exercise' }],
      proposedSuppression: { rule: 'guardduty.finding', scope: { namespace: 'payments' }, expiresAt: '2026-12-21T03:10:00Z' },
    }),
  },
  'dry run': { incident: pivot, response: response('inc-pivot', OPENED, { actions: [action('inc-pivot', 'isolate-pod', after(OPENED, MINUTE), 'dry-run')] }) },
};
