import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PivotGuard } from '../../lib/pivot-guard.ts';

describe('PivotGuard construct', () => {
  it('keeps state in an on-demand, encrypted table with TTL and point-in-time recovery', () => {
    const stack = new Stack(new App(), 'Test');
    new PivotGuard(stack, 'PivotGuard', { clusters: ['prod-east'] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [{ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }],
    });
  });

  it('refuses to be built without a cluster', () => {
    expect(() => new PivotGuard(new Stack(new App(), 'Test'), 'PivotGuard', { clusters: [] })).toThrow(/at least one EKS cluster/);
  });
});
