import { QUARANTINE_LABEL } from '#core/respond/action';
import {
  allowedDirections,
  type Direction,
  type NetworkPolicyShape,
  keysWhoseRemovalUnselects,
  policiesAllowingPod,
  selectorMatches,
  selectsEveryPod,
} from '#core/respond/network-isolation';

/**
 * Which labels to take off a quarantined pod so that nothing lets traffic reach it past the
 * deny-all. NetworkPolicies add up: another policy that selects the pod and allows traffic keeps
 * allowing it, and a Service that selects it keeps routing new connections to it. Taking off a
 * label they match on detaches the pod from them; taking off a label can also make a policy that
 * matches on its absence (`DoesNotExist`, `NotIn`) select the pod, so every choice is judged by
 * what selects the pod afterwards, never by the keys alone.
 */

/** Just what a Service decides with: its equality selector (absent or empty selects no pod). */
export interface ServiceShape {
  metadata?: { name?: string } | null;
  spec?: { selector?: Record<string, string> | null } | null;
}

/** Why a policy still allows the pod traffic once the chosen labels are gone. */
export type StillAllowingReason =
  /** Its podSelector is empty: it selects every pod of the namespace, whatever the labels. */
  | 'selects-every-pod'
  /** It selects by `NotIn`/`DoesNotExist` only, which an absent label satisfies. */
  | 'selects-by-absent-labels'
  /** It selects by pivotguard's quarantine label, which the deny-all itself needs. */
  | 'selects-by-quarantine-label'
  /** It did not select the pod before: a label taken off for another policy or Service is one it requires absent. */
  | 'selected-once-labels-removed'
  /** Taking off its labels would make as many other policies select the pod, so they are left on. */
  | 'detaching-lets-another-select';

export interface DetachedLabel {
  key: string;
  value: string;
  /** The allowing policies and the Services that stop selecting the pod without it. */
  policies: string[];
  services: string[];
}

export interface StillAllowingPolicy {
  name: string;
  directions: Direction[];
  reason: StillAllowingReason;
}

export interface LabelDetachment {
  detach: DetachedLabel[];
  /** The pod's labels once the detached ones are gone. */
  labelsAfter: Record<string, string>;
  /** Every other policy that selects the pod afterwards and allows it traffic: empty means isolation is complete. */
  stillAllowing: StillAllowingPolicy[];
  /** Services that still select the pod afterwards (only when detaching them would let a policy select it). */
  servicesStillSelecting: string[];
}

/** Where isolate-pod keeps, on the pod, the labels it took off, so a retry records the same undo. */
export const DETACHED_LABELS_ANNOTATION = 'pivotguard.io/detached-labels';

/**
 * The smallest set of labels whose removal leaves the fewest other policies allowing the pod
 * traffic, then the fewest Services selecting it. It starts from removing every label any allowing
 * policy or selecting Service matches on, then keeps each label whose return exposes the pod no
 * more; removing nothing wins any tie, so no label goes that un-selects nothing.
 */
export function planLabelDetachment(input: {
  podLabels: Record<string, string>;
  policies: readonly NetworkPolicyShape[];
  services: readonly ServiceShape[];
  /** pivotguard's own quarantine policy, which is the isolation, not a way around it. */
  ownPolicy: string;
}): LabelDetachment {
  const { podLabels, policies, services, ownPolicy } = input;
  const evaluate = (removed: readonly string[]): Outcome => {
    const labels = without(podLabels, removed);
    return {
      removed,
      labels,
      allowing: policiesAllowingPod(policies, labels, ownPolicy),
      services: services.filter((service) => serviceSelects(service, labels)).map(nameOf),
    };
  };
  // Every policy that allows traffic, not only those selecting the pod now: one that a removal makes select it may need detaching too.
  const allowingPolicies = policies.filter((policy) => nameOf(policy) !== ownPolicy && allowedDirections(policy).length > 0);
  const candidates = [
    ...new Set([
      ...allowingPolicies.flatMap((policy) => keysWhoseRemovalUnselects(policy.spec?.podSelector)),
      ...services.filter((service) => serviceSelects(service, podLabels)).flatMap((service) => Object.keys(service.spec?.selector ?? {})),
    ]),
  ]
    .filter((key) => key !== QUARANTINE_LABEL && Object.hasOwn(podLabels, key))
    .sort();
  let best = evaluate(candidates);
  for (const key of candidates) {
    const trial = evaluate(best.removed.filter((removed) => removed !== key));
    if (compare(trial, best) <= 0) best = trial;
  }
  const untouched = evaluate([]);
  if (compare(untouched, best) <= 0) best = untouched;
  return {
    detach: best.removed.map((key) => attribute(key, podLabels, best, policies, services, ownPolicy)),
    labelsAfter: best.labels,
    stillAllowing: best.allowing.map((policy) => ({ ...policy, reason: whyStillAllowing(policy.name, policies, podLabels) })),
    servicesStillSelecting: best.services,
  };
}

/** Whether a Service's selector picks the pod: a Service without one selects nothing (its endpoints are managed by hand). */
export function serviceSelects(service: ServiceShape, labels: Record<string, string>): boolean {
  const selector = service.spec?.selector ?? {};
  return Object.keys(selector).length > 0 && selectorMatches({ matchLabels: selector }, labels);
}

/**
 * The detached labels an annotation or an undo step carries, when they are a map of valid label
 * keys to valid values, never the quarantine label; undefined otherwise. Undo input travels
 * through stored records, so a step that would write anything else onto a pod is refused.
 */
export function validDetachedLabels(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  const valid = entries.every(([key, label]) => key !== QUARANTINE_LABEL && isLabelKey(key) && typeof label === 'string' && isLabelValue(label));
  return valid ? Object.fromEntries(entries) : undefined;
}

/** The annotation's JSON, read as `validDetachedLabels`; undefined when absent or not valid. */
export function parseDetachedLabelsAnnotation(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  try {
    return validDetachedLabels(JSON.parse(text));
  } catch {
    return undefined;
  }
}

interface Outcome {
  removed: readonly string[];
  labels: Record<string, string>;
  allowing: { name: string; directions: Direction[] }[];
  services: string[];
}

/** Negative when `a` exposes the pod less: fewer allowing policies, then fewer Services, then fewer labels taken off. */
function compare(a: Outcome, b: Outcome): number {
  return a.allowing.length - b.allowing.length || a.services.length - b.services.length || a.removed.length - b.removed.length;
}

function attribute(
  key: string,
  podLabels: Record<string, string>,
  best: Outcome,
  policies: readonly NetworkPolicyShape[],
  services: readonly ServiceShape[],
  ownPolicy: string,
): DetachedLabel {
  const before = policiesAllowingPod(policies, podLabels, ownPolicy).map((policy) => policy.name);
  const after = new Set(best.allowing.map((policy) => policy.name));
  const detachedPolicies = policies.filter((policy) => {
    const name = nameOf(policy);
    return before.includes(name) && !after.has(name) && keysWhoseRemovalUnselects(policy.spec?.podSelector).includes(key);
  });
  const detachedServices = services.filter(
    (service) => serviceSelects(service, podLabels) && !serviceSelects(service, best.labels) && Object.hasOwn(service.spec?.selector ?? {}, key),
  );
  return { key, value: podLabels[key]!, policies: detachedPolicies.map(nameOf), services: detachedServices.map(nameOf) };
}

function whyStillAllowing(name: string, policies: readonly NetworkPolicyShape[], podLabels: Record<string, string>): StillAllowingReason {
  const selector = policies.find((policy) => nameOf(policy) === name)?.spec?.podSelector;
  if (!selectorMatches(selector, podLabels)) return 'selected-once-labels-removed';
  if (selectsEveryPod(selector)) return 'selects-every-pod';
  const keys = keysWhoseRemovalUnselects(selector);
  if (keys.length === 0) return 'selects-by-absent-labels';
  if (keys.every((key) => key === QUARANTINE_LABEL)) return 'selects-by-quarantine-label';
  return 'detaching-lets-another-select';
}

function without(labels: Record<string, string>, removed: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([key]) => !removed.includes(key)));
}

function nameOf(object: { metadata?: { name?: string } | null }): string {
  return object.metadata?.name ?? '(unnamed)';
}

/** A label key: an optional DNS-subdomain prefix and "/", then a name of at most 63 characters. */
function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !(prefix.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix))) return false;
  return name.length > 0 && isLabelValue(name);
}

/** A label value: at most 63 characters, alphanumerics at both ends, `-`, `_` and `.` between; empty is valid. */
function isLabelValue(value: string): boolean {
  return value.length <= 63 && /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(value);
}
