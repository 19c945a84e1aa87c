import { describe, expect, it } from 'vitest';
import { Pipeline } from '#core/pipeline';
import { configSchema } from '#core/config';
import type { Incident } from '#core/model/incident';
import { memoryStore } from '../fixtures/store.ts';
import { normalizeAll } from '../fixtures/normalize.ts';
import { ACCOUNT, CLUSTER } from '../fixtures/records.ts';
import {
  ATTACKER_IP,
  INSTANCE,
  NODE,
  NODE_ROLE,
  STOLEN_KEY,
  exfiltrationFinding,
  instanceCall,
  nodeRegistration,
  podsOnNode,
} from '../fixtures/scenarios/node-credentials.ts';

type Json = Record<string, unknown>;

/** The cluster as the audit log shows it before the theft: the node, and what runs on it. */
const cluster = () => [nodeRegistration(), ...podsOnNode()];

/** The attacker's calls with the stolen key: nothing before them ever showed this key. */
const attackerCalls = (options: { withArn?: boolean } = {}) => [
  instanceCall({ ...options, time: '2026-11-21T03:10:00Z', sourceIp: ATTACKER_IP }),
  instanceCall({ ...options, time: '2026-11-21T03:11:00Z', sourceIp: ATTACKER_IP, eventSource: 'iam.amazonaws.com', eventName: 'ListAttachedRolePolicies' }),
];

async function incidentsOf(records: Json[], oneByOne = false): Promise<Incident[]> {
  const pipeline = new Pipeline(memoryStore(), configSchema.parse({}));
  if (oneByOne) for (const record of records) await pipeline.ingest(normalizeAll([record]));
  else await pipeline.ingest(normalizeAll(records));
  return (await pipeline.correlate()).incidents;
}

/** What every one of these incidents must say: the node, the pods on it, high or worse, node-wide steps asked for. */
function expectNodeIncident(incidents: Incident[]): Incident {
  expect(incidents).toHaveLength(1);
  const incident = incidents[0]!;
  expect(incident.workload).toMatchObject({ cluster: CLUSTER, node: NODE });
  expect(['high', 'critical']).toContain(incident.severity);
  expect(incident.blastRadius.podsOnNode.map((entry) => entry.pod).sort()).toEqual([
    `${CLUSTER}/kube-system/aws-node-abcde`,
    `${CLUSTER}/kube-system/log-shipper-x1`,
    `${CLUSTER}/shop/web-1`,
  ]);
  expect(incident.plan.approval).toContainEqual(expect.objectContaining({ action: 'cordon-node', target: NODE }));
  expect(incident.plan.automatic.map((action) => action.action)).not.toContain('cordon-node');
  return incident;
}

describe('a node key first seen in the attacker hands', () => {
  it('links the key to the node by the instance session of its first call from outside', async () => {
    const incident = expectNodeIncident(await incidentsOf([...cluster(), ...attackerCalls()]));
    expect(incident.identities).toEqual([expect.objectContaining({ via: 'instance-role', sessions: [INSTANCE], unusualSourceIps: [ATTACKER_IP] })]);
    expect(incident.signals.map((signal) => signal.rule)).toContain('cloudtrail.credentials-outside-egress');
  });

  it('links it whichever arrives first: the calls, or the node registration', async () => {
    expectNodeIncident(await incidentsOf([...attackerCalls(), ...podsOnNode(), nodeRegistration()], true));
  });

  it("links the GuardDuty finding alone by its key's principalId: role id, then the instance id as session name", async () => {
    const incident = expectNodeIncident(await incidentsOf([...cluster(), exfiltrationFinding()]));
    expect(incident.signals.map((signal) => signal.rule)).toEqual(['guardduty.finding']);
    expect(incident.identities).toEqual([expect.objectContaining({ via: 'instance-role', sessions: [INSTANCE] })]);
  });

  it("links the finding by its instance details too, and joins it with the key's calls into one incident", async () => {
    const incident = expectNodeIncident(await incidentsOf([...cluster(), ...attackerCalls(), exfiltrationFinding({ withInstance: true })]));
    expect(incident.signals.map((signal) => signal.rule)).toEqual(expect.arrayContaining(['guardduty.finding', 'cloudtrail.credentials-outside-egress']));
  });

  it('links calls whose record lacks the caller ARN through the finding on the same key', async () => {
    const incident = expectNodeIncident(await incidentsOf([...cluster(), ...attackerCalls({ withArn: false }), exfiltrationFinding()]));
    expect(incident.identities[0]).toMatchObject({ via: 'instance-role', sessions: [INSTANCE] });
  });

  it('does not link a finding whose session is not an instance id: a person or a pod using the same role name', async () => {
    const finding = exfiltrationFinding() as { detail: { resource: { accessKeyDetails: Json } } };
    finding.detail.resource.accessKeyDetails.principalId = 'AROAQWERTYNODEROLE01:alice@example.com';
    const incidents = await incidentsOf([...cluster(), finding]);
    expect(incidents.map((incident) => incident.workload.node ?? null)).toEqual([null]);
  });

  it('names the role and key the attacker holds', async () => {
    const incident = expectNodeIncident(await incidentsOf([...cluster(), ...attackerCalls()]));
    expect(incident.identities[0]).toMatchObject({ roleArn: `arn:aws:iam::${ACCOUNT}:role/${NODE_ROLE}`, accessKeyIds: [STOLEN_KEY] });
  });
});
