import { beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '#core/config';
import type { Incident, PlannedAction } from '#core/model/incident';
import { actionKey } from '#core/respond/response';
import type { IncidentChange } from '#core/store/store';
import { executionName, revisionName } from '#adapters/containment/execution-names';
import type { ContainmentStarter } from '#adapters/containment/workflow-starter';
import { MemoryResponseStore } from '#adapters/memory-responses';
import { Responder, type ResponderPorts, type ResponseTelemetry } from '#adapters/respond/responder';
import type { FindingExporter } from '#adapters/security-hub';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';

const POD = 'prod-east/payments/checkout-7d9f8b6c5-x2k4q';
const isolate: PlannedAction = { action: 'isolate-pod', target: POD, reason: 'r' };
const scaleDown: PlannedAction = { action: 'scale-down', target: 'prod-east/payments/Deployment/checkout', reason: 'r' };
const NOW = new Date('2026-11-21T03:00:00Z');

let pivot: Incident;

beforeAll(async () => {
  [pivot] = (await incidentsOf(pivotScenario())) as [Incident];
  pivot = { ...pivot, severity: 'critical', plan: { automatic: [isolate], approval: [scaleDown] } };
});

/** A responder whose ports write what happens, in order, to `seen`. */
function responder(overrides: Partial<ResponderPorts> & { existing?: Set<string> } = {}) {
  const seen: string[] = [];
  const existing = overrides.existing ?? new Set<string>();
  const responses = new MemoryResponseStore();
  const recorded = responses.updateResponse.bind(responses);
  responses.updateResponse = async (incidentId, change) => {
    seen.push('record');
    return recorded(incidentId, change);
  };
  // Step Functions' rule: a name is started once.
  const starter: ContainmentStarter = {
    start: async (incident, _, execution = executionName(incident.id)) => {
      seen.push(`start ${execution}`);
      const started = !existing.has(execution);
      existing.add(execution);
      return { execution, started };
    },
  };
  const telemetry: ResponseTelemetry = {
    opened: (incident) => seen.push(`opened ${incident.id}`),
    containment: (_, run) => seen.push(`${run.kind} ${run.started ? 'started' : 'existed'}`),
    notContained: (_, error) => seen.push(`not contained: ${(error as Error).message}`),
    exported: ({ imported }) => seen.push(`exported ${imported}`),
    notExported: (count) => seen.push(`not exported ${count}`),
  };
  const ports: ResponderPorts = {
    config: defaultConfig,
    notifier: { notify: async (change) => void seen.push(`alert ${change.change}`) },
    telemetry,
    clock: () => NOW,
    dryRun: false,
    responses,
    containment: starter,
    ...overrides,
  };
  return { responder: new Responder(ports), seen, responses };
}

const opened = (): IncidentChange => ({ incident: pivot, change: 'opened' });

describe('Responder', () => {
  it('alerts first, then records the response, then starts containment and records the execution', async () => {
    const { responder: subject, seen, responses } = responder();
    const responded = await subject.respond(opened());
    expect(seen).toEqual(['alert opened', 'record', `opened ${pivot.id}`, `start ${pivot.id}`, 'first started', 'record']);
    expect(responded.containment).toMatchObject({ execution: pivot.id, kind: 'first', started: true });
    expect((await responses.getResponse(pivot.id))!.workflow).toEqual({
      execution: pivot.id,
      startedAt: NOW.toISOString(),
      dryRun: false,
      covers: [isolate, scaleDown].map(actionKey),
    });
  });

  it('starts nothing again for a change seen twice', async () => {
    const { responder: subject, seen } = responder();
    await subject.respond(opened());
    await subject.respond(opened());
    expect(seen.filter((line) => line.startsWith('start'))).toEqual([`start ${pivot.id}`]);
    expect(seen.filter((line) => line.startsWith('opened'))).toHaveLength(1);
  });

  it('starts a revision for the whole plan when another analyzer started the first and has not recorded it', async () => {
    const { responder: subject, seen, responses } = responder({ existing: new Set([executionName(pivot.id)]) });
    const responded = await subject.respond(opened());
    const revision = revisionName(pivot.id, [isolate, scaleDown].map(actionKey));
    expect(seen.slice(3)).toEqual([`start ${pivot.id}`, 'first existed', `start ${revision}`, 'revision started', 'record']);
    expect(responded.containment).toMatchObject({ execution: revision, kind: 'revision' });
    expect((await responses.getResponse(pivot.id))!.revisions).toEqual([expect.objectContaining({ execution: revision })]);
  });

  it('alerts but neither records nor starts anything for an incident below the threshold', async () => {
    const { responder: subject, seen } = responder();
    await subject.respond({ incident: { ...pivot, severity: 'medium' }, change: 'opened' });
    expect(seen).toEqual(['alert opened', 'record', `opened ${pivot.id}`]);
  });

  it('sends no alert for an incident a replay finds unchanged, and still contains it', async () => {
    const { responder: subject, seen } = responder();
    await subject.respond({ incident: pivot, change: 'unchanged' });
    expect(seen).toEqual(['record', `start ${pivot.id}`, 'first started', 'record']);
  });

  it('reports a failure to start containment after the alert went out, and returns the response recorded', async () => {
    const { responder: subject, seen } = responder({ containment: { start: () => Promise.reject(new Error('AccessDeniedException')) } });
    const responded = await subject.respond(opened());
    expect(seen).toEqual(['alert opened', 'record', `opened ${pivot.id}`, 'not contained: AccessDeniedException']);
    expect(responded.response).toMatchObject({ incidentId: pivot.id, alerts: [expect.objectContaining({ kind: 'opened' })] });
  });

  it('exports a batch once every alert is out, each incident with its response', async () => {
    const exported: unknown[] = [];
    const findings: FindingExporter = {
      export: async (incidents) => {
        exported.push(...incidents);
        return { imported: incidents.length, failed: [] };
      },
    };
    const { responder: subject, seen, responses } = responder({ findings });
    await subject.respondToBatch([opened()]);
    expect(seen.at(-1)).toBe('exported 1');
    expect(exported).toEqual([{ incident: pivot, response: await responses.getResponse(pivot.id) }]);
  });

  it('reports findings it could not export', async () => {
    const { responder: subject, seen } = responder({ findings: { export: () => Promise.reject(new Error('connect ETIMEDOUT')) } });
    await subject.respondToBatch([opened()]);
    expect(seen.at(-1)).toBe('not exported 1');
  });

  it('alerts on the enriched incident, and contains it', async () => {
    const enriched = {
      ...pivot,
      blastRadius: {
        ...pivot.blastRadius,
        rolePermissions: [{ roleArn: 'arn:aws:iam::111122223333:role/checkout-irsa', policies: ['AmazonS3ReadOnlyAccess'] }],
      },
    };
    const alerted: Incident[] = [];
    const started: Incident[] = [];
    const { responder: subject } = responder({
      notifier: { notify: async (change) => void alerted.push(change.incident) },
      containment: {
        start: async (incident) => {
          started.push(incident);
          return { execution: incident.id, started: true };
        },
      },
    });
    const responded = await subject.respond(opened(), { enrich: async () => enriched });
    expect(responded.incident).toBe(enriched);
    expect(alerted).toEqual([enriched]);
    expect(started.map((incident) => incident.blastRadius)).toEqual([enriched.blastRadius]);
  });
});
