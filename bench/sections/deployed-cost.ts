import { defaultConfig } from '#core/config';
import { ANALYZER_BATCH_SIZE, ANALYZER_BATCHING_WINDOW, ANALYZER_MAX_CONCURRENCY } from '../../lib/analyzer.ts';
import { DEFAULT_CLUSTER, DEFAULT_RECORDS_PER_HOUR, DEFAULT_START, generateBusyCluster } from '../generate.ts';
import type { RateSegment } from '../generate/clock.ts';
import { deployedAnalyzer } from './deployed-cost/analyzer-on-dynalite.ts';
import { startDynaliteProcess } from './deployed-cost/dynalite-process.ts';
import { PRICES, type Usage, billedMs, costOf, sqsRequestsOf } from './deployed-cost/prices.ts';
import { percentile } from './deployed-cost/latency.ts';
import { type Ingested, lambdaBatches, queuedMessages, sqsEvent } from './deployed-cost/sqs-delivery.ts';
import { printTable } from './table.ts';

/** lib/analyzer.ts gives the analyzer this much memory. */
const ANALYZER_MEMORY_MB = 1024;
const DAY_MS = 86400_000;

export interface DeployedCostOptions {
  /** History days at whose start a busy stretch is measured; the last is how long the history runs. */
  checkpointDays: readonly number[];
  /** Hours measured at each checkpoint, at the busy rate. */
  busyHours: number;
  /** Records per hour of event time in a measured stretch: a busy production cluster. */
  busyRecordsPerHour: number;
  /** Records per hour of event time between the stretches: the history the table accumulates. */
  quietRecordsPerHour: number;
  /** Records per hour of arrival: how fast batches fill. */
  arrivalRecordsPerHour: number;
  auditDeliveryMs: number;
  batching: { batchSize: number; windowMs: number; concurrency: number };
}

export const DEFAULT_COST_OPTIONS: DeployedCostOptions = {
  checkpointDays: [1, 7, 30],
  busyHours: 2,
  busyRecordsPerHour: DEFAULT_RECORDS_PER_HOUR,
  quietRecordsPerHour: 60,
  arrivalRecordsPerHour: DEFAULT_RECORDS_PER_HOUR,
  auditDeliveryMs: 10_000,
  batching: { batchSize: ANALYZER_BATCH_SIZE, windowMs: ANALYZER_BATCHING_WINDOW.toMilliseconds(), concurrency: ANALYZER_MAX_CONCURRENCY },
};

interface Tally extends Usage {
  records: number;
  messages: number;
}

/** Busy stretches at the start of each checkpoint day, quiet history between them. */
function scheduleOf(options: DeployedCostOptions): RateSegment[] {
  const schedule: RateSegment[] = [];
  let hour = 0;
  for (const day of options.checkpointDays) {
    const from = (day - 1) * 24;
    if (from > hour) schedule.push({ hours: from - hour, recordsPerHour: options.quietRecordsPerHour });
    schedule.push({ hours: options.busyHours, recordsPerHour: options.busyRecordsPerHour });
    hour = from + options.busyHours;
  }
  return schedule;
}

/**
 * What the deployed analyzer costs per record, measured: the real handler over DynamoDB (dynalite,
 * every call metered), fed a generated history of `checkpointDays` days in the batches SQS would
 * hand it. A busy stretch at the start of day 1, 7 and 30 is measured; quiet days between them
 * grow the history the table holds (dynalite never expires items, so it holds more than DynamoDB
 * would after its TTL).
 */
export async function deployedCost(options: DeployedCostOptions): Promise<void> {
  const dynalite = await startDynaliteProcess();
  try {
    const analyzer = await deployedAnalyzer(dynalite, defaultConfig);
    const ingested: Ingested = { generated: 0, queued: 0 };
    const schedule = scheduleOf(options);
    const records = schedule.reduce((sum, segment) => sum + Math.round(segment.hours * segment.recordsPerHour), 0);
    const lines = generateBusyCluster({ records, includeFindings: true, schedule });
    const messages = queuedMessages(
      lines,
      { recordsPerHour: options.arrivalRecordsPerHour, auditDeliveryMs: options.auditDeliveryMs, cluster: DEFAULT_CLUSTER, account: '111122223333' },
      ingested,
    );
    const start = Date.parse(DEFAULT_START);
    const checkpointOf = (eventTime: number) =>
      options.checkpointDays.find((day) => eventTime >= start + (day - 1) * DAY_MS && eventTime < start + (day - 1) * DAY_MS + options.busyHours * 3600_000);
    const tallies = new Map<number | 'history', Tally>();
    const latencies: { ms: number; weight: number }[] = [];
    const instancesFreeAt = Array.from({ length: options.batching.concurrency }, () => 0);
    let batches = 0;
    let alerts = 0;
    const started = performance.now();
    for (const batch of lambdaBatches(messages, options.batching)) {
      const eventTime = Math.max(...batch.messages.map((message) => message.eventTime));
      const before = { read: analyzer.meter.read, write: analyzer.meter.write };
      const invocation = await analyzer.invoke(sqsEvent(batch), eventTime + 1000);
      if (invocation.response.batchItemFailures.length > 0) throw new Error(`the analyzer failed ${invocation.response.batchItemFailures.length} messages`);
      batches++;
      alerts += invocation.alerts;
      // Batches run on at most `concurrency` instances at once; each lasts what it lasted here.
      const instance = instancesFreeAt.indexOf(Math.min(...instancesFreeAt));
      const startsAt = Math.max(batch.readyAt, instancesFreeAt[instance]!);
      instancesFreeAt[instance] = startsAt + invocation.wallMs;
      const checkpoint = checkpointOf(eventTime);
      if (checkpoint !== undefined) {
        for (const message of batch.messages)
          latencies.push({ ms: startsAt - message.enqueuedAt + (invocation.firstAlertMs ?? invocation.wallMs), weight: message.records });
      }
      const key = checkpoint ?? 'history';
      const tally = tallies.get(key) ?? emptyTally();
      tally.records += batch.messages.reduce((sum, message) => sum + message.records, 0);
      tally.messages += batch.messages.length;
      tally.invocations++;
      tally.cpuMs += invocation.cpuMs;
      tally.wallMs += invocation.wallMs;
      tally.sqsRequests += sqsRequestsOf(batch.messages.map((message) => Buffer.byteLength(message.body)));
      tally.readUnits += analyzer.meter.read - before.read;
      tally.writeUnits += analyzer.meter.write - before.write;
      tallies.set(key, tally);
    }
    const seconds = (performance.now() - started) / 1000;
    printReport(options, tallies, latencies, { batches, alerts, ingested, seconds });
    printBreakdown(analyzer.meter.byKind, ingested.queued);
  } finally {
    await dynalite.stop();
  }
}

function emptyTally(): Tally {
  return { records: 0, messages: 0, invocations: 0, cpuMs: 0, wallMs: 0, sqsRequests: 0, readUnits: 0, writeUnits: 0 };
}

function printReport(
  options: DeployedCostOptions,
  tallies: Map<number | 'history', Tally>,
  latencies: { ms: number; weight: number }[],
  run: { batches: number; alerts: number; ingested: Ingested; seconds: number },
): void {
  const { batching } = options;
  const last = options.checkpointDays.at(-1)!;
  console.log(
    `\ndeployed analyzer on dynalite: ${last} days of history of a cluster at ${options.quietRecordsPerHour} records per hour, ` +
      `${options.busyHours} busy hours at ${options.busyRecordsPerHour.toLocaleString('en-US')} an hour measured on days ${options.checkpointDays.join(', ')}; ` +
      `batches of up to ${batching.batchSize} messages within ${batching.windowMs / 1000} s, ${batching.concurrency} at once (${run.seconds.toFixed(0)} s)`,
  );
  const row = (label: string, tally: Tally) => {
    const cost = costOf(tally, ANALYZER_MEMORY_MB);
    const perMillion = (dollars: number) => `$${((dollars / tally.records) * 1e6).toFixed(3)}`;
    return [
      label,
      tally.records.toLocaleString('en-US'),
      (tally.records / tally.invocations).toFixed(1),
      (tally.readUnits / tally.records).toFixed(2),
      (tally.writeUnits / tally.records).toFixed(2),
      (tally.cpuMs / tally.records).toFixed(2),
      (billedMs(tally, ANALYZER_MEMORY_MB) / tally.records).toFixed(2),
      perMillion(cost.lambda),
      perMillion(cost.sqs),
      perMillion(cost.dynamoDb),
      perMillion(cost.total),
    ];
  };
  const rows = options.checkpointDays.filter((day) => tallies.has(day)).map((day) => row(`busy, day ${day}`, tallies.get(day)!));
  if (tallies.has('history')) rows.push(row('quiet history', tallies.get('history')!));
  printTable(['records of', 'records', 'rec/batch', 'RU/rec', 'WU/rec', 'CPU ms/rec', 'billed ms/rec', 'Lambda/M', 'SQS/M', 'DynamoDB/M', 'total/M'], rows);
  const total = sum([...tallies.values()]);
  console.log(
    `records: ${run.ingested.generated.toLocaleString('en-US')} generated, ${run.ingested.queued.toLocaleString('en-US')} queued (the rest are CloudTrail calls no deployed rule forwards), ` +
      `${(total.records / total.messages).toFixed(1)} a message, ${run.batches.toLocaleString('en-US')} batches, ${run.alerts} alerts published; target: at most $0.40 per million, flat from day 1 to day ${last}`,
  );
  console.log(
    `record on the queue -> alert published (its batch's first alert, or the end of its batch), busy hours: p50 ${(percentile(latencies, 0.5) / 1000).toFixed(2)} s, p99 ${(percentile(latencies, 0.99) / 1000).toFixed(2)} s (target: p99 at most 5 s)`,
  );
  console.log(
    `prices (${PRICES.region}, list): Lambda arm64 $${PRICES.lambdaPerGbSecond}/GB-s at ${ANALYZER_MEMORY_MB} MB and $${(PRICES.lambdaPerRequest * 1e6).toFixed(2)}/M requests; ` +
      `SQS $${(PRICES.sqsPerRequest * 1e6).toFixed(2)}/M requests; DynamoDB on demand $${(PRICES.dynamoDbPerReadUnit * 1e6).toFixed(3)}/M read units, $${(PRICES.dynamoDbPerWriteUnit * 1e6).toFixed(3)}/M write units`,
  );
}

function printBreakdown(byKind: Map<string, { read: number; write: number; calls: number }>, records: number): void {
  const rows = [...byKind]
    .sort((a, b) => b[1].read + b[1].write - (a[1].read + a[1].write))
    .map(([label, entry]) => [label, entry.calls.toLocaleString('en-US'), (entry.read / records).toFixed(3), (entry.write / records).toFixed(3)]);
  printTable(['call and item', 'calls', 'RU/rec', 'WU/rec'], rows);
}

function sum(tallies: Tally[]): Tally {
  const total = emptyTally();
  for (const tally of tallies) for (const key of Object.keys(total) as (keyof Tally)[]) total[key] += tally[key];
  return total;
}
