import { stat } from 'node:fs/promises';
import type { Config } from '#core/config';
import type { RejectedRecord, SecurityEvent, Source } from '#core/model/event';
import type { Incident } from '#core/model/incident';
import { describeLocator, emptyOutput, normalizeValue } from '#core/normalize/index';
import { Pipeline } from '#core/pipeline';
import { type SettledPart, compareIncidents } from '#core/correlate/index';
import { MemoryStore } from './memory-store.ts';
import { readJsonItems } from './record-files.ts';

export interface ReplayOptions {
  config: Config;
  /** Cluster for raw audit events that arrive without their CloudWatch log group. */
  cluster?: string;
  batchSize?: number;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface ReplayStats {
  files: number;
  bytes: number;
  events: number;
  eventsBySource: Record<Source, number>;
  rejected: number;
  controlMessages: number;
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
  stats: ReplayStats;
}

/** Local mode: recorded files through the whole core, on the embedded store. */
export async function replayFiles(files: readonly string[], options: ReplayOptions): Promise<ReplayResult> {
  // Small batches keep parsed records young enough for the cheap garbage collections.
  const batchSize = options.batchSize ?? 400;
  const windowMs = options.config.windowHours * 3600_000;
  const store = new MemoryStore({ graphRetentionMs: options.config.graphRetentionHours * 3600_000, windowMs });
  const pipeline = new Pipeline(store, options.config);
  const totalBytes = (await Promise.all(files.map((file) => stat(file)))).reduce((sum, info) => sum + info.size, 0);
  let bytesRead = 0;
  const onBytes = options.onProgress
    ? (bytes: number) => {
        bytesRead += bytes;
        options.onProgress!(bytesRead, totalBytes);
      }
    : undefined;
  const rejected: RejectedRecord[] = [];
  const eventsBySource: Record<Source, number> = { 'eks-audit': 0, cloudtrail: 0, guardduty: 0 };
  let controlMessages = 0;
  let signals = 0;
  let batch: SecurityEvent[] = [];
  let newestEventTime = 0;
  let lastSettled = 0;
  const settled: Omit<SettledPart, 'signalIds'>[] = [];
  const flush = async () => {
    for (const event of batch) if (event.time > newestEventTime) newestEventTime = event.time;
    signals += (await pipeline.ingest(batch)).length;
    batch = [];
    // A long replay settles what is a window behind, so memory follows the window, not the input.
    if (lastSettled === 0) lastSettled = newestEventTime;
    if (newestEventTime - lastSettled >= windowMs) {
      const { signalIds: _, ...part } = await pipeline.settle(newestEventTime - windowMs);
      settled.push(part);
      lastSettled = newestEventTime;
    }
  };
  for (const file of files) {
    const out = emptyOutput();
    const context = { file, defaultCluster: options.cluster };
    for await (const items of readJsonItems(file, onBytes)) {
      for (const item of items) {
        if ('error' in item) rejected.push({ file, record: describeLocator(item.where), reason: item.error });
        else normalizeValue(item.value, item.where, context, out);
      }
      for (const event of out.events) {
        eventsBySource[event.source]++;
        batch.push(event);
      }
      out.events.length = 0;
      if (out.rejected.length > 0) {
        rejected.push(...out.rejected);
        out.rejected.length = 0;
      }
      if (batch.length >= batchSize) await flush();
    }
    controlMessages += out.controlMessages;
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
    stats: {
      files: files.length,
      bytes: totalBytes,
      events: eventsBySource['eks-audit'] + eventsBySource.cloudtrail + eventsBySource.guardduty,
      eventsBySource,
      rejected: rejected.length,
      controlMessages,
      signals,
      suppressedSignals: suppressed.length,
      retractedSignals: parts.reduce((sum, part) => sum + part.retracted, 0),
      contextOnlyGroups: parts.reduce((sum, part) => sum + part.contextOnlyGroups, 0),
      incidents: incidents.length,
      graphNodes: store.size.nodes,
    },
  };
}
