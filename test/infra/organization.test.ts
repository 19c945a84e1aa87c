import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, buildMemberApp, MEMBER_STACK_NAME, type PivotGuardApp } from '../../lib/app.ts';
import { DeploymentConfigError } from '../../lib/config-file.ts';
import { ACCOUNT, DeployedTemplate, OTHER_ACCOUNT, REGION, decide } from '../support/aws-decisions.ts';
import { NO_BUNDLING } from './synth.ts';

const ORGANIZATION = 'o-abcdef1234';
const MEMBER_ACCOUNT = '999988887777';
const ENV = { CDK_DEFAULT_REGION: REGION, CDK_DEFAULT_ACCOUNT: ACCOUNT };
const CONTEXT = {
  ...NO_BUNDLING,
  clusters: 'prod-east',
  clusterAccess: 'prod-east',
  organizationId: ORGANIZATION,
  memberRegions: `us-east-1,${REGION}`,
  memberOrganizationalUnits: 'r-ab12',
};
const SYNTH_TIMEOUT = { timeout: 120_000 };

type Json = Parameters<DeployedTemplate['resolve']>[0];
interface Rule {
  EventPattern: { source?: string[]; 'detail-type'?: string[] };
  State?: string;
  Targets: { Arn: string; DeadLetterConfig?: { Arn: string }; RoleArn?: string }[];
}

function logicalIdOf(construct: IConstruct): string {
  const resource = construct.node.defaultChild as CfnElement;
  return resource.stack.getLogicalId(resource);
}

/** The member template as one member account would deploy it, with the hub's values as the StackSet passes them. */
function memberInAccount(template: Record<string, unknown>, parameters: Record<string, string | string[]>): DeployedTemplate {
  const substitute = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(substitute);
    if (value === null || typeof value !== 'object') return value;
    const ref = (value as { Ref?: unknown }).Ref;
    if (typeof ref === 'string' && parameters[ref] !== undefined) return parameters[ref];
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, substitute(inner)]));
  };
  return new DeployedTemplate(substitute(template) as Record<string, unknown>);
}

describe('pivotguard as the hub of an organization', () => {
  let built: PivotGuardApp;
  let hub: DeployedTemplate;
  let member: DeployedTemplate;
  let hubContainmentRole: string;
  let hubUndoRole: string;
  let hubAnalyzerRole: string;
  let hubRoleArn: (logicalId: string) => string;
  let memberParameters: Record<string, string | string[]>;

  beforeAll(() => {
    built = buildApp(CONTEXT, ENV);
    hub = new DeployedTemplate(Template.fromStack(built.stack));
    hubContainmentRole = logicalIdOf(built.pivotGuard.containmentFunction!.role!);
    hubUndoRole = logicalIdOf(built.pivotGuard.undoFunction!.role!);
    hubAnalyzerRole = logicalIdOf(built.pivotGuard.analyzer.role!);
    // The hub lives in its own (security) account; the member template is deployed in ACCOUNT.
    hubRoleArn = (logicalId: string) => hub.arnOf(logicalId).replace(ACCOUNT, OTHER_ACCOUNT);
    memberParameters = {
      HubEventBusArn: `arn:aws:events:${REGION}:${OTHER_ACCOUNT}:event-bus/pivotguard`,
      HubRegion: REGION,
      HubAccountId: OTHER_ACCOUNT,
      HubContainmentRoleArn: hubRoleArn(hubContainmentRole),
      HubUndoRoleArn: hubRoleArn(hubUndoRole),
      HubAnalyzerRoleArn: hubRoleArn(hubAnalyzerRole),
      ClusterNames: ['prod-east'],
      ClusterAccessNames: ['prod-east'],
    };
    member = memberInAccount(built.members!.memberTemplate, memberParameters);
  }, 180_000);

  const memberRoleId = (name: string) => member.logicalIdsOf('AWS::IAM::Role').find((id) => member.nameOf(id) === name)!;
  /** An AssumeRole of a member role from inside the organization, decided by its trust policy and the caller's policies. */
  const assumeMemberRole = (role: string, principal: string, identityPolicies: { name: string; policy: Json }[]) => ({
    principal,
    action: 'sts:AssumeRole',
    resource: role,
    identityPolicies,
    resourcePolicy: member.resolve(member.resources[role]!.Properties!.AssumeRolePolicyDocument as Json),
    context: { 'aws:ResourceOrgID': ORGANIZATION },
  });
  /** What a principal of another account would attach to itself: permission to assume anything. */
  const assumeAnything = [{ name: 'any', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] } }];

  describe('the hub bus', () => {
    const bus = () => hub.logicalIdsOf('AWS::Events::EventBus')[0]!;
    const putAnyEvents = [{ name: 'put', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: '*' }] } }];
    it('takes events from a role of an account of the organization', async () => {
      const decision = await decide(hub, {
        principal: `arn:aws:iam::${MEMBER_ACCOUNT}:role/forwarder`,
        action: 'events:PutEvents',
        resource: bus(),
        identityPolicies: putAnyEvents,
        context: { 'aws:PrincipalOrgID': ORGANIZATION },
      });
      expect(decision).toBe('Allowed');
    });

    it('refuses an account outside the organization, whatever it allows itself', async () => {
      const decision = await decide(hub, {
        principal: `arn:aws:iam::${MEMBER_ACCOUNT}:role/forwarder`,
        action: 'events:PutEvents',
        resource: bus(),
        identityPolicies: putAnyEvents,
        context: { 'aws:PrincipalOrgID': 'o-zzzzzzzzzz' },
      });
      expect(decision).toBe('ImplicitlyDenied');
    });
  });

  describe('the audit log destination of each other member region', () => {
    const regional = () => new DeployedTemplate(Template.fromStack(built.auditLogRegions[0]!));
    const request = (organization: string) => {
      const template = regional();
      const [id] = template.logicalIdsOf('AWS::Logs::Destination');
      const properties = template.resources[id!]!.Properties as { DestinationName: string; DestinationPolicy: Json };
      return {
        template,
        properties,
        request: {
          principal: `arn:aws:iam::${MEMBER_ACCOUNT}:role/stackset-exec`,
          action: 'logs:PutSubscriptionFilter',
          resource: `arn:aws:logs:us-east-1:${ACCOUNT}:destination:${properties.DestinationName}`,
          resourcePolicy: JSON.parse(String(template.resolve(properties.DestinationPolicy))) as Json,
          identityPolicies: [
            { name: 'subscribe', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:PutSubscriptionFilter', Resource: '*' }] } },
          ],
          context: { 'aws:PrincipalOrgID': organization },
        },
      };
    };

    it('takes subscriptions from the organization only', async () => {
      const inside = request(ORGANIZATION);
      expect(inside.properties.DestinationName).toBe('pivotguard-audit-logs');
      expect(await decide(inside.template, inside.request)).toBe('Allowed');
      const outside = request('o-zzzzzzzzzz');
      expect(await decide(outside.template, outside.request)).toBe('ImplicitlyDenied');
    });

    it("puts on the hub's one stream through the hub's logs role, which CloudWatch Logs of that region may assume", () => {
      const { template, properties } = request(ORGANIZATION);
      expect(template.resolve(properties as unknown as Json)).toMatchObject({
        TargetArn: `arn:aws:kinesis:${REGION}:${ACCOUNT}:stream/pivotguard-audit-logs`,
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/pivotguard-audit-logs-${REGION}`,
      });
      const [stream] = hub.logicalIdsOf('AWS::Kinesis::Stream');
      expect(hub.resources[stream!]!.Properties).toMatchObject({ Name: 'pivotguard-audit-logs' });
      const role = hub.logicalIdsOf('AWS::IAM::Role').find((id) => hub.nameOf(id) === `pivotguard-audit-logs-${REGION}`)!;
      const trust = hub.resolve(hub.resources[role]!.Properties!.AssumeRolePolicyDocument as Json) as unknown as {
        Statement: { Condition: { StringLike: { 'aws:SourceArn': string[] } } }[];
      };
      expect(trust.Statement[0]!.Condition.StringLike['aws:SourceArn']).toEqual([`arn:aws:logs:${REGION}:*:*`, 'arn:aws:logs:us-east-1:*:*']);
    });
  });

  describe('the audit log destination', () => {
    const destinationRequest = (organization: string) => {
      const [id] = hub.logicalIdsOf('AWS::Logs::Destination');
      const properties = hub.resources[id!]!.Properties as { DestinationName: string; DestinationPolicy: Json };
      return {
        principal: `arn:aws:iam::${MEMBER_ACCOUNT}:role/stackset-exec`,
        action: 'logs:PutSubscriptionFilter',
        resource: `arn:aws:logs:${REGION}:${ACCOUNT}:destination:${properties.DestinationName}`,
        resourcePolicy: JSON.parse(String(hub.resolve(properties.DestinationPolicy))) as Json,
        identityPolicies: [
          { name: 'subscribe', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:PutSubscriptionFilter', Resource: '*' }] } },
        ],
        context: { 'aws:PrincipalOrgID': organization },
      };
    };
    it('takes subscriptions from the organization only', async () => {
      expect(await decide(hub, destinationRequest(ORGANIZATION))).toBe('Allowed');
      expect(await decide(hub, destinationRequest('o-zzzzzzzzzz'))).toBe('ImplicitlyDenied');
    });

    it('is backed by an encrypted stream the pipe moves into the queue as a subscription payload', () => {
      const [stream] = hub.logicalIdsOf('AWS::Kinesis::Stream');
      expect(hub.resources[stream!]!.Properties).toMatchObject({ StreamEncryption: { EncryptionType: 'KMS' } });
      const [pipe] = hub.logicalIdsOf('AWS::Pipes::Pipe');
      const properties = hub.resources[pipe!]!.Properties as { Source: unknown; Target: unknown; TargetParameters: { InputTemplate: string } };
      expect(properties.Source).toEqual({ 'Fn::GetAtt': [stream, 'Arn'] });
      expect(properties.Target).toEqual({ 'Fn::GetAtt': [logicalIdOf(built.pivotGuard.queue), 'Arn'] });
      expect(JSON.parse(properties.TargetParameters.InputTemplate.replace('<$.data>', 'DATA'))).toEqual({
        awslogs: { data: 'DATA' },
      });
    });
  });

  describe('the hub containment functions', () => {
    const memberRole = (account: string) => `arn:aws:iam::${account}:role/pivotguard-member-containment`;
    it('may assume the member role in an account of the organization, and in no other account', async () => {
      for (const role of [hubContainmentRole, hubUndoRole]) {
        const inside = { principal: role, action: 'sts:AssumeRole', resource: memberRole(MEMBER_ACCOUNT), context: { 'aws:ResourceOrgID': ORGANIZATION } };
        expect(await decide(hub, inside)).toBe('Allowed');
        expect(await decide(hub, { ...inside, context: { 'aws:ResourceOrgID': 'o-zzzzzzzzzz' } })).toBe('ImplicitlyDenied');
        expect(await decide(hub, { ...inside, resource: `arn:aws:iam::${MEMBER_ACCOUNT}:role/Admin` })).toBe('ImplicitlyDenied');
      }
    });

    it('tell the adapters the member role name, and the member regions a member cluster is looked for in', () => {
      for (const fn of [built.pivotGuard.containmentFunction!, built.pivotGuard.undoFunction!]) {
        const properties = hub.resources[logicalIdOf(fn)]!.Properties as { Environment: { Variables: Record<string, unknown> } };
        expect(properties.Environment.Variables).toMatchObject({ MEMBER_ROLE_NAME: 'pivotguard-member-containment', MEMBER_REGIONS: `us-east-1,${REGION}` });
      }
    });
  });

  describe('the hub analyzer', () => {
    const memberRole = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
    const assumeReader = {
      action: 'sts:AssumeRole',
      resource: memberRole(MEMBER_ACCOUNT, 'pivotguard-member-reader'),
      context: { 'aws:ResourceOrgID': ORGANIZATION },
    };

    it('may assume the member reader role in an account of the organization, and in no other account', async () => {
      expect(await decide(hub, { principal: hubAnalyzerRole, ...assumeReader })).toBe('Allowed');
      expect(await decide(hub, { principal: hubAnalyzerRole, ...assumeReader, context: { 'aws:ResourceOrgID': 'o-zzzzzzzzzz' } })).toBe('ImplicitlyDenied');
      expect(await decide(hub, { principal: hubAnalyzerRole, ...assumeReader, context: {} })).toBe('ImplicitlyDenied');
    });

    it('may assume neither the member containment role nor any other role; containment may not assume the reader', async () => {
      for (const name of ['pivotguard-member-containment', 'Admin']) {
        expect(await decide(hub, { principal: hubAnalyzerRole, ...assumeReader, resource: memberRole(MEMBER_ACCOUNT, name) })).toBe('ImplicitlyDenied');
      }
      for (const role of [hubContainmentRole, hubUndoRole]) expect(await decide(hub, { principal: role, ...assumeReader })).toBe('ImplicitlyDenied');
    });

    it('tells its enrichment the member reader role name', () => {
      const properties = hub.resources[logicalIdOf(built.pivotGuard.analyzer)]!.Properties as { Environment: { Variables: Record<string, unknown> } };
      expect(properties.Environment.Variables).toMatchObject({ MEMBER_ROLE_NAME: 'pivotguard-member-reader', MEMBER_REGIONS: `us-east-1,${REGION}` });
    });
  });

  describe('the member reader role', () => {
    const role = () => memberRoleId('pivotguard-member-reader');
    const assume = (principal: string, identityPolicies: { name: string; policy: Json }[]) => assumeMemberRole(role(), principal, identityPolicies);
    const read = (action: string, resource: string) => ({ principal: role(), action, resource });
    const ownRole = `arn:aws:iam::${ACCOUNT}:role/checkout-irsa`;
    const ownCluster = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/prod-east`;

    it("may be assumed by the hub's analyzer role", async () => {
      expect(await decide(member, assume(hubRoleArn(hubAnalyzerRole), hub.identityPoliciesOf(hubAnalyzerRole)))).toBe('Allowed');
    });

    it("may not be assumed by the hub's containment functions, another role of the hub account, nor any other account", async () => {
      for (const hubRole of [hubContainmentRole, hubUndoRole]) {
        expect(await decide(member, assume(hubRoleArn(hubRole), [...hub.identityPoliciesOf(hubRole), ...assumeAnything]))).toBe('ImplicitlyDenied');
      }
      expect(await decide(member, assume(`arn:aws:iam::${OTHER_ACCOUNT}:role/Admin`, assumeAnything))).toBe('ImplicitlyDenied');
      expect(await decide(member, assume(`arn:aws:iam::${OTHER_ACCOUNT}:root`, assumeAnything))).toBe('ImplicitlyDenied');
      // The analyzer role's name in an account outside the hub: the trust names the ARN, not the name.
      expect(await decide(member, assume(`arn:aws:iam::${MEMBER_ACCOUNT}:role/${hub.nameOf(hubAnalyzerRole)}`, assumeAnything))).toBe('ImplicitlyDenied');
    });

    it("reads its account's role policy names, clusters, Pod Identity associations and cluster networks", async () => {
      for (const action of ['ec2:DescribeNatGateways', 'ec2:DescribeVpcEndpoints']) expect(await decide(member, read(action, '*'))).toBe('Allowed');
      for (const action of ['iam:ListAttachedRolePolicies', 'iam:ListRolePolicies']) expect(await decide(member, read(action, ownRole))).toBe('Allowed');
      for (const action of ['eks:DescribeCluster', 'eks:ListPodIdentityAssociations']) expect(await decide(member, read(action, ownCluster))).toBe('Allowed');
      const association = `arn:aws:eks:us-east-1:${ACCOUNT}:podidentityassociation/prod-east/a-0123456789abcdef0`;
      expect(await decide(member, read('eks:DescribePodIdentityAssociation', association))).toBe('Allowed');
    });

    it('changes nothing, and reads nothing of another account', async () => {
      expect(await decide(member, read('iam:PutRolePolicy', ownRole))).toBe('ImplicitlyDenied');
      expect(await decide(member, read('iam:UpdateAssumeRolePolicy', ownRole))).toBe('ImplicitlyDenied');
      expect(await decide(member, read('eks:CreateAccessEntry', ownCluster))).toBe('ImplicitlyDenied');
      expect(await decide(member, read('eks:UpdateClusterConfig', ownCluster))).toBe('ImplicitlyDenied');
      expect(await decide(member, read('ec2:CreateNatGateway', '*'))).toBe('ImplicitlyDenied');
      expect(await decide(member, read('iam:ListAttachedRolePolicies', `arn:aws:iam::${MEMBER_ACCOUNT}:role/checkout-irsa`))).toBe('ImplicitlyDenied');
      expect(await decide(member, read('eks:DescribeCluster', `arn:aws:eks:${REGION}:${MEMBER_ACCOUNT}:cluster/prod-east`))).toBe('ImplicitlyDenied');
      const statements = member
        .identityPoliciesOf(role())
        .flatMap(({ policy }) => (policy as { Statement: { Effect: string; Action: string | string[] }[] }).Statement);
      expect(statements.every((statement) => statement.Effect === 'Allow')).toBe(true);
      expect(statements.flatMap((statement) => statement.Action).sort()).toEqual([
        'ec2:DescribeNatGateways',
        'ec2:DescribeVpcEndpoints',
        'eks:DescribeCluster',
        'eks:DescribePodIdentityAssociation',
        'eks:ListPodIdentityAssociations',
        'iam:ListAttachedRolePolicies',
        'iam:ListRolePolicies',
      ]);
    });

    it('is made once per account, in the hub region, with sessions of at most an hour, and containment never changes it', async () => {
      const template = built.members!.memberTemplate as { Resources: Record<string, { Condition?: string; Properties: Record<string, unknown> }> };
      expect(template.Resources[role()]!.Condition).toBe('InHubRegion');
      expect(template.Resources[role()]!.Properties.MaxSessionDuration).toBe(3600);
      const policies = Object.values(template.Resources).filter((resource) => JSON.stringify(resource.Properties.Roles ?? []).includes(`"${role()}"`));
      expect(policies.map((policy) => policy.Condition)).toEqual(['InHubRegion']);
      const containmentRole = member.logicalIdsOf('AWS::IAM::Role').find((id) => member.nameOf(id) === 'pivotguard-member-containment')!;
      const put = { principal: containmentRole, action: 'iam:PutRolePolicy', resource: `arn:aws:iam::${ACCOUNT}:role/pivotguard-member-reader` };
      expect(await decide(member, put)).toBe('ExplicitlyDenied');
    });
  });

  describe('the member containment role', () => {
    const role = () => memberRoleId('pivotguard-member-containment');
    const assume = (principal: string, identityPolicies: { name: string; policy: Json }[]) => assumeMemberRole(role(), principal, identityPolicies);

    it("may be assumed by the hub's containment and undo roles", async () => {
      for (const hubRole of [hubContainmentRole, hubUndoRole]) {
        expect(await decide(member, assume(hubRoleArn(hubRole), hub.identityPoliciesOf(hubRole)))).toBe('Allowed');
      }
    });

    it('may not be assumed by another role of the hub account, nor by any other account', async () => {
      expect(await decide(member, assume(`arn:aws:iam::${OTHER_ACCOUNT}:role/Admin`, assumeAnything))).toBe('ImplicitlyDenied');
      expect(await decide(member, assume(`arn:aws:iam::${OTHER_ACCOUNT}:root`, assumeAnything))).toBe('ImplicitlyDenied');
      expect(await decide(member, assume(`arn:aws:iam::${MEMBER_ACCOUNT}:role/${hubContainmentRole}`, assumeAnything))).toBe('ImplicitlyDenied');
    });

    it('revokes a workload role, never the CDK roles, the StackSet execution role or itself', async () => {
      const put = (roleName: string) => ({ principal: role(), action: 'iam:PutRolePolicy', resource: `arn:aws:iam::${ACCOUNT}:role/${roleName}` });
      expect(await decide(member, put('checkout-irsa'))).toBe('Allowed');
      expect(await decide(member, put('cdk-hnb659fds-deploy-role-111122223333-eu-west-1'))).toBe('ExplicitlyDenied');
      expect(await decide(member, put('stacksets-exec-0123456789abcdef'))).toBe('ExplicitlyDenied');
      expect(await decide(member, put('pivotguard-member-containment'))).toBe('ExplicitlyDenied');
    });

    it('is made once per account, in the hub region, where the StackSet deploys first', () => {
      const template = built.members!.memberTemplate as { Resources: Record<string, { Condition?: string }>; Conditions: Record<string, unknown> };
      expect(template.Resources[role()]!.Condition).toBe('InHubRegion');
      expect(template.Conditions.InHubRegion).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, { Ref: 'HubRegion' }] });
    });
  });

  describe('the member forwarding', () => {
    it('forwards CloudTrail with read-only management events, GuardDuty and Inspector to the hub bus, parking failures', () => {
      const rules = member.logicalIdsOf('AWS::Events::Rule').map((id) => member.resolve(member.resources[id]!.Properties as Json) as unknown as Rule);
      const sources = rules.flatMap((rule) => rule.EventPattern.source ?? []);
      expect(sources).toEqual(expect.arrayContaining(['aws.guardduty', 'aws.inspector2']));
      const cloudTrail = rules.filter((rule) => rule.EventPattern['detail-type']?.some((type) => type.includes('CloudTrail')));
      expect(cloudTrail.length).toBeGreaterThan(0);
      for (const rule of cloudTrail) expect(rule.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
      for (const rule of rules) {
        const [target] = rule.Targets;
        expect(target!.Arn).toBe(`arn:aws:events:${REGION}:${OTHER_ACCOUNT}:event-bus/pivotguard`);
        expect(target!.DeadLetterConfig?.Arn).toMatch(/^arn:aws:sqs:/);
        expect(target!.RoleArn).toMatch(/^arn:aws:iam::/);
      }
    });

    it('subscribes each cluster to the destination of its own region, in every member region', () => {
      const template = built.members!.memberTemplate as { Resources: Record<string, { Condition?: string }>; Conditions: Record<string, Json> };
      for (const region of ['us-east-1', REGION]) {
        const inRegion = memberInAccount(JSON.parse(JSON.stringify(template).replaceAll('"Ref":"AWS::Region"', `"Ref":"Region"`)), {
          ...memberParameters,
          Region: region,
        });
        const [first] = inRegion.logicalIdsOf('AWS::Logs::SubscriptionFilter');
        expect(inRegion.resolve(inRegion.resources[first!]!.Properties as Json)).toMatchObject({
          DestinationArn: `arn:aws:logs:${region}:${OTHER_ACCOUNT}:destination:pivotguard-audit-logs`,
        });
        // Subscribed wherever a cluster is named: the condition does not depend on the region.
        expect(JSON.stringify(template.Conditions[template.Resources[first!]!.Condition!])).not.toContain('HubRegion');
      }
    });

    it("subscribes each named cluster's audit log to the hub destination, and holds no function or asset", () => {
      const template = built.members!.memberTemplate as { Resources: Record<string, { Type: string }>; Parameters: Record<string, { Default?: string }> };
      expect(Object.values(template.Resources).some(({ Type }) => Type === 'AWS::Lambda::Function')).toBe(false);
      expect(JSON.stringify(template)).not.toMatch(/AssetParameters|cdk-hnb659fds-assets|BootstrapVersion/);
      expect(template.Parameters.ClusterNames!.Default).toBe('prod-east');
      const [first] = member.logicalIdsOf('AWS::Logs::SubscriptionFilter');
      expect(member.resolve(member.resources[first!]!.Properties as Json)).toMatchObject({
        LogGroupName: '/aws/eks/prod-east/cluster',
        DestinationArn: `arn:aws:logs:${REGION}:${OTHER_ACCOUNT}:destination:pivotguard-audit-logs`,
      });
      const [entry] = member.logicalIdsOf('AWS::EKS::AccessEntry');
      expect(member.resolve(member.resources[entry!]!.Properties as Json)).toMatchObject({
        ClusterName: 'prod-east',
        PrincipalArn: `arn:aws:iam::${ACCOUNT}:role/pivotguard-member-containment`,
      });
    });
  });

  describe('the member StackSet', () => {
    it('deploys with service-managed permissions to the targets, new accounts included, the hub region first', () => {
      const members = new DeployedTemplate(Template.fromStack(Stack.of(built.members!)));
      const [stackSet] = members.logicalIdsOf('AWS::CloudFormation::StackSet');
      const properties = members.resources[stackSet!]!.Properties as Record<string, unknown>;
      expect(properties).toMatchObject({
        PermissionModel: 'SERVICE_MANAGED',
        AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
        CallAs: 'DELEGATED_ADMIN',
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ['r-ab12'] }, Regions: [REGION, 'us-east-1'] }],
      });
      expect(JSON.parse(properties.TemplateBody as string)).toEqual(built.members!.memberTemplate);
    });

    it("passes and outputs the hub's containment, undo and analyzer role ARNs", () => {
      const members = Template.fromStack(Stack.of(built.members!)).toJSON() as {
        Resources: Record<string, { Type: string; Properties: { Parameters: { ParameterKey: string; ParameterValue: unknown }[] } }>;
        Outputs: Record<string, { Value: unknown }>;
      };
      const stackSet = Object.values(members.Resources).find(({ Type }) => Type === 'AWS::CloudFormation::StackSet')!;
      const parameters = Object.fromEntries(stackSet.Properties.Parameters.map(({ ParameterKey, ParameterValue }) => [ParameterKey, ParameterValue]));
      for (const [name, logicalId] of [
        ['HubContainmentRoleArn', hubContainmentRole],
        ['HubUndoRoleArn', hubUndoRole],
        ['HubAnalyzerRoleArn', hubAnalyzerRole],
      ] as const) {
        // A value of the hub stack: an import of the role's ARN.
        expect(JSON.stringify(parameters[name])).toContain(logicalId);
        const output = Object.entries(members.Outputs).find(([id]) => id.includes(name));
        expect(output?.[1].Value).toEqual(parameters[name]);
      }
    });

    it("waits for every region's audit log destination, which waits for the hub's stream", () => {
      const membersStack = Stack.of(built.members!);
      expect(built.auditLogRegions.map((stack) => stack.region)).toEqual(['us-east-1']);
      expect(membersStack.dependencies).toEqual(expect.arrayContaining(built.auditLogRegions));
      for (const regional of built.auditLogRegions) expect(regional.dependencies).toContain(built.stack);
    });
  });

  it('passes the cdk-nag checks, hub and member template', SYNTH_TIMEOUT, () => {
    const report = new AwsSolutionsChecks().validateScope(built.app);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    // The member template is nagged in its own app when it is synthesized: a finding would have thrown in beforeAll.
    expect(built.members!.memberTemplate).toHaveProperty('Resources');
  });
});

describe('the member stack deployed by hand', () => {
  const HUB_ROLE = (name: string) => `arn:aws:iam::${OTHER_ACCOUNT}:role/PivotGuard-${name}`;
  const MEMBER_CONTEXT = {
    memberOf: `${OTHER_ACCOUNT}:${REGION}`,
    hubContainmentRoleArn: HUB_ROLE('Containment'),
    hubUndoRoleArn: HUB_ROLE('Undo'),
    hubAnalyzerRoleArn: HUB_ROLE('Analyzer'),
    clusters: 'payments',
  };

  it("is the app's only stack, with the hub's values as parameter defaults and no asset", SYNTH_TIMEOUT, () => {
    const { app, member } = buildMemberApp(MEMBER_CONTEXT, ENV);
    const assembly = app.synth();
    expect(assembly.stacks.map((stack) => stack.stackName)).toEqual([MEMBER_STACK_NAME]);
    expect(member.account).toBe(ACCOUNT);
    const template = assembly.getStackByName(MEMBER_STACK_NAME).template as { Parameters: Record<string, { Default?: string }> };
    const defaults = Object.fromEntries(Object.entries(template.Parameters).map(([name, parameter]) => [name, parameter.Default]));
    expect(defaults).toMatchObject({
      HubAccountId: OTHER_ACCOUNT,
      HubRegion: REGION,
      HubEventBusArn: `arn:aws:events:${REGION}:${OTHER_ACCOUNT}:event-bus/pivotguard`,
      HubContainmentRoleArn: HUB_ROLE('Containment'),
      HubUndoRoleArn: HUB_ROLE('Undo'),
      HubAnalyzerRoleArn: HUB_ROLE('Analyzer'),
      ClusterNames: 'payments',
    });
    expect(assembly.getStackByName(MEMBER_STACK_NAME).assets).toEqual([]);
    expect(JSON.stringify(template)).not.toMatch(/AssetParameters|cdk-hnb659fds-assets|BootstrapVersion/);
  });

  it.each([
    [{ memberOf: OTHER_ACCOUNT }, /memberOf/],
    [{ memberOf: `${OTHER_ACCOUNT}:nowhere` }, /memberOf/],
    [{ hubContainmentRoleArn: undefined }, /hubContainmentRoleArn/],
    // A role of another account than the hub's would let that account contain this one.
    [{ hubUndoRoleArn: `arn:aws:iam::${MEMBER_ACCOUNT}:role/PivotGuard-Undo` }, /hubUndoRoleArn/],
    [{ hubAnalyzerRoleArn: undefined }, /hubAnalyzerRoleArn/],
    // A role of another account than the hub's would let that account read this one.
    [{ hubAnalyzerRoleArn: `arn:aws:iam::${MEMBER_ACCOUNT}:role/PivotGuard-Analyzer` }, /hubAnalyzerRoleArn/],
  ])('refuses %j with a setting error', (change, message) => {
    expect(() => buildMemberApp({ ...MEMBER_CONTEXT, ...change }, ENV)).toThrow(DeploymentConfigError);
    expect(() => buildMemberApp({ ...MEMBER_CONTEXT, ...change }, ENV)).toThrow(message);
  });
});

describe('organization settings', () => {
  it.each([
    [{ organizationId: 'acme' }, /organizationId/],
    [{ memberRegions: undefined }, /memberRegions/],
    [{ memberRegions: 'us-east-1' }, /include the hub's region/],
    [{ memberOrganizationalUnits: undefined }, /memberOrganizationalUnits/],
    [{ memberOrganizationalUnits: 'acme' }, /memberOrganizationalUnits/],
    [{ containment: 'false' }, /needs containment/],
  ])('refuses %j with a setting error', (change, message) => {
    expect(() => buildApp({ ...CONTEXT, ...change }, ENV)).toThrow(DeploymentConfigError);
    expect(() => buildApp({ ...CONTEXT, ...change }, ENV)).toThrow(message);
  });

  it('leaves the single-account app without organization resources', () => {
    const { stack, members } = buildApp({ ...NO_BUNDLING, clusters: 'prod-east' }, ENV);
    const template = Template.fromStack(stack);
    expect(members).toBeUndefined();
    for (const type of ['AWS::CloudFormation::StackSet', 'AWS::Logs::Destination', 'AWS::Kinesis::Stream', 'AWS::Pipes::Pipe']) {
      expect(Object.keys(template.findResources(type))).toEqual([]);
    }
  });
});
