import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoff } from '#adapters/backoff';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** How long backoff waits when the random draw is at its ceiling. */
async function longestWait(attempt: number, options?: Parameters<typeof backoff>[1]): Promise<number> {
  vi.useFakeTimers();
  vi.spyOn(Math, 'random').mockReturnValue(1);
  const started = Date.now();
  const waited = backoff(attempt, options);
  await vi.runAllTimersAsync();
  await waited;
  return Date.now() - started;
}

describe('backoff', () => {
  it('waits at most the base doubled per retry, up to the cap', async () => {
    expect(await longestWait(1)).toBe(20);
    expect(await longestWait(3)).toBe(80);
    expect(await longestWait(10)).toBe(500);
    expect(await longestWait(2, { baseMs: 100, maxMs: 150 })).toBe(150);
  });

  it('waits a random share of the ceiling (full jitter)', async () => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.25);
    const started = Date.now();
    const waited = backoff(3);
    await vi.runAllTimersAsync();
    await waited;
    expect(Date.now() - started).toBe(20);
  });

  it('does not wait when the base is zero, as tests configure it', async () => {
    const random = vi.spyOn(Math, 'random');
    await backoff(3, { baseMs: 0 });
    expect(random).not.toHaveBeenCalled();
  });
});
