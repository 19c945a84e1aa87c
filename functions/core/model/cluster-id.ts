import { isAccountId } from './arn.ts';
import type { SecurityEvent } from './event.ts';

/**
 * How pivotguard names a cluster: by its EKS name in the home account (the hub's, or the replay's
 * first), NAME@ACCOUNT in any other. EKS names are unique only within an account, so two accounts'
 * `prod` clusters are two clusters; `@` is not allowed in an EKS name, so the id reads back.
 * Keeping the plain name at home leaves a single-account deployment's keys and words unchanged.
 */
const SEPARATOR = '@';

/** The EKS name of a cluster id. */
export function clusterNameOf(clusterId: string): string {
  const at = clusterId.indexOf(SEPARATOR);
  return at < 0 ? clusterId : clusterId.slice(0, at);
}

/** The account a cluster id names; undefined for a home cluster. */
export function clusterAccountOf(clusterId: string): string | undefined {
  const at = clusterId.indexOf(SEPARATOR);
  const account = at < 0 ? undefined : clusterId.slice(at + 1);
  return isAccountId(account) ? account : undefined;
}

/**
 * Names clusters for one pipeline. Without a home account (a replay), the first account a
 * cluster-bearing record names becomes home: a replay of one account reads as it always did.
 */
export class ClusterScope {
  constructor(private home?: string) {}

  get homeAccountId(): string | undefined {
    return this.home;
  }

  /** The id of cluster `name` in `accountId` (unknown: home). */
  idOf(name: string, accountId: string | undefined): string {
    if (!isAccountId(accountId) || name.includes(SEPARATOR)) return name;
    this.home ??= accountId;
    return accountId === this.home ? name : `${name}${SEPARATOR}${accountId}`;
  }
}

/** A scope that leaves every name as it is: the link stage's default where no pipeline scopes. */
export const UNSCOPED: Pick<ClusterScope, 'idOf'> = { idOf: (name) => name };

/**
 * Names the clusters an event carries by their ids, in place, before anything reads them: an
 * audit record's (the account of its log group) and a GuardDuty finding's (the finding's account).
 * Idempotent: an id is never scoped twice.
 */
export function scopeClusters(event: SecurityEvent, scope: Pick<ClusterScope, 'idOf'>): void {
  if (event.source === 'eks-audit') {
    event.cluster = scope.idOf(event.cluster, event.accountId);
  } else if (event.source === 'guardduty') {
    if (event.cluster) event.cluster = scope.idOf(event.cluster, event.accountId);
    const sequence = event.sequence;
    if (sequence) {
      sequence.clusters = sequence.clusters.map((cluster) => scope.idOf(cluster, event.accountId));
      for (const workload of sequence.workloads) if (workload.cluster) workload.cluster = scope.idOf(workload.cluster, event.accountId);
    }
  }
}
