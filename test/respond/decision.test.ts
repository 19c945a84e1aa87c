import { beforeAll, describe, expect, it } from 'vitest';
import { type Config, defaultConfig } from '#core/config';
import type { Incident, PlannedAction } from '#core/model/incident';
import { decideResponse, nextContainment, shouldContain } from '#core/respond/decision';
import { type IncidentResponse, type WorkflowExecution, actionKey, openResponse, withExecution } from '#core/respond/response';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';

const ROLE = 'arn:aws:iam::111122223333:role/checkout-irsa';
const POD = 'prod-east/payments/checkout-7d9f8b6c5-x2k4q';
const isolate: PlannedAction = { action: 'isolate-pod', target: POD, reason: 'r' };
const revokeOwn: PlannedAction = { action: 'revoke-role-sessions', target: ROLE, reason: 'r', scope: ['aws-sdk-js-session-1'] };
const revokeBoth: PlannedAction = { ...revokeOwn, scope: ['aws-sdk-js-session-1', 'botocore-session-1'] };
const scaleDown: PlannedAction = { action: 'scale-down', target: 'prod-east/payments/Deployment/checkout', reason: 'r' };
const AT = '2026-11-21T03:00:00.000Z';
const RECEIVED = '2026-11-21T02:59:58.000Z';

let pivot: Incident;

beforeAll(async () => {
  [pivot] = (await incidentsOf(pivotScenario())) as [Incident];
});

/** The pivot incident at `severity`, with `plan`. */
function incident(severity: Incident['severity'], plan: Incident['plan'] = { automatic: [isolate, revokeOwn], approval: [scaleDown] }): Incident {
  return { ...pivot, severity, plan };
}

function containFrom(severity: Config['actions']['containFrom']): Config {
  return { ...defaultConfig, actions: { ...defaultConfig.actions, containFrom: severity } };
}

function executed(
  response: IncidentResponse,
  execution: string,
  covers: PlannedAction[],
  dryRun = false,
  kind: 'first' | 'revision' = 'first',
): IncidentResponse {
  const run: WorkflowExecution = { execution, startedAt: AT, dryRun, covers: covers.map(actionKey) };
  return withExecution(response, run, kind);
}

describe('shouldContain: incidents at or above actions.containFrom start containment', () => {
  it('contains at the threshold and above, not below', () => {
    const config = containFrom('high');
    expect(shouldContain({ severity: 'high' }, config)).toBe(true);
    expect(shouldContain({ severity: 'critical' }, config)).toBe(true);
    expect(shouldContain({ severity: 'medium' }, config)).toBe(false);
  });

  it('follows the configured threshold', () => {
    expect(shouldContain({ severity: 'high' }, containFrom('critical'))).toBe(false);
    expect(shouldContain({ severity: 'low' }, containFrom('low'))).toBe(true);
  });
});

describe('decideResponse: the response recorded', () => {
  it('opens a response for a new incident, with its arrival time and its alert', () => {
    const decision = decideResponse(
      { update: { incident: incident('high'), change: 'opened' }, current: undefined, at: AT, firstRecordReceivedAt: RECEIVED, dryRun: false },
      defaultConfig,
    );
    expect(decision.opened).toBe(true);
    expect(decision.response).toMatchObject({ incidentId: pivot.id, openedAt: AT, firstRecordReceivedAt: RECEIVED, status: 'open' });
    expect(decision.response.alerts).toEqual([{ at: AT, kind: 'opened', severity: 'high' }]);
  });

  it('records an alert once: the same change at the same severity finds the response as it was', () => {
    const first = decideResponse(
      { update: { incident: incident('high'), change: 'opened' }, current: undefined, at: AT, dryRun: false },
      defaultConfig,
    ).response;
    const again = decideResponse(
      { update: { incident: incident('high'), change: 'opened' }, current: first, at: '2026-11-21T03:05:00.000Z', dryRun: false },
      defaultConfig,
    );
    expect(again.opened).toBe(false);
    expect(again.response).toBe(first);
  });

  it('adds the escalation beside the opening, and keeps the opening time', () => {
    const opened = decideResponse(
      { update: { incident: incident('high'), change: 'opened' }, current: undefined, at: AT, dryRun: false },
      defaultConfig,
    ).response;
    const later = '2026-11-21T03:10:00.000Z';
    const { response } = decideResponse(
      { update: { incident: incident('critical'), change: 'escalated', previousSeverity: 'high' }, current: opened, at: later, dryRun: false },
      defaultConfig,
    );
    expect(response.openedAt).toBe(AT);
    expect(response.alerts.map(({ kind, severity }) => [kind, severity])).toEqual([
      ['opened', 'high'],
      ['escalated', 'critical'],
    ]);
  });

  it('records no alert for an incident a replay finds unchanged', () => {
    const current = openResponse(pivot.id, AT);
    expect(decideResponse({ update: { incident: incident('high'), change: 'unchanged' }, current, at: AT, dryRun: false }, defaultConfig).response).toBe(
      current,
    );
    expect(
      decideResponse({ update: { incident: incident('high'), change: 'unchanged' }, current: undefined, at: AT, dryRun: false }, defaultConfig).response.alerts,
    ).toEqual([]);
  });
});

describe('decideResponse: the containment started', () => {
  const decide = (subject: Incident, current: IncidentResponse | undefined, dryRun = false, config = defaultConfig) =>
    decideResponse({ update: { incident: subject, change: 'opened' }, current, at: AT, dryRun }, config).containment;

  it('starts nothing below the threshold', () => {
    expect(decide(incident('medium'), undefined)).toBeUndefined();
    expect(decide(incident('high'), undefined, false, containFrom('critical'))).toBeUndefined();
  });

  it('starts the first execution with the whole plan when none was started', () => {
    expect(decide(incident('high'), undefined)).toEqual({
      kind: 'first',
      plan: { automatic: [isolate, revokeOwn], approval: [scaleDown] },
      covers: [isolate, revokeOwn, scaleDown].map(actionKey),
    });
  });

  it('starts nothing when executions cover the whole plan', () => {
    const current = executed(openResponse(pivot.id, AT), pivot.id, [isolate, revokeOwn, scaleDown]);
    expect(decide(incident('high'), current)).toBeUndefined();
  });

  it('starts a revision for the steps the plan gained (a new session), and only those', () => {
    const current = executed(openResponse(pivot.id, AT), pivot.id, [isolate, revokeOwn, scaleDown]);
    expect(decide(incident('critical', { automatic: [isolate, revokeBoth], approval: [scaleDown] }), current)).toEqual({
      kind: 'revision',
      plan: { automatic: [revokeBoth], approval: [] },
      covers: [actionKey(revokeBoth)],
    });
  });

  it('takes what a revision covered as covered', () => {
    const first = executed(openResponse(pivot.id, AT), pivot.id, [isolate, revokeOwn, scaleDown]);
    const current = executed(first, `${pivot.id}-0a1b2c3d`, [revokeBoth], false, 'revision');
    expect(decide(incident('critical', { automatic: [isolate, revokeBoth], approval: [scaleDown] }), current)).toBeUndefined();
  });

  it('redoes for real, as a revision, what only a dry run covered; a dry run again finds it covered', () => {
    const dry = executed(openResponse(pivot.id, AT), pivot.id, [isolate, revokeOwn, scaleDown], true);
    expect(decide(incident('high'), dry, false)).toMatchObject({ kind: 'revision', covers: [isolate, revokeOwn, scaleDown].map(actionKey) });
    expect(decide(incident('high'), dry, true)).toBeUndefined();
  });
});

describe('nextContainment after finding the first execution started by someone else', () => {
  it('takes on the whole plan as a revision while the first is not recorded', () => {
    expect(nextContainment(incident('high'), undefined, false, true)).toMatchObject({
      kind: 'revision',
      covers: [isolate, revokeOwn, scaleDown].map(actionKey),
    });
  });

  it('takes on only what the recorded first does not cover', () => {
    const recorded = executed(openResponse(pivot.id, AT), pivot.id, [isolate, revokeOwn]);
    expect(nextContainment(incident('high'), recorded, false, true)).toMatchObject({ kind: 'revision', covers: [actionKey(scaleDown)] });
  });
});
