import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '#core/report/html';
import { buildReport } from '#core/report/report';
import { incident, response } from './fixtures.ts';
import { sampleMonth } from './sample-month.ts';

const SECTIONS = ['summary', 'volume', 'response-times', 'rules', 'root-causes', 'actions', 'suppressions', 'incidents'];

function render(month = '2026-11', data = sampleMonth()) {
  return renderReportHtml(buildReport({ month, ...data }));
}

/** The markup of the element with this id, up to its closing tag (sections and svgs do not nest in themselves). */
function element(page: string, tag: string, id: string): string {
  const start = page.indexOf(`<${tag} id="${id}"`);
  expect(start, `<${tag} id="${id}">`).toBeGreaterThanOrEqual(0);
  return page.slice(start, page.indexOf(`</${tag}>`, start));
}

describe('renderReportHtml', () => {
  it('is one self-contained document: no script, no address to fetch', () => {
    const page = render();
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(page).not.toMatch(/<script/i);
    expect(page).not.toMatch(/https?:\/\//i);
    expect(page).not.toMatch(/\b(src|href)=/i);
    expect(page).not.toMatch(/@import|url\(/i);
  });

  it('has every section, by its stable id', () => {
    const page = render();
    for (const id of SECTIONS) expect(page).toContain(`<section id="${id}">`);
  });

  it('draws the weekly volume as inline SVG bars, one per ISO week, each with a title', () => {
    const page = render();
    const chart = element(page, 'svg', 'chart-incidents');
    const bars = chart.match(/<rect class="bar incidents"/g) ?? [];
    // 26 Oct to 30 Nov: six Mondays.
    expect(bars).toHaveLength(6);
    expect(chart.match(/<title>/g)).toHaveLength(6);
    expect(chart).toContain('<title>2026-W46 (from 2026-11-09): 1 incident</title>');
    expect(chart).toContain('<title>2026-W47 (from 2026-11-16): 2 incidents</title>');
    expect(element(page, 'svg', 'chart-alerts').match(/<rect class="bar alerts"/g)).toHaveLength(6);
    expect(element(page, 'section', 'response-times')).toContain('<svg id="chart-times"');
  });

  it('shows the headline figures with their trend in words', () => {
    const summary = element(render(), 'section', 'summary').replaceAll('\n', '');
    expect(summary).toContain('<p class="label">Incidents</p><p class="value">7</p>');
    expect(summary).toMatch(/<span class="worse">▲ 3 · worse<\/span> vs October \(4\)/);
    expect(summary).toMatch(/Mean time to detect<\/p><p class="value">[^<]+<\/p><p class="trend"><span class="better">▼/);
  });

  it('escapes every value taken from the records', () => {
    const hostile = incident('inc-x', '2026-11-05T00:00:00Z', {
      title: 'Shell in <script>alert(1)</script> via http://evil.example/payload',
      workload: { ...incident('inc-x', '2026-11-05T00:00:00Z').workload, pod: '"><img src=x onerror=alert(1)>', namespace: "o'neil" },
    });
    const page = render('2026-11', {
      incidents: [hostile],
      responses: [response('inc-x', '2026-11-05T00:01:00Z')],
      suppressions: [],
      now: new Date('2026-12-01T00:00:00Z'),
    });
    expect(page).not.toContain('<img');
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('Shell in &lt;script&gt;alert(1)&lt;/script&gt; via hxxp://evil.example/payload');
    expect(page).toContain('o&#39;neil');
  });

  it('renders an empty month with words, not empty charts', () => {
    const page = render('2026-08', { incidents: [], responses: [], suppressions: [], now: new Date('2026-09-01T00:00:00Z') });
    for (const id of SECTIONS) expect(page).toContain(`<section id="${id}">`);
    // The words are in test/view/__golden__/report-empty.html.
    for (const id of ['volume', 'response-times', 'rules', 'root-causes', 'actions', 'incidents'])
      expect(element(page, 'section', id)).toContain('<p class="empty">');
    expect(page).not.toContain('<article');
    expect(page).not.toContain('<svg');
    expect(page).not.toMatch(/NaN|undefined|null/);
  });

  it('renders each numeric cell with both of its classes, zero counts greyed', () => {
    const table = element(render(), 'section', 'actions');
    const cells = [...table.matchAll(/<td class="([^"]*)">\d+<\/td>/g)].map((match) => match[1]);
    expect(cells.length).toBeGreaterThan(0);
    expect(new Set(cells)).toEqual(new Set(['num', 'num zero']));
  });

  it('puts incidents still open from earlier months in a section of their own, and says why the month was chosen', () => {
    const data = {
      incidents: [incident('inc-oct', '2026-10-05T10:00:00Z'), incident('inc-nov', '2026-11-03T10:00:00Z')],
      responses: [response('inc-oct', '2026-10-05T10:00:00Z'), response('inc-nov', '2026-11-03T10:00:00Z')],
      suppressions: [],
      now: new Date('2026-12-02T00:00:00Z'),
    };
    const page = renderReportHtml(buildReport({ month: '2026-11', ...data, monthNote: 'the month of the newest incident' }));
    expect(element(page, 'section', 'still-open')).toContain('id="incident-inc-oct"');
    expect(element(page, 'section', 'incidents')).not.toContain('id="incident-inc-oct"');
    expect(page).toContain('the month of the newest incident');
  });
});
