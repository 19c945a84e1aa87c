import { describe, expect, it } from 'vitest';
import { ACCOUNT, DeployedTemplate, OTHER_ACCOUNT, REGION, decide } from '../support/aws-decisions.ts';
import { logicalId, synthPivotGuard } from './synth.ts';

// The analyzer's image lookups as IAM would evaluate them in account ACCOUNT, region REGION.
const { pivotGuard, template } = synthPivotGuard({ clusters: ['prod-east'] });
const deployed = new DeployedTemplate(template);
const analyzerRole = logicalId(pivotGuard.analyzer.role as unknown as { node: { defaultChild?: unknown } });
const repository = (account: string, region: string, name: string) => `arn:aws:ecr:${region}:${account}:repository/${name}`;
const analyzerMay = (action: string, resource: string) => decide(deployed, { principal: analyzerRole, action, resource });

describe("the analyzer's image vulnerability lookups", () => {
  it('may list Inspector findings, which IAM scopes to no resource', async () => {
    expect(await analyzerMay('inspector2:ListFindings', '*')).toBe('Allowed');
  });

  it("may read ECR scan results of this account's repositories in its region, and of no other account's or region's", async () => {
    expect(await analyzerMay('ecr:DescribeImageScanFindings', repository(ACCOUNT, REGION, 'shop/checkout'))).toBe('Allowed');
    expect(await analyzerMay('ecr:DescribeImageScanFindings', repository(OTHER_ACCOUNT, REGION, 'shop/checkout'))).not.toBe('Allowed');
    expect(await analyzerMay('ecr:DescribeImageScanFindings', repository(ACCOUNT, 'ap-south-1', 'shop/checkout'))).not.toBe('Allowed');
  });

  it('may not pull the images, start scans or change what Inspector reports', async () => {
    const checkout = repository(ACCOUNT, REGION, 'shop/checkout');
    for (const [action, resource] of [
      ['ecr:BatchGetImage', checkout],
      ['ecr:GetDownloadUrlForLayer', checkout],
      ['ecr:StartImageScan', checkout],
      ['inspector2:CreateFilter', '*'],
      ['inspector2:Disable', '*'],
    ] as const) {
      expect(await analyzerMay(action, resource), action).not.toBe('Allowed');
    }
  });
});
