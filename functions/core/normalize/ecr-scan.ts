import { z } from 'zod';
import type { ImageScanEvent } from '#core/model/event';
import type { ImageVulnerability, VulnerabilitySeverity } from '#core/model/vulnerability';
import { attackVectorIsNetwork, inspectorInstant, instantValue, iso } from './inspector.ts';
import { RecordRejected, describeZodError, rejectTooDeep } from './rejection.ts';

const IMAGE_DIGEST = /^sha256:[0-9a-f]{64}$/;
const KEY_TEXT = /^[^|\p{Cc}]{1,256}$/u;
/** ECR basic scanning's severities; UNDEFINED is a finding not yet rated. */
const ECR_SEVERITY: Record<string, VulnerabilitySeverity> = {
  CRITICAL: 'CRITICAL',
  HIGH: 'HIGH',
  MEDIUM: 'MEDIUM',
  LOW: 'LOW',
  INFORMATIONAL: 'INFORMATIONAL',
  UNDEFINED: 'UNTRIAGED',
};

let scanSchema: ReturnType<typeof buildScanSchema> | undefined;

function buildScanSchema() {
  return z.object({
    registryId: z.string().optional(),
    repositoryName: z.string().min(1),
    imageId: z.object({ imageDigest: z.string().regex(IMAGE_DIGEST, 'expected an image digest sha256:<64 hex digits>') }),
    imageScanStatus: z.object({ status: z.string() }).nullish(),
    imageScanFindings: z.object({
      imageScanCompletedAt: instantValue.optional(),
      findings: z
        .array(
          z.object({
            name: z.string().regex(KEY_TEXT, 'expected a vulnerability id without "|" or control characters'),
            severity: z.enum(Object.keys(ECR_SEVERITY) as [string, ...string[]]),
            attributes: z.array(z.object({ key: z.string(), value: z.string().optional() })).nullish(),
          }),
        )
        .nullish(),
      enhancedFindings: z.array(z.unknown()).nullish(),
    }),
  });
}

/** `aws ecr describe-image-scan-findings` output (and the DescribeImageScanFindings response). */
export function isEcrImageScanFindings(value: Record<string, unknown>): boolean {
  return 'imageScanFindings' in value && 'imageId' in value;
}

/**
 * An ECR basic scan of one image: every finding with its package, or none (a clean scan, which is
 * not the same as no scan). A scan still running or failed has no result, and enhanced scanning's
 * findings are Inspector's, read from `aws inspector2 list-findings` instead.
 */
export function normalizeEcrImageScan(value: Record<string, unknown>, now: number = Date.now()): ImageScanEvent {
  rejectTooDeep('ECR image scan', value);
  const parsed = (scanSchema ??= buildScanSchema()).safeParse(value);
  if (!parsed.success) throw new RecordRejected(describeZodError('ECR image scan', parsed.error), 'invalid-field');
  const scan = parsed.data;
  const digest = scan.imageId.imageDigest;
  const status = scan.imageScanStatus?.status;
  if (status !== undefined && status !== 'COMPLETE' && status !== 'ACTIVE') {
    throw new RecordRejected(`ECR image scan of ${digest} has status ${status}: no result to read yet`, 'unsupported-format');
  }
  const findings = scan.imageScanFindings.findings ?? [];
  if (findings.length === 0 && (scan.imageScanFindings.enhancedFindings?.length ?? 0) > 0) {
    throw new RecordRejected(
      `ECR image scan of ${digest} holds enhanced-scanning findings: export aws inspector2 list-findings filtered on ecrImageHash ${digest} instead`,
      'unsupported-format',
    );
  }
  if (scan.imageScanFindings.imageScanCompletedAt === undefined) {
    throw new RecordRejected('ECR image scan imageScanFindings.imageScanCompletedAt: required', 'invalid-field');
  }
  const completedAt = inspectorInstant('ECR image scan imageScanCompletedAt', scan.imageScanFindings.imageScanCompletedAt, now);
  const vulnerabilities = findings.map((finding, index): ImageVulnerability => {
    const attributes = new Map((finding.attributes ?? []).map((attribute) => [attribute.key, attribute.value]));
    const packageName = attributes.get('package_name');
    const installedVersion = attributes.get('package_version');
    if (!packageName || !KEY_TEXT.test(packageName) || installedVersion === undefined) {
      throw new RecordRejected(`ECR image scan imageScanFindings.findings.${index}: no usable package_name and package_version attributes`, 'invalid-field');
    }
    const networkReachable = attackVectorIsNetwork(attributes.get('CVSS3_VECTOR') ?? attributes.get('CVSS2_VECTOR'));
    return {
      id: finding.name,
      packageName,
      installedVersion,
      severity: ECR_SEVERITY[finding.severity]!,
      ...(networkReachable !== undefined ? { networkReachable } : {}),
      // Basic scanning keeps no first-seen time: the scan that reported it is the earliest known.
      firstObservedAt: iso(completedAt),
      status: 'ACTIVE',
      source: 'ecr-basic-scan',
    };
  });
  return {
    source: 'inspector',
    eventId: `ecr-scan:${digest}:${iso(completedAt)}`,
    time: completedAt,
    raw: value,
    digest,
    repository: scan.repositoryName,
    ...(scan.registryId ? { registry: scan.registryId } : {}),
    scannedAt: iso(completedAt),
    vulnerabilities,
  };
}
