import { type Html, html } from '#core/html-template';

export interface Bar {
  label: string;
  value: number;
  /** Shown on hover and read by screen readers. */
  title: string;
  /** Printed at the end of the bar; the value itself when absent. */
  valueLabel?: string;
}

const FONT = 12;

/** Vertical bars with a labelled y axis; counts, so the ticks are whole numbers. */
export function columnChart(options: { id: string; caption: string; bars: readonly Bar[]; tone: string }): Html {
  const width = 440;
  const height = 220;
  const left = 34;
  const bottom = 28;
  const top = 18;
  const plotHeight = height - bottom - top;
  const plotWidth = width - left - 8;
  const { max, ticks } = countScale(Math.max(0, ...options.bars.map((bar) => bar.value)));
  const slot = plotWidth / Math.max(1, options.bars.length);
  const barWidth = Math.min(44, slot * 0.62);
  const y = (value: number) => top + plotHeight - (value / max) * plotHeight;
  return html`<figure class="chart">
<svg id="${options.id}" class="chart-svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${options.caption}">
${ticks.map((tick) => html`<line class="grid" x1="${left}" x2="${width - 8}" y1="${y(tick)}" y2="${y(tick)}"/><text class="tick" x="${left - 6}" y="${y(tick) + 4}" text-anchor="end" font-size="${FONT - 1}">${tick}</text>`)}
${options.bars.map((bar, index) => {
  const x = left + slot * index + (slot - barWidth) / 2;
  const barHeight = (bar.value / max) * plotHeight;
  return html`<g><rect class="bar ${options.tone}" x="${x.toFixed(1)}" y="${(top + plotHeight - barHeight).toFixed(1)}" width="${barWidth.toFixed(1)}" height="${barHeight.toFixed(1)}" rx="2"><title>${bar.title}</title></rect>
<text class="value" x="${(x + barWidth / 2).toFixed(1)}" y="${(top + plotHeight - barHeight - 5).toFixed(1)}" text-anchor="middle" font-size="${FONT}">${bar.valueLabel ?? bar.value}</text>
<text class="label" x="${(x + barWidth / 2).toFixed(1)}" y="${height - 9}" text-anchor="middle" font-size="${FONT - 1}">${bar.label}</text></g>`;
})}
<line class="axis" x1="${left}" x2="${width - 8}" y1="${top + plotHeight}" y2="${top + plotHeight}"/>
</svg>
<figcaption>${options.caption}</figcaption>
</figure>`;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const RULER: readonly [number, string][] = [
  [SECOND, '1 s'],
  [10 * SECOND, '10 s'],
  [MINUTE, '1 min'],
  [10 * MINUTE, '10 min'],
  [HOUR, '1 h'],
  [6 * HOUR, '6 h'],
  [DAY, '1 d'],
  [7 * DAY, '1 wk'],
  [30 * DAY, '30 d'],
];

/**
 * Durations as horizontal bars on a logarithmic time ruler: seconds to detect and days to resolve
 * both stay readable on one chart, and every bar carries its own value.
 */
export function timeRuler(options: { id: string; caption: string; bars: readonly Bar[] }): Html {
  const width = 900;
  const row = 34;
  const labelWidth = 210;
  const valueWidth = 110;
  const axis = 26;
  const height = options.bars.length * row + axis;
  const plotWidth = width - labelWidth - valueWidth;
  const values = options.bars.map((bar) => Math.max(bar.value, SECOND));
  const low = RULER.filter(([ms]) => ms <= Math.min(...values)).at(-1)![0];
  const high = (RULER.find(([ms]) => ms >= Math.max(HOUR, ...values)) ?? RULER.at(-1)!)[0];
  const x = (ms: number) => labelWidth + (Math.log(Math.min(Math.max(ms, low), high) / low) / Math.log(high / low)) * plotWidth;
  const ticks = RULER.filter(([ms]) => ms >= low && ms <= high);
  return html`<figure class="chart">
<svg id="${options.id}" class="chart-svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${options.caption}">
${ticks.map(([ms, label]) => html`<line class="grid" x1="${x(ms).toFixed(1)}" x2="${x(ms).toFixed(1)}" y1="0" y2="${height - axis + 4}"/><text class="tick" x="${x(ms).toFixed(1)}" y="${height - 6}" text-anchor="middle" font-size="${FONT - 1}">${label}</text>`)}
${options.bars.map((bar, index) => {
  const y = index * row;
  const end = x(bar.value);
  return html`<g><text class="label" x="${labelWidth - 12}" y="${y + row / 2 + 4}" text-anchor="end" font-size="${FONT + 1}">${bar.label}</text>
<rect class="bar time" x="${labelWidth}" y="${y + 8}" width="${Math.max(3, end - labelWidth).toFixed(1)}" height="${row - 16}" rx="3"><title>${bar.title}</title></rect>
<text class="value" x="${(Math.max(end, labelWidth + 3) + 8).toFixed(1)}" y="${y + row / 2 + 4}" font-size="${FONT + 1}">${bar.valueLabel ?? bar.value}</text></g>`;
})}
</svg>
<figcaption>${options.caption}</figcaption>
</figure>`;
}

/** A round top for the axis and at most five whole-number ticks. */
function countScale(largest: number): { max: number; ticks: number[] } {
  if (largest <= 0) return { max: 1, ticks: [0, 1] };
  const rough = largest / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough) ?? 10 * magnitude);
  const max = Math.ceil(largest / step) * step;
  const ticks: number[] = [];
  for (let tick = 0; tick <= max; tick += step) ticks.push(tick);
  return { max, ticks };
}
