import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.ts';
import { DeploymentConfigError } from '../../lib/config-file.ts';
import { NO_BUNDLING, logicalId } from './synth.ts';

const ROOT = join(import.meta.dirname, '../..');

function configFile(text: string, name = 'pivotguard.yaml'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'pivotguard-app-')), name);
  writeFileSync(path, text);
  return path;
}

function analyzerEnvironment(context: Record<string, unknown>): Record<string, unknown> {
  const { stack, pivotGuard } = buildApp({ ...NO_BUNDLING, ...context });
  const fn = Template.fromStack(stack).findResources('AWS::Lambda::Function')[logicalId(pivotGuard.analyzer)]!;
  return fn.Properties.Environment.Variables;
}

/** The configuration document the functions read, as the stack stores it. */
function deployedConfig(context: Record<string, unknown>): unknown {
  const { stack } = buildApp({ ...NO_BUNDLING, ...context });
  return JSON.parse(Object.values(Template.fromStack(stack).findResources('AWS::SSM::Parameter'))[0]!.Properties.Value);
}

// The first build in a worker loads most of aws-cdk-lib (containment alone brings S3, Step Functions, EKS, Secrets Manager).
describe('the deployable app (bin/app.ts)', () => {
  it('subscribes to each cluster named in -c clusters=a,b', () => {
    const { stack } = buildApp({ ...NO_BUNDLING, clusters: 'a, b' });
    const filters = Template.fromStack(stack).findResources('AWS::Logs::SubscriptionFilter');
    expect(Object.values(filters).map((filter) => filter.Properties.LogGroupName)).toEqual(['/aws/eks/a/cluster', '/aws/eks/b/cluster']);
    expect(stack.stackName).toBe('PivotGuard');
  });

  it('takes a list of clusters from cdk.json as well', () => {
    const { pivotGuard } = buildApp({ ...NO_BUNDLING, clusters: ['a', 'b', 'c'] });
    expect(pivotGuard.node.findAll().filter((c) => c.node.id.endsWith('AuditEvents'))).toHaveLength(3);
  });

  it('subscribes each address in -c alertEmail=x,y', () => {
    const { stack } = buildApp({ ...NO_BUNDLING, clusters: 'a', alertEmail: 'x@example.com,y@example.com' });
    const endpoints = Object.values(Template.fromStack(stack).findResources('AWS::SNS::Subscription')).map((s) => s.Properties.Endpoint);
    expect(endpoints).toEqual(['x@example.com', 'y@example.com']);
  });

  it('turns the Security Hub export on and containment off with -c securityHub=true -c containment=false', () => {
    const { pivotGuard } = buildApp({ ...NO_BUNDLING, clusters: 'a', securityHub: 'true', containment: 'false' });
    expect(analyzerEnvironment({ clusters: 'a', securityHub: 'true' })).toMatchObject({ SECURITY_HUB: '1' });
    expect(pivotGuard.stateMachine).toBeUndefined();
    expect(() => buildApp({ ...NO_BUNDLING, clusters: 'a', securityHub: 'yes' })).toThrow('context "securityHub" must be true or false, got "yes"');
  });

  it('stops with a clear message when no cluster is named', () => {
    expect(() => buildApp({ ...NO_BUNDLING })).toThrow(DeploymentConfigError);
    expect(() => buildApp({ ...NO_BUNDLING, clusters: ' , ' })).toThrow('missing context "clusters": deploy with -c clusters=CLUSTER_NAME[,CLUSTER_NAME...]');
  });

  it('stores a valid -c config=FILE, as written, where the functions read it', () => {
    const path = configFile('windowHours: 12\nnamespaces:\n  payments: critical\n');
    expect(deployedConfig({ clusters: 'a', config: path })).toEqual({ windowHours: 12, namespaces: { payments: 'critical' } });
  });

  it('accepts the seed scenario configuration', () => {
    const config = deployedConfig({ clusters: 'a', config: join(ROOT, 'examples/seed-scenario/pivotguard.yaml') }) as { suppressions: unknown[] };
    expect(config.suppressions[0]).toMatchObject({ rule: 'eks-audit.exec-into-pod', expires: '2027-03-31' });
  });

  it('gives containment access only to the clusters named in -c clusterAccess, and refuses one it does not watch', () => {
    const { stack } = buildApp({ ...NO_BUNDLING, clusters: 'a,b', clusterAccess: 'b' });
    const entries = Object.values(Template.fromStack(stack).findResources('AWS::EKS::AccessEntry'));
    // The containment function's entry and the undo function's.
    expect(entries.map((entry) => entry.Properties.ClusterName)).toEqual(['b', 'b']);
    expect(Object.values(Template.fromStack(buildApp({ ...NO_BUNDLING, clusters: 'a' }).stack).findResources('AWS::EKS::AccessEntry'))).toEqual([]);
    expect(() => buildApp({ ...NO_BUNDLING, clusters: 'a', clusterAccess: 'c' })).toThrow(/clusterAccess: "c" is not one of the clusters/);
  });

  it('reserves no concurrency with -c reservedConcurrency=false, for accounts whose quota is too low', () => {
    const reserved = (context: Record<string, unknown>) =>
      Object.values(Template.fromStack(buildApp({ ...NO_BUNDLING, clusters: 'a', ...context }).stack).findResources('AWS::Lambda::Function'))
        .map((fn) => fn.Properties.ReservedConcurrentExecutions)
        .filter((value) => value !== undefined);
    expect(reserved({}).sort()).toEqual([10, 5]);
    expect(reserved({ reservedConcurrency: 'false' })).toEqual([]);
  });

  it('adds a forwarder stack per -c forwardRegions, named as pivotguard doctor looks for it', () => {
    const { forwarders } = buildApp({ ...NO_BUNDLING, clusters: 'a', forwardRegions: 'us-east-1,eu-central-1' }, { CDK_DEFAULT_REGION: 'eu-west-1' });
    expect(forwarders.map((stack) => [stack.stackName, stack.region])).toEqual([
      ['PivotGuard-Forwarder-us-east-1', 'us-east-1'],
      ['PivotGuard-Forwarder-eu-central-1', 'eu-central-1'],
    ]);
    expect(() => buildApp({ ...NO_BUNDLING, clusters: 'a', forwardRegions: 'mars-1' }, { CDK_DEFAULT_REGION: 'eu-west-1' })).toThrow(
      /"mars-1" is not an AWS region/,
    );
  });

  it('stops on a bad config file with one line naming the field', () => {
    const path = configFile('windowHours: 1000\n');
    expect(() => buildApp({ ...NO_BUNDLING, clusters: 'a', config: path })).toThrow(new RegExp(`^config ${path}: windowHours: Too big`));
    const typo = configFile('{"windowHour": 12}', 'pivotguard.json');
    expect(() => buildApp({ ...NO_BUNDLING, clusters: 'a', config: typo })).toThrow(`config ${typo}: windowHour: Unrecognized key: "windowHour"`);
    const nested = configFile('actions:\n  automatic: [nuke-cluster]\n');
    expect(() => buildApp({ ...NO_BUNDLING, clusters: 'a', config: nested })).toThrow(/: actions\.automatic\.0: Invalid option/);
  });

  it('stops on a config file it cannot read or parse', () => {
    expect(() => buildApp({ ...NO_BUNDLING, clusters: 'a', config: '/nonexistent/pivotguard.yaml' })).toThrow(
      'cannot read config /nonexistent/pivotguard.yaml: ENOENT',
    );
    const broken = configFile('windowHours: [12\n');
    expect(() => buildApp({ ...NO_BUNDLING, clusters: 'a', config: broken })).toThrow(/is not valid YAML or JSON/);
  });

  it('exits with one line on stderr, not a stack trace, when a setting is wrong', () => {
    const path = configFile('windowHours: -1\n');
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
        cwd: ROOT,
        env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify({ ...NO_BUNDLING, clusters: 'a', config: path }) },
        stdio: 'pipe',
        encoding: 'utf8',
      });
    } catch (error) {
      failure = error as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stderr.trim()).toMatch(new RegExp(`^pivotguard: config ${path}: windowHours: Too small[^\\n]*$`));
  });
});
