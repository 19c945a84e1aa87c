import type * as events from 'aws-cdk-lib/aws-events';
import {
  GUARDDUTY_FINDING_TYPES,
  type FindingFamily,
  type FindingResource,
  type GuardDutyFindingType,
} from '../functions/core/detect/rules/guardduty/finding-types.ts';

/**
 * Tag keys that mark an EC2 instance as an EKS worker node: managed node groups (`eks:cluster-name`),
 * EKS-created resources (`aws:eks:cluster-name`), Karpenter and EKS Auto Mode nodes
 * (`eks:eks-cluster-name`).
 */
const EKS_NODE_TAG_KEYS = ['eks:cluster-name', 'aws:eks:cluster-name', 'eks:eks-cluster-name'] as const;

type Place = 'eks-cluster' | 'eks-node' | 'role-session' | 'anywhere';

// Field names of the finding JSON (`detail.resource`); EventBridge flattens the tags array, so
// `tags.key` matches when any tag has one of the keys.
const RESOURCE_CONDITION: Record<Place, Record<string, unknown> | undefined> = {
  'eks-cluster': { resourceType: ['EKSCluster'] },
  'eks-node': { instanceDetails: { tags: { key: [...EKS_NODE_TAG_KEYS] } } },
  'role-session': { accessKeyDetails: { userType: ['AssumedRole'] } },
  anywhere: undefined,
};

/** Where a finding about each kind of resource names it: a pod's finding names its cluster or its node. */
const PLACES: Record<FindingResource, readonly Place[]> = {
  pod: ['eks-cluster', 'eks-node'],
  cluster: ['eks-cluster'],
  node: ['eks-node'],
  role: ['role-session'],
  sequence: ['anywhere'],
};

/**
 * Families listed type by type: an assumed-role session is also a person or an unrelated workload,
 * and attack sequences also cover ECS. The others are matched by their resource segment
 * (`*:Runtime/*`), which the resource condition already confines to EKS clusters and nodes.
 */
const LISTED_FAMILIES: ReadonlySet<FindingFamily> = new Set(['iam', 'attack-sequence']);

type TypeMatcher = string | { wildcard: string };

function typeMatcher({ type, family }: GuardDutyFindingType): TypeMatcher {
  if (LISTED_FAMILIES.has(family)) return type;
  const segment = type.slice(type.indexOf(':') + 1, type.indexOf('/'));
  return { wildcard: `*:${segment}/*` };
}

function branches(): Record<string, unknown>[] {
  const matchersByPlace = new Map<Place, Map<string, TypeMatcher>>();
  for (const entry of GUARDDUTY_FINDING_TYPES) {
    const matcher = typeMatcher(entry);
    for (const place of PLACES[entry.resource]) {
      const matchers = matchersByPlace.get(place) ?? new Map<string, TypeMatcher>();
      matchers.set(JSON.stringify(matcher), matcher);
      matchersByPlace.set(place, matchers);
    }
  }
  return [...matchersByPlace].map(([place, matchers]) => {
    const resource = RESOURCE_CONDITION[place];
    return { type: [...matchers.values()], ...(resource ? { resource } : {}) };
  });
}

/**
 * GuardDuty findings pivotguard's rules understand, derived from the table of finding types: EKS
 * Protection and Runtime Monitoring findings on EKS clusters and nodes, EC2 and malware findings on
 * EKS worker nodes, IAM findings on assumed-role sessions, and attack sequences. S3, RDS, Lambda
 * and other findings stay out of the queue.
 */
export const GUARDDUTY_FINDINGS_PATTERN: events.EventPattern = {
  source: ['aws.guardduty'],
  detailType: ['GuardDuty Finding'],
  detail: { $or: branches() },
};
