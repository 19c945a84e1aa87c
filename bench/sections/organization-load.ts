import { AsyncLocalStorage } from 'node:async_hooks';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { defaultConfig } from '#core/config';
import { ANALYZER_BATCH_SIZE, ANALYZER_BATCHING_WINDOW } from '../../lib/analyzer.ts';
import { DEFAULT_RECORDS_PER_HOUR, generateBusyCluster } from '../generate.ts';
import { deployedAnalyzer } from './deployed-cost/analyzer-on-dynalite.ts';
import { startDynaliteProcess } from './deployed-cost/dynalite-process.ts';
import { costOf, sqsRequestsOf, type Usage } from './deployed-cost/prices.ts';
import { percentile } from './deployed-cost/latency.ts';
import { type Ingested, type LambdaBatch, lambdaBatches, type QueuedMessage, queuedMessages, sqsEvent } from './deployed-cost/sqs-delivery.ts';
import { accountPivot, DATA_ACCOUNT } from './organization-load/account-pivot.ts';
import { printTable } from './table.ts';

/** lib/analyzer.ts gives the analyzer this much memory. */
const ANALYZER_MEMORY_MB = 1024;
/** Each account's busy stretch starts here, so that its pivot (02:22 to 02:31) falls inside it. */
const START = '2026-11-21T02:10:00Z';

export interface OrganizationLoadOptions {
  /** Member accounts simulated, one organization (and one fresh table) per count. */
  accountCounts: readonly number[];
  /** Generated records per account: a busy stretch of its cluster. */
  recordsPerAccount: number;
  /** Records per hour each account's sources produce: a busy production cluster each. */
  recordsPerHourPerAccount: number;
  auditDeliveryMs: number;
  batching: { batchSize: number; windowMs: number };
  /** Batches the bench hands the handler at once, as the event source mapping runs several instances. */
  inFlight: number;
}

/** Records per account are scaled down from a busy day (~100,000) so that the four organizations run in about two minutes on two cores. */
export const DEFAULT_ORGANIZATION_LOAD_OPTIONS: OrganizationLoadOptions = {
  accountCounts: [1, 5, 10, 20],
  recordsPerAccount: 600,
  recordsPerHourPerAccount: DEFAULT_RECORDS_PER_HOUR,
  auditDeliveryMs: 10_000,
  batching: { batchSize: ANALYZER_BATCH_SIZE, windowMs: ANALYZER_BATCHING_WINDOW.toMilliseconds() },
  inFlight: 4,
};

/** One organization's figures. */
export interface OrganizationLoadRow {
  accounts: number;
  /** Records that reached the queue (CloudTrail calls no deployed rule forwards never do). */
  records: number;
  batches: number;
  alerts: number;
  recordsPerSecond: number;
  readUnitsPerRecord: number;
  writeUnitsPerRecord: number;
  p50Ms: number;
  p99Ms: number;
  costPerMillion: number;
}

/**
 * Many member accounts on one hub: each account's busy cluster (its own cluster, account id,
 * seed and one cross-account pivot) reaches the hub's one queue, and the real analyzer handler
 * over dynalite takes the merged queue in the batches the event source mapping would hand it,
 * `inFlight` batches at once. Run per account count, each on a fresh table; the figures should
 * not move as accounts are added.
 */
export async function organizationLoad(options: OrganizationLoadOptions): Promise<OrganizationLoadRow[]> {
  const rows: OrganizationLoadRow[] = [];
  for (const accounts of options.accountCounts) rows.push(await organizationRun(accounts, options));
  printReport(options, rows);
  return rows;
}

async function organizationRun(accounts: number, options: OrganizationLoadOptions): Promise<OrganizationLoadRow> {
  const messages = organizationQueue(accounts, options);
  const batches = [...lambdaBatches(messages, options.batching)];
  const dynalite = await startDynaliteProcess();
  try {
    const analyzer = await deployedAnalyzer(dynalite, defaultConfig);
    const alertsOf = attributeAlerts();
    const outcomes: Outcome[] = [];
    const inFlight = new Set<Promise<void>>();
    // One clock for all instances: the newest batch handed over, as the handler's `now`.
    let newestEventTime = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (const [index, batch] of batches.entries()) {
      if (inFlight.size >= options.inFlight) await Promise.race(inFlight);
      newestEventTime = Math.max(newestEventTime, ...batch.messages.map((message) => message.eventTime));
      const run = alertsOf(() => analyzer.invoke(sqsEvent(batch), newestEventTime + 1000)).then(({ result, alertAt, startedAt }) => {
        if (result.response.batchItemFailures.length > 0) throw new Error(`the analyzer failed ${result.response.batchItemFailures.length} messages`);
        outcomes[index] = { startedAt, endedAt: performance.now(), firstAlertAt: alertAt[0], alerts: alertAt.length };
      });
      const tracked = run.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    }
    await Promise.all(inFlight);
    const elapsedMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const records = messages.reduce((sum, message) => sum + message.records, 0);
    const ownTime = processorSharing(outcomes);
    const usage: Usage = {
      invocations: batches.length,
      cpuMs: (used.user + used.system) / 1000,
      wallMs: outcomes.reduce((sum, outcome) => sum + ownTime(outcome.startedAt, outcome.endedAt), 0),
      sqsRequests: sqsRequestsOf(messages.map((message) => Buffer.byteLength(message.body))),
      readUnits: analyzer.meter.read,
      writeUnits: analyzer.meter.write,
    };
    const latencies = queueToAlert(
      batches,
      outcomes.map((outcome) => ({
        durationMs: ownTime(outcome.startedAt, outcome.endedAt),
        toAlertMs: outcome.firstAlertAt === undefined ? undefined : ownTime(outcome.startedAt, outcome.firstAlertAt),
      })),
      options.inFlight,
    );
    return {
      accounts,
      records,
      batches: batches.length,
      alerts: outcomes.reduce((sum, outcome) => sum + outcome.alerts, 0),
      recordsPerSecond: records / (elapsedMs / 1000),
      readUnitsPerRecord: usage.readUnits / records,
      writeUnitsPerRecord: usage.writeUnits / records,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      costPerMillion: (costOf(usage, ANALYZER_MEMORY_MB).total / records) * 1e6,
    };
  } finally {
    await dynalite.stop();
  }
}

/** One invocation as run here: when it started and ended, when it published its first alert (performance.now() ms). */
interface Outcome {
  startedAt: number;
  endedAt: number;
  firstAlertAt?: number;
  alerts: number;
}

/**
 * The batches in flight here share one event loop, where each Lambda instance would have its own
 * CPU: an invocation's own time over a stretch counts each moment divided by the number of
 * invocations in flight then (processor sharing), so that the others' work is not billed or
 * waited for twice. Summed over all invocations it is the time at least one was running.
 */
function processorSharing(outcomes: Outcome[]): (from: number, to: number) => number {
  const boundaries = [...new Set(outcomes.flatMap((outcome) => [outcome.startedAt, outcome.endedAt]))].sort((a, b) => a - b);
  return (from, to) => {
    const points = [from, ...boundaries.filter((point) => point > from && point < to), to];
    let own = 0;
    for (let i = 1; i < points.length; i++) {
      const middle = (points[i - 1]! + points[i]!) / 2;
      const running = outcomes.filter((outcome) => outcome.startedAt <= middle && middle < outcome.endedAt).length;
      own += (points[i]! - points[i - 1]!) / Math.max(1, running);
    }
    return own;
  };
}

/**
 * The hub's queue: every member account's records as its forwarding delivers them, merged by the
 * time they reach the queue. Each account produces at the busy rate from the same instant, so
 * the queue fills `accounts` times as fast.
 */
function organizationQueue(accounts: number, options: OrganizationLoadOptions): QueuedMessage[] {
  const all: QueuedMessage[] = [];
  for (let index = 1; index <= accounts; index++) {
    const accountId = memberAccountId(index);
    const cluster = `prod-${index}`;
    const generated = [
      ...generateBusyCluster({
        records: options.recordsPerAccount,
        seed: index,
        start: START,
        recordsPerHour: options.recordsPerHourPerAccount,
        cluster,
        accountId,
        includeFindings: true,
      }),
    ];
    const pivot = accountPivot(index, accountId, cluster);
    const lines = spliceByTime(generated, pivot.member, options.recordsPerHourPerAccount);
    const ingested: Ingested = { generated: 0, queued: 0 };
    const arrivals = { recordsPerHour: options.recordsPerHourPerAccount, auditDeliveryMs: options.auditDeliveryMs, cluster, account: accountId };
    // Accounts' log deliveries are not in step: each account's arrivals start a share of a delivery later.
    const phaseMs = ((index - 1) / accounts) * options.auditDeliveryMs;
    for (const message of queuedMessages(lines, arrivals, ingested)) all.push({ ...message, enqueuedAt: message.enqueuedAt + phaseMs });
    // The data account's trail reaches the hub from the data account, as soon after its call as the member's records do after theirs.
    const dataArrivals = { ...arrivals, account: DATA_ACCOUNT };
    for (const message of queuedMessages(
      pivot.dataAccount.map((record) => JSON.stringify(record)),
      dataArrivals,
      { generated: 0, queued: 0 },
    )) {
      all.push({ ...message, enqueuedAt: Math.max(0, message.eventTime - Date.parse(START)) + phaseMs });
    }
  }
  return all.sort((a, b) => a.enqueuedAt - b.enqueuedAt);
}

/** Member account `index` (1-based): 12 digits, none of them another member's or the data account's. */
export function memberAccountId(index: number): string {
  return String(210_000_000_000 + index * 1_001);
}

/** Inserts the pivot's records among the generated lines where their time falls (records before the stretch go first). */
function spliceByTime(generated: string[], records: Record<string, unknown>[], recordsPerHour: number): string[] {
  const lines = [...generated];
  const timed = records.map((record) => ({ line: JSON.stringify(record), position: positionOf(timeOf(record), recordsPerHour) }));
  for (const { line, position } of timed.sort((a, b) => b.position - a.position)) lines.splice(Math.min(position, lines.length), 0, line);
  return lines;
}

/** The index of the generated line at `time`: the generator spreads `recordsPerHour` evenly from START. */
function positionOf(time: number, recordsPerHour: number): number {
  return Math.max(0, Math.round(((time - Date.parse(START)) / 3600_000) * recordsPerHour));
}

function timeOf(record: Record<string, unknown>): number {
  return Date.parse(String(record.requestReceivedTimestamp ?? record.eventTime ?? record.updatedAt));
}

/**
 * Alerts by invocation while several run at once: SNS and EventBridge answer through a fake that
 * notes the time in the calling invocation's own async context.
 */
function attributeAlerts() {
  const current = new AsyncLocalStorage<number[]>();
  const published = () => current.getStore()?.push(performance.now());
  mockClient(SNSClient)
    .on(PublishCommand)
    .callsFake(() => {
      published();
      return { MessageId: 'alert' };
    });
  mockClient(EventBridgeClient)
    .on(PutEventsCommand)
    .callsFake(() => {
      published();
      return { FailedEntryCount: 0, Entries: [{ EventId: 'alert' }] };
    });
  return async <T>(invoke: () => Promise<T>) => {
    const alertAt: number[] = [];
    const startedAt = performance.now();
    const result = await current.run(alertAt, invoke);
    return { result, alertAt, startedAt };
  };
}

/**
 * Enqueue to alert, per record: the time its batch waits for the batching window and for one of
 * `instances` free instances (batches last what they lasted here), plus the batch's time to its
 * first alert, or to its end when it raised none (its own time, see processorSharing).
 */
function queueToAlert(batches: LambdaBatch[], outcomes: { durationMs: number; toAlertMs?: number }[], instances: number) {
  const freeAt = Array.from({ length: instances }, () => 0);
  const latencies: { ms: number; weight: number }[] = [];
  for (const [index, batch] of batches.entries()) {
    const outcome = outcomes[index]!;
    const instance = freeAt.indexOf(Math.min(...freeAt));
    const startsAt = Math.max(batch.readyAt, freeAt[instance]!);
    freeAt[instance] = startsAt + outcome.durationMs;
    for (const message of batch.messages)
      latencies.push({ ms: startsAt - message.enqueuedAt + (outcome.toAlertMs ?? outcome.durationMs), weight: message.records });
  }
  return latencies;
}

function printReport(options: OrganizationLoadOptions, rows: OrganizationLoadRow[]): void {
  console.log(
    `\norganization load on dynalite: member accounts each a busy cluster at ${options.recordsPerHourPerAccount.toLocaleString('en-US')} records an hour ` +
      `(${options.recordsPerAccount.toLocaleString('en-US')} generated per account, scaled down to keep the run short) with one cross-account pivot each, ` +
      `one hub queue; batches of up to ${options.batching.batchSize} messages within ${options.batching.windowMs / 1000} s, ${options.inFlight} in flight`,
  );
  const base = rows[0]!;
  const ratio = (value: number, baseline: number) => `${(value / baseline).toFixed(2)}x`;
  printTable(
    ['accounts', 'records', 'batches', 'alerts', 'rec/s', 'RU/rec', 'WU/rec', 'p50 s', 'p99 s', 'total/M', `rec/s vs ${base.accounts}`, 'units', 'p99', 'cost'],
    rows.map((row) => [
      String(row.accounts),
      row.records.toLocaleString('en-US'),
      row.batches.toLocaleString('en-US'),
      String(row.alerts),
      row.recordsPerSecond.toFixed(0),
      row.readUnitsPerRecord.toFixed(2),
      row.writeUnitsPerRecord.toFixed(2),
      (row.p50Ms / 1000).toFixed(2),
      (row.p99Ms / 1000).toFixed(2),
      `$${row.costPerMillion.toFixed(3)}`,
      ratio(row.recordsPerSecond, base.recordsPerSecond),
      ratio(row.readUnitsPerRecord + row.writeUnitsPerRecord, base.readUnitsPerRecord + base.writeUnitsPerRecord),
      ratio(row.p99Ms, base.p99Ms),
      ratio(row.costPerMillion, base.costPerMillion),
    ]),
  );
  console.log(
    `enqueue -> alert: the batch's wait for its window and a free instance (of ${options.inFlight}), plus its own time to its first alert or its end ` +
      `(time on the one event loop shared by the batches in flight, divided among them); cost per million records at list prices (deployed-cost's model); ` +
      `rec/s is one process's event loop, ${options.inFlight} batches in flight (the deployed function scales out by instances)`,
  );
  console.log(describeVerdict(holdVerdict(rows), base.accounts));
}

/** How much worse a figure got than with the smallest organization (0.3: 30% worse; negative: better). */
export interface HoldVerdict {
  holds: boolean;
  worsened: Record<'recordsPerSecond' | 'unitsPerRecord' | 'p99' | 'costPerMillion', number>;
  /** The figures more than `tolerance` worse. */
  moved: string[];
}

/**
 * Whether the figures hold as accounts are added, against the smallest organization of the same
 * run: throughput no more than `tolerance` lower, units per record, p99 and cost per record no
 * more than `tolerance` higher (fuller batches as accounts are added may improve them).
 */
export function holdVerdict(rows: readonly OrganizationLoadRow[], tolerance = 0.25): HoldVerdict {
  const base = rows[0]!;
  const worst = (pick: (row: OrganizationLoadRow) => number, higherIsWorse: boolean) =>
    Math.max(...rows.map((row) => (higherIsWorse ? pick(row) / pick(base) - 1 : 1 - pick(row) / pick(base))));
  const worsened = {
    recordsPerSecond: worst((row) => row.recordsPerSecond, false),
    unitsPerRecord: worst((row) => row.readUnitsPerRecord + row.writeUnitsPerRecord, true),
    p99: worst((row) => row.p99Ms, true),
    costPerMillion: worst((row) => row.costPerMillion, true),
  };
  const moved = Object.entries(worsened)
    .filter(([, value]) => value > tolerance)
    .map(([name]) => name);
  return { holds: moved.length === 0, worsened, moved };
}

function describeVerdict(verdict: HoldVerdict, baseAccounts: number): string {
  const worst = Object.entries(verdict.worsened)
    .map(([name, value]) => `${name} ${(Math.max(0, value) * 100).toFixed(0)}%`)
    .join(', ');
  return verdict.holds
    ? `holds as accounts are added: no figure more than 25% worse than with ${baseAccounts} account(s) (worst moves: ${worst})`
    : `does not hold as accounts are added: ${verdict.moved.join(', ')} more than 25% worse than with ${baseAccounts} account(s) (worst moves: ${worst})`;
}
