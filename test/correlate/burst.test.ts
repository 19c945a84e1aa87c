import { describe, expect, it } from 'vitest';
import { assumedRoleIdentity, auditEvent, cloudTrailRecord } from '../fixtures/records.ts';
import { incidentsOf } from '../fixtures/pipeline.ts';

const refused = (second: number) =>
  auditEvent({
    verb: 'list',
    requestReceivedTimestamp: `2026-11-21T03:0${Math.floor(second / 60)}:${String(second % 60).padStart(2, '0')}.000000Z`,
    user: { username: 'system:serviceaccount:shop:web', groups: ['system:serviceaccounts'] },
    sourceIPs: ['10.0.9.9'],
    objectRef: { resource: 'secrets', namespace: 'kube-system', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 403 },
    annotations: { 'authorization.k8s.io/decision': 'forbid' },
  });

describe('a burst of weak probes', () => {
  it('opens a medium incident when one identity is refused five times within minutes', async () => {
    const incidents = await incidentsOf([0, 40, 80, 120, 200, 260].map(refused));
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      severity: 'medium',
      title: 'Probing burst by system:serviceaccount:shop:web',
      workload: expect.objectContaining({ namespace: 'shop' }),
    });
    expect(incidents[0]!.explanation).toMatch(/^6 refused or discovery calls by system:serviceaccount:shop:web within 4 minutes/);
  });

  it('leaves a few refusals as context', async () => {
    expect(await incidentsOf([0, 40, 80, 120].map(refused))).toEqual([]);
  });
});

describe('a burst of refused cloud calls', () => {
  const denied = (minute: number, eventName: string) =>
    cloudTrailRecord({ eventTime: `2026-11-21T03:0${minute}:00Z`, eventSource: 'iam.amazonaws.com', eventName, errorCode: 'AccessDenied' });

  it('opens a medium incident when one session is refused five times within minutes', async () => {
    const calls = ['GetRole', 'ListPolicies', 'GetUser', 'ListGroups', 'GetAccountSummary'].map((name, minute) => denied(minute, name));
    const incidents = await incidentsOf(calls);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.severity).toBe('medium');
    expect(incidents[0]!.explanation).toMatch(
      /^5 refused or discovery calls by arn:aws:sts::111122223333:assumed-role\/checkout-irsa\/botocore-session-1 within 4 minutes/,
    );
  });

  it('leaves a single refusal as context', async () => {
    expect(await incidentsOf([denied(0, 'GetRole')])).toEqual([]);
  });
});

describe('a known controller’s sweep', () => {
  const scan = (roleName: string) =>
    ['ListUsers', 'ListRoles', 'ListPolicies', 'GetAccountSummary', 'ListGroups', 'GetAccountAuthorizationDetails', 'ListAccessKeys'].map((eventName, minute) =>
      cloudTrailRecord({
        eventTime: `2026-11-21T03:0${minute}:00Z`,
        userIdentity: assumedRoleIdentity(roleName, 'ProwlerAssessmentSession-2764af35', 'ASIAEXAMPLEKEY000077'),
        eventSource: 'iam.amazonaws.com',
        eventName,
        sourceIPAddress: '192.0.2.80',
        errorCode: 'AccessDenied',
      }),
    );

  it('is the nightly scan’s routine, not a probing burst; the same sweep by another role is one', async () => {
    expect(await incidentsOf(scan('ProwlerScan'))).toEqual([]);
    expect((await incidentsOf(scan('intruder'))).map((incident) => incident.severity)).toEqual(['medium']);
  });
});
