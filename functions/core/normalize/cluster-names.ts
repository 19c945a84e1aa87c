import type { SecurityEvent } from '#core/model/event';

/** Where a replay learned a cluster's name, strongest first: the audit log's own log group, then what GuardDuty and CloudTrail say. */
export type ClusterEvidence = 'log group' | 'GuardDuty finding' | 'CloudTrail EKS call';

const STRONGEST_FIRST: readonly ClusterEvidence[] = ['log group', 'GuardDuty finding', 'CloudTrail EKS call'];

/** What raw audit events are read as when nothing names their cluster. */
export const UNNAMED_CLUSTER = 'unnamed-cluster';

const CLUSTER_TAGS = new Set(['eks:cluster-name', 'aws:eks:cluster-name']);

/** The cluster names a replay's records mention, by the kind of record that named them. */
export class ClusterNames {
  private readonly named = new Map<ClusterEvidence, Set<string>>();
  /** The accounts each name was seen in: a cluster is its name within one account. */
  private readonly accounts = new Map<string, Set<string>>();

  note(name: string, evidence: ClusterEvidence, accountId?: string): void {
    if (name.length === 0) return;
    const names = this.named.get(evidence) ?? new Set<string>();
    names.add(name);
    this.named.set(evidence, names);
    if (accountId) this.accounts.set(name, (this.accounts.get(name) ?? new Set<string>()).add(accountId));
  }

  /** The one account cluster `name` was seen in; undefined when none or several. */
  accountOf(name: string): string | undefined {
    const accounts = this.accounts.get(name);
    return accounts?.size === 1 ? [...accounts][0] : undefined;
  }

  /** Notes the clusters a normalized record names: a GuardDuty finding's EKS cluster or node tags, an EKS API call's cluster. */
  noteNamesIn(event: SecurityEvent): void {
    if (event.source === 'guardduty') {
      if (event.cluster) this.note(event.cluster, 'GuardDuty finding', event.accountId);
      for (const name of clusterTagValues(event.raw)) this.note(name, 'GuardDuty finding', event.accountId);
    } else if (event.source === 'cloudtrail') {
      const name = eksClusterOf(event.eventSource, event.requestParameters);
      if (name) this.note(name, 'CloudTrail EKS call', event.accountId);
    }
  }

  /** The names the strongest kind of evidence gives, with that kind; empty when nothing named a cluster. */
  strongest(): { evidence?: ClusterEvidence; names: string[] } {
    for (const evidence of STRONGEST_FIRST) {
      const names = this.named.get(evidence);
      if (names && names.size > 0) return { evidence, names: [...names].sort() };
    }
    return { names: [] };
  }
}

export interface ClusterChoice {
  cluster: string;
  /** The account the evidence saw that cluster in, when only one. */
  accountId?: string;
  /** One line for the person replaying: which cluster and why. */
  note: string;
}

/**
 * The cluster for raw audit events that came without their log group: the one the replay's other
 * records name, else the configuration's only cluster, else a placeholder that says so.
 */
export function chooseClusterForUnnamedAudit(names: ClusterNames, configuredCluster: string | undefined, eventCount: number): ClusterChoice {
  const what = `${eventCount} EKS audit event${eventCount === 1 ? '' : 's'} came without their log group`;
  const strongest = names.strongest();
  if (strongest.names.length === 1) {
    const [cluster] = strongest.names as [string];
    return {
      cluster,
      accountId: names.accountOf(cluster),
      note: `${what}: read as cluster ${cluster}, named by a ${strongest.evidence} in this replay (pass --cluster NAME to choose)`,
    };
  }
  if (configuredCluster) {
    return {
      cluster: configuredCluster,
      note: `${what}: read as cluster ${configuredCluster}, the only cluster in the configuration (pass --cluster NAME to choose)`,
    };
  }
  const why =
    strongest.names.length > 1
      ? `the replay names several clusters (${strongest.names.join(', ')})`
      : 'nothing in the replay or the configuration names their cluster';
  return { cluster: UNNAMED_CLUSTER, note: `${what} and ${why}: read as cluster ${UNNAMED_CLUSTER}; pass --cluster NAME` };
}

/** EKS API calls name their cluster in the request path (`name`); EKS Pod Identity calls in `clusterName`. */
function eksClusterOf(eventSource: string, requestParameters: Record<string, unknown> | null): string | undefined {
  if (eventSource === 'eks.amazonaws.com' && typeof requestParameters?.name === 'string') return requestParameters.name;
  if (eventSource === 'eks-auth.amazonaws.com' && typeof requestParameters?.clusterName === 'string') return requestParameters.clusterName;
  return undefined;
}

/** EKS node tags on the finding's instance, in an export (camelCase) or `get-findings` output (PascalCase). */
function clusterTagValues(raw: unknown): string[] {
  const finding = raw as { resource?: { instanceDetails?: { tags?: unknown } }; Resource?: { InstanceDetails?: { Tags?: unknown } } };
  const tags = finding?.resource?.instanceDetails?.tags ?? finding?.Resource?.InstanceDetails?.Tags;
  if (!Array.isArray(tags)) return [];
  const names: string[] = [];
  for (const tag of tags as { key?: unknown; value?: unknown; Key?: unknown; Value?: unknown }[]) {
    const key = tag?.key ?? tag?.Key;
    const value = tag?.value ?? tag?.Value;
    if (typeof key === 'string' && CLUSTER_TAGS.has(key) && typeof value === 'string') names.push(value);
  }
  return names;
}
