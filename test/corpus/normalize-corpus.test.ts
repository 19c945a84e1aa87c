import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { corpusFiles, hasCorpus } from '../../eval/corpus.ts';

type Json = Record<string, unknown>;

/** Independent of the schemas: what a record must have at the very least to be usable. */
function missingEssentials(source: string, record: Json): string | undefined {
  const has = (field: string) => typeof record[field] === 'string' && (record[field] as string).length > 0;
  const validTime = (field: string) => has(field) && !Number.isNaN(Date.parse(record[field] as string));
  if (source === 'eks-audit') {
    // A record without a verb is kept (no rule that reads a verb matches it): anonymous probes are logged so.
    if (!has('auditID')) return 'auditID';
    if (!['requestReceivedTimestamp', 'stageTimestamp', 'timestamp'].some(has)) return 'requestReceivedTimestamp';
    return undefined;
  }
  if (source === 'cloudtrail') {
    for (const field of ['eventID', 'eventSource', 'eventName']) if (!has(field)) return field;
    if (!validTime('eventTime')) return 'eventTime';
    if (typeof record.userIdentity !== 'object' || record.userIdentity === null) return 'userIdentity';
    return undefined;
  }
  const id = record.id ?? record.Id;
  return typeof id === 'string' ? undefined : 'id';
}

describe.skipIf(!hasCorpus)('every record of the shared corpus is normalized or rejected with a reason', () => {
  for (const { source, path } of corpusFiles()) {
    it(`${source}/${path.split('/').pop()}`, () => {
      const lines = readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line.trim().length > 0);
      const out = emptyOutput();
      lines.forEach((line, index) => {
        normalizeValue(JSON.parse(line), `line ${index + 1}`, { file: path, defaultCluster: 'corpus' }, out);
      });
      expect(out.events.length + out.rejected.length).toBe(lines.length);
      expect(out.events.every((event) => event.source === source)).toBe(true);
      const rejectedLines = new Map(out.rejected.map((rejected) => [rejected.record, rejected.reason]));
      const normalized = new Map(out.events.map((event) => [event.raw, event]));
      lines.forEach((line, index) => {
        const raw = JSON.parse(line) as Json;
        const missing = missingEssentials(source, raw);
        const reason = rejectedLines.get(`line ${index + 1}`);
        if (missing) {
          // A record without its essentials is rejected, and the reason says which field.
          expect(reason, `line ${index + 1}`).toBeDefined();
          expect(reason).toMatch(/:/);
        } else if (reason) {
          // Complete records are only ever rejected for a wrongly typed or impossible field.
          expect(reason, `line ${index + 1}`).toMatch(/expected|not a real date|not an ISO 8601/);
        }
      });
      for (const [raw, event] of normalized) {
        const record = raw as Json;
        expect(event.eventId).toBe(record.auditID ?? record.eventID ?? record.id ?? record.Id);
        expect(Number.isFinite(event.time)).toBe(true);
      }
    });
  }

  it('reads the whole corpus: 1,054 records in eight files', () => {
    const files = corpusFiles();
    const total = files.reduce(
      (sum, { path }) =>
        sum +
        readFileSync(path, 'utf8')
          .split('\n')
          .filter((line) => line.trim()).length,
      0,
    );
    expect(files).toHaveLength(8);
    // The figure PROVENANCE.md states for the staged corpus.
    expect(total).toBe(1054);
  });
});
