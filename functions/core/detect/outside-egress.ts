import { type GraphNode, type GraphView, keyParts } from '#core/model/graph';
import type { Signal } from '#core/model/signal';
import { DERIVED_FROM, rootSessionOf } from '#core/model/credential-lineage';
import type { Config } from '#core/config';
import { type CloudTrailWatch, signalId } from './rule.ts';
import { isClusterEgress } from './cluster-egress.ts';
import { RECON_CALLS } from './rules/cloudtrail/discovery.ts';
import { SECRET_READS } from './rules/cloudtrail/secret-read.ts';

// Reading what the credentials may do: enumeration tools' IAM calls beyond the discovery rule's.
const IAM_READS = [
  'GetUser',
  'GetRole',
  'GetRolePolicy',
  'GetUserPolicy',
  'GetGroupPolicy',
  'GetPolicy',
  'GetPolicyVersion',
  'ListPolicies',
  'ListGroups',
  'ListGroupsForUser',
  'ListAttachedUserPolicies',
  'ListUserPolicies',
  'ListAttachedGroupPolicies',
  'ListGroupPolicies',
  'ListInstanceProfiles',
  'ListInstanceProfilesForRole',
  'GetAccountSummary',
  'ListAccountAliases',
  'SimulatePrincipalPolicy',
].map((call) => `iam.amazonaws.com:${call}`);

/**
 * Any call of a workload session tells where its credentials are used, so the detection would
 * read every call. It keeps what stolen pod credentials are used for first (who am I, what may I
 * do, which secrets are there, which role next), every refused call and every change. It gives
 * up read-only calls from outside that name none of these (Describe*, List*, Get* of other
 * services, KMS Decrypt): credentials used only for such reads are not seen outside the egress.
 */
const OUTSIDE_EGRESS_WATCH: CloudTrailWatch = {
  calls: [...RECON_CALLS, ...SECRET_READS, ...IAM_READS, 'sts.amazonaws.com:AssumeRole'],
  writes: true,
  refusals: true,
};

export const OUTSIDE_EGRESS_RULE = {
  id: 'cloudtrail.credentials-outside-egress',
  title: 'Workload credentials used from outside the cluster',
  description: "A pod's or node's role session is only ever used from the cluster's egress addresses.",
  objective: { tactic: 'Lateral Movement (TA0008)', technique: 'T1550.001 Use Alternate Authentication Material' },
  watches: OUTSIDE_EGRESS_WATCH,
} as const;

/**
 * Sessions handed to pods, or to instances the graph knows as this cluster's nodes. Anything
 * else (people, CI, unrelated EC2 instances) may work from anywhere.
 */
export function isWorkloadSession(session: GraphNode | undefined, graph: GraphView): boolean {
  // A chained session is a workload's when the session it descends from is.
  if (session?.attrs.via?.value === 'chained') session = rootSessionOf(session.key, graph)?.node;
  const via = session?.attrs.via?.value;
  if (via === 'irsa' || via === 'pod-identity') return true;
  if (via !== 'instance-role') return false;
  return Object.keys(session!.edges).some(
    (target) => target.startsWith('instance|') && Object.keys(graph.get(target)?.edges ?? {}).some((key) => key.startsWith('node|')),
  );
}

/**
 * Graph-aware detection, run for the access keys a batch touched: either side of the story
 * (the issuing AssumeRole or the use from outside) may arrive first.
 */
export function outsideEgressSignals(
  accessKeys: Iterable<string>,
  graph: GraphView,
  config: Config,
  /** The raw record behind an event id, when the batch has it: the signal's evidence. */
  evidenceOf: (eventId: string) => unknown,
): Signal[] {
  const signals: Signal[] = [];
  for (const keyNodeKey of accessKeys) {
    const keyNode = graph.get(keyNodeKey);
    if (!keyNode) continue;
    const session = workloadSessionOf(keyNode, graph);
    if (!session) continue;
    const accessKeyId = keyParts(keyNodeKey)[0]!;
    for (const target in keyNode.edges) {
      if (!target.startsWith('ip|')) continue;
      const ip = target.slice(3);
      if (isClusterEgress(ip, graph, config, keyParts(session.key)[0])) continue;
      const edge = keyNode.edges[target]!;
      const roleArn = String(session.attrs.roleArn?.value ?? '');
      signals.push({
        id: signalId(OUTSIDE_EGRESS_RULE.id, accessKeyId, ip),
        rule: OUTSIDE_EGRESS_RULE.id,
        title: OUTSIDE_EGRESS_RULE.title,
        source: 'cloudtrail',
        time: edge.first,
        eventId: edge.firstEventId,
        summary: `${String(session.attrs.via?.value)} session ${String(session.attrs.sessionName?.value ?? '')} of ${roleArn} used from ${ip}, outside the cluster's egress`,
        severity: 'high',
        objective: { ...OUTSIDE_EGRESS_RULE.objective },
        subject: { roleArn, accessKeyId, sourceIp: ip },
        evidence: evidenceOf(edge.firstEventId) ?? { eventId: edge.firstEventId },
        recheck: 'outside-egress',
      });
    }
  }
  return signals;
}

/** The session behind a key (through the credential it was derived from, for a derived key), when it is a workload's. */
function workloadSessionOf(keyNode: GraphNode, graph: GraphView) {
  const derivedFrom = keyNode.attrs[DERIVED_FROM]?.value;
  const sessions = typeof derivedFrom === 'string' ? [rootSessionOf(derivedFrom, graph)?.key ?? ''] : Object.keys(keyNode.edges);
  for (const target of sessions) {
    if (!target.startsWith('session|')) continue;
    const session = graph.get(target);
    if (isWorkloadSession(session, graph)) return session;
  }
  return undefined;
}
