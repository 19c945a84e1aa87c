import { expect } from 'vitest';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { detect } from '#core/detect/index';
import type { SecurityEvent } from '#core/model/event';
import type { Signal } from '#core/model/signal';
import { CLUSTER } from '../fixtures/records.ts';

export function normalized(record: unknown): SecurityEvent {
  const out = emptyOutput();
  normalizeValue(record, 'line 1', { file: 'test', defaultCluster: CLUSTER }, out);
  expect(out.rejected).toEqual([]);
  return out.events[0]!;
}

/** The signals one rule raises for one record. */
export function signalsOf(rule: string, record: unknown): Signal[] {
  return detect(normalized(record)).filter((signal) => signal.rule === rule);
}

/** Every signal any rule raises for one record. */
export function detectAll(record: unknown): Signal[] {
  return detect(normalized(record));
}
