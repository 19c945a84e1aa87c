import { describe, expect, it } from 'vitest';
import { LocalExecutions, type TaskHandler, execute } from '#adapters/local/state-machine-runner';
import { synthesizedDefinition } from '../../bin/local/synthesized-workflow.ts';

const definition = synthesizedDefinition();

const incident = {
  id: 'inc-1',
  plan: {
    automatic: [
      { action: 'isolate-pod', target: 'prod-east/payments/checkout-1', reason: 'r' },
      { action: 'revoke-role-sessions', target: 'arn:aws:iam::111122223333:role/checkout-irsa', reason: 'r' },
    ],
    approval: [{ action: 'scale-down', target: 'prod-east/payments/checkout', reason: 'r' }],
  },
};

/** Task handlers that record the order of steps; `overrides` replaces single steps. */
function recorder(overrides: Partial<Record<string, TaskHandler>> = {}) {
  const calls: { state: string; step: unknown; action?: unknown }[] = [];
  const handle =
    (state: string): TaskHandler =>
    async (input) => {
      const payload = ((input.Payload as Record<string, unknown> | undefined) ?? input) as Record<string, unknown>;
      calls.push({ state, step: payload.step, action: (payload.action as { action?: string } | undefined)?.action });
      const override = overrides[state];
      if (override) return override(payload);
      if (payload.step === 'run-action') return { action: (payload.action as { action: string }).action, result: 'applied' };
      if (payload.step === 'join-approval') return { joined: false };
      return { ok: true };
    };
  const states = [
    'CaptureEvidence',
    'RecordEvidenceFailure',
    'Notify',
    'AutomaticActionsAction',
    'AutomaticActionsActionFailed',
    'JoinPendingApproval',
    'AwaitApproval',
    'ApprovedActionsAction',
    'ApprovedActionsActionFailed',
    'RecordOutcome',
  ];
  return { calls, handlers: Object.fromEntries(states.map((state) => [state, handle(state)])) };
}

const steps = (calls: { state: string; action?: unknown }[]) => calls.map((call) => (call.action ? `${call.state}:${String(call.action)}` : call.state));

describe('the containment workflow (synthesized definition, local interpreter)', () => {
  it('captures evidence before anything else, then notifies, runs the automatic tier and, approved, the disruptive one', async () => {
    let waiting: Record<string, unknown> | undefined;
    const { calls, handlers } = recorder({
      AwaitApproval: async (payload) => {
        waiting = payload;
        return { decision: 'approved', by: 'alice', actions: incident.plan.approval };
      },
    });
    const output = (await execute(definition, { incident, dryRun: false, approvalUrl: '' }, handlers)) as Record<string, unknown>;
    // The waiting state's input shows exactly what awaits a person, and carries the task token.
    expect(waiting).toMatchObject({ step: 'request-approval', taskToken: 'task-token-1', proposed: incident.plan.approval });
    expect(steps(calls)).toEqual([
      'CaptureEvidence',
      'Notify',
      'AutomaticActionsAction:isolate-pod',
      'AutomaticActionsAction:revoke-role-sessions',
      'JoinPendingApproval',
      'AwaitApproval',
      'ApprovedActionsAction:scale-down',
      'RecordOutcome',
    ]);
    expect(output.approval).toEqual({ decision: 'approved', by: 'alice', actions: incident.plan.approval });
    expect((output.approved as { records: unknown[] }).records).toEqual([{ action: 'scale-down', result: 'applied' }]);
  });

  it('runs nothing disruptive when the approval is rejected or times out, and records why', async () => {
    for (const [error, decision] of [
      ['Rejected', 'rejected'],
      ['States.Timeout', 'timeout'],
    ] as const) {
      const { calls, handlers } = recorder({
        AwaitApproval: async () => {
          throw Object.assign(new Error(decision), { name: error });
        },
      });
      const output = (await execute(definition, { incident, dryRun: false, approvalUrl: '' }, handlers)) as Record<string, unknown>;
      expect(steps(calls).filter((step) => step.startsWith('ApprovedActions'))).toEqual([]);
      expect(output.approval).toEqual({ decision });
      expect(steps(calls).at(-1)).toBe('RecordOutcome');
    }
  });

  it('stops before any action when evidence cannot be stored', async () => {
    const { calls, handlers } = recorder({
      CaptureEvidence: async () => {
        throw Object.assign(new Error('bucket unavailable'), { name: 'EvidenceError' });
      },
    });
    await expect(execute(definition, { incident, dryRun: false, approvalUrl: '' }, handlers)).rejects.toThrow();
    expect(steps(calls)).toEqual(['CaptureEvidence', 'RecordEvidenceFailure']);
  });

  it('records a failed action and lets the independent ones continue', async () => {
    const { calls, handlers } = recorder({
      AutomaticActionsAction: async (payload) => {
        if ((payload.action as { action: string }).action === 'isolate-pod') throw Object.assign(new Error('forbidden'), { name: 'Forbidden' });
        return { action: 'revoke-role-sessions', result: 'applied' };
      },
      AutomaticActionsActionFailed: async (payload) => ({ action: (payload.action as { action: string }).action, result: 'failed' }),
    });
    const output = (await execute(
      definition,
      { incident: { ...incident, plan: { ...incident.plan, approval: [] } }, dryRun: false, approvalUrl: '' },
      handlers,
    )) as Record<string, unknown>;
    expect((output.automatic as { records: unknown[] }).records).toEqual([
      { action: 'isolate-pod', result: 'failed' },
      { action: 'revoke-role-sessions', result: 'applied' },
    ]);
    expect(steps(calls)).toContain('AutomaticActionsActionFailed:isolate-pod');
    expect(output.approval).toEqual({ decision: 'none' });
  });

  it("goes on containing when the plan email cannot be sent: a broken mail path must not keep the attacker's session alive", async () => {
    const { calls, handlers } = recorder({
      Notify: async () => {
        throw Object.assign(new Error('topic unavailable'), { name: 'NotFoundException' });
      },
      AwaitApproval: async () => ({ decision: 'approved', actions: incident.plan.approval }),
    });
    await execute(definition, { incident, dryRun: false, approvalUrl: '' }, handlers);
    expect(steps(calls)).toEqual(
      expect.arrayContaining([
        'AutomaticActionsAction:isolate-pod',
        'AutomaticActionsAction:revoke-role-sessions',
        'ApprovedActionsAction:scale-down',
        'RecordOutcome',
      ]),
    );
  });

  it('retries throttled steps with backoff', async () => {
    let attempts = 0;
    const { handlers } = recorder({
      Notify: async () => {
        attempts++;
        if (attempts < 3) throw Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
        return { ok: true };
      },
    });
    await execute(definition, { incident, dryRun: true, approvalUrl: '' }, { ...handlers, AwaitApproval: async () => ({ decision: 'approved', actions: [] }) });
    expect(attempts).toBe(3);
  });

  it('runs exactly the approved steps, which may be more than this execution proposed', async () => {
    const added = { action: 'restart-pod', target: 'prod-east/payments/checkout-1', reason: 'r' };
    const { calls, handlers } = recorder({ AwaitApproval: async () => ({ decision: 'approved', by: 'alice', actions: [added] }) });
    await execute(definition, { incident, dryRun: false, approvalUrl: '' }, handlers);
    expect(steps(calls).filter((step) => step.startsWith('ApprovedActions'))).toEqual(['ApprovedActionsAction:restart-pod']);
  });

  it('starts no second wait when its steps joined the request another execution waits on', async () => {
    const { calls, handlers } = recorder({ JoinPendingApproval: async () => ({ joined: true }) });
    const output = (await execute(definition, { incident, dryRun: false, approvalUrl: '' }, handlers, { execution: 'inc-1-0a1b2c3d' })) as Record<
      string,
      unknown
    >;
    expect(steps(calls).slice(-2)).toEqual(['JoinPendingApproval', 'RecordOutcome']);
    expect(output.approval).toEqual({ decision: 'joined' });
  });

  it('tells every step which execution it belongs to, by name and ARN (its check), and evidence when the execution started', async () => {
    const payloads: Record<string, unknown>[] = [];
    const executions = new LocalExecutions();
    const { handlers } = recorder();
    const seen = Object.fromEntries(
      Object.entries(handlers).map(([state, handler]) => [
        state,
        (async (input) => {
          payloads.push({ state, ...((input.Payload as Record<string, unknown> | undefined) ?? input) });
          return handler(input);
        }) satisfies TaskHandler,
      ]),
    );
    await execute(
      definition,
      { incident, dryRun: false, approvalUrl: '' },
      {
        ...seen,
        AwaitApproval: async (input) => {
          payloads.push({ state: 'AwaitApproval', ...(input.Payload as Record<string, unknown>) });
          return { decision: 'approved', actions: incident.plan.approval };
        },
      },
      { execution: 'inc-1-0a1b2c3d', executions },
    );
    expect(new Set(payloads.map((payload) => payload.execution))).toEqual(new Set(['inc-1-0a1b2c3d']));
    // Map iterations and the waiting task included: a step without it would be refused.
    expect(new Set(payloads.map((payload) => payload.state))).toEqual(
      new Set(['CaptureEvidence', 'Notify', 'AutomaticActionsAction', 'JoinPendingApproval', 'AwaitApproval', 'ApprovedActionsAction', 'RecordOutcome']),
    );
    expect(new Set(payloads.map((payload) => payload.executionArn))).toEqual(new Set([executions.arnOf('inc-1-0a1b2c3d')]));
    expect(await executions.verify({ executionArn: executions.arnOf('inc-1-0a1b2c3d'), incidentId: incident.id })).toMatchObject({
      ok: false,
      refusal: 'execution-not-running',
    });
    expect(payloads.find((payload) => payload.state === 'CaptureEvidence')).toMatchObject({ startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });
});
