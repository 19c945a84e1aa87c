import { describe, expect, it } from 'vitest';
import { auditEvent } from '../fixtures/records.ts';
import { signalsOf } from './detect-helpers.ts';

const admin = { username: 'dev-alice', groups: ['developers', 'system:authenticated'] };
const controller = { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts'] };

describe('eks-audit.anonymous-access', () => {
  const anonymous = (overrides = {}) =>
    auditEvent({ user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, sourceIPs: ['198.51.100.7'], ...overrides });

  it('fires high when an anonymous request is granted from the internet', () => {
    expect(signalsOf('eks-audit.anonymous-access', anonymous({ requestURI: '/api/v1/namespaces/default/pods' }))[0]?.severity).toBe('high');
  });

  it('keeps scanners probing a public endpoint as low context, and ignores in-VPC health checks', () => {
    expect(signalsOf('eks-audit.anonymous-access', anonymous({ requestURI: '/version' }))[0]?.severity).toBe('low');
    expect(signalsOf('eks-audit.anonymous-access', anonymous({ requestURI: '/healthz', sourceIPs: ['10.0.0.9'] }))).toEqual([]);
  });
});

describe('eks-audit.system-principal-public-ip', () => {
  it('fires when a kube-system identity calls from a public address', () => {
    const record = auditEvent({ user: { username: 'system:serviceaccount:kube-system:coredns', groups: [] }, sourceIPs: ['198.51.100.7'] });
    expect(signalsOf('eks-audit.system-principal-public-ip', record)).toHaveLength(1);
  });

  it('ignores EKS-managed eks:* components, private addresses and incomplete stages', () => {
    expect(
      signalsOf('eks-audit.system-principal-public-ip', auditEvent({ user: { username: 'eks:addon-manager', groups: [] }, sourceIPs: ['35.163.244.48'] })),
    ).toEqual([]);
    expect(signalsOf('eks-audit.system-principal-public-ip', auditEvent({ user: controller, sourceIPs: ['10.0.0.5'] }))).toEqual([]);
    expect(signalsOf('eks-audit.system-principal-public-ip', auditEvent({ user: controller, sourceIPs: ['198.51.100.7'], stage: 'ResponseStarted' }))).toEqual(
      [],
    );
  });
});

describe('eks-audit.privileged-binding', () => {
  const binding = (role: string) =>
    auditEvent({
      verb: 'create',
      user: admin,
      objectRef: { resource: 'clusterrolebindings', name: 'backdoor', apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 201 },
      requestObject: {
        kind: 'ClusterRoleBinding',
        roleRef: { kind: 'ClusterRole', name: role },
        subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'default' }],
      },
    });

  it('fires on a binding to cluster-admin', () => {
    expect(signalsOf('eks-audit.privileged-binding', binding('cluster-admin'))[0]?.summary).toMatch(/bound ServiceAccount web to cluster-admin/);
  });

  it('ignores bindings to ordinary roles', () => {
    expect(signalsOf('eks-audit.privileged-binding', binding('view'))).toEqual([]);
  });
});

describe('eks-audit.risky-role', () => {
  const role = (rules: unknown[]) =>
    auditEvent({
      verb: 'create',
      user: admin,
      objectRef: { resource: 'clusterroles', name: 'r', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 201 },
      requestObject: { kind: 'ClusterRole', rules },
    });

  it('fires on wildcards and exec grants', () => {
    expect(signalsOf('eks-audit.risky-role', role([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]))[0]?.summary).toMatch(/granting wildcard/);
    expect(signalsOf('eks-audit.risky-role', role([{ resources: ['pods/exec'], verbs: ['create'] }]))[0]?.summary).toMatch(/pods\/exec/);
  });

  it('ignores read-only roles', () => {
    expect(signalsOf('eks-audit.risky-role', role([{ resources: ['pods'], verbs: ['get', 'list'] }]))).toEqual([]);
  });
});

describe('eks-audit.kube-system-workload', () => {
  const create = (resource: string, namespace: string, user = admin) =>
    auditEvent({ verb: 'create', user, objectRef: { resource, namespace, name: 'x', apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 201 } });

  it('fires when a person plants a DaemonSet in kube-system, or anything lands in kube-public', () => {
    expect(signalsOf('eks-audit.kube-system-workload', create('daemonsets', 'kube-system'))[0]?.severity).toBe('high');
    expect(signalsOf('eks-audit.kube-system-workload', create('pods', 'kube-public', controller))).toHaveLength(1);
  });

  it('ignores controllers rolling kube-system add-ons and people working elsewhere', () => {
    expect(signalsOf('eks-audit.kube-system-workload', create('pods', 'kube-system', controller))).toEqual([]);
    expect(signalsOf('eks-audit.kube-system-workload', create('daemonsets', 'monitoring'))).toEqual([]);
  });
});

describe('eks-audit.admission-webhook-change, eks-audit.aws-auth-change, eks-audit.system-role-tampering', () => {
  const change = (verb: string, resource: string, name: string, namespace?: string, user = admin) =>
    auditEvent({ verb, user, objectRef: { resource, name, namespace, apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 200 } });

  it('fire on webhook, aws-auth and system role changes by people', () => {
    expect(signalsOf('eks-audit.admission-webhook-change', change('delete', 'validatingwebhookconfigurations', 'gatekeeper'))).toHaveLength(1);
    expect(signalsOf('eks-audit.aws-auth-change', change('patch', 'configmaps', 'aws-auth', 'kube-system'))[0]?.severity).toBe('high');
    expect(signalsOf('eks-audit.system-role-tampering', change('delete', 'clusterroles', 'system:kube-aggregator'))).toHaveLength(1);
  });

  it('stay quiet for other config maps, reads, and the cluster reconciling itself', () => {
    expect(signalsOf('eks-audit.aws-auth-change', change('patch', 'configmaps', 'coredns', 'kube-system'))).toEqual([]);
    expect(signalsOf('eks-audit.aws-auth-change', change('get', 'configmaps', 'aws-auth', 'kube-system'))).toEqual([]);
    expect(
      signalsOf(
        'eks-audit.system-role-tampering',
        change('update', 'clusterroles', 'system:kube-aggregator', undefined, { username: 'system:apiserver', groups: [] }),
      ),
    ).toEqual([]);
  });
});

describe('eks-audit.service-account-token', () => {
  const token = (username: string) =>
    auditEvent({
      verb: 'create',
      user: { username, groups: [] },
      objectRef: { resource: 'serviceaccounts', subresource: 'token', namespace: 'payments', name: 'checkout', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 201 },
    });

  it('fires when a person mints a token, not when a kubelet does for its pod', () => {
    expect(signalsOf('eks-audit.service-account-token', token('dev-alice'))).toHaveLength(1);
    expect(signalsOf('eks-audit.service-account-token', token('system:node:ip-10-0-42-17.ec2.internal'))).toEqual([]);
  });
});
