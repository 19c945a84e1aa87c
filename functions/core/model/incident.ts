import type { Source } from './event.ts';
import type { Objective, Severity } from './signal.ts';
import type { ContainmentAction } from '#core/actions/registry';
import type { IncidentImage } from './vulnerability.ts';

/** The containment actions are described in functions/core/actions; their names make the type. */
export type { ContainmentAction };

export interface PlannedAction {
  action: ContainmentAction;
  /** A pod as cluster/namespace/pod, a role by ARN, a node by name. */
  target: string;
  reason: string;
  /** Record what would be done, change nothing (configured per action or for all). */
  dryRun?: boolean;
  /** What on the target the action acts on: the session names a revoke-role-sessions denies. */
  scope?: string[];
}

export interface IncidentWorkload {
  cluster: string | null;
  namespace: string | null;
  namespaceCriticality: string | null;
  pod: string | null;
  owner: string | null;
  serviceAccount: string | null;
  image: string | null;
  imageDigest: string | null;
  node: string | null;
}

export interface IncidentIdentity {
  roleArn: string;
  /** The role's account, from its ARN: a same-named role in another account is another role. Absent on incidents stored before. */
  accountId?: string;
  /** The account's name in the configuration's `accountAliases`, when it has one. */
  accountAlias?: string;
  /** How the role was linked to the workload: irsa, pod-identity, instance-role, chained (assumed by a linked session), or observed. */
  via: string;
  sessions: string[];
  /**
   * The sessions the evidence ties to the attacker: in the incident's signals, issued to the pod
   * itself, or used from outside the cluster. The others were issued to the service account near
   * the incident, and IRSA cannot tell which replica holds them. Absent on incidents stored before.
   */
  tiedSessions?: string[];
  /** For a chained role (via `chained`): the role whose session assumed it. */
  chainedFrom?: string;
  /**
   * Whether the sessions carry EKS Pod Identity's pod session tags: Pod Identity sessions, and
   * sessions chained from them (the tags are transitive). False when the association was created
   * with session tags disabled: a tag-scoped deny would match nothing. Absent for other mechanisms.
   */
  podTags?: boolean;
  accessKeyIds: string[];
  sourceIps: string[];
  /** Why each source the credentials were used from counts as the cluster's: configured, read from EC2, or learned. */
  egressSources?: { source: string; reason: string }[];
  /** Addresses the credentials were used from that are not the cluster's known egress. */
  unusualSourceIps: string[];
}

export interface IncidentSignal {
  id: string;
  source: Source;
  rule: string;
  title: string;
  severity: Severity;
  time: string;
  eventId: string;
  summary: string;
  objective: Objective;
}

export interface BlastRadius {
  /** What the linked roles may do; filled by enrichment where IAM can be read. */
  rolePermissions: { roleArn: string; policies: string[] }[];
  sameServiceAccountPods: string[];
  sameImagePods: string[];
  /** Pods on an implicated node that could have read its instance-role credentials. */
  podsOnNode: { pod: string; reason: string }[];
  notes: string[];
}

export interface Incident {
  id: string;
  title: string;
  severity: Severity;
  confidence: number;
  explanation: string;
  firstSeen: string;
  lastSeen: string;
  objectives: Objective[];
  workload: IncidentWorkload;
  identities: IncidentIdentity[];
  signals: IncidentSignal[];
  /** First-seen facts: an address or API new to a role, a process new to an image. */
  newBehaviour: string[];
  whatChanged: { time: string; description: string }[];
  blastRadius: BlastRadius;
  plan: { automatic: PlannedAction[]; approval: PlannedAction[] };
  suppressedSignals: number;
  /** The image behind the incident, by digest: its vulnerabilities, rollout, where else it runs, admission. Absent when no digest is known. */
  image?: IncidentImage;
}
