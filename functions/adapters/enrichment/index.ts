import type { Incident } from '#core/model/incident';
import type { ClusterDetails, ClusterFacts } from './cluster-details.ts';
import type { ImageReference, ImageVulnerabilities } from './image-vulnerabilities.ts';
import type { RolePolicies } from './role-policies.ts';
import type { SessionBackfill } from './session-backfill.ts';

export type { ClusterDetails, ClusterFacts } from './cluster-details.ts';
export type { RolePolicies } from './role-policies.ts';
export type { SessionBackfill } from './session-backfill.ts';
export type { ImageReference, ImageVulnerabilities } from './image-vulnerabilities.ts';
// The AWS implementations are imported from their own files: the analyzer loads their SDK clients only when it first alerts.

/** What the analyzer may look up about the incidents it alerts on; each part is optional. */
export interface Enrichment {
  rolePolicies?: RolePolicies;
  clusterDetails?: ClusterDetails;
  sessionBackfill?: SessionBackfill;
  imageVulnerabilities?: ImageVulnerabilities;
}

export interface EnrichedIncident {
  incident: Incident;
  /** Lookups that failed, for the log; the incident says so in its notes too. */
  problems: string[];
}

/** The note correlate writes when nobody has read the roles' policies yet. */
const UNREAD_POLICIES_NOTE = /may do is read from IAM by the deployed stack/;

/**
 * The same lookups, asked at most once per role, cluster, service account or access key: make
 * one per batch, so that incidents sharing a role cost one IAM call and nothing goes stale
 * between batches. A failed lookup is remembered too: it is not retried for every incident.
 */
export function forBatch(enrichment: Enrichment): Enrichment {
  const { rolePolicies, clusterDetails, sessionBackfill, imageVulnerabilities } = enrichment;
  return {
    rolePolicies: rolePolicies && {
      policiesOf: once(
        (roleArn: string) => rolePolicies.policiesOf(roleArn),
        (roleArn) => roleArn,
      ),
    },
    clusterDetails: clusterDetails && {
      describe: once(
        (cluster: string) => clusterDetails.describe(cluster),
        (cluster) => cluster,
      ),
      podIdentityRoles: once(
        (cluster: string, namespace: string, serviceAccount: string) => clusterDetails.podIdentityRoles(cluster, namespace, serviceAccount),
        (cluster, namespace, serviceAccount) => `${cluster}/${namespace}/${serviceAccount}`,
      ),
    },
    sessionBackfill: sessionBackfill && {
      recentCalls: once(
        (accessKeyId: string, window: { from: Date; to: Date }) => sessionBackfill.recentCalls(accessKeyId, window),
        (accessKeyId) => accessKeyId,
      ),
    },
    imageVulnerabilities: imageVulnerabilities && {
      scansOf: once(
        (image: ImageReference) => imageVulnerabilities.scansOf(image),
        (image) => image.digest,
      ),
    },
  };
}

/**
 * Fills the blast radius from AWS: the linked roles' policies (and roles EKS Pod Identity gives
 * the service account that the graph has not seen in use), and whether the cluster's API is
 * reachable from the internet. Never fails: a lookup that cannot be made becomes a note.
 */
export async function enrichIncident(incident: Incident, enrichment: Enrichment): Promise<EnrichedIncident> {
  const problems: string[] = [];
  const notes: string[] = [];
  const roleArns = [...new Set(incident.identities.map((identity) => identity.roleArn))];
  const { rolePolicies, clusterDetails } = enrichment;
  const { cluster, namespace, serviceAccount } = incident.workload;

  if (clusterDetails && cluster) {
    const facts = await attempt(() => clusterDetails.describe(cluster));
    if (facts.ok) {
      const note = publicEndpointNote(facts.value);
      if (note) notes.push(note);
    } else {
      problems.push(`describe cluster ${cluster}: ${facts.reason}`);
    }
    if (namespace && serviceAccount) {
      const roles = await attempt(() => clusterDetails.podIdentityRoles(cluster, namespace, serviceAccount));
      if (roles.ok) {
        for (const roleArn of roles.value) {
          if (roleArns.includes(roleArn)) continue;
          roleArns.push(roleArn);
          notes.push(`Service account ${namespace}/${serviceAccount} can also get role ${roleName(roleArn)} through EKS Pod Identity.`);
        }
      } else {
        problems.push(`list pod identity associations of ${cluster}/${namespace}/${serviceAccount}: ${roles.reason}`);
      }
    }
  }

  const rolePermissions = [...incident.blastRadius.rolePermissions];
  if (rolePolicies) {
    const known = new Set(rolePermissions.map((entry) => entry.roleArn));
    const results = await Promise.all(
      roleArns.filter((roleArn) => !known.has(roleArn)).map(async (roleArn) => ({ roleArn, result: await attempt(() => rolePolicies.policiesOf(roleArn)) })),
    );
    for (const { roleArn, result } of results) {
      if (result.ok) {
        rolePermissions.push({ roleArn, policies: result.value });
      } else {
        problems.push(`read policies of ${roleArn}: ${result.reason}`);
        notes.push(`What role ${roleName(roleArn)} may do could not be read from IAM (${result.reason}).`);
      }
    }
  }

  // Once the stack has tried IAM, the local-replay placeholder says something untrue.
  const kept = rolePolicies ? incident.blastRadius.notes.filter((note) => !UNREAD_POLICIES_NOTE.test(note)) : incident.blastRadius.notes;
  return {
    incident: { ...incident, blastRadius: { ...incident.blastRadius, rolePermissions, notes: [...kept, ...notes] } },
    problems,
  };
}

/**
 * Access keys whose recent calls are worth looking up: those of pod-side incidents that have a
 * linked role but no cloud signal yet. At most `limit`, as CloudTrail lookups are rate limited.
 */
export function accessKeysToBackfill(incidents: readonly Incident[], limit: number): string[] {
  const keys = new Set<string>();
  for (const incident of incidents) {
    if (!incident.workload.pod) continue;
    if (incident.signals.some((signal) => signal.source === 'cloudtrail')) continue;
    for (const identity of incident.identities) for (const key of identity.accessKeyIds) keys.add(key);
  }
  return [...keys].slice(0, limit);
}

function publicEndpointNote(facts: ClusterFacts): string | undefined {
  if (!facts.endpointPublicAccess) return undefined;
  const cidrs = facts.publicAccessCidrs.length > 0 ? facts.publicAccessCidrs : ['0.0.0.0/0'];
  const open = cidrs.some((cidr) => cidr === '0.0.0.0/0' || cidr === '::/0');
  return open
    ? `The Kubernetes API of ${facts.name} is reachable from the whole internet: a stolen service-account token works from anywhere.`
    : `The Kubernetes API of ${facts.name} is reachable from the internet from ${cidrs.slice(0, 5).join(', ')}.`;
}

function roleName(roleArn: string): string {
  return roleArn.split('/').pop() ?? roleArn;
}

type Attempt<T> = { ok: true; value: T } | { ok: false; reason: string };

async function attempt<T>(lookup: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await lookup() };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? (error.name === 'Error' ? error.message : error.name) : String(error) };
  }
}

function once<A extends unknown[], R>(lookup: (...args: A) => Promise<R>, keyOf: (...args: A) => string): (...args: A) => Promise<R> {
  const answers = new Map<string, Promise<R>>();
  return (...args: A) => {
    const key = keyOf(...args);
    let answer = answers.get(key);
    if (!answer) {
      answer = lookup(...args);
      answers.set(key, answer);
    }
    return answer;
  };
}
