import { DescribeNatGatewaysCommand, DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../fixtures/lambda-events.ts';

await vi.hoisted(async () => {
  const { ANALYZER_ENVIRONMENT } = await import('../fixtures/handler-environments.ts');
  Object.assign(process.env, ANALYZER_ENVIRONMENT);
});

/**
 * The analyzer Lambda reads the configured clusters' networks from EC2 before its first batch;
 * a refused read is a warning, never a failed batch.
 */
const ssm = mockClient(SSMClient);
const ec2 = mockClient(EC2Client);
const eks = mockClient(EKSClient);
const emptyBatch = { Records: [] };

beforeEach(() => {
  vi.resetModules();
  ssm.reset();
  ec2.reset();
  eks.reset();
  const config = JSON.stringify({ clusters: { 'prod-east': {} } });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/pivotguard/config', Value: config } });
  eks.on(DescribeClusterCommand).resolves({ cluster: { name: 'prod-east', resourcesVpcConfig: { vpcId: 'vpc-0a1b2c3d4e5f60718' } } });
  ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
});

describe('analyzer handler: the clusters’ networks', () => {
  it('reads the NAT gateways of the VPC EKS names once, not for every batch', async () => {
    ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    const { handler } = await import('../../functions/handlers/analyzer.ts');
    expect(await handler(emptyBatch, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await handler(emptyBatch, lambdaContext())).toEqual({ batchItemFailures: [] });
    const calls = ec2.commandCalls(DescribeNatGatewaysCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.Filter).toContainEqual({ Name: 'vpc-id', Values: ['vpc-0a1b2c3d4e5f60718'] });
  });

  it('still analyzes when EC2 refuses the read', async () => {
    ec2.on(DescribeNatGatewaysCommand).rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation' }));
    const { handler } = await import('../../functions/handlers/analyzer.ts');
    expect(await handler(emptyBatch, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(ec2.commandCalls(DescribeNatGatewaysCommand)).toHaveLength(1);
  });
});
