import { App, Stack } from 'aws-cdk-lib';
import { DeploymentConfigError, loadConfigFile } from './config-file.ts';
import { addNagChecks } from './nag.ts';
import { PivotGuard } from './pivot-guard.ts';
import { forwarderStackName } from '../functions/core/deployment.ts';
import { RegionForwarderStack } from './region-forwarder.ts';

export interface PivotGuardApp {
  readonly app: App;
  readonly stack: Stack;
  readonly pivotGuard: PivotGuard;
  /** One per `forwardRegions` entry. */
  readonly forwarders: RegionForwarderStack[];
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

const STACK_NAME = 'PivotGuard';

/**
 * The deployable app, as `cdk deploy -c clusters=NAME[,NAME] -c alertEmail=ADDR[,ADDR]
 * [-c config=pivotguard.yaml] [-c securityHub=true] [-c containment=false]
 * [-c clusterAccess=NAME[,NAME]] [-c forwardRegions=REGION[,REGION]] [-c reservedConcurrency=false]
 * [-c containableRoles=tagged|ARN_PATTERN[,ARN_PATTERN]] [-c protectedRoles=ARN_PATTERN[,ARN_PATTERN]]` builds it. `context` is
 * added to what the CDK CLI passes (tests pass everything here); a missing or bad setting throws
 * a DeploymentConfigError naming it. `env` is the process environment (the CDK CLI sets
 * CDK_DEFAULT_REGION and CDK_DEFAULT_ACCOUNT from the caller's profile).
 */
export function buildApp(context: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = process.env): PivotGuardApp {
  const app = new App({ context });
  const clusters = listSetting(app.node.tryGetContext('clusters'));
  if (clusters.length === 0) {
    throw new DeploymentConfigError('missing context "clusters": deploy with -c clusters=CLUSTER_NAME[,CLUSTER_NAME...]');
  }
  const alertEmails = listSetting(app.node.tryGetContext('alertEmail'));
  const configPath = app.node.tryGetContext('config') as unknown;
  if (configPath !== undefined && typeof configPath !== 'string') {
    throw new DeploymentConfigError('context "config" must be the path of a pivotguard YAML or JSON file');
  }
  const config = configPath ? loadConfigFile(configPath) : undefined;
  const securityHub = booleanSetting(app.node.tryGetContext('securityHub'), 'securityHub');
  const containment = booleanSetting(app.node.tryGetContext('containment'), 'containment');
  const clusterAccess = listSetting(app.node.tryGetContext('clusterAccess'));
  const reserveConcurrency = booleanSetting(app.node.tryGetContext('reservedConcurrency'), 'reservedConcurrency');
  const forwardRegions = listSetting(app.node.tryGetContext('forwardRegions'));
  // `tagged`: every role of the account tagged pivotguard:containable=true; otherwise ARN patterns (default: every role).
  const containableRoles = listSetting(app.node.tryGetContext('containableRoles'));
  const containTaggedRolesOnly = containableRoles.length === 1 && containableRoles[0] === 'tagged';
  const protectedRoles = listSetting(app.node.tryGetContext('protectedRoles'));

  const stack = new Stack(app, STACK_NAME, { description: 'pivotguard: cloud workload protection for Amazon EKS' });
  const pivotGuard = new PivotGuard(stack, 'PivotGuard', {
    clusters,
    alertEmails,
    config,
    securityHub,
    containment,
    clusterAccess,
    reserveConcurrency,
    containTaggedRolesOnly,
    containableRoleArns: containTaggedRolesOnly || containableRoles.length === 0 ? undefined : containableRoles,
    protectedRoleArns: protectedRoles.length === 0 ? undefined : protectedRoles,
  });
  const forwarders = forwardRegions.length > 0 ? regionForwarders(app, forwardRegions, env) : [];
  addNagChecks(app);
  return { app, stack, pivotGuard, forwarders };
}

/** Forwarders need pivotguard's region by name: the stack that builds their target ARN is in another region. */
function regionForwarders(app: App, regions: string[], env: NodeJS.ProcessEnv): RegionForwarderStack[] {
  const home = env.CDK_DEFAULT_REGION;
  if (!home) throw new DeploymentConfigError("forwardRegions needs pivotguard's region: deploy with a profile or AWS_REGION that names it");
  const bad = regions.find((region) => !REGION.test(region));
  if (bad !== undefined) throw new DeploymentConfigError(`forwardRegions: "${bad}" is not an AWS region name`);
  if (regions.includes(home)) throw new DeploymentConfigError(`forwardRegions: ${home} is pivotguard's own region; list only the others`);
  return [...new Set(regions)].map(
    (region) =>
      new RegionForwarderStack(app, forwarderStackName(region), {
        env: { account: env.CDK_DEFAULT_ACCOUNT, region },
        pivotGuardRegion: home,
        description: `pivotguard: forwards the CloudTrail and GuardDuty events of ${region} to pivotguard in ${home}`,
      }),
  );
}

/** `-c name=a,b` arrives as a string; cdk.json may hold a list. */
function listSetting(value: unknown): string[] {
  const items = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return items.map((item) => item.trim()).filter(Boolean);
}

/** `-c name=true` arrives as text; cdk.json may hold a boolean. Absent means the construct's default. */
function booleanSetting(value: unknown, name: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new DeploymentConfigError(`context "${name}" must be true or false, got ${JSON.stringify(value)}`);
}
