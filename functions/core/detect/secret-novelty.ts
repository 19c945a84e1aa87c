import type { CloudTrailEvent, SecurityEvent } from '#core/model/event';
import { type Edge, type GraphNode, type GraphView, keyParts, nodeKey } from '#core/model/graph';
import type { Signal } from '#core/model/signal';
import { isWorkloadSession } from './outside-egress.ts';
import { signalId } from './rule.ts';
import { sanitize } from './actors.ts';
import { cloudTrailSubject } from './rules/cloudtrail/subject.ts';

/** A role's secrets baseline needs a day of history before a secret can be new to it. */
export const SECRET_LEARNING_MS = 24 * 3600_000;
/** A burst: more than BURST_MIN_SECRETS - 1 secrets new to the role, first read within this window. */
export const SECRET_BURST_WINDOW_MS = 10 * 60_000;
export const BURST_MIN_SECRETS = 6;

const OBJECTIVE = { tactic: 'Credential Access (TA0006)', technique: 'T1555.006 Cloud Secrets Management Stores' };

export const SECRET_BURST_RULE = {
  id: 'cloudtrail.secret-burst',
  title: 'Burst of secrets the role never read',
  description: `A workload's role does not read more than ${BURST_MIN_SECRETS - 1} secrets it never read within ${SECRET_BURST_WINDOW_MS / 60_000} minutes.`,
  objective: OBJECTIVE,
} as const;

export const OTHER_TEAM_SECRET_RULE = {
  id: 'cloudtrail.secret-other-team',
  title: "Another team's secret read",
  description: "A workload's role reads only secrets of its own team: its namespace, or the prefixes it read on its first day.",
  objective: OBJECTIVE,
} as const;

/**
 * Environment words that lead a secret's path without naming its owner: in `prod/payments/db`
 * the team is `payments`; in `payments/prod/db` it is `payments` too.
 */
const ENVIRONMENTS = new Set(['prod', 'production', 'prd', 'live', 'staging', 'stage', 'stg', 'preprod', 'uat', 'qa', 'test', 'dev', 'development', 'sandbox']);

/**
 * The team a secret's name says owns it: its first path segment, or the second when the first is
 * an environment. A flat name (`db-password`, `prod/db-password`) names no team and is never
 * called another team's.
 */
export function teamOfSecret(secretId: string): string | undefined {
  const name = secretId.slice(secretId.indexOf(':') + 1);
  const segments = name
    .split('/')
    .filter(Boolean)
    .map((segment) => segment.toLowerCase());
  const ownerAt = ENVIRONMENTS.has(segments[0] ?? '') ? 1 : 0;
  // The last segment is the secret itself: only a segment before it can name an owner.
  return ownerAt < segments.length - 1 ? segments[ownerAt] : undefined;
}

/** `payments` owns namespace `payments` and `payments-api`, and the other way round. */
function sameTeam(team: string, owner: string): boolean {
  const a = team.toLowerCase();
  const b = owner.toLowerCase();
  return a === b || a.startsWith(`${b}-`) || b.startsWith(`${a}-`);
}

/**
 * Graph-aware detection, run for the secrets baselines a batch taught something: a workload's
 * role reading, within minutes, many secrets it never read (a burst), or a secret of another
 * team. Both wait until the role has a day of history: a new role reads everything for the first
 * time, and what its team's secrets look like is learned on that day. `eventOf` is the batch's
 * record behind an event id; a signal is raised only from records in the batch, which name the
 * session (and through it the pod) that read.
 */
export function secretNoveltySignals(baselines: Iterable<string>, graph: GraphView, eventOf: (eventId: string) => SecurityEvent | undefined): Signal[] {
  const signals: Signal[] = [];
  for (const key of baselines) {
    const baseline = graph.get(key);
    const [accountId, roleName] = keyParts(key);
    if (!baseline || !accountId || !roleName) continue;
    const learnedBy = knownSince(baseline, graph.get(nodeKey.roleBaseline(accountId, roleName))) + SECRET_LEARNING_MS;
    const fresh = Object.entries(baseline.edges)
      .filter(([, edge]) => edge.first >= learnedBy)
      .sort(([a, x], [b, y]) => x.first - y.first || (a < b ? -1 : 1));
    if (fresh.length === 0) continue;
    const readerOf = (edge: Edge) => workloadRead(eventOf(edge.firstEventId), graph);
    const burst = burstOf(fresh, (edge) => eventOf(edge.firstEventId) !== undefined);
    if (burst) {
      const reader = burst
        .map(([, edge]) => readerOf(edge))
        .filter((read) => read !== undefined)
        .pop();
      if (reader) signals.push(burstSignal(reader, burst));
    }
    const usualTeams = new Set<string>();
    for (const target in baseline.edges) {
      const team = baseline.edges[target]!.first < learnedBy ? teamOfSecret(target.slice('secret|'.length)) : undefined;
      if (team) usualTeams.add(team);
    }
    for (const [target, edge] of fresh) {
      const secret = target.slice('secret|'.length);
      const team = teamOfSecret(secret);
      if (!team || [...usualTeams].some((usual) => sameTeam(team, usual))) continue;
      const reader = readerOf(edge);
      if (!reader || reader.namespaces.some((namespace) => sameTeam(team, namespace))) continue;
      signals.push(otherTeamSignal(reader, secret, team, edge));
    }
  }
  return signals;
}

/** The earliest first sight in a role's baselines: when pivotguard started knowing the role. */
function knownSince(...baselines: (GraphNode | undefined)[]): number {
  let start = Number.POSITIVE_INFINITY;
  for (const baseline of baselines) for (const target in baseline?.edges ?? {}) start = Math.min(start, baseline!.edges[target]!.first);
  return start;
}

/**
 * The earliest window of SECRET_BURST_WINDOW_MS that holds at least BURST_MIN_SECRETS fresh
 * secrets, one of them read in this batch (an older burst was reported by its own batch), whole.
 */
function burstOf(fresh: [string, Edge][], inBatch: (edge: Edge) => boolean): [string, Edge][] | undefined {
  let end = 0;
  for (let start = 0; start < fresh.length; start++) {
    while (end < fresh.length && fresh[end]![1].first - fresh[start]![1].first < SECRET_BURST_WINDOW_MS) end++;
    const window = fresh.slice(start, end);
    if (window.length >= BURST_MIN_SECRETS && window.some(([, edge]) => inBatch(edge))) return window;
  }
  return undefined;
}

interface WorkloadRead {
  event: CloudTrailEvent;
  /** Namespaces of the pods the reading session was issued to, when the graph knows them. */
  namespaces: string[];
}

/** The record of a read by a pod's or node's session; undefined for anyone else's (people, CI). */
function workloadRead(event: SecurityEvent | undefined, graph: GraphView): WorkloadRead | undefined {
  if (event?.source !== 'cloudtrail' || !event.identity.accessKeyId) return undefined;
  const sessions = Object.keys(graph.get(nodeKey.accessKey(event.identity.accessKeyId))?.edges ?? {}).filter((target) => target.startsWith('session|'));
  const workload = sessions.map((session) => graph.get(session)).filter((session) => isWorkloadSession(session, graph));
  if (workload.length === 0) return undefined;
  const namespaces = new Set<string>();
  for (const session of workload) {
    for (const target in session!.edges) {
      // webidentity|account|role|namespace|sa and pod|cluster|namespace|name
      if (target.startsWith('webidentity|')) namespaces.add(keyParts(target)[2]!);
      else if (target.startsWith('pod|')) namespaces.add(keyParts(target)[1]!);
    }
  }
  return { event, namespaces: [...namespaces] };
}

function burstSignal(reader: WorkloadRead, burst: [string, Edge][]): Signal {
  const [firstTarget, first] = burst[0]!;
  const names = burst.map(([target]) => sanitize(target.slice('secret|'.length), 60));
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
  // The burst's first secret and role fix its id: later reads of the same burst update this signal.
  return secretSignal(
    SECRET_BURST_RULE,
    reader,
    firstTarget,
    first,
    `read ${burst.length} secrets its role never read within ${SECRET_BURST_WINDOW_MS / 60_000} minutes: ${shown}`,
  );
}

function otherTeamSignal(reader: WorkloadRead, secret: string, team: string, edge: Edge): Signal {
  const { namespaces } = reader;
  const own = namespaces.length > 0 ? ` (namespace ${namespaces.map((namespace) => sanitize(namespace, 63)).join(', ')})` : '';
  return secretSignal(OTHER_TEAM_SECRET_RULE, reader, secret, edge, `read ${sanitize(secret, 120)}, a secret of team ${sanitize(team, 63)} it never read`, own);
}

/** A medium signal on the reading session, at the first sight of the secret that fixes its id. */
function secretSignal(
  rule: typeof SECRET_BURST_RULE | typeof OTHER_TEAM_SECRET_RULE,
  { event }: WorkloadRead,
  idPart: string,
  edge: Edge,
  what: string,
  reader = '',
): Signal {
  return {
    id: signalId(rule.id, event.identity.roleArn ?? '', idPart),
    rule: rule.id,
    title: rule.title,
    source: 'cloudtrail',
    time: edge.first,
    eventId: edge.firstEventId,
    summary: `${sanitize(event.identity.arn ?? event.identity.roleArn ?? '', 120)}${reader} ${what}`,
    severity: 'medium',
    objective: { ...rule.objective },
    subject: cloudTrailSubject(event),
    evidence: event.raw,
  };
}
