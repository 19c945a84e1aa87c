import type { ActionDescriptor } from '#core/actions/descriptor';
import { ACTIONS, type ContainmentAction } from '#core/actions/registry';
import { percent } from '#core/view/words';

// The CLI's doctor counts with the same words as the report.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** "45 s", "4 min 30 s", "2 h 5 min", "3 d 4 h": two units at most, as a person would say it. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 0) return `−${formatDuration(-ms)}`;
  if (ms < SECOND) return `${Math.round(ms)} ms`;
  if (ms < MINUTE) return `${Math.round(ms / SECOND)} s`;
  if (ms < 10 * MINUTE) return pair(ms, MINUTE, 'min', SECOND, 's');
  if (ms < HOUR) return `${Math.round(ms / MINUTE)} min`;
  if (ms < DAY) return pair(ms, HOUR, 'h', MINUTE, 'min');
  return pair(ms, DAY, 'd', HOUR, 'h');
}

function pair(ms: number, big: number, bigUnit: string, small: number, smallUnit: string): string {
  const total = Math.round(ms / small);
  const per = big / small;
  const whole = Math.floor(total / per);
  const rest = total % per;
  return rest === 0 ? `${whole} ${bigUnit}` : `${whole} ${bigUnit} ${rest} ${smallUnit}`;
}

export function formatPercent(rate: number | null): string {
  return rate === null ? '–' : percent(rate);
}

/** "21 Nov 2026, 02:13 UTC" */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${formatDate(iso)}, ${iso.slice(11, 16)} UTC`;
}

/** "21 Nov 2026" */
export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

/** "2026-11" -> "November 2026" */
export function formatMonth(month: string): string {
  const [year, index] = month.split('-');
  return `${MONTH_NAMES[Number(index) - 1] ?? month} ${year}`;
}

/** How each step reads in a sentence: done, to do, and as a noun. Listed in the order the workflow runs them. */
export const ACTION_WORDS = Object.fromEntries(ACTIONS.map(({ name, words }) => [name, words])) as Record<ContainmentAction, ActionDescriptor['words']>;
