import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ForeignUndoStep, KubernetesContainment, type KubernetesTarget } from '#adapters/kubernetes/containment';
import { KubeApiFake } from '#adapters/local/kube-api-fake';
import { QUARANTINE_LABEL, type UndoStep } from '#core/respond/action';
import { serviceSelects } from '#core/respond/label-detachment';
import { type LabelSelector, type NetworkPolicyShape, allowedDirections, policiesAllowingPod, selectorMatches } from '#core/respond/network-isolation';

/**
 * isolate-pod says what it achieved, by NetworkPolicy's documented semantics: policies that
 * select a pod add up (another one's allow rule still lets its traffic through), so it takes off
 * the labels they and Services select the pod by, and reports what no label removal detaches;
 * host-network pods are not isolated by any NetworkPolicy, and established connections may survive.
 */
const CLUSTER = 'prod-east';
const NS = 'shop';
const POD = 'checkout-7d9f8c6b5-x2k4p';
const INCIDENT = 'inc-0a1b2c3d4e5f';
const OWN = `pivotguard-quarantine-${INCIDENT}`;
const LABELS = { app: 'checkout', tier: 'web', version: 'v3' };
const CHECKOUT_EGRESS = {
  metadata: { name: 'checkout-egress', namespace: NS },
  spec: { podSelector: { matchLabels: { app: 'checkout' } }, policyTypes: ['Egress'], egress: [{}] },
};
const CHECKOUT_SERVICE = { metadata: { name: 'checkout', namespace: NS }, spec: { selector: { tier: 'web' }, ports: [{ port: 80 }] } };
const REPLICA_SET_OWNER = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'checkout-7d9f8c6b5', uid: 'rs-uid', controller: true }];
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
    metadata: { name: POD, namespace: NS, labels: LABELS },
    spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
  });
});

const target = (overrides: Partial<KubernetesTarget> = {}): KubernetesTarget => ({
  incidentId: INCIDENT,
  cluster: CLUSTER,
  namespace: NS,
  pod: POD,
  dryRun: false,
  ...overrides,
});

/** The other policies that allow the pod traffic, by NetworkPolicy semantics over what the fake stores now. */
function allowingInCluster() {
  const policies = fake.names('networkpolicies', NS).map((name) => fake.object('networkpolicies', NS, name)!);
  return policiesAllowingPod(policies as NetworkPolicyShape[], fake.object('pods', NS, POD)?.metadata.labels ?? {}, OWN);
}

describe('isolate-pod tells the truth', () => {
  it('says isolation is partial, by name, when a policy with an empty podSelector allows the pod traffic', async () => {
    fake.seed('networkpolicies', {
      metadata: { name: 'namespace-egress', namespace: NS },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] },
    });
    const record = await containment.isolatePod(target());
    expect(record.result).toBe('applied');
    expect(record.detail).toMatch(/isolation is partial.*namespace-egress \(egress/);
    // No label removal un-selects it, so none was taken off.
    expect(record.undo).toEqual(expect.not.objectContaining({ detachedLabels: expect.anything() }));
    expect(allowingInCluster()).toEqual([{ name: 'namespace-egress', directions: ['egress'] }]);
  });

  it('says the pod has no ingress or egress when no other selecting policy allows any, and that old connections may survive', async () => {
    fake.seed('networkpolicies', {
      metadata: { name: 'ledger-ingress', namespace: NS },
      spec: { podSelector: { matchLabels: { app: 'ledger' } }, ingress: [{}] },
    });
    const record = await containment.isolatePod(target());
    expect(record.detail).toMatch(/no other NetworkPolicy allows it traffic/);
    expect(record.detail).toMatch(/connections open before may survive/);
    expect(fake.object('pods', NS, POD)?.metadata.labels).toEqual({ ...LABELS, [QUARANTINE_LABEL]: INCIDENT });
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

describe('isolate-pod detaches the pod from what allows it traffic past the deny-all', () => {
  it('takes off the label an additive allow policy selects by: afterwards no other policy allows the pod traffic, and undo puts it back', async () => {
    fake.seed('networkpolicies', CHECKOUT_EGRESS);
    expect(allowingInCluster()).toEqual([{ name: 'checkout-egress', directions: ['egress'] }]);

    const record = await containment.isolatePod(target());

    expect(record.result).toBe('applied');
    expect(record.undo).toMatchObject({ kind: 'remove-pod-quarantine', detachedLabels: { app: 'checkout' } });
    expect(record.detail).toContain('checkout-egress');
    // Judged on what the fake stores, by NetworkPolicy semantics: the deny-all selects the pod, nothing else allows it traffic.
    const pod = fake.object('pods', NS, POD)!;
    expect(selectorMatches(fake.object('networkpolicies', NS, OWN)?.spec?.podSelector as LabelSelector, pod.metadata.labels ?? {})).toBe(true);
    expect(allowingInCluster()).toEqual([]);
    expect(pod.metadata.labels).toEqual({ tier: 'web', version: 'v3', [QUARANTINE_LABEL]: INCIDENT });

    const undone = await containment.undo(record.undo!);

    expect(undone.result).toBe('undone');
    expect(fake.object('pods', NS, POD)?.metadata.labels).toEqual(LABELS);
    expect(fake.object('pods', NS, POD)?.metadata.annotations ?? {}).toEqual({});
    expect(fake.names('networkpolicies', NS)).toEqual(['checkout-egress']);
  });

  it('takes off the label a Service selects by, so new connections through it stop; undo puts it back exactly', async () => {
    fake.seed('services', CHECKOUT_SERVICE);

    const record = await containment.isolatePod(target());

    expect(record.undo).toMatchObject({ detachedLabels: { tier: 'web' } });
    expect(record.detail).toContain('Service checkout');
    expect(serviceSelects(fake.object('services', NS, 'checkout')!, fake.object('pods', NS, POD)!.metadata.labels ?? {})).toBe(false);

    await containment.undo(record.undo!);

    expect(fake.object('pods', NS, POD)?.metadata.labels).toEqual(LABELS);
    expect(serviceSelects(fake.object('services', NS, 'checkout')!, LABELS)).toBe(true);
  });

  it('names the ReplicaSet, found by ownerReferences, that releases the pod when labels are taken off', async () => {
    fake.seed('pods', { ...fake.object('pods', NS, POD)!, metadata: { ...fake.object('pods', NS, POD)!.metadata, ownerReferences: REPLICA_SET_OWNER } });
    const untouched = await containment.isolatePod(target({ dryRun: true }));
    // Nothing to detach: nothing releases the pod, so the record does not say so.
    expect(untouched.detail).not.toContain('ReplicaSet checkout-7d9f8c6b5');

    fake.seed('networkpolicies', CHECKOUT_EGRESS);
    const record = await containment.isolatePod(target());

    expect(record.detail).toContain('ReplicaSet checkout-7d9f8c6b5');
    expect(record.detail).toMatch(/releases it/);
  });

  it('refuses to put back a label someone changed since, says so, and puts back the rest', async () => {
    fake.seed('networkpolicies', CHECKOUT_EGRESS);
    fake.seed('services', CHECKOUT_SERVICE);
    const record = await containment.isolatePod(target());
    expect(record.undo).toMatchObject({ detachedLabels: { app: 'checkout', tier: 'web' } });
    const pod = fake.object('pods', NS, POD)!;
    fake.seed('pods', { ...pod, metadata: { ...pod.metadata, labels: { ...pod.metadata.labels, app: 'checkout-debug' } } });

    const undone = await containment.undo(record.undo!);

    expect(undone.result).toBe('undone');
    expect(undone.detail).toMatch(/refused to put back label app=checkout/);
    expect(fake.object('pods', NS, POD)?.metadata.labels).toEqual({ ...LABELS, app: 'checkout-debug' });
  });

  it('a retry records the same undo, read back from the pod, and changes nothing', async () => {
    fake.seed('networkpolicies', CHECKOUT_EGRESS);
    const first = await containment.isolatePod(target());
    fake.requests.length = 0;

    const again = await containment.isolatePod(target());

    expect(again.result).toBe('already-applied');
    expect(again.undo).toEqual(first.undo);
    expect(fake.mutations()).toEqual([]);
  });

  it('dry-run reports the labels it would take off and changes nothing', async () => {
    fake.seed('networkpolicies', CHECKOUT_EGRESS);
    fake.seed('services', CHECKOUT_SERVICE);
    fake.requests.length = 0;

    const record = await containment.isolatePod(target({ dryRun: true }));

    expect(record.result).toBe('dry-run');
    expect(record.undo).toMatchObject({ detachedLabels: { app: 'checkout', tier: 'web' } });
    expect(fake.mutations()).toEqual([]);
    expect(fake.object('pods', NS, POD)?.metadata.labels).toEqual(LABELS);
  });

  it('takes no label off while it may not list the policies, and says what it does not know', async () => {
    fake.seed('services', CHECKOUT_SERVICE);
    fake.forbid('list', 'networkpolicies', NS);

    const record = await containment.isolatePod(target());

    expect(record.result).toBe('applied');
    expect(record.detail).toMatch(/unknown/);
    expect(fake.object('pods', NS, POD)?.metadata.labels).toEqual({ ...LABELS, [QUARANTINE_LABEL]: INCIDENT });
  });

  it('undoes a step recorded before labels were detached as it always did', async () => {
    const { undo } = await containment.isolatePod(target());
    const { detachedLabels: _none, ...old } = undo as Extract<UndoStep, { kind: 'remove-pod-quarantine' }>;

    expect((await containment.undo(old)).result).toBe('undone');
    expect(fake.object('pods', NS, POD)?.metadata.labels).toEqual(LABELS);
    expect(fake.names('networkpolicies', NS)).toEqual([]);
  });

  it('refuses a forged undo step that would write the quarantine label or an invalid one, changing nothing', async () => {
    const { undo } = await containment.isolatePod(target());
    fake.requests.length = 0;
    const forged: Record<string, string>[] = [{ [QUARANTINE_LABEL]: 'inc-other' }, { 'not a key': 'x' }];
    for (const detachedLabels of forged) {
      await expect(containment.undo({ ...(undo as Extract<UndoStep, { kind: 'remove-pod-quarantine' }>), detachedLabels })).rejects.toBeInstanceOf(
        ForeignUndoStep,
      );
    }
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
