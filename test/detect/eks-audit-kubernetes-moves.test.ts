/**
 * Kubernetes moves replayed end to end, as EKS delivers them to CloudWatch Logs: each attack opens
 * an incident of its severity on the right pod, service account or node, and its benign twin
 * raises nothing high.
 */
import { describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import { severityRank } from '#core/model/signal';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { memoryStore } from '../fixtures/store.ts';
import { CLUSTER } from '../fixtures/records.ts';
import { nodeKey } from '#core/model/graph';
import { FOOTHOLD_POD, NODE } from '../fixtures/scenarios/cluster.ts';
import { adminDebugsDevPod, workloadDebugsAnotherPod } from '../fixtures/scenarios/kubectl-debug.ts';
import { commandThroughNodeProxy, prometheusScrape } from '../fixtures/scenarios/node-proxy.ts';
import { adminApprovedClientCertificate, nodeBootstrap, selfApprovedClientCertificate } from '../fixtures/scenarios/client-certificate.ts';
import { adminImpersonatesDeveloper, workloadImpersonatesAdmin, workloadImpersonatesControllerManager } from '../fixtures/scenarios/impersonation.ts';
import { STOLEN_ACCOUNT, STOLEN_TOKEN_ID, routineTokenRequests, tokenMintedForKubeSystemAndUsedOutside } from '../fixtures/scenarios/token-theft.ts';
import { addonManagerUpdatesCni, workloadPlantsHostDaemonSet } from '../fixtures/scenarios/host-daemonset.ts';

/** The one incident a rule's signal landed in. */
function incidentWith(incidents: Incident[], rule: string): Incident {
  const found = incidents.filter((incident) => incident.signals.some((signal) => signal.rule === rule));
  expect(found, `one incident carries ${rule}`).toHaveLength(1);
  return found[0]!;
}

function loud(incidents: Incident[]): string[] {
  return incidents.filter((incident) => severityRank[incident.severity] >= severityRank.high).map((incident) => `${incident.severity} ${incident.title}`);
}

describe('kubectl debug: ephemeral containers', () => {
  it('a workload adding a privileged debug container to another pod is critical, on the target pod, joined with the attach', async () => {
    const incident = incidentWith(await incidentsOf(workloadDebugsAnotherPod()), 'eks-audit.ephemeral-container');
    expect(incident.severity).toBe('critical');
    expect(incident.workload).toMatchObject({ namespace: 'payments', pod: 'ledger-0', node: NODE });
    expect(incident.signals.map((signal) => signal.rule).sort()).toEqual(['eks-audit.ephemeral-container', 'eks-audit.exec-into-pod']);
    expect(incident.objectives.map((objective) => objective.technique)).toContain('T1609 Container Administration Command');
  });

  it('a cluster admin debugging a dev pod is a medium incident, never high', async () => {
    const incidents = await incidentsOf(adminDebugsDevPod());
    expect(loud(incidents)).toEqual([]);
    expect(incidentWith(incidents, 'eks-audit.ephemeral-container')).toMatchObject({
      severity: 'medium',
      workload: { namespace: 'dev', pod: 'web-6c9d7-abcde' },
    });
  });
});

describe('command execution through the kubelet API (nodes/proxy)', () => {
  it('is high, names the node, and is tied to the service account and pod whose token was used', async () => {
    const incident = incidentWith(await incidentsOf(commandThroughNodeProxy()), 'eks-audit.node-proxy');
    expect(incident.severity).toBe('high');
    expect(incident.workload).toMatchObject({ namespace: 'payments', serviceAccount: 'checkout', pod: FOOTHOLD_POD });
    const run = incident.signals.find((signal) => signal.rule === 'eks-audit.node-proxy' && signal.severity === 'high')!;
    expect(run.summary).toContain(`node ${NODE}`);
    expect(run.summary).toContain('in pod kube-system/kube-proxy-8xk2l running id');
  });

  it('monitoring scraping metrics through the node proxy raises nothing', async () => {
    expect(await incidentsOf(prometheusScrape())).toEqual([]);
  });
});

describe('client certificates minted through CertificateSigningRequests', () => {
  it('a workload requesting and approving its own kube-apiserver-client certificate is critical, on its pod', async () => {
    const incident = incidentWith(await incidentsOf(selfApprovedClientCertificate()), 'eks-audit.client-certificate');
    expect(incident.severity).toBe('critical');
    expect(incident.workload).toMatchObject({ namespace: 'payments', serviceAccount: 'checkout', pod: FOOTHOLD_POD });
    const minted = incident.signals.filter((signal) => signal.rule === 'eks-audit.client-certificate');
    expect(minted.map((signal) => signal.severity).sort()).toEqual(['critical', 'high']);
  });

  it("an admin approving someone else's client certificate is high, below self-approval", async () => {
    const incidents = await incidentsOf(adminApprovedClientCertificate());
    expect(incidents.map((incident) => incident.severity).sort()).toEqual(['high', 'medium']);
  });

  it('nodes bootstrapping their client and serving certificates raise nothing', async () => {
    expect(await incidentsOf(nodeBootstrap())).toEqual([]);
  });
});

describe('impersonation', () => {
  it("a workload impersonating a cluster admin is critical on its own pod; what it did is the admin's, naming the impersonator", async () => {
    const incidents = await incidentsOf(workloadImpersonatesAdmin());
    const impersonation = incidentWith(incidents, 'eks-audit.impersonation');
    expect(impersonation.severity).toBe('critical');
    expect(impersonation.workload).toMatchObject({ namespace: 'payments', serviceAccount: 'checkout', pod: FOOTHOLD_POD });
    const listing = incidents.flatMap((incident) => incident.signals).find((signal) => signal.rule === 'eks-audit.secrets-access')!;
    expect(listing.severity).toBe('high');
    expect(listing.summary).toMatch(/^admin-alice \(impersonated by system:serviceaccount:payments:checkout\)/);
  });

  it('impersonating the controller manager does not hide a host-level DaemonSet planted in kube-system', async () => {
    const incidents = await incidentsOf(workloadImpersonatesControllerManager());
    const planted = incidentWith(incidents, 'eks-audit.kube-system-host-daemonset');
    expect(planted.severity).toBe('critical');
    expect(planted.workload).toMatchObject({ serviceAccount: 'checkout', pod: FOOTHOLD_POD });
    expect(incidentWith(incidents, 'eks-audit.impersonation').severity).toBe('critical');
  });

  it('a cluster admin impersonating a developer is context at most', async () => {
    expect(await incidentsOf(adminImpersonatesDeveloper())).toEqual([]);
  });
});

describe('a token requested for another service account, then used from outside', () => {
  it('the request and the token’s use from outside are one critical incident on the requesting pod, which the graph ties to the token', async () => {
    const store = memoryStore();
    const incidents = await incidentsOf(tokenMintedForKubeSystemAndUsedOutside(), {}, store);
    const minted = incidentWith(incidents, 'eks-audit.service-account-token');
    expect(minted.severity).toBe('critical');
    expect(minted.workload).toMatchObject({ namespace: 'payments', serviceAccount: 'checkout', pod: FOOTHOLD_POD });
    expect(minted.whatChanged.map((change) => change.description)).toContain(
      `requested token ${STOLEN_TOKEN_ID} for service account kube-system/${STOLEN_ACCOUNT}`,
    );
    const used = incidentWith(incidents, 'eks-audit.system-principal-public-ip');
    // The stolen token's use from outside leads back to the pod that requested it: one story.
    expect(used).toBe(minted);
    const credential = store.get(nodeKey.credential(CLUSTER, STOLEN_TOKEN_ID))!;
    expect(Object.keys(credential.edges).sort()).toEqual(
      [nodeKey.ip('198.51.100.23'), nodeKey.pod(CLUSTER, 'payments', FOOTHOLD_POD), nodeKey.serviceAccount(CLUSTER, 'kube-system', STOLEN_ACCOUNT)].sort(),
    );
  });

  it("the kubelet's token requests and a pod asking for its own token raise nothing high", async () => {
    expect(loud(await incidentsOf(routineTokenRequests()))).toEqual([]);
  });
});

describe('host-level DaemonSets in kube-system', () => {
  it('planted by a workload: critical, on its service account and pod, escape to host', async () => {
    const incident = incidentWith(await incidentsOf(workloadPlantsHostDaemonSet()), 'eks-audit.kube-system-host-daemonset');
    expect(incident.severity).toBe('critical');
    expect(incident.workload).toMatchObject({ namespace: 'payments', serviceAccount: 'checkout', pod: FOOTHOLD_POD });
    expect(incident.objectives.map((objective) => objective.technique)).toContain('T1611 Escape to Host');
  });

  it('the EKS add-on manager rolling the VPC CNI raises nothing high', async () => {
    expect(loud(await incidentsOf(addonManagerUpdatesCni()))).toEqual([]);
  });
});
