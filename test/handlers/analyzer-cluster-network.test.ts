import { DescribeNatGatewaysCommand, DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../fixtures/lambda-events.ts';

vi.hoisted(() => {
  Object.assign(process.env, {
    TABLE_NAME: 'pivotguard-state',
    IDEMPOTENCY_TABLE_NAME: 'pivotguard-idempotency',
    ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:pivotguard-alerts',
    EVENT_BUS_NAME: 'pivotguard',
    DEAD_LETTER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111122223333/pivotguard-records-dlq',
    POWERTOOLS_SERVICE_NAME: 'pivotguard-analyzer',
    PIVOTGUARD_CONFIG_PARAMETER: '/pivotguard/config',
    PIVOTGUARD_CONFIG_SHA256: '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    AWS_REGION: 'us-east-1',
  });
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
