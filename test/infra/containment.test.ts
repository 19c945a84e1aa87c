import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import type { IamScope } from '#core/actions/descriptor';
import { ACTIONS } from '#core/actions/registry';
import { PivotGuard } from '../../lib/pivot-guard.ts';
import { ACCOUNT, DeployedTemplate, REGION, decide } from '../support/aws-decisions.ts';
import { NO_BUNDLING, type PolicyStatementJson, actionsOf, iamStatements, logicalId, resourcesOf, synthPivotGuard } from './synth.ts';

let template: Template;
let pivotGuard: PivotGuard;
const ids = { containment: '', undo: '', approvalPage: '', stateMachine: '', bucket: '', secret: '', key: '', topic: '', table: '' };

beforeAll(() => {
  ({ template, pivotGuard } = synthPivotGuard({ clusters: ['prod-east', 'staging'], clusterAccess: ['prod-east', 'staging'], config: { windowHours: 12 } }));
  ids.containment = logicalId(pivotGuard.containmentFunction!);
  ids.undo = logicalId(pivotGuard.undoFunction!);
  ids.stateMachine = logicalId(pivotGuard.stateMachine!);
  ids.bucket = logicalId(pivotGuard.evidenceBucket!);
  ids.key = logicalId(pivotGuard.key);
  ids.topic = logicalId(pivotGuard.topic);
  ids.table = logicalId(pivotGuard.table);
  ids.approvalPage = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.includes('ApprovalPage'))!;
  [ids.secret] = Object.keys(template.findResources('AWS::SecretsManager::Secret')) as [string];
});

function functionProps(id: string) {
  return template.findResources('AWS::Lambda::Function')[id]!.Properties;
}

/** Every statement of the policies attached to a function's role. */
function roleStatements(functionId: string, from: Template = template): PolicyStatementJson[] {
  const role = from.findResources('AWS::Lambda::Function')[functionId]!.Properties.Role['Fn::GetAtt'][0];
  const policies = from.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: role }] } });
  return Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}

/** The logical id of a function's role. */
function roleOf(functionId: string, from: Template = template): string {
  return from.findResources('AWS::Lambda::Function')[functionId]!.Properties.Role['Fn::GetAtt'][0] as string;
}

function withAction(statements: PolicyStatementJson[], action: string): PolicyStatementJson[] {
  return statements.filter((statement) => actionsOf(statement).includes(action));
}

const accountRoles = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':role/*']] };
const cluster = (name: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:cluster/${name}`]],
});

describe('evidence bucket', () => {
  it('is versioned, with Object Lock, encrypted with the key (bucket key on), never public', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[ids.bucket]!;
    expect(bucket.Properties).toMatchObject({
      ObjectLockEnabled: true,
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [ids.key, 'Arn'] } } },
        ],
      },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    // Retention is set per object by the containment code, not as a bucket default.
    expect(bucket.Properties.ObjectLockConfiguration).toBeUndefined();
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('denies every request without TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: ids.bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });

  it('logs every request to a separate bucket that keeps logs a year, encrypted, TLS only and never public', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(2);
    const logsId = buckets[ids.bucket]!.Properties.LoggingConfiguration.DestinationBucketName.Ref as string;
    expect(logsId).not.toBe(ids.bucket);
    expect(buckets[logsId]!.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: [{ ExpirationInDays: 365, Status: 'Enabled' }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logsId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'logging.s3.amazonaws.com' },
            Action: 's3:PutObject',
            Condition: {
              ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [ids.bucket, 'Arn'] } },
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            },
          }),
        ]),
      },
    });
  });

  it('follows the removal policy and never empties itself', () => {
    const disposable = synthPivotGuard({ removalPolicy: RemovalPolicy.DESTROY }).template;
    for (const bucket of Object.values(disposable.findResources('AWS::S3::Bucket'))) expect(bucket.DeletionPolicy).toBe('Delete');
    expect(disposable.findResources('Custom::S3AutoDeleteObjects')).toEqual({});
  });
});

describe('approval secret', () => {
  it('is a generated 64-character value encrypted with the key', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      KmsKeyId: { 'Fn::GetAtt': [ids.key, 'Arn'] },
    });
  });
});

describe('containment function', () => {
  it('runs 2 minutes with 512 MB and gets the state table, bucket, topic, secret, clusters and configuration', () => {
    const fn = functionProps(ids.containment);
    expect(fn).toMatchObject({ Timeout: 120, MemorySize: 512 });
    expect(fn.Environment.Variables).toEqual({
      TABLE_NAME: { Ref: ids.table },
      EVIDENCE_BUCKET: { Ref: ids.bucket },
      ALERT_TOPIC_ARN: { Ref: ids.topic },
      APPROVAL_SECRET_ARN: { Ref: ids.secret },
      CLUSTERS: 'prod-east,staging',
      APPROVAL_TIMEOUT_SECONDS: '86400',
      ACCOUNT_ID: { Ref: 'AWS::AccountId' },
      PIVOTGUARD_CONFIG_PARAMETER: { Ref: Object.keys(template.findResources('AWS::SSM::Parameter'))[0] },
      PIVOTGUARD_CONFIG_SHA256: expect.stringMatching(/^[0-9a-f]{64}$/),
      POWERTOOLS_SERVICE_NAME: 'pivotguard-containment',
      STATE_MACHINE_ARN: expect.anything(),
    });
    // Built from the fixed name, it is the ARN CloudFormation gives the state machine, without referencing it.
    const deployed = new DeployedTemplate(template);
    expect(deployed.resolve(fn.Environment.Variables.STATE_MACHINE_ARN)).toBe(deployed.arnOf(ids.stateMachine));
    expect(JSON.stringify(fn.Environment.Variables.STATE_MACHINE_ARN)).not.toContain(ids.stateMachine);
  });

  it("may describe its own workflow's executions, and no other state machine's", async () => {
    const deployed = new DeployedTemplate(template);
    const own = deployed.arnOf(ids.stateMachine).replace(':stateMachine:', ':execution:');
    const describe = (resource: string) => decide(deployed, { principal: roleOf(ids.containment), action: 'states:DescribeExecution', resource });
    expect(await describe(`${own}:inc-0a1b2c3d4e5f`)).toBe('Allowed');
    expect(await describe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:someone-elses-workflow:inc-0a1b2c3d4e5f`)).toBe('ImplicitlyDenied');
    expect(await describe(`${own.replace(/:execution:([\w-]+)$/, ':execution:$1-other')}:inc-0a1b2c3d4e5f`)).toBe('ImplicitlyDenied');
  });

  it('revokes sessions only on the roles it may contain, and has no other IAM rights', () => {
    const statements = roleStatements(ids.containment);
    const allowed = statements.filter((statement) => statement.Effect === 'Allow' && actionsOf(statement).some((action) => action.startsWith('iam:')));
    expect(allowed).toEqual([
      expect.objectContaining({
        Action: ['iam:DeleteRolePolicy', 'iam:GetRole', 'iam:GetRolePolicy', 'iam:PutRolePolicy', 'iam:UpdateAssumeRolePolicy'],
        Resource: accountRoles,
      }),
    ]);
    // What the deny beside it decides (pivotguard's own roles stay untouched) is in aws-decisions.test.ts.
    const narrowed = synthPivotGuard({ containableRoleArns: ['arn:aws:iam::111122223333:role/workloads/*'] });
    const [revoke] = withAction(roleStatements(logicalId(narrowed.pivotGuard.containmentFunction!), narrowed.template), 'iam:PutRolePolicy');
    expect(revoke!.Resource).toBe('arn:aws:iam::111122223333:role/workloads/*');
  });

  it('refuses role patterns that are not IAM role ARNs, or none at all', () => {
    expect(() => synthPivotGuard({ containableRoleArns: [] })).toThrow(/containableRoleArns: name at least one/);
    expect(() => synthPivotGuard({ containableRoleArns: ['*'] })).toThrow(/containableRoleArns: "\*" is not an IAM role ARN/);
    expect(() => synthPivotGuard({ containableRoleArns: ['arn:aws:iam::111122223333:user/alice'] })).toThrow(/is not an IAM role ARN/);
  });

  it('writes and reads evidence objects only, publishes to the topic, reads the secret and describes the configured clusters', () => {
    const statements = roleStatements(ids.containment);
    expect(withAction(statements, 's3:PutObject')).toEqual([
      expect.objectContaining({
        Action: ['s3:PutObject', 's3:PutObjectRetention', 's3:GetObject'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, '/*']] },
      }),
    ]);
    expect(statements.flatMap((statement) => actionsOf(statement)).filter((action) => action.startsWith('s3:'))).toHaveLength(3);
    expect(withAction(statements, 'sns:Publish')).toEqual([expect.objectContaining({ Resource: { Ref: ids.topic } })]);
    expect(withAction(statements, 'secretsmanager:GetSecretValue')).toEqual([expect.objectContaining({ Resource: { Ref: ids.secret } })]);
    expect(withAction(statements, 'eks:DescribeCluster')).toEqual([expect.objectContaining({ Resource: [cluster('prod-east'), cluster('staging')] })]);
    expect(withAction(statements, 'dynamodb:PutItem').flatMap((statement) => resourcesOf(statement))).toEqual([{ 'Fn::GetAtt': [ids.table, 'Arn'] }]);
  });

  it('may make every IAM call an action needs, on the resources of its scope, as IAM would decide', async () => {
    const deployed = new DeployedTemplate(template);
    const role = template.findResources('AWS::Lambda::Function')[ids.containment]!.Properties.Role['Fn::GetAtt'][0] as string;
    const resourceIn: Record<IamScope, string> = {
      'evidence-objects': `${deployed.arnOf(ids.bucket)}/evidence/inc-0a1b2c3d4e5f/manifest.json`,
      'evidence-key': ids.key,
      clusters: `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/staging`,
      'containable-roles': `arn:aws:iam::${ACCOUNT}:role/checkout-irsa`,
    };
    for (const action of ACTIONS) {
      for (const need of action.needs.iam) {
        for (const call of need.actions) {
          expect(await decide(deployed, { principal: role, action: call, resource: resourceIn[need.on] }), `${action.name}: ${call} on ${need.on}`).toBe(
            'Allowed',
          );
        }
      }
    }
  });

  it('has nothing on every resource but X-Ray telemetry and reading the NAT gateways (EC2 supports no resource scoping for it)', () => {
    const unscoped = roleStatements(ids.containment).filter((statement) => resourcesOf(statement).includes('*'));
    expect(unscoped.flatMap((statement) => actionsOf(statement)).sort()).toEqual([
      'ec2:DescribeNatGateways',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('is mapped, with the undo function, into each cluster named in clusterAccess as the pivotguard-containment group, with no access policy', () => {
    const entries = Object.values(template.findResources('AWS::EKS::AccessEntry')).map((entry) => entry.Properties);
    const entry = (cluster: string, functionId: string) => ({
      ClusterName: cluster,
      PrincipalArn: functionProps(functionId).Role,
      Type: 'STANDARD',
      KubernetesGroups: ['pivotguard-containment'],
    });
    expect(entries).toEqual([entry('prod-east', ids.containment), entry('prod-east', ids.undo), entry('staging', ids.containment), entry('staging', ids.undo)]);
    expect(template.findResources('AWS::EKS::AccessPolicyAssociation')).toEqual({});
  });

  it('tells the user to apply the RBAC in each cluster', () => {
    template.hasOutput('ContainmentRbac', { Value: Match.stringLikeRegexp('prod-east, staging.*npx pivotguard rbac \\| kubectl apply -f -') });
  });
});

describe('approval page', () => {
  it('is served on a function URL without IAM auth (its links are signed, expiring and single-use)', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [ids.approvalPage, 'Arn'] } });
    expect(functionProps(ids.approvalPage).Environment.Variables).toEqual({
      TABLE_NAME: { Ref: ids.table },
      APPROVAL_SECRET_ARN: { Ref: ids.secret },
      UNDO_FUNCTION_NAME: { Ref: ids.undo },
      STATE_MACHINE_ARN: { Ref: ids.stateMachine },
      POWERTOOLS_SERVICE_NAME: 'pivotguard-approval',
    });
  });

  it('answers waiting tasks of the containment workflow only, and invokes the undo function only', () => {
    const statements = roleStatements(ids.approvalPage);
    expect(withAction(statements, 'states:SendTaskSuccess')).toEqual([
      expect.objectContaining({ Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'], Resource: { Ref: ids.stateMachine } }),
    ]);
    expect(withAction(statements, 'lambda:InvokeFunction')).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [ids.undo, 'Arn'] } })]);
    const unscoped = statements.filter((statement) => resourcesOf(statement).includes('*')).flatMap((statement) => actionsOf(statement));
    expect(unscoped.sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });
});

describe('undo function', () => {
  it('exists apart from the containment function, with only the table, the clusters and the account', () => {
    expect(ids.undo).not.toBe(ids.containment);
    const fn = functionProps(ids.undo);
    expect(fn).toMatchObject({ Timeout: 120, MemorySize: 512 });
    expect(fn.Environment.Variables).toEqual({
      TABLE_NAME: { Ref: ids.table },
      CLUSTERS: 'prod-east,staging',
      ACCOUNT_ID: { Ref: 'AWS::AccountId' },
      POWERTOOLS_SERVICE_NAME: 'pivotguard-containment',
    });
  });

  it('holds only what undo needs: the undo IAM calls on containable roles, the table, the clusters', () => {
    const statements = roleStatements(ids.undo);
    const allowedIam = statements.filter((statement) => statement.Effect === 'Allow' && actionsOf(statement).some((action) => action.startsWith('iam:')));
    expect(allowedIam).toEqual([
      expect.objectContaining({ Action: ['iam:DeleteRolePolicy', 'iam:GetRole', 'iam:GetRolePolicy', 'iam:UpdateAssumeRolePolicy'], Resource: accountRoles }),
    ]);
    expect(withAction(statements, 'eks:DescribeCluster')).toEqual([expect.objectContaining({ Resource: [cluster('prod-east'), cluster('staging')] })]);
    const services = new Set(
      statements.filter((statement) => statement.Effect === 'Allow').flatMap((statement) => actionsOf(statement).map((action) => action.split(':')[0])),
    );
    expect([...services].sort()).toEqual(['dynamodb', 'eks', 'iam', 'kms', 'logs', 'xray']);
  });

  it('as IAM decides: the page may invoke undo and not the containment function; undo may not write policies nor run the workflow', async () => {
    const deployed = new DeployedTemplate(template);
    const page = roleOf(ids.approvalPage);
    const undoRole = roleOf(ids.undo);
    const workloadRole = `arn:aws:iam::${ACCOUNT}:role/checkout-irsa`;
    expect(await decide(deployed, { principal: page, action: 'lambda:InvokeFunction', resource: ids.undo })).toBe('Allowed');
    expect(await decide(deployed, { principal: page, action: 'lambda:InvokeFunction', resource: ids.containment })).not.toBe('Allowed');
    for (const call of ['iam:DeleteRolePolicy', 'iam:GetRole', 'iam:GetRolePolicy', 'iam:UpdateAssumeRolePolicy']) {
      expect(await decide(deployed, { principal: undoRole, action: call, resource: workloadRole }), call).toBe('Allowed');
    }
    expect(await decide(deployed, { principal: undoRole, action: 'iam:PutRolePolicy', resource: workloadRole })).not.toBe('Allowed');
    expect(await decide(deployed, { principal: undoRole, action: 'lambda:InvokeFunction', resource: ids.containment })).not.toBe('Allowed');
    expect(await decide(deployed, { principal: undoRole, action: 'sns:Publish', resource: ids.topic })).not.toBe('Allowed');
    const execution = `${deployed.arnOf(ids.stateMachine).replace(':stateMachine:', ':execution:')}:inc-0a1b2c3d4e5f`;
    expect(await decide(deployed, { principal: undoRole, action: 'states:DescribeExecution', resource: execution })).not.toBe('Allowed');
  });
});

describe('containment workflow', () => {
  it('invokes the containment function', () => {
    const definition = JSON.stringify(template.findResources('AWS::StepFunctions::StateMachine')[ids.stateMachine]!.Properties.DefinitionString);
    expect(definition).toContain(ids.containment);
  });

  it('is started by the analyzer, which passes the approval URL in each execution', () => {
    const analyzerId = logicalId(pivotGuard.analyzer);
    const variables = functionProps(analyzerId).Environment.Variables;
    expect(variables.CONTAINMENT_STATE_MACHINE_ARN).toEqual({ Ref: ids.stateMachine });
    expect(variables.APPROVAL_URL).toEqual({ 'Fn::GetAtt': [expect.stringContaining('ApprovalPage'), 'FunctionUrl'] });
    expect(withAction(roleStatements(analyzerId), 'states:StartExecution')).toEqual([
      expect.objectContaining({ Action: 'states:StartExecution', Resource: { Ref: ids.stateMachine } }),
    ]);
  });

  it('has a fixed name of at most 80 characters, so its key condition can name its ARN before it exists', () => {
    const { StateMachineName } = template.findResources('AWS::StepFunctions::StateMachine')[ids.stateMachine]!.Properties;
    expect(StateMachineName).toMatch(/^[\w-]{1,80}$/);
  });

  it('logs its state transitions without execution data (the approval task token never reaches the logs), under /aws/vendedlogs/', () => {
    const { LoggingConfiguration } = template.findResources('AWS::StepFunctions::StateMachine')[ids.stateMachine]!.Properties;
    expect(LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
    const group = LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0] as string;
    expect(template.findResources('AWS::Logs::LogGroup')[group]!.Properties.LogGroupName).toMatch(/^\/aws\/vendedlogs\/states\//);
  });

  it('leaves CloudFormation no dependency cycle', () => {
    expect(findCycle(template.toJSON().Resources)).toBeUndefined();
  });

  it('outputs the names the CLI looks up', () => {
    template.hasOutput('ContainmentFunctionName', { Value: { Ref: ids.containment } });
    template.hasOutput('UndoFunctionName', { Value: { Ref: ids.undo } });
    template.hasOutput('StateMachineArn', { Value: { Ref: ids.stateMachine } });
    template.hasOutput('StateTableName', { Value: { Ref: ids.table } });
    template.hasOutput('EvidenceBucketName', { Value: { Ref: ids.bucket } });
  });
});

describe('containment in a VPC', () => {
  it('places the function in the given subnets and lets it manage its network interfaces in this account and region', () => {
    const app = new App({ context: NO_BUNDLING });
    const stack = new Stack(app, 'Test');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const inVpc = new PivotGuard(stack, 'PivotGuard', { clusters: ['prod-east'], containmentVpc: { vpc } });
    const vpcTemplate = Template.fromStack(stack);
    const id = logicalId(inVpc.containmentFunction!);
    const config = vpcTemplate.findResources('AWS::Lambda::Function')[id]!.Properties.VpcConfig;
    expect(config.SubnetIds).toEqual(vpc.privateSubnets.map((subnet) => ({ Ref: logicalId(subnet as ec2.Subnet) })));
    expect(config.SecurityGroupIds).toHaveLength(1);

    const statements = roleStatements(id, vpcTemplate);
    expect(withAction(statements, 'ec2:CreateNetworkInterface')).toEqual([
      expect.objectContaining({
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':*/*']] },
      }),
    ]);
    const unscoped = statements.filter((statement) => resourcesOf(statement).includes('*')).flatMap((statement) => actionsOf(statement));
    expect(unscoped.filter((action) => !/^[a-z0-9]+:(Describe|Get|List)/.test(action)).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    expect(vpcTemplate.findResources('AWS::IAM::ManagedPolicy')).toEqual({});
    for (const role of Object.values(vpcTemplate.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();

    // Only pivotguard's own resources are judged: the test VPC is not part of it.
    const findings = new AwsSolutionsChecks()
      .validateScope(app)
      .violations.flatMap((violation) =>
        violation.violatingResources
          .filter((resource) => resource.constructPath?.startsWith('Test/PivotGuard/'))
          .map((resource) => `${violation.ruleName} ${resource.constructPath}`),
      );
    expect(findings).toEqual([]);
  });
});

describe('containment turned off', () => {
  it('creates no containment resources and gives the analyzer neither variable', () => {
    const { template: off, pivotGuard: detectOnly } = synthPivotGuard({ containment: false });
    for (const type of ['AWS::StepFunctions::StateMachine', 'AWS::S3::Bucket', 'AWS::SecretsManager::Secret', 'AWS::EKS::AccessEntry', 'AWS::Lambda::Url']) {
      expect(off.findResources(type)).toEqual({});
    }
    expect(Object.keys(off.findResources('AWS::Lambda::Function'))).toHaveLength(2);
    expect(detectOnly.stateMachine).toBeUndefined();
    const variables = off.findResources('AWS::Lambda::Function')[logicalId(detectOnly.analyzer)]!.Properties.Environment.Variables;
    expect(variables.CONTAINMENT_STATE_MACHINE_ARN).toBeUndefined();
    expect(variables.APPROVAL_URL).toBeUndefined();
    expect(iamStatements(off).filter(({ statement }) => actionsOf(statement).some((action) => action.startsWith('states:')))).toEqual([]);
    expect(Object.keys(off.toJSON().Outputs)).toEqual(['StateTableName']);
  });
});

/** A resource that reaches itself through Ref, Fn::GetAtt or DependsOn, if there is one. */
function findCycle(resources: Record<string, { DependsOn?: string | string[] }>): string[] | undefined {
  const edges = new Map<string, Set<string>>();
  for (const [id, resource] of Object.entries(resources)) {
    const targets = new Set<string>([resource.DependsOn ?? []].flat());
    collectReferences(resource, targets);
    edges.set(id, new Set([...targets].filter((target) => target in resources)));
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): string[] | undefined => {
    if (state.get(id) === 'visiting') return [...path, id];
    if (state.get(id) === 'done') return undefined;
    state.set(id, 'visiting');
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next, [...path, id]);
      if (cycle) return cycle;
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id, []);
    if (cycle) return cycle;
  }
  return undefined;
}

function collectReferences(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectReferences(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') into.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner)) into.add(String(inner[0]));
      else collectReferences(inner, into);
    }
  }
}
