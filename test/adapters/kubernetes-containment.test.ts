import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { ApiException, CoreV1Api, NetworkingV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClusterNotReachable, clusterAccess, kubeConfigFor } from '#adapters/kubernetes/cluster-access';
import {
  ForeignUndoStep,
  IncompleteTarget,
  KubernetesContainment,
  KubernetesRequestFailed,
  type KubernetesTarget,
  NotAKubernetesUndo,
  WrongCluster,
} from '#adapters/kubernetes/containment';
import { EKS_TOKEN_PREFIX } from '#adapters/kubernetes/eks-token';
import { actionDescriptor } from '#core/actions/registry';
import type { UndoStep } from '#core/respond/action';
import { quarantineNetworkPolicy } from '#core/respond/network-policy';
import { type KubeObject, KubeApiFake, type RecordedRequest } from '#adapters/local/kube-api-fake';

const CLUSTER = 'prod-east';
const NS = 'shop';
const INCIDENT = 'inc-0a1b2c3d4e5f';
const POLICY = 'pivotguard-quarantine-inc-0a1b2c3d4e5f';
const POD = 'checkout-7d9f8c6b5-x2k4p';
const NODE = 'ip-10-0-1-23.ec2.internal';
const POD_PATH = `/api/v1/namespaces/${NS}/pods/${POD}`;
const POLICIES_PATH = `/apis/networking.k8s.io/v1/namespaces/${NS}/networkpolicies`;

let fake: KubeApiFake;
let containment: KubernetesContainment;

beforeAll(async () => {
  fake = await KubeApiFake.start();
  containment = new KubernetesContainment(fake.kubeConfig(CLUSTER));
});

afterAll(async () => {
  await fake.stop();
});

beforeEach(() => {
  fake.reset();
  seedShop();
  // Seeding is not traffic: every test starts with an empty request log.
  fake.requests.length = 0;
});

/** Every owner in these tests is an apps/v1 workload. */
function owner(kind: string, name: string) {
  return [{ apiVersion: 'apps/v1', kind, name, uid: `${name}-uid`, controller: true }];
}

function pod(name: string, ownerReferences?: KubeObject['metadata']['ownerReferences']): KubeObject {
  return {
    metadata: { name, namespace: NS, labels: { app: name.split('-')[0]! }, ...(ownerReferences ? { ownerReferences } : {}) },
    spec: { nodeName: NODE, containers: [{ name: 'app', image: 'registry.example/app:1' }] },
    status: { phase: 'Running' },
  };
}

function seedShop(): void {
  fake.seed('deployments', { metadata: { name: 'checkout', namespace: NS }, spec: { replicas: 3 }, status: { replicas: 3 } });
  fake.seed('replicasets', {
    metadata: { name: 'checkout-7d9f8c6b5', namespace: NS, ownerReferences: owner('Deployment', 'checkout') },
    spec: { replicas: 3 },
  });
  fake.seed('pods', pod(POD, owner('ReplicaSet', 'checkout-7d9f8c6b5')));
  fake.seed('statefulsets', { metadata: { name: 'ledger', namespace: NS }, spec: { replicas: 2 } });
  fake.seed('pods', pod('ledger-0', owner('StatefulSet', 'ledger')));
  fake.seed('replicasets', { metadata: { name: 'batch-5f6', namespace: NS }, spec: {} });
  fake.seed('pods', pod('batch-5f6-q8w2e', owner('ReplicaSet', 'batch-5f6')));
  fake.seed('pods', pod('node-agent-7hx2q', owner('DaemonSet', 'node-agent')));
  fake.seed('pods', pod('debug-shell'));
  fake.seed('nodes', { metadata: { name: NODE, labels: { 'kubernetes.io/hostname': NODE } }, spec: { providerID: 'aws:///us-east-1a/i-0abc' } });
}

function target(overrides: Partial<KubernetesTarget> = {}): KubernetesTarget {
  return { incidentId: INCIDENT, cluster: CLUSTER, namespace: NS, pod: POD, dryRun: false, ...overrides };
}

/** Method, path and (when a body was sent) its content type: what the client put on the wire, in order. */
function wire(requests: RecordedRequest[] = fake.requests): string[] {
  return requests.map((request) =>
    [request.method, request.path, request.body === undefined ? undefined : request.contentType?.split(';')[0]].filter(Boolean).join(' '),
  );
}

function withoutServerFields(object: KubeObject | undefined): unknown {
  if (!object) return object;
  const { uid: _uid, resourceVersion: _resourceVersion, ...metadata } = object.metadata;
  return { ...object, metadata };
}

const QUARANTINE_UNDO: UndoStep = {
  kind: 'remove-pod-quarantine',
  cluster: CLUSTER,
  namespace: NS,
  pod: POD,
  label: 'pivotguard.io/quarantine',
  networkPolicy: POLICY,
};

describe('isolatePod', () => {
  it('creates the deny-all policy, then labels the one pod, and records how to undo both', async () => {
    const record = await containment.isolatePod(target());

    expect(record).toMatchObject({ action: 'isolate-pod', incidentId: INCIDENT, target: `${CLUSTER}/${NS}/${POD}`, result: 'applied', undo: QUARANTINE_UNDO });
    expect(withoutServerFields(fake.object('networkpolicies', NS, POLICY))).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: POLICY,
        namespace: NS,
        labels: { 'app.kubernetes.io/managed-by': 'pivotguard', 'pivotguard.io/incident': INCIDENT },
      },
      spec: {
        podSelector: { matchLabels: { 'pivotguard.io/quarantine': INCIDENT } },
        policyTypes: ['Ingress', 'Egress'],
      },
    });
    expect(fake.object('pods', NS, POD)?.metadata.labels).toEqual({ app: 'checkout', 'pivotguard.io/quarantine': INCIDENT });
    expect(fake.object('pods', NS, 'ledger-0')?.metadata.labels).toEqual({ app: 'ledger' });
    expect(wire()).toEqual([
      `GET ${POD_PATH}`,
      `GET ${POLICIES_PATH}/${POLICY}`,
      // The other policies and the Services in the namespace: which labels let traffic reach the pod past the deny-all.
      `GET ${POLICIES_PATH}`,
      `GET /api/v1/namespaces/${NS}/services`,
      `POST ${POLICIES_PATH} application/json`,
      `PATCH ${POD_PATH} application/json-patch+json`,
    ]);
    // Nothing else selects the pod here, so the patch only adds the quarantine label.
    expect(fake.requests[5]!.body).toEqual([{ op: 'add', path: '/metadata/labels/pivotguard.io~1quarantine', value: INCIDENT }]);
  });

  it('finds its own work on a retry: already-applied, the same undo, no write, one policy', async () => {
    const first = await containment.isolatePod(target());
    fake.requests.length = 0;

    const again = await containment.isolatePod(target());

    expect(again.result).toBe('already-applied');
    expect(again.undo).toEqual(first.undo);
    expect(fake.mutations()).toEqual([]);
    expect(fake.names('networkpolicies', NS)).toEqual([POLICY]);
  });

  it('takes over a policy a concurrent attempt created between its read and its create (409 AlreadyExists)', async () => {
    fake.seed('networkpolicies', { ...quarantineNetworkPolicy(INCIDENT, NS) });
    fake.fail('get', 'networkpolicies', 404, 1);
    fake.requests.length = 0;

    const record = await containment.isolatePod(target());

    expect(record.result).toBe('applied');
    expect(wire()).toEqual([
      `GET ${POD_PATH}`,
      `GET ${POLICIES_PATH}/${POLICY}`,
      `GET ${POLICIES_PATH}`,
      `GET /api/v1/namespaces/${NS}/services`,
      `POST ${POLICIES_PATH} application/json`,
      `GET ${POLICIES_PATH}/${POLICY}`,
      `PATCH ${POD_PATH} application/json-patch+json`,
    ]);
    expect(fake.names('networkpolicies', NS)).toEqual([POLICY]);
  });

  it('puts back a quarantine policy someone loosened, with an update on the version it read', async () => {
    await containment.isolatePod(target());
    const loosened = fake.object('networkpolicies', NS, POLICY)!;
    fake.seed('networkpolicies', { ...loosened, spec: { ...loosened.spec, egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] } });
    fake.requests.length = 0;

    const record = await containment.isolatePod(target());

    expect(record.result).toBe('applied');
    expect(record.detail).toContain('restore NetworkPolicy');
    expect(wire(fake.mutations())).toEqual([`PUT ${POLICIES_PATH}/${POLICY} application/json`]);
    expect(fake.object('networkpolicies', NS, POLICY)?.spec).toEqual({
      podSelector: { matchLabels: { 'pivotguard.io/quarantine': INCIDENT } },
      policyTypes: ['Ingress', 'Egress'],
    });
  });

  it('dry-run reads, writes nothing, and reports the undo it would record', async () => {
    const record = await containment.isolatePod(target({ dryRun: true }));

    expect(record).toMatchObject({ result: 'dry-run', undo: QUARANTINE_UNDO });
    expect(record.detail).toContain(`create deny-all NetworkPolicy ${POLICY}`);
    expect(fake.mutations()).toEqual([]);
    expect(fake.requests.every((request) => request.method === 'GET')).toBe(true);
    expect(fake.names('networkpolicies', NS)).toEqual([]);
  });

  it('skips a pod that is gone, with nothing to undo', async () => {
    const record = await containment.isolatePod(target({ pod: 'checkout-7d9f8c6b5-gone1' }));

    expect(record.result).toBe('skipped');
    expect(record.detail).toBe(`pod ${NS}/checkout-7d9f8c6b5-gone1 is gone; nothing to isolate`);
    expect(record.undo).toBeUndefined();
    expect(fake.mutations()).toEqual([]);
  });

  it('leaves a pod another incident quarantined to that incident', async () => {
    await containment.isolatePod(target({ incidentId: 'inc-ffffffffffff' }));
    fake.requests.length = 0;

    const record = await containment.isolatePod(target());

    expect(record.result).toBe('skipped');
    expect(record.detail).toContain('already quarantined by incident inc-ffffffffffff');
    expect(record.undo).toBeUndefined();
    expect(fake.mutations()).toEqual([]);
  });

  it('fails naming the missing grant when it may not create NetworkPolicies, having changed nothing', async () => {
    fake.forbid('create', 'networkpolicies', NS);

    const record = await containment.isolatePod(target());

    expect(record.result).toBe('failed');
    expect(record.detail).toBe(
      "forbidden: pivotguard's Kubernetes identity lacks create on networkpolicies.networking.k8s.io in namespace shop; add it to the pivotguard ClusterRole (npx pivotguard rbac prints it)",
    );
    expect(record.undo).toBeUndefined();
    expect(fake.names('networkpolicies', NS)).toEqual([]);
    expect(fake.object('pods', NS, POD)?.metadata.labels).toEqual({ app: 'checkout' });
    expect(wire(fake.mutations())).toEqual([`POST ${POLICIES_PATH} application/json`]);
  });

  it('records the undo of the policy it created when labelling the pod is forbidden, and that undo cleans up', async () => {
    fake.forbid('patch', 'pods', NS);

    const record = await containment.isolatePod(target());

    expect(record.result).toBe('failed');
    expect(record.detail).toContain('lacks patch on pods in namespace shop');
    expect(record.undo).toEqual(QUARANTINE_UNDO);
    expect(fake.names('networkpolicies', NS)).toEqual([POLICY]);

    const undone = await containment.undo(record.undo!);
    expect(undone.result).toBe('undone');
    expect(fake.names('networkpolicies', NS)).toEqual([]);
  });

  it('throws on an API error it has no decision for, so the workflow retries', async () => {
    fake.fail('create', 'networkpolicies', 500);

    const attempt = containment.isolatePod(target());

    await expect(attempt).rejects.toBeInstanceOf(KubernetesRequestFailed);
    await expect(attempt).rejects.toThrow(`create networkpolicies (API group networking.k8s.io) ${POLICY} in namespace shop failed: HTTP 500`);
  });
});

describe('undo of an isolation', () => {
  it('deletes the policy and removes only the quarantine label; a second undo changes nothing', async () => {
    const { undo } = await containment.isolatePod(target());
    fake.requests.length = 0;

    const first = await containment.undo(undo!);

    expect(first.result).toBe('undone');
    expect(fake.names('networkpolicies', NS)).toEqual([]);
    expect(fake.object('pods', NS, POD)?.metadata.labels).toEqual({ app: 'checkout' });
    expect(wire(fake.mutations())).toEqual([`PATCH ${POD_PATH} application/json-patch+json`, `DELETE ${POLICIES_PATH}/${POLICY}`]);
    // The label goes only while it still holds this incident's id.
    expect(fake.mutations()[0]!.body).toEqual([
      { op: 'test', path: '/metadata/labels/pivotguard.io~1quarantine', value: INCIDENT },
      { op: 'remove', path: '/metadata/labels/pivotguard.io~1quarantine' },
    ]);

    fake.requests.length = 0;
    const second = await containment.undo(undo!);
    expect(second.result).toBe('already-undone');
    expect(wire(fake.mutations())).toEqual([`DELETE ${POLICIES_PATH}/${POLICY}`]);
    expect(fake.object('pods', NS, POD)?.metadata.labels).toEqual({ app: 'checkout' });
  });

  it('still deletes the policy when the pod has gone since', async () => {
    const { undo } = await containment.isolatePod(target());
    await containment.restartPod(target());

    expect((await containment.undo(undo!)).result).toBe('undone');
    expect(fake.names('networkpolicies', NS)).toEqual([]);
  });
});

describe('restartPod', () => {
  it('deletes the pod, guarded by its uid, and records that it cannot be undone', async () => {
    const uid = fake.object('pods', NS, POD)!.metadata.uid;

    const record = await containment.restartPod(target());

    expect(record).toMatchObject({ action: 'restart-pod', result: 'applied', target: `${CLUSTER}/${NS}/${POD}` });
    expect(record.undo).toEqual({ kind: 'none', reason: expect.stringContaining('a deleted pod cannot come back') });
    expect(fake.object('pods', NS, POD)).toBeUndefined();
    expect(wire(fake.mutations())).toEqual([`DELETE ${POD_PATH} application/json`]);
    expect(fake.mutations()[0]!.body).toEqual({ preconditions: { uid } });
  });

  it('dry-run deletes nothing', async () => {
    const record = await containment.restartPod(target({ dryRun: true }));

    expect(record.result).toBe('dry-run');
    expect(record.undo?.kind).toBe('none');
    expect(fake.mutations()).toEqual([]);
    expect(fake.object('pods', NS, POD)).toBeDefined();
  });

  it('skips a pod that is already gone, as a retry after the delete finds it', async () => {
    await containment.restartPod(target());

    const again = await containment.restartPod(target());

    expect(again.result).toBe('skipped');
    expect(again.detail).toContain('is gone');
  });

  it('reports a StatefulSet pod already replaced under the same name (uid precondition conflict) as already applied', async () => {
    fake.fail('delete', 'pods', 409, 1);

    const record = await containment.restartPod(target({ pod: 'ledger-0' }));

    expect(record.result).toBe('already-applied');
    expect(record.detail).toContain('already replaced');
  });

  it('will not delete a pod that nothing would recreate', async () => {
    const record = await containment.restartPod(target({ pod: 'debug-shell' }));

    expect(record.result).toBe('skipped');
    expect(record.detail).toContain('no controller');
    expect(fake.mutations()).toEqual([]);
  });

  it('fails naming the grant when it may not delete pods', async () => {
    fake.forbid('delete', 'pods');

    const record = await containment.restartPod(target());

    expect(record.result).toBe('failed');
    expect(record.detail).toContain('lacks delete on pods in namespace shop');
    expect(fake.object('pods', NS, POD)).toBeDefined();
  });
});

describe('scaleDown', () => {
  const DEPLOYMENT_SCALE = `/apis/apps/v1/namespaces/${NS}/deployments/checkout/scale`;

  it('follows pod → ReplicaSet → Deployment and scales the Deployment to 0 through its scale subresource', async () => {
    const record = await containment.scaleDown(target());

    expect(record).toMatchObject({
      action: 'scale-down',
      target: `${CLUSTER}/${NS}/Deployment/checkout`,
      result: 'applied',
      detail: 'scaled Deployment shop/checkout from 3 to 0 replicas',
      undo: { kind: 'restore-replicas', cluster: CLUSTER, namespace: NS, workloadKind: 'Deployment', name: 'checkout', replicas: 3 },
    });
    expect(wire()).toEqual([
      `GET ${POD_PATH}`,
      `GET /apis/apps/v1/namespaces/${NS}/replicasets/checkout-7d9f8c6b5`,
      `GET /apis/apps/v1/namespaces/${NS}/deployments/checkout`,
      `PATCH ${DEPLOYMENT_SCALE} application/merge-patch+json`,
    ]);
    expect(fake.requests[3]!.body).toEqual({ spec: { replicas: 0 } });
    expect(fake.object('deployments', NS, 'checkout')?.spec?.replicas).toBe(0);
  });

  it('undo restores the recorded count; a second undo changes nothing', async () => {
    const { undo } = await containment.scaleDown(target());

    expect((await containment.undo(undo!)).result).toBe('undone');
    expect(fake.object('deployments', NS, 'checkout')?.spec?.replicas).toBe(3);
    fake.requests.length = 0;
    expect((await containment.undo(undo!)).result).toBe('already-undone');
    expect(fake.mutations()).toEqual([]);
  });

  it('undo leaves alone a workload someone scaled since', async () => {
    const { undo } = await containment.scaleDown(target());
    const deployment = fake.object('deployments', NS, 'checkout')!;
    fake.seed('deployments', { ...deployment, spec: { ...deployment.spec, replicas: 5 } });

    const record = await containment.undo(undo!);

    expect(record.result).toBe('skipped');
    expect(record.detail).toContain('is at 5 replicas');
    expect(fake.object('deployments', NS, 'checkout')?.spec?.replicas).toBe(5);
  });

  it('scales a StatefulSet through its own scale subresource', async () => {
    const record = await containment.scaleDown(target({ pod: 'ledger-0' }));

    expect(record.undo).toEqual({ kind: 'restore-replicas', cluster: CLUSTER, namespace: NS, workloadKind: 'StatefulSet', name: 'ledger', replicas: 2 });
    expect(wire(fake.mutations())).toEqual([`PATCH /apis/apps/v1/namespaces/${NS}/statefulsets/ledger/scale application/merge-patch+json`]);
    expect(fake.object('statefulsets', NS, 'ledger')?.spec?.replicas).toBe(0);
  });

  it('scales a ReplicaSet no Deployment owns, counting an unset replicas as the default 1', async () => {
    const record = await containment.scaleDown(target({ pod: 'batch-5f6-q8w2e' }));

    expect(record.undo).toMatchObject({ kind: 'restore-replicas', workloadKind: 'ReplicaSet', name: 'batch-5f6', replicas: 1 });
    expect(fake.object('replicasets', NS, 'batch-5f6')?.spec?.replicas).toBe(0);
  });

  it.each([
    ['a DaemonSet pod', 'node-agent-7hx2q', 'is run by DaemonSet node-agent'],
    ['a pod with no controller', 'debug-shell', 'has no controller'],
    ['a pod that is gone', 'checkout-7d9f8c6b5-gone1', 'is gone'],
  ])('skips %s: no scalable owner', async (_case, name, reason) => {
    const record = await containment.scaleDown(target({ pod: name }));

    expect(record.result).toBe('skipped');
    expect(record.detail).toContain(reason);
    expect(record.undo).toBeUndefined();
    expect(fake.mutations()).toEqual([]);
  });

  it('dry-run reads the count, scales nothing, and reports the undo', async () => {
    const record = await containment.scaleDown(target({ dryRun: true }));

    expect(record).toMatchObject({ result: 'dry-run', undo: { kind: 'restore-replicas', replicas: 3 } });
    expect(fake.mutations()).toEqual([]);
    expect(fake.object('deployments', NS, 'checkout')?.spec?.replicas).toBe(3);
  });

  it('a workload already at 0 is already applied, without inventing a count to restore', async () => {
    await containment.scaleDown(target());

    const again = await containment.scaleDown(target());

    expect(again.result).toBe('already-applied');
    expect(again.undo?.kind).toBe('none');
  });

  it('fails naming the scale subresource grant when it may not patch it', async () => {
    fake.forbid('patch', 'deployments/scale');

    const record = await containment.scaleDown(target());

    expect(record.result).toBe('failed');
    expect(record.detail).toContain('lacks patch on deployments/scale.apps in namespace shop');
    expect(fake.object('deployments', NS, 'checkout')?.spec?.replicas).toBe(3);
  });
});

describe('cordonNode', () => {
  const NODE_PATH = `/api/v1/nodes/${NODE}`;
  const cordon = (overrides: Partial<KubernetesTarget> = {}) => target({ node: NODE, namespace: undefined, pod: undefined, ...overrides });

  it('marks the node unschedulable (and pivotguard as the one who did) without draining it', async () => {
    const record = await containment.cordonNode(cordon());

    expect(record).toMatchObject({
      action: 'cordon-node',
      target: `${CLUSTER}/${NODE}`,
      result: 'applied',
      undo: { kind: 'uncordon-node', cluster: CLUSTER, node: NODE },
    });
    expect(wire()).toEqual([`GET ${NODE_PATH}`, `PATCH ${NODE_PATH} application/merge-patch+json`]);
    const node = fake.object('nodes', undefined, NODE)!;
    expect(node.spec?.unschedulable).toBe(true);
    expect(node.metadata.annotations).toEqual({ 'pivotguard.io/cordoned-by': INCIDENT });
    expect(fake.names('pods', NS)).toContain(POD);
  });

  it('is already applied on a retry, and the undo uncordons once', async () => {
    const { undo } = await containment.cordonNode(cordon());
    const again = await containment.cordonNode(cordon());
    expect(again).toMatchObject({ result: 'already-applied', undo });

    expect((await containment.undo(undo!)).result).toBe('undone');
    const node = fake.object('nodes', undefined, NODE)!;
    expect(node.spec?.unschedulable).toBeUndefined();
    expect(node.metadata.annotations).toEqual({});
    expect((await containment.undo(undo!)).result).toBe('already-undone');
  });

  it('never takes over, or undoes, a cordon a person made', async () => {
    const node = fake.object('nodes', undefined, NODE)!;
    fake.seed('nodes', { ...node, spec: { ...node.spec, unschedulable: true } });

    const record = await containment.cordonNode(cordon());
    expect(record.result).toBe('already-applied');
    expect(record.undo?.kind).toBe('none');

    const undone = await containment.undo({ kind: 'uncordon-node', cluster: CLUSTER, node: NODE });
    expect(undone.result).toBe('skipped');
    expect(fake.object('nodes', undefined, NODE)?.spec?.unschedulable).toBe(true);
  });

  it('dry-run writes nothing', async () => {
    expect((await containment.cordonNode(cordon({ dryRun: true }))).result).toBe('dry-run');
    expect(fake.mutations()).toEqual([]);
  });

  it('fails naming the cluster-scoped grant when it may not patch nodes', async () => {
    fake.forbid('patch', 'nodes');

    const record = await containment.cordonNode(cordon());

    expect(record.result).toBe('failed');
    expect(record.detail).toContain('lacks patch on nodes at cluster scope');
  });

  it('skips a node that is gone', async () => {
    expect((await containment.cordonNode(cordon({ node: 'ip-10-0-9-9.ec2.internal' }))).result).toBe('skipped');
  });
});

describe('guards', () => {
  it('refuses a step for another cluster than the one it is connected to', async () => {
    await expect(containment.isolatePod(target({ cluster: 'prod-west' }))).rejects.toBeInstanceOf(WrongCluster);
    await expect(containment.undo({ ...QUARANTINE_UNDO, cluster: 'prod-west' })).rejects.toBeInstanceOf(WrongCluster);
    expect(fake.requests).toEqual([]);
  });

  it('refuses a pod action without a pod and a cordon without a node', async () => {
    await expect(containment.isolatePod(target({ pod: undefined }))).rejects.toBeInstanceOf(IncompleteTarget);
    await expect(containment.cordonNode(target())).rejects.toBeInstanceOf(IncompleteTarget);
  });

  it('refuses an undo step that would delete a NetworkPolicy or label pivotguard never writes', async () => {
    fake.seed('networkpolicies', { metadata: { name: 'default-deny', namespace: NS }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });

    await expect(containment.undo({ ...QUARANTINE_UNDO, networkPolicy: 'default-deny' })).rejects.toBeInstanceOf(ForeignUndoStep);
    await expect(containment.undo({ ...QUARANTINE_UNDO, label: 'app' })).rejects.toBeInstanceOf(ForeignUndoStep);
    expect(fake.names('networkpolicies', NS)).toEqual(['default-deny']);
    expect(fake.mutations()).toEqual([]);
  });

  it('leaves IAM undo steps to the IAM adapter and reports a none step as nothing to do', async () => {
    await expect(containment.undo({ kind: 'delete-role-policy', roleName: 'r', policyName: 'p' })).rejects.toBeInstanceOf(NotAKubernetesUndo);
    expect(await containment.undo({ kind: 'none', reason: 'evidence only' })).toMatchObject({ result: 'skipped', detail: 'nothing to undo: evidence only' });
  });
});

describe('the RBAC the Kubernetes actions declare', () => {
  /** The RBAC (group, resource, verb) a recorded request needs, read off its path as the API server's authorizer does. */
  function rbacOf({ method, path }: RecordedRequest): string {
    const parts = path.split('/').filter(Boolean);
    const group = parts[0] === 'api' ? '' : parts[1]!;
    const rest = parts.slice(parts[0] === 'api' ? 2 : 3);
    const scoped = rest[0] === 'namespaces' ? rest.slice(2) : rest;
    const resource = scoped.length === 3 ? `${scoped[0]}/${scoped[2]}` : scoped[0]!;
    const verb = { GET: scoped.length === 1 ? 'list' : 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' }[method]!;
    return `${group}|${resource}|${verb}`;
  }

  function granted(action: 'capture-evidence' | 'isolate-pod' | 'restart-pod' | 'scale-down' | 'cordon-node'): Set<string> {
    return new Set(
      actionDescriptor(action).needs.rbac.flatMap((rule) =>
        rule.apiGroups.flatMap((group) => rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${group}|${resource}|${verb}`))),
      ),
    );
  }

  it.each([
    ['capture-evidence' as const, () => containment.podEvidence(target())],
    [
      'isolate-pod' as const,
      async () => {
        await containment.isolatePod(target());
        const loosened = fake.object('networkpolicies', NS, POLICY)!;
        fake.seed('networkpolicies', { ...loosened, spec: { podSelector: {} } });
        const { undo } = await containment.isolatePod(target());
        await containment.undo(undo!);
      },
    ],
    ['restart-pod' as const, () => containment.restartPod(target())],
    [
      'scale-down' as const,
      async () => {
        for (const name of [POD, 'ledger-0', 'batch-5f6-q8w2e']) {
          const { undo } = await containment.scaleDown(target({ pod: name }));
          await containment.undo(undo!);
        }
      },
    ],
    [
      'cordon-node' as const,
      async () => {
        const { undo } = await containment.cordonNode(target({ node: NODE }));
        await containment.undo(undo!);
      },
    ],
  ])('grants every request %s and its undo make', async (action, run) => {
    await run();
    const needed = new Set(fake.requests.map(rbacOf));
    expect(needed.size).toBeGreaterThan(0);
    expect([...needed].filter((need) => !granted(action).has(need))).toEqual([]);
  });
});

describe('the fake, driven by the real client', () => {
  const core = () => fake.kubeConfig(CLUSTER).makeApiClient(CoreV1Api);

  async function apiError(request: Promise<unknown>): Promise<{ code: number; reason: string }> {
    const error = await request.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ApiException);
    const { code, body } = error as ApiException<string>;
    return { code, reason: (JSON.parse(body) as { reason: string }).reason };
  }

  it('applies a JSON patch, the client default for patch calls', async () => {
    await core().patchNamespacedPod({ name: POD, namespace: NS, body: [{ op: 'add', path: '/metadata/labels/tier', value: 'web' }] });

    expect(fake.requests.at(-1)?.contentType).toBe('application/json-patch+json');
    expect(fake.object('pods', NS, POD)?.metadata.labels).toEqual({ app: 'checkout', tier: 'web' });
  });

  it('applies a strategic merge patch to maps', async () => {
    const body = { metadata: { labels: { tier: 'web', app: null } } };
    await core().patchNamespacedPod({ name: POD, namespace: NS, body }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));

    expect(fake.object('pods', NS, POD)?.metadata.labels).toEqual({ tier: 'web' });
  });

  it('answers Status objects: NotFound, AlreadyExists, Forbidden', async () => {
    expect(await apiError(core().readNamespacedPod({ name: 'nope', namespace: NS }))).toEqual({ code: 404, reason: 'NotFound' });
    const networking = fake.kubeConfig(CLUSTER).makeApiClient(NetworkingV1Api);
    const body = quarantineNetworkPolicy(INCIDENT, NS);
    await networking.createNamespacedNetworkPolicy({ namespace: NS, body });
    expect(await apiError(networking.createNamespacedNetworkPolicy({ namespace: NS, body }))).toEqual({ code: 409, reason: 'AlreadyExists' });
    fake.forbid('get', 'pods');
    expect(await apiError(core().readNamespacedPod({ name: POD, namespace: NS }))).toEqual({ code: 403, reason: 'Forbidden' });
  });
});

describe('clusterAccess and kubeConfigFor', () => {
  const eks = mockClient(EKSClient);
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

  beforeEach(() => {
    eks.reset();
  });

  it('reads endpoint and CA from DescribeCluster and signs a token for that cluster', async () => {
    eks.on(DescribeClusterCommand, { name: CLUSTER }).resolves({
      cluster: { name: CLUSTER, status: 'ACTIVE', endpoint: 'https://ABCDEF.gr7.us-east-1.eks.amazonaws.com', certificateAuthority: { data: CA } },
    });

    const access = await clusterAccess(CLUSTER, { eks: new EKSClient({ region: 'us-east-1', credentials }), region: 'us-east-1', credentials });

    expect(access).toMatchObject({ clusterName: CLUSTER, server: 'https://ABCDEF.gr7.us-east-1.eks.amazonaws.com', caData: CA });
    expect(access.token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
    expect(eks.commandCalls(DescribeClusterCommand)).toHaveLength(1);

    const config = kubeConfigFor(access);
    expect(config.getCurrentCluster()).toMatchObject({ name: CLUSTER, server: access.server, caData: CA, skipTLSVerify: false });
    expect(config.getCurrentUser()).toMatchObject({ token: access.token });
  });

  it('refuses a cluster EKS gives no endpoint or CA for yet', async () => {
    eks.on(DescribeClusterCommand).resolves({ cluster: { name: CLUSTER, status: 'CREATING' } });

    await expect(clusterAccess(CLUSTER, { eks: new EKSClient({ region: 'us-east-1', credentials }), region: 'us-east-1', credentials })).rejects.toThrow(
      'cannot reach the API server of EKS cluster prod-east: no endpoint (status CREATING)',
    );
  });

  it('refuses a plain-http endpoint rather than trusting it', () => {
    expect(() => kubeConfigFor({ clusterName: CLUSTER, server: 'http://10.0.0.1', caData: CA, token: 't' })).toThrow(ClusterNotReachable);
  });
});
