/** Hand-built incidents and responses with explicit timestamps, so each expected figure can be worked out in the test. */
import type { Suppression } from '#core/config';
import type { Incident, IncidentSignal } from '#core/model/incident';
import type { ActionRecord } from '#core/respond/action';
import type { IncidentResponse } from '#core/respond/response';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** An instant `ms` after `iso`, as ISO text. */
export function after(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

export function signal(rule: string, time: string, overrides: Partial<IncidentSignal> = {}): IncidentSignal {
  return {
    id: `sig-${rule}-${time}`,
    source: rule.startsWith('cloudtrail') ? 'cloudtrail' : rule.startsWith('guardduty') ? 'guardduty' : 'eks-audit',
    rule,
    title: `Title of ${rule}`,
    severity: 'high',
    time,
    eventId: `evt-${time}`,
    summary: `summary of ${rule}`,
    objective: { tactic: 'Credential Access (TA0006)', technique: 'T1552 Unsecured Credentials' },
    ...overrides,
  };
}

export function incident(id: string, firstSeen: string, overrides: Partial<Incident> = {}): Incident {
  return {
    id,
    title: `Incident ${id}`,
    severity: 'high',
    confidence: 0.8,
    explanation: 'explanation',
    firstSeen,
    lastSeen: after(firstSeen, 10 * MINUTE),
    objectives: [],
    workload: {
      cluster: 'prod-east',
      namespace: 'payments',
      namespaceCriticality: null,
      pod: 'checkout-1',
      owner: null,
      serviceAccount: 'checkout',
      image: 'registry.example/checkout:2.14.0',
      imageDigest: null,
      node: null,
    },
    identities: [],
    signals: [signal('eks-audit.exec-into-pod', firstSeen)],
    newBehaviour: [],
    whatChanged: [],
    blastRadius: { rolePermissions: [], sameServiceAccountPods: [], sameImagePods: [], podsOnNode: [], notes: [] },
    plan: { automatic: [], approval: [] },
    suppressedSignals: 0,
    ...overrides,
  };
}

export function response(incidentId: string, openedAt: string, overrides: Partial<IncidentResponse> = {}): IncidentResponse {
  return { incidentId, openedAt, status: 'open', history: [], actions: [], undone: [], alerts: [], ...overrides };
}

export function action(incidentId: string, kind: ActionRecord['action'], startedAt: string, result: ActionRecord['result'], detail = 'done'): ActionRecord {
  return { action: kind, incidentId, target: `prod-east/payments/${incidentId}`, startedAt, finishedAt: after(startedAt, 2000), result, detail };
}

export function suppression(expires: string, overrides: Partial<Suppression> = {}): Suppression {
  return {
    rule: 'cloudtrail.secret-read',
    reason: 'the backup job reads every secret nightly',
    owner: 'dana@example.com',
    expires: new Date(expires),
    ...overrides,
  };
}
