import { z } from 'zod';
import type { AuditEvent, AuditImpersonator, AuditObjectRef } from '#core/model/event';
import { eventTime } from './instant.ts';
import { isNonEmptyString, isNullishString, isObject, isOptionalString, isStringArray, nullishStringArray, optionalStringFields } from './plain-fields.ts';
import { RecordRejected, describeZodError, rejectTooDeep } from './rejection.ts';

// Only the fields the pipeline reads are declared; the full record is kept as evidence. Built on
// first use: records that pass readAuditFields never need it, and a Lambda's import stays shorter.
let auditSchema: ReturnType<typeof buildAuditSchema> | undefined;

function buildAuditSchema() {
  return z.object({
    auditID: z.string().min(1),
    // Only rules that judge a verb need one: an event without it (hand-made, cut short) is still judged by who sent it,
    // from where, and what it reached; read as '', it matches no verb a rule asks for.
    verb: z.string().optional(),
    stage: z.string().optional(),
    requestURI: z.string().optional(),
    requestReceivedTimestamp: z.string().optional(),
    stageTimestamp: z.string().optional(),
    timestamp: z.string().optional(),
    user: userSchema(),
    impersonatedUser: userSchema().nullish(),
    sourceIPs: z.array(z.string()).nullish(),
    userAgent: z.string().nullish(),
    objectRef: z
      .object({
        resource: z.string().optional(),
        subresource: z.string().optional(),
        namespace: z.string().optional(),
        name: z.string().optional(),
        apiGroup: z.string().optional(),
      })
      .nullish(),
    responseStatus: z.object({ code: z.number().int().optional() }).nullish(),
    annotations: z.object({ [DECISION_ANNOTATION]: z.string().optional(), [ISSUED_CREDENTIAL_ANNOTATION]: z.string().optional() }).nullish(),
  });
}

function userSchema() {
  return z.object({
    username: z.string().optional(),
    groups: z.array(z.string()).nullish(),
    // Only the extras read are declared: validating every key costs time on every record.
    extra: z.object({ [POD_NAME_EXTRA]: z.array(z.string()).optional(), [CREDENTIAL_ID_EXTRA]: z.array(z.string()).optional() }).nullish(),
  });
}

const POD_NAME_EXTRA = 'authentication.kubernetes.io/pod-name';
/** A bound service-account token's id (`JTI=<jti>`), in user.extra of every request it makes. */
const CREDENTIAL_ID_EXTRA = 'authentication.kubernetes.io/credential-id';
/** The same id, annotated on the TokenRequest that issued the token. */
const ISSUED_CREDENTIAL_ANNOTATION = 'authentication.kubernetes.io/issued-credential-id';
const DECISION_ANNOTATION = 'authorization.k8s.io/decision';
const OBJECT_REF_KEYS = ['resource', 'subresource', 'namespace', 'name', 'apiGroup'] as const;

/** The declared fields the event is made of, whichever way they were read. */
interface AuditFields {
  auditID: string;
  verb?: string;
  stage?: string;
  requestURI?: string;
  stamp?: string;
  username?: string;
  groups?: string[] | null;
  actorPod?: string;
  credentialId?: string;
  /** The impersonated user (`impersonatedUser`), when the request had one. */
  impersonated?: { username?: string; groups?: string[] | null };
  issuedCredentialId?: string;
  sourceIPs?: string[] | null;
  userAgent?: string | null;
  objectRef?: AuditObjectRef | null;
  responseCode?: number;
  decision?: string;
}

export function isAuditEvent(value: Record<string, unknown>): boolean {
  if (value.kind !== 'Event') return false;
  if (typeof value.apiVersion === 'string') return value.apiVersion.startsWith('audit.k8s.io/');
  return 'auditID' in value || 'verb' in value || 'objectRef' in value || 'requestURI' in value;
}

/** `now` (epoch ms) bounds how far ahead of the clock the event may be dated. */
export function normalizeAuditEvent(value: Record<string, unknown>, cluster: string | undefined, now: number = Date.now()): AuditEvent {
  rejectTooDeep('EKS audit event', value);
  const record = readAuditFields(value) ?? parseAuditFields(value);
  if (record.stamp === undefined) {
    throw new RecordRejected('EKS audit event requestReceivedTimestamp: missing (nor stageTimestamp or timestamp)', 'invalid-field');
  }
  const time = eventTime('EKS audit event requestReceivedTimestamp', record.stamp, now);
  if (!cluster) {
    throw new RecordRejected('EKS audit event: cluster unknown (not in a /aws/eks/NAME/cluster log group; pass --cluster NAME)', 'invalid-field');
  }
  // Rules judge what an impersonated request did as the user it acted as; who really sent it is kept beside.
  const impersonated = record.impersonated;
  const impersonatedBy: AuditImpersonator | undefined = impersonated
    ? { username: record.username ?? '', groups: record.groups ?? [], pod: record.actorPod, credentialId: record.credentialId }
    : undefined;
  return {
    source: 'eks-audit',
    eventId: record.auditID,
    time,
    raw: value,
    cluster,
    verb: record.verb ?? '',
    stage: record.stage,
    requestUri: record.requestURI,
    username: (impersonated ? impersonated.username : record.username) ?? '',
    groups: (impersonated ? impersonated.groups : record.groups) ?? [],
    actorPod: impersonated ? undefined : record.actorPod,
    credentialId: impersonated ? undefined : record.credentialId,
    impersonatedBy,
    issuedCredentialId: record.issuedCredentialId,
    sourceIps: record.sourceIPs ?? [],
    userAgent: record.userAgent ?? undefined,
    objectRef: record.objectRef ?? undefined,
    responseCode: record.responseCode,
    decision: record.decision,
    requestObject: value.requestObject ?? undefined,
    responseObject: value.responseObject ?? undefined,
  };
}

/** The declared fields straight from the record (see plain-fields.ts); undefined when one needs the schema. */
function readAuditFields(value: Record<string, unknown>): AuditFields | undefined {
  const { auditID, verb, stage, requestURI, requestReceivedTimestamp, stageTimestamp, timestamp, user, userAgent, objectRef, responseStatus, annotations } =
    value;
  if (!isNonEmptyString(auditID) || !isOptionalString(verb) || !isOptionalString(stage) || !isOptionalString(requestURI)) return undefined;
  if (!isOptionalString(requestReceivedTimestamp) || !isOptionalString(stageTimestamp) || !isOptionalString(timestamp)) return undefined;
  if (!isNullishString(userAgent)) return undefined;
  const authenticated = readUser(user);
  const sourceIPs = nullishStringArray(value.sourceIPs);
  if (!authenticated || sourceIPs === false) return undefined;
  let impersonated: AuditFields['impersonated'];
  if (value.impersonatedUser !== undefined && value.impersonatedUser !== null) {
    const read = readUser(value.impersonatedUser);
    if (!read) return undefined;
    impersonated = { username: read.username, groups: read.groups };
  }
  let ref: AuditObjectRef | null | undefined = objectRef as null | undefined;
  if (objectRef !== undefined && objectRef !== null) {
    const fields = isObject(objectRef) && optionalStringFields(objectRef, OBJECT_REF_KEYS);
    if (!fields) return undefined;
    ref = fields;
  }
  let responseCode: number | undefined;
  if (responseStatus !== undefined && responseStatus !== null) {
    if (!isObject(responseStatus)) return undefined;
    const code = responseStatus.code;
    if (code !== undefined && !Number.isSafeInteger(code)) return undefined;
    responseCode = code as number | undefined;
  }
  let decision: string | undefined;
  let issuedCredentialId: string | undefined;
  if (annotations !== undefined && annotations !== null) {
    if (!isObject(annotations)) return undefined;
    const annotated = annotations[DECISION_ANNOTATION];
    const issued = annotations[ISSUED_CREDENTIAL_ANNOTATION];
    if (!isOptionalString(annotated) || !isOptionalString(issued)) return undefined;
    decision = annotated;
    issuedCredentialId = issued;
  }
  return {
    auditID,
    verb,
    stage,
    requestURI,
    stamp: requestReceivedTimestamp ?? stageTimestamp ?? timestamp,
    ...authenticated,
    impersonated,
    issuedCredentialId,
    sourceIPs,
    userAgent,
    objectRef: ref,
    responseCode,
    decision,
  };
}

/** A `user` or `impersonatedUser` straight from the record; undefined when one needs the schema. */
function readUser(user: unknown): Pick<AuditFields, 'username' | 'groups' | 'actorPod' | 'credentialId'> | undefined {
  if (!isObject(user) || !isOptionalString(user.username)) return undefined;
  const groups = nullishStringArray(user.groups);
  if (groups === false) return undefined;
  let actorPod: string | undefined;
  let credentialId: string | undefined;
  if (user.extra !== undefined && user.extra !== null) {
    if (!isObject(user.extra)) return undefined;
    const podNames = user.extra[POD_NAME_EXTRA];
    const credentialIds = user.extra[CREDENTIAL_ID_EXTRA];
    if ((podNames !== undefined && !isStringArray(podNames)) || (credentialIds !== undefined && !isStringArray(credentialIds))) return undefined;
    actorPod = podNames?.[0];
    credentialId = credentialIds?.[0];
  }
  return { username: user.username, groups, actorPod, credentialId };
}

/** The declared fields through the schema, which names the first one that is wrong. */
function parseAuditFields(value: Record<string, unknown>): AuditFields {
  const parsed = (auditSchema ??= buildAuditSchema()).safeParse(value);
  if (!parsed.success) throw new RecordRejected(describeZodError('EKS audit event', parsed.error), 'invalid-field');
  const record = parsed.data;
  return {
    auditID: record.auditID,
    verb: record.verb,
    stage: record.stage,
    requestURI: record.requestURI,
    stamp: record.requestReceivedTimestamp ?? record.stageTimestamp ?? record.timestamp,
    username: record.user.username,
    groups: record.user.groups,
    actorPod: record.user.extra?.[POD_NAME_EXTRA]?.[0],
    credentialId: record.user.extra?.[CREDENTIAL_ID_EXTRA]?.[0],
    impersonated: record.impersonatedUser ? { username: record.impersonatedUser.username, groups: record.impersonatedUser.groups } : undefined,
    issuedCredentialId: record.annotations?.[ISSUED_CREDENTIAL_ANNOTATION],
    sourceIPs: record.sourceIPs,
    userAgent: record.userAgent,
    objectRef: record.objectRef,
    responseCode: record.responseStatus?.code,
    decision: record.annotations?.[DECISION_ANNOTATION],
  };
}

/** EKS names the audit log group /aws/eks/NAME/cluster, NAME as EKS allows it (so never NAME@ACCOUNT, model/cluster-id.ts). */
export function clusterFromLogGroup(logGroup: string): string | undefined {
  const match = /^\/aws\/eks\/([0-9A-Za-z][A-Za-z0-9_-]{0,99})\/cluster$/.exec(logGroup);
  return match?.[1];
}
