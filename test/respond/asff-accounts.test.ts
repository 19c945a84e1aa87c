import { beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import { incidentFinding } from '#core/respond/asff';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';

/**
 * Security Hub accepts a finding imported with the account's default product only when its
 * AwsAccountId is the calling account (the hub); the accounts the incident happened in are named
 * as AwsAccount resources and in a product field instead.
 */
const HUB = '999988887777';
const MEMBER = '222233334444';
let pivot: Incident;

beforeAll(async () => {
  [pivot] = (await incidentsOf(pivotScenario())) as [Incident];
});

function inMember(incident: Incident): Incident {
  return {
    ...incident,
    identities: incident.identities.map((identity) => ({ ...identity, roleArn: `arn:aws:iam::${MEMBER}:role/checkout-irsa`, accountId: MEMBER })),
  };
}

describe('findings of incidents in other accounts', () => {
  it('keeps the hub as AwsAccountId and names the member account as a resource and a product field', () => {
    const finding = incidentFinding(inMember(pivot), undefined, { accountId: HUB, region: 'us-east-1' });
    expect(finding.AwsAccountId).toBe(HUB);
    expect(finding.ProductArn).toBe(`arn:aws:securityhub:us-east-1:${HUB}:product/${HUB}/default`);
    expect(finding.Resources.filter((resource) => resource.Type === 'AwsAccount').map((resource) => resource.Id)).toEqual([`AWS::::Account:${MEMBER}`]);
    expect(finding.ProductFields['pivotguard/accounts']).toBe(MEMBER);
  });

  it('adds no account resource when the incident is in the hub account itself', () => {
    const finding = incidentFinding(inMember(pivot), undefined, { accountId: MEMBER, region: 'us-east-1' });
    expect(finding.Resources.some((resource) => resource.Type === 'AwsAccount')).toBe(false);
  });
});
