/** The report's only stylesheet: system fonts (nothing to fetch), one column, tables that survive printing. */
export const REPORT_CSS = `
:root {
  --ink: #17202f; --muted: #5a6478; --faint: #8a93a6; --line: #e3e7ee; --panel: #f6f8fb;
  --accent: #2b4c9b; --alerts: #2a8c82; --time: #5b6fb5;
  --critical: #b42318; --high: #c4540c; --medium: #a66a00; --low: #4d6a88;
  --better: #1d7a46; --worse: #b42318;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.55 -apple-system, BlinkMacSystemFont, "Segoe UI", "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif;
  font-variant-numeric: tabular-nums;
}
main { max-width: 980px; margin: 0 auto; padding: 40px 40px 56px; }
header.report { border-bottom: 3px solid var(--ink); padding-bottom: 18px; margin-bottom: 8px; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; font-weight: 600; color: var(--muted); margin: 0 0 6px; }
h1 { font-size: 32px; line-height: 1.15; margin: 0 0 6px; letter-spacing: -.01em; }
h2 { font-size: 20px; margin: 0 0 14px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 0 0 8px; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; }
.meta { color: var(--muted); margin: 0; font-size: 14px; }
section { margin-top: 36px; }
p { margin: 0 0 10px; }
.lede { font-size: 17px; max-width: 60em; }
.note { color: var(--muted); font-size: 13.5px; }
.empty { color: var(--muted); font-style: italic; background: var(--panel); border-radius: 6px; padding: 14px 16px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }

.cards { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; margin: 18px 0 16px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px 12px; background: #fff; }
.card .label { font-size: 13px; color: var(--muted); margin: 0; }
.card .value { font-size: 30px; font-weight: 650; line-height: 1.2; margin: 4px 0 4px; letter-spacing: -.01em; }
.card .trend { font-size: 13px; margin: 0; color: var(--muted); }
.trend .better { color: var(--better); font-weight: 600; }
.trend .worse { color: var(--worse); font-weight: 600; }
.strip { display: flex; flex-wrap: wrap; gap: 4px 18px; font-size: 14px; color: var(--muted); margin: 0 0 4px; }
.strip > span:first-child { min-width: 11em; font-weight: 600; }
.strip b { color: var(--ink); }

.pill { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 12px; font-weight: 600; line-height: 1.6; white-space: nowrap; border: 1px solid currentColor; }
.sev-critical { color: var(--critical); } .sev-high { color: var(--high); } .sev-medium { color: var(--medium); } .sev-low { color: var(--low); }
.status { color: var(--muted); }
.status-open { color: var(--worse); } .status-contained { color: var(--high); } .status-resolved { color: var(--better); }
.expired { color: var(--worse); font-weight: 600; }

table { width: 100%; border-collapse: collapse; font-size: 14px; }
th { text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); font-weight: 600; border-bottom: 2px solid var(--line); padding: 6px 10px 6px 0; }
td { border-bottom: 1px solid var(--line); padding: 8px 10px 8px 0; vertical-align: top; }
th.num, td.num { text-align: right; white-space: nowrap; }
tr.total td { font-weight: 650; border-bottom: none; border-top: 2px solid var(--line); }
.sub { display: block; color: var(--faint); font-size: 12px; word-break: break-all; }
.rate { display: inline-flex; align-items: center; gap: 8px; justify-content: flex-end; }
.rate .track { display: inline-block; width: 70px; height: 7px; border-radius: 4px; background: var(--line); overflow: hidden; }
.rate .fill { display: block; height: 100%; background: var(--worse); }

.grid-2 { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
.causes { display: grid; grid-template-columns: 1.5fr 0.8fr 1.2fr; gap: 28px; }
.causes td:first-child { overflow-wrap: anywhere; }
.causes .mono { font-size: 12px; }
td.zero { color: var(--faint); }
.scope { display: block; font-size: 13px; }
.scope .key { color: var(--muted); display: inline-block; min-width: 7.5em; }
ul.notes { margin: 10px 0 14px; padding-left: 18px; color: var(--muted); font-size: 13.5px; }
ul.notes li { margin: 2px 0; }

figure.chart { margin: 0; }
.chart-svg { display: block; width: 100%; max-width: 100%; height: auto; font-family: inherit; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; }
.chart-svg .grid { stroke: var(--line); stroke-width: 1; }
.chart-svg .axis { stroke: var(--faint); stroke-width: 1; }
.chart-svg .tick, .chart-svg .label { fill: var(--muted); }
.chart-svg .value { fill: var(--ink); font-weight: 600; }
.chart-svg .bar.incidents { fill: var(--accent); }
.chart-svg .bar.alerts { fill: var(--alerts); }
.chart-svg .bar.time { fill: var(--time); }
.chart-svg .track { fill: var(--panel); }

article.incident { border: 1px solid var(--line); border-left: 4px solid var(--faint); border-radius: 6px; padding: 14px 18px 6px; margin: 0 0 14px; }
.edge-critical { border-left-color: var(--critical) !important; } .edge-high { border-left-color: var(--high) !important; }
.edge-medium { border-left-color: var(--medium) !important; } .edge-low { border-left-color: var(--low) !important; }
article.incident h3 { color: var(--ink); text-transform: none; letter-spacing: 0; font-size: 16px; margin: 6px 0 2px; }
article.incident .meta { font-size: 13px; margin-bottom: 10px; }
article.incident dl { margin: 0; color: var(--ink); display: grid; grid-template-columns: 130px 1fr; gap: 0 16px; font-size: 14.5px; }
article.incident dt { font-weight: 600; color: var(--muted); font-size: 13px; padding-top: 1px; }
article.incident dd { margin: 0 0 10px; }

footer { margin-top: 44px; padding-top: 12px; border-top: 1px solid var(--line); color: var(--faint); font-size: 12.5px; }

@page { size: A4; margin: 14mm 14mm 16mm; }
@media print {
  body { font-size: 10.5pt; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  main { max-width: none; padding: 0; }
  section { margin-top: 22px; break-inside: auto; }
  h2 { break-after: avoid; }
  .card, article.incident, figure.chart, tr { break-inside: avoid; }
  .cards { grid-template-columns: repeat(3, 1fr); }
}
@media (max-width: 720px) {
  main { padding: 20px; }
  .cards, .grid-2, .causes { grid-template-columns: 1fr; }
  article.incident dl { grid-template-columns: 1fr; }
}
`;
