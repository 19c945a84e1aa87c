import { QUARANTINE_LABEL, quarantinePolicyName } from '#core/respond/action';

/**
 * The NetworkPolicy that cuts one quarantined pod off the network. It is a security control:
 * it selects exactly the pods carrying this incident's quarantine label, declares both policy
 * types, and has no `ingress` or `egress` rules, which the API defines as "allow nothing".
 */
export interface QuarantineNetworkPolicy {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'NetworkPolicy';
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: {
    podSelector: { matchLabels: Record<string, string> };
    policyTypes: ['Ingress', 'Egress'];
  };
}

/** Just the parts of a NetworkPolicy as the API returns it that decide what it lets through. */
export interface NetworkPolicyShape {
  metadata?: { labels?: Record<string, string> };
  spec?: {
    podSelector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    policyTypes?: string[];
    ingress?: unknown[];
    egress?: unknown[];
  };
}

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const INCIDENT_LABEL = 'pivotguard.io/incident';

/** The incident id or namespace cannot be written into a policy name, label and selector as given. */
export class InvalidQuarantineTarget extends Error {
  constructor(readonly reason: string) {
    super(`refusing to build a quarantine NetworkPolicy: ${reason}`);
    this.name = 'InvalidQuarantineTarget';
  }
}

/** Valid both as a label value (at most 63 characters) and inside the policy name (lowercase DNS). */
const INCIDENT_ID = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function quarantineNetworkPolicy(incidentId: string, namespace: string): QuarantineNetworkPolicy {
  if (!INCIDENT_ID.test(incidentId))
    throw new InvalidQuarantineTarget(`incident id ${JSON.stringify(incidentId)} is not a lowercase DNS label (at most 63 characters)`);
  if (!NAMESPACE.test(namespace)) throw new InvalidQuarantineTarget(`namespace ${JSON.stringify(namespace)} is not a DNS label`);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: quarantinePolicyName(incidentId),
      namespace,
      labels: { [MANAGED_BY_LABEL]: 'pivotguard', [INCIDENT_LABEL]: incidentId },
    },
    spec: {
      podSelector: { matchLabels: { [QUARANTINE_LABEL]: incidentId } },
      policyTypes: ['Ingress', 'Egress'],
    },
  };
}

/**
 * Whether an existing policy still does exactly what `quarantineNetworkPolicy` asks: same
 * selector, both directions isolated, no rule that lets anything through, and our labels.
 */
export function isIntactQuarantine(existing: NetworkPolicyShape, wanted: QuarantineNetworkPolicy): boolean {
  const spec = existing.spec ?? {};
  const selector = spec.podSelector ?? {};
  const types = [...(spec.policyTypes ?? [])].sort();
  const labels = existing.metadata?.labels ?? {};
  return (
    sameEntries(selector.matchLabels ?? {}, wanted.spec.podSelector.matchLabels) &&
    (selector.matchExpressions ?? []).length === 0 &&
    types.length === 2 &&
    types[0] === 'Egress' &&
    types[1] === 'Ingress' &&
    (spec.ingress ?? []).length === 0 &&
    (spec.egress ?? []).length === 0 &&
    Object.entries(wanted.metadata.labels).every(([key, value]) => labels[key] === value)
  );
}

function sameEntries(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
