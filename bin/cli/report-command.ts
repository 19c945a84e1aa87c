import { writeFile } from 'node:fs/promises';
import { InvalidMonth, monthPeriod } from '#core/report/calendar';
import { formatDuration, formatMonth, formatPercent, plural } from '#core/report/format';
import { renderReportHtml } from '#core/report/html';
import { type ReportData, buildReport } from '#core/report/report';
import { BACKEND_OPTIONS, openBackend, parseCommand } from './backend.ts';
import { loadConfig } from './load-config.ts';
import { UsageError } from './usage-error.ts';

export const REPORT_USAGE = 'pivotguard report [--month YYYY-MM] [--out FILE] [--json] [--config FILE] [--table NAME | --state FILE]';

/** The monthly review of one UTC month: an HTML page, or its data as JSON on stdout. */
export async function reportCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { table, state } = BACKEND_OPTIONS;
  const { values, positionals } = parseCommand(args, REPORT_USAGE, {
    table,
    state,
    month: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean', default: false },
    config: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; usage: ${REPORT_USAGE}`);
  if (values.json && values.out) throw new UsageError('--json prints the report data instead of writing a file; drop --out');
  const now = new Date();
  const month = values.month ?? now.toISOString().slice(0, 7);
  try {
    monthPeriod(month);
  } catch (error) {
    throw error instanceof InvalidMonth ? new UsageError(error.message) : error;
  }
  const config = await loadConfig(values.config);
  const backend = await openBackend(values);
  const [incidents, responses] = await Promise.all([backend.incidents.listIncidents(), backend.responses.listResponses()]);
  const report = buildReport({ month, incidents, responses, suppressions: config.suppressions, now });
  if (values.json) {
    out.write(`${JSON.stringify(report)}\n`);
    return 0;
  }
  const file = values.out ?? `pivotguard-report-${month}.html`;
  await writeFile(file, renderReportHtml(report));
  out.write(`${summary(report)}Wrote ${file}\n`);
  return 0;
}

function summary({ month, kpis }: ReportData): string {
  const severities = (['critical', 'high', 'medium', 'low'] as const)
    .filter((severity) => kpis.incidents.bySeverity[severity] > 0)
    .map((severity) => `${kpis.incidents.bySeverity[severity]} ${severity}`);
  const { byStatus } = kpis.incidents;
  return [
    `${formatMonth(month)}: ${plural(kpis.incidents.opened, 'incident')} opened${severities.length ? ` (${severities.join(', ')})` : ''}, ${plural(kpis.alertsSent, 'alert')} sent`,
    `Status now: ${byStatus.open} open, ${byStatus.contained} contained, ${byStatus.resolved} resolved, ${byStatus['false-positive']} false positive`,
    `Median time to detect ${formatDuration(kpis.detection.timeToDetect.medianMs)}, to first containment ${formatDuration(kpis.containment.timeToFirstContainment.medianMs)}, to resolve ${formatDuration(kpis.resolution.timeToResolve.medianMs)}; false-positive rate ${formatPercent(kpis.falsePositiveRate)}`,
  ].join('\n') + '\n';
}
