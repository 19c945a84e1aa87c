/**
 * The ValidatingAdmissionPolicy and binding that stop a vulnerable image from being scheduled
 * again (block-image-digest): pure, so the plan, the adapter and the tests share one definition.
 *
 * What it denies: creating a Pod, or updating one (its ephemeral containers included), so that
 * it references the blocked image in more containers than before: by digest (`…@sha256:<hex>`,
 * from any repository, since a digest names the content) or by the exact reference the
 * incident's pod used (`repository:tag`). Pods only: every controller (Deployment, Job, CronJob,
 * DaemonSet, StatefulSet) creates Pods, so one rule stops them all, and their templates stay
 * editable so the fix can roll out. An update that adds no new reference (a label patch, undoing
 * isolation) is let through, so running replicas can still be managed.
 *
 * What it cannot deny: another tag, or a multi-arch index digest, that resolves to the same image
 * at pull time; the kubelet resolves tags after admission.
 */

import type { ImageVulnerability } from '#core/model/vulnerability';

export const IMAGE_BLOCK_LABELS = { managedBy: 'app.kubernetes.io/managed-by', incident: 'pivotguard.io/incident' } as const;
export const IMAGE_BLOCK_MANAGER = 'pivotguard';

/** A sha256 image digest as registries and the kubelet accept it: lowercase hex, anything else fails to pull. */
const DIGEST = /^sha256:[a-f0-9]{64}$/;
/**
 * An image reference as it may be put in a CEL string literal: registry, path, tag and digest
 * characters only. The reference comes from a pod spec an attacker may have written; anything
 * else is never put in the expression.
 */
const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]{0,254}$/;
/** Kubernetes object names: a DNS subdomain. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** A label value. */
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** The findings that make an image worth blocking and rebuilding: critical or high, and not closed or suppressed. */
export function isSeriousFinding(vulnerability: Pick<ImageVulnerability, 'severity' | 'status'>): boolean {
  return (
    (vulnerability.severity === 'CRITICAL' || vulnerability.severity === 'HIGH') && vulnerability.status !== 'CLOSED' && vulnerability.status !== 'SUPPRESSED'
  );
}

export function imageBlockName(incidentId: string): string {
  return `pivotguard-block-${incidentId}`;
}

export function isImageDigest(value: string): boolean {
  return DIGEST.test(value);
}

/** `sha256:<hex>` from a digest or an image reference ending in one; undefined otherwise. */
export function digestOf(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const digest = value.includes('@') ? value.slice(value.lastIndexOf('@') + 1) : value;
  return isImageDigest(digest) ? digest : undefined;
}

/**
 * The reference to match besides the digest: the exact `repository:tag` the pod used. None when
 * the pod used the digest itself (the digest rule covers it) or the reference is not one that may
 * be put in the policy.
 */
export function tagReferenceOf(image: string | null | undefined): string | undefined {
  if (!image || image.includes('@') || !IMAGE_REFERENCE.test(image)) return undefined;
  return image;
}

/** What one block matches: the digest always, the tag reference when the incident saw one. */
export interface ImageBlockMatch {
  digest: string;
  tagReference?: string;
}

/** The step's scope as the plan stores it: the digest first, then the tag reference. */
export function imageBlockScope(match: ImageBlockMatch): string[] {
  return [match.digest, ...(match.tagReference ? [match.tagReference] : [])];
}

/** The planned scope read back; undefined when it is not one pivotguard writes (the adapter refuses it). */
export function imageBlockMatchOf(scope: readonly string[] | undefined): ImageBlockMatch | undefined {
  const [digest, tagReference, ...extra] = scope ?? [];
  if (!digest || !isImageDigest(digest) || extra.length > 0) return undefined;
  if (tagReference === undefined) return { digest };
  return tagReferenceOf(tagReference) === tagReference ? { digest, tagReference } : undefined;
}

export class UnsafeImageBlock extends Error {
  override name = 'UnsafeImageBlock';
}

/** Enough of a Kubernetes object for the block's two objects. */
export interface ImageBlockObject {
  apiVersion: 'admissionregistration.k8s.io/v1';
  kind: 'ValidatingAdmissionPolicy' | 'ValidatingAdmissionPolicyBinding';
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: Record<string, unknown>;
}

/** The images of the pod in `object` (its containers, init and ephemeral containers), as a CEL list of strings. */
function imagesOf(object: 'object' | 'oldObject'): string {
  const list = (field: string) => `(has(${object}.spec.${field}) ? ${object}.spec.${field}.filter(c, has(c.image)).map(c, c.image) : [])`;
  return [list('containers'), list('initContainers'), list('ephemeralContainers')].join(' + ');
}

/**
 * The policy and its binding. `message` says which incident and what to fix; it is one line, as
 * the API server requires. Throws UnsafeImageBlock for anything that must not reach CEL.
 */
export function imageBlockObjects(input: { incidentId: string; match: ImageBlockMatch; message: string }): {
  policy: ImageBlockObject;
  binding: ImageBlockObject;
} {
  const { incidentId, match } = input;
  const name = imageBlockName(incidentId);
  if (!OBJECT_NAME.test(name) || !LABEL_VALUE.test(incidentId)) throw new UnsafeImageBlock(`incident id ${JSON.stringify(incidentId)} cannot name a policy`);
  if (!isImageDigest(match.digest)) throw new UnsafeImageBlock(`${JSON.stringify(match.digest)} is not a sha256 image digest`);
  if (match.tagReference !== undefined && tagReferenceOf(match.tagReference) !== match.tagReference) {
    throw new UnsafeImageBlock(`${JSON.stringify(match.tagReference)} is not an image reference pivotguard puts in a policy`);
  }
  // Both checked above against character sets with no quote or backslash: safe inside a CEL string literal.
  const blocked = [`i.endsWith("@${match.digest}")`, ...(match.tagReference ? [`i == "${match.tagReference}"`] : [])].join(' || ');
  const metadata = {
    name,
    labels: { [IMAGE_BLOCK_LABELS.managedBy]: IMAGE_BLOCK_MANAGER, [IMAGE_BLOCK_LABELS.incident]: incidentId },
    annotations: { 'pivotguard.io/blocked-image': imageBlockScope(match).join(' ') },
  };
  const policy: ImageBlockObject = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata,
    spec: {
      // The expression guards every optional field, so it cannot fail on a valid pod; a policy that
      // failed open would let the image through.
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          // The ephemeralcontainers subresource is how `kubectl debug` adds a container to a running pod.
          { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers'] },
        ],
      },
      variables: [
        { name: 'blocked', expression: `(${imagesOf('object')}).filter(i, ${blocked}).size()` },
        { name: 'blockedBefore', expression: `oldObject == null ? 0 : (${imagesOf('oldObject')}).filter(i, ${blocked}).size()` },
      ],
      validations: [
        {
          expression: "variables.blocked == 0 || (request.operation == 'UPDATE' && variables.blocked <= variables.blockedBefore)",
          message: oneLine(input.message),
          reason: 'Forbidden',
        },
      ],
    },
  };
  const binding: ImageBlockObject = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata,
    // No matchResources: every namespace of the cluster.
    spec: { policyName: name, validationActions: ['Deny'] },
  };
  return { policy, binding };
}

/** Whether an object in the cluster is this incident's block, by the labels pivotguard put on it. */
export function isOwnImageBlock(labels: Record<string, string> | undefined, incidentId: string): boolean {
  return labels?.[IMAGE_BLOCK_LABELS.managedBy] === IMAGE_BLOCK_MANAGER && labels[IMAGE_BLOCK_LABELS.incident] === incidentId;
}

/**
 * Whether `actual` still holds everything `wanted` sets (the API server only adds defaults): a
 * block someone edited is told from one that is intact.
 */
export function holdsAll(wanted: unknown, actual: unknown): boolean {
  if (Array.isArray(wanted)) {
    return Array.isArray(actual) && actual.length === wanted.length && wanted.every((item, index) => holdsAll(item, actual[index]));
  }
  if (wanted !== null && typeof wanted === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(wanted).every(([key, value]) => holdsAll(value, (actual as Record<string, unknown>)[key]));
  }
  return wanted === actual;
}

/** The API server refuses a message with a line break; control characters have no place in it either. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 1000);
}
