import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatchKey, type Rule } from '#core/detect/rule';
import { auditRules, cloudTrailRules, guardDutyRules } from '#core/detect/rules/index';
import type { SecurityEvent } from '#core/model/event';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { readJsonItems } from '#adapters/record-files';
import { generateBusyCluster } from '../../bench/generate.ts';
import { corpusFiles } from '../../eval/corpus.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';

const SEED_RECORDS = join(import.meta.dirname, '../../examples/seed-scenario/records');
const rules = [...auditRules, ...cloudTrailRules, ...guardDutyRules] as Rule<SecurityEvent>[];

async function eventsToCheck(): Promise<SecurityEvent[]> {
  const out = emptyOutput();
  const add = (value: unknown, where: string) => normalizeValue(value, where, { file: 'dispatch', defaultCluster: 'prod-east' }, out);
  pivotScenario().forEach((record, index) => add(record, `pivot ${index}`));
  for (const name of readdirSync(SEED_RECORDS)) {
    for await (const items of readJsonItems(join(SEED_RECORDS, name))) for (const item of items) if ('value' in item) add(item.value, name);
  }
  for (const { path } of corpusFiles()) {
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .forEach((line, index) => add(JSON.parse(line), `${path}:${index + 1}`));
  }
  let line = 0;
  for (const text of generateBusyCluster({ records: 5000, includeFindings: true })) add(JSON.parse(text), `busy ${++line}`);
  return out.events;
}

describe('rule dispatch', () => {
  it('never hides a record from a rule that matches it: canMatch holds for every key a rule matched on', async () => {
    const events = await eventsToCheck();
    expect(events.length).toBeGreaterThan(5000);
    const hidden: string[] = [];
    let matched = 0;
    for (const event of events) {
      for (const rule of rules) {
        if (rule.source !== event.source || !rule.canMatch || !rule.match(event)) continue;
        matched++;
        if (!rule.canMatch(dispatchKey(event))) hidden.push(`${rule.id} on ${dispatchKey(event)} (${event.eventId})`);
      }
    }
    expect(hidden).toEqual([]);
    expect(matched).toBeGreaterThan(20);
  }, 60_000);
});
