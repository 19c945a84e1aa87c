/**
 * Ten thousand hostile variants of real records (the shared corpus and the seed scenario), mixed
 * with the good records, through the real entry points: the core never throws, a bad record never
 * costs a good one its events, signals or incident, and the analyzer dead-letters exactly the bad
 * messages and alerts as if they had never been sent. A failure names the seed that rebuilds it;
 * PIVOTGUARD_FUZZ_SEED tries another.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Config } from '#core/config';
import { parseConfigText } from '#core/config-text';
import type { RejectionCode, SecurityEvent } from '#core/model/event';
import type { Incident } from '#core/model/incident';
import type { Signal } from '#core/model/signal';
import { type NormalizeContext, emptyOutput, normalizeValue } from '#core/normalize/index';
import { MAX_REASON_CHARS } from '#core/normalize/rejection';
import { Pipeline } from '#core/pipeline';
import { Prng } from '../../bench/generate/prng.ts';
import { corpusFiles, hasCorpus } from '../../eval/corpus.ts';
import { sqsRecord } from '../fixtures/lambda-events.ts';
import { logsDataMessage } from '../fixtures/records.ts';
import { memoryStore } from '../fixtures/store.ts';
import { type Mutant, mutants } from './mutations.ts';

vi.hoisted(() => {
  Object.assign(process.env, { POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_TRACE_ENABLED: 'false' });
});

const { runAnalyzer } = await import('./analyzer-harness.ts');

type Json = Record<string, unknown>;

const SEED = Number(process.env.PIVOTGUARD_FUZZ_SEED ?? 20261121);
const MUTANT_COUNT = 10_000;
/** Bad messages among the seed scenario's in the analyzer run: each costs a dead-letter call. */
const BAD_MESSAGES = 300;
/** The clock every record is read at: after the newest good record, so only hostile dates are refused. */
const NOW = Date.UTC(2026, 11, 1);
const CLUSTER = 'prod-east';
const EXAMPLE = join(import.meta.dirname, '../../examples/seed-scenario');
const REJECTION_CODES = new Set<RejectionCode>([
  'not-json',
  'unrecognized',
  'unsupported-format',
  'invalid-field',
  'too-deep',
  'time-out-of-range',
  'internal-error',
]);
const context: NormalizeContext = { file: 'fuzz', defaultCluster: CLUSTER, now: NOW };

interface Rejection {
  code?: string;
  reason: string;
}

/** One line of input as the core met it. */
interface Reading {
  events: SecurityEvent[];
  rejections: Rejection[];
}

interface Item {
  text: string;
  /** Undefined for a good record. */
  mutant?: Mutant;
  index: number;
}

/** Parses and normalizes one line, as the replay and the analyzer do; a line that is not JSON is refused before the core. */
function read(text: string, where: string, normalizeContext: NormalizeContext = context): Reading {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { events: [], rejections: [{ code: 'not-json', reason: 'not JSON' }] };
  }
  const out = emptyOutput();
  normalizeValue(value, where, normalizeContext, out);
  return { events: out.events, rejections: out.rejected };
}

/** Every record of the seed scenario, unwrapped from its envelope, as the source wrote it. */
function seedRecords(): Json[] {
  const directory = join(EXAMPLE, 'records');
  return readdirSync(directory)
    .sort()
    .flatMap((name) => {
      const bytes = readFileSync(join(directory, name));
      const text = (name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
      const values = name.endsWith('.jsonl')
        ? text
            .split('\n')
            .filter((line) => line.trim())
            .map((line) => JSON.parse(line) as unknown)
        : [JSON.parse(text) as unknown];
      const out = emptyOutput();
      values.forEach((value, index) => normalizeValue(value, index + 1, context, out));
      expect(out.rejected, name).toEqual([]);
      return out.events.map((event) => event.raw as Json);
    });
}

/** The corpus as recorded, without the labels staged next to each record. */
function corpusRecords(): Json[] {
  return corpusFiles().flatMap(({ path }) =>
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => {
        const { _expected: _, ...record } = JSON.parse(line) as Json;
        return record;
      }),
  );
}

function describeItem(item: Item): string {
  return item.mutant ? `mutant ${item.index} (${item.mutant.kinds.join(' + ')} of record ${item.mutant.base}, seed ${SEED})` : `good record ${item.index}`;
}

function expectUsableRejection(rejection: Rejection, item: Item): void {
  const what = `${describeItem(item)}: ${rejection.reason.slice(0, 80)}`;
  expect(REJECTION_CODES.has(rejection.code as RejectionCode), what).toBe(true);
  expect(rejection.reason.length, what).toBeGreaterThan(0);
  expect(rejection.reason.length, what).toBeLessThanOrEqual(MAX_REASON_CHARS);
  expect(rejection.reason, what).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
}

/** The items in batches, ingested in order; returns the signals raised and the incidents, and reports rejections per item. */
async function runCore(batches: Item[][], config: Config, onReading: (item: Item, reading: Reading) => void) {
  const pipeline = new Pipeline(memoryStore(), config);
  const signals: Signal[] = [];
  for (const batch of batches) {
    const itemOf = new Map<SecurityEvent, { item: Item; reading: Reading }>();
    const readings = batch.map((item) => {
      let reading: Reading;
      try {
        reading = read(item.text, `line ${item.index}`);
      } catch (error) {
        throw new Error(`${describeItem(item)} made the normalizer throw: ${String(error)}`);
      }
      for (const event of reading.events) itemOf.set(event, { item, reading });
      return { item, reading };
    });
    const raised = await pipeline.ingest([...itemOf.keys()], (event, rejection) => {
      const owner = itemOf.get(event)!;
      owner.reading.events = owner.reading.events.filter((kept) => kept !== event);
      owner.reading.rejections.push(rejection);
    });
    signals.push(...raised);
    for (const { item, reading } of readings) onReading(item, reading);
  }
  const { incidents } = await pipeline.correlate();
  return { signals, incidents };
}

function chunks<T>(items: readonly T[], sizes: () => number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; ) {
    const size = sizes();
    out.push(items.slice(start, start + size));
    start += size;
  }
  return out;
}

function shuffled<T>(items: readonly T[], rng: Prng): T[] {
  const out = [...items];
  for (let index = out.length - 1; index > 0; index--) {
    const other = rng.int(index + 1);
    [out[index], out[other]] = [out[other]!, out[index]!];
  }
  return out;
}

/** Each item into a random batch, at a random place; the batches' own items keep their order. */
function scatter<T>(batches: readonly T[][], extra: readonly T[], rng: Prng): T[][] {
  const out = batches.map((batch) => [...batch]);
  for (const item of extra) {
    const batch = out[rng.int(out.length)]!;
    batch.splice(rng.int(batch.length + 1), 0, item);
  }
  return out;
}

const sortedIds = (signals: readonly Signal[]) => signals.map((signal) => signal.id).sort();
const byId = (incidents: readonly Incident[]) => [...incidents].sort((a, b) => a.id.localeCompare(b.id));

type CoreRun = Awaited<ReturnType<typeof runCore>>;

let config: Config;
let good: Item[];
let bad: Item[];
/** The good records alone, in batches of a fixed composition. */
let goodBatches: Item[][];
let alone: CoreRun;
/** Everything at once, shuffled into batches of random sizes; what each variant came to, or what the core threw. */
let everything: CoreRun | undefined;
let everythingError: unknown;
const outcomes = new Map<Item, Reading>();
const goodEventsMixed = new Map<Item, string[]>();
const goodEventsAlone = new Map<Item, string[]>();

const eventKeys = (reading: Reading) => reading.events.map((event) => `${event.source} ${event.eventId} ${event.time}`);

beforeAll(async () => {
  if (!hasCorpus) console.warn('fuzz: the shared corpus is absent; variants are made from the seed scenario alone');
  config = parseConfigText(readFileSync(join(EXAMPLE, 'pivotguard.yaml'), 'utf8'), 'pivotguard.yaml').config;
  const bases = [...seedRecords(), ...corpusRecords()];
  const goodTexts = bases.map((record) => JSON.stringify(record)).filter((text) => read(text, 'good').rejections.length === 0);
  good = goodTexts.map((text, index) => ({ text, index }));
  bad = mutants(bases, MUTANT_COUNT, SEED).map((mutant, index) => ({ text: mutant.text, mutant, index }));
  const rng = new Prng(SEED);
  goodBatches = chunks(good, () => rng.intBetween(5, 40));
  alone = await runCore(goodBatches, config, (item, reading) => goodEventsAlone.set(item, eventKeys(reading)));
  try {
    everything = await runCore(
      chunks(shuffled([...good, ...bad], rng), () => rng.intBetween(1, 80)),
      config,
      (item, reading) => {
        if (item.mutant) outcomes.set(item, reading);
        else goodEventsMixed.set(item, eventKeys(reading));
      },
    );
  } catch (error) {
    everythingError = error;
  }
}, 120_000);

// Generous: a loaded CI machine may be several times slower; nothing here asserts a duration.
describe(`${MUTANT_COUNT} hostile variants of real records (seed ${SEED})`, { timeout: 120_000 }, () => {
  it('never make the core throw, and every one set aside says why with a code', () => {
    expect(everythingError).toBeUndefined();
    expect(outcomes.size).toBe(MUTANT_COUNT);
    const codes = new Set<string>();
    const faults: string[] = [];
    for (const [item, reading] of outcomes) {
      for (const rejection of reading.rejections) {
        expectUsableRejection(rejection, item);
        codes.add(rejection.code!);
        if (rejection.code === 'internal-error') faults.push(`${describeItem(item)}: ${rejection.reason}`);
      }
    }
    // Every way a record can be wrong was met, and none was a fault of pivotguard's own.
    expect([...codes]).toEqual(expect.arrayContaining(['not-json', 'unrecognized', 'invalid-field', 'too-deep', 'time-out-of-range']));
    expect(faults.slice(0, 5)).toEqual([]);
    // Odd but valid records (a control character in a name, a duplicated key) are read like any other.
    expect([...outcomes.values()].some((reading) => reading.events.length > 0)).toBe(true);
    for (const kind of ['truncated', 'deep-nesting', 'deep-envelope'] as const) {
      const ofKind = [...outcomes].filter(([item]) => item.mutant!.kinds.includes(kind));
      expect(ofKind.length, kind).toBeGreaterThan(0);
      for (const [item, reading] of ofKind) expect(reading.events, describeItem(item)).toEqual([]);
    }
  });

  it('leave every good record its events and its own signals, whatever else is in the batch', () => {
    expect(everythingError).toBeUndefined();
    expect(goodEventsMixed).toEqual(goodEventsAlone);
    // Signals of one record each; the graph-aware ones depend on what else the graph learned.
    const raised = new Set(everything!.signals.map((signal) => signal.id));
    const missing = alone.signals.filter((signal) => signal.recheck === undefined && !raised.has(signal.id));
    expect(missing.map((signal) => `${signal.rule} ${signal.eventId}`)).toEqual([]);
  });

  it('cost no good record its incident: the records set aside change nothing', async () => {
    const rng = new Prng(SEED + 1);
    // The variants the core set aside whole; the others are records in their own right.
    const setAside = bad.filter((item) => outcomes.get(item)?.events.length === 0);
    expect(setAside.length).toBeGreaterThan(MUTANT_COUNT / 4);
    let refused = 0;
    const mixed = await runCore(scatter(goodBatches, setAside, rng), config, (item, reading) => {
      if (item.mutant) {
        expect(reading.events, describeItem(item)).toEqual([]);
        refused++;
      } else {
        expect(eventKeys(reading), describeItem(item)).toEqual(goodEventsAlone.get(item));
      }
    });
    expect(refused).toBe(setAside.length);
    expect(alone.incidents.some((incident) => incident.severity === 'critical')).toBe(true);
    expect(sortedIds(mixed.signals)).toEqual(sortedIds(alone.signals));
    expect(byId(mixed.incidents)).toEqual(byId(alone.incidents));
  });

  it('reach the analyzer: no batch fails, exactly the bad messages are dead-lettered, the alerts are those of the good messages alone', async () => {
    const rng = new Prng(SEED + 2);
    const seedTexts = seedRecords().map((record) => JSON.stringify(record));
    const messageBody = (text: string) => {
      // Audit events come as the forwarder sends them: log lines of their cluster's log group.
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
      const isAudit = (value as Json | undefined)?.kind === 'Event' || text.startsWith('{"kind":"Event"');
      if (!isAudit) return text;
      const message = logsDataMessage([{}]) as { logEvents: { message: string }[] };
      message.logEvents[0]!.message = text;
      return JSON.stringify(message);
    };
    const analyzerContext: NormalizeContext = { file: 'sqs', now: NOW };
    // A sample of the variants the analyzer refuses whole, of every kind.
    const badBodies: string[] = [];
    for (const item of shuffled(bad, rng)) {
      if (badBodies.length === BAD_MESSAGES) break;
      const body = messageBody(item.text);
      const reading = read(body, 'body', analyzerContext);
      if (reading.events.length === 0 && reading.rejections.length > 0) badBodies.push(body);
    }
    const goodMessages = chunks(seedTexts.map(messageBody), () => 10).map((bodies) => bodies.map((body) => sqsRecord(body)));
    const badRecords = badBodies.map((body) => sqsRecord(body));
    const asEvents = (batches: ReturnType<typeof sqsRecord>[][]): SQSEvent[] => batches.map((Records) => ({ Records }));

    const goodOnly = await runAnalyzer(asEvents(goodMessages), config, NOW);
    const mixed = await runAnalyzer(asEvents(scatter(goodMessages, badRecords, rng)), config, NOW);

    expect(goodOnly.deadLetters).toEqual([]);
    expect(goodOnly.alerts.length).toBeGreaterThan(0);
    for (const response of [...goodOnly.responses, ...mixed.responses]) expect(response).toEqual({ batchItemFailures: [] });
    expect(mixed.deadLetters.map((input) => input.MessageAttributes!.sourceMessageId!.StringValue).sort()).toEqual(
      badRecords.map((record) => record.messageId).sort(),
    );
    for (const input of mixed.deadLetters) {
      expect(input.MessageAttributes!.reason!.StringValue!.length).toBeGreaterThan(0);
      expect(REJECTION_CODES.has(input.MessageAttributes!.code!.StringValue!.split(',')[0] as RejectionCode)).toBe(true);
    }
    expect(mixed.alerts).toEqual(goodOnly.alerts);
  });
});
