import { describe, expect, it } from 'vitest';
import { auditEvent, podCreate, podObject } from '../fixtures/records.ts';
import { signalsOf } from './detect-helpers.ts';

const execRecord = (overrides = {}) =>
  auditEvent({
    verb: 'create',
    requestURI: '/api/v1/namespaces/payments/pods/checkout-1/exec?command=%2Fbin%2Fsh&container=app&stdin=true&tty=true',
    user: { username: 'dev-alice', groups: ['developers', 'system:authenticated'] },
    sourceIPs: ['10.0.3.44'],
    objectRef: { resource: 'pods', subresource: 'exec', namespace: 'payments', name: 'checkout-1', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 101 },
    ...overrides,
  });

describe('eks-audit.exec-into-pod', () => {
  it('fires on an allowed exec and names who, where and the command', () => {
    const [signal] = signalsOf('eks-audit.exec-into-pod', execRecord());
    expect(signal).toMatchObject({ severity: 'medium', subject: { namespace: 'payments', pod: 'checkout-1', actor: 'dev-alice' } });
    expect(signal!.summary).toBe('dev-alice from 10.0.3.44 did exec into pod payments/checkout-1 running /bin/sh');
  });

  it('stays quiet when the exec was forbidden, or for a plain pod read', () => {
    const denied = execRecord({ responseStatus: { metadata: {}, code: 403 }, annotations: { 'authorization.k8s.io/decision': 'forbid' } });
    expect(signalsOf('eks-audit.exec-into-pod', denied)).toEqual([]);
    expect(signalsOf('eks-audit.exec-into-pod', auditEvent())).toEqual([]);
  });
});

describe('eks-audit.secrets-access', () => {
  const list = (namespace?: string) =>
    auditEvent({
      verb: 'list',
      objectRef: { resource: 'secrets', namespace, apiVersion: 'v1' },
      requestURI: namespace ? `/api/v1/namespaces/${namespace}/secrets` : '/api/v1/secrets',
    });

  it('fires on listing secrets, higher when across all namespaces', () => {
    expect(signalsOf('eks-audit.secrets-access', list('payments'))[0]?.severity).toBe('medium');
    expect(signalsOf('eks-audit.secrets-access', list())[0]).toMatchObject({ severity: 'high', summary: expect.stringMatching(/across all namespaces/) });
  });

  it('ignores the kubelet and controllers reading the secrets they mount', () => {
    const kubelet = auditEvent({
      verb: 'get',
      user: { username: 'system:node:ip-10-0-42-17.ec2.internal', groups: ['system:nodes'] },
      objectRef: { resource: 'secrets', namespace: 'payments', name: 'db', apiVersion: 'v1' },
    });
    expect(signalsOf('eks-audit.secrets-access', kubelet)).toEqual([]);
  });
});

describe('eks-audit.permission-enumeration and eks-audit.forbidden-api-call', () => {
  it('fires when a workload asks for its own permissions', () => {
    const review = auditEvent({
      verb: 'create',
      objectRef: { resource: 'selfsubjectrulesreviews', apiGroup: 'authorization.k8s.io', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 201 },
    });
    expect(signalsOf('eks-audit.permission-enumeration', review)[0]?.subject.serviceAccount).toBe('payments/checkout');
  });

  it('fires on a forbidden call by a service account, not by a person', () => {
    const forbidden = {
      responseStatus: { metadata: {}, code: 403 },
      annotations: { 'authorization.k8s.io/decision': 'forbid' },
      verb: 'list',
      objectRef: { resource: 'secrets', namespace: 'kube-system', apiVersion: 'v1' },
    };
    expect(signalsOf('eks-audit.forbidden-api-call', auditEvent(forbidden))[0]?.summary).toMatch(/forbidden to list secrets in kube-system/);
    const person = auditEvent({ ...forbidden, user: { username: 'dev-alice', groups: ['developers'] } });
    expect(signalsOf('eks-audit.forbidden-api-call', person)).toEqual([]);
    expect(signalsOf('eks-audit.forbidden-api-call', auditEvent())).toEqual([]);
  });
});

describe('eks-audit.privileged-pod', () => {
  it('fires on host-level pods, high when the host can be taken over', () => {
    const hostPath = podObject({ name: 'debug', spec: { volumes: [{ name: 'root', hostPath: { path: '/' } }] } });
    expect(signalsOf('eks-audit.privileged-pod', podCreate(hostPath, '2026-11-21T00:00:00Z', 'dev-bob'))[0]).toMatchObject({
      severity: 'high',
      summary: 'dev-bob from 10.0.0.5 created pod payments/debug with hostPath /',
    });
    const privileged = podObject({ name: 'p', spec: { containers: [{ name: 'a', image: 'centos', securityContext: { privileged: true } }] } });
    expect(signalsOf('eks-audit.privileged-pod', podCreate(privileged, '2026-11-21T00:00:00Z', 'dev-bob'))[0]?.severity).toBe('medium');
  });

  it('stays quiet for ordinary pods, and is only context for node agents rolled in kube-system', () => {
    expect(signalsOf('eks-audit.privileged-pod', podCreate(podObject({ name: 'web' }), '2026-11-21T00:00:00Z'))).toEqual([]);
    const agent = podObject({ name: 'aws-node-x', namespace: 'kube-system', spec: { hostNetwork: true } });
    const created = podCreate(agent, '2026-11-21T00:00:00Z', 'system:serviceaccount:kube-system:daemon-set-controller');
    expect(signalsOf('eks-audit.privileged-pod', created)[0]?.severity).toBe('low');
  });
});
