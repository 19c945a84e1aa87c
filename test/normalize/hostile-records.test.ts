import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '#core/model/json';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import { normalizeAuditEvent } from '#core/normalize/audit';
import { normalizeCloudTrailRecord } from '#core/normalize/cloudtrail';
import { normalizeGuardDutyFinding } from '#core/normalize/guardduty';
import { EARLIEST_RECORD_TIME, FUTURE_TOLERANCE_MS } from '#core/normalize/instant';
import { MAX_REASON_CHARS, RecordRejected, rejectionOf } from '#core/normalize/rejection';
import { CLUSTER, auditEvent, cloudTrailRecord, guardDutyFinding } from '../fixtures/records.ts';

type Json = Record<string, unknown>;

/** The clock the records below are read at: half an hour after the pivot scenario. */
const NOW = Date.UTC(2026, 10, 21, 3, 0, 0);

/** `levels` objects, one inside the next; built in a loop, so any depth is cheap to make. */
function nestedObjects(levels: number): Json {
  let value: Json = { bottom: true };
  for (let level = 1; level < levels; level++) value = { inner: value };
  return value;
}

function nestedArrays(levels: number): unknown[] {
  let value: unknown[] = [];
  for (let level = 1; level < levels; level++) value = [value];
  return value;
}

function rejectionFrom(normalize: () => unknown): RecordRejected {
  try {
    normalize();
  } catch (error) {
    if (error instanceof RecordRejected) return error;
    throw error;
  }
  throw new Error('the record was accepted');
}

function pascalCase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(pascalCase);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key.charAt(0).toUpperCase() + key.slice(1), pascalCase(inner)]));
}

describe('records nested deeper than any real one', () => {
  it('are rejected as too-deep by every source, whatever nests: request parameters, request objects, arrays', () => {
    const deep = 5000;
    const cloudTrail = cloudTrailRecord({ requestParameters: nestedObjects(deep) });
    const audit = auditEvent({ requestObject: { spec: nestedArrays(deep) } });
    const finding = guardDutyFinding({ service: { ...(guardDutyFinding().service as Json), additionalInfo: nestedObjects(deep) } });
    expect(rejectionFrom(() => normalizeCloudTrailRecord(cloudTrail, NOW)).code).toBe('too-deep');
    expect(rejectionFrom(() => normalizeAuditEvent(audit, CLUSTER, NOW)).code).toBe('too-deep');
    expect(rejectionFrom(() => normalizeGuardDutyFinding(finding, NOW)).code).toBe('too-deep');
  });

  it('are refused before the PascalCase keys of get-findings output are converted', () => {
    const finding = pascalCase(guardDutyFinding()) as Json;
    (finding.Service as Json).AdditionalInfo = nestedObjects(100_000);
    expect(rejectionFrom(() => normalizeGuardDutyFinding(finding, NOW)).code).toBe('too-deep');
  });

  it('stop at the bound: a record exactly MAX_JSON_DEPTH levels deep is read, one level more is not', () => {
    // The record is level 1, so its parameters may nest one level less.
    const atBound = cloudTrailRecord({ requestParameters: nestedObjects(MAX_JSON_DEPTH - 1) });
    const pastBound = cloudTrailRecord({ requestParameters: nestedObjects(MAX_JSON_DEPTH) });
    expect(normalizeCloudTrailRecord(atBound, NOW).eventId).toBe(atBound.eventID);
    expect(rejectionFrom(() => normalizeCloudTrailRecord(pastBound, NOW)).code).toBe('too-deep');
  });

  it('are set aside through the normalizer entry point without a throw', () => {
    const out = emptyOutput();
    normalizeValue([cloudTrailRecord({ requestParameters: nestedObjects(20_000) }), cloudTrailRecord()], 'line 1', { file: 'in.jsonl' }, out);
    expect(out.events).toHaveLength(1);
    expect(out.rejected).toEqual([expect.objectContaining({ record: 'line 1[0]', reason: expect.stringMatching(/CloudTrail record/) })]);
  });
});

describe('records dated outside what any source could have written', () => {
  const stamped = (time: string) => cloudTrailRecord({ eventTime: time });

  it('reads the first day of CloudTrail and up to the tolerance past the clock', () => {
    expect(normalizeCloudTrailRecord(stamped('2013-11-13T00:00:00Z'), NOW).time).toBe(EARLIEST_RECORD_TIME);
    const justAhead = new Date(NOW + FUTURE_TOLERANCE_MS).toISOString();
    expect(normalizeCloudTrailRecord(stamped(justAhead), NOW).time).toBe(NOW + FUTURE_TOLERANCE_MS);
  });

  it('rejects a record before CloudTrail existed or further ahead of the clock, as time-out-of-range', () => {
    for (const time of ['2013-11-12T23:59:59Z', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z', new Date(NOW + FUTURE_TOLERANCE_MS + 1000).toISOString()]) {
      expect(rejectionFrom(() => normalizeCloudTrailRecord(stamped(time), NOW)).code, time).toBe('time-out-of-range');
    }
    const audit = auditEvent({ requestReceivedTimestamp: '9999-01-01T00:00:00.000000Z' });
    expect(rejectionFrom(() => normalizeAuditEvent(audit, CLUSTER, NOW)).code).toBe('time-out-of-range');
  });

  it('checks every time a finding carries, not only the one it is filed under', () => {
    const service = guardDutyFinding().service as Json;
    const lastSeenAhead = guardDutyFinding({ service: { ...service, eventLastSeen: '2099-01-01T00:00:00.000Z' } });
    const updatedLongAgo = guardDutyFinding({ updatedAt: '2001-01-01T00:00:00.000Z' });
    expect(rejectionFrom(() => normalizeGuardDutyFinding(lastSeenAhead, NOW)).reason).toMatch(/^GuardDuty finding service\.eventLastSeen: /);
    expect(rejectionFrom(() => normalizeGuardDutyFinding(updatedLongAgo, NOW)).code).toBe('time-out-of-range');
  });

  it('keeps a timestamp that is no instant an invalid field', () => {
    expect(rejectionFrom(() => normalizeCloudTrailRecord(stamped('2026-02-30T00:00:00Z'), NOW)).code).toBe('invalid-field');
    expect(rejectionFrom(() => normalizeCloudTrailRecord(stamped('soon'), NOW)).code).toBe('invalid-field');
  });

  it('judges against the wall clock when no clock is given', () => {
    expect(rejectionFrom(() => normalizeCloudTrailRecord(stamped(new Date(Date.now() + 2 * FUTURE_TOLERANCE_MS).toISOString()))).code).toBe(
      'time-out-of-range',
    );
    expect(normalizeCloudTrailRecord(stamped(new Date(Date.now() - 60_000).toISOString())).source).toBe('cloudtrail');
  });
});

describe('rejection reasons', () => {
  it('are one printable line of at most MAX_REASON_CHARS, whatever the record quotes', () => {
    const hostile = `\u001b[31m${'x'.repeat(100_000)}\r\nFAKE\u202e`;
    const reasons = [
      rejectionFrom(() => normalizeCloudTrailRecord(cloudTrailRecord({ eventTime: hostile }), NOW)).reason,
      new RecordRejected(hostile, 'invalid-field').reason,
      rejectionOf(new TypeError(hostile)).reason,
    ];
    const out = emptyOutput();
    normalizeValue({ [hostile]: 1 }, 'line 1', { file: 'in.jsonl' }, out);
    reasons.push(out.rejected[0]!.reason);
    for (const reason of reasons) {
      expect(reason.length).toBeLessThanOrEqual(MAX_REASON_CHARS);
      expect(reason).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
    }
  });

  it('name a fault of pivotguard itself as internal-error, and keep a rejection its own code', () => {
    expect(rejectionOf(new RangeError('Maximum call stack size exceeded'))).toEqual({
      code: 'internal-error',
      reason: 'internal error: RangeError: Maximum call stack size exceeded',
    });
    expect(rejectionOf(new RecordRejected('too deep', 'too-deep'))).toEqual({ code: 'too-deep', reason: 'too deep' });
    expect(rejectionOf('thrown text').code).toBe('internal-error');
  });

  it('carry a code for each way a field can be wrong', () => {
    expect(rejectionFrom(() => normalizeCloudTrailRecord(cloudTrailRecord({ eventName: 42 }), NOW)).code).toBe('invalid-field');
    expect(rejectionFrom(() => normalizeAuditEvent(auditEvent(), undefined, NOW)).code).toBe('invalid-field');
    expect(rejectionFrom(() => normalizeGuardDutyFinding(guardDutyFinding({ severity: 'high' }), NOW)).code).toBe('invalid-field');
  });
});
