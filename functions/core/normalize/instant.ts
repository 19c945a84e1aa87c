import { RecordRejected } from './rejection.ts';

/**
 * Source timestamps must be real instants. AWS and Kubernetes write ISO 8601 with a zone;
 * some exports (GuardDuty through some pipelines, Panther) drop the 'T' or the zone, which
 * we read as UTC. A date that does not exist (Feb 30, hour 25) is an error, never a guess.
 */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/;

// Records in a stream share their minute: remember the last one checked (the hot path).
let lastMinuteText = '';
let lastMinuteMs = 0;
const SECONDS_FRACTION_Z = /^:([0-5]\d)(?:\.(\d{1,9}))?Z$/;

export function parseInstant(text: string): number | string {
  if (lastMinuteText && text.startsWith(lastMinuteText)) {
    const withinMinute = millisecondsIntoMinute(text);
    if (withinMinute >= 0) return lastMinuteMs + withinMinute;
  }
  const result = parseFully(text);
  if (typeof result === 'number' && result >= 0 && text.charCodeAt(10) === 84 /* T */ && SECONDS_FRACTION_Z.test(text.slice(16))) {
    lastMinuteText = text.slice(0, 16);
    lastMinuteMs = result - (result % 60_000);
  }
  return result;
}

const ZERO = 48;
const digitAt = (text: string, index: number) => text.charCodeAt(index) - ZERO;
const isDigit = (digit: number) => digit >= 0 && digit <= 9;

/**
 * What SECONDS_FRACTION_Z reads after the minute (":SS", then up to nine fraction digits, then
 * "Z") in milliseconds, read digit by digit; -1 when the rest is not that.
 */
function millisecondsIntoMinute(text: string): number {
  const tens = digitAt(text, 17);
  const ones = digitAt(text, 18);
  if (text.charCodeAt(16) !== 58 /* : */ || tens < 0 || tens > 5 || !isDigit(ones)) return -1;
  const last = text.length - 1;
  if (text.charCodeAt(last) !== 90 /* Z */) return -1;
  let millis = 0;
  if (last > 19) {
    const fractionDigits = last - 20;
    if (text.charCodeAt(19) !== 46 /* . */ || fractionDigits < 1 || fractionDigits > 9) return -1;
    for (let index = 20; index < last; index++) {
      const digit = digitAt(text, index);
      if (!isDigit(digit)) return -1;
      if (index < 23) millis += digit * 10 ** (22 - index);
    }
  } else if (last !== 19) {
    return -1;
  }
  return (tens * 10 + ones) * 1000 + millis;
}

/** CloudTrail began recording on 2013-11-13: nothing any of the three sources wrote is older. */
export const EARLIEST_RECORD_TIME = Date.UTC(2013, 10, 13);
/** How far past the clock a record may be dated: clock skew and delivery batching, nothing more. */
export const FUTURE_TOLERANCE_MS = 3600_000;

/**
 * A record's own time, read from its field `label` names. Event time drives the local clock,
 * settling and retention, so one record dated 1970 or 9999 would age out or split everything
 * else: an instant before CloudTrail existed or more than the tolerance past `now` is refused.
 */
export function eventTime(label: string, text: string, now: number): number {
  const time = parseInstant(text);
  if (typeof time === 'string') throw new RecordRejected(`${label}: ${time}`, 'invalid-field');
  if (time < EARLIEST_RECORD_TIME) {
    throw new RecordRejected(`${label}: "${truncate(text)}" is before 2013-11-13, when CloudTrail began`, 'time-out-of-range');
  }
  if (time > now + FUTURE_TOLERANCE_MS) {
    throw new RecordRejected(`${label}: "${truncate(text)}" is more than an hour ahead of the clock`, 'time-out-of-range');
  }
  return time;
}

function parseFully(text: string): number | string {
  const m = ISO_INSTANT.exec(text);
  if (!m) return `"${truncate(text)}" is not an ISO 8601 timestamp`;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(utc);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    return `"${truncate(text)}" is not a real date and time`;
  }
  const zone = m[8];
  if (!zone || zone === 'Z') return utc;
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
  if (offsetMinutes > 14 * 60) return `"${truncate(text)}" has an impossible zone offset`;
  return utc - sign * offsetMinutes * 60_000;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
