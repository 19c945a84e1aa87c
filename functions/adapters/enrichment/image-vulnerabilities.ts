import { type ECRClient, type ImageScanFinding, type EnhancedImageScanFinding, paginateDescribeImageScanFindings } from '@aws-sdk/client-ecr';
import { type Finding, type Inspector2Client, paginateListFindings } from '@aws-sdk/client-inspector2';
import type { ImageScanEvent, RejectedRecord } from '#core/model/event';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { INSPECTOR_PACKAGE_FINDING } from '#core/normalize/inspector';

/** An image to look up: its digest, and where ECR keeps it when the pod's image names an ECR repository. */
export interface ImageReference {
  digest: string;
  repository?: string;
  /** The registry's account id. */
  registryId?: string;
}

/** What Inspector and ECR know about an image: its scan results, normalized as if they had arrived as events. */
export interface ImageVulnerabilities {
  /** Empty when neither has scanned the image (a digest Inspector does not know and ECR never scanned). */
  scansOf(image: ImageReference): Promise<ImageScanEvent[]>;
}

/** A scan result the normalizer refused: the lookup reports it rather than dropping it silently. */
export class ImageScanUnreadable extends Error {
  override name = 'ImageScanUnreadable';

  constructor(readonly rejected: RejectedRecord[]) {
    super(`image scan lookup returned ${rejected.length} record(s) pivotguard could not read: ${rejected[0]?.reason ?? ''}`);
  }
}

/** A large image has hundreds of findings; past this many pages, the worst are already in (sorted by severity). */
const MAX_PAGES = 10;
const PAGE_SIZE = 100;

/** Inspector off for the account, or not allowed to this role: ECR basic scanning may still have the image. */
function inspectorUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'AccessDeniedException') return true;
  return error.name === 'ValidationException' && /not enabled|not activated|disabled/i.test(error.message);
}

/** ECR's answers for an image it never scanned, or does not hold. */
const NOT_SCANNED_BY_ECR = new Set(['ScanNotFoundException', 'ImageNotFoundException', 'RepositoryNotFoundException']);

/**
 * Needs inspector2:ListFindings, and ecr:DescribeImageScanFindings on the repositories pods pull
 * from. Inspector first (ListFindings filtered on the digest, package vulnerabilities only); where
 * it has nothing or is not enabled, ECR basic scanning, which needs the repository. The API's
 * answers go through the normalizer, so a looked-up finding becomes the same facts as the event.
 */
export class AwsImageVulnerabilities implements ImageVulnerabilities {
  constructor(
    private readonly inspector: Inspector2Client,
    private readonly ecr: ECRClient,
    private readonly now: () => number = Date.now,
  ) {}

  async scansOf(image: ImageReference): Promise<ImageScanEvent[]> {
    const findings = await this.inspectorFindings(image.digest);
    if (findings && findings.length > 0) return this.normalized('inspector2:ListFindings', findings);
    const { repository } = image;
    if (!repository) return [];
    const scan = await this.ecrScan({ ...image, repository });
    return scan ? this.normalized('ecr:DescribeImageScanFindings', [scan]) : [];
  }

  /** Undefined when Inspector cannot be asked. */
  private async inspectorFindings(digest: string): Promise<Finding[] | undefined> {
    const findings: Finding[] = [];
    try {
      const pages = paginateListFindings(
        { client: this.inspector, pageSize: PAGE_SIZE },
        {
          filterCriteria: {
            ecrImageHash: [{ comparison: 'EQUALS', value: digest }],
            findingType: [{ comparison: 'EQUALS', value: INSPECTOR_PACKAGE_FINDING }],
          },
          sortCriteria: { field: 'SEVERITY', sortOrder: 'DESC' },
        },
      );
      let count = 0;
      for await (const page of pages) {
        findings.push(...(page.findings ?? []));
        if (++count >= MAX_PAGES) break;
      }
    } catch (error) {
      if (inspectorUnavailable(error)) return undefined;
      throw error;
    }
    return findings;
  }

  /** The basic scan as `aws ecr describe-image-scan-findings` prints it, its pages joined; undefined when ECR never scanned it. */
  private async ecrScan(image: ImageReference & { repository: string }): Promise<Record<string, unknown> | undefined> {
    let first: Record<string, unknown> | undefined;
    const findings: ImageScanFinding[] = [];
    const enhancedFindings: EnhancedImageScanFinding[] = [];
    try {
      const pages = paginateDescribeImageScanFindings(
        { client: this.ecr, pageSize: 1000 },
        { repositoryName: image.repository, imageId: { imageDigest: image.digest }, ...(image.registryId ? { registryId: image.registryId } : {}) },
      );
      let count = 0;
      for await (const page of pages) {
        first ??= { ...page };
        findings.push(...(page.imageScanFindings?.findings ?? []));
        enhancedFindings.push(...(page.imageScanFindings?.enhancedFindings ?? []));
        if (++count >= MAX_PAGES) break;
      }
    } catch (error) {
      if (error instanceof Error && NOT_SCANNED_BY_ECR.has(error.name)) return undefined;
      throw error;
    }
    if (!first) return undefined;
    const { $metadata: _, nextToken: __, ...output } = first;
    const scanFindings = (output.imageScanFindings ?? {}) as Record<string, unknown>;
    return { ...output, imageScanFindings: { ...scanFindings, findings, enhancedFindings } };
  }

  private normalized(file: string, records: unknown[]): ImageScanEvent[] {
    const out = emptyOutput();
    const now = this.now();
    // The SDK's Dates become ISO text, as the CLI prints them.
    records.forEach((record, index) => normalizeValue(JSON.parse(JSON.stringify(record)) as unknown, `[${index}]`, { file, now }, out));
    const events = out.events.filter((event): event is ImageScanEvent => event.source === 'inspector');
    if (events.length === 0 && out.rejected.length > 0) throw new ImageScanUnreadable(out.rejected);
    return events;
  }
}

const ECR_IMAGE = /^(\d{12})\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/([^@:]+(?:\/[^@:]+)*)(?::[^@]+)?(?:@.+)?$/;

/** What a pod's image says about where ECR keeps it: `ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY[:tag][@digest]`. */
export function imageReference(digest: string, image: string | null | undefined): ImageReference {
  const match = image ? ECR_IMAGE.exec(image) : null;
  return match ? { digest, registryId: match[1], repository: match[2] } : { digest };
}
