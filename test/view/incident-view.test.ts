import { beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import { incidentView } from '#core/view/incident-view';
import { ROLE_ARN } from '../fixtures/pivot-scenario.ts';
import { POD, pendingResponse, pivotIncident } from './pivot.ts';

let pivot: Incident;

beforeAll(async () => {
  pivot = await pivotIncident();
});

describe('incidentView of the container-to-cloud pivot', () => {
  it('keeps the headline, the risk and when it was seen', () => {
    const view = incidentView(pivot);
    expect(view).toMatchObject({ id: pivot.id, headline: pivot.title, explanation: pivot.explanation });
    expect(view.risk).toMatchObject({ severity: 'critical', confidence: pivot.confidence, confidenceText: '99%' });
    expect(view.seen).toEqual({ from: '2026-11-21T02:13:04.000Z', to: '2026-11-21T02:29:01.000Z', sameDay: true });
    expect(view.status).toEqual({ code: 'open', label: 'Open' });
    expect(view.response).toBeUndefined();
  });

  it('lists where, in the order every rendering shows it, the namespace with its criticality', () => {
    const { where } = incidentView(pivot);
    expect(where).toMatchObject({
      cluster: 'prod-east',
      namespace: 'payments',
      namespaceCriticality: 'standard',
      pod: 'checkout-7d9f8b6c5-x2k4q',
      imageDigest: null,
    });
    expect(where.fields.map((field) => field.key)).toEqual(['accounts', 'cluster', 'namespace', 'pod', 'owner', 'serviceAccount', 'node', 'image']);
    expect(where.fields[0]).toEqual({ key: 'accounts', label: 'Account', value: '111122223333' });
    expect(where.fields.find((field) => field.key === 'namespace')!.value).toBe('payments (standard)');
  });

  it('names each role with how it was linked, its sessions, keys, and which addresses are outside the cluster', () => {
    const [identity] = incidentView(pivot).identities;
    expect(identity).toEqual({
      roleArn: ROLE_ARN,
      roleName: 'checkout-irsa',
      account: { id: '111122223333', text: '111122223333' },
      via: { code: 'irsa', label: 'IRSA' },
      sessions: ['botocore-session-1763691910', 'aws-sdk-js-session-1'],
      accessKeyIds: ['ASIAEXAMPLEATTACK003', 'ASIAEXAMPLENORMAL001'],
      sourceIps: [{ ip: '198.51.100.23', outside: true }],
      outsideIps: ['198.51.100.23'],
      otherIps: [],
      egressReasons: [],
    });
  });

  it('keeps the timeline with each source labelled, and the sources in the order they first spoke', () => {
    const view = incidentView(pivot);
    expect(view.sources).toEqual([
      { code: 'guardduty', label: 'GuardDuty' },
      { code: 'eks-audit', label: 'EKS audit logs' },
      { code: 'cloudtrail', label: 'CloudTrail' },
    ]);
    expect(view.timeline.map((entry) => [entry.source.code, entry.severity])).toEqual(pivot.signals.map((signal) => [signal.source, signal.severity]));
    expect(view.objectives[0]).toEqual({ tactic: 'Execution (TA0002)', tacticName: 'Execution', technique: 'T1059 Command and Scripting Interpreter' });
  });

  it('splits the plan into automatic steps and steps that wait, each with its code and label', () => {
    const { plan } = incidentView(pivot);
    expect(plan.automatic.map((step) => step.action.code)).toEqual(['capture-evidence', 'isolate-pod', 'revoke-role-sessions', 'fence-role']);
    expect(plan.approval.map((step) => step.action.code)).toEqual(['revoke-all-sessions', 'deny-web-identity', 'restart-pod', 'scale-down']);
    expect(plan.automatic[1]).toMatchObject({ action: { code: 'isolate-pod', label: 'Isolate the pod' }, target: POD, dryRun: false });
  });

  it('tells what is at risk, and which linked roles were not read', () => {
    const radius = incidentView(pivot).risk.blastRadius;
    expect(radius.roles).toEqual([{ roleArn: ROLE_ARN, roleName: 'checkout-irsa', policies: ['AmazonS3ReadOnlyAccess', 'checkout-secrets (inline)'] }]);
    expect(radius.unreadRoles).toEqual([]);
    expect(radius.sameServiceAccountPods).toEqual(['prod-east/payments/checkout-7d9f8b6c5-m8z2p']);
    expect(radius.empty).toBe(false);
    const unread = incidentView({ ...pivot, blastRadius: { ...pivot.blastRadius, rolePermissions: [] } }).risk.blastRadius;
    expect(unread.unreadRoles).toEqual([{ roleArn: ROLE_ARN, roleName: 'checkout-irsa' }]);
  });
});

describe('incidentView with a response', () => {
  it('holds what ran with each undo described, what an undo would reverse, and the approval waiting', () => {
    const view = incidentView(pivot, pendingResponse(pivot));
    expect(view.status).toEqual({ code: 'contained', label: 'Contained' });
    const response = view.response!;
    expect(response.actions.map((run) => [run.action.code, run.result, run.undo !== undefined])).toEqual([
      ['capture-evidence', 'applied', true],
      ['isolate-pod', 'applied', true],
      ['revoke-role-sessions', 'applied', true],
    ]);
    expect(response.actions[1]!.undo).toContain('pivotguard.io/quarantine');
    expect(response.undoable).toEqual([
      { action: { code: 'isolate-pod', label: 'Isolate the pod' }, targets: [POD] },
      { action: { code: 'revoke-role-sessions', label: 'Revoke the role sessions' }, targets: [ROLE_ARN] },
    ]);
    expect(response.approval).toMatchObject({ nonce: 'n-1', expiresAt: '2026-11-21T04:00:00Z', proposed: [{ action: { code: 'restart-pod' }, target: POD }] });
    expect(response.approval!.decision).toBeUndefined();
    expect(response.history.map((change) => [change.from, change.to, change.by])).toEqual([['open', 'contained', 'pivotguard']]);
  });

  it('pairs a step with the undo that settled it and offers it no more', () => {
    const pending = pendingResponse(pivot);
    const response = incidentView(pivot, {
      ...pending,
      undone: [{ action: 'isolate-pod', target: POD, at: '2026-11-21T02:50:00Z', by: 'bob', result: 'undone', detail: 'quarantine removed' }],
    }).response!;
    expect(response.actions[1]!.reversal).toMatchObject({ by: 'bob', result: 'undone' });
    expect(response.undoable.map((entry) => entry.action.code)).toEqual(['revoke-role-sessions']);
  });
});

describe('incidentView keeps what records carry printable', () => {
  it('strips escape sequences, control characters and bidirectional overrides from every text', () => {
    const hostile: Incident = {
      ...pivot,
      title: 'Pod \u001b[31mred\u001b[0m\r\nFAKE LINE \u202egnp.exe',
      workload: { ...pivot.workload, pod: 'evil\u0000pod\u0007' },
      signals: pivot.signals.map((signal) => ({ ...signal, summary: `${signal.summary}\u001b]0;pwned\u0007` })),
    };
    const view = incidentView(hostile);
    expect(view.headline).toBe('Pod red FAKE LINE gnp.exe');
    expect(view.where.pod).toBe('evil pod');
    for (const entry of view.timeline) expect(entry.summary).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]|pwned/);
  });

  it('leaves a field out when nothing printable is left of it', () => {
    const view = incidentView({ ...pivot, workload: { ...pivot.workload, owner: '\u200b\u0007' } });
    expect(view.where.owner).toBeNull();
    expect(view.where.fields.map((field) => field.key)).not.toContain('owner');
  });
});
