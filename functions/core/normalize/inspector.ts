import { z } from 'zod';
import type { ImageScanEvent } from '#core/model/event';
import type { ImageVulnerability, VulnerabilitySeverity } from '#core/model/vulnerability';
import { eventTime } from './instant.ts';
import { RecordRejected, describeZodError, rejectTooDeep } from './rejection.ts';

/** The EventBridge detail-type of Amazon Inspector's findings (created, updated, closed). */
export const INSPECTOR_FINDING_DETAIL_TYPE = 'Inspector2 Finding';
/** The one Inspector finding type pivotguard reads: a vulnerable package (not network reachability or code findings). */
export const INSPECTOR_PACKAGE_FINDING = 'PACKAGE_VULNERABILITY';
/** The one Inspector resource type pivotguard reads: an ECR container image, by digest. */
export const INSPECTOR_ECR_IMAGE_RESOURCE = 'AWS_ECR_CONTAINER_IMAGE';

const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED'] as const satisfies readonly VulnerabilitySeverity[];
const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;
/** Ids and package names become graph keys, joined by `|`: nothing that could forge another key. */
const KEY_TEXT = /^[^|\p{Cc}]{1,256}$/u;

// Built on first use: findings are rare, and a Lambda's import stays shorter without it.
let findingSchema: ReturnType<typeof buildFindingSchema> | undefined;

/** An instant as Inspector's exports write it: text (ISO or EventBridge's own layouts) or epoch seconds (CLI v1). */
export const instantValue = z.union([z.string(), z.number()]);

function buildFindingSchema() {
  return z.object({
    findingArn: z.string().min(1),
    type: z.string().min(1),
    severity: z.enum(SEVERITIES),
    status: z.string().min(1),
    firstObservedAt: instantValue,
    lastObservedAt: instantValue.optional(),
    updatedAt: instantValue.optional(),
    inspectorScore: z.number().min(0).max(10).optional(),
    inspectorScoreDetails: z.object({ adjustedCvss: z.object({ scoringVector: z.string().optional() }).nullish() }).nullish(),
    exploitAvailable: z.string().optional(),
    resources: z
      .array(
        z.object({
          type: z.string(),
          details: z
            .object({
              awsEcrContainerImage: z
                .object({
                  imageHash: z.string().regex(IMAGE_DIGEST, 'expected an image digest sha256:<64 hex digits>'),
                  repositoryName: z.string().optional(),
                  registry: z.string().optional(),
                  pushedAt: instantValue.optional(),
                })
                .nullish(),
            })
            .nullish(),
        }),
      )
      .min(1),
    packageVulnerabilityDetails: z
      .object({
        vulnerabilityId: z.string().regex(KEY_TEXT, 'expected a vulnerability id without "|" or control characters'),
        source: z.string().optional(),
        cvss: z.array(z.object({ scoringVector: z.string().optional(), source: z.string().optional() })).nullish(),
        vulnerablePackages: z
          .array(
            z.object({
              name: z.string().regex(KEY_TEXT, 'expected a package name without "|" or control characters'),
              version: z.string(),
              release: z.string().optional(),
              fixedInVersion: z.string().optional(),
            }),
          )
          .min(1),
      })
      .nullish(),
  });
}

/** An Amazon Inspector finding as EventBridge's detail and `aws inspector2 list-findings` write it. */
export function isInspectorFinding(value: Record<string, unknown>): boolean {
  return typeof value.findingArn === 'string' && 'type' in value;
}

/**
 * One Inspector package-vulnerability finding on an ECR image: its vulnerable packages as facts on
 * the image. Findings about EC2 instances, Lambda functions, network reachability or code are set
 * aside as unsupported, since they say nothing about a pod's image.
 */
export function normalizeInspectorFinding(value: Record<string, unknown>, now: number = Date.now()): ImageScanEvent {
  rejectTooDeep('Inspector finding', value);
  const parsed = (findingSchema ??= buildFindingSchema()).safeParse(value);
  if (!parsed.success) throw new RecordRejected(describeZodError('Inspector finding', parsed.error), 'invalid-field');
  const finding = parsed.data;
  if (finding.type !== INSPECTOR_PACKAGE_FINDING) {
    throw new RecordRejected(
      `Inspector finding of type ${finding.type}: pivotguard reads ${INSPECTOR_PACKAGE_FINDING} findings on ECR images only`,
      'unsupported-format',
    );
  }
  const image = finding.resources.find((resource) => resource.type === INSPECTOR_ECR_IMAGE_RESOURCE)?.details?.awsEcrContainerImage;
  if (!image) {
    const types = finding.resources.map((resource) => resource.type).join(', ');
    throw new RecordRejected(
      `Inspector finding on ${types}: pivotguard reads findings on ${INSPECTOR_ECR_IMAGE_RESOURCE} resources only`,
      'unsupported-format',
    );
  }
  const details = finding.packageVulnerabilityDetails;
  if (!details) throw new RecordRejected('Inspector finding packageVulnerabilityDetails: required for a package vulnerability', 'invalid-field');
  const instant = (field: string, text: string | number) => inspectorInstant(`Inspector finding ${field}`, text, now);
  const firstObservedAt = instant('firstObservedAt', finding.firstObservedAt);
  const lastObservedAt = finding.lastObservedAt === undefined ? undefined : instant('lastObservedAt', finding.lastObservedAt);
  const updatedAt = finding.updatedAt === undefined ? undefined : instant('updatedAt', finding.updatedAt);
  const pushedAt = image.pushedAt === undefined ? undefined : instant('awsEcrContainerImage.pushedAt', image.pushedAt);
  const vector =
    finding.inspectorScoreDetails?.adjustedCvss?.scoringVector ??
    details.cvss?.find((score) => score.source === details.source && score.scoringVector)?.scoringVector ??
    details.cvss?.find((score) => score.scoringVector)?.scoringVector;
  const networkReachable = attackVectorIsNetwork(vector);
  const vulnerabilities = details.vulnerablePackages.map(
    (pkg): ImageVulnerability => ({
      id: details.vulnerabilityId,
      packageName: pkg.name,
      // The release is part of an OS package's installed version (3.0.13-0ubuntu3.2), as in fixedInVersion.
      installedVersion: pkg.release ? `${pkg.version}-${pkg.release}` : pkg.version,
      ...(fixedVersionOf(pkg.fixedInVersion) ? { fixedVersion: fixedVersionOf(pkg.fixedInVersion) } : {}),
      severity: finding.severity,
      ...(finding.inspectorScore !== undefined ? { inspectorScore: finding.inspectorScore } : {}),
      ...(finding.exploitAvailable !== undefined ? { exploitAvailable: finding.exploitAvailable === 'YES' } : {}),
      ...(networkReachable !== undefined ? { networkReachable } : {}),
      firstObservedAt: iso(firstObservedAt),
      status: finding.status,
      source: 'inspector',
      findingArn: finding.findingArn,
    }),
  );
  return {
    source: 'inspector',
    eventId: finding.findingArn,
    // Inspector re-publishes a finding as it changes (a CLOSED status last): the newest update wins.
    time: updatedAt ?? lastObservedAt ?? firstObservedAt,
    raw: value,
    digest: image.imageHash,
    ...(image.repositoryName ? { repository: image.repositoryName } : {}),
    ...(image.registry ? { registry: image.registry } : {}),
    ...(pushedAt !== undefined ? { pushedAt: iso(pushedAt) } : {}),
    scannedAt: iso(lastObservedAt ?? updatedAt ?? firstObservedAt),
    vulnerabilities,
  };
}

/** Inspector writes `NotAvailable` where no fixed version exists. */
function fixedVersionOf(text: string | undefined): string | undefined {
  return text && text !== 'NotAvailable' ? text : undefined;
}

/** CVSS v2, v3 and v4 vectors all write the attack vector as `AV:N` (network), `A`, `L` or `P`. */
export function attackVectorIsNetwork(vector: string | undefined): boolean | undefined {
  const match = vector ? /(?:^|\/)AV:([NALP])(?:\/|$)/.exec(vector) : null;
  return match ? match[1] === 'N' : undefined;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** EventBridge's Inspector events today: `Wed Sep 04 16:55:38.411 UTC 2024`. */
const EVENT_LAYOUT = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) (\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,3})? UTC (\d{4})$/;
/** EventBridge's Inspector events until 2022: `Dec 3, 2021, 6:02:30 PM`, in UTC. */
const OLDER_EVENT_LAYOUT = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}),? (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)$/;

/**
 * An instant in any layout Inspector and ECR exports use: ISO 8601 (CLI v2, the SDK), epoch
 * seconds (CLI v1), or the two layouts of Inspector's EventBridge events. Bounded like every
 * record time (eventTime).
 */
export function inspectorInstant(label: string, value: string | number, now: number): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || Math.abs(value) > 1e11) throw new RecordRejected(`${label}: ${value} is not epoch seconds`, 'invalid-field');
    return eventTime(label, new Date(Math.round(value * 1000)).toISOString(), now);
  }
  return eventTime(label, isoOfEventLayout(value) ?? value, now);
}

function isoOfEventLayout(text: string): string | undefined {
  const current = EVENT_LAYOUT.exec(text);
  if (current) {
    const [, month, day, hour, minute, second, fraction, year] = current as unknown as string[];
    const monthNumber = MONTHS.indexOf(month!) + 1;
    if (monthNumber === 0) return undefined;
    return `${year}-${pad(monthNumber)}-${day}T${hour}:${minute}:${second}${fraction ?? ''}Z`;
  }
  const older = OLDER_EVENT_LAYOUT.exec(text);
  if (older) {
    const [, month, day, year, hour, minute, second, half] = older as unknown as string[];
    const monthNumber = MONTHS.indexOf(month!) + 1;
    const clock = Number(hour);
    if (monthNumber === 0 || clock < 1 || clock > 12) return undefined;
    const hour24 = (clock % 12) + (half === 'PM' ? 12 : 0);
    return `${year}-${pad(monthNumber)}-${pad(Number(day))}T${pad(hour24)}:${minute}:${second}Z`;
  }
  return undefined;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

export function iso(time: number): string {
  return new Date(time).toISOString();
}
