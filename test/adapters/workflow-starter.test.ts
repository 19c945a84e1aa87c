import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StepFunctionsStarter, executionInput, executionName } from '#adapters/containment/workflow-starter';
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
    sfn.on(StartExecutionCommand).resolvesOnce({ executionArn: `${ARN}:x`, startDate: new Date() }).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
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
