import { type GraphNode, kindOf } from '#core/model/graph';

export interface RetentionPolicy {
  /** How long an entity not seen again is remembered. */
  graphRetentionMs: number;
  /** The incident window: signals this far apart still join, and settle this far behind. */
  windowMs: number;
}

/**
 * Signals are kept this many windows after their own time: an incident settles two windows
 * after its last signal, and a third is slack for a late analyzer.
 */
export const SIGNAL_KEEP_WINDOWS = 3;

/** STS credentials live at most 36 hours (GetSessionToken; role sessions 12). */
const CREDENTIAL_LIFETIME_MS = 36 * 3600_000;

/**
 * Images outlive the pods the graph saw running them: a digest rolled out again weeks later, or an
 * incident on it, must still find what its scans said, and a scan is not repeated for every pod.
 */
export const IMAGE_RETENTION_MS = 30 * 24 * 3600_000;

/**
 * How long a graph entry is kept after it was last seen: the TTL a store applies. Credentials
 * and deleted pods are dead once expired or gone, but an incident about them can stay open for
 * up to two windows before it settles, and must still find them.
 */
export function retentionFor(key: string, policy: RetentionPolicy, node?: GraphNode): number {
  const kind = kindOf(key);
  if (kind === 'key' || kind === 'session' || kind === 'egress') {
    return Math.min(CREDENTIAL_LIFETIME_MS + 2 * policy.windowMs, policy.graphRetentionMs);
  }
  if (kind === 'image' || kind === 'imagevuln') return Math.max(IMAGE_RETENTION_MS, policy.graphRetentionMs);
  if (kind === 'pod' && node?.attrs.deleted?.value === true) return Math.min(3 * policy.windowMs, policy.graphRetentionMs);
  return policy.graphRetentionMs;
}
