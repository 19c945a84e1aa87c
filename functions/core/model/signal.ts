import type { Source } from './event.ts';

export type Severity = 'low' | 'medium' | 'high' | 'critical';

export const severityRank: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

export interface Objective {
  tactic: string;
  technique: string;
}

/** What a signal is about, as far as its own record says; the graph fills in the rest. */
export interface SignalSubject {
  cluster?: string;
  namespace?: string;
  pod?: string;
  node?: string;
  instanceId?: string;
  serviceAccount?: string;
  roleArn?: string;
  accessKeyId?: string;
  sourceIp?: string;
  image?: string;
  imageDigest?: string;
  /** The AWS API called (service:Name), for CloudTrail signals. */
  api?: string;
  /** The process a runtime finding names (executable path or name). */
  process?: string;
  /** The Kubernetes user or AWS principal that acted. */
  actor?: string;
  /** The pod whose service-account token the actor presented, when the token says so. */
  actorPod?: string;
  /** The id of the service-account token the actor presented (`JTI=…`): the graph knows who requested it. */
  credentialId?: string;
  /** Further pods, access keys and instances the record names besides those above (an attack sequence names several). */
  alsoNamed?: AlsoNamed;
}

/** Resources beyond a subject's first, each resolved as the subject's own pod, key or instance is. */
export interface AlsoNamed {
  pods: { cluster: string; namespace: string; name: string }[];
  accessKeyIds: string[];
  instanceIds: string[];
}

export interface Signal {
  /** Deterministic from rule and evidence, so duplicate delivery upserts the same signal. */
  id: string;
  rule: string;
  title: string;
  source: Source;
  time: number;
  eventId: string;
  summary: string;
  severity: Severity;
  objective: Objective;
  subject: SignalSubject;
  /** The raw record behind the signal. */
  evidence: unknown;
  /** Sources that re-publish a record (GuardDuty updates) bump this; the highest wins. */
  revision?: number;
  /**
   * Set on signals whose truth depends on the graph as a whole (an address outside the
   * learned egress): correlate re-checks them against the final graph before use.
   */
  recheck?: 'outside-egress';
  /** The known controller whose routine explains the signal (detect/known-controllers.ts): kept as context, never dropped. */
  knownController?: string;
}
