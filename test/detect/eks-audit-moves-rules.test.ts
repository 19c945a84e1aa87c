import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '#core/model/event';
import { auditEvent } from '../fixtures/records.ts';
import { CLUSTER_ADMIN, FOOTHOLD_POD, NODE, footholdUser } from '../fixtures/scenarios/cluster.ts';
import { daemonSetWrite, hostAgentDaemonSet } from '../fixtures/scenarios/host-daemonset.ts';
import { normalized, signalsOf } from './detect-helpers.ts';

const forbidden = { responseStatus: { metadata: {}, code: 403 }, annotations: { 'authorization.k8s.io/decision': 'forbid' } };
const controller = { username: 'system:serviceaccount:kube-system:certificate-controller', groups: ['system:serviceaccounts'] };

describe('eks-audit.ephemeral-container', () => {
  const debug = (overrides = {}, container: Record<string, unknown> = { name: 'debugger-1', image: 'busybox:1.36' }) =>
    auditEvent({
      verb: 'patch',
      requestURI: '/api/v1/namespaces/payments/pods/checkout-1/ephemeralcontainers',
      user: CLUSTER_ADMIN,
      objectRef: { resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'payments', name: 'checkout-1', apiVersion: 'v1' },
      requestObject: { spec: { ephemeralContainers: [container] } },
      ...overrides,
    });

  it('is medium for a person, high for a workload, critical for a workload adding a privileged one; on the target pod', () => {
    expect(signalsOf('eks-audit.ephemeral-container', debug())[0]).toMatchObject({ severity: 'medium', subject: { pod: 'checkout-1', image: 'busybox:1.36' } });
    expect(signalsOf('eks-audit.ephemeral-container', debug({ user: footholdUser() }))[0]?.severity).toBe('high');
    const privileged = { name: 'debugger-2', image: 'busybox:1.36', securityContext: { privileged: true } };
    expect(signalsOf('eks-audit.ephemeral-container', debug({ user: footholdUser() }, privileged))[0]?.severity).toBe('critical');
    expect(signalsOf('eks-audit.ephemeral-container', debug({ verb: 'update' }))).toHaveLength(1);
    const jsonPatch = debug({
      user: footholdUser(),
      requestObject: [{ op: 'add', path: '/spec/ephemeralContainers/-', value: privileged }],
      responseObject: { kind: 'Pod', spec: { containers: [], ephemeralContainers: [privileged] } },
    });
    expect(signalsOf('eks-audit.ephemeral-container', jsonPatch)[0]?.severity).toBe('critical');
  });

  it('stays quiet when refused, before the response, for reads, and for other pod writes', () => {
    expect(signalsOf('eks-audit.ephemeral-container', debug(forbidden))).toEqual([]);
    expect(signalsOf('eks-audit.ephemeral-container', debug({ stage: 'RequestReceived' }))).toEqual([]);
    expect(signalsOf('eks-audit.ephemeral-container', debug({ verb: 'get' }))).toEqual([]);
    const plainPatch = debug({ objectRef: { resource: 'pods', namespace: 'payments', name: 'checkout-1', apiVersion: 'v1' } });
    expect(signalsOf('eks-audit.ephemeral-container', plainPatch)).toEqual([]);
  });
});

describe('eks-audit.node-proxy', () => {
  const proxy = (name: string, path: string, overrides = {}) =>
    auditEvent({
      verb: 'get',
      requestURI: `/api/v1/nodes/${name}/proxy${path}`,
      user: footholdUser(),
      objectRef: { resource: 'nodes', name, subresource: 'proxy', apiVersion: 'v1' },
      ...overrides,
    });

  it('is high for the run, exec and attach endpoints, and names the node without scheme or port', () => {
    expect(signalsOf('eks-audit.node-proxy', proxy(NODE, '/exec/kube-system/coredns-1/coredns?command=sh&input=1'))[0]).toMatchObject({
      severity: 'high',
      subject: { node: NODE, actor: 'system:serviceaccount:payments:checkout', actorPod: FOOTHOLD_POD },
    });
    expect(signalsOf('eks-audit.node-proxy', proxy(`https:${NODE}:10250`, '/run/a/b/c', { verb: 'create' }))[0]?.subject.node).toBe(NODE);
  });

  it('is not fooled by dot segments or escaped slashes that hide run behind metrics', () => {
    expect(signalsOf('eks-audit.node-proxy', proxy(NODE, '/metrics/../run/kube-system/p/c'))[0]?.severity).toBe('high');
    expect(signalsOf('eks-audit.node-proxy', proxy(NODE, '/metrics%2F..%2Frun/kube-system/p/c'))[0]?.severity).toBe('high');
  });

  it('is medium for other kubelet reads (pods, host logs), quiet for metrics scrapes and refusals', () => {
    expect(signalsOf('eks-audit.node-proxy', proxy(NODE, '/logs/messages'))[0]?.severity).toBe('medium');
    expect(signalsOf('eks-audit.node-proxy', proxy(NODE, '/pods'))[0]?.severity).toBe('medium');
    expect(signalsOf('eks-audit.node-proxy', proxy(NODE, '/metrics/cadvisor'))).toEqual([]);
    expect(signalsOf('eks-audit.node-proxy', proxy(NODE, '/stats/summary'))).toEqual([]);
    expect(signalsOf('eks-audit.node-proxy', proxy(NODE, '/run/a/b/c', forbidden))).toEqual([]);
  });
});

describe('eks-audit.client-certificate', () => {
  const csr = (verb: string, user: unknown, signerName: string | undefined, options: { subresource?: string; approved?: boolean; requester?: string } = {}) =>
    auditEvent({
      verb,
      user,
      objectRef: { resource: 'certificatesigningrequests', name: 'c', subresource: options.subresource, apiGroup: 'certificates.k8s.io', apiVersion: 'v1' },
      requestObject:
        signerName === undefined
          ? undefined
          : {
              kind: 'CertificateSigningRequest',
              spec: { signerName, usages: ['client auth'], username: options.requester },
              status: options.approved === undefined ? {} : { conditions: [{ type: options.approved ? 'Approved' : 'Denied', status: 'True' }] },
            },
    });
  const client = 'kubernetes.io/kube-apiserver-client';

  it('fires on a request for the client signer: medium for a person, high for a workload, nothing for the control plane', () => {
    expect(signalsOf('eks-audit.client-certificate', csr('create', CLUSTER_ADMIN, client))[0]?.severity).toBe('medium');
    expect(signalsOf('eks-audit.client-certificate', csr('create', footholdUser(), client))[0]?.severity).toBe('high');
    expect(signalsOf('eks-audit.client-certificate', csr('create', { username: 'system:kube-controller-manager' }, client))).toEqual([]);
    expect(signalsOf('eks-audit.client-certificate', csr('create', CLUSTER_ADMIN, 'kubernetes.io/kubelet-serving'))).toEqual([]);
    expect(signalsOf('eks-audit.client-certificate', { ...csr('create', footholdUser(), client), ...forbidden })).toEqual([]);
  });

  it('is high on an approval, critical when the approver requested it, silent on denials and other signers', () => {
    const approve = (user: { username: string }, requester: string, approved = true, signer = client) =>
      signalsOf('eks-audit.client-certificate', csr('update', user, signer, { subresource: 'approval', approved, requester }));
    expect(approve(CLUSTER_ADMIN as { username: string }, 'dev-bob')[0]?.severity).toBe('high');
    expect(approve(CLUSTER_ADMIN as { username: string }, 'admin-alice')[0]?.severity).toBe('critical');
    expect(approve(CLUSTER_ADMIN as { username: string }, 'dev-bob', false)).toEqual([]);
    expect(approve(controller, 'system:bootstrap:abcdef', true, 'kubernetes.io/kube-apiserver-client-kubelet')).toEqual([]);
  });

  it('judges the stored request, not the body the approver sent: a lie about the signer or the requester changes nothing', () => {
    const stored = {
      kind: 'CertificateSigningRequest',
      spec: { signerName: client, username: 'admin-alice' },
      status: { conditions: [{ type: 'Approved', status: 'True' }] },
    };
    const lying = csr('update', CLUSTER_ADMIN, 'kubernetes.io/kubelet-serving', { subresource: 'approval', approved: true, requester: 'dev-bob' });
    expect(signalsOf('eks-audit.client-certificate', { ...lying, responseObject: stored })[0]?.severity).toBe('critical');
  });

  it('logged without its body, an approval is medium unless the cluster approved it', () => {
    const bare = (user: unknown) => csr('update', user, undefined, { subresource: 'approval' });
    expect(signalsOf('eks-audit.client-certificate', bare(CLUSTER_ADMIN))[0]?.severity).toBe('medium');
    expect(signalsOf('eks-audit.client-certificate', bare(controller))).toEqual([]);
  });
});

describe('impersonation: attribution and eks-audit.impersonation', () => {
  const impersonated = (user: unknown, impersonatedUser: unknown, overrides = {}) =>
    auditEvent({
      verb: 'create',
      requestURI: '/api/v1/namespaces/payments/pods/checkout-1/exec?command=sh',
      user,
      impersonatedUser,
      objectRef: { resource: 'pods', subresource: 'exec', namespace: 'payments', name: 'checkout-1', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 101 },
      ...overrides,
    });
  const alice = { username: 'admin-alice', groups: ['system:masters', 'system:authenticated'] };

  it('attributes the request to the impersonated user and records who sent it, with its pod and token', () => {
    const event = normalized(impersonated(footholdUser('1f0c'), alice)) as AuditEvent;
    expect(event).toMatchObject({ username: 'admin-alice', groups: alice.groups, actorPod: undefined, credentialId: undefined });
    expect(event.impersonatedBy).toEqual({
      username: 'system:serviceaccount:payments:checkout',
      groups: ['system:serviceaccounts', 'system:serviceaccounts:payments', 'system:authenticated'],
      pod: FOOTHOLD_POD,
      credentialId: 'JTI=1f0c',
    });
    expect(signalsOf('eks-audit.exec-into-pod', impersonated(footholdUser(), alice))[0]?.subject.actor).toBe('admin-alice');
  });

  it('is high for a workload impersonating, critical into system:masters or a cluster identity, on the sender', () => {
    const developer = { username: 'dev-bob', groups: ['developers'] };
    expect(signalsOf('eks-audit.impersonation', impersonated(footholdUser(), developer))[0]).toMatchObject({
      severity: 'high',
      subject: { actor: 'system:serviceaccount:payments:checkout', actorPod: FOOTHOLD_POD, serviceAccount: 'payments/checkout' },
    });
    expect(signalsOf('eks-audit.impersonation', impersonated(footholdUser(), alice))[0]?.severity).toBe('critical');
    const node = { username: `system:node:${NODE}`, groups: ['system:nodes'] };
    expect(signalsOf('eks-audit.impersonation', impersonated(footholdUser(), node))[0]?.severity).toBe('critical');
  });

  it('is low context for a person, and nothing when refused or not impersonating', () => {
    expect(signalsOf('eks-audit.impersonation', impersonated(CLUSTER_ADMIN, { username: 'dev-bob', groups: ['developers'] }))[0]?.severity).toBe('low');
    expect(signalsOf('eks-audit.impersonation', impersonated(footholdUser(), alice, forbidden))).toEqual([]);
    expect(signalsOf('eks-audit.impersonation', auditEvent())).toEqual([]);
  });
});

describe('eks-audit.service-account-token', () => {
  const token = (user: unknown, namespace: string, name: string) =>
    auditEvent({
      verb: 'create',
      user,
      objectRef: { resource: 'serviceaccounts', subresource: 'token', namespace, name, apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 201 },
      annotations: { 'authorization.k8s.io/decision': 'allow', 'authentication.kubernetes.io/issued-credential-id': 'JTI=abc' },
    });

  it("is high when a workload mints another account's token, critical for kube-system's, and names the pod and the token", () => {
    expect(signalsOf('eks-audit.service-account-token', token(footholdUser(), 'payments', 'ledger'))[0]?.severity).toBe('high');
    const [kubeSystem] = signalsOf('eks-audit.service-account-token', token(footholdUser(), 'kube-system', 'generic-garbage-collector'));
    expect(kubeSystem).toMatchObject({ severity: 'critical', subject: { actorPod: FOOTHOLD_POD, serviceAccount: 'payments/checkout' } });
    expect(kubeSystem!.summary).toContain('JTI=abc');
  });

  it('is low for a workload asking for its own token, medium for a person, nothing for the kubelet', () => {
    expect(signalsOf('eks-audit.service-account-token', token(footholdUser(), 'payments', 'checkout'))[0]?.severity).toBe('low');
    expect(signalsOf('eks-audit.service-account-token', token(CLUSTER_ADMIN, 'payments', 'checkout'))[0]?.severity).toBe('medium');
    expect(signalsOf('eks-audit.service-account-token', token({ username: `system:node:${NODE}`, groups: ['system:nodes'] }, 'payments', 'checkout'))).toEqual(
      [],
    );
  });
});

describe('eks-audit.kube-system-host-daemonset', () => {
  const capabilitiesOnly = () => {
    const daemonSet = hostAgentDaemonSet('net-tool');
    const template = ((daemonSet.spec as Record<string, unknown>).template as Record<string, Record<string, unknown>>).spec!;
    Object.assign(template, {
      hostPID: false,
      volumes: [],
      containers: [{ name: 'net-tool', image: 'alpine:3.20', securityContext: { capabilities: { add: ['NET_ADMIN'] } } }],
    });
    return daemonSet;
  };

  it('is critical for a host-level DaemonSet, high for one with dangerous capabilities only, on create or patch', () => {
    const write = (verb: string, daemonSet = hostAgentDaemonSet('x')) => daemonSetWrite('2026-11-21T02:45:00Z', footholdUser(), '10.0.42.133', verb, daemonSet);
    expect(signalsOf('eks-audit.kube-system-host-daemonset', write('create'))[0]?.severity).toBe('critical');
    expect(signalsOf('eks-audit.kube-system-host-daemonset', write('patch'))[0]?.severity).toBe('critical');
    expect(signalsOf('eks-audit.kube-system-host-daemonset', write('create', capabilitiesOnly()))[0]?.severity).toBe('high');
  });

  it('leaves people to kube-system-workload, and ignores the add-on manager, other namespaces and status writes', () => {
    const record = daemonSetWrite('2026-11-21T02:45:00Z', CLUSTER_ADMIN, '10.0.3.44', 'create', hostAgentDaemonSet('x'));
    expect(signalsOf('eks-audit.kube-system-host-daemonset', record)).toEqual([]);
    expect(signalsOf('eks-audit.kube-system-workload', record)[0]?.severity).toBe('high');
    const addon = daemonSetWrite('2026-11-21T02:45:00Z', { username: 'eks:addon-manager', groups: [] }, '10.0.0.7', 'patch', hostAgentDaemonSet('x'));
    expect(signalsOf('eks-audit.kube-system-host-daemonset', addon)).toEqual([]);
    const elsewhere = { ...daemonSetWrite('2026-11-21T02:45:00Z', footholdUser(), '10.0.42.133', 'create', hostAgentDaemonSet('x')) };
    elsewhere.objectRef = { resource: 'daemonsets', namespace: 'monitoring', name: 'x', apiGroup: 'apps', apiVersion: 'v1' };
    expect(signalsOf('eks-audit.kube-system-host-daemonset', elsewhere)).toEqual([]);
    const status = daemonSetWrite('2026-11-21T02:45:00Z', footholdUser(), '10.0.42.133', 'patch', hostAgentDaemonSet('x'));
    status.objectRef = { resource: 'daemonsets', namespace: 'kube-system', name: 'x', subresource: 'status', apiGroup: 'apps', apiVersion: 'v1' };
    expect(signalsOf('eks-audit.kube-system-host-daemonset', status)).toEqual([]);
  });
});
