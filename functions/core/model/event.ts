import type { ImageVulnerability } from './vulnerability.ts';

/** The one typed shape every source record is normalized into. */
export type Source = 'eks-audit' | 'cloudtrail' | 'guardduty' | 'inspector';

interface EventBase {
  source: Source;
  /** The source's own id: auditID, CloudTrail eventID, GuardDuty finding id, Inspector finding ARN. */
  eventId: string;
  /** Epoch milliseconds of the source's own event time. */
  time: number;
  /** The record exactly as the source wrote it, kept as evidence. */
  raw: unknown;
}

export interface AuditObjectRef {
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  apiGroup?: string;
}

/** Who really sent an impersonated request: the user whose credentials the API server checked. */
export interface AuditImpersonator {
  username: string;
  groups: string[];
  /** The pod whose bound service-account token the impersonator presented (user.extra). */
  pod?: string;
  /** The id of the token the impersonator presented (user.extra credential-id, `JTI=…`). */
  credentialId?: string;
}

export interface AuditEvent extends EventBase {
  source: 'eks-audit';
  /** The cluster's EKS name; after the pipeline scopes it, NAME@ACCOUNT for a cluster of another account (model/cluster-id.ts). */
  cluster: string;
  /** The account whose log group held the record (the subscription's `owner`, a Logs Insights row's `@log`). */
  accountId?: string;
  verb: string;
  stage?: string;
  requestUri?: string;
  /** The user the request acted as: the impersonated user when there is one, else the authenticated one. */
  username: string;
  groups: string[];
  /** For service-account tokens bound to a pod, the pod that presented it (user.extra); unset when impersonating. */
  actorPod?: string;
  /** The id of the service-account token presented (user.extra credential-id, `JTI=…`); unset when impersonating. */
  credentialId?: string;
  /** Set when the request impersonated `username`: the authenticated user behind it. */
  impersonatedBy?: AuditImpersonator;
  /** On a TokenRequest (serviceaccounts/token create): the id of the token issued (audit annotation). */
  issuedCredentialId?: string;
  sourceIps: string[];
  userAgent?: string;
  objectRef?: AuditObjectRef;
  responseCode?: number;
  /** authorization.k8s.io/decision annotation, when the log level records it. */
  decision?: string;
  requestObject?: unknown;
  responseObject?: unknown;
}

export interface CloudTrailIdentity {
  type?: string;
  /** Caller ARN: an assumed-role session ARN, a user ARN, or absent for services. */
  arn?: string;
  principalId?: string;
  accountId?: string;
  accessKeyId?: string;
  /** The role behind an assumed-role session. */
  roleArn?: string;
  /** The session name of an assumed-role session (for EC2 instance roles: the instance id). */
  sessionName?: string;
  invokedBy?: string;
  /** ec2RoleDelivery is set when the credentials came from instance metadata. */
  ec2RoleDelivery?: string;
  userName?: string;
}

export interface CloudTrailEvent extends EventBase {
  source: 'cloudtrail';
  eventSource: string;
  eventName: string;
  region: string;
  accountId?: string;
  sourceIp: string;
  userAgent?: string;
  errorCode?: string;
  readOnly?: boolean;
  /** The VPC endpoint the call came through (its sourceIp is then a private address in that endpoint's VPC). */
  vpcEndpointId?: string;
  /** The account that owns that endpoint: an endpoint in another account is not the cluster's. */
  vpcEndpointAccountId?: string;
  identity: CloudTrailIdentity;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  /** Sign-in details (MFAUsed, LoginTo) and other service-specific context. */
  additionalEventData?: Record<string, unknown>;
}

export interface FindingContainer {
  name?: string;
  image?: string;
  imageDigest?: string;
  privileged?: boolean;
}

export interface FindingProcess {
  name?: string;
  executablePath?: string;
  commandLine?: string;
  pid?: number;
}

export interface GuardDutyFinding extends EventBase {
  source: 'guardduty';
  type: string;
  title: string;
  description: string;
  severity: number;
  accountId: string;
  region: string;
  count: number;
  archived: boolean;
  /** GuardDuty's console sample findings carry additionalInfo.sample = true. */
  sample: boolean;
  /** GuardDuty re-publishes a finding as its count grows; the newest updatedAt wins. */
  updatedAt: number;
  firstSeen: number;
  lastSeen: number;
  resourceType?: string;
  cluster?: string;
  namespace?: string;
  workloadName?: string;
  workloadType?: string;
  workloadUid?: string;
  hostNetwork?: boolean;
  containers: FindingContainer[];
  kubernetesUser?: string;
  instanceId?: string;
  accessKeyId?: string;
  principalId?: string;
  iamUserName?: string;
  actionType?: string;
  apiCall?: string;
  remoteIp?: string;
  process?: FindingProcess;
  /** What an attack sequence names (`service.detection.sequence`); unset on other findings. */
  sequence?: AttackSequence;
}

/** A Kubernetes workload an attack sequence names. */
export interface SequenceWorkload {
  /** The cluster, when the finding names exactly one: a workload resource does not say which. */
  cluster?: string;
  namespace?: string;
  name: string;
  /** GuardDuty's kind of workload: PODS, DEPLOYMENTS, DAEMONSETS... */
  kind?: string;
}

/** An access key an attack sequence names, as a resource or as an actor's credentials. */
export interface SequenceAccessKey {
  accessKeyId: string;
  /** For an assumed role: the role id, a colon, then the session name. */
  principalId?: string;
  /** For an assumed role: the role's name. */
  userName?: string;
  userType?: string;
}

/** The pods, nodes, credentials and cluster an attack sequence names, as far as each part could be read. */
export interface AttackSequence {
  uid?: string;
  clusters: string[];
  workloads: SequenceWorkload[];
  accessKeys: SequenceAccessKey[];
  instanceIds: string[];
  /** The roles that issued the actors' sessions. */
  roleArns: string[];
  /** The actors' user names. */
  actors: string[];
  /** How many signals (findings and API activity) GuardDuty correlated into the sequence. */
  signalCount: number;
}

/**
 * A vulnerability scan result for one container image, by digest: one Amazon Inspector finding
 * (its vulnerable packages), or one ECR basic scan (every finding, or none: a clean scan). Facts
 * on the image for the identity graph; posture, never an incident of its own, so no rule reads it.
 */
export interface ImageScanEvent extends EventBase {
  source: 'inspector';
  /** The image manifest digest, `sha256:…`. */
  digest: string;
  repository?: string;
  /** The registry's account id. */
  registry?: string;
  /** ISO time the image was pushed to ECR. */
  pushedAt?: string;
  /** ISO time of the scan this result comes from. */
  scannedAt: string;
  vulnerabilities: ImageVulnerability[];
}

export type SecurityEvent = AuditEvent | CloudTrailEvent | GuardDutyFinding | ImageScanEvent;

/**
 * Why a record was set aside, for machines (dead-letter attributes, metrics, redrive tools):
 * not JSON; none of the three sources; a known export that lacks what pivotguard needs; a field
 * missing or of the wrong type; nested deeper than any real record; dated before CloudTrail
 * existed or ahead of the clock; or a fault of pivotguard's own that this record exposed.
 */
export type RejectionCode = 'not-json' | 'unrecognized' | 'unsupported-format' | 'invalid-field' | 'too-deep' | 'time-out-of-range' | 'internal-error';

/** A record that could not be normalized, linked or checked, set aside with the reason. */
export interface RejectedRecord {
  file: string;
  /** Where the record is in its file: "line 12", "line 3.logEvents[4]", "document.Records[17]". */
  record: string;
  /** For people: printable, at most MAX_REASON_CHARS characters. */
  reason: string;
  code?: RejectionCode;
}
