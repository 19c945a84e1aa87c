const DAY_MS = 24 * 60 * 60_000;
const WEEK_MS = 7 * DAY_MS;

export class InvalidMonth extends Error {
  constructor(readonly month: string) {
    super(`the month must be written YYYY-MM, for example 2026-11; got ${JSON.stringify(month)}`);
    this.name = 'InvalidMonth';
  }
}

export interface Period {
  from: Date;
  /** Exclusive: the first instant after the period. */
  to: Date;
}

/** A calendar month in UTC, so the report is the same wherever it is generated. */
export function monthPeriod(month: string): Period {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!match) throw new InvalidMonth(month);
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  return { from: new Date(Date.UTC(year, index, 1)), to: new Date(Date.UTC(year, index + 1, 1)) };
}

/** "2026-11" -> "2026-10". */
export function previousMonth(month: string): string {
  const { from } = monthPeriod(month);
  return monthOf(new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() - 1, 1)));
}

function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

export interface IsoWeek {
  /** "2026-W44": the ISO year can differ from the calendar year around New Year. */
  week: string;
  /** The week's Monday, "2026-10-26". */
  monday: string;
  start: number;
  end: number;
}

export function isoWeekOf(time: number): IsoWeek {
  const midnight = Math.floor(time / DAY_MS) * DAY_MS;
  const weekday = (new Date(midnight).getUTCDay() + 6) % 7;
  const start = midnight - weekday * DAY_MS;
  // The ISO week belongs to the year of its Thursday, and is numbered from that year's first Thursday.
  const thursday = new Date(start + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const ordinal = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / DAY_MS);
  const number = Math.floor(ordinal / 7) + 1;
  return {
    week: `${year}-W${String(number).padStart(2, '0')}`,
    monday: new Date(start).toISOString().slice(0, 10),
    start,
    end: start + WEEK_MS,
  };
}

/** Every ISO week with at least one instant in [from, to). */
export function weeksOverlapping(period: Period): IsoWeek[] {
  const weeks: IsoWeek[] = [];
  const to = period.to.getTime();
  for (let week = isoWeekOf(period.from.getTime()); week.start < to; week = isoWeekOf(week.end)) weeks.push(week);
  return weeks;
}
