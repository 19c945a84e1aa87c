import { type Bar, columnChart, timeRuler } from './charts.ts';
import { listing, percent, plural, roleName } from '#core/view/words';
import { ACTION_WORDS, formatDate, formatDateTime, formatDuration, formatMonth, formatPercent } from './format.ts';
import { Html, html } from '#core/html-template';
import { type Kpis, type Ranked, UNKNOWN_ROOT_CAUSE } from './kpis.ts';
import type { ReportData, ReportIncident } from './report.ts';
import { REPORT_CSS } from './report-style.ts';
import type { TrendEntry } from './trend.ts';

// Our own constant, inserted as is: escaping would break its quoted font names.
const STYLE = new Html(REPORT_CSS);

/**
 * The monthly review as one self-contained page: inline CSS and SVG, no script and no address
 * to fetch, so it can be mailed, archived or printed as it is.
 */
export function renderReportHtml(report: ReportData): string {
  const month = formatMonth(report.month);
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pivotguard monthly review: ${month}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header class="report">
<p class="eyebrow">pivotguard · EKS workload protection · monthly review</p>
<h1>${month}</h1>
<p class="meta">${formatDate(report.period.from)} to ${formatDate(new Date(Date.parse(report.period.to) - 1).toISOString())} (UTC) · generated ${formatDateTime(report.generatedAt)}</p>
${report.monthNote ? html`<p class="meta">${report.monthNote}</p>` : ''}
</header>
${summary(report)}
${volume(report.kpis)}
${responseTimes(report.kpis)}
${rules(report)}
${rootCauses(report.kpis)}
${actions(report.kpis)}
${suppressions(report)}
${incidents(report.incidents)}
<footer>Every figure is computed from timestamps pivotguard recorded: when activity was first seen, when its record arrived, when the incident opened, and every containment step and status change. Times are UTC.</footer>
</main>
</body>
</html>
`;
  return page.markup;
}

function summary(report: ReportData): Html {
  const { kpis } = report;
  const previous = formatMonth(report.previous.month).split(' ')[0]!;
  return html`<section id="summary">
<h2>Summary</h2>
<p class="lede">${lede(kpis, report.incidents.filter((incident) => incident.carriedOver).length)}</p>
<div class="cards">${report.trend.map((entry) => card(entry, previous))}</div>
${
  kpis.incidents.opened > 0
    ? html`<p class="strip"><span>By severity:</span>${(['critical', 'high', 'medium', 'low'] as const).map((severity) => html`<span><b>${kpis.incidents.bySeverity[severity]}</b> ${severity}</span>`)}</p>
<p class="strip"><span>Status on ${formatDate(report.generatedAt)}:</span>${(['open', 'contained', 'resolved', 'false-positive'] as const).map((status) => html`<span><b>${kpis.incidents.byStatus[status]}</b> ${status === 'false-positive' ? 'false positive' : status}</span>`)}</p>`
    : ''
}
</section>`;
}

function lede(kpis: Kpis, carriedOver: number): string {
  const { incidents, resolution } = kpis;
  const alerts = kpis.alertsSent === 0 ? 'no alerts sent' : `${plural(kpis.alertsSent, 'alert')} sent`;
  const earlier = carriedOver > 0 ? ` ${plural(carriedOver, 'incident')} from earlier months ${carriedOver === 1 ? 'is' : 'are'} still open.` : '';
  if (incidents.opened === 0) return `No incidents this month; ${alerts}.${earlier}`;
  const severities = (['critical', 'high', 'medium', 'low'] as const)
    .filter((severity) => incidents.bySeverity[severity] > 0)
    .map((severity) => `${incidents.bySeverity[severity]} ${severity}`);
  const closed = incidents.byStatus.resolved + incidents.byStatus['false-positive'];
  const sentences = [`${plural(incidents.opened, 'incident')} opened (${listing(severities)}); ${alerts}.`];
  if (closed > 0) {
    sentences.push(`${closed} closed: ${incidents.byStatus.resolved} resolved and ${incidents.byStatus['false-positive']} dismissed as false positives.`);
  }
  if (resolution.unresolved > 0) {
    sentences.push(
      `${resolution.unresolved} still ${resolution.unresolved === 1 ? 'needs' : 'need'} closing; the oldest has been open ${formatDuration(resolution.oldestUnresolvedAgeMs)}.`,
    );
  } else {
    sentences.push('None is left open.');
  }
  return sentences.join(' ') + earlier;
}

function card(entry: TrendEntry, previousMonth: string): Html {
  return html`<div class="card"><p class="label">${entry.label}</p><p class="value">${value(entry.current, entry.unit)}</p>
<p class="trend">${trendLine(entry, previousMonth)}</p></div>`;
}

function trendLine(entry: TrendEntry, previousMonth: string): Html {
  if (entry.direction === 'no-data') {
    return html`${entry.previous === null ? `no data for ${previousMonth}` : `was ${value(entry.previous, entry.unit)} in ${previousMonth}`}`;
  }
  if (entry.direction === 'same') return html`= same as ${previousMonth} (${value(entry.previous, entry.unit)})`;
  const delta = entry.delta!;
  const size = entry.unit === 'rate' ? `${Math.round(Math.abs(delta) * 100)} pts` : value(Math.abs(delta), entry.unit);
  const arrow = delta > 0 ? '▲' : '▼';
  return html`<span class="${entry.direction}">${arrow} ${size} · ${entry.direction}</span> vs ${previousMonth} (${value(entry.previous, entry.unit)})`;
}

function value(number: number | null, unit: TrendEntry['unit']): string {
  if (number === null) return '–';
  if (unit === 'ms') return formatDuration(number);
  if (unit === 'rate') return formatPercent(number);
  return String(number);
}

function volume(kpis: Kpis): Html {
  const bars = (count: 'incidents' | 'alerts', noun: string): Bar[] =>
    kpis.weeks.map((week) => ({
      // "26 Oct": the week's Monday.
      label: formatDate(week.monday).split(' ').slice(0, 2).join(' '),
      value: week[count],
      title: `${week.week} (from ${week.monday}): ${plural(week[count], noun)}`,
    }));
  const body =
    kpis.incidents.opened === 0 && kpis.alertsSent === 0
      ? html`<p class="empty">No incidents this month, and no alerts were sent.</p>`
      : html`<div class="grid-2">
${columnChart({ id: 'chart-incidents', caption: 'Incidents opened per ISO week (labelled by the week’s Monday)', tone: 'incidents', bars: bars('incidents', 'incident') })}
${columnChart({ id: 'chart-alerts', caption: 'Alerts sent per ISO week', tone: 'alerts', bars: bars('alerts', 'alert') })}
</div>
<p class="note">Weeks run Monday to Sunday; the first and last count only the days inside the month.</p>`;
  return html`<section id="volume"><h2>Volume</h2>${body}</section>`;
}

function responseTimes(kpis: Kpis): Html {
  const { detection, containment, resolution } = kpis;
  const rows = [
    { label: 'Time to detect', detail: 'first activity → incident opened', stats: detection.timeToDetect },
    { label: '… source delivery', detail: 'first activity → record received', stats: detection.deliveryLag },
    { label: '… pivotguard processing', detail: 'record received → incident opened', stats: detection.processing },
    { label: 'Time to first containment', detail: 'opened → first containment step', stats: containment.timeToFirstContainment },
    { label: 'Time to resolve', detail: 'opened → resolved', stats: resolution.timeToResolve },
    { label: 'Time to dismiss', detail: 'opened → marked false positive', stats: resolution.timeToDismiss },
  ];
  if (kpis.incidents.opened === 0) {
    return html`<section id="response-times"><h2>Response times</h2><p class="empty">No incidents this month, so there are no response times to report.</p></section>`;
  }
  const measured = rows.filter((row) => row.stats.meanMs !== null);
  const open = resolution.unresolved;
  const notes = [
    `Delivery and processing are split for the ${detection.withReceiptTime} of ${kpis.incidents.opened} incidents that recorded when their first record arrived.`,
    `${plural(containment.notContained, 'incident')} had no containment step that changed anything.`,
    open > 0
      ? `${plural(open, 'incident')} still open ${open === 1 ? 'is' : 'are'} left out of the resolution times; ` +
        `the oldest has been open ${formatDuration(resolution.oldestUnresolvedAgeMs)}, ${resolution.unresolvedOver24h} for more than 24 hours.`
      : 'Every incident is closed.',
  ];
  return html`<section id="response-times">
<h2>Response times</h2>
<table>
<thead><tr><th>Measure</th><th class="num">Mean</th><th class="num">Median</th><th class="num">Incidents</th></tr></thead>
<tbody>${rows.map(
    (row) => html`<tr><td>${row.label}<span class="sub">${row.detail}</span></td>
<td class="num">${formatDuration(row.stats.meanMs)}</td><td class="num">${formatDuration(row.stats.medianMs)}</td><td class="num">${row.stats.count}</td></tr>`,
  )}</tbody>
</table>
<ul class="notes">${notes.map((note) => html`<li>${note}</li>`)}</ul>
${
  measured.length > 0
    ? timeRuler({
        id: 'chart-times',
        caption: 'Mean times on a logarithmic ruler, so seconds and days fit on one line',
        bars: measured.map((row) => ({
          label: row.label,
          value: row.stats.meanMs!,
          valueLabel: formatDuration(row.stats.meanMs),
          title: `${row.label} (${row.detail}): mean ${formatDuration(row.stats.meanMs)} over ${plural(row.stats.count, 'incident')}`,
        })),
      })
    : ''
}
</section>`;
}

function rules(report: ReportData): Html {
  if (report.topRules.length === 0) return html`<section id="rules"><h2>Detection rules</h2><p class="empty">No rule fired this month.</p></section>`;
  return html`<section id="rules">
<h2>Detection rules</h2>
<table>
<thead><tr><th>Rule</th><th class="num">Incidents</th><th class="num">False positives</th><th class="num">False-positive rate</th></tr></thead>
<tbody>${report.topRules.map((rule) => {
    const fill = html`<span class="track"><span class="fill" style="width: ${percent(rule.falsePositiveRate ?? 0)}"></span></span>`;
    return html`<tr><td>${rule.title}<span class="sub mono">${rule.rule}</span></td><td class="num">${rule.incidents}</td><td class="num">${rule.falsePositives}</td>
<td class="num"><span class="rate">${fill}${formatPercent(rule.falsePositiveRate)}</span></td></tr>`;
  })}</tbody>
</table>
<p class="note">An incident counts once for each rule that fired in it. The rate is the share of those incidents dismissed as false positives.</p>
</section>`;
}

function rootCauses(kpis: Kpis): Html {
  const table = (title: string, items: readonly Ranked[], label: (item: Ranked) => Html) =>
    html`<div><h3>${title}</h3>${
      items.length === 0
        ? html`<p class="note">None recorded.</p>`
        : html`<table><tbody>${items.map((item) => html`<tr><td>${label(item)}</td><td class="num">${item.incidents}</td></tr>`)}</tbody></table>`
    }</div>`;
  const body =
    kpis.incidents.opened === 0
      ? html`<p class="empty">No incidents this month.</p>`
      : html`${vulnerableCauses(kpis)}<div class="causes">
${table('Images', kpis.rootCauses.images, (item) => html`<span class="mono">${item.detail ?? item.name}</span>${item.detail ? html`<span class="sub mono">${item.name}</span>` : ''}`)}
${table('Namespaces', kpis.rootCauses.namespaces, (item) => html`${item.name}`)}
${table('IAM roles', kpis.rootCauses.roles, (item) => html`${roleName(item.name)}<span class="sub mono">${item.name}</span>`)}
</div>
<p class="note">Top five of each, by the number of this month’s incidents that involved them.</p>`;
  return html`<section id="root-causes"><h2>Recurring root causes</h2>${body}</section>`;
}

/** The vulnerable package and image behind each incident: what to rebuild so the pattern stops. */
function vulnerableCauses(kpis: Kpis): Html {
  const rows = kpis.rootCauses.vulnerabilities;
  // A month without image data has only the unknown group, which tells a reader nothing.
  if (rows.every((row) => row.package === UNKNOWN_ROOT_CAUSE)) return html``;
  return html`<h3>Vulnerable packages</h3><table class="vulnerable"><tbody>${rows.map(
    (row) => html`<tr><td><span class="mono">${row.package}</span><span class="sub mono">${row.image}</span></td><td class="num">${row.incidents}</td></tr>`,
  )}</tbody></table>`;
}

function actions(kpis: Kpis): Html {
  if (kpis.actions.length === 0) return html`<section id="actions"><h2>Containment</h2><p class="empty">No containment step ran this month.</p></section>`;
  const columns = ['applied', 'alreadyApplied', 'dryRun', 'failed', 'skipped', 'undone'] as const;
  const total = (column: (typeof columns)[number]) => kpis.actions.reduce((sum, row) => sum + row[column], 0);
  return html`<section id="actions">
<h2>Containment</h2>
<table>
<thead><tr><th>Step</th><th class="num">Applied</th><th class="num">Already in place</th><th class="num">Dry run</th><th class="num">Failed</th><th class="num">Skipped</th><th class="num">Undone</th></tr></thead>
<tbody>${kpis.actions.map(
    (row) =>
      html`<tr><td>${ACTION_WORDS[row.action].noun}</td>${columns.map((column) => html`<td class="${row[column] === 0 ? 'num zero' : 'num'}">${row[column]}</td>`)}</tr>`,
  )}
<tr class="total"><td>Total</td>${columns.map((column) => html`<td class="num">${total(column)}</td>`)}</tr></tbody>
</table>
<p class="note">Steps and undos counted when they ran this month, whichever month their incident opened.</p>
</section>`;
}

function suppressions(report: ReportData): Html {
  const { suppressedSignals } = report.kpis.suppressions;
  const intro = html`<p>${
    suppressedSignals === 0
      ? 'No signal in this month’s incidents matched a suppression.'
      : `${plural(suppressedSignals, 'signal')} in this month’s incidents matched a suppression and ${suppressedSignals === 1 ? 'was' : 'were'} left out of them.`
  }</p>`;
  if (report.expiringSuppressions.length === 0) {
    return html`<section id="suppressions"><h2>Suppressions</h2>${intro}<p class="empty">No suppression expires in the next 14 days.</p></section>`;
  }
  return html`<section id="suppressions">
<h2>Suppressions expiring soon</h2>
${intro}
<table>
<thead><tr><th>Scope</th><th>Owner</th><th>Reason</th><th class="num">Expires</th></tr></thead>
<tbody>${report.expiringSuppressions.map((entry) => {
    const scope = Object.entries(entry.scope).map(
      ([key, name]) => html`<span class="scope"><span class="key">${SCOPE_LABEL[key] ?? key}</span> <span class="mono">${name}</span></span>`,
    );
    const when = entry.expired ? `expired ${formatDuration(-entry.expiresInMs)} ago` : `in ${formatDuration(entry.expiresInMs)}`;
    return html`<tr><td>${scope}</td><td>${entry.owner}</td><td>${entry.reason}</td>
<td class="num">${formatDate(entry.expires)}<span class="${entry.expired ? 'sub expired' : 'sub'}">${when}</span></td></tr>`;
  })}</tbody>
</table>
<p class="note">Renew a suppression that is still right, with its owner’s agreement, or let it lapse so the alerts return.</p>
</section>`;
}

const SCOPE_LABEL: Record<string, string> = { rule: 'rule', namespace: 'namespace', serviceAccount: 'service account', image: 'image', roleArn: 'role' };

function incidents(list: readonly ReportIncident[]): Html {
  const thisMonth = list.filter((incident) => !incident.carriedOver);
  const earlier = list.filter((incident) => incident.carriedOver);
  return html`<section id="incidents"><h2>Incidents</h2>${thisMonth.length === 0 ? html`<p class="empty">No incidents this month.</p>` : thisMonth.map(incidentArticle)}</section>
${earlier.length > 0 ? html`<section id="still-open"><h2>Still open from earlier months</h2>${earlier.map(incidentArticle)}</section>` : ''}`;
}

function incidentArticle(incident: ReportIncident): Html {
  const { cluster, namespace, pod } = incident.workload;
  const meta = [incident.id, [cluster, namespace, pod].filter(Boolean).join(' / '), `opened ${formatDateTime(incident.openedAt)}`].filter(Boolean).join(' · ');
  const status = incident.status === 'false-positive' ? 'false positive' : incident.status;
  return html`<article class="incident edge-${incident.severity}" id="incident-${incident.id}">
<p><span class="pill sev-${incident.severity}">${incident.severity}</span> <span class="pill status status-${incident.status}">${status}</span></p>
<h3>${incident.narrative.headline}</h3>
<p class="meta">${meta}</p>
<dl>
<dt>What happened</dt><dd>${incident.narrative.happened}</dd>
<dt>What was at risk</dt><dd>${incident.narrative.atRisk}</dd>
<dt>What was done</dt><dd>${incident.narrative.done}</dd>
<dt>What is left</dt><dd>${incident.narrative.left}</dd>
</dl>
</article>`;
}
