/**
 * What admission said about a pod when it was created, read from the create's audit event: the
 * annotations the API server writes for Pod Security admission, ValidatingAdmissionPolicy and
 * admission webhooks, and the image-signature verdict Kyverno's verifyImages writes on the pod.
 * Kept on the pod node, so an incident can say whether its rollout passed, warned or went unchecked.
 */
import type { AuditEvent } from '#core/model/event';
import { asArray, asObject, parseJsonDocument, str } from '#core/model/json';

export type AdmissionOutcome = 'passed' | 'warned' | 'not-checked';

/** Attr names on the pod node, written from its create only. */
export const ADMISSION_ATTRS = { outcome: 'admission', details: 'admissionDetails' } as const;

/** Pod Security admission: the level that admitted the pod, and audit-mode violations (kubernetes.io audit annotations). */
const PSA_ENFORCE = 'pod-security.kubernetes.io/enforce-policy';
const PSA_VIOLATIONS = 'pod-security.kubernetes.io/audit-violations';
const PSA_EXEMPT = 'pod-security.kubernetes.io/exempt';
/** A ValidatingAdmissionPolicy binding with the `Audit` action: a JSON list of {message, policy, binding, expressionIndex, validationActions}. */
const VAP_FAILURE = 'validation.policy.admission.k8s.io/validation_failure';
/** A validating webhook that could not be reached and whose failurePolicy is Ignore: its policy never ran. The value names the webhook. */
const FAILED_OPEN = 'failed-open.validating.webhook.admission.k8s.io/';
/** The ImagePolicyWebhook admission plugin let the pod through unreviewed (`imagepolicywebhook.image-policy.k8s.io/failed-open`). */
const IMAGE_POLICY_FAILED_OPEN = 'image-policy.k8s.io/failed-open';
/** Kyverno's verifyImages result, on the pod itself: {"<image>@sha256:…": "pass"} (older versions: true). */
const KYVERNO_VERIFIED = 'kyverno.io/verify-images';
/**
 * A webhook's own audit annotations are keyed `<webhook name>/<key>`: the policy engines name
 * themselves (validate.kyverno.svc-fail, validation.gatekeeper.sh, policy.sigstore.dev).
 */
const POLICY_WEBHOOK = /^[^/]*(kyverno|gatekeeper|sigstore)[^/]*\//i;
const SAYS_VIOLATION = /violat|fail|warn|deny|denied/i;
const MAX_DETAILS = 6;
const MAX_DETAIL_CHARS = 240;

/**
 * The admission outcome of a pod create: warned when any policy recorded a violation, a webhook
 * failed open or a signature did not verify; passed when a policy evaluated the pod and none of
 * those happened; not-checked when nothing did. Pod Security at level `privileged` (EKS's
 * default) restricts nothing, so it is no check. Only what the API server or an admission
 * mutation wrote counts: an annotation the request itself carried is the creator's claim.
 */
export function admissionOf(event: AuditEvent): { outcome: AdmissionOutcome; details: string[] } {
  const annotations = asObject(asObject(event.raw)?.annotations) ?? {};
  const checked: string[] = [];
  const warnings: string[] = [];
  const notes: string[] = [];
  const enforce = str(annotations[PSA_ENFORCE]);
  if (enforce && !enforce.startsWith('privileged')) checked.push(`Pod Security enforced ${enforce}`);
  else if (enforce) notes.push(`Pod Security level ${enforce} restricts nothing`);
  const exempt = str(annotations[PSA_EXEMPT]);
  if (exempt) notes.push(`exempt from Pod Security by ${exempt}`);
  const violations = str(annotations[PSA_VIOLATIONS]);
  if (violations) warnings.push(`Pod Security audit: ${violations}`);
  warnings.push(...validationFailures(str(annotations[VAP_FAILURE])));
  for (const [key, value] of Object.entries(annotations)) {
    if (key.startsWith(FAILED_OPEN)) warnings.push(`a validating webhook failed open, so its policy never ran (${webhookName(value)})`);
    else if (key.endsWith(IMAGE_POLICY_FAILED_OPEN) && value === 'true') warnings.push('the image policy webhook failed open, so the image was not reviewed');
    else if (POLICY_WEBHOOK.test(key) && typeof value === 'string') policyWebhookVerdict(key, value, checked, warnings);
  }
  signatureVerdicts(event, checked, warnings, notes);
  const outcome: AdmissionOutcome = warnings.length > 0 ? 'warned' : checked.length > 0 ? 'passed' : 'not-checked';
  const details = [...warnings, ...checked, ...notes].slice(0, MAX_DETAILS).map((detail) => clip(detail));
  return { outcome, details };
}

/** Each failed validation as "policy: message"; an unreadable value still warns. */
function validationFailures(value: string | undefined): string[] {
  if (!value) return [];
  const entries = parseJsonDocument(value);
  if (!Array.isArray(entries) || entries.length === 0) return [`ValidatingAdmissionPolicy audit: ${value}`];
  return entries.map((entry) => {
    const failure = asObject(entry);
    return `ValidatingAdmissionPolicy ${str(failure?.policy) ?? '(unnamed)'}: ${str(failure?.message) ?? 'validation failed'}`;
  });
}

/**
 * A policy engine's own annotation. Gatekeeper's (`--emit-admission-audit-annotations`) is
 * `validation.gatekeeper.sh/evaluation`: {schemaVersion, allowed, violations: [{constraintKind,
 * constraintName, message, enforcementAction}], totalViolations}. Others are read by their words.
 */
function policyWebhookVerdict(key: string, value: string, checked: string[], warnings: string[]): void {
  const evaluation = asObject(parseJsonDocument(value));
  if (evaluation && typeof evaluation.totalViolations === 'number') {
    const webhook = key.slice(0, key.indexOf('/'));
    if (evaluation.totalViolations === 0) checked.push(`${webhook} evaluated it: no violation`);
    for (const violation of asArray(evaluation.violations)) {
      const constraint = [str(violation.constraintKind), str(violation.constraintName)].filter(Boolean).join('/') || 'a constraint';
      warnings.push(`${webhook} ${constraint} (${str(violation.enforcementAction) ?? 'violation'}): ${str(violation.message) ?? 'violated'}`);
    }
    if (evaluation.totalViolations > 0 && asArray(evaluation.violations).length === 0) warnings.push(`${webhook}: ${evaluation.totalViolations} violations`);
    return;
  }
  (SAYS_VIOLATION.test(key) || SAYS_VIOLATION.test(value) ? warnings : checked).push(`${key}: ${value}`);
}

function webhookName(value: unknown): string {
  if (typeof value !== 'string') return 'unnamed webhook';
  const parsed = asObject(parseJsonDocument(value));
  return str(parsed?.webhook) ?? str(parsed?.configuration) ?? value;
}

/** Kyverno's verdict, trusted only when admission wrote it: present in the response, absent from the request. */
function signatureVerdicts(event: AuditEvent, checked: string[], warnings: string[], notes: string[]): void {
  const requested = podAnnotation(event.requestObject);
  const admitted = podAnnotation(event.responseObject);
  if (requested !== undefined) {
    notes.push(`the request carried its own ${KYVERNO_VERIFIED} annotation, not trusted`);
    return;
  }
  if (admitted === undefined) return;
  const entries = Object.entries(asObject(parseJsonDocument(admitted)) ?? {});
  if (entries.length === 0) {
    warnings.push(`image signature verification unreadable: ${admitted}`);
    return;
  }
  for (const [image, verdict] of entries) {
    if (verdict === 'pass' || verdict === true || verdict === 'true') checked.push(`image signature verified by Kyverno: ${image}`);
    else warnings.push(`image signature not verified by Kyverno (${String(verdict)}): ${image}`);
  }
}

function podAnnotation(object: unknown): string | undefined {
  return str(asObject(asObject(asObject(object)?.metadata)?.annotations)?.[KYVERNO_VERIFIED]);
}

function clip(text: string): string {
  return text.length <= MAX_DETAIL_CHARS ? text : `${text.slice(0, MAX_DETAIL_CHARS - 1)}…`;
}
