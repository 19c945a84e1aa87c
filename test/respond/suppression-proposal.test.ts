import { describe, expect, it } from 'vitest';
import type { Incident, IncidentSignal } from '#core/model/incident';
import { proposeSuppression } from '#core/respond/suppression-proposal';
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
  it('picks the most frequent rule', async () => {
    const incident = withSignals(await pivotIncident(), [
      { rule: 'eks-audit.forbidden-api-call', severity: 'low' },
      { rule: 'eks-audit.forbidden-api-call', severity: 'low' },
      { rule: 'guardduty.finding', severity: 'critical' },
    ]);
    expect(proposeSuppression(incident, NOW).rule).toBe('eks-audit.forbidden-api-call');
  });

  it('breaks a tie in frequency by severity, then by the earlier rule', async () => {
    const incident = await pivotIncident();
    const tied = withSignals(incident, [
      { rule: 'eks-audit.forbidden-api-call', severity: 'low', time: '2026-11-21T01:00:00Z' },
      { rule: 'guardduty.finding', severity: 'high', time: '2026-11-21T03:00:00Z' },
    ]);
    expect(proposeSuppression(tied, NOW).rule).toBe('guardduty.finding');
    const even = withSignals(incident, [
      { rule: 'guardduty.finding', severity: 'high', time: '2026-11-21T03:00:00Z' },
      { rule: 'cloudtrail.discovery', severity: 'high', time: '2026-11-21T01:00:00Z' },
    ]);
    expect(proposeSuppression(even, NOW).rule).toBe('cloudtrail.discovery');
  });

  it('scopes to the namespace and image, adds the role only for CloudTrail rules, and expires in 30 days', async () => {
    const incident = await pivotIncident();
    const podSide = proposeSuppression(withSignals(incident, [{ rule: 'guardduty.finding', source: 'guardduty' }]), NOW);
    expect(podSide).toEqual({
      rule: 'guardduty.finding',
      scope: { namespace: 'payments', image: 'registry.example/checkout:2.14.0' },
      expiresAt: '2026-12-22T09:00:00.000Z',
    });
    const cloudSide = proposeSuppression(withSignals(incident, [{ rule: 'cloudtrail.discovery', source: 'cloudtrail' }]), NOW);
    expect(cloudSide.scope).toEqual({ namespace: 'payments', image: 'registry.example/checkout:2.14.0', roleArn: ROLE_ARN });
  });

  it('names only what the incident knows', async () => {
    const incident = await pivotIncident();
    const bare = { ...incident, workload: { ...incident.workload, namespace: null, image: null }, identities: [] };
    expect(proposeSuppression(bare, NOW).scope).toEqual({});
  });

  it('once in the configuration, suppresses that rule on the same records', async () => {
    const incident = await pivotIncident();
    for (const rule of ['guardduty.finding', 'cloudtrail.discovery']) {
      const proposal = proposeSuppression(withSignals(incident, [incident.signals.find((signal) => signal.rule === rule)!]), NOW);
      const [replayed] = await incidentsOf(pivotScenario(), asConfig(proposal));
      expect(replayed!.signals.map((signal) => signal.rule)).not.toContain(rule);
      expect(replayed!.suppressedSignals).toBeGreaterThan(0);
    }
  });
});
