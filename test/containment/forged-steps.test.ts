import { beforeAll, describe, expect, it } from 'vitest';
import { type StepPayload, containmentSteps } from '#adapters/containment/steps';
import { MemoryResponseStore } from '#adapters/memory-responses';
import type { Incident, PlannedAction } from '#core/model/incident';
import type { ActionRecord } from '#core/respond/action';
import { openResponse } from '#core/respond/response';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { ROLE_ARN, pivotScenario } from '../fixtures/pivot-scenario.ts';

/**
 * Anyone allowed to invoke the containment function can send it any payload. A `run-action`
 * acts only on what the state table says pivotguard planned for a stored incident, or a person
 * approved in a recorded decision; anything else is refused and acts on nothing.
 */
const NOW = new Date('2026-11-21T03:00:00Z');
const ADMIN_ROLE = 'arn:aws:iam::111122223333:role/Administrator';
let incident: Incident;

beforeAll(async () => {
  const [first] = await incidentsOf(pivotScenario(), { egressCidrs: ['203.0.113.10/32'] });
  incident = first!;
});

function wiring(options: { stored?: Incident; approval?: { proposed: PlannedAction[]; decidedAt: string } } = {}) {
  const iamCalls: { call: string; input: Record<string, unknown> }[] = [];
  const record = (action: PlannedAction['action'], target: string): ActionRecord => ({
    action,
    incidentId: incident.id,
    target,
    startedAt: NOW.toISOString(),
    finishedAt: NOW.toISOString(),
    result: 'applied',
    detail: 'done',
  });
  const responses = new MemoryResponseStore();
  const steps = containmentSteps({
    incidents: { getIncident: async (id) => (options.stored && id === options.stored.id ? options.stored : undefined) },
    evidence: { capture: async () => ({ record: record('capture-evidence', incident.id) }) } as never,
    iam: {
      revokeSessions: async (input) => {
        iamCalls.push({ call: 'revokeSessions', input: { ...input } });
        return record('revoke-role-sessions', input.roleArn);
      },
      revokeAllSessions: async (input) => {
        iamCalls.push({ call: 'revokeAllSessions', input: { ...input } });
        return record('revoke-all-sessions', input.roleArn);
      },
      fenceRole: async (input) => {
        iamCalls.push({ call: 'fenceRole', input: { ...input } });
        return record('fence-role', input.roleArn);
      },
      denyWebIdentity: async (input) => record('deny-web-identity', input.roleArn),
      restoreTrustPolicy: async () => record('deny-web-identity', ''),
      undo: async () => record('revoke-role-sessions', ''),
    },
    kubernetes: async () => {
      throw new Error('no cluster in this test');
    },
    recordsBehind: async () => [],
    notify: async () => {},
    responses,
    linkSecret: async () => 'secret',
    approvalTimeoutMs: 3600_000,
    clock: () => NOW,
  });
  const run = async (action: PlannedAction, approval?: unknown) => {
    if (options.approval) {
      const { proposed, decidedAt } = options.approval;
      await responses.updateResponse(incident.id, () => ({
        ...openResponse(incident.id, NOW.toISOString()),
        approval: { nonce: 'n-1', requestedAt: NOW.toISOString(), expiresAt: NOW.toISOString(), proposed, decision: 'approved', decidedAt, decidedBy: 'alice' },
      }));
    }
    const payload = { step: 'run-action', incident, dryRun: false, action, ...(approval ? { approval } : {}) } as unknown as StepPayload;
    return { record: (await steps(payload)) as ActionRecord, iamCalls };
  };
  return { run };
}

const revokeAll = (target: string): PlannedAction => ({ action: 'revoke-all-sessions', target, reason: 'forged' });
const forgedApproval = { decision: 'approved', by: 'mallory', at: '2099-01-01T00:00:00Z' };

describe('a forged run-action', () => {
  it('for an incident the table does not hold acts on nothing', async () => {
    const { record, iamCalls } = await wiring().run(revokeAll(ROLE_ARN), forgedApproval);
    expect(record.detail).toMatch(/^refused \(incident-not-stored\)/);
    expect(iamCalls).toEqual([]);
  });

  it('for a step the stored plan does not hold (an administrator role) acts on nothing', async () => {
    const { record, iamCalls } = await wiring({ stored: incident }).run(revokeAll(ADMIN_ROLE), forgedApproval);
    expect(record.detail).toMatch(/^refused \(not-in-plan\)/);
    expect(iamCalls).toEqual([]);
  });

  it('for a planned step that waits for a person, with an approval only in the payload, acts on nothing', async () => {
    expect(incident.plan.approval.map((step) => `${step.action} ${step.target}`)).toContain(`revoke-all-sessions ${ROLE_ARN}`);
    const { record, iamCalls } = await wiring({ stored: incident }).run(revokeAll(ROLE_ARN), forgedApproval);
    expect(record.detail).toMatch(/^refused \(not-approved\)/);
    expect(iamCalls).toEqual([]);
  });

  it('for an approved step runs with the recorded decision’s time, not the payload’s 2099', async () => {
    const decidedAt = '2026-11-21T02:50:00.000Z';
    const { iamCalls } = await wiring({ stored: incident, approval: { proposed: [revokeAll(ROLE_ARN)], decidedAt } }).run(revokeAll(ROLE_ARN), forgedApproval);
    expect(iamCalls).toHaveLength(1);
    expect((iamCalls[0]!.input.now as Date).toISOString()).toBe(decidedAt);
  });

  it('never takes a recorded decision time later than now', async () => {
    const { iamCalls } = await wiring({ stored: incident, approval: { proposed: [revokeAll(ROLE_ARN)], decidedAt: '2099-01-01T00:00:00.000Z' } }).run(
      revokeAll(ROLE_ARN),
    );
    expect((iamCalls[0]!.input.now as Date).toISOString()).toBe(NOW.toISOString());
  });
});
