import { describe, expect, it } from 'vitest';
import { type Config, configSchema } from '#core/config';
import { withReadNetwork } from '#core/deployment-network';
import { egressReason } from '#core/detect/index';
import type { Incident } from '#core/model/incident';
import type { ReadNetwork } from '#core/model/read-network';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { Pipeline } from '#core/pipeline';
import { roleFencePolicy } from '#core/respond/role-fence';
import { ATTACKER_IP, NAT_IP, ROLE_ARN, pivotScenario } from '../fixtures/pivot-scenario.ts';
import { ACCOUNT, CLUSTER, assumedRoleIdentity, cloudTrailRecord } from '../fixtures/records.ts';
import { memoryStore } from '../fixtures/store.ts';
import { type Decision, DeployedTemplate, decide } from '../support/aws-decisions.ts';

/**
 * In the deployed stack the cluster's egress is read from EC2: the NAT gateways of the cluster's
 * VPC, by their public addresses. A call from one is the cluster's, the incident says which
 * gateway it is, and the fence lets it through.
 */
const CLUSTER_VPC = 'vpc-0a1b2c3d4e5f60718';
const NAT_GATEWAY = 'nat-0abc1234def567890';
const OUTSIDE = 'cloudtrail.credentials-outside-egress';

const configured = configSchema.parse({ clusters: { [CLUSTER]: {} } });
const read = (address: string): ReadNetwork => ({
  clusters: {
    [CLUSTER]: {
      vpcIds: [{ vpcId: CLUSTER_VPC, from: 'eks' }],
      natAddresses: [{ cidr: `${address}/32`, natGatewayId: NAT_GATEWAY, vpcId: CLUSTER_VPC }],
      vpcEndpoints: [],
    },
  },
});

async function incidentsOf(records: unknown[], config: Config): Promise<Incident[]> {
  const out = emptyOutput();
  records.forEach((record, index) => normalizeValue(record, index + 1, { file: 't', defaultCluster: CLUSTER }, out));
  const pipeline = new Pipeline(memoryStore(), config);
  await pipeline.ingest(out.events);
  return (await pipeline.correlate()).incidents;
}

/** The pivot, with the stolen session used from `address` instead of the attacker's. */
function stolenSessionUsedFrom(address: string) {
  return [
    ...pivotScenario().filter((record) => record.sourceIPAddress !== ATTACKER_IP),
    cloudTrailRecord({
      eventTime: '2026-11-21T02:29:01Z',
      userIdentity: assumedRoleIdentity('checkout-irsa', 'botocore-session-1763691910', 'ASIAEXAMPLEATTACK003'),
      sourceIPAddress: address,
    }),
  ];
}

const outsideUses = (incidents: Incident[]) => incidents.flatMap((incident) => incident.signals).filter((signal) => signal.rule === OUTSIDE);
const fenceOf = (incident: Incident) => [...incident.plan.automatic, ...incident.plan.approval].find((step) => step.action === 'fence-role');

describe('egress read from EC2 in the deployed stack', () => {
  it("raises nothing for a session used from a NAT gateway's public address read from EC2; the same use is outside without it", async () => {
    const records = stolenSessionUsedFrom(NAT_IP);
    expect(outsideUses(await incidentsOf(records, configured))).toHaveLength(1);
    const withNat = await incidentsOf(records, withReadNetwork(configured, read(NAT_IP)));
    expect(outsideUses(withNat)).toEqual([]);
    expect(withNat.flatMap((incident) => incident.identities).flatMap((identity) => identity.unusualSourceIps)).toEqual([]);
  });

  it('still flags the attacker’s own address, and fences the role to the NAT gateway’s address and the VPC EKS names', async () => {
    const incidents = await incidentsOf(pivotScenario(), withReadNetwork(configured, read(NAT_IP)));
    expect(outsideUses(incidents)).toHaveLength(1);
    const fence = fenceOf(incidents[0]!)!;
    expect(fence.target).toBe(ROLE_ARN);
    expect(fence.scope).toEqual([`${NAT_IP}/32`, CLUSTER_VPC]);

    const egressCidrs = fence.scope!.filter((entry) => !entry.startsWith('vpc-'));
    const policy = roleFencePolicy({ egressCidrs, vpcIds: fence.scope!.filter((entry) => entry.startsWith('vpc-')) });
    expect(await requestFrom(policy, NAT_IP)).toBe('Allowed');
    expect(await requestFrom(policy, ATTACKER_IP)).toBe('ExplicitlyDenied');
  });

  it('names the NAT gateway, its VPC and EC2 as the reason an address counts as egress', () => {
    const reason = egressReason(NAT_IP, new Map(), withReadNetwork(configured, read(NAT_IP)), ACCOUNT);
    expect(reason).toContain(NAT_GATEWAY);
    expect(reason).toContain(CLUSTER_VPC);
    expect(reason).toMatch(/read from EC2/);
  });

  it('gives the configured reason first when the address is both configured and read', () => {
    const both = configSchema.parse({ clusters: { [CLUSTER]: { egressCidrs: [`${NAT_IP}/32`] } } });
    expect(egressReason(NAT_IP, new Map(), withReadNetwork(both, read(NAT_IP)), ACCOUNT)).toMatch(/configured egressCidrs/);
  });
});

const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function requestFrom(fence: ReturnType<typeof roleFencePolicy>, address: string): Promise<Decision> {
  return decide(new DeployedTemplate({ Resources: {} }), {
    principal: `arn:aws:sts::${ACCOUNT}:assumed-role/checkout-irsa/attacker-new-session`,
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::payments-exports/report.csv',
    context: { 'aws:PrincipalArn': ROLE_ARN, 'aws:SourceIp': address },
    identityPolicies: [
      { name: 'workload', policy: ALLOW_ALL },
      { name: 'pivotguard-fence', policy: fence as never },
    ],
  });
}
