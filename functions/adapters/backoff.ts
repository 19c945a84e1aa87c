export interface BackoffOptions {
  /** The ceiling of the first retry's wait, doubled for each retry after it. */
  baseMs?: number;
  maxMs?: number;
}

/**
 * Waits before retry number `attempt` (1 for the first): full jitter, a random wait up to
 * `baseMs` doubled per attempt and at most `maxMs`, so callers throttled together do not retry
 * together.
 */
export function backoff(attempt: number, { baseMs = 20, maxMs = 500 }: BackoffOptions = {}): Promise<void> {
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  return ceiling > 0 ? new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling)) : Promise.resolve();
}
