import { describe, expect, it } from 'vitest';
import { InvalidQuarantineTarget, isIntactQuarantine, quarantineNetworkPolicy } from '#core/respond/network-policy';

describe('quarantineNetworkPolicy', () => {
  it('selects exactly the incident quarantine label and allows no traffic in either direction', () => {
    expect(quarantineNetworkPolicy('inc-0a1b2c3d4e5f', 'shop')).toEqual({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: 'pivotguard-quarantine-inc-0a1b2c3d4e5f',
        namespace: 'shop',
        labels: {
          'app.kubernetes.io/managed-by': 'pivotguard',
          'pivotguard.io/incident': 'inc-0a1b2c3d4e5f',
        },
      },
      spec: {
        podSelector: { matchLabels: { 'pivotguard.io/quarantine': 'inc-0a1b2c3d4e5f' } },
        policyTypes: ['Ingress', 'Egress'],
      },
    });
  });

  it('has no ingress or egress keys at all: an empty rule list is deny-all, a missing policy type would be allow-all', () => {
    const { spec } = quarantineNetworkPolicy('inc-0a1b2c3d4e5f', 'shop');
    expect(Object.keys(spec).sort()).toEqual(['podSelector', 'policyTypes']);
    expect(JSON.stringify(spec)).not.toMatch(/"(ingress|egress|matchExpressions)"/);
  });

  it.each([
    ['an empty incident id, which would select nothing', '', 'shop'],
    ['an incident id with uppercase, which the policy name cannot hold', 'INC-1', 'shop'],
    ['an incident id with a slash', 'inc/1', 'shop'],
    ['an incident id longer than a label value may be', `inc-${'a'.repeat(60)}`, 'shop'],
    ['an empty namespace', 'inc-1', ''],
    ['a namespace that is not a DNS label', 'inc-1', 'Shop_Prod'],
  ])('refuses %s', (_case, incidentId, namespace) => {
    expect(() => quarantineNetworkPolicy(incidentId, namespace)).toThrow(InvalidQuarantineTarget);
  });
});

describe('isIntactQuarantine', () => {
  const wanted = quarantineNetworkPolicy('inc-1', 'shop');

  it('accepts the policy as the API server returns it, policy types in any order', () => {
    const returned = {
      metadata: { ...wanted.metadata, uid: 'u', resourceVersion: '7', labels: { ...wanted.metadata.labels, extra: 'x' } },
      spec: { podSelector: { matchLabels: { 'pivotguard.io/quarantine': 'inc-1' } }, policyTypes: ['Egress', 'Ingress'] },
    };
    expect(isIntactQuarantine(returned, wanted)).toBe(true);
  });

  it.each([
    ['an ingress rule was added', { ingress: [{}] }],
    ['an egress rule was added', { egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] }],
    ['Egress was dropped from the policy types', { policyTypes: ['Ingress'] }],
    ['the selector was widened to every pod', { podSelector: {} }],
    ['the selector points at another incident', { podSelector: { matchLabels: { 'pivotguard.io/quarantine': 'inc-2' } } }],
    [
      'a selector expression was added',
      { podSelector: { matchLabels: { 'pivotguard.io/quarantine': 'inc-1' }, matchExpressions: [{ key: 'a', operator: 'Exists' }] } },
    ],
  ])('rejects it when %s', (_case, change) => {
    expect(isIntactQuarantine({ metadata: wanted.metadata, spec: { ...wanted.spec, ...change } }, wanted)).toBe(false);
  });

  it('rejects it when the pivotguard labels were removed', () => {
    expect(isIntactQuarantine({ metadata: { labels: {} }, spec: wanted.spec }, wanted)).toBe(false);
  });
});
