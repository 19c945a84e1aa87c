import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { executionName, revisionName } from '#adapters/containment/execution-names';
import { StepFunctionsStarter, executionInput } from '#adapters/containment/workflow-starter';
import type { Incident } from '#core/model/incident';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';

const sfn = mockClient(SFNClient);
const ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:containment';
let incident: Incident;

beforeAll(async () => {
  [incident] = (await incidentsOf(pivotScenario())) as [Incident];
});

beforeEach(() => sfn.reset());

describe('StepFunctionsStarter', () => {
  it('starts one execution named after the incident, and treats an existing one as already handled', async () => {
    sfn
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: `${ARN}:x`, startDate: new Date() })
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const starter = new StepFunctionsStarter(new SFNClient({}), ARN, 'https://page.example/');
    expect(await starter.start(incident, false)).toEqual({ execution: incident.id, started: true });
    expect(await starter.start(incident, false)).toEqual({ execution: incident.id, started: false });
  });

  it('passes other failures on, so the caller can count them', async () => {
    sfn.on(StartExecutionCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(new StepFunctionsStarter(new SFNClient({}), ARN, '').start(incident, false)).rejects.toThrow('denied');
  });

  it('names executions within Step Functions rules', () => {
    expect(executionName('inc-a1b2')).toBe('inc-a1b2');
    expect(executionName(`inc:${'x'.repeat(100)}`)).toMatch(/^inc_x{76}$/);
  });

  it('names a revision after the incident and the set of actions it adds, whatever their order', () => {
    const keys = ['revoke-role-sessions|arn:aws:iam::111122223333:role/checkout-irsa|a|b', 'restart-pod|prod-east/payments/checkout-1'];
    expect(revisionName('inc-a1b2', keys)).toMatch(/^inc-a1b2-[0-9a-f]{8}$/);
    expect(revisionName('inc-a1b2', [...keys].reverse())).toBe(revisionName('inc-a1b2', keys));
    expect(revisionName('inc-a1b2', keys.slice(1))).not.toBe(revisionName('inc-a1b2', keys));
    expect(revisionName(`inc:${'x'.repeat(100)}`, keys)).toMatch(/^inc_x{67}-[0-9a-f]{8}$/);
  });

  it('starts a revision under the name it is given, with the plan it is given', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:r`, startDate: new Date() });
    const revoke = incident.plan.automatic.filter((action) => action.action === 'revoke-role-sessions');
    const revision = { ...incident, plan: { automatic: revoke, approval: [] } };
    expect(await new StepFunctionsStarter(new SFNClient({}), ARN, '').start(revision, false, 'inc-x-0a1b2c3d')).toEqual({
      execution: 'inc-x-0a1b2c3d',
      started: true,
    });
    const sent = sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(sent.name).toBe('inc-x-0a1b2c3d');
    expect(JSON.parse(sent.input!).incident.plan).toEqual({ automatic: revoke, approval: [] });
  });

  it('trims the signals of an incident too large for an execution input, keeping the first', () => {
    const signal = incident.signals[0]!;
    const huge = { ...incident, signals: Array.from({ length: 4000 }, (_, index) => ({ ...signal, id: `s-${index}`, summary: 'y'.repeat(100) })) };
    const input = executionInput(huge, true, 'https://page.example/');
    expect(Buffer.byteLength(input)).toBeLessThanOrEqual(250_000);
    const parsed = JSON.parse(input);
    expect(parsed.signals).toBeUndefined();
    expect(parsed.incident.signals[0].id).toBe('s-0');
    expect(parsed.incident.signals.length).toBeLessThan(4000);
    expect(parsed).toMatchObject({ dryRun: true, approvalUrl: 'https://page.example/' });
  });
});
