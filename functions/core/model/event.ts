/** The one typed shape every source record is normalized into. */
export type Source = 'eks-audit' | 'cloudtrail' | 'guardduty';

interface EventBase {
  source: Source;
  /** The source's own id: auditID, CloudTrail eventID, or GuardDuty finding id. */
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

export interface AuditEvent extends EventBase {
  source: 'eks-audit';
  cluster: string;
  verb: string;
  stage?: string;
  requestUri?: string;
  username: string;
  groups: string[];
  /** For service-account tokens bound to a pod, the pod that presented it (user.extra). */
  actorPod?: string;
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
}

export type SecurityEvent = AuditEvent | CloudTrailEvent | GuardDutyFinding;

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
