import { kindOf } from '#core/model/graph';

/**
 * STS credentials live at most 36 hours (GetSessionToken; role sessions 12): after that an
 * access key or role session can no longer be used, and only the incidents that named it matter.
 */
export const CREDENTIAL_RETENTION_MS = 36 * 3600_000;

/** How long a graph entry is kept after it was last seen: the TTL a store applies. */
export function retentionFor(key: string, graphRetentionMs: number): number {
  const kind = kindOf(key);
  return kind === 'key' || kind === 'session' || kind === 'egress' ? Math.min(CREDENTIAL_RETENTION_MS, graphRetentionMs) : graphRetentionMs;
}
