import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SecurityEvent } from '#core/model/event';
import { nodeKey } from '#core/model/graph';
import { IMAGE_ATTRS } from '#core/model/vulnerability';
import type { Pipeline } from '#core/pipeline';
import type { IncidentChange, Store } from '#core/store/store';
import { mergeChanges } from './cloudtrail-backfill.ts';
import type { Enrichment } from './enrichment/index.ts';
import { imageReference } from './enrichment/image-vulnerabilities.ts';
import { errorName } from './error-name.ts';

export interface ImageScanDeps {
  pipeline: Pipeline;
  store: Store;
  logger: Logger;
  metrics: Metrics;
}

/** Each lookup is a few Inspector and ECR calls; a batch rarely raises incidents on more images than this. */
const MAX_IMAGES = 5;

/**
 * What Inspector and ECR know about the images of the incidents a batch raised, for the digests
 * whose scan never arrived as an event: looked up, run through the core as facts on the image, and
 * folded into the batch's changes. Never fails: a lookup that cannot be made leaves the incident
 * saying the image was not scanned.
 */
export async function withImageScans(changes: IncidentChange[], enrichment: Enrichment, deps: ImageScanDeps): Promise<IncidentChange[]> {
  const source = enrichment.imageVulnerabilities;
  if (!source) return changes;
  const { pipeline, logger, metrics } = deps;
  try {
    const unscanned = await unscannedImages(changes, deps.store);
    const found: SecurityEvent[] = [];
    for (const image of unscanned) {
      try {
        found.push(...(await source.scansOf(image)));
      } catch (error) {
        logger.warn('Image vulnerability lookup failed', { digest: image.digest, error: errorName(error) });
      }
    }
    if (found.length === 0) return changes;
    metrics.addMetric('ImageScansLookedUp', MetricUnit.Count, found.length);
    const again = await pipeline.analyze(found, (event, rejection) =>
      logger.warn('An image scan looked up was rejected by the core', { digest: (event as { digest?: string }).digest, ...rejection }),
    );
    return mergeChanges(changes, again.changes, again.incidents);
  } catch (error) {
    logger.error('Image vulnerability lookup failed; alerting on what the batch showed', error as Error);
    return changes;
  }
}

/** The incidents' image digests the graph holds no scan for (no scannedAt on the image). */
async function unscannedImages(changes: IncidentChange[], store: Store) {
  const byDigest = new Map<string, string | null>();
  for (const { incident } of changes) {
    const { imageDigest, image } = incident.workload;
    if (imageDigest && !byDigest.has(imageDigest)) byDigest.set(imageDigest, image);
  }
  if (byDigest.size === 0) return [];
  const nodes = await store.getNodes([...byDigest.keys()].map((digest) => nodeKey.image(digest)));
  return [...byDigest]
    .filter(([digest]) => nodes.get(nodeKey.image(digest))?.attrs[IMAGE_ATTRS.scannedAt] === undefined)
    .slice(0, MAX_IMAGES)
    .map(([digest, image]) => imageReference(digest, image));
}
