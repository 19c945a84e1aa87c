import { SFNClient, SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContainmentDesk } from '#adapters/approval/containment-desk';
import { StepFunctionsDecisions } from '#adapters/approval/workflow-decisions';
import { MemoryResponseStore } from '#adapters/memory-responses';
import type { Incident } from '#core/model/incident';
import { openResponse } from '#core/respond/response';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';

const sfn = mockClient(SFNClient);
const NOW = new Date('2026-11-21T03:00:00Z');
let incident: Incident;

beforeAll(async () => {
  [incident] = (await incidentsOf(pivotScenario())) as [Incident];
});

async function waitingDesk() {
  const responses = new MemoryResponseStore([
    {
      ...openResponse(incident.id, '2026-11-21T02:13:04Z'),
      approval: { nonce: 'n-1', requestedAt: '2026-11-21T02:14:00Z', expiresAt: '2026-11-22T02:14:00Z', proposed: incident.plan.approval },
    },
  ]);
  await responses.putApprovalToken(incident.id, 'n-1', 'token-1');
  const desk = new ContainmentDesk({
    incidents: { getIncident: async (id) => (id === incident.id ? incident : undefined) },
    responses,
    workflow: new StepFunctionsDecisions(new SFNClient({ region: 'us-east-1' })),
    undo: async () => [],
    clock: () => NOW,
  });
  return { desk, responses };
}

describe('ContainmentDesk decisions through Step Functions', () => {
  it('sends the approval with who, when and exactly the steps approved, and records it', async () => {
    sfn.reset();
    sfn.on(SendTaskSuccessCommand).resolves({});
    const { desk, responses } = await waitingDesk();
    expect(await desk.decide({ incidentId: incident.id, decision: 'approve', by: 'alice' })).toMatchObject({ ok: true });
    expect(JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.output!)).toEqual({
      decision: 'approved',
      by: 'alice',
      at: NOW.toISOString(),
      actions: incident.plan.approval,
    });
    expect((await responses.getResponse(incident.id))!.approval).toMatchObject({ decision: 'approved', decidedBy: 'alice' });
  });

  it('approves the request as it is at the decision, with the steps a later execution added to it', async () => {
    sfn.reset();
    sfn.on(SendTaskSuccessCommand).resolves({});
    const { desk, responses } = await waitingDesk();
    const added = { action: 'cordon-node' as const, target: 'ip-10-0-42-17.ec2.internal', reason: 'the host may be compromised' };
    await responses.updateResponse(incident.id, (current) => ({
      ...current!,
      approval: { ...current!.approval!, proposed: [...current!.approval!.proposed, added] },
    }));
    await desk.decide({ incidentId: incident.id, decision: 'approve', by: 'alice' });
    const { actions } = JSON.parse(sfn.commandCalls(SendTaskSuccessCommand)[0]!.args[0].input.output!);
    expect(actions).toEqual([...incident.plan.approval, added]);
  });

  it('leaves the request open, its token back, when the decision cannot be delivered', async () => {
    sfn.reset();
    sfn
      .on(SendTaskSuccessCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({});
    const { desk, responses } = await waitingDesk();
    await expect(desk.decide({ incidentId: incident.id, decision: 'approve', by: 'alice' })).rejects.toThrow('Rate exceeded');
    expect((await responses.getResponse(incident.id))!.approval).not.toHaveProperty('decision');
    expect(await desk.decide({ incidentId: incident.id, decision: 'approve', by: 'alice' })).toMatchObject({ ok: true });
    expect(sfn.commandCalls(SendTaskSuccessCommand).map((call) => call.args[0].input.taskToken)).toEqual(['token-1', 'token-1']);
  });

  it('says the wait had ended when Step Functions no longer waits, and does not record the late answer as a decision', async () => {
    sfn.reset();
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} }));
    const { desk, responses } = await waitingDesk();
    expect(await desk.decide({ incidentId: incident.id, decision: 'approve', by: 'alice' })).toEqual({
      ok: false,
      reason: 'the approval wait had already timed out; nothing disruptive ran',
    });
    expect((await responses.getResponse(incident.id))!.approval).toMatchObject({ decision: 'timeout', decidedBy: 'nobody (timed out)' });
  });

  it('refuses a link for an earlier wait', async () => {
    const { desk } = await waitingDesk();
    expect(await desk.decide({ incidentId: incident.id, nonce: 'n-0', decision: 'reject', by: 'bob' })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('earlier approval request'),
    });
  });
});
