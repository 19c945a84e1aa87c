import { type WriteStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { type Config, onlyConfiguredCluster } from '#core/config';
import type { AuditEvent, RejectedRecord, SecurityEvent, Source } from '#core/model/event';
import type { Incident } from '#core/model/incident';
import { type NormalizeContext, type RecordOrigin, describeLocator, emptyOutput, normalizeValue } from '#core/normalize/index';
import { type ClusterChoice, ClusterNames, chooseClusterForUnnamedAudit } from '#core/normalize/cluster-names';
import { Pipeline } from '#core/pipeline';
import { type SettledPart, compareIncidents } from '#core/correlate/index';
import { MemoryStore } from './memory-store.ts';
import { STDIN, readJsonItems } from './record-files.ts';

export interface ReplayOptions {
  config: Config;
  /** Cluster for raw audit events that arrive without their CloudWatch log group. */
  cluster?: string;
  batchSize?: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** What the file name '-' reads: standard input unless a test substitutes a stream. */
  stdin?: Readable;
  /** The clock records may not be dated far ahead of (epoch ms); now when absent. */
  now?: number;
  /** Raw audit events waiting for their cluster kept in memory; the rest wait in a temporary file. */
  maxHeldUnclustered?: number;
}

export interface ReplayStats {
  files: number;
  bytes: number;
  events: number;
  eventsBySource: Record<Source, number>;
  rejected: number;
  controlMessages: number;
  /** CloudTrail Insights records, which describe call rates rather than calls: skipped. */
  insightsSkipped: number;
  /** Raw audit events whose cluster was taken from the rest of the replay, the configuration or a placeholder (see notes). */
  auditEventsWithInferredCluster: number;
  signals: number;
  suppressedSignals: number;
  retractedSignals: number;
  contextOnlyGroups: number;
  incidents: number;
  graphNodes: number;
}

export interface ReplayResult {
  incidents: Incident[];
  rejected: RejectedRecord[];
  suppressed: { signal: string; rule: string; reason: string; owner: string }[];
  /** What the replay decided on the reader's behalf (such as which cluster raw audit events belong to), one line each. */
  notes: string[];
  stats: ReplayStats;
}

/** How standard input is named in the rejected list. */
const STDIN_NAME = '(standard input)';

/** About 40 MB of audit events: past this, events waiting for their cluster go to disk. */
const MAX_HELD_UNCLUSTERED = 10_000;

/** Local mode: recorded files (or standard input, '-') through the whole core, on the embedded store. */
export async function replayFiles(files: readonly string[], options: ReplayOptions): Promise<ReplayResult> {
  // Small batches keep parsed records young enough for the cheap garbage collections.
  const batchSize = options.batchSize ?? 400;
  const windowMs = options.config.windowHours * 3600_000;
  const store = new MemoryStore({ graphRetentionMs: options.config.graphRetentionHours * 3600_000, windowMs });
  const pipeline = new Pipeline(store, options.config);
  const totalBytes = (await Promise.all(files.map((file) => (file === STDIN ? { size: 0 } : stat(file))))).reduce((sum, info) => sum + info.size, 0);
  let bytesRead = 0;
  const onBytes = options.onProgress
    ? (bytes: number) => {
        bytesRead += bytes;
        options.onProgress!(bytesRead, totalBytes);
      }
    : undefined;
  const rejected: RejectedRecord[] = [];
  const notes: string[] = [];
  const eventsBySource: Record<Source, number> = { 'eks-audit': 0, cloudtrail: 0, guardduty: 0, inspector: 0 };
  const origins = new WeakMap<SecurityEvent, RecordOrigin>();
  const clusterNames = new ClusterNames();
  // Raw audit events without a cluster wait for the whole input: a later file may name it.
  const unclustered = new UnclusteredAudit(origins, options.maxHeldUnclustered ?? MAX_HELD_UNCLUSTERED);
  let controlMessages = 0;
  let insightsSkipped = 0;
  let signals = 0;
  let batch: SecurityEvent[] = [];
  let newestEventTime = 0;
  let lastSettled = 0;
  const settled: Omit<SettledPart, 'signalIds'>[] = [];
  const onRejected = (event: SecurityEvent, rejection: { code: string; reason: string }) => {
    const origin = origins.get(event);
    rejected.push({
      file: origin?.file ?? event.source,
      record: origin?.record ?? event.eventId,
      reason: rejection.reason,
      code: rejection.code as RejectedRecord['code'],
    });
  };
  const flush = async () => {
    for (const event of batch) if (event.time > newestEventTime) newestEventTime = event.time;
    signals += (await pipeline.ingest(batch, onRejected)).length;
    batch = [];
    // A long replay settles what is a window behind, so memory follows the window, not the input;
    // never past the oldest audit event still waiting for its cluster, which may yet join an incident.
    const horizon = Math.min(newestEventTime, unclustered.oldestTime);
    if (lastSettled === 0) lastSettled = horizon;
    if (horizon - lastSettled >= windowMs) {
      const { signalIds: _, ...part } = await pipeline.settle(horizon - windowMs);
      settled.push(part);
      lastSettled = horizon;
    }
  };
  try {
    for (const file of files) {
      const out = emptyOutput();
      const name = file === STDIN ? STDIN_NAME : file;
      const context: NormalizeContext = {
        file: name,
        defaultCluster: options.cluster,
        deferUnclusteredAudit: options.cluster === undefined,
        clusterNames,
        origins,
        now: options.now,
      };
      for await (const items of readJsonItems(file, { onBytes, stdin: options.stdin })) {
        for (const item of items) {
          if ('error' in item) rejected.push({ file: name, record: describeLocator(item.where), reason: item.error, code: item.code });
          else normalizeValue(item.value, item.where, context, out);
        }
        for (const event of out.events) {
          eventsBySource[event.source]++;
          batch.push(event);
        }
        out.events.length = 0;
        for (const event of out.unclustered) {
          eventsBySource['eks-audit']++;
          await unclustered.add(event);
        }
        out.unclustered.length = 0;
        if (out.rejected.length > 0) {
          rejected.push(...out.rejected);
          out.rejected.length = 0;
        }
        if (batch.length >= batchSize) await flush();
      }
      controlMessages += out.controlMessages;
      insightsSkipped += out.insightsSkipped;
    }
    if (unclustered.count > 0) {
      const choice = chooseClusterForUnnamedAudit(clusterNames, onlyConfiguredCluster(options.config), unclustered.count);
      notes.push(choice.note);
      for await (const event of unclustered.readAs(choice, options.now, rejected)) {
        batch.push(event);
        if (batch.length >= batchSize) await flush();
      }
    }
  } finally {
    await unclustered.discard();
  }
  await flush();
  const open = await pipeline.correlate();
  const parts = [...settled, { ...open, retracted: open.retracted.length }];
  const incidents = parts.flatMap((part) => part.incidents).sort(compareIncidents);
  const suppressed = parts.flatMap((part) => part.suppressed);
  return {
    incidents,
    rejected,
    suppressed,
    notes,
    stats: {
      files: files.length,
      bytes: totalBytes,
      events: eventsBySource['eks-audit'] + eventsBySource.cloudtrail + eventsBySource.guardduty + eventsBySource.inspector,
      eventsBySource,
      rejected: rejected.length,
      controlMessages,
      insightsSkipped,
      auditEventsWithInferredCluster: unclustered.count,
      signals,
      suppressedSignals: suppressed.length,
      retractedSignals: parts.reduce((sum, part) => sum + part.retracted, 0),
      contextOnlyGroups: parts.reduce((sum, part) => sum + part.contextOnlyGroups, 0),
      incidents: incidents.length,
      graphNodes: store.size.nodes,
    },
  };
}

/**
 * Raw audit events waiting for the cluster the rest of the input names: the first ones held in
 * memory, the others written to a temporary file as the records they were, so memory stays bounded
 * whatever the size of an audit export replayed without --cluster.
 */
class UnclusteredAudit {
  count = 0;
  oldestTime = Number.POSITIVE_INFINITY;
  private readonly held: AuditEvent[] = [];
  private spill?: { directory: string; path: string; stream: WriteStream };

  constructor(
    private readonly origins: WeakMap<SecurityEvent, RecordOrigin>,
    private readonly maxHeld: number,
  ) {}

  async add(event: AuditEvent): Promise<void> {
    this.count++;
    if (event.time < this.oldestTime) this.oldestTime = event.time;
    if (this.held.length < this.maxHeld) {
      this.held.push(event);
      return;
    }
    this.spill ??= await openSpill();
    const origin = this.origins.get(event);
    if (!this.spill.stream.write(`${JSON.stringify({ origin, record: event.raw })}\n`)) await once(this.spill.stream, 'drain');
  }

  /** Every waiting event, in input order, now read as belonging to the chosen cluster (and its account). */
  async *readAs({ cluster, accountId }: ClusterChoice, now: number | undefined, rejected: RejectedRecord[]): AsyncGenerator<SecurityEvent> {
    for (const event of this.held) {
      event.cluster = cluster;
      if (accountId) event.accountId = accountId;
      yield event;
    }
    if (!this.spill) return;
    this.spill.stream.end();
    await once(this.spill.stream, 'finish');
    const out = emptyOutput();
    for await (const items of readJsonItems(this.spill.path)) {
      for (const item of items) {
        if (!('value' in item)) continue;
        const { origin, record } = item.value as { origin?: RecordOrigin; record: unknown };
        const context: NormalizeContext = { file: origin?.file ?? 'audit', defaultCluster: cluster, origins: this.origins, now };
        normalizeValue(record, origin?.record ?? item.where, context, out);
      }
      if (accountId) for (const event of out.events) if (event.source === 'eks-audit') event.accountId = accountId;
      yield* out.events;
      out.events.length = 0;
      rejected.push(...out.rejected);
      out.rejected.length = 0;
    }
  }

  async discard(): Promise<void> {
    if (!this.spill) return;
    this.spill.stream.destroy();
    await rm(this.spill.directory, { recursive: true, force: true });
  }
}

async function openSpill(): Promise<{ directory: string; path: string; stream: WriteStream }> {
  const directory = await mkdtemp(join(tmpdir(), 'pivotguard-unclustered-'));
  const path = join(directory, 'audit.jsonl');
  return { directory, path, stream: createWriteStream(path) };
}
