import { describe, expect, it } from 'vitest';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { auditEvent, CLUSTER } from '../fixtures/records.ts';
import { detectAll, signalsOf } from './detect-helpers.ts';

// Issue #12: the rule changes that closed gaps and cut false alarms, each beside the bypass it must not open.

const person = { username: 'dev-alice', groups: ['developers', 'system:authenticated'] };
const coredns = { username: 'system:serviceaccount:kube-system:coredns', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system'] };
const allowed = (code = 200) => ({ responseStatus: { metadata: {}, code } });
const refused = { responseStatus: { metadata: {}, code: 403 }, annotations: { 'authorization.k8s.io/decision': 'forbid' } };

describe('an audit event without a verb', () => {
  const verbless = (overrides = {}) => {
    const record = auditEvent({ user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, sourceIPs: ['198.51.100.7'], ...overrides });
    delete record.verb;
    return record;
  };

  it('is read, not refused, and judged by who sent it and what it reached', () => {
    const out = emptyOutput();
    normalizeValue(verbless({ requestURI: '/api/v1/namespaces/default/pods/web-1' }), 'line 1', { file: 'test', defaultCluster: CLUSTER }, out);
    expect(out.rejected).toEqual([]);
    expect(out.events[0]).toMatchObject({ source: 'eks-audit', verb: '' });
    expect(signalsOf('eks-audit.anonymous-access', verbless({ requestURI: '/api/v1/namespaces/default/pods/web-1' }))[0]?.severity).toBe('high');
  });

  it('matches no rule that asks for a verb, and still every rule that does not', () => {
    const daemonSet = verbless({ user: person, objectRef: { resource: 'daemonsets', namespace: 'kube-system', name: 'x', apiVersion: 'v1' }, ...allowed(201) });
    expect(detectAll(daemonSet)).toEqual([]);
    // An exec is the exec subresource, whatever verb the client's protocol upgrade was logged with.
    const exec = verbless({ user: person, objectRef: { resource: 'pods', subresource: 'exec', namespace: 'payments', name: 'checkout-1' }, ...allowed(101) });
    expect(detectAll(exec).map((signal) => signal.rule)).toEqual(['eks-audit.exec-into-pod']);
  });
});

describe('eks-audit.anonymous-access from loopback', () => {
  it('ignores the control plane probing itself, not a caller from anywhere else', () => {
    const anonymous = (ip: string) =>
      auditEvent({ user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, sourceIPs: [ip], requestURI: '/api/v1/secrets' });
    expect(signalsOf('eks-audit.anonymous-access', anonymous('127.0.0.1'))).toEqual([]);
    expect(signalsOf('eks-audit.anonymous-access', anonymous('::1'))).toEqual([]);
    expect(signalsOf('eks-audit.anonymous-access', anonymous('10.0.3.7'))[0]?.severity).toBe('medium');
  });
});

describe('eks-audit.forbidden-api-call', () => {
  const call = (user: object, ip: string, overrides = {}) =>
    auditEvent({ verb: 'watch', user, sourceIPs: [ip], objectRef: { resource: 'endpointslices', apiGroup: 'discovery.k8s.io' }, ...refused, ...overrides });

  it('is high when a cluster identity is refused from the internet: its token left the cluster', () => {
    expect(signalsOf('eks-audit.forbidden-api-call', call(coredns, '198.51.100.7'))[0]?.severity).toBe('high');
    const node = { username: 'system:node:ip-10-0-42-17.ec2.internal', groups: ['system:nodes'] };
    expect(signalsOf('eks-audit.forbidden-api-call', call(node, '198.51.100.7'))[0]?.severity).toBe('high');
    const workload = { username: 'system:serviceaccount:payments:checkout', groups: [] };
    expect(signalsOf('eks-audit.forbidden-api-call', call(workload, '198.51.100.7'))[0]?.severity).toBe('high');
  });

  it('ignores the cluster refused inside the VPC, EKS components, and anonymous callers (anonymous-access judges those)', () => {
    expect(signalsOf('eks-audit.forbidden-api-call', call(coredns, '10.0.3.7'))).toEqual([]);
    expect(signalsOf('eks-audit.forbidden-api-call', call({ username: 'eks:addon-manager', groups: [] }, '35.163.244.48'))).toEqual([]);
    expect(signalsOf('eks-audit.forbidden-api-call', call({ username: 'system:unauthenticated', groups: [] }, '198.51.100.7'))).toEqual([]);
    expect(signalsOf('eks-audit.forbidden-api-call', call({ username: 'system:anonymous', groups: ['system:unauthenticated'] }, '198.51.100.7'))).toEqual([]);
  });

  it('keeps a person refused a named secret as context, not one refused a list (dashboards list every kind) or a secret not found', () => {
    const secret = (verb: string, status: object, name?: string) =>
      auditEvent({
        verb,
        user: person,
        sourceIPs: ['10.0.3.7'],
        objectRef: { resource: 'secrets', namespace: 'production', name, apiVersion: 'v1' },
        ...status,
      });
    expect(signalsOf('eks-audit.forbidden-api-call', secret('get', refused, 'db-password'))[0]?.severity).toBe('low');
    expect(signalsOf('eks-audit.forbidden-api-call', secret('list', refused))).toEqual([]);
    expect(signalsOf('eks-audit.forbidden-api-call', secret('get', { responseStatus: { code: 404 } }, 'old-password'))).toEqual([]);
    const configMap = auditEvent({ verb: 'get', user: person, objectRef: { resource: 'configmaps', namespace: 'production', name: 'x' }, ...refused });
    expect(signalsOf('eks-audit.forbidden-api-call', configMap)).toEqual([]);
  });
});

describe('eks-audit.privileged-binding', () => {
  const bind = (resource: string, role: string, subjects: object[], namespace?: string, user: object = person) =>
    auditEvent({
      verb: 'create',
      user,
      objectRef: { resource, namespace, name: 'b', apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' },
      requestObject: { roleRef: { kind: 'ClusterRole', name: role }, subjects },
      ...allowed(201),
    });
  const team = [{ kind: 'Group', name: 'payments-team' }];
  const attacker = [{ kind: 'ServiceAccount', name: 'attacker-sa', namespace: 'default' }];

  it("fires on a cluster-wide binding to the control plane's own roles", () => {
    expect(signalsOf('eks-audit.privileged-binding', bind('clusterrolebindings', 'system:kube-controller-manager', attacker))[0]?.severity).toBe('high');
    expect(signalsOf('eks-audit.privileged-binding', bind('clusterrolebindings', 'system:node', attacker))[0]?.severity).toBe('high');
  });

  it('leaves a namespace handed to its team alone, but not kube-system nor a workload of another namespace', () => {
    expect(signalsOf('eks-audit.privileged-binding', bind('rolebindings', 'admin', team, 'payments'))).toEqual([]);
    expect(signalsOf('eks-audit.privileged-binding', bind('rolebindings', 'cluster-admin', [], 'default'))).toEqual([]);
    expect(signalsOf('eks-audit.privileged-binding', bind('rolebindings', 'admin', team, 'kube-system'))[0]?.severity).toBe('high');
    expect(signalsOf('eks-audit.privileged-binding', bind('rolebindings', 'admin', attacker, 'payments'))[0]?.severity).toBe('medium');
  });
});

describe('eks-audit.kube-system-workload', () => {
  const create = (resource: string, namespace: string, user: object = person) =>
    auditEvent({ verb: 'create', user, objectRef: { resource, namespace, name: 'x', apiVersion: 'v1' }, ...allowed(201) });
  const replicaset = { username: 'system:serviceaccount:kube-system:replicaset-controller', groups: [] };

  it('treats kube-node-lease like kube-public: nothing runs there, whoever creates it', () => {
    expect(signalsOf('eks-audit.kube-system-workload', create('pods', 'kube-node-lease'))[0]?.severity).toBe('medium');
    expect(signalsOf('eks-audit.kube-system-workload', create('pods', 'kube-node-lease', replicaset))).toHaveLength(1);
  });

  it('keeps a CronJob a person creates by hand as context, and leaves pipelines and other kinds alone', () => {
    expect(signalsOf('eks-audit.kube-system-workload', create('cronjobs', 'default'))[0]?.severity).toBe('low');
    expect(
      signalsOf(
        'eks-audit.kube-system-workload',
        create('cronjobs', 'default', { username: 'system:serviceaccount:argocd:argocd-application-controller', groups: [] }),
      ),
    ).toEqual([]);
    expect(signalsOf('eks-audit.kube-system-workload', create('deployments', 'default'))).toEqual([]);
    expect(signalsOf('eks-audit.kube-system-workload', create('cronjobs', 'kube-system'))[0]?.severity).toBe('high');
  });
});

describe('eks-audit.service-account-token by the control plane', () => {
  const token = (username: string, namespace: string) =>
    auditEvent({
      verb: 'create',
      user: { username, groups: [] },
      objectRef: { resource: 'serviceaccounts', subresource: 'token', namespace, name: 'app-sa', apiVersion: 'v1' },
      ...allowed(201),
    });

  it("fires when the controller manager mints an application's token, not its own controllers'", () => {
    expect(signalsOf('eks-audit.service-account-token', token('system:kube-controller-manager', 'production'))[0]?.severity).toBe('medium');
    expect(signalsOf('eks-audit.service-account-token', token('system:kube-controller-manager', 'kube-system'))).toEqual([]);
    expect(signalsOf('eks-audit.service-account-token', token('eks:pod-identity-mutating-webhook', 'production'))).toEqual([]);
  });
});

describe('eks-audit.system-role-tampering and the CoreDNS upgrade step', () => {
  const change = (verb: string, resource: string, name: string, requestObject?: object) =>
    auditEvent({ verb, user: person, objectRef: { resource, name, apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' }, requestObject, ...allowed() });

  it("lets a person edit system:coredns as EKS's upgrade guide says, and still judges what the edit grants", () => {
    expect(signalsOf('eks-audit.system-role-tampering', change('update', 'clusterroles', 'system:coredns'))).toEqual([]);
    const wildcard = change('update', 'clusterroles', 'system:coredns', { kind: 'ClusterRole', rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] });
    expect(signalsOf('eks-audit.risky-role', wildcard)).toHaveLength(1);
  });

  it('still fires on deleting that role, on its binding, and on any other system role', () => {
    expect(signalsOf('eks-audit.system-role-tampering', change('delete', 'clusterroles', 'system:coredns'))).toHaveLength(1);
    expect(signalsOf('eks-audit.system-role-tampering', change('update', 'clusterrolebindings', 'system:coredns'))).toHaveLength(1);
    expect(signalsOf('eks-audit.system-role-tampering', change('update', 'clusterroles', 'system:node'))).toHaveLength(1);
  });
});

describe('eks-audit.secrets-access across namespaces', () => {
  const read = (username: string, namespace: string) =>
    auditEvent({
      verb: 'get',
      user: { username, groups: [] },
      objectRef: { resource: 'secrets', namespace, name: 'db-password', apiVersion: 'v1' },
      ...allowed(),
    });

  it("raises a workload reading another namespace's secret, and keeps one reading its own as context", () => {
    expect(signalsOf('eks-audit.secrets-access', read('system:serviceaccount:payments:checkout', 'billing'))[0]?.severity).toBe('medium');
    expect(signalsOf('eks-audit.secrets-access', read('system:serviceaccount:payments:checkout', 'payments'))[0]?.severity).toBe('low');
    expect(signalsOf('eks-audit.secrets-access', read('dev-alice', 'billing'))[0]?.severity).toBe('low');
  });
});
