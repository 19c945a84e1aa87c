import { describe, expect, it } from 'vitest';
import { actionsOf, iamStatements, logicalId, resourcesOf, synthPivotGuard, type PolicyStatementJson } from './synth.ts';

const { pivotGuard, template } = synthPivotGuard({ clusters: ['prod-east', 'staging'] });
const statements = iamStatements(template);

/** Verbs that only read; anything else (Put, Create, Send, Publish, Update, wildcards...) may write. */
const READ_ONLY_VERB = /^[a-z0-9-]+:(Get|List|Describe|Lookup|BatchGet)[A-Za-z]*$/;
/** X-Ray telemetry writes support no resource-level permissions; tracing cannot work without them on `*`. */
const XRAY_TELEMETRY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
/** Step Functions logging sets up CloudWatch Logs delivery through calls that support no resource-level permissions. */
const LOG_DELIVERY = [
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
];
const workflowPolicy = logicalId(pivotGuard.stateMachine!.node.findChild('Role').node.findChild('DefaultPolicy'));

function isUnscoped(statement: PolicyStatementJson): boolean {
  return resourcesOf(statement).some((resource) => resource === '*');
}

function analyzerStatements(): PolicyStatementJson[] {
  const roleId = logicalId(pivotGuard.analyzer.role!);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}

function withAction(action: string): PolicyStatementJson[] {
  return analyzerStatements().filter((statement) => actionsOf(statement).includes(action));
}

/** An ARN in this stack's partition, account and (unless global) region, as CDK renders it. */
const arn = (service: string, resource: string, global = false) => ({
  'Fn::Join': [
    '',
    global
      ? ['arn:', { Ref: 'AWS::Partition' }, `:${service}::`, { Ref: 'AWS::AccountId' }, `:${resource}`]
      : ['arn:', { Ref: 'AWS::Partition' }, `:${service}:`, { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`],
  ],
});

describe('PivotGuard IAM', () => {
  it('finds the policies to check', () => {
    expect(statements.length).toBeGreaterThan(10);
  });

  it("never allows a write action on every resource, except what AWS cannot scope: X-Ray telemetry and the workflow's log delivery", () => {
    const unscopedWrites = statements
      .filter(({ statement }) => statement.Effect === 'Allow' && isUnscoped(statement))
      .flatMap(({ policy, statement }) => actionsOf(statement).map((action) => ({ policy, action })))
      .filter(({ action }) => !READ_ONLY_VERB.test(action) && !XRAY_TELEMETRY.includes(action))
      .filter(({ policy, action }) => !(policy === workflowPolicy && LOG_DELIVERY.includes(action)));
    expect(unscopedWrites).toEqual([]);
  });

  it("allows exactly the justified actions on every resource: the CloudTrail look-up, the EC2 network reads, Inspector's findings, X-Ray and the workflow's log delivery", () => {
    const unscoped = new Set(
      statements.filter(({ statement }) => statement.Effect === 'Allow' && isUnscoped(statement)).flatMap(({ statement }) => actionsOf(statement)),
    );
    expect([...unscoped].sort()).toEqual(
      [
        'cloudtrail:LookupEvents',
        'ec2:DescribeNatGateways',
        'ec2:DescribeVpcEndpoints',
        'inspector2:ListFindings',
        ...LOG_DELIVERY,
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
        ...XRAY_TELEMETRY,
      ].sort(),
    );
  });

  it('allows log delivery set-up to the workflow role alone', () => {
    const holders = statements.filter(({ statement }) => actionsOf(statement).some((action) => LOG_DELIVERY.includes(action)));
    expect(new Set(holders.map(({ policy }) => policy))).toEqual(new Set([workflowPolicy]));
  });

  it('attaches no managed policies to any role', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    expect(template.findResources('AWS::IAM::ManagedPolicy')).toEqual({});
  });

  it('lets the analyzer read the policies of roles in this account, and nothing more of IAM', () => {
    const iamActions = analyzerStatements()
      .flatMap((statement) => actionsOf(statement))
      .filter((action) => action.startsWith('iam:'));
    expect(iamActions.sort()).toEqual(['iam:GetRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies']);
    expect(withAction('iam:GetRolePolicy')).toEqual([expect.objectContaining({ Resource: arn('iam', 'role/*', true) })]);
  });

  it('lets the analyzer describe the configured clusters and list their pod identity associations', () => {
    const [statement] = withAction('eks:DescribeCluster');
    expect(actionsOf(statement!).sort()).toEqual(['eks:DescribeCluster', 'eks:ListPodIdentityAssociations']);
    expect(statement!.Resource).toEqual([arn('eks', 'cluster/prod-east'), arn('eks', 'cluster/staging')]);
  });

  it('lets the analyzer describe pod identity associations of the configured clusters only', () => {
    expect(withAction('eks:DescribePodIdentityAssociation')).toEqual([
      expect.objectContaining({
        Action: 'eks:DescribePodIdentityAssociation',
        Resource: [arn('eks', 'podidentityassociation/prod-east/*'), arn('eks', 'podidentityassociation/staging/*')],
      }),
    ]);
  });

  it('lets the analyzer look up CloudTrail events, the one enrichment call without resource scoping', () => {
    expect(withAction('cloudtrail:LookupEvents')).toEqual([expect.objectContaining({ Action: 'cloudtrail:LookupEvents', Resource: '*' })]);
  });

  it('lets the analyzer publish alerts and incident events, and send rejected records to the dead-letter queue', () => {
    expect(withAction('sns:Publish')).toEqual([expect.objectContaining({ Resource: { Ref: logicalId(pivotGuard.topic) } })]);
    expect(withAction('events:PutEvents')).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [logicalId(pivotGuard.bus), 'Arn'] } })]);
    expect(withAction('sqs:SendMessage')).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [logicalId(pivotGuard.deadLetterQueue), 'Arn'] } })]);
  });

  it('lets the analyzer read and write both tables and use the key', () => {
    const tables = withAction('dynamodb:PutItem').flatMap((statement) => resourcesOf(statement));
    expect(tables).toEqual(
      expect.arrayContaining([{ 'Fn::GetAtt': [logicalId(pivotGuard.table), 'Arn'] }, { 'Fn::GetAtt': [logicalId(pivotGuard.idempotencyTable), 'Arn'] }]),
    );
    expect(tables).toHaveLength(2);
    const keys = withAction('kms:Decrypt').flatMap((statement) => resourcesOf(statement));
    expect(new Set(keys.map((key) => JSON.stringify(key)))).toEqual(new Set([JSON.stringify({ 'Fn::GetAtt': [logicalId(pivotGuard.key), 'Arn'] })]));
  });
});
