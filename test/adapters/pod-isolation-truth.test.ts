import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KubernetesContainment, type KubernetesTarget } from '#adapters/kubernetes/containment';
import { KubeApiFake } from '#adapters/local/kube-api-fake';
import { allowedDirections, policiesAllowingPod, selectorMatches } from '#core/respond/network-isolation';

/**
 * isolate-pod says what it achieved, by NetworkPolicy's documented semantics: policies that
 * select a pod add up (another one's allow rule still lets its traffic through), host-network
 * pods are not isolated by any NetworkPolicy, and established connections may survive.
 */
const CLUSTER = 'prod-east';
const NS = 'shop';
const POD = 'checkout-7d9f8c6b5-x2k4p';
const INCIDENT = 'inc-0a1b2c3d4e5f';
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
  fake.seed('pods', {
    metadata: { name: POD, namespace: NS, labels: { app: 'checkout' } },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
  });
});

const target = (): KubernetesTarget => ({ incidentId: INCIDENT, cluster: CLUSTER, namespace: NS, pod: POD, dryRun: false });

describe('isolate-pod tells the truth', () => {
  it('says isolation is partial when another policy selecting the pod allows its egress', async () => {
    fake.seed('networkpolicies', {
      metadata: { name: 'checkout-egress', namespace: NS },
      spec: { podSelector: { matchLabels: { app: 'checkout' } }, policyTypes: ['Egress'], egress: [{}] },
    });
    const record = await containment.isolatePod(target());
    expect(record.result).toBe('applied');
    expect(record.detail).toMatch(/isolation is partial.*checkout-egress \(egress\)/);
  });

  it('says the pod has no ingress or egress when no other selecting policy allows any, and that old connections may survive', async () => {
    fake.seed('networkpolicies', {
      metadata: { name: 'ledger-ingress', namespace: NS },
      spec: { podSelector: { matchLabels: { app: 'ledger' } }, ingress: [{}] },
    });
    const record = await containment.isolatePod(target());
    expect(record.detail).toMatch(/no other NetworkPolicy allows it traffic/);
    expect(record.detail).toMatch(/connections open before may survive/);
  });

  it('skips a host-network pod, which no NetworkPolicy isolates, and changes nothing', async () => {
    fake.reset();
    fake.seed('pods', {
      metadata: { name: POD, namespace: NS, labels: { app: 'checkout' } },
      spec: { hostNetwork: true, containers: [{ name: 'app', image: 'x' }] },
    });
    fake.requests.length = 0;
    const record = await containment.isolatePod(target());
    expect(record.result).toBe('skipped');
    expect(record.detail).toMatch(/node's network/);
    expect(fake.mutations()).toEqual([]);
  });
});

describe('NetworkPolicy semantics', () => {
  it('an empty podSelector selects every pod in the namespace; matchExpressions must all hold', () => {
    expect(selectorMatches({}, { app: 'x' })).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] }, { tier: 'web' })).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, { tier: 'web' })).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, {})).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, {})).toBe(true);
  });

  it('policyTypes defaults to Ingress, plus Egress when egress rules exist; a direction without rules allows nothing', () => {
    expect(allowedDirections({ spec: { ingress: [{}] } })).toEqual(['ingress']);
    expect(allowedDirections({ spec: { egress: [{}] } })).toEqual(['egress']);
    expect(allowedDirections({ spec: { policyTypes: ['Ingress', 'Egress'] } })).toEqual([]);
  });

  it('leaves pivotguard’s own quarantine out of what allows traffic', () => {
    const own = { metadata: { name: 'pivotguard-quarantine-inc-1' }, spec: { podSelector: {}, ingress: [{}] } };
    expect(policiesAllowingPod([own], { app: 'x' }, 'pivotguard-quarantine-inc-1')).toEqual([]);
  });
});
