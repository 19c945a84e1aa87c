import { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.ts';
import { ACCOUNT, DeployedTemplate, OTHER_ACCOUNT, REGION, decide } from '../support/aws-decisions.ts';
import { NO_BUNDLING, logicalId, synthPivotGuard } from './synth.ts';

// The policies as IAM would evaluate them in account ACCOUNT, region REGION, not as they read.
const { pivotGuard, template } = synthPivotGuard({ clusters: ['prod-east'], clusterAccess: ['prod-east'] });
const deployed = new DeployedTemplate(template);
const key = logicalId(pivotGuard.key);
const topic = logicalId(pivotGuard.topic);
const queue = logicalId(pivotGuard.queue);
const deadLetterQueue = logicalId(pivotGuard.deadLetterQueue);
const stateMachine = logicalId(pivotGuard.stateMachine!);
const roleOf = (role: iam.IRole | undefined) => logicalId(role as unknown as { node: { defaultChild?: unknown } });
const containmentRole = roleOf(pivotGuard.containmentFunction!.role);
const analyzerRole = roleOf(pivotGuard.analyzer.role);
const stateMachineRole = roleOf(pivotGuard.stateMachine!.node.findChild('Role') as iam.IRole);
const rules = deployed.logicalIdsOf('AWS::Events::Rule');

const alarmOf = (account: string) => ({
  'aws:SourceAccount': account,
  'aws:SourceArn': `arn:aws:cloudwatch:${REGION}:${account}:alarm:pivotguard-dead-letters`,
});
const ruleContext = (ruleArn: string) => ({ 'aws:SourceArn': ruleArn, 'aws:SourceAccount': /:(\d{12}):/.exec(ruleArn)![1]! });

describe('what AWS would decide about the deployed stack', () => {
  it("lets this account's CloudWatch alarms publish to the encrypted alert topic, and no other account's", async () => {
    for (const [action, resource] of [
      ['sns:Publish', topic],
      ['kms:GenerateDataKey', key],
      ['kms:Decrypt', key],
    ] as const) {
      expect(await decide(deployed, { principal: 'cloudwatch.amazonaws.com', action, resource, context: alarmOf(ACCOUNT) })).toBe('Allowed');
      expect(await decide(deployed, { principal: 'cloudwatch.amazonaws.com', action, resource, context: alarmOf(OTHER_ACCOUNT) })).not.toBe('Allowed');
    }
  });

  it('refuses a publish to the topic over plain HTTP, even by a role allowed to publish', async () => {
    const request = { principal: analyzerRole, action: 'sns:Publish', resource: topic };
    expect(await decide(deployed, request)).toBe('Allowed');
    expect(await decide(deployed, { ...request, context: { 'aws:SecureTransport': 'false' } })).toBe('ExplicitlyDenied');
  });

  it('lets the containment function read who the alert topic emails (approval links record it), and not the analyzer', async () => {
    expect(await decide(deployed, { principal: containmentRole, action: 'sns:ListSubscriptionsByTopic', resource: topic })).toBe('Allowed');
    expect(await decide(deployed, { principal: analyzerRole, action: 'sns:ListSubscriptionsByTopic', resource: topic })).not.toBe('Allowed');
  });

  it("lets the state machine's role use the key for its own executions and not for another state machine's", async () => {
    const own = deployed.arnOf(stateMachine);
    expect(own).toMatch(/:stateMachine:[\w-]{1,80}$/);
    for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
      const request = { principal: stateMachineRole, action, resource: key };
      expect(await decide(deployed, { ...request, context: { 'kms:EncryptionContext:aws:states:stateMachineArn': own } })).toBe('Allowed');
      const other = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:someone-elses`;
      expect(await decide(deployed, { ...request, context: { 'kms:EncryptionContext:aws:states:stateMachineArn': other } })).not.toBe('Allowed');
    }
  });

  it("lets pivotguard's rules, and only them, write to the queue and the dead-letter queue through the key", async () => {
    expect(rules.length).toBeGreaterThanOrEqual(3);
    for (const rule of rules) {
      const context = ruleContext(deployed.arnOf(rule));
      for (const resource of [queue, deadLetterQueue]) {
        expect(await decide(deployed, { principal: 'events.amazonaws.com', action: 'sqs:SendMessage', resource, context })).toBe('Allowed');
      }
      expect(await decide(deployed, { principal: 'events.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context })).toBe('Allowed');
    }
    const strangers = [
      `arn:aws:events:${REGION}:${ACCOUNT}:rule/someone-elses`,
      `arn:aws:events:${REGION}:${OTHER_ACCOUNT}:rule/${deployed.nameOf(rules[0]!)}`,
    ];
    for (const stranger of strangers) {
      const context = ruleContext(stranger);
      expect(await decide(deployed, { principal: 'events.amazonaws.com', action: 'sqs:SendMessage', resource: queue, context })).not.toBe('Allowed');
      expect(await decide(deployed, { principal: 'events.amazonaws.com', action: 'kms:GenerateDataKey', resource: key, context })).not.toBe('Allowed');
    }
  });

  it('lets CloudWatch Logs invoke the forwarder only for the cluster log groups of this account', async () => {
    const forwarder = logicalId(pivotGuard.forwarder);
    const logGroup = (account: string, name: string) => ({
      'aws:SourceAccount': account,
      'aws:SourceArn': `arn:aws:logs:${REGION}:${account}:log-group:${name}:*`,
    });
    const invoke = (context: Record<string, string>) =>
      decide(deployed, { principal: 'logs.amazonaws.com', action: 'lambda:InvokeFunction', resource: forwarder, context });
    expect(await invoke(logGroup(ACCOUNT, '/aws/eks/prod-east/cluster'))).toBe('Allowed');
    expect(await invoke(logGroup(ACCOUNT, '/aws/eks/someone-else/cluster'))).not.toBe('Allowed');
    expect(await invoke(logGroup(OTHER_ACCOUNT, '/aws/eks/prod-east/cluster'))).not.toBe('Allowed');
  });

  it("never lets the containment function change the policies of pivotguard's own roles, while it may contain a workload role", async () => {
    const workloadRole = `arn:aws:iam::${ACCOUNT}:role/checkout-irsa`;
    expect(await decide(deployed, { principal: containmentRole, action: 'iam:PutRolePolicy', resource: workloadRole })).toBe('Allowed');
    expect(await decide(deployed, { principal: containmentRole, action: 'iam:UpdateAssumeRolePolicy', resource: workloadRole })).toBe('Allowed');
    for (const own of [containmentRole, analyzerRole, stateMachineRole, roleOf(pivotGuard.forwarder.role)]) {
      for (const action of ['iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:UpdateAssumeRolePolicy']) {
        expect(await decide(deployed, { principal: containmentRole, action, resource: deployed.arnOf(own) })).toBe('ExplicitlyDenied');
      }
    }
  });

  it('never lets containment or undo change the CDK bootstrap roles', async () => {
    const cdkExecRole = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`;
    for (const [principal, action] of [
      [containmentRole, 'iam:PutRolePolicy'],
      [containmentRole, 'iam:UpdateAssumeRolePolicy'],
      [roleOf(pivotGuard.undoFunction!.role), 'iam:DeleteRolePolicy'],
    ] as const) {
      expect(await decide(deployed, { principal, action, resource: cdkExecRole }), action).toBe('ExplicitlyDenied');
    }
  });

  it('never lets containment change a role listed in protectedRoleArns', async () => {
    const breakGlass = `arn:aws:iam::${ACCOUNT}:role/break-glass`;
    const guarded = synthPivotGuard({ clusters: ['prod-east'], protectedRoleArns: [breakGlass] });
    const guardedTemplate = new DeployedTemplate(guarded.template);
    const role = roleOf(guarded.pivotGuard.containmentFunction!.role);
    expect(await decide(guardedTemplate, { principal: role, action: 'iam:PutRolePolicy', resource: breakGlass })).toBe('ExplicitlyDenied');
  });
});

describe('what AWS would decide with containable roles chosen by tag (-c containableRoles=tagged -c protectedRoles=…)', () => {
  const breakGlass = `arn:aws:iam::${ACCOUNT}:role/break-glass`;
  const { stack, pivotGuard: tagged } = buildApp({
    ...NO_BUNDLING,
    clusters: 'prod-east',
    containableRoles: 'tagged',
    protectedRoles: `${breakGlass},arn:aws:iam::${ACCOUNT}:role/admins-*`,
  });
  const taggedTemplate = new DeployedTemplate(Template.fromStack(stack));
  const containable = { 'aws:ResourceTag/pivotguard:containable': 'true' };
  const principals = {
    containment: { role: roleOf(tagged.containmentFunction!.role), writes: ['iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:UpdateAssumeRolePolicy'] },
    undo: { role: roleOf(tagged.undoFunction!.role), writes: ['iam:DeleteRolePolicy', 'iam:UpdateAssumeRolePolicy'] },
  };
  const writeTo = (role: string, writes: readonly string[], resource: string, context?: Record<string, string>) =>
    Promise.all(writes.map((action) => decide(taggedTemplate, { principal: role, action, resource, context })));

  for (const [name, { role, writes }] of Object.entries(principals)) {
    it(`lets the ${name} function change a tagged workload role, and not an untagged one`, async () => {
      const workload = `arn:aws:iam::${ACCOUNT}:role/checkout-irsa`;
      expect(await writeTo(role, writes, workload, containable)).toEqual(writes.map(() => 'Allowed'));
      expect(await writeTo(role, writes, workload)).toEqual(writes.map(() => 'ImplicitlyDenied'));
      expect(await writeTo(role, writes, workload, { 'aws:ResourceTag/pivotguard:containable': 'false' })).toEqual(writes.map(() => 'ImplicitlyDenied'));
    });

    it(`never lets the ${name} function change a tagged CDK bootstrap role, pivotguard's own roles or a protected role`, async () => {
      const own = [tagged.containmentFunction!.role, tagged.undoFunction!.role, tagged.analyzer.role, tagged.forwarder.role].map((ownRole) =>
        taggedTemplate.arnOf(roleOf(ownRole)),
      );
      for (const resource of [
        `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-${REGION}`,
        ...own,
        breakGlass,
        `arn:aws:iam::${ACCOUNT}:role/admins-oncall`,
      ]) {
        expect(await writeTo(role, writes, resource, containable), resource).toEqual(writes.map(() => 'ExplicitlyDenied'));
      }
    });
  }

  it('refuses a role ARN list beside the tag, and a protected entry that is not a role ARN', () => {
    expect(() => buildApp({ ...NO_BUNDLING, clusters: 'prod-east', containableRoles: 'tagged,arn:aws:iam::111122223333:role/x' })).toThrow(
      /containableRoleArns: "tagged" is not an IAM role ARN/,
    );
    expect(() => buildApp({ ...NO_BUNDLING, clusters: 'prod-east', protectedRoles: 'break-glass' })).toThrow(
      /protectedRoleArns: "break-glass" is not an IAM role ARN/,
    );
  });
});

describe('what AWS would decide about the region forwarders', () => {
  const { app, forwarders } = buildApp(
    { ...NO_BUNDLING, clusters: 'prod-east', forwardRegions: 'us-east-1' },
    { CDK_DEFAULT_REGION: REGION, CDK_DEFAULT_ACCOUNT: ACCOUNT },
  );
  const forwarder = forwarders[0]!;
  const forwarderTemplate = new DeployedTemplate(Template.fromStack(forwarder), 'us-east-1');
  const main = new DeployedTemplate(Template.fromStack(app.node.findChild('PivotGuard') as never));
  const bus = main.logicalIdsOf('AWS::Events::EventBus')[0]!;
  const busArn = main.arnOf(bus);
  const forwarderRole = forwarderTemplate.logicalIdsOf('AWS::IAM::Role')[0]!;

  it("lets the forwarder's role put events on pivotguard's bus in pivotguard's region", async () => {
    expect(busArn).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:event-bus/pivotguard`);
    expect(await decide(forwarderTemplate, { principal: forwarderRole, action: 'events:PutEvents', resource: busArn })).toBe('Allowed');
  });

  it("has pivotguard's bus take the forwarders' events, and refuse a role of another account allowed the same by its own policies", async () => {
    const roleArn = forwarderTemplate.arnOf(forwarderRole);
    const identityPolicies = forwarderTemplate.identityPoliciesOf(forwarderRole);
    const putEvents = (principal: string) =>
      decide(main, { principal, action: 'events:PutEvents', resource: bus, identityPolicies, context: { 'aws:PrincipalArn': principal } });
    expect(await putEvents(roleArn)).toBe('Allowed');
    expect(await putEvents(roleArn.replace(ACCOUNT, OTHER_ACCOUNT))).not.toBe('Allowed');
  });

  it('only EventBridge, for this account, may assume the forwarder role', async () => {
    const trust = (forwarderTemplate.resources[forwarderRole]!.Properties!.AssumeRolePolicyDocument ?? {}) as never;
    const resolvedTrust = forwarderTemplate.resolve(trust);
    const assume = (account: string) =>
      decide(forwarderTemplate, {
        principal: 'events.amazonaws.com',
        action: 'sts:AssumeRole',
        resource: forwarderTemplate.arnOf(forwarderRole),
        resourcePolicy: resolvedTrust,
        context: { 'aws:SourceAccount': account },
      });
    expect(await assume(ACCOUNT)).toBe('Allowed');
    expect(await assume(OTHER_ACCOUNT)).not.toBe('Allowed');
  });

  it("refuses to build a forwarder without knowing pivotguard's region, or for that region itself", () => {
    expect(() => buildApp({ ...NO_BUNDLING, clusters: 'a', forwardRegions: 'us-east-1' }, {})).toThrow(/forwardRegions needs pivotguard's region/);
    expect(() => buildApp({ ...NO_BUNDLING, clusters: 'a', forwardRegions: REGION }, { CDK_DEFAULT_REGION: REGION })).toThrow(/own region/);
  });
});
