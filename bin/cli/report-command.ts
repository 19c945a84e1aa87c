import { writeFile } from 'node:fs/promises';
import type { Incident } from '#core/model/incident';
import type { IncidentResponse } from '#core/respond/response';
import { InvalidMonth, monthPeriod } from '#core/report/calendar';
import { formatDuration, formatMonth, formatPercent } from '#core/report/format';
import { plural } from '#core/view/words';
import { renderReportHtml } from '#core/report/html';
import { type ReportData, buildReport } from '#core/report/report';
import { BACKEND_OPTIONS, type Backend, openBackend, parseCommand } from './backend.ts';
import { loadConfig } from './load-config.ts';
import { printLines } from './terminal.ts';
import { COMMANDS } from './usage.ts';
import { UsageError } from './usage-error.ts';

const USAGE = COMMANDS.report.usage;

/** The monthly review of one UTC month: an HTML page, or its data as JSON on stdout. */
export async function reportCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { table, state } = BACKEND_OPTIONS;
  const { values, positionals } = parseCommand(args, USAGE, {
    table,
    state,
    month: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean', default: false },
    config: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; usage: ${USAGE}`);
  if (values.json && values.out) throw new UsageError('--json prints the report data instead of writing a file; drop --out');
  if (values.month !== undefined) validMonth(values.month);
  const config = await loadConfig(values.config);
  const backend = await openBackend(values);
  const [incidents, responses] = await Promise.all([backend.incidents.listIncidents(), backend.responses.listResponses()]);
  const now = new Date();
  const { month, monthNote } = values.month ? { month: values.month, monthNote: undefined } : defaultMonth(backend, incidents, responses, now);
  const report = buildReport({ month, incidents, responses, suppressions: config.suppressions, now, monthNote });
  if (values.json) {
    out.write(`${JSON.stringify(report)}\n`);
    return 0;
  }
  const file = values.out ?? `pivotguard-report-${month}.html`;
  try {
    await writeFile(file, renderReportHtml(report));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'its folder does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (error as Error).message;
    throw new UsageError(`cannot write the report to ${file}: ${why}; choose another --out FILE`);
  }
  printLines(out, [...summary(report), `Wrote ${file}`]);
  return 0;
}

function validMonth(month: string): void {
  try {
    monthPeriod(month);
  } catch (error) {
    throw error instanceof InvalidMonth ? new UsageError(error.message) : error;
  }
}

/**
 * A local state holds what replays found, whose records may be months old: its newest incident's
 * month is the one to show. The deployed table is live: the current month.
 */
function defaultMonth(
  backend: Backend,
  incidents: readonly Incident[],
  responses: readonly IncidentResponse[],
  now: Date,
): { month: string; monthNote?: string } {
  const current = now.toISOString().slice(0, 7);
  if (!backend.local) return { month: current };
  const openedAt = new Map(responses.map((response) => [response.incidentId, response.openedAt]));
  const newest = incidents
    .map((incident) => openedAt.get(incident.id) ?? incident.firstSeen)
    .sort()
    .at(-1);
  if (!newest) return { month: current };
  const month = newest.slice(0, 7);
  return { month, monthNote: `${formatMonth(month)} is the month of the newest incident in ${backend.where}; --month YYYY-MM shows another.` };
}

function summary({ month, monthNote, kpis, incidents }: ReportData): string[] {
  const severities = (['critical', 'high', 'medium', 'low'] as const)
    .filter((severity) => kpis.incidents.bySeverity[severity] > 0)
    .map((severity) => `${kpis.incidents.bySeverity[severity]} ${severity}`);
  const { byStatus } = kpis.incidents;
  const carriedOver = incidents.filter((incident) => incident.carriedOver).length;
  return [
    `${formatMonth(month)}: ${plural(kpis.incidents.opened, 'incident')} opened${severities.length ? ` (${severities.join(', ')})` : ''}, ${plural(kpis.alertsSent, 'alert')} sent`,
    ...(monthNote ? [`  (${monthNote})`] : []),
    `Status now: ${byStatus.open} open, ${byStatus.contained} contained, ${byStatus.resolved} resolved, ${byStatus['false-positive']} false positive` +
      (carriedOver > 0 ? `; ${carriedOver} still open from earlier months` : ''),
    `Median time to detect ${formatDuration(kpis.detection.timeToDetect.medianMs)}, to first containment ${formatDuration(kpis.containment.timeToFirstContainment.medianMs)}, to resolve ${formatDuration(kpis.resolution.timeToResolve.medianMs)}; false-positive rate ${formatPercent(kpis.falsePositiveRate)}`,
  ];
}
