import { describe, expect, it } from 'vitest';
import type { Incident, IncidentSignal } from '#core/model/incident';
import { EVERY_RULE, proposeSuppression } from '#core/respond/suppression-proposal';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { ROLE_ARN, pivotScenario } from '../fixtures/pivot-scenario.ts';

const NOW = new Date('2026-11-22T09:00:00Z');

async function pivotIncident(): Promise<Incident> {
  const [incident] = await incidentsOf(pivotScenario());
  return incident!;
}

/** The incident with its signals replaced: copies of its own, renamed and re-rated. */
function withSignals(incident: Incident, signals: Partial<IncidentSignal>[]): Incident {
  return { ...incident, signals: signals.map((change, index) => ({ ...incident.signals[0]!, id: `s${index}`, ...change })) };
}

/** The proposal as a pivotguard.yaml entry, for a replay of the same records. */
function asConfig(proposal: ReturnType<typeof proposeSuppression>) {
  return { suppressions: [{ rule: proposal.rule, ...proposal.scope, reason: 'test', owner: 'test', expires: proposal.expiresAt }] };
}

describe('proposeSuppression', () => {
  it('names the one rule behind every signal, scoped to the namespace and image', async () => {
    const incident = withSignals(await pivotIncident(), [
      { rule: 'guardduty.finding', source: 'guardduty' },
      { rule: 'guardduty.finding', source: 'guardduty' },
    ]);
    expect(proposeSuppression(incident, NOW)).toEqual({
      rule: 'guardduty.finding',
      scope: { namespace: 'payments', image: 'registry.example/checkout:2.14.0' },
      expiresAt: '2026-12-22T09:00:00.000Z',
    });
  });

  it('adds the role to a CloudTrail rule', async () => {
    const incident = withSignals(await pivotIncident(), [{ rule: 'cloudtrail.discovery', source: 'cloudtrail' }]);
    expect(proposeSuppression(incident, NOW).scope).toEqual({ namespace: 'payments', image: 'registry.example/checkout:2.14.0', roleArn: ROLE_ARN });
  });

  it('covers every rule on the workload when several make the incident, leaving the role out so pod-side signals match', async () => {
    const incident = withSignals(await pivotIncident(), [
      { rule: 'eks-audit.forbidden-api-call', source: 'eks-audit', severity: 'low' },
      { rule: 'eks-audit.forbidden-api-call', source: 'eks-audit', severity: 'low' },
      { rule: 'guardduty.finding', source: 'guardduty', severity: 'critical' },
    ]);
    expect(proposeSuppression(incident, NOW)).toMatchObject({ rule: EVERY_RULE, scope: { namespace: 'payments', image: 'registry.example/checkout:2.14.0' } });
  });

  it('covers every rule on the role when a role alone makes the incident', async () => {
    const incident = await pivotIncident();
    const roleOnly = withSignals({ ...incident, workload: { ...incident.workload, namespace: null, image: null } }, [
      { rule: 'cloudtrail.discovery', source: 'cloudtrail' },
      { rule: 'cloudtrail.secret-read', source: 'cloudtrail' },
    ]);
    expect(proposeSuppression(roleOnly, NOW)).toMatchObject({ rule: EVERY_RULE, scope: { roleArn: ROLE_ARN } });
  });

  it('never proposes every rule everywhere: with nothing to scope by, the strongest rule', async () => {
    const incident = await pivotIncident();
    const bare = withSignals({ ...incident, workload: { ...incident.workload, namespace: null, image: null }, identities: [] }, [
      { rule: 'eks-audit.forbidden-api-call', severity: 'low' },
      { rule: 'eks-audit.forbidden-api-call', severity: 'low' },
      { rule: 'eks-audit.exec-into-pod', severity: 'high' },
    ]);
    expect(proposeSuppression(bare, NOW)).toMatchObject({ rule: 'eks-audit.exec-into-pod', scope: {} });
  });

  it('once in the configuration, the same records no longer open the incident', async () => {
    const incident = await pivotIncident();
    const [replayed] = await incidentsOf(pivotScenario(), asConfig(proposeSuppression(incident, NOW)));
    expect(replayed).toBeUndefined();
  });

  it('for a single rule, suppresses that rule on the same records', async () => {
    const incident = await pivotIncident();
    for (const rule of ['guardduty.finding', 'cloudtrail.discovery']) {
      const proposal = proposeSuppression(withSignals(incident, [incident.signals.find((signal) => signal.rule === rule)!]), NOW);
      const [replayed] = await incidentsOf(pivotScenario(), asConfig(proposal));
      expect(replayed?.signals.map((signal) => signal.rule) ?? []).not.toContain(rule);
    }
  });
});
