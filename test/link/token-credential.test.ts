import { describe, expect, it } from 'vitest';
import { factsFor } from '#core/link/index';
import { nodeKey } from '#core/model/graph';
import { CLUSTER, auditEvent } from '../fixtures/records.ts';
import { normalizeAll } from '../fixtures/normalize.ts';
import { FOOTHOLD_POD, KUBELET, footholdUser, unboundServiceAccount } from '../fixtures/scenarios/cluster.ts';

const tokenRequest = (user: unknown, impersonatedUser?: unknown) =>
  auditEvent({
    verb: 'create',
    user,
    impersonatedUser,
    objectRef: { resource: 'serviceaccounts', subresource: 'token', namespace: 'kube-system', name: 'deployment-controller', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 201 },
    annotations: { 'authorization.k8s.io/decision': 'allow', 'authentication.kubernetes.io/issued-credential-id': 'JTI=7c1d' },
  });

const factsOf = (record: unknown) => normalizeAll([record]).flatMap((event) => factsFor(event));

describe('service-account tokens in the identity graph', () => {
  it("joins a requested token's id to the account it speaks for and to the pod that asked, both ways", () => {
    const facts = factsOf(tokenRequest(footholdUser()));
    const credential = nodeKey.credential(CLUSTER, 'JTI=7c1d');
    const pod = nodeKey.pod(CLUSTER, 'payments', FOOTHOLD_POD);
    const account = nodeKey.serviceAccount(CLUSTER, 'kube-system', 'deployment-controller');
    expect(facts.find((fact) => fact.key === credential)).toMatchObject({
      attrs: {
        serviceAccount: 'kube-system/deployment-controller',
        requestedBy: 'system:serviceaccount:payments:checkout',
        requesterPod: `payments/${FOOTHOLD_POD}`,
      },
      edges: [account, pod],
    });
    expect(facts.find((fact) => fact.key === pod)?.edges).toEqual([credential]);
    expect(facts.find((fact) => fact.key === account)?.edges).toEqual([credential]);
  });

  it('credits an impersonated token request to the pod that sent it', () => {
    const facts = factsOf(tokenRequest(footholdUser(), { username: 'admin-alice', groups: ['system:masters'] }));
    expect(facts.find((fact) => fact.key === nodeKey.credential(CLUSTER, 'JTI=7c1d'))?.attrs).toMatchObject({
      requestedBy: 'system:serviceaccount:payments:checkout',
      requesterPod: `payments/${FOOTHOLD_POD}`,
    });
  });

  it("records where a token bound to no pod is used from, and leaves the kubelet's requests and pod-bound tokens' use alone", () => {
    const use = auditEvent({ user: unboundServiceAccount('kube-system', 'deployment-controller', 'JTI=7c1d'), sourceIPs: ['198.51.100.23'] });
    expect(factsOf(use)).toEqual([expect.objectContaining({ key: nodeKey.credential(CLUSTER, 'JTI=7c1d'), edges: [nodeKey.ip('198.51.100.23')] })]);
    expect(factsOf(tokenRequest(KUBELET))).toEqual([]);
    expect(factsOf(auditEvent({ user: footholdUser() }))).toEqual([]);
  });
});
