import { describe, expect, it } from 'vitest';
import { mapLimited } from '#adapters/concurrency';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('mapLimited', () => {
  it('keeps at most `limit` tasks in flight and returns the results in the items’ order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapLimited([5, 1, 4, 2, 3, 0], 2, async (item) => {
      most = Math.max(most, ++inFlight);
      for (let wait = 0; wait < item; wait++) await tick();
      inFlight--;
      return item * 10;
    });
    expect(most).toBe(2);
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
  });

  it('starts nothing after a failure, and rejects with it once the tasks in flight have settled', async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const run = mapLimited([1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await tick();
      if (item === 1) throw new Error('item 1 failed');
      await tick();
      settled.push(item);
    });
    await expect(run).rejects.toThrow('item 1 failed');
    expect(started).toEqual([1, 2]);
    expect(settled).toEqual([2]);
  });

  it('does nothing for no items', async () => {
    expect(await mapLimited([], 4, async () => 1)).toEqual([]);
  });
});
