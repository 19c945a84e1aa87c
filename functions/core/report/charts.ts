import { type Html, html } from './html-template.ts';

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

/** Horizontal bars, one per row, each with its own printed value: for durations of very different sizes. */
export function barList(options: { id: string; caption: string; bars: readonly Bar[] }): Html {
  const width = 640;
  const row = 30;
  const labelWidth = 250;
  const valueWidth = 90;
  const height = options.bars.length * row + 8;
  const plotWidth = width - labelWidth - valueWidth;
  const max = Math.max(1, ...options.bars.map((bar) => bar.value));
  return html`<figure class="chart">
<svg id="${options.id}" class="chart-svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${options.caption}">
${options.bars.map((bar, index) => {
  const y = 4 + index * row;
  // A real but tiny duration still gets a visible sliver.
  const barWidth = bar.value > 0 ? Math.max(3, (bar.value / max) * plotWidth) : 0;
  return html`<g><text class="label" x="${labelWidth - 10}" y="${y + row / 2 + 4}" text-anchor="end" font-size="${FONT}">${bar.label}</text>
<rect class="track" x="${labelWidth}" y="${y + 6}" width="${plotWidth}" height="${row - 12}" rx="3"/>
<rect class="bar time" x="${labelWidth}" y="${y + 6}" width="${barWidth.toFixed(1)}" height="${row - 12}" rx="3"><title>${bar.title}</title></rect>
<text class="value" x="${(labelWidth + plotWidth + 8).toFixed(1)}" y="${y + row / 2 + 4}" font-size="${FONT}">${bar.valueLabel ?? bar.value}</text></g>`;
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
