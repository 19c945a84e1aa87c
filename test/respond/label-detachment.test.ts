import { describe, expect, it } from 'vitest';
import { QUARANTINE_LABEL } from '#core/respond/action';
import { parseDetachedLabelsAnnotation, planLabelDetachment, validDetachedLabels } from '#core/respond/label-detachment';
import { type LabelSelector, type NetworkPolicyShape, policiesAllowingPod } from '#core/respond/network-isolation';

/**
 * Which labels to take off a quarantined pod, decided by NetworkPolicy's selector semantics and
 * judged by what selects the pod afterwards (never by matching keys as strings).
 */
const OWN = 'pivotguard-quarantine-inc-1';
const POD = { app: 'checkout', tier: 'web', version: 'v3', [QUARANTINE_LABEL]: 'inc-1' };

function allowing(name: string, podSelector: LabelSelector): NetworkPolicyShape {
  return { metadata: { name }, spec: { podSelector, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] } };
}

function plan(policies: NetworkPolicyShape[], services: { metadata: { name: string }; spec: { selector?: Record<string, string> } }[] = []) {
  const result = planLabelDetachment({ podLabels: POD, policies, services, ownPolicy: OWN });
  // What the plan reports as still allowing must be what the semantics say of the labels it leaves.
  expect(result.stillAllowing.map((policy) => policy.name)).toEqual(policiesAllowingPod(policies, result.labelsAfter, OWN).map((policy) => policy.name));
  return result;
}

describe('planLabelDetachment', () => {
  it('takes off one label of a matchLabels selector, which is enough to un-select the pod, and keeps the others', () => {
    const result = plan([allowing('checkout-all', { matchLabels: { app: 'checkout', tier: 'web' } })]);
    expect(result.detach).toHaveLength(1);
    const [label] = result.detach;
    expect(['app', 'tier']).toContain(label!.key);
    expect(label).toEqual({ key: label!.key, value: POD[label!.key as 'app' | 'tier'], policies: ['checkout-all'], services: [] });
    expect(result.stillAllowing).toEqual([]);
    expect(Object.keys(result.labelsAfter)).toHaveLength(Object.keys(POD).length - 1);
  });

  it('prefers the one label that detaches a policy and a Service together', () => {
    const result = plan(
      [allowing('web', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] })],
      [{ metadata: { name: 'checkout' }, spec: { selector: { tier: 'web', app: 'checkout' } } }],
    );
    expect(result.detach.map((label) => label.key)).toEqual(['tier']);
    expect(result.detach[0]).toMatchObject({ policies: ['web'], services: ['checkout'] });
    expect(result.servicesStillSelecting).toEqual([]);
  });

  it('reports an empty podSelector by name: no label removal detaches it', () => {
    const result = plan([allowing('allow-namespace', {})]);
    expect(result.detach).toEqual([]);
    expect(result.stillAllowing).toEqual([{ name: 'allow-namespace', directions: ['ingress', 'egress'], reason: 'selects-every-pod' }]);
  });

  it('leaves a NotIn selector alone: an absent label still satisfies it', () => {
    const result = plan([allowing('not-batch', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['batch'] }] })]);
    expect(result.detach).toEqual([]);
    expect(result.stillAllowing).toEqual([expect.objectContaining({ name: 'not-batch', reason: 'selects-by-absent-labels' })]);
  });

  it('keeps a label whose removal would make a DoesNotExist policy select the pod instead', () => {
    const result = plan([
      allowing('web-egress', { matchLabels: { tier: 'web' } }),
      allowing('untiered-ingress', { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }),
    ]);
    // Taking off tier swaps one allowing policy for another: the pod is no less exposed, so nothing goes.
    expect(result.detach).toEqual([]);
    expect(result.stillAllowing).toEqual([expect.objectContaining({ name: 'web-egress', reason: 'detaching-lets-another-select' })]);
  });

  it('also takes off what the DoesNotExist policy requires, when that un-selects it too', () => {
    const result = plan([
      allowing('web-egress', { matchLabels: { tier: 'web' } }),
      allowing('untiered-checkout', { matchLabels: { app: 'checkout' }, matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }),
    ]);
    expect(result.detach.map((label) => label.key)).toEqual(['app', 'tier']);
    expect(result.stillAllowing).toEqual([]);
  });

  it('never takes off the quarantine label, which the deny-all selects by', () => {
    const result = plan([allowing('quarantined-debug', { matchExpressions: [{ key: QUARANTINE_LABEL, operator: 'Exists' }] })]);
    expect(result.detach).toEqual([]);
    expect(result.stillAllowing).toEqual([expect.objectContaining({ name: 'quarantined-debug', reason: 'selects-by-quarantine-label' })]);
  });

  it('leaves alone labels of policies that allow nothing, and of Services without a selector', () => {
    const denyOnly = { metadata: { name: 'deny-ingress' }, spec: { podSelector: { matchLabels: { app: 'checkout' } }, policyTypes: ['Ingress'] } };
    const result = plan([denyOnly], [{ metadata: { name: 'manual' }, spec: {} }]);
    expect(result.detach).toEqual([]);
    expect(result.stillAllowing).toEqual([]);
  });
});

describe('detached labels as stored on the pod and in the undo step', () => {
  it('accepts a map of valid label keys to values', () => {
    expect(validDetachedLabels({ app: 'checkout', 'app.kubernetes.io/name': 'shop', empty: '' })).toEqual({
      app: 'checkout',
      'app.kubernetes.io/name': 'shop',
      empty: '',
    });
    expect(parseDetachedLabelsAnnotation('{"app":"checkout"}')).toEqual({ app: 'checkout' });
  });

  it('refuses the quarantine label, invalid keys or values, and anything but a map', () => {
    expect(validDetachedLabels({ [QUARANTINE_LABEL]: 'inc-2' })).toBeUndefined();
    expect(validDetachedLabels({ 'bad key': 'x' })).toBeUndefined();
    expect(validDetachedLabels({ app: 'a'.repeat(64) })).toBeUndefined();
    expect(validDetachedLabels({ app: 1 })).toBeUndefined();
    expect(validDetachedLabels(['app'])).toBeUndefined();
    expect(parseDetachedLabelsAnnotation('not json')).toBeUndefined();
  });
});
