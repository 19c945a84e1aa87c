import { beforeAll, describe, expect, it } from 'vitest';
import { executionName } from '#adapters/containment/execution-names';
import { type StepPayload, StepRefused, containmentSteps } from '#adapters/containment/steps';
import { LocalExecutions } from '#adapters/local/state-machine-runner';
import { MemoryResponseStore } from '#adapters/memory-responses';
import type { Incident, PlannedAction } from '#core/model/incident';
import type { ActionRecord } from '#core/respond/action';
import { openResponse } from '#core/respond/response';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { ROLE_ARN, pivotScenario } from '../fixtures/pivot-scenario.ts';

/**
 * Anyone allowed to invoke the containment function can send it any payload. Every step runs
 * only inside this state machine's running execution for its incident, and a `run-action` acts
 * only on what the state table says pivotguard planned for a stored incident, or a person
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
  const notices: string[] = [];
  // The incident's own execution, running, as the state machine would have started it.
  const executions = new LocalExecutions();
  const ownExecution = executions.started(executionName(incident.id), { incident, dryRun: false, approvalUrl: '' });
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
      denyWebIdentity: async (input) => {
        iamCalls.push({ call: 'denyWebIdentity', input: { ...input } });
        return record('deny-web-identity', input.roleArn);
      },
    },
    kubernetes: async () => {
      throw new Error('no cluster in this test');
    },
    recordsBehind: async () => [],
    notify: async (_, subject) => {
      notices.push(subject);
    },
    responses,
    linkSecret: async () => 'secret',
    approvalTimeoutMs: 3600_000,
    clock: () => NOW,
    executions,
  });
  // Without `via`, the step runs inside the incident's own execution.
  const run = async (action: PlannedAction, approval?: unknown, via: { executionArn?: string } = { executionArn: ownExecution }) => {
    if (options.approval) {
      const { proposed, decidedAt } = options.approval;
      await responses.updateResponse(incident.id, () => ({
        ...openResponse(incident.id, NOW.toISOString()),
        approval: { nonce: 'n-1', requestedAt: NOW.toISOString(), expiresAt: NOW.toISOString(), proposed, decision: 'approved', decidedAt, decidedBy: 'alice' },
      }));
    }
    const payload = {
      step: 'run-action',
      incident,
      dryRun: false,
      action,
      executionArn: via.executionArn,
      ...(approval ? { approval } : {}),
    } as unknown as StepPayload;
    return { record: (await steps(payload)) as ActionRecord, iamCalls };
  };
  return { run, steps, executions, ownExecution, iamCalls, notices, responses };
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

describe('a step from outside the incident’s running execution', () => {
  const approvedRevokeAll = () => ({ stored: incident, approval: { proposed: [revokeAll(ROLE_ARN)], decidedAt: '2026-11-21T02:50:00.000Z' } });

  /** The refusal a forged run-action of an approved step gets, with what changed meanwhile. */
  const refusalOf = async (world: ReturnType<typeof wiring>, executionArn: string | undefined) => {
    const error = await world.run(revokeAll(ROLE_ARN), undefined, { executionArn }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StepRefused);
    expect(world.iamCalls).toEqual([]);
    expect(world.notices).toEqual([]);
    return (error as StepRefused).refusal;
  };

  it('is allowed inside the incident’s own running execution (the control)', async () => {
    const world = wiring(approvedRevokeAll());
    const { record } = await world.run(revokeAll(ROLE_ARN));
    expect(record.result).toBe('applied');
    expect(world.iamCalls.map((call) => call.call)).toEqual(['revokeAllSessions']);
  });

  it('naming no execution acts on nothing', async () => {
    expect(await refusalOf(wiring(approvedRevokeAll()), undefined)).toBe('no-execution');
  });

  it('naming an execution of another state machine acts on nothing', async () => {
    const world = wiring(approvedRevokeAll());
    const elsewhere = world.ownExecution.replace(':pivotguard-local:', ':someone-elses-workflow:');
    expect(elsewhere).not.toBe(world.ownExecution);
    expect(await refusalOf(world, elsewhere)).toBe('other-state-machine');
  });

  it('naming an execution of this state machine that never ran acts on nothing', async () => {
    const world = wiring(approvedRevokeAll());
    expect(await refusalOf(world, world.executions.arnOf('made-up'))).toBe('unknown-execution');
  });

  it('naming the incident’s finished execution acts on nothing', async () => {
    const world = wiring(approvedRevokeAll());
    world.executions.finished(world.ownExecution, 'SUCCEEDED');
    expect(await refusalOf(world, world.ownExecution)).toBe('execution-not-running');
  });

  it('naming a running execution of another incident acts on nothing', async () => {
    const world = wiring(approvedRevokeAll());
    const other = world.executions.started('inc-someone-else', { incident: { id: 'inc-someone-else' }, dryRun: false, approvalUrl: '' });
    expect(await refusalOf(world, other)).toBe('other-incident');
  });

  it('refuses every other step too, before it records or emails anything', async () => {
    const world = wiring({ stored: incident });
    const forged: Record<string, unknown>[] = [
      { step: 'notify', evidence: {} },
      { step: 'record', approval: { decision: 'approved', by: 'mallory', at: NOW.toISOString(), actions: [] } },
      { step: 'join-approval', approvalUrl: 'https://attacker.example/' },
      { step: 'request-approval', taskToken: 'forged', proposed: incident.plan.approval, approvalUrl: 'https://attacker.example/' },
      { step: 'action-failed', action: revokeAll(ROLE_ARN), error: { Error: 'forged' } },
    ];
    for (const payload of forged) {
      const error = await world.steps({ ...payload, incident, dryRun: false } as unknown as StepPayload).catch((caught: unknown) => caught);
      expect(error, String(payload.step)).toBeInstanceOf(StepRefused);
      expect((error as StepRefused).refusal).toBe('no-execution');
    }
    expect(await world.responses.getResponse(incident.id)).toBeUndefined();
    expect(world.notices).toEqual([]);
  });

  it('has no undo step: undo runs in a function of its own', async () => {
    const world = wiring({ stored: incident });
    const undo = { step: 'undo', incidentId: incident.id, by: 'mallory', executionArn: world.ownExecution } as unknown as StepPayload;
    await expect(world.steps(undo)).rejects.toThrow(/has no step "undo"/);
  });
});
