/** The pivot scenario through the pipeline, with a response part-way through containment: the incident every golden file shows. */
import type { Incident } from '#core/model/incident';
import type { ActionRecord } from '#core/respond/action';
import { type IncidentResponse, openResponse, withActions } from '#core/respond/response';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { ROLE_ARN, pivotScenario } from '../fixtures/pivot-scenario.ts';

export const NOW = new Date('2026-11-21T03:00:00Z');
export const NONCE = 'n-1';
export const TOKEN = 'eyJpbmMiOjF9.c2lnbmF0dXJl';
export const POD = 'prod-east/payments/checkout-7d9f8b6c5-x2k4q';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** The scenario's records with their random ids numbered instead, so signals at the same second keep one order. */
function numberedRecords(): unknown[] {
  const numbers = new Map<string, string>();
  const text = JSON.stringify(pivotScenario()).replace(UUID, (uuid) => {
    if (!numbers.has(uuid)) numbers.set(uuid, `00000000-0000-4000-8000-${String(numbers.size + 1).padStart(12, '0')}`);
    return numbers.get(uuid)!;
  });
  return JSON.parse(text) as unknown[];
}

/** The pivot incident, with the role permissions enrichment would have read. */
export async function pivotIncident(): Promise<Incident> {
  const incidents = await incidentsOf(numberedRecords());
  if (incidents.length !== 1) throw new Error(`the pivot scenario opened ${incidents.length} incidents`);
  const [incident] = incidents as [Incident];
  return {
    ...incident,
    blastRadius: { ...incident.blastRadius, rolePermissions: [{ roleArn: ROLE_ARN, policies: ['AmazonS3ReadOnlyAccess', 'checkout-secrets (inline)'] }] },
  };
}

function record(incident: Incident, action: ActionRecord['action'], target: string, undo: ActionRecord['undo']): ActionRecord {
  return {
    action,
    incidentId: incident.id,
    target,
    startedAt: '2026-11-21T02:30:00Z',
    finishedAt: '2026-11-21T02:30:02Z',
    result: 'applied',
    detail: `${action} done`,
    undo,
  };
}

/** Evidence, isolation and revocation ran; restarting the pod waits for approval. */
export function pendingResponse(incident: Incident): IncidentResponse {
  const ran = withActions(openResponse(incident.id, '2026-11-21T02:29:30Z'), [
    record(incident, 'capture-evidence', POD, { kind: 'none', reason: 'evidence is kept' }),
    record(incident, 'isolate-pod', POD, {
      kind: 'remove-pod-quarantine',
      cluster: 'prod-east',
      namespace: 'payments',
      pod: 'checkout-7d9f8b6c5-x2k4q',
      label: 'pivotguard.io/quarantine',
      networkPolicy: `pivotguard-quarantine-${incident.id}`,
    }),
    record(incident, 'revoke-role-sessions', ROLE_ARN, {
      kind: 'delete-role-policy',
      roleName: 'checkout-irsa',
      policyName: `pivotguard-revoke-${incident.id}`,
    }),
  ]);
  return {
    ...ran,
    approval: {
      nonce: NONCE,
      requestedAt: '2026-11-21T02:30:05Z',
      expiresAt: '2026-11-21T04:00:00Z',
      proposed: [{ action: 'restart-pod', target: POD, reason: 'replace the compromised container' }],
    },
  };
}
