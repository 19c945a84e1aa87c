import type * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, DeployedTemplate, REGION, decide } from '../support/aws-decisions.ts';
import { actionsOf, iamStatements, logicalId, synthPivotGuard } from './synth.ts';

/**
 * The analyzer reads the clusters' NAT gateways and VPC endpoints from EC2 (the egress an address
 * is judged against), the containment function their NAT gateways (the addresses a fence lets
 * through): read-only, on `*` because EC2's Describe calls support no resource-level permissions.
 */
const { pivotGuard, template } = synthPivotGuard({ clusters: ['prod-east', 'staging'] });
const deployed = new DeployedTemplate(template);
const roleOf = (role: iam.IRole | undefined) => logicalId(role as unknown as { node: { defaultChild?: unknown } });
const analyzer = roleOf(pivotGuard.analyzer.role);
const containment = roleOf(pivotGuard.containmentFunction!.role);
const natGateway = `arn:aws:ec2:${REGION}:${ACCOUNT}:natgateway/nat-0aaa1111bbbb22223`;
const cluster = (name: string) => `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${name}`;

describe('reading the clusters’ networks', () => {
  it('lets the analyzer describe NAT gateways and VPC endpoints, and the configured clusters', async () => {
    expect(await decide(deployed, { principal: analyzer, action: 'ec2:DescribeNatGateways', resource: '*' })).toBe('Allowed');
    expect(await decide(deployed, { principal: analyzer, action: 'ec2:DescribeVpcEndpoints', resource: '*' })).toBe('Allowed');
    expect(await decide(deployed, { principal: analyzer, action: 'eks:DescribeCluster', resource: cluster('staging') })).toBe('Allowed');
    expect(await decide(deployed, { principal: analyzer, action: 'eks:DescribeCluster', resource: cluster('someone-elses') })).not.toBe('Allowed');
  });

  it('lets neither function change a NAT gateway, an endpoint or an address', async () => {
    const writes = [
      ['ec2:CreateNatGateway', natGateway],
      ['ec2:DeleteNatGateway', natGateway],
      ['ec2:DisassociateNatGatewayAddress', natGateway],
      ['ec2:ModifyVpcEndpoint', `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-endpoint/vpce-0a1b2c3d4e5f60718`],
      ['ec2:ReleaseAddress', `arn:aws:ec2:${REGION}:${ACCOUNT}:elastic-ip/eipalloc-0a1b2c3d4e5f60718`],
    ] as const;
    for (const principal of [analyzer, containment]) {
      for (const [action, resource] of writes) expect(await decide(deployed, { principal, action, resource })).not.toBe('Allowed');
    }
  });

  it('lets the containment function describe NAT gateways, not endpoints (a fence needs addresses and VPCs only)', async () => {
    expect(await decide(deployed, { principal: containment, action: 'ec2:DescribeNatGateways', resource: '*' })).toBe('Allowed');
    expect(await decide(deployed, { principal: containment, action: 'ec2:DescribeVpcEndpoints', resource: '*' })).not.toBe('Allowed');
    expect(await decide(deployed, { principal: containment, action: 'eks:DescribeCluster', resource: cluster('prod-east') })).toBe('Allowed');
  });

  it('gives the EC2 reads to no other role', () => {
    const holders = iamStatements(template)
      .filter(({ statement }) => actionsOf(statement).some((action) => action.startsWith('ec2:Describe')))
      .map(({ policy }) => policy);
    const policyOf = (role: string) => Object.keys(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } }));
    expect(new Set(holders)).toEqual(new Set([...policyOf(analyzer), ...policyOf(containment)]));
  });
});
