/** Admission outcomes from the annotations the API server writes on a pod create's audit event (kubernetes.io audit annotation reference). */
import { describe, expect, it } from 'vitest';
import { admissionOf } from '#core/link/admission';
import { auditFacts } from '#core/link/audit-facts';
import type { AuditEvent } from '#core/model/event';
import { normalizeAuditEvent } from '#core/normalize/audit';
import { CLUSTER, podCreate, podObject } from '../fixtures/records.ts';

type Json = Record<string, unknown>;
const IMAGE = '111122223333.dkr.ecr.us-east-1.amazonaws.com/checkout@sha256:7c7c';

function createEvent(annotations: Json, pod: { request?: Json; response?: Json } = {}): AuditEvent {
  const object = podObject({ name: 'checkout-1', serviceAccount: 'checkout', image: IMAGE });
  const record: Json = { ...podCreate(object, '2026-11-20T14:09:00Z'), annotations: { 'authorization.k8s.io/decision': 'allow', ...annotations } };
  if (pod.request) record.requestObject = pod.request;
  if (pod.response) record.responseObject = pod.response;
  return normalizeAuditEvent(record, CLUSTER, Date.parse('2026-11-21T00:00:00Z'));
}

function withAnnotation(value: string | undefined): Json {
  const object = podObject({ name: 'checkout-1', serviceAccount: 'checkout', image: IMAGE });
  const metadata = object.metadata as Json;
  return value === undefined ? object : { ...object, metadata: { ...metadata, annotations: { 'kyverno.io/verify-images': value } } };
}

describe('admission of a pod create', () => {
  it('is not checked when only EKS’s default Pod Security level (privileged) looked at it', () => {
    const admission = admissionOf(createEvent({ 'pod-security.kubernetes.io/enforce-policy': 'privileged:latest' }));
    expect(admission.outcome).toBe('not-checked');
  });

  it('passed when Pod Security enforced a restricting level without violations', () => {
    expect(admissionOf(createEvent({ 'pod-security.kubernetes.io/enforce-policy': 'restricted:v1.31' })).outcome).toBe('passed');
  });

  it('warned on Pod Security audit violations', () => {
    const admission = admissionOf(
      createEvent({
        'pod-security.kubernetes.io/enforce-policy': 'baseline:latest',
        'pod-security.kubernetes.io/audit-violations':
          'would violate PodSecurity "restricted:latest": runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true)',
      }),
    );
    expect(admission.outcome).toBe('warned');
    expect(admission.details[0]).toMatch(/^Pod Security audit: .*runAsNonRoot/);
  });

  it('warned on a ValidatingAdmissionPolicy failure recorded by an Audit binding, naming the policy', () => {
    const failure = JSON.stringify([
      {
        message: 'images must come from the ECR registry',
        policy: 'ecr-images-only',
        binding: 'ecr-images-only-audit',
        expressionIndex: 0,
        validationActions: ['Audit'],
      },
    ]);
    const admission = admissionOf(createEvent({ 'validation.policy.admission.k8s.io/validation_failure': failure }));
    expect(admission).toEqual({ outcome: 'warned', details: ['ValidatingAdmissionPolicy ecr-images-only: images must come from the ECR registry'] });
  });

  it('warned when a validating webhook failed open: its policy never ran', () => {
    const admission = admissionOf(
      createEvent({
        'pod-security.kubernetes.io/enforce-policy': 'restricted:latest',
        'failed-open.validating.webhook.admission.k8s.io/round_0_index_0': 'validation.gatekeeper.sh',
      }),
    );
    expect(admission.outcome).toBe('warned');
    expect(admission.details[0]).toContain('validation.gatekeeper.sh');
  });

  it('reads Gatekeeper’s evaluation annotation: no violation passes, a warn-mode violation warns', () => {
    const evaluation = (violations: Json[]) =>
      JSON.stringify({
        schemaVersion: 'v1',
        eventType: 'validation_admission',
        allowed: true,
        violations,
        totalViolations: violations.length,
        includedViolations: violations.length,
        truncated: false,
      });
    expect(admissionOf(createEvent({ 'validation.gatekeeper.sh/evaluation': evaluation([]) })).outcome).toBe('passed');
    const warned = admissionOf(
      createEvent({
        'validation.gatekeeper.sh/evaluation': evaluation([
          { constraintKind: 'K8sAllowedRepos', constraintName: 'ecr-only', message: 'container <app> has an invalid image repo', enforcementAction: 'warn' },
        ]),
      }),
    );
    expect(warned.outcome).toBe('warned');
    expect(warned.details[0]).toContain('K8sAllowedRepos/ecr-only');
  });

  it('passed when Kyverno verified the image signature, warned when it did not', () => {
    const verified = admissionOf(createEvent({}, { request: withAnnotation(undefined), response: withAnnotation(JSON.stringify({ [IMAGE]: 'pass' })) }));
    expect(verified.outcome).toBe('passed');
    const failed = admissionOf(createEvent({}, { request: withAnnotation(undefined), response: withAnnotation(JSON.stringify({ [IMAGE]: 'fail' })) }));
    expect(failed.outcome).toBe('warned');
  });

  it('does not trust a verification verdict the pod’s creator wrote into the request', () => {
    const claimed = withAnnotation(JSON.stringify({ [IMAGE]: 'pass' }));
    const admission = admissionOf(createEvent({}, { request: claimed, response: claimed }));
    expect(admission.outcome).toBe('not-checked');
  });

  it('is recorded on the pod by its create, and only by its create', () => {
    const facts = auditFacts(createEvent({ 'pod-security.kubernetes.io/audit-violations': 'would violate PodSecurity "restricted:latest": host namespaces' }));
    const pod = facts.find((fact) => fact.key === `pod|${CLUSTER}|payments|checkout-1`);
    expect(pod?.attrs).toMatchObject({ admission: 'warned' });
    expect(JSON.parse(String(pod?.attrs?.admissionDetails))).toHaveLength(1);
    const update = normalizeAuditEvent(
      { ...podCreate(podObject({ name: 'checkout-1' }), '2026-11-20T14:10:00Z'), verb: 'update' },
      CLUSTER,
      Date.parse('2026-11-21T00:00:00Z'),
    );
    const updated = auditFacts(update).find((fact) => fact.key === `pod|${CLUSTER}|payments|checkout-1`);
    expect(updated?.attrs).toBeDefined();
    expect(updated?.attrs).not.toHaveProperty('admission');
  });
});
