/**
 * The image behind an incident, in words every rendering shares: its one-line sentence (the
 * confidence line and the manager's narrative), when it was pushed, rolled out and flagged, the
 * vulnerabilities that matter for this attack first, where else it runs, and what admission said.
 */
import type { IncidentImage, VulnerabilitySeverity } from '#core/model/vulnerability';
import { type Labelled, commaList, labelled, plural, printable } from './words.ts';

export type AdmissionOutcome = IncidentImage['admission']['outcome'];

export interface ImageView {
  digest: string;
  /** "sha256:7c7c7c7c7c7c": enough to tell digests apart in a sentence. */
  shortDigest: string;
  repository: string | null;
  scanned: boolean;
  /** One line: the vulnerability that matters first, or that none critical or high is known, or that the image was never scanned. */
  sentence: string;
  /** "Pushed Friday 20 Nov 14:02 UTC, rolled out to production 14:09, flagged critical by Inspector 16:40, after the rollout." */
  timeline: string | null;
  vulnerabilities: VulnerabilityView[];
  /** "6 more: 6 low", when findings were left out of the list. */
  more: string | null;
  /** Production first, as the incident lists them. */
  runsElsewhere: { pod: string; production: boolean; text: string }[];
  /** "sha256:3e3e3e3e3e3e (checkout): openssl 3.0.1" */
  samePackageDigests: string[];
  admission: Labelled<AdmissionOutcome> & { details: string[]; sentence: string };
}

export interface VulnerabilityView {
  id: string;
  packageName: string;
  installedVersion: string;
  fixedVersion: string | null;
  severity: Labelled<VulnerabilitySeverity>;
  inspectorScore: number | null;
  /** Why it is listed first, codes kept beside their words: network, exploit, critical, high, process-package. */
  whyFirst: Labelled<string>[];
  firstObservedAt: string;
  flagged: 'before-rollout' | 'after-rollout' | null;
  /** "CVE-2024-1111 in openssl 3.0.1 → 3.0.7: critical, Inspector score 9.1, network-reachable, exploit available; first observed Friday 20 Nov 16:40 UTC, after the rollout" */
  line: string;
}

const SEVERITY_WORDS: Record<VulnerabilitySeverity, string> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MEDIUM: 'medium',
  LOW: 'low',
  INFORMATIONAL: 'informational',
  UNTRIAGED: 'untriaged',
};

export const WHY_FIRST_LABELS: Record<string, string> = {
  network: 'network-reachable',
  exploit: 'exploit available',
  critical: 'critical',
  high: 'high',
  'process-package': 'loaded by the process that misbehaved',
};

export const ADMISSION_LABELS: Record<AdmissionOutcome, string> = {
  passed: 'passed admission policy',
  warned: 'admitted with policy warnings',
  'not-checked': 'not checked by any admission policy',
};

const SOURCE_WORDS = { inspector: 'Inspector', 'ecr-basic-scan': 'ECR basic scanning' } as const;
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function imageViewOf(image: IncidentImage): ImageView {
  const vulnerabilities = image.vulnerabilities.map((vulnerability) => vulnerabilityViewOf(vulnerability));
  const admission = image.admission;
  const details = admission.details.map(printable);
  return {
    digest: printable(image.digest),
    shortDigest: shortDigest(image.digest),
    repository: image.repository ? printable(image.repository) : null,
    scanned: image.scanned,
    sentence: sentenceOf(image, vulnerabilities),
    timeline: timelineOf(image),
    vulnerabilities,
    more: moreOf(image.moreBySeverity),
    runsElsewhere: image.runsElsewhere.map((entry) => {
      const pod = printable(`${entry.cluster}/${entry.namespace}/${entry.pod}`);
      return { pod, production: entry.production, text: entry.production ? `${pod} (production)` : pod };
    }),
    samePackageDigests: image.samePackageDigests.map(
      (entry) => `${shortDigest(entry.digest)}${entry.repository ? ` (${printable(entry.repository)})` : ''}: ${printable(entry.packages.join(', '))}`,
    ),
    admission: { ...labelled(admission.outcome, ADMISSION_LABELS), details, sentence: admissionSentence(admission.outcome, details) },
  };
}

function vulnerabilityViewOf(vulnerability: IncidentImage['vulnerabilities'][number]): VulnerabilityView {
  const id = printable(vulnerability.id);
  const packageName = printable(vulnerability.packageName);
  const installedVersion = printable(vulnerability.installedVersion);
  const fixedVersion = vulnerability.fixedVersion ? printable(vulnerability.fixedVersion) : null;
  const whyFirst = vulnerability.whyFirst.map((code) => labelled(code, WHY_FIRST_LABELS));
  const qualities = [
    SEVERITY_WORDS[vulnerability.severity],
    ...(vulnerability.inspectorScore !== undefined ? [`${SOURCE_WORDS[vulnerability.source]} score ${vulnerability.inspectorScore}`] : []),
    ...whyFirst.filter((reason) => reason.code !== 'critical' && reason.code !== 'high').map((reason) => reason.label),
  ];
  const observed = Number.isNaN(Date.parse(vulnerability.firstObservedAt)) ? '' : `; first observed ${dayTime(vulnerability.firstObservedAt)} UTC`;
  const flagged = vulnerability.flagged ? `, ${vulnerability.flagged === 'after-rollout' ? 'after' : 'before'} the rollout` : '';
  return {
    id,
    packageName,
    installedVersion,
    fixedVersion,
    severity: labelled(vulnerability.severity, SEVERITY_WORDS),
    inspectorScore: vulnerability.inspectorScore ?? null,
    whyFirst,
    firstObservedAt: vulnerability.firstObservedAt,
    flagged: vulnerability.flagged ?? null,
    line: `${id} in ${packageName} ${installedVersion} → ${fixedVersion ?? 'no fix yet'}: ${qualities.join(', ')}${observed}${flagged}`,
  };
}

/**
 * "The image carries CVE-2024-1111 (critical, network-reachable, exploit available) in openssl
 * 3.0.1, fixed in 3.0.7." Only a critical or high finding is named: anything less is said to be so.
 */
function sentenceOf(image: IncidentImage, vulnerabilities: VulnerabilityView[]): string {
  if (!image.scanned) return 'The image was not scanned: no Inspector or ECR scan result is known for its digest.';
  const serious = vulnerabilities.filter((vulnerability) => vulnerability.severity.code === 'CRITICAL' || vulnerability.severity.code === 'HIGH');
  const top = serious[0];
  if (!top) {
    const counts = severityCounts([...vulnerabilities.map((vulnerability) => vulnerability.severity.code)], image.moreBySeverity);
    return `No critical or high vulnerability is known for this image (${counts || 'scanned, no findings'}).`;
  }
  const qualities = [
    top.severity.label,
    ...top.whyFirst.filter((reason) => reason.code !== 'critical' && reason.code !== 'high').map((reason) => reason.label),
  ];
  const fix = top.fixedVersion ? `fixed in ${top.fixedVersion}` : 'no fixed version yet';
  const others = serious.length - 1 + (image.moreBySeverity.CRITICAL ?? 0) + (image.moreBySeverity.HIGH ?? 0);
  const more = others > 0 ? `, and ${plural(others, 'more critical or high finding')}` : '';
  return `The image carries ${top.id} (${qualities.join(', ')}) in ${top.packageName} ${top.installedVersion}, ${fix}${more}.`;
}

/** Pushed, rolled out, and when the finding that matters first was flagged: a time repeats its day only when the day changes. */
function timelineOf(image: IncidentImage): string | null {
  const top =
    image.vulnerabilities.find((vulnerability) => vulnerability.severity === 'CRITICAL' || vulnerability.severity === 'HIGH') ?? image.vulnerabilities[0];
  const events: { verb: string; at: string; after?: string }[] = [];
  if (image.pushedAt) events.push({ verb: 'pushed', at: image.pushedAt });
  if (image.rolledOutAt) events.push({ verb: image.production ? 'rolled out to production' : 'rolled out', at: image.rolledOutAt });
  if (top && !Number.isNaN(Date.parse(top.firstObservedAt))) {
    const flagged = top.flagged ? `, ${top.flagged === 'after-rollout' ? 'after' : 'before'} the rollout` : '';
    events.push({ verb: `flagged ${SEVERITY_WORDS[top.severity]} by ${SOURCE_WORDS[top.source]}`, at: top.firstObservedAt, after: flagged });
  }
  const valid = events.filter((event) => !Number.isNaN(Date.parse(event.at)));
  if (valid.length === 0) return null;
  let previousDay = '';
  const parts = valid.map((event, index) => {
    const day = event.at.slice(0, 10);
    const when = day === previousDay ? hourMinute(event.at) : `${dayTime(event.at)}${index === 0 ? ' UTC' : ''}`;
    previousDay = day;
    return `${event.verb} ${when}${event.after ?? ''}`;
  });
  const text = parts.join(', ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function admissionSentence(outcome: AdmissionOutcome, details: string[]): string {
  if (outcome === 'passed') return `The rollout passed admission policy${details[0] ? ` (${details[0]})` : ''}.`;
  if (outcome === 'warned') return `Admission policy warned about the rollout and let it through${details[0] ? `: ${details[0]}` : ''}.`;
  return `No admission policy is known to have checked the rollout${details[0] ? ` (${details[0]})` : ''}.`;
}

function moreOf(more: IncidentImage['moreBySeverity']): string | null {
  const total = Object.values(more).reduce((sum, count) => sum + (count ?? 0), 0);
  return total > 0 ? `${total} more: ${severityCounts([], more)}` : null;
}

/** "1 critical, 3 low": listed findings and the ones left out, most severe first. */
function severityCounts(listed: VulnerabilitySeverity[], more: IncidentImage['moreBySeverity']): string {
  const order = Object.keys(SEVERITY_WORDS) as VulnerabilitySeverity[];
  return commaList(
    order
      .map((severity) => [severity, listed.filter((entry) => entry === severity).length + (more[severity] ?? 0)] as const)
      .filter(([, count]) => count > 0)
      .map(([severity, count]) => `${count} ${SEVERITY_WORDS[severity]}`),
  );
}

export function shortDigest(digest: string): string {
  return printable(digest.startsWith('sha256:') ? digest.slice(0, 19) : digest.slice(0, 12));
}

/** "Friday 20 Nov 14:02", in UTC. */
function dayTime(iso: string): string {
  const date = new Date(iso);
  return `${DAYS[date.getUTCDay()]} ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${hourMinute(iso)}`;
}

function hourMinute(iso: string): string {
  return new Date(iso).toISOString().slice(11, 16);
}
