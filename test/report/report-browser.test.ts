/**
 * The rendered review in a real browser: every section shows, the charts take up space, and the
 * page asks the network for nothing. Leaves test-output/report.html and report.png to look at.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '#core/report/html';
import { buildReport } from '#core/report/report';
import { sampleMonth } from './sample-month.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUTPUT = resolve(import.meta.dirname, '../../test-output');
const SECTIONS = ['summary', 'volume', 'response-times', 'rules', 'root-causes', 'actions', 'suppressions', 'incidents'];

async function launch(): Promise<Browser> {
  // Never skipped: a report nobody has seen render is not tested.
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install chromium), or set CHROMIUM_PATH to a Chromium binary`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

describe('the monthly review in a browser', () => {
  it('shows every section and both kinds of chart, fetches nothing, and prints to a screenshot', async () => {
    mkdirSync(OUTPUT, { recursive: true });
    const file = resolve(OUTPUT, 'report.html');
    writeFileSync(file, renderReportHtml(buildReport({ month: '2026-11', ...sampleMonth() })));
    const url = pathToFileURL(file).href;

    const browser = await launch();
    try {
      await check(browser, url);
    } finally {
      await browser.close();
    }
  }, 60_000);
});

async function check(browser: Browser, url: string): Promise<void> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(url, { waitUntil: 'load' });

  for (const id of SECTIONS) await expect(page.locator(`#${id}`).isVisible(), `#${id} visible`).resolves.toBe(true);
  for (const id of ['chart-incidents', 'chart-alerts', 'chart-times']) {
    const box = await page.locator(`#${id}`).boundingBox();
    expect(box, `#${id} rendered`).not.toBeNull();
    expect(box!.width).toBeGreaterThan(100);
    expect(box!.height).toBeGreaterThan(50);
  }
  // Each week's bar is drawn, not just present in the markup.
  const bars = await page.locator('#chart-incidents rect.bar').evaluateAll((rects) => rects.map((rect) => rect.getBoundingClientRect().width));
  expect(bars).toHaveLength(6);
  expect(bars.every((width) => width > 0)).toBe(true);

  await page.screenshot({ path: resolve(OUTPUT, 'report.png'), fullPage: true });
  expect(requests).toEqual([url]);
}
