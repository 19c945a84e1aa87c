import { App, Stack } from 'aws-cdk-lib';
import { DeploymentConfigError, loadConfigFile } from './config-file.ts';
import { addNagChecks } from './nag.ts';
import { PivotGuard } from './pivot-guard.ts';

export interface PivotGuardApp {
  readonly app: App;
  readonly stack: Stack;
  readonly pivotGuard: PivotGuard;
}

const STACK_NAME = 'PivotGuard';

/**
 * The deployable app, as `cdk deploy -c clusters=NAME[,NAME] -c alertEmail=ADDR[,ADDR]
 * [-c config=pivotguard.yaml] [-c securityHub=true] [-c containment=false]` builds it. `context` is added to what the CDK CLI passes (tests
 * pass everything here); a missing or bad setting throws a DeploymentConfigError naming it.
 */
export function buildApp(context: Record<string, unknown> = {}): PivotGuardApp {
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

  const stack = new Stack(app, STACK_NAME, { description: 'pivotguard: cloud workload protection for Amazon EKS' });
  const pivotGuard = new PivotGuard(stack, 'PivotGuard', { clusters, alertEmails, config, securityHub, containment });
  addNagChecks(app);
  return { app, stack, pivotGuard };
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
