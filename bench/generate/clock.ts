/**
 * Simulated time. Every instant is an integer count of microseconds since the epoch
 * (2026 is ~1.8e15 µs, well inside exact double range), because audit events carry
 * microsecond timestamps.
 */

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
export const MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;

/** A stretch of simulated time with its own rate: `hours` long, or open-ended when last. */
export interface RateSegment {
  hours: number;
  recordsPerHour: number;
}

/**
 * Record slot `i` happens at its segment's start + (its index there)*step plus a jitter smaller
 * than one step: the average rate is exact and times strictly increase, while gaps still look
 * irregular. The last segment's rate goes on for as many records as are asked for.
 */
export class SlotClock {
  private readonly startMicros: number;
  private readonly segments: { firstIndex: number; startMicros: number; stepMicros: number }[] = [];

  constructor(startIso: string, rates: number | readonly RateSegment[]) {
    const startMs = Date.parse(startIso);
    if (!Number.isFinite(startMs)) throw new Error(`start: "${startIso}" is not an ISO instant`);
    const schedule = typeof rates === 'number' ? [{ hours: Number.POSITIVE_INFINITY, recordsPerHour: rates }] : rates;
    if (schedule.length === 0 || !schedule.every((segment) => segment.recordsPerHour > 0 && segment.hours > 0)) {
      throw new Error('recordsPerHour must be positive, and every segment last more than no time');
    }
    this.startMicros = startMs * 1000;
    let firstIndex = 0;
    let segmentStart = this.startMicros;
    for (const { hours, recordsPerHour } of schedule) {
      this.segments.push({ firstIndex, startMicros: segmentStart, stepMicros: MICROS_PER_HOUR / recordsPerHour });
      firstIndex += Math.round(hours * recordsPerHour);
      segmentStart += hours * MICROS_PER_HOUR;
    }
  }

  get start(): number {
    return this.startMicros;
  }

  slot(index: number, jitter: number): number {
    let segment = this.segments[0]!;
    for (const next of this.segments) if (next.firstIndex <= index) segment = next;
    return Math.floor(segment.startMicros + (index - segment.firstIndex + jitter) * segment.stepMicros);
  }
}

// Formatting cache: records arrive about once a second, so consecutive ones share
// their minute; the "YYYY-MM-DDTHH:MM:" prefix is computed once per minute.
let cachedMinute = Number.NaN;
let cachedPrefix = '';
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

function secondPrefix(micros: number): string {
  const second = Math.floor(micros / MICROS_PER_SECOND);
  const minute = Math.floor(second / 60);
  if (minute !== cachedMinute) {
    cachedMinute = minute;
    cachedPrefix = new Date(minute * 60_000).toISOString().slice(0, 17);
  }
  return cachedPrefix + TWO_DIGITS[second - minute * 60];
}

/** Kubernetes audit style: 2026-11-16T00:00:05.123456Z */
export function isoMicros(micros: number): string {
  const fraction = micros - Math.floor(micros / MICROS_PER_SECOND) * MICROS_PER_SECOND;
  return `${secondPrefix(micros)}.${String(fraction).padStart(6, '0')}Z`;
}

/** GuardDuty style: 2026-11-16T00:00:05.123Z */
export function isoMillis(micros: number): string {
  const fraction = Math.floor((micros - Math.floor(micros / MICROS_PER_SECOND) * MICROS_PER_SECOND) / 1000);
  return `${secondPrefix(micros)}.${String(fraction).padStart(3, '0')}Z`;
}

/** CloudTrail eventTime and Kubernetes object timestamps: 2026-11-16T00:00:05Z */
export function isoSeconds(micros: number): string {
  return `${secondPrefix(micros)}Z`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** How CloudTrail writes STS credential expirations: "Nov 16, 2026, 1:00:05 AM". */
export function awsExpiration(micros: number): string {
  const date = new Date(Math.floor(micros / 1000));
  const hours = date.getUTCHours();
  const hour12 = hours % 12 === 0 ? 12 : hours % 12;
  const mm = String(date.getUTCMinutes()).padStart(2, '0');
  const ss = String(date.getUTCSeconds()).padStart(2, '0');
  const day = `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}, ${date.getUTCFullYear()}`;
  return `${day}, ${hour12}:${mm}:${ss} ${hours < 12 ? 'AM' : 'PM'}`;
}

/** Hour of the UTC day, for daytime-only human activity. */
export function utcHour(micros: number): number {
  return Math.floor(micros / MICROS_PER_HOUR) % 24;
}
