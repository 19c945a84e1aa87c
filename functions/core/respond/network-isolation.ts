/**
 * What a NetworkPolicy does to a pod, by the Kubernetes documentation's semantics: a policy
 * selects the pods its podSelector matches in its namespace (an empty selector matches every
 * pod); policies are additive, so a pod is isolated in a direction only while no selecting policy
 * has a rule that allows traffic in it. pivotguard's deny-all cannot take away what another
 * selecting policy allows.
 */
export interface LabelSelector {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}

export interface NetworkPolicyShape {
  metadata?: { name?: string } | null;
  spec?: {
    podSelector?: LabelSelector | null;
    policyTypes?: string[] | null;
    ingress?: unknown[] | null;
    egress?: unknown[] | null;
  } | null;
}

export type Direction = 'ingress' | 'egress';

/** Whether the selector matches the labels (matchLabels and every matchExpression must hold). */
export function selectorMatches(selector: LabelSelector | null | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) if (labels[key] !== value) return false;
  for (const { key, operator, values } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    const listed = (values ?? []).includes(labels[key] ?? '');
    if (operator === 'In' && !(has && listed)) return false;
    if (operator === 'NotIn' && has && listed) return false;
    if (operator === 'Exists' && !has) return false;
    if (operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/**
 * The keys whose removal makes a selector that matches the labels stop matching: matchLabels and
 * the `In` and `Exists` expressions. `NotIn` and `DoesNotExist` hold for a label that is absent,
 * so no removal undoes them; an empty selector has no key at all.
 */
export function keysWhoseRemovalUnselects(selector: LabelSelector | null | undefined): string[] {
  const keys = new Set(Object.keys(selector?.matchLabels ?? {}));
  for (const { key, operator } of selector?.matchExpressions ?? []) if (operator === 'In' || operator === 'Exists') keys.add(key);
  return [...keys];
}

/** Whether the selector has no requirement at all, so it selects every pod of the namespace. */
export function selectsEveryPod(selector: LabelSelector | null | undefined): boolean {
  return Object.keys(selector?.matchLabels ?? {}).length === 0 && (selector?.matchExpressions ?? []).length === 0;
}

/**
 * The directions a policy allows some traffic in for the pods it selects. policyTypes defaults to
 * Ingress, plus Egress when the policy has egress rules; a direction it lists without rules is
 * denied by it, which another policy's rule still overrides.
 */
export function allowedDirections(policy: NetworkPolicyShape): Direction[] {
  const spec = policy.spec ?? {};
  const types = spec.policyTypes ?? ['Ingress', ...((spec.egress ?? []).length > 0 ? ['Egress'] : [])];
  const directions: Direction[] = [];
  if (types.includes('Ingress') && (spec.ingress ?? []).length > 0) directions.push('ingress');
  if (types.includes('Egress') && (spec.egress ?? []).length > 0) directions.push('egress');
  return directions;
}

/** The other policies that select the pod and allow it traffic: what makes isolation partial. */
export function policiesAllowingPod(
  policies: readonly NetworkPolicyShape[],
  podLabels: Record<string, string>,
  except: string,
): { name: string; directions: Direction[] }[] {
  return policies
    .filter((policy) => policy.metadata?.name !== except && selectorMatches(policy.spec?.podSelector, podLabels))
    .map((policy) => ({ name: policy.metadata?.name ?? '(unnamed)', directions: allowedDirections(policy) }))
    .filter((policy) => policy.directions.length > 0);
}
