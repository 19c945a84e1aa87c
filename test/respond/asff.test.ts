import { beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import { ASFF_LIMITS, NO_PLAN_TEXT, incidentFinding } from '#core/respond/asff';
import { incidentView } from '#core/view/incident-view';
import { type IncidentResponse, openResponse, withStatus } from '#core/respond/response';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { ROLE_ARN, pivotScenario } from '../fixtures/pivot-scenario.ts';

const WHERE = { accountId: '111122223333', region: 'us-east-1' };
let pivot: Incident;

beforeAll(async () => {
  const incidents = await incidentsOf(pivotScenario());
  expect(incidents).toHaveLength(1);
  pivot = incidents[0]!;
});

function responseWith(status: IncidentResponse['status']): IncidentResponse {
  const opened = openResponse(pivot.id, '2026-11-21T03:00:00.000Z');
  if (status === 'open') return opened;
  const via =
    status === 'resolved' || status === 'false-positive' ? withStatus(opened, { to: 'contained', by: 'pivotguard', at: '2026-11-21T03:02:00.000Z' }) : opened;
  return withStatus(via, { to: status, by: 'oncall@example.com', at: '2026-11-21T05:00:00.000Z', reason: 'checked' });
}

describe('incidentFinding', () => {
  it('fills every attribute ASFF requires, with a finding Id stable per incident', () => {
    const finding = incidentFinding(pivot, undefined, WHERE);
    expect(finding).toMatchObject({
      SchemaVersion: '2018-10-08',
      Id: `pivotguard/${pivot.id}`,
      ProductArn: 'arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default',
      GeneratorId: 'pivotguard/guardduty.finding',
      AwsAccountId: '111122223333',
      CreatedAt: pivot.firstSeen,
      UpdatedAt: pivot.lastSeen,
      Severity: { Label: 'CRITICAL', Original: 'critical' },
      Title: pivot.title,
      Description: pivot.explanation,
    });
    expect(finding.Types.length).toBeGreaterThan(0);
    expect(finding.Resources.length).toBeGreaterThan(0);
    expect(incidentFinding(pivot, responseWith('resolved'), WHERE).Id).toBe(finding.Id);
  });

  it('takes another partition and product when told', () => {
    const finding = incidentFinding(pivot, undefined, {
      ...WHERE,
      partition: 'aws-us-gov',
      productArn: 'arn:aws-us-gov:securityhub:us-gov-west-1:111122223333:product/111122223333/default',
    });
    expect(finding.ProductArn).toBe('arn:aws-us-gov:securityhub:us-gov-west-1:111122223333:product/111122223333/default');
    expect(finding.Resources[0]!.Id).toBe('arn:aws-us-gov:eks:us-east-1:111122223333:cluster/prod-east');
  });

  it('says when it was seen and when the finding was written', () => {
    const finding = incidentFinding(pivot, responseWith('resolved'), WHERE);
    expect(finding).toMatchObject({
      FirstObservedAt: pivot.firstSeen,
      LastObservedAt: pivot.lastSeen,
      CreatedAt: pivot.firstSeen,
      UpdatedAt: '2026-11-21T05:00:00.000Z',
    });
    expect(incidentFinding(pivot, undefined, { ...WHERE, updatedAt: '2026-11-22T00:00:00.000Z' }).UpdatedAt).toBe('2026-11-22T00:00:00.000Z');
  });

  it('maps the ATT&CK tactics of its objectives to ASFF TTPs and Effects types', () => {
    expect(incidentFinding(pivot, undefined, WHERE).Types).toEqual(['TTPs/Execution', 'TTPs/Discovery', 'TTPs/Lateral Movement']);
    const objectives = [
      { tactic: 'Credential Access (TA0006)', technique: 'T1552.005 Cloud Instance Metadata API' },
      { tactic: 'Exfiltration (TA0010)', technique: 'T1537 Transfer Data to Cloud Account' },
      { tactic: 'Impact (TA0040)', technique: 'T1496 Resource Hijacking' },
      { tactic: 'Credential Access (TA0006)', technique: 'T1528 Steal Application Access Token' },
    ];
    expect(incidentFinding({ ...pivot, objectives }, undefined, WHERE).Types).toEqual([
      'TTPs/Credential Access',
      'Effects/Data Exfiltration',
      'Effects/Resource Consumption',
    ]);
    const unmapped = incidentFinding({ ...pivot, objectives: [{ tactic: 'Unmapped', technique: 'Unmapped' }] }, undefined, WHERE);
    expect(unmapped.Types).toEqual(['Software and Configuration Checks/AWS Security Best Practices/Runtime Behavior Analysis']);
    expect(unmapped.FindingProviderFields.Types).toEqual(unmapped.Types);
  });

  it('gives severity and a 0-100 confidence, also as the provider fields Security Hub keeps for updates', () => {
    const finding = incidentFinding({ ...pivot, severity: 'medium', confidence: 0.554 }, undefined, WHERE);
    expect(finding.Severity).toEqual({ Label: 'MEDIUM', Original: 'medium' });
    expect(finding.Confidence).toBe(55);
    expect(finding.FindingProviderFields).toEqual({ Severity: finding.Severity, Confidence: 55, Types: finding.Types });
    expect(incidentFinding({ ...pivot, confidence: 1.3 }, undefined, WHERE).Confidence).toBe(100);
  });

  it('names the cluster, the pod with its image, and each role as resources', () => {
    const incident = { ...pivot, workload: { ...pivot.workload, imageDigest: 'sha256:0123abcd' } };
    expect(incidentFinding(incident, undefined, WHERE).Resources).toEqual([
      {
        Type: 'AwsEksCluster',
        Id: 'arn:aws:eks:us-east-1:111122223333:cluster/prod-east',
        Partition: 'aws',
        Region: 'us-east-1',
        Details: { AwsEksCluster: { Name: 'prod-east', Arn: 'arn:aws:eks:us-east-1:111122223333:cluster/prod-east' } },
      },
      {
        Type: 'Container',
        Id: 'prod-east/payments/checkout-7d9f8b6c5-x2k4q',
        Partition: 'aws',
        Region: 'us-east-1',
        Details: { Container: { Name: 'checkout-7d9f8b6c5-x2k4q', ImageName: 'registry.example/checkout:2.14.0', ImageId: 'sha256:0123abcd' } },
      },
      { Type: 'AwsIamRole', Id: ROLE_ARN, Partition: 'aws', Details: { AwsIamRole: { RoleName: 'checkout-irsa' } } },
    ]);
  });

  it('falls back to the account as the resource when no cluster, pod or role is known', () => {
    const empty = Object.fromEntries(Object.keys(pivot.workload).map((key) => [key, null])) as unknown as Incident['workload'];
    const finding = incidentFinding({ ...pivot, workload: empty, identities: [] }, undefined, WHERE);
    expect(finding.Resources).toEqual([{ Type: 'AwsAccount', Id: 'AWS::::Account:111122223333', Partition: 'aws', Region: 'us-east-1' }]);
  });

  it('puts the workload and the incident in product fields, leaving out what is unknown', () => {
    const fields = incidentFinding(pivot, responseWith('contained'), { ...WHERE, incidentUrl: 'https://pivotguard.example/incidents/x' }).ProductFields;
    expect(fields).toMatchObject({
      'pivotguard/incidentId': pivot.id,
      'pivotguard/status': 'contained',
      'pivotguard/openedAt': '2026-11-21T03:00:00.000Z',
      'pivotguard/cluster': 'prod-east',
      'pivotguard/namespace': 'payments',
      'pivotguard/pod': 'checkout-7d9f8b6c5-x2k4q',
      'pivotguard/serviceAccount': 'checkout',
      'pivotguard/link': 'https://pivotguard.example/incidents/x',
    });
    expect(Object.values(fields).every((value) => value.length > 0)).toBe(true);
    expect(incidentFinding(pivot, undefined, WHERE).ProductFields['pivotguard/link']).toBeUndefined();
  });

  it('maps the response status to the workflow status and archives closed incidents', () => {
    const states = (['open', 'contained', 'resolved', 'false-positive'] as const).map((status) => {
      const finding = incidentFinding(pivot, responseWith(status), WHERE);
      return [status, finding.Workflow.Status, finding.RecordState];
    });
    expect(states).toEqual([
      ['open', 'NEW', 'ACTIVE'],
      ['contained', 'NOTIFIED', 'ACTIVE'],
      ['resolved', 'RESOLVED', 'ARCHIVED'],
      ['false-positive', 'SUPPRESSED', 'ARCHIVED'],
    ]);
    expect(incidentFinding(pivot, undefined, WHERE).Workflow.Status).toBe('NEW');
  });

  it('recommends the containment plan, automatic steps before those waiting for approval, or says none is planned', () => {
    const text = incidentFinding(pivot, undefined, WHERE).Remediation.Recommendation.Text;
    const { plan } = incidentView(pivot);
    const positions = [...plan.automatic, ...plan.approval].map((step) => text.indexOf(`${step.action.label} ${step.target}`));
    // ASFF keeps 512 characters: the automatic steps always fit, the later ones as far as they go, in order.
    expect(positions.slice(0, plan.automatic.length).every((position) => position >= 0)).toBe(true);
    const shown = positions.filter((position) => position >= 0);
    expect(positions.slice(0, shown.length)).toEqual(shown);
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
    const none = incidentFinding({ ...pivot, plan: { automatic: [], approval: [] } }, undefined, WHERE);
    expect(none.Remediation.Recommendation.Text).toBe(NO_PLAN_TEXT);
  });

  it('cuts title, description, recommendation and product fields to the ASFF limits, by character', () => {
    const long = (unit: string, count: number) => unit.repeat(count);
    const target = `prod-east/payments/${long('p', 600)}`;
    const incident: Incident = {
      ...pivot,
      title: long('T', 300),
      explanation: long('🙂', 1100),
      workload: { ...pivot.workload, image: long('i', 3000) },
      plan: { automatic: [{ action: 'isolate-pod', target, reason: 'x' }], approval: [] },
    };
    const finding = incidentFinding(incident, undefined, WHERE);
    expect(finding.Title).toHaveLength(ASFF_LIMITS.title);
    expect(finding.Title.endsWith('…')).toBe(true);
    expect(Array.from(finding.Description)).toHaveLength(ASFF_LIMITS.description);
    // No half of a surrogate pair is left at the cut.
    expect(finding.Description).toBe(`${long('🙂', ASFF_LIMITS.description - 1)}…`);
    expect(finding.Remediation.Recommendation.Text).toHaveLength(ASFF_LIMITS.recommendation);
    expect(finding.ProductFields['pivotguard/image']).toHaveLength(ASFF_LIMITS.productFieldValue);
    expect(incidentFinding({ ...pivot, title: 'short' }, undefined, WHERE).Title).toBe('short');
  });

  it('keeps at most 32 resources', () => {
    const identities = Array.from({ length: 40 }, (_, index) => ({ ...pivot.identities[0]!, roleArn: `arn:aws:iam::111122223333:role/r${index}` }));
    expect(incidentFinding({ ...pivot, identities }, undefined, WHERE).Resources).toHaveLength(ASFF_LIMITS.resources);
  });
});
