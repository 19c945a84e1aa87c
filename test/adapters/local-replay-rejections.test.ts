import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { replayFiles } from '#adapters/local-replay';
import { defaultConfig } from '#core/config';
import type { SecurityEvent } from '#core/model/event';
import { cloudTrailRecord } from '../fixtures/records.ts';

const POISONED_EVENT_ID = 'poisoned-0001';

// Stands in for a record that makes linking fail: the pipeline reports it instead of throwing.
vi.mock('#core/link/index', async (importOriginal) => {
  const actual = await importOriginal<typeof import('#core/link/index')>();
  return {
    ...actual,
    factsFor: (event: SecurityEvent) => {
      if (event.eventId === POISONED_EVENT_ID) throw new TypeError('linking failed');
      return actual.factsFor(event);
    },
  };
});

describe('records the core cannot link or check', () => {
  it('are listed as rejected with their file and place, and the rest is replayed', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'pivotguard-rejections-')), 'trail.json');
    await writeFile(path, JSON.stringify({ Records: [cloudTrailRecord(), cloudTrailRecord({ eventID: POISONED_EVENT_ID }), cloudTrailRecord()] }));
    const result = await replayFiles([path], { config: defaultConfig });
    expect(result.rejected).toEqual([{ file: path, record: 'line 1.Records[1]', code: 'internal-error', reason: expect.any(String) }]);
    expect(result.stats.eventsBySource.cloudtrail).toBe(3);
  });
});
