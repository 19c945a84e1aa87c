import { describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { ATTACKER_IP, NAT_IP, ROLE_ARN, pivotScenario } from '../fixtures/pivot-scenario.ts';
import { assumedRoleIdentity } from '../fixtures/records.ts';
import { CHAINED_ROLE_ARN, assumeRole, chainedCall, createAccessKey, federatedCall, getFederationToken } from '../fixtures/scenarios/role-chaining.ts';

/**
 * The attacker's next move after stealing a pod's IRSA session: assume another role with it, or
 * mint credentials of their own. Each derived credential leads back to the pod: one incident,
 * and containment reaches every role in the chain.
 */
const POD = 'checkout-7d9f8b6c5-x2k4q';
const STOLEN = assumedRoleIdentity('checkout-irsa', 'botocore-session-1763691910', 'ASIAEXAMPLEATTACK003');
const REPLICA = assumedRoleIdentity('checkout-irsa', 'aws-sdk-js-session-1', 'ASIAEXAMPLENORMAL001');
const CONFIG = { clusters: { 'prod-east': { egressCidrs: [`${NAT_IP}/32`] } } };

function incidentOfPod(incidents: Incident[]): Incident {
  const matching = incidents.filter((incident) => incident.workload.pod === POD);
  expect(matching).toHaveLength(1);
  return matching[0]!;
}

describe('role chaining from a stolen pod session', () => {
  const chain = [
    ...pivotScenario(),
    assumeRole({ time: '2026-11-21T02:31:00Z', caller: STOLEN, sourceIp: ATTACKER_IP, sessionName: 'pivot', accessKeyId: 'ASIAEXAMPLECHAINED01' }),
    chainedCall({ time: '2026-11-21T02:32:00Z', sessionName: 'pivot', accessKeyId: 'ASIAEXAMPLECHAINED01', sourceIp: ATTACKER_IP }),
    // A healthy replica chains the same role from the NAT gateway, as the application does every day.
    assumeRole({ time: '2026-11-21T02:10:00Z', caller: REPLICA, sourceIp: NAT_IP, sessionName: 'nightly-export', accessKeyId: 'ASIAEXAMPLEEXPORT001' }),
  ];

  it('tells one story: the chained role’s use from outside is the pod’s incident, not a separate one about a role', async () => {
    const incidents = await incidentsOf(chain, CONFIG);
    const incident = incidentOfPod(incidents);
    expect(incident.severity).toMatch(/high|critical/);
    expect(incidents.filter((other) => other.identities.some((identity) => identity.roleArn === CHAINED_ROLE_ARN))).toEqual([incident]);
    const chained = incident.identities.find((identity) => identity.roleArn === CHAINED_ROLE_ARN);
    expect(chained).toMatchObject({ via: 'chained', chainedFrom: ROLE_ARN, unusualSourceIps: [ATTACKER_IP] });
    // The replica's own chaining is context, never denied on a guess.
    expect(chained?.sessions.sort()).toEqual(['nightly-export', 'pivot']);
    expect(chained?.tiedSessions).toEqual(['pivot']);
  });

  it('contains every role in the chain: the chained session is denied at once, the chained role fenced when a person approves', async () => {
    const incident = incidentOfPod(await incidentsOf(chain, CONFIG));
    const steps = (tier: 'automatic' | 'approval') => incident.plan[tier].map((step) => `${step.action} ${step.target}`);
    expect(steps('automatic')).toEqual(
      expect.arrayContaining([`fence-role ${ROLE_ARN}`, `revoke-role-sessions ${ROLE_ARN}`, `revoke-role-sessions ${CHAINED_ROLE_ARN}`]),
    );
    expect(incident.plan.automatic.find((step) => step.action === 'revoke-role-sessions' && step.target === CHAINED_ROLE_ARN)?.scope).toEqual(['pivot']);
    expect(steps('approval')).toContain(`fence-role ${CHAINED_ROLE_ARN}`);
    expect(steps('automatic')).not.toContain(`fence-role ${CHAINED_ROLE_ARN}`);
  });

  it('follows a chain of chains back to the pod', async () => {
    const second = assumedRoleIdentity('data-exporter', 'pivot', 'ASIAEXAMPLECHAINED01');
    const incidents = await incidentsOf(
      [
        ...chain,
        assumeRole({
          time: '2026-11-21T02:33:00Z',
          caller: second,
          sourceIp: ATTACKER_IP,
          roleName: 'billing-admin',
          sessionName: 'hop2',
          accessKeyId: 'ASIAEXAMPLEHOPTWO001',
        }),
        {
          ...chainedCall({ time: '2026-11-21T02:34:00Z', sessionName: 'hop2', accessKeyId: 'ASIAEXAMPLEHOPTWO001', sourceIp: ATTACKER_IP }),
          userIdentity: assumedRoleIdentity('billing-admin', 'hop2', 'ASIAEXAMPLEHOPTWO001'),
        },
      ],
      CONFIG,
    );
    const incident = incidentOfPod(incidents);
    expect(incident.identities.find((identity) => identity.roleArn.endsWith(':role/billing-admin'))).toMatchObject({
      via: 'chained',
      chainedFrom: CHAINED_ROLE_ARN,
      tiedSessions: ['hop2'],
    });
  });
});

describe('credentials minted by a stolen pod session', () => {
  it('links an IAM user key the session created, and the federation token that key obtained, back to the pod', async () => {
    const incidents = await incidentsOf(
      [
        ...pivotScenario(),
        createAccessKey({ time: '2026-11-21T02:31:00Z', caller: STOLEN, sourceIp: ATTACKER_IP, userName: 'backup', accessKeyId: 'AKIAEXAMPLEBACKUP001' }),
        getFederationToken({
          time: '2026-11-21T02:35:00Z',
          userName: 'backup',
          callerKey: 'AKIAEXAMPLEBACKUP001',
          sourceIp: ATTACKER_IP,
          name: 'svc',
          accessKeyId: 'ASIAEXAMPLEFEDERATE1',
        }),
        federatedCall({ time: '2026-11-21T02:36:00Z', name: 'svc', accessKeyId: 'ASIAEXAMPLEFEDERATE1', sourceIp: ATTACKER_IP }),
      ],
      CONFIG,
    );
    const incident = incidentOfPod(incidents);
    const rules = new Set(incident.signals.map((signal) => signal.rule));
    expect(rules).toContain('cloudtrail.temporary-credentials-minted');
    // The federated user's secret read from outside is the pod's story too: the stolen session, the user key it created and the federation token, each used from outside, one incident.
    expect(incident.signals.filter((signal) => signal.rule === 'cloudtrail.credentials-outside-egress')).toHaveLength(3);
    expect(incidents.filter((other) => other.signals.some((signal) => signal.rule === 'cloudtrail.temporary-credentials-minted'))).toEqual([incident]);
  });
});
