/**
 * The words people read, one file per renderer: a rewording is one reviewed update of these
 * files (`npx vitest run test/view -u`), while the other tests check fields, ids and codes.
 */
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { outcomeMessage, planMessage } from '#adapters/containment/messages';
import type { Incident } from '#core/model/incident';
import { renderReportHtml } from '#core/report/html';
import { incidentNarrative } from '#core/report/narrative';
import { buildReport } from '#core/report/report';
import { alertText } from '#core/respond/alert-text';
import { renderIncidentPage } from '#core/respond/approval-page';
import { incidentFinding } from '#core/respond/asff';
import type { IncidentResponse } from '#core/respond/response';
import { renderContainment } from '../../bin/cli/render-containment.ts';
import { renderIncident } from '../../bin/cli/render-text.ts';
import { type Printable, printLines } from '../../bin/cli/terminal.ts';
import { NARRATIVE_CASES } from '../report/narrative-cases.ts';
import { sampleMonth } from '../report/sample-month.ts';
import { imageIncident } from './image-incident.ts';
import { NONCE, NOW, TOKEN, pendingResponse, pivotIncident } from './pivot.ts';

const GOLDEN = './__golden__';
let pivot: Incident;
let pending: IncidentResponse;
let vulnerable: Incident;

beforeAll(async () => {
  pivot = await pivotIncident();
  pending = pendingResponse(pivot);
  vulnerable = await imageIncident();
});

/** What a 100-column terminal shows. */
function printed(lines: readonly Printable[]): string {
  let text = '';
  const out = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  printLines(out, lines, 100);
  return text;
}

describe('the email alert', () => {
  it('for a new incident', async () => {
    const { subject, body } = alertText({ incident: pivot, change: 'opened' });
    await expect(`Subject: ${subject}\n\n${body}`).toMatchFileSnapshot(`${GOLDEN}/email-pivot.txt`);
  });

  it('for an escalation, with an approval link', async () => {
    const { subject, body } = alertText(
      { incident: pivot, change: 'escalated', previousSeverity: 'high' },
      { approveHint: 'Approve or dismiss: https://approve.example/i?t=abc' },
    );
    await expect(`Subject: ${subject}\n\n${body}`).toMatchFileSnapshot(`${GOLDEN}/email-pivot-escalated.txt`);
  });
});

describe('the image behind an incident', () => {
  it('in the email: what is wrong with it and since when, where else it runs, what admission said', async () => {
    const { subject, body } = alertText({ incident: vulnerable, change: 'opened' });
    await expect(`Subject: ${subject}\n\n${body}`).toMatchFileSnapshot(`${GOLDEN}/email-image.txt`);
  });

  it('in the monthly review, in one sentence', async () => {
    const narrative = incidentNarrative(vulnerable, undefined);
    await expect(`happened: ${narrative.happened}\n`).toMatchFileSnapshot(`${GOLDEN}/narrative-image.txt`);
  });
});

describe('the approval page', () => {
  it('while a step waits for approval', async () => {
    await expect(renderIncidentPage({ incident: pivot, response: pending, token: TOKEN, now: NOW, nonce: NONCE, canManage: true })).toMatchFileSnapshot(
      `${GOLDEN}/approval-page-pivot.html`,
    );
  });

  it('before anything was recorded', async () => {
    await expect(renderIncidentPage({ incident: pivot, response: undefined, token: TOKEN, now: NOW })).toMatchFileSnapshot(
      `${GOLDEN}/approval-page-fresh.html`,
    );
  });
});

describe('the terminal', () => {
  it('prints the incident', async () => {
    await expect(printed(renderIncident(pivot, { full: false }))).toMatchFileSnapshot(`${GOLDEN}/terminal-pivot.txt`);
  });

  it('prints what local containment did', async () => {
    const result = { incident: pivot, response: pending, execution: 'local-1', firstContainmentMs: 41.6, policies: {}, emails: [] };
    await expect(printed(renderContainment([result], ['isolate-pod applied'], 'high'))).toMatchFileSnapshot(`${GOLDEN}/containment-pivot.txt`);
  });
});

describe('the containment workflow emails', () => {
  it('state the plan', async () => {
    await expect(`${planMessage(pivot, false, false)}\n`).toMatchFileSnapshot(`${GOLDEN}/workflow-plan-pivot.txt`);
  });

  it('state the outcome', async () => {
    await expect(`${outcomeMessage(pivot, pending, 'approved')}\n`).toMatchFileSnapshot(`${GOLDEN}/workflow-outcome-pivot.txt`);
  });
});

describe('the Security Hub finding', () => {
  it('for the pivot part-way through containment', async () => {
    const finding = incidentFinding(pivot, pending, { accountId: '111122223333', region: 'us-east-1', updatedAt: NOW.toISOString() });
    await expect(`${JSON.stringify(finding, null, 2)}\n`).toMatchFileSnapshot(`${GOLDEN}/asff-pivot.json`);
  });
});

describe('the monthly review', () => {
  it('tells the pivot in four paragraphs', async () => {
    const narrative = incidentNarrative(pivot, pending);
    await expect(
      `${Object.entries(narrative)
        .map(([part, text]) => `${part}: ${text}`)
        .join('\n\n')}\n`,
    ).toMatchFileSnapshot(`${GOLDEN}/narrative-pivot.txt`);
  });

  it('tells the pivot at each point of its handling', async () => {
    const told = Object.entries(NARRATIVE_CASES).map(([name, { incident, response }]) => {
      const narrative = incidentNarrative(incident, response);
      return [`## ${name}`, ...Object.entries(narrative).map(([part, text]) => `${part}: ${text}`)].join('\n\n');
    });
    await expect(`${told.join('\n\n')}\n`).toMatchFileSnapshot(`${GOLDEN}/narrative-cases.txt`);
  });

  it('renders a month', async () => {
    await expect(renderReportHtml(buildReport({ month: '2026-11', ...sampleMonth() }))).toMatchFileSnapshot(`${GOLDEN}/report.html`);
  });

  it('renders a month without incidents', async () => {
    const empty = buildReport({ month: '2026-08', incidents: [], responses: [], suppressions: [], now: new Date('2026-09-01T00:00:00Z') });
    await expect(renderReportHtml(empty)).toMatchFileSnapshot(`${GOLDEN}/report-empty.html`);
  });
});
