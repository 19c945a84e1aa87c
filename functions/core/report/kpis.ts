import type { Suppression } from '#core/config';
import type { ContainmentAction, Incident } from '#core/model/incident';
import type { Severity } from '#core/model/signal';
import type { IncidentResponse, IncidentStatus } from '#core/respond/response';
import { topVulnerablePackage } from '#core/view/rebuild-words';
import { weeksOverlapping } from './calendar.ts';
import { ACTION_WORDS } from './format.ts';
import { closingChange, statusAt } from './lifecycle.ts';
import { type DurationStats, durationStats, rate } from './stats.ts';

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;
/** How far ahead a suppression's expiry is worth a reminder. */
export const EXPIRY_WINDOW_MS = 14 * DAY_MS;
/** An incident unresolved for longer than this is called out. */
export const LONG_OPEN_MS = 24 * HOUR_MS;
const TOP = 5;

export interface KpiInput {
  incidents: readonly Incident[];
  responses: readonly IncidentResponse[];
  suppressions: readonly Suppression[];
  from: Date;
  to: Date;
  now: Date;
}

export interface WeekVolume {
  week: string;
  monday: string;
  /** Counted only inside the period, so the first and last weeks may be partial. */
  incidents: number;
  alerts: number;
}

export interface RuleKpi {
  rule: string;
  title: string;
  incidents: number;
  falsePositives: number;
  falsePositiveRate: number | null;
}

export interface Ranked {
  name: string;
  incidents: number;
  /** For an image counted by digest: its name and tag. */
  detail?: string;
}

/** The root cause of incidents without image data. */
export const UNKNOWN_ROOT_CAUSE = 'unknown';

/** Incidents grouped by the vulnerability behind them: the image's top finding and the image it is in. */
export interface VulnerableRootCause {
  /** package@installedVersion of the incident's top finding; `no finding` for a scanned image with none, `not scanned`, or `unknown` without image data. */
  package: string;
  /** repository@digest, or the digest alone; `unknown` without image data. */
  image: string;
  incidents: number;
}

export interface ExpiringSuppression {
  scope: { rule?: string; namespace?: string; serviceAccount?: string; image?: string; roleArn?: string };
  owner: string;
  reason: string;
  expires: string;
  expired: boolean;
  /** Negative once expired. */
  expiresInMs: number;
}

export interface ActionKpi {
  action: ContainmentAction;
  applied: number;
  /** Found already in place: nothing was changed. */
  alreadyApplied: number;
  dryRun: number;
  failed: number;
  skipped: number;
  undone: number;
}

/**
 * Incident metrics cover incidents opened in the period; alerts, actions and undos count what
 * happened in the period, whenever their incident opened. Durations are milliseconds.
 */
export interface Kpis {
  period: { from: string; to: string; now: string };
  incidents: {
    opened: number;
    bySeverity: Record<Severity, number>;
    byStatus: Record<IncidentStatus, number>;
    /** Incidents with no response record: their open time is taken from firstSeen. */
    withoutResponse: number;
  };
  alertsSent: number;
  weeks: WeekVolume[];
  detection: {
    /** openedAt - firstSeen. */
    timeToDetect: DurationStats;
    /** firstRecordReceivedAt - firstSeen: the source's own delay. */
    deliveryLag: DurationStats;
    /** openedAt - firstRecordReceivedAt: pivotguard's share. */
    processing: DurationStats;
    withReceiptTime: number;
  };
  containment: {
    timeToFirstContainment: DurationStats;
    notContained: number;
  };
  resolution: {
    timeToResolve: DurationStats;
    timeToDismiss: DurationStats;
    /** Open or contained: neither resolved nor dismissed, so left out of the means above. */
    unresolved: number;
    oldestUnresolvedAgeMs: number | null;
    unresolvedOver24h: number;
  };
  /** Dismissed as false positive, of the incidents opened. */
  falsePositiveRate: number | null;
  rules: RuleKpi[];
  suppressions: { suppressedSignals: number; expiring: ExpiringSuppression[] };
  actions: ActionKpi[];
  rootCauses: { vulnerabilities: VulnerableRootCause[]; rules: Ranked[]; images: Ranked[]; namespaces: Ranked[]; roles: Ranked[] };
}

const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];
const STATUSES: IncidentStatus[] = ['open', 'contained', 'resolved', 'false-positive'];

interface Entry {
  incident: Incident;
  response: IncidentResponse | undefined;
  opened: number;
  status: IncidentStatus;
}

export function computeKpis(input: KpiInput): Kpis {
  const from = input.from.getTime();
  const to = input.to.getTime();
  const now = input.now.getTime();
  const inPeriod = (time: number) => time >= from && time < to;
  const responses = new Map(input.responses.map((response) => [response.incidentId, response]));

  const entries: Entry[] = [];
  for (const incident of input.incidents) {
    const response = responses.get(incident.id);
    const opened = Date.parse(response?.openedAt ?? incident.firstSeen);
    if (inPeriod(opened)) entries.push({ incident, response, opened, status: statusAt(response, now) });
  }
  const alertTimes = input.responses.flatMap((response) => response.alerts.map((alert) => Date.parse(alert.at))).filter(inPeriod);

  return {
    period: { from: input.from.toISOString(), to: input.to.toISOString(), now: input.now.toISOString() },
    incidents: {
      opened: entries.length,
      bySeverity: tally(
        SEVERITIES,
        entries.map((entry) => entry.incident.severity),
      ),
      byStatus: tally(
        STATUSES,
        entries.map((entry) => entry.status),
      ),
      withoutResponse: entries.filter((entry) => !entry.response).length,
    },
    alertsSent: alertTimes.length,
    weeks: weeksOverlapping({ from: input.from, to: input.to }).map((week) => {
      const inWeek = (time: number) => time >= week.start && time < week.end;
      return {
        week: week.week,
        monday: week.monday,
        incidents: entries.filter((entry) => inWeek(entry.opened)).length,
        alerts: alertTimes.filter(inWeek).length,
      };
    }),
    detection: detection(entries),
    containment: containment(entries),
    resolution: resolution(entries, now),
    falsePositiveRate: rate(entries.filter((entry) => entry.status === 'false-positive').length, entries.length),
    rules: rules(entries),
    suppressions: {
      suppressedSignals: entries.reduce((sum, entry) => sum + entry.incident.suppressedSignals, 0),
      expiring: expiring(input.suppressions, now),
    },
    actions: actions(input.responses, (iso) => inPeriod(Date.parse(iso))),
    rootCauses: {
      vulnerabilities: vulnerabilities(entries),
      rules: rank(entries.map((entry) => entry.incident.signals.map((signal) => signal.rule))),
      images: images(entries),
      namespaces: rank(entries.map(({ incident }) => [incident.workload.namespace])),
      roles: rank(entries.map(({ incident }) => incident.identities.map((identity) => identity.roleArn))),
    },
  };
}

function tally<K extends string>(keys: readonly K[], values: readonly K[]): Record<K, number> {
  const counts = Object.fromEntries(keys.map((key) => [key, 0])) as Record<K, number>;
  for (const value of values) counts[value] += 1;
  return counts;
}

function detection(entries: readonly Entry[]): Kpis['detection'] {
  // Without a response there is no recorded open time, so nothing to measure.
  const recorded = entries.filter((entry) => entry.response);
  const received = recorded
    .map((entry) => ({ entry, received: Date.parse(entry.response!.firstRecordReceivedAt ?? '') }))
    .filter(({ received }) => Number.isFinite(received));
  return {
    timeToDetect: durationStats(recorded.map((entry) => entry.opened - Date.parse(entry.incident.firstSeen))),
    deliveryLag: durationStats(received.map(({ entry, received }) => received - Date.parse(entry.incident.firstSeen))),
    processing: durationStats(received.map(({ entry, received }) => entry.opened - received)),
    withReceiptTime: received.length,
  };
}

function containment(entries: readonly Entry[]): Kpis['containment'] {
  const contained = entries.map((entry) => Date.parse(entry.response?.firstContainedAt ?? '') - entry.opened).filter(Number.isFinite);
  return { timeToFirstContainment: durationStats(contained), notContained: entries.length - contained.length };
}

function resolution(entries: readonly Entry[], now: number): Kpis['resolution'] {
  const closedAfter = (status: IncidentStatus) =>
    entries.flatMap((entry) => {
      const change = entry.status === status ? closingChange(entry.response, now) : undefined;
      return change ? [Date.parse(change.at) - entry.opened] : [];
    });
  const ages = entries.filter((entry) => entry.status === 'open' || entry.status === 'contained').map((entry) => now - entry.opened);
  return {
    timeToResolve: durationStats(closedAfter('resolved')),
    timeToDismiss: durationStats(closedAfter('false-positive')),
    unresolved: ages.length,
    oldestUnresolvedAgeMs: ages.length > 0 ? Math.max(...ages) : null,
    unresolvedOver24h: ages.filter((age) => age > LONG_OPEN_MS).length,
  };
}

function rules(entries: readonly Entry[]): RuleKpi[] {
  const byRule = new Map<string, RuleKpi>();
  for (const entry of entries) {
    // Once per incident, however many times the rule fired in it.
    const titles = new Map<string, string>();
    for (const signal of entry.incident.signals) if (!titles.has(signal.rule)) titles.set(signal.rule, signal.title);
    for (const [rule, title] of titles) {
      const kpi = byRule.get(rule) ?? { rule, title, incidents: 0, falsePositives: 0, falsePositiveRate: null };
      byRule.set(rule, kpi);
      kpi.incidents += 1;
      if (entry.status === 'false-positive') kpi.falsePositives += 1;
    }
  }
  return [...byRule.values()]
    .map((kpi) => ({ ...kpi, falsePositiveRate: rate(kpi.falsePositives, kpi.incidents) }))
    .sort((a, b) => b.incidents - a.incidents || a.rule.localeCompare(b.rule));
}

/** Names by how many incidents mention them (once per incident), most first. */
function rank(perIncident: readonly (readonly (string | null | undefined)[])[]): Ranked[] {
  const counts = new Map<string, number>();
  for (const names of perIncident) {
    for (const name of new Set(names)) if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts]
    .map(([name, incidents]) => ({ name, incidents }))
    .sort((a, b) => b.incidents - a.incidents || a.name.localeCompare(b.name))
    .slice(0, TOP);
}

/** By digest where known (a tag can be re-pushed), named by the image it was pulled as. */
function images(entries: readonly Entry[]): Ranked[] {
  const names = new Map<string, string>();
  for (const { incident } of entries) {
    const { image, imageDigest } = incident.workload;
    if (imageDigest && image) names.set(imageDigest, image);
  }
  return rank(entries.map(({ incident }) => [incident.workload.imageDigest ?? incident.workload.image])).map((entry) =>
    names.has(entry.name) ? { ...entry, detail: names.get(entry.name)! } : entry,
  );
}

/** The same vulnerable package in the same image, once per incident, most incidents first; incidents without image data are one `unknown` group. */
function vulnerabilities(entries: readonly Entry[]): VulnerableRootCause[] {
  const groups = new Map<string, VulnerableRootCause>();
  for (const { incident } of entries) {
    const { image } = incident;
    const cause = image
      ? {
          package: topVulnerablePackage(image) ?? (image.scanned ? 'no finding' : 'not scanned'),
          image: image.repository ? `${image.repository}@${image.digest}` : image.digest,
        }
      : { package: UNKNOWN_ROOT_CAUSE, image: UNKNOWN_ROOT_CAUSE };
    const key = `${cause.package}|${cause.image}`;
    const group = groups.get(key) ?? { ...cause, incidents: 0 };
    groups.set(key, group);
    group.incidents += 1;
  }
  return [...groups.values()].sort((a, b) => b.incidents - a.incidents || a.package.localeCompare(b.package) || a.image.localeCompare(b.image)).slice(0, TOP);
}

function expiring(suppressions: readonly Suppression[], now: number): ExpiringSuppression[] {
  return suppressions
    .filter((suppression) => suppression.expires.getTime() - now <= EXPIRY_WINDOW_MS)
    .sort((a, b) => a.expires.getTime() - b.expires.getTime())
    .map((suppression) => {
      const { rule, namespace, serviceAccount, image, roleArn } = suppression;
      const scope = Object.fromEntries(Object.entries({ rule, namespace, serviceAccount, image, roleArn }).filter(([, value]) => value));
      const expiresInMs = suppression.expires.getTime() - now;
      return {
        scope,
        owner: suppression.owner,
        reason: suppression.reason,
        expires: suppression.expires.toISOString(),
        expired: expiresInMs <= 0,
        expiresInMs,
      };
    });
}

function actions(responses: readonly IncidentResponse[], inPeriod: (iso: string) => boolean): ActionKpi[] {
  const byAction = new Map<ContainmentAction, ActionKpi>();
  const kpi = (action: ContainmentAction) => {
    const found = byAction.get(action) ?? { action, applied: 0, alreadyApplied: 0, dryRun: 0, failed: 0, skipped: 0, undone: 0 };
    byAction.set(action, found);
    return found;
  };
  const field = { applied: 'applied', 'already-applied': 'alreadyApplied', 'dry-run': 'dryRun', failed: 'failed', skipped: 'skipped' } as const;
  for (const response of responses) {
    for (const record of response.actions) if (inPeriod(record.startedAt)) kpi(record.action)[field[record.result]] += 1;
    for (const record of response.undone) if (record.result === 'undone' && inPeriod(record.at)) kpi(record.action).undone += 1;
  }
  const order = Object.keys(ACTION_WORDS);
  return [...byAction.values()].sort((a, b) => order.indexOf(a.action) - order.indexOf(b.action));
}
