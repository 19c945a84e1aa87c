import { describe, expect, it } from 'vitest';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { ATTACKER_IP, NAT_IP, pivotScenario } from '../fixtures/pivot-scenario.ts';
import { ACCOUNT, assumedRoleIdentity, cloudTrailRecord, webIdentityAssume } from '../fixtures/records.ts';
import { OTHER_ACCOUNT } from '../support/aws-decisions.ts';

/**
 * A stolen session used through a VPC endpoint carries a private sourceIPAddress, which proves
 * nothing: the attacker can create an endpoint in a VPC of their own. CloudTrail names the
 * endpoint (vpcEndpointId) and its owner (vpcEndpointAccountId); those decide.
 */
const CLUSTER_ENDPOINT = 'vpce-0a1b2c3d4e5f60718';
const ATTACKER_ENDPOINT = 'vpce-0fedcba9876543210';

/** The stolen session reads a secret through a VPC endpoint, from a private address. */
function stolenUseThrough(endpointId: string, endpointAccount: string) {
  return cloudTrailRecord({
    eventTime: '2026-11-21T02:29:01Z',
    userIdentity: assumedRoleIdentity('checkout-irsa', 'botocore-session-1763691910', 'ASIAEXAMPLEATTACK003'),
    eventSource: 'secretsmanager.amazonaws.com',
    eventName: 'GetSecretValue',
    sourceIPAddress: '10.0.42.133',
    requestParameters: { secretId: 'prod/payments/stripe-api-key' },
    vpcEndpointId: endpointId,
    vpcEndpointAccountId: endpointAccount,
  });
}

/** The pivot without its use from the attacker's public address: only the use through the endpoint is left to judge. */
function scenarioThrough(endpointId: string, endpointAccount: string) {
  return [...pivotScenario().filter((record) => record.sourceIPAddress !== ATTACKER_IP), stolenUseThrough(endpointId, endpointAccount)];
}

function outsideUses(incidents: Awaited<ReturnType<typeof incidentsOf>>) {
  return incidents.flatMap((incident) => incident.signals).filter((signal) => signal.rule === 'cloudtrail.credentials-outside-egress');
}

describe('calls through a VPC endpoint', () => {
  it('counts the attacker’s own endpoint, in another account, as outside the cluster', async () => {
    const incidents = await incidentsOf(scenarioThrough(ATTACKER_ENDPOINT, OTHER_ACCOUNT));
    expect(outsideUses(incidents)).toHaveLength(1);
    expect(incidents.flatMap((incident) => incident.identities).flatMap((identity) => identity.unusualSourceIps)).toContain(
      `vpce:${ATTACKER_ENDPOINT}@${OTHER_ACCOUNT}`,
    );
  });

  it('counts an endpoint in the account that is neither configured nor learned as outside', async () => {
    expect(outsideUses(await incidentsOf(scenarioThrough(ATTACKER_ENDPOINT, ACCOUNT)))).toHaveLength(1);
  });

  it('counts the cluster’s configured endpoint as the cluster’s', async () => {
    const config = { clusters: { 'prod-east': { vpcEndpointIds: [CLUSTER_ENDPOINT] } } };
    expect(outsideUses(await incidentsOf(scenarioThrough(CLUSTER_ENDPOINT, ACCOUNT), config))).toEqual([]);
    // Beside its use from the attacker's address, the stolen key was used through the cluster's endpoint: the incident says why that counts as the cluster's.
    const incidents = await incidentsOf([...pivotScenario(), stolenUseThrough(CLUSTER_ENDPOINT, ACCOUNT)], config);
    expect(incidents.flatMap((incident) => incident.identities).flatMap((identity) => identity.egressSources ?? [])).toContainEqual({
      source: `vpce:${CLUSTER_ENDPOINT}@${ACCOUNT}`,
      reason: expect.stringContaining('vpcEndpointIds'),
    });
  });

  it('learns the cluster’s endpoint from credentials issued through it to two workloads over time', async () => {
    const throughEndpoint = (serviceAccount: string, time: string, key: string) => ({
      ...webIdentityAssume({
        time,
        roleName: `${serviceAccount}-irsa`,
        namespace: 'payments',
        serviceAccount,
        sessionName: key,
        accessKeyId: key,
        sourceIp: '10.0.51.9',
      }),
      vpcEndpointId: CLUSTER_ENDPOINT,
      vpcEndpointAccountId: ACCOUNT,
    });
    const learned = [
      throughEndpoint('checkout', '2026-11-21T01:00:00Z', 'ASIAEXAMPLEVPCE00001'),
      throughEndpoint('ledger', '2026-11-21T01:20:00Z', 'ASIAEXAMPLEVPCE00002'),
    ];
    expect(outsideUses(await incidentsOf([...learned, ...scenarioThrough(CLUSTER_ENDPOINT, ACCOUNT)]))).toEqual([]);
    // The same endpoint id claimed by another account's endpoint is still outside.
    expect(outsideUses(await incidentsOf([...learned, ...scenarioThrough(CLUSTER_ENDPOINT, OTHER_ACCOUNT)]))).toHaveLength(1);
  });

  it('still judges public addresses as before: the NAT is the cluster’s once learned, the attacker’s address is not', async () => {
    const incidents = await incidentsOf(pivotScenario());
    const identities = incidents.flatMap((incident) => incident.identities);
    expect(identities.flatMap((identity) => identity.unusualSourceIps)).toEqual([ATTACKER_IP]);
    expect(identities.flatMap((identity) => identity.unusualSourceIps)).not.toContain(NAT_IP);
  });
});
